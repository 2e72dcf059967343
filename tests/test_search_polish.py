"""Polish search on the demo consultation: inflected forms, names, answers,
the display of results, similar ideas and the reindex command. Every
expectation holds on SQLite and on PostgreSQL (the same lists)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select, update

from app.demo.loader import load_demo
from app.extensions import db
from app.models import Category, Idea, IdeaAnswer, Workshop, WorkshopGroup
from app.search import IdeaSearch, index_text, lemmas, query_terms, search_ideas, similar_ideas

TITLES = {
    "opera": "Opera na odkrywce",
    "camping": "Zintegrowany city camping",
    "kampanie": "Kampanie PR w zakresie integracji wielopokoleniowej",
    "farma": "Farma fotowoltaiczna na zwałowisku",
    "centrum": "Centrum przekwalifikowania górników",
    "wodorowa": "Wodorowa linia autobusowa między gminami",
    "makerspace": "Makerspace w dawnej stołówce kopalni",
    "inkubator": "Inkubator start-upów dla młodzieży",
    "spoldzielnia": "Spółdzielnia energetyczna dla bloków i domów",
    "mistrz": "Mistrz i uczeń: seniorzy z kopalni uczą fachu",
    "jezioro": "Jezioro w wyrobisku z plażą miejską",
    "laboratorium": "Szkolne laboratorium energii",
    "kolej": "Kolej regionalna do parku technologicznego",
    "trasa": "Trasa rowerowa wokół odkrywki",
}

# Query → the demo ideas it finds (keys of TITLES), on SQLite and PostgreSQL alike.
EXPECTED = {
    "energia": ["centrum", "farma", "inkubator", "laboratorium", "makerspace", "mistrz", "spoldzielnia", "wodorowa"],
    "energii": ["centrum", "farma", "inkubator", "laboratorium", "makerspace", "mistrz", "spoldzielnia", "wodorowa"],
    "ENERGIA": ["centrum", "farma", "inkubator", "laboratorium", "makerspace", "mistrz", "spoldzielnia", "wodorowa"],
    "kopalnia": ["centrum", "makerspace", "mistrz", "opera", "trasa", "wodorowa"],
    "kopalni": ["centrum", "makerspace", "mistrz", "opera", "trasa", "wodorowa"],
    "kopalnią": ["centrum", "makerspace", "mistrz", "opera", "trasa", "wodorowa"],
    "KOPALNI": ["centrum", "makerspace", "mistrz", "opera", "trasa", "wodorowa"],
    "kopal": ["centrum", "makerspace", "mistrz", "opera", "trasa", "wodorowa"],
    "szkoła": ["laboratorium", "mistrz", "spoldzielnia"],
    "szkół": ["laboratorium", "mistrz", "spoldzielnia"],
    "szkołach": ["laboratorium", "mistrz", "spoldzielnia"],
    "szkola": ["laboratorium", "mistrz", "spoldzielnia"],
    "autobus": ["camping", "kolej", "opera", "wodorowa"],
    "autobusy": ["opera", "wodorowa"],
    "autobusów": ["camping", "kolej", "opera", "wodorowa"],
    "wyrobisko": ["jezioro", "opera", "trasa"],
    "wyrobisku": ["jezioro", "opera", "trasa"],
    "odkrywka": ["opera", "trasa"],
    "odkrywki": ["opera", "trasa"],
    "odkryw": ["opera", "trasa"],
    "jezioro": ["jezioro"],
    "jeziora": ["jezioro"],
    "plaża": ["jezioro"],
    "plaży": ["jezioro"],
    "plazy": ["jezioro"],
    "senior": ["kampanie", "makerspace", "mistrz"],
    "seniorów": ["kampanie", "makerspace", "mistrz"],
    "seniorzy": ["kampanie", "makerspace", "mistrz"],
    "młodzież": ["inkubator", "laboratorium", "makerspace", "mistrz"],
    "młodzieży": ["inkubator", "laboratorium", "makerspace", "mistrz"],
    "mlodziez": ["inkubator", "laboratorium", "makerspace", "mistrz"],
    "górnik": ["centrum", "makerspace"],
    "górników": ["centrum", "makerspace"],
    "gornikow": ["centrum"],
    "rower": ["camping", "trasa"],
    "rowerów": ["camping", "trasa"],
    "rowerowa": ["trasa"],
    "rowerowej": ["trasa"],
    "rowero": ["camping", "trasa"],
    "kolej": ["kolej", "wodorowa"],
    "koleją": ["kolej"],
    "koleje": ["kolej"],
    "park": ["inkubator", "kolej", "laboratorium", "mistrz", "wodorowa"],
    "parku": ["inkubator", "kolej", "laboratorium", "mistrz", "wodorowa"],
    "parki": ["inkubator", "kolej", "laboratorium", "mistrz", "wodorowa"],
    "farma": ["farma", "wodorowa"],
    "farmy": ["farma", "wodorowa"],
    "farmą": ["farma", "wodorowa"],
    "wodór": ["wodorowa"],
    "wodoru": ["wodorowa"],
    "wodor": ["wodorowa"],
    "wodorowa": ["wodorowa"],
    "wodorowej": ["wodorowa"],
    "gmina": ["farma", "spoldzielnia", "wodorowa"],
    "gminami": ["farma", "spoldzielnia", "wodorowa"],
    "gmin": ["farma", "spoldzielnia", "wodorowa"],
    "pracownia": ["laboratorium", "makerspace"],
    "pracowni": ["centrum", "laboratorium", "makerspace", "mistrz"],
    "stołówka": ["makerspace"],
    "stołówce": ["makerspace"],
    "stolowka": ["makerspace"],
    "zwałowisko": ["farma", "trasa"],
    "zwałowiska": ["farma", "trasa"],
    "zwalowisku": ["farma"],
    "hałda": [],
    "fotowoltaika": [],
    "fotowoltaiczny": ["farma", "wodorowa"],
    "fotowoltaicznej": ["farma", "wodorowa"],
    "fotowol": ["farma", "wodorowa"],
    "regionalny": ["kolej"],
    "regionalnej": ["kolej"],
    "farma fotowoltaiczna": ["farma", "wodorowa"],
    "farmy fotowoltaiczne": ["farma", "wodorowa"],
    "linia autobusowa": ["kolej", "wodorowa"],
    "linii autobusowej": ["kolej", "wodorowa"],
    "kolej regionalna": ["kolej"],
    "jezioro plaża": ["jezioro"],
    "trasa rowerowa": ["trasa"],
    "Szkolne laboratorium": ["laboratorium"],
    "klimat": ["farma", "spoldzielnia"],
    "transport": ["kolej", "trasa", "wodorowa"],
    "turystyka": ["camping", "opera"],
    "turystyki": ["camping", "opera"],
    "warsztaty": ["inkubator", "kampanie", "makerspace", "mistrz", "spoldzielnia", "wodorowa"],
    "warsztatach": ["inkubator", "kampanie", "makerspace", "mistrz", "spoldzielnia", "wodorowa"],
    "grupach mieszanych": ["inkubator", "makerspace", "mistrz", "spoldzielnia", "wodorowa"],
    "bocznica": ["kolej"],
    "bocznicy": ["kolej"],
    "las": [],
    "lasu": [],
    "klasa": ["inkubator"],
    "energetyczna": ["farma", "spoldzielnia"],
    "Łódź": [],
    "lodz": [],
    "łąka": [],
    "laka": [],
    "seniora": ["kampanie", "makerspace", "mistrz"],
    "kampania": ["kampanie"],
    "kampanii": ["kampanie"],
    "start-up": ["inkubator"],
    "startupów": [],
}  # fmt: skip


@pytest.fixture
def demo(app):
    with app.app_context():
        load_demo()
        db.session.commit()


def titles_for(query: str, **filters) -> list[str]:
    items, _total = search_ideas(IdeaSearch(q=query, **filters), 1, 100)
    return [idea.title for idea in items]


def test_polish_queries_find_the_same_demo_ideas_on_every_database(app, demo):
    assert len(EXPECTED) >= 60
    with app.app_context():
        found = {query: sorted(titles_for(query)) for query in EXPECTED}
    expected = {query: sorted(TITLES[key] for key in keys) for query, keys in EXPECTED.items()}
    assert found == expected


# One test loads the demo once for every case (loading it is the slow part);
# each case is checked and every failing case is named.
TITLE_FIRST = [("kopalni", "Makerspace w dawnej stołówce kopalni"),
               ("farma", "Farma fotowoltaiczna na zwałowisku"),
               ("energii", "Szkolne laboratorium energii"),
               ("rowerowej", "Trasa rowerowa wokół odkrywki")]  # fmt: skip


def test_title_matches_rank_first(app, demo):
    problems = []
    for query, title in TITLE_FIRST:
        with app.app_context():
            ranked = titles_for(query)
        in_title = [t for t in ranked if any(term.matches(index_text(t).split())
                                             for term in query_terms(query))]  # fmt: skip
        if title not in in_title:
            problems.append((query, title, "not among the title matches", in_title))
        if ranked[: len(in_title)] != in_title:
            problems.append((query, "title matches do not rank first", ranked))
    assert not problems, problems


@pytest.mark.parametrize(
    ("query", "never"),
    [("las", "Klasa sportowa przy szkole"), ("las", "Sałata z ogrodu"),
     ("klasa", "Las komunalny"), ("energia", "Szkoła energetyczna"),
     ("szkoła", "Szkolny festyn"), ("park", "Sparkowany samochód"),
     ("ogród", "Przedogródek przy bloku"), ("kopalnia", "Kopiec pamięci")],
)  # fmt: skip
def test_precision_an_inner_part_or_another_word_does_not_match(app, make, query, never):
    for title in ("Klasa sportowa przy szkole", "Sałata z ogrodu", "Las komunalny",
                  "Szkoła energetyczna", "Szkolny festyn", "Sparkowany samochód",
                  "Przedogródek przy bloku", "Kopiec pamięci"):  # fmt: skip
        make.idea(title=title, description="Opis bez słów z zapytań, tylko tyle.")
    with app.app_context():
        found = titles_for(query)
    assert never not in found


def test_an_inflected_form_finds_the_dictionary_form_and_back(app, make):
    make.idea(title="Las komunalny", description="Sadzimy drzewa w lesie za szkołą.")
    with app.app_context():
        for query in ("las", "lasu", "lasy", "lasów", "lesie", "LESIE", "drzewo", "drzew",
                      "szkoła", "szkole", "szkola", "szkolą"):  # fmt: skip
            assert titles_for(query) == ["Las komunalny"], query


def test_category_meeting_and_group_names_are_searched_and_follow_renames(app, make):
    category = make.category(name="Zieleń miejska", slug="zielen")
    workshop = make.workshop(title="Spotkanie o komunikacji", published=True)
    with app.app_context():
        group = WorkshopGroup(workshop_id=workshop.id, name="Grupa młodzieżowa")
        db.session.add(group)
        db.session.commit()
        group_id = group.id
    make.idea(title="Nasadzenia", category_id=category.id, description="Drzewa przy drogach.")
    make.idea(title="Bilet dla uczniów", workshop_id=workshop.id, workshop_group_id=group_id,
              source="workshop", description="Tańsze przejazdy dla szkół.")  # fmt: skip
    with app.app_context():
        assert titles_for("zieleni") == ["Nasadzenia"]
        assert titles_for("komunikacja") == ["Bilet dla uczniów"]
        assert titles_for("młodzieżowej") == ["Bilet dla uczniów"]
        assert titles_for("zieleń drzewa") == ["Nasadzenia"]
        db.session.get(Category, category.id).name = "Przyroda w mieście"
        db.session.get(Workshop, workshop.id).published = False
        db.session.commit()
        assert titles_for("zieleni") == []
        assert titles_for("przyrody") == ["Nasadzenia"]
        assert titles_for("komunikacja") == []


def test_names_a_query_may_match_are_kept_and_follow_renames_made_elsewhere(make_app, make):
    """The words of category, meeting and group names are kept by each
    worker: a search asks nothing about them, and a rename through another
    worker is found on this worker's next search."""
    from sqlalchemy import event

    reader, writer = make_app(), make_app()
    category = make.category(name="Zieleń miejska", slug="zielen")
    make.idea(title="Nasadzenia", category_id=category.id, description="Drzewa przy drogach.")
    page = reader.test_client()
    assert "Nasadzenia" in page.get("/ideas?q=zieleni").get_data(as_text=True)
    statements: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        statements.append(statement)

    with reader.app_context():
        event.listen(db.engine, "before_cursor_execute", note)
    try:
        assert "Nasadzenia" in page.get("/ideas?q=zieleni&sort=newest").get_data(as_text=True)
    finally:
        with reader.app_context():
            event.remove(db.engine, "before_cursor_execute", note)
    assert statements and not [s for s in statements if re.search(r"\bcategories\b", s)]

    with writer.app_context():
        db.session.execute(update(Category).values(name="Przyroda w mieście").where(Category.id == category.id))
        db.session.commit()
    assert "Nasadzenia" not in page.get("/ideas?q=zieleni&sort=oldest").get_data(as_text=True)
    assert "Nasadzenia" in page.get("/ideas?q=przyrody").get_data(as_text=True)


