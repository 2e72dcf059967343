"""Full-text search: the same behaviour on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from sqlalchemy import event

from app.extensions import db
from app.models import Idea, IdeaStatus
from app.search import IdeaSearch, query_words, search_ideas, similar_ideas


def found(client, query: str) -> list[str]:
    response = client.get("/ideas", query_string={"q": query})
    assert response.status_code == 200, response.status_code
    html = response.get_data(as_text=True)
    return re.findall(r'<h3 class="h5 card-title"><a href="[^"]+">([^<]+)</a>', html)


@pytest.fixture
def ideas(make):
    process = make.process()
    category = make.category()

    def idea(
        title: str, description: str = "Zwykły opis pomysłu bez szczególnych słów kluczowych.", **kw
    ):
        return make.idea(title=title, description=description, process_id=process.id,
                         category_id=category.id, **kw)  # fmt: skip

    return {
        "lodz": idea("Tramwaj do Łodzi", "Szybkie połączenie z Łódź Fabryczna dla dojeżdżających."),
        "zolw": idea("Żółwia ścieżka edukacyjna", "Spacer wokół stawu z tablicami o przyrodzie."),
        "opera": idea("Opera na odkrywce", "Festiwal muzyczny w dawnym wyrobisku kopalni."),
        "other": idea("Ławki w parku", "Więcej miejsc do siedzenia dla seniorów."),
    }


@pytest.mark.parametrize(
    ("query", "key"),
    [("lodz", "lodz"), ("łódź", "lodz"), ("ŁÓDŹ", "lodz"), ("LODZ", "lodz"), ("zolw", "zolw"),
     ("Żółw", "zolw"), ("ZOLWIA", "zolw"), ("fabryczna", "lodz")],
)  # fmt: skip
def test_search_ignores_polish_letters_and_case(client, ideas, query, key):
    assert found(client, query) == [ideas[key].title]


@pytest.mark.parametrize("query", ["odkryw", "odkrywce", "Odkr", "wyrob", "opera odkryw"])
def test_search_matches_the_beginning_of_words(client, ideas, query):
    assert found(client, query) == ["Opera na odkrywce"]


def test_every_word_must_match(client, ideas):
    assert found(client, "opera tramwaj") == []


def test_search_never_finds_unpublished_ideas(client, make, ideas):
    make.idea(status=IdeaStatus.AWAITING_REVIEW, title="Opera w poczekalni")
    make.idea(status=IdeaStatus.HIDDEN, title="Opera ukryta")
    assert found(client, "opera") == ["Opera na odkrywce"]


def test_a_title_match_ranks_above_a_passing_mention(client, make):
    process, category = make.process(), make.category()
    common = {"process_id": process.id, "category_id": category.id}
    make.idea(
        title="Nowe miejsca pracy w regionie",
        description="Kursy zawodowe, doradztwo, staże; przy okazji także geotermia w szkołach "
        "i wiele innych działań dla mieszkańców, którzy szukają nowej pracy po zamknięciu kopalni.",
        **common,
    )
    make.idea(
        title="Geotermia dla osiedla", description="Ciepło z głębi ziemi zamiast węgla.", **common
    )
    make.idea(title="Ciepłe kaloryfery", description="Wspominam też o geotermii.", **common)
    titles = found(client, "geotermia")
    assert titles[0] == "Geotermia dla osiedla"
    # "geotermii" is a form of "geotermia": found by its lemma, ranked below.
    assert set(titles) == {"Geotermia dla osiedla", "Nowe miejsca pracy w regionie",
                           "Ciepłe kaloryfery"}  # fmt: skip


@pytest.mark.parametrize(
    "query",
    ['"', '"opera', "opera*", "*", "NEAR(opera odkrywce)", "opera OR tramwaj", "opera -odkrywce",
     "-", "opera AND NOT", "(", "^opera", "search_text:opera", "facets : c1", "{facets}:x",
     "'; DROP TABLE ideas; --", "opera:*", "opera & tramwaj | x", "!!!", "…", "\x00opera"],
)  # fmt: skip
def test_search_syntax_in_the_query_is_plain_text(client, ideas, query):
    response = client.get("/ideas", query_string={"q": query})
    assert response.status_code == 200
    api = client.get("/api/v1/ideas", query_string={"q": query})
    assert api.status_code == 200
    assert api.get_json()["total"] == len(found(client, query))


def test_operator_words_are_searched_as_words(client, make, ideas):
    make.idea(
        title="Near Field: karta miejska", description="Karta miejska z płatnością zbliżeniową."
    )
    assert found(client, "near") == ["Near Field: karta miejska"]
    assert found(client, "opera OR tramwaj") == []


def test_filter_tokens_cannot_be_searched(client, app, ideas):
    category_id = ideas["opera"].category_id
    assert found(client, f"c{category_id}") == []


def test_punctuation_only_query_lists_everything(client, ideas):
    assert len(found(client, "?!.,;-—")) == 4


def test_ten_thousand_character_query_is_answered(client, ideas):
    assert found(client, "opera " * 1700) == ["Opera na odkrywce"]
    assert found(client, "x" * 10_000) == []
    assert client.get("/api/v1/ideas", query_string={"q": "ą" * 10_000}).status_code == 200


def test_query_words_are_capped_and_deduplicated():
    words = query_words(" ".join(f"slowo{n}" for n in range(100)) + " slowo1")
    assert len(words) == 12
    assert len(set(words)) == 12
    assert query_words("Opera na odkrywce") == ["opera", "odkrywce"]
    assert query_words("w") == ["w"]


def test_index_follows_edits_publication_and_deletion(app, client, make, ideas):
    waiting = make.idea(status=IdeaStatus.AWAITING_REVIEW, title="Kolej na hałdę")
    assert found(client, "kolej") == []
    with app.app_context():
        db.session.get(Idea, waiting.id).status = IdeaStatus.PUBLISHED
        db.session.commit()
    assert found(client, "kolej") == ["Kolej na hałdę"]
    with app.app_context():
        row = db.session.get(Idea, waiting.id)
        row.title = "Kolejka wąskotorowa"
        db.session.commit()
    assert found(client, "waskotor") == ["Kolejka wąskotorowa"]
    with app.app_context():
        db.session.get(Idea, waiting.id).status = IdeaStatus.HIDDEN
        db.session.commit()
    assert found(client, "kolejka") == []
    with app.app_context():
        db.session.delete(db.session.get(Idea, ideas["opera"].id))
        db.session.commit()
    assert found(client, "opera") == []


def test_index_follows_filter_changes(app, client, make, ideas):
    other = make.category(slug="nowa-kategoria")
    with app.app_context():
        db.session.get(Idea, ideas["opera"].id).category_id = other.id
        db.session.get(Idea, ideas["zolw"].id).result_status = "in_progress"
        db.session.commit()
    assert client.get("/api/v1/ideas?q=opera&category=nowa-kategoria").get_json()["total"] == 1
    assert client.get("/api/v1/ideas?q=zolw&status=in_progress").get_json()["total"] == 1
    assert client.get("/api/v1/ideas?q=zolw&status=published").get_json()["total"] == 0


def test_similar_ideas_are_published_lookalikes(app, make, ideas):
    make.idea(status=IdeaStatus.AWAITING_REVIEW, title="Opera w kopalni")
    with app.app_context():
        titles = [idea.title for idea in similar_ideas("Festiwal operowy w kopalni odkrywkowej")]
        assert titles == ["Opera na odkrywce"]
        assert similar_ideas("Festiwal operowy", exclude_ids=[ideas["opera"].id]) == []
        assert similar_ideas("!!! ...") == []
        assert len(similar_ideas("łódź żółw park opera", limit=2)) == 2


def test_search_issues_the_same_number_of_queries_for_any_page_size(app, make):
    process, category = make.process(), make.category(slug="energia")
    for n in range(60):
        make.idea(title=f"Farma wiatrowa {n}", process_id=process.id, category_id=category.id)
    with app.app_context():
        statements: list[str] = []

        def count(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            client = app.test_client()
            seen = {}
            # The total is kept per content version: count it once first.
            client.get("/api/v1/ideas?q=farma&category=energia&per_page=7")
            for size in (5, 50):
                statements.clear()
                response = client.get(f"/api/v1/ideas?q=farma&category=energia&per_page={size}")
                assert len(response.get_json()["items"]) == size
                seen[size] = len(statements)
            assert seen[5] == seen[50]
            html = {}
            # The filter lists are kept per content version: read them once first.
            client.get("/ideas?q=farma&category=energia&page=2")
            for page in (1, 3):
                statements.clear()
                assert client.get(f"/ideas?q=farma&category=energia&page={page}").status_code == 200
                html[page] = len(statements)
            assert html[1] == html[3]
        finally:
            event.remove(db.engine, "before_cursor_execute", count)


def test_search_ideas_pages_are_the_same_size_whatever_the_sort(app, make):
    process, category = make.process(), make.category()
    for n in range(7):
        make.idea(title=f"Rower miejski {n}", process_id=process.id, category_id=category.id,
                  supports_count=n)  # fmt: skip
    with app.app_context():
        for sort in ("relevance", "newest", "oldest", "supports"):
            first, total = search_ideas(IdeaSearch(q="rower", sort=sort), 1, 5)
            second, _ = search_ideas(IdeaSearch(q="rower", sort=sort), 2, 5)
            assert total == 7 and len(first) == 5 and len(second) == 2
            assert {i.id for i in first}.isdisjoint({i.id for i in second})
        ordered, _ = search_ideas(IdeaSearch(q="rower", sort="supports"), 1, 7)
        assert [i.supports_count for i in ordered] == [6, 5, 4, 3, 2, 1, 0]


def _migration(name: str):
    path = Path(__file__).parent.parent / "migrations/versions" / name
    spec = importlib.util.spec_from_file_location(name.removesuffix(".py"), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_migrations_create_the_same_objects_as_the_test_schema():
    from app import search

    first = _migration("b1a2c3d4e5f6_search_index.py")
    latest = _migration("d4f1a8c2e9b7_search_lemmas.py")
    assert first.down_revision == "693d77d54f12"
    assert latest.SQLITE_UPGRADE == search.SQLITE_DDL
    assert latest.SQLITE_DROP == search.SQLITE_DROP
    assert latest.SQLITE_DOWNGRADE == first.SQLITE_UPGRADE
    assert first.POSTGRES_UPGRADE == search.POSTGRES_DDL
    assert first.POSTGRES_DOWNGRADE == search.POSTGRES_DROP


def test_a_search_too_broad_to_rank_lists_its_matches_newest_first(app, client, make, monkeypatch):
    """Ranking a search that matches more ideas than are counted would score
    every match; its matches are listed newest first and the page says so.
    Below the bound a title match still comes first."""
    from datetime import timedelta
    from urllib.parse import urlsplit

    from app.catalogue import paging
    from app.models import utcnow

    process, category = make.process(), make.category()
    now = utcnow()
    titled = make.idea(title="Geotermia dla osiedla", description="Ciepło z ziemi.",
                       process_id=process.id, category_id=category.id,
                       published_at=now - timedelta(days=9))  # fmt: skip
    for n in range(4):
        make.idea(title=f"Ciepło numer {n}", description="Wspominam też o geotermii.",
                  process_id=process.id, category_id=category.id,
                  published_at=now - timedelta(days=n))  # fmt: skip
    note = "pokazujemy najpierw najnowsze"
    ranked = client.get("/ideas?q=geotermia").get_data(as_text=True)
    assert found(client, "geotermia")[0] == titled.title and note not in ranked

    monkeypatch.setattr(paging, "SEARCH_TOTAL_CAP", 3)
    html = client.get("/ideas?q=geotermia&page=1").get_data(as_text=True)
    assert note in html
    items = client.get("/api/v1/ideas?q=geotermia&per_page=2").get_json()
    following = client.get(urlsplit(items["next"]).path + "?" + urlsplit(items["next"]).query)
    listed = [item["title"] for item in items["items"] + following.get_json()["items"]]
    assert listed == ["Ciepło numer 0", "Ciepło numer 1", "Ciepło numer 2", "Ciepło numer 3"]
