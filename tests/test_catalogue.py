"""The public idea catalogue (/ideas) and one idea's page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Idea, IdeaAnswer, IdeaStatus, utcnow


def titles(response) -> list[str]:
    """Idea titles on a catalogue page, in order."""
    html = response.get_data(as_text=True)
    return re.findall(r'<h3 class="h5 card-title"><a href="[^"]+">([^<]+)</a>', html)


@pytest.fixture
def world(make):
    """Two consultations, categories, a workshop and ideas from every source."""
    process = make.process(slug="transformacja", title="Transformacja regionu")
    other = make.process(slug="inne", title="Inne konsultacje")
    energy = make.category(slug="energia", name="Energia")
    culture = make.category(slug="kultura", name="Kultura")
    workshop = make.workshop(
        process_id=process.id, slug="warsztat-belchatow", title="Warsztat w Bełchatowie"
    )
    now = utcnow()
    ideas = {
        "farm": make.idea(
            title="Farma fotowoltaiczna na zwałowisku",
            process_id=process.id,
            category_id=energy.id,
            supports_count=30,
            published_at=now - timedelta(days=3),
            result_status="accepted",
        ),
        "opera": make.idea(
            title="Opera na odkrywce",
            process_id=process.id,
            category_id=culture.id,
            supports_count=5,
            published_at=now - timedelta(days=1),
        ),
        "wind": make.idea(
            title="Wiatraki w Łodzi",
            process_id=other.id,
            category_id=energy.id,
            supports_count=12,
            published_at=now - timedelta(days=5),
            source="staff",
        ),
        "group": make.idea(
            title="Żółwie ścieżki dla seniorów",
            process_id=process.id,
            category_id=culture.id,
            source="workshop",
            workshop_id=workshop.id,
            supports_count=0,
            published_at=now - timedelta(days=2),
        ),
        "hidden": make.idea(
            status=IdeaStatus.AWAITING_REVIEW,
            title="Opera ukryta w poczekalni",
            process_id=process.id,
            category_id=culture.id,
        ),
    }
    return {"process": process, "other": other, "workshop": workshop, **ideas}


def test_catalogue_lists_published_ideas_newest_first(client, world):
    response = client.get("/ideas")
    assert response.status_code == 200
    assert titles(response) == [
        "Opera na odkrywce",
        "Żółwie ścieżki dla seniorów",
        "Farma fotowoltaiczna na zwałowisku",
        "Wiatraki w Łodzi",
    ]


def test_catalogue_never_lists_unpublished_ideas(client, world):
    assert "Opera ukryta" not in client.get("/ideas?q=opera").get_data(as_text=True)
    assert "Opera ukryta" not in client.get("/ideas").get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("category=energia", ["Farma fotowoltaiczna na zwałowisku", "Wiatraki w Łodzi"]),
        ("status=accepted", ["Farma fotowoltaiczna na zwałowisku"]),
        ("source=workshop", ["Żółwie ścieżki dla seniorów"]),
        ("source=staff", ["Wiatraki w Łodzi"]),
        ("workshop=warsztat-belchatow", ["Żółwie ścieżki dla seniorów"]),
        ("process=inne", ["Wiatraki w Łodzi"]),
        (
            "process=transformacja&category=kultura",
            ["Opera na odkrywce", "Żółwie ścieżki dla seniorów"],
        ),
        ("q=lodz", ["Wiatraki w Łodzi"]),
        ("q=zolw&source=workshop", ["Żółwie ścieżki dla seniorów"]),
        ("q=zolw&source=form", []),
    ],
)
def test_each_filter_narrows_the_catalogue(client, world, query, expected):
    response = client.get(f"/ideas?{query}")
    assert response.status_code == 200
    assert titles(response) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("newest", ["Opera na odkrywce", "Żółwie ścieżki dla seniorów", "Farma fotowoltaiczna na zwałowisku", "Wiatraki w Łodzi"]),
        ("oldest", ["Wiatraki w Łodzi", "Farma fotowoltaiczna na zwałowisku", "Żółwie ścieżki dla seniorów", "Opera na odkrywce"]),
        ("supports", ["Farma fotowoltaiczna na zwałowisku", "Wiatraki w Łodzi", "Opera na odkrywce", "Żółwie ścieżki dla seniorów"]),
    ],
)  # fmt: skip
def test_catalogue_sorts(client, world, sort, expected):
    assert titles(client.get(f"/ideas?sort={sort}")) == expected


@pytest.mark.parametrize(
    "query",
    ["category=nie-ma", "status=cudowny", "source=poczta", "workshop=nie-ma", "process=nie-ma",
     "sort=losowo", "page=-1", "page=abc", "page=0", "page=99999999999999999999"],
)  # fmt: skip
def test_bad_filters_and_pages_are_a_400_page_not_an_error(client, world, query):
    response = client.get(f"/ideas?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'role="alert"' in html
    assert "<h1>" in html


@pytest.mark.parametrize("page", ["²", "①", "٣", "３"])
def test_unicode_digits_in_the_page_are_a_400_with_a_clear_message(client, world, page):
    response = client.get("/ideas", query_string={"page": page})
    assert response.status_code == 400
    assert "cyframi 0–9" in response.get_data(as_text=True)


def test_page_beyond_the_last_is_an_empty_page_with_a_way_back(client, world):
    response = client.get("/ideas?page=50")
    assert response.status_code == 200
    assert titles(response) == []
    assert "Wróć do pierwszej strony" in response.get_data(as_text=True)


def test_catalogue_pages_by_twenty(client, make):
    process = make.process()
    category = make.category()
    for n in range(45):
        make.idea(title=f"Pomysł seryjny {n:02d}", process_id=process.id, category_id=category.id,
                  published_at=utcnow() - timedelta(minutes=n))  # fmt: skip
    first = titles(client.get("/ideas"))
    third = titles(client.get("/ideas?page=3"))
    assert len(first) == 20
    assert first[0] == "Pomysł seryjny 00"
    assert third == [f"Pomysł seryjny {n}" for n in range(40, 45)]
    html = client.get("/ideas?page=2").get_data(as_text=True)
    assert 'rel="prev"' in html and 'rel="next"' in html


def test_pagination_links_keep_the_filters(client, make):
    process = make.process()
    category = make.category(slug="woda")
    for n in range(21):
        make.idea(title=f"Retencja wody {n}", process_id=process.id, category_id=category.id)
    html = client.get("/ideas?q=retencja&category=woda").get_data(as_text=True)
    assert re.search(r'href="/ideas\?[^"]*page=2', html)
    link = re.search(r'href="(/ideas\?[^"]*page=2[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "q=retencja" in link and "category=woda" in link


def test_idea_page_shows_text_category_origin_and_supports(client, world):
    idea = world["group"]
    response = client.get(f"/ideas/{idea.id}-{idea.slug}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Żółwie ścieżki dla seniorów" in html
    assert "Kultura" in html
    assert "Warsztat w Bełchatowie" in html
    assert 'name="email"' in html
    assert f'action="/ideas/{idea.id}/support"' in html


def test_idea_page_works_with_and_without_slug(client, world):
    idea = world["opera"]
    assert client.get(f"/ideas/{idea.id}").status_code == 200
    assert client.get(f"/ideas/{idea.id}-{idea.slug}").status_code == 200
    wrong = client.get(f"/ideas/{idea.id}-zly-adres")
    assert wrong.status_code == 301
    assert wrong.headers["Location"].endswith(f"/ideas/{idea.id}-{idea.slug}")


def test_idea_page_has_canonical_and_opengraph_tags(client, world):
    idea = world["opera"]
    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    canonical = f"http://odkrywka.test/ideas/{idea.id}-{idea.slug}"
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert f'<meta property="og:url" content="{canonical}">' in html
    assert '<meta property="og:title" content="Opera na odkrywce">' in html


@pytest.mark.parametrize(
    "status",
    [IdeaStatus.UNCONFIRMED, IdeaStatus.AWAITING_REVIEW, IdeaStatus.CHANGES_REQUESTED,
     IdeaStatus.REJECTED, IdeaStatus.HIDDEN, IdeaStatus.WITHDRAWN],
)  # fmt: skip
def test_unpublished_idea_page_is_404(client, make, status):
    idea = make.idea(status=status)
    assert client.get(f"/ideas/{idea.id}").status_code == 404
    assert client.get(f"/ideas/{idea.id}-{idea.slug}").status_code == 404


def test_missing_idea_is_404(client, app):
    assert client.get("/ideas/987654").status_code == 404


def test_merged_idea_redirects_permanently_to_its_target(client, make):
    target = make.idea(title="Wspólny pomysł na park")
    merged = make.idea(status=IdeaStatus.MERGED, merged_into_id=target.id)
    response = client.get(f"/ideas/{merged.id}")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/ideas/{target.id}-{target.slug}")


def test_merged_into_an_unpublished_idea_is_404(client, make):
    target = make.idea(status=IdeaStatus.HIDDEN)
    merged = make.idea(status=IdeaStatus.MERGED, merged_into_id=target.id)
    assert client.get(f"/ideas/{merged.id}").status_code == 404


def test_author_name_is_shown_only_with_consent(client, make):
    shown = make.idea(author_name="Janina Jawna", show_author_name=True)
    kept = make.idea(author_name="Piotr Prywatny", show_author_name=False)
    assert "Janina Jawna" in client.get(f"/ideas/{shown.id}").get_data(as_text=True)
    html = client.get(f"/ideas/{kept.id}").get_data(as_text=True)
    assert "Piotr Prywatny" not in html


def test_public_pages_never_show_e_mail_addresses(client, make):
    idea = make.idea(email="sekretny.adres@example.org", author_name="Ala", show_author_name=True,
                     municipality="Tajemnicza Gmina")  # fmt: skip
    for url in (f"/ideas/{idea.id}", "/ideas", "/ideas?q=pomysl"):
        html = client.get(url).get_data(as_text=True)
        assert "sekretny.adres" not in html
        assert "Tajemnicza Gmina" not in html


def test_idea_page_shows_a_timeline_with_every_official_answer(client, app, make, world):
    idea = world["farm"]
    with app.app_context():
        db.session.add_all(
            [
                IdeaAnswer(
                    idea_id=idea.id,
                    result_status="under_analysis",
                    answer="Sprawdzamy **grunty**.",
                    progress=0,
                ),  # fmt: skip
                IdeaAnswer(
                    idea_id=idea.id,
                    result_status="in_progress",
                    answer="Budowa ruszyła. <script>alert(1)</script>",
                    progress=40,
                ),  # fmt: skip
            ]
        )
        db.session.commit()
    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Opublikowany" in html
    assert "W analizie" in html
    assert "<strong>grunty</strong>" in html
    assert "W realizacji" in html
    assert '<progress id="progress-' in html and 'value="40"' in html
    assert "<script>alert(1)</script>" not in html


def test_report_form_appears_on_a_published_idea(client, world):
    idea = world["opera"]
    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert f'action="/ideas/{idea.id}/report"' in html
    assert 'name="reason"' in html


def test_search_text_follows_a_moderators_title_edit(client, app, make):
    idea = make.idea(title="Stary tytuł pomysłu", description="Zwykły opis bez niespodzianek.")
    with app.app_context():
        row = db.session.get(Idea, idea.id)
        row.title = "Łąka kwietna przy szkole"
        db.session.commit()
    assert titles(client.get("/ideas?q=laka")) == ["Łąka kwietna przy szkole"]
    assert titles(client.get("/ideas?q=stary")) == []


@pytest.mark.parametrize("idea_id", [2**31, 2**63, 10**30])
def test_ids_beyond_the_database_range_are_404(client, app, idea_id):
    assert client.get(f"/ideas/{idea_id}").status_code == 404
    assert (
        client.post(f"/ideas/{idea_id}/support", data={"email": "a@example.org"}).status_code == 404
    )
    assert client.get(f"/api/v1/ideas/{idea_id}").status_code == 404