def test_the_official_answer_is_searched_and_followed(app, make):
    idea = make.idea(title="Bocznica kolejowa", description="Przywrócić ruch pasażerski.")
    with app.app_context():
        assert titles_for("autobusowa") == []
        answer = IdeaAnswer(idea_id=idea.id, result_status="not_pursued",
                            answer="W zamian proponujemy linię autobusową.")  # fmt: skip
        db.session.add(answer)
        db.session.commit()
        assert titles_for("autobusowa") == ["Bocznica kolejowa"]
        db.session.get(IdeaAnswer, answer.id).answer = "Zamiast tego: rowery miejskie."
        db.session.commit()
        assert titles_for("autobusowa") == []
        assert titles_for("rowerami") == ["Bocznica kolejowa"]
        db.session.delete(db.session.get(IdeaAnswer, answer.id))
        db.session.commit()
        assert titles_for("rower") == []


def test_municipality_is_not_searched(app, make):
    # The author's municipality is personal data: never shown, never searched.
    make.idea(title="Ławki", municipality="Kleszczów", description="Więcej ławek w parku.")
    with app.app_context():
        assert titles_for("Kleszczów") == []


def test_results_show_a_highlighted_escaped_snippet_and_a_polish_count(client, make):
    make.idea(title="Magazyn", description="<script>alert(1)</script> Magazyn energii "
              "obok <b>szkoły</b> &amp; przedszkola.")  # fmt: skip
    html = client.get("/ideas", query_string={"q": "energia szkoła"}).get_data(as_text=True)
    assert "Znaleziono 1 pomysł dla „energia szkoła”" in html
    assert "<mark>energii</mark>" in html and "<mark>szkoły</mark>" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)" in html
    assert "&amp;amp;" in html  # the text's own "&amp;", escaped once
    html = client.get("/ideas", query_string={"q": "<img src=x onerror=alert(1)>"}).get_data(
        as_text=True
    )
    assert "<img src=x" not in html


@pytest.mark.parametrize(("count", "words"), [(1, "pomysł"), (3, "pomysły"), (5, "pomysłów"),
                                               (12, "pomysłów"), (22, "pomysły")])  # fmt: skip
def test_the_count_has_the_polish_plural_form(client, make, count, words):
    process, category = make.process(), make.category()
    for n in range(count):
        make.idea(title=f"Rower {n}", process_id=process.id, category_id=category.id)
    html = client.get("/ideas?q=rowery").get_data(as_text=True)
    assert f"Znaleziono {count} {words} dla „rowery”" in html


def test_empty_results_name_the_words_widen_and_offer_the_form(client, make):
    category = make.category(slug="energia")
    make.idea(title="Kolej na wodór do Bełchatowa", description="Pociągi co godzinę.")
    response = client.get("/ideas", query_string={"q": "kolej na wodór", "category": "energia"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and category.id
    assert "Nic nie znaleziono dla „kolej na wodór”" in html
    assert "<strong>kolej</strong>, <strong>wodór</strong>" in html
    wider = re.search(r'href="([^"]+)">Szukaj we wszystkich pomysłach', html).group(1)
    assert parse_qs(urlsplit(wider.replace("&amp;", "&")).query) == {"q": ["kolej na wodór"]}
    assert "Kolej na wodór do Bełchatowa" in client.get(wider.replace("&amp;", "&")).get_data(
        as_text=True
    )
    offer = re.search(r'href="([^"]+)">Zgłoś taki pomysł', html).group(1)
    form = client.get(offer.replace("&amp;", "&")).get_data(as_text=True)
    assert re.search(r'name="title"[^>]*value="kolej na wodór"', form) or re.search(
        r'value="kolej na wodór"[^>]*name="title"', form
    )


def test_similar_ideas_find_the_same_thing_in_other_words(app, client, make, demo):
    make.idea(title="Fotowoltaika na hałdzie", description="Panele słoneczne na starej hałdzie.")
    with app.app_context():
        titles = [i.title for i in similar_ideas("Farma fotowoltaiczna na zwałowisku")]
    assert "Fotowoltaika na hałdzie" in titles
    listed = client.get("/ideas/similar", query_string={"title": "Fotowoltaika na hałdzie"})
    assert "Farma fotowoltaiczna na zwałowisku" in [i["title"] for i in listed.get_json()["items"]]
    listed = client.get("/ideas/similar", query_string={"title": "Opery w kopalniach"})
    assert "Opera na odkrywce" in [i["title"] for i in listed.get_json()["items"]]


def test_api_csv_and_feed_use_the_same_search(client, demo):
    html = client.get("/ideas", query_string={"q": "kopalnią"}).get_data(as_text=True)
    shown = set(re.findall(r'<h3 class="h5 card-title"><a href="[^"]+">([^<]+)</a>', html))
    expected = {TITLES[key] for key in EXPECTED["kopalnią"]}
    assert shown == expected
    api = client.get("/api/v1/ideas", query_string={"q": "kopalnią"}).get_json()
    assert {item["title"] for item in api["items"]} == expected
    csv_text = client.get("/export/ideas.csv", query_string={"q": "kopalnią"}).get_data(
        as_text=True
    )
    assert {title for title in TITLES.values() if title in csv_text} == expected
    feed = client.get("/feeds/ideas.atom", query_string={"q": "kopalnią"}).get_data(as_text=True)
    assert {title for title in TITLES.values() if f"<title>{title}</title>" in feed} == expected
    assert client.get("/feeds/ideas.atom?status=nonsense").status_code == 400


BAD_QUERIES = ["\x00", "kopalnią\x00", '"kopalni', "kopalni*", "NEAR(kopalnia energia)",
               "energia OR x", "facets : c1", "{search_title}: x", "ą" * 10_000,
               "kopalnią " * 2000, "'; --", "łódź:*", "\u0301\u0301", "ｋｏｐａｌｎｉａ",
               "ß" * 500, "x" * 10_000]  # fmt: skip


def test_bad_input_is_answered_on_every_search_path(client, demo):
    # Every query on every path, on one loaded demo; all failures are named.
    failures = []
    for query in BAD_QUERIES:
        for url in ("/ideas", "/api/v1/ideas", "/export/ideas.csv", "/feeds/ideas.atom",
                    "/ideas/similar"):  # fmt: skip
            response = client.get(url, query_string={"q": query, "title": query})
            if response.status_code != 200:
                failures.append((url, query[:40], response.status_code))
    assert len(BAD_QUERIES) == 16
    assert not failures, failures


def test_reindex_command_rebuilds_the_words_in_batches(app, runner, demo):
    with app.app_context():
        expected = {i.id: i.search_text for i in db.session.scalars(select(Idea))}
        db.session.execute(update(Idea).values(search_text="x", search_title="x"))
        db.session.commit()
        assert titles_for("kopalni") == []
    result = runner.invoke(args=["search", "reindex", "--batch-size", "3"])
    assert result.exit_code == 0, result.output
    assert f"Reindexed {len(expected)} ideas." in result.output
    with app.app_context():
        assert {i.id: i.search_text for i in db.session.scalars(select(Idea))} == expected
        assert sorted(titles_for("kopalni")) == sorted(TITLES[k] for k in EXPECTED["kopalni"])


def test_lemmas_are_folded_and_cached():
    assert "kopalnia" in lemmas("kopalni")
    assert lemmas("kopalnią") == ()  # folded, it is its own lemma
    assert lemmas("łąkę") == ("laka",)
    assert lemmas("x" * 100) == ()
    lemmas.cache_clear()
    lemmas("energii")
    lemmas("energii")
    assert lemmas.cache_info().hits == 1
