"""What staff write in Polish may have an English version: the English
interface shows it, or the Polish text marked lang="pl"; the Polish pages and
the API never show English."""

from __future__ import annotations

import pytest

from app.models import Article, Category, Process, Workshop, utcnow


def _english(client):  # noqa: ANN001, ANN202
    client.post("/language", data={"lang": "en", "next": "/"})
    return client


@pytest.fixture
def content(make):
    process = make.process(
        slug="energia", title="Nowa energia", lead="Wstęp po polsku", title_en="New energy",
        lead_en="An English lead", description="Opis **po polsku**.",
        description_en="A description in **English**.",
    )  # fmt: skip
    untranslated = make.category(slug="kultura", name="Kultura i turystyka")
    translated = make.category(slug="praca", name="Praca i gospodarka", name_en="Work and economy")
    workshop = make.workshop(
        process_id=process.id, title="Warsztaty o wodzie", title_en="Water workshop",
        programme="## Plan\n\nPowitanie", lead="Tylko po polsku",
    )  # fmt: skip
    make.idea(process_id=process.id, category_id=translated.id)
    make.idea(process_id=process.id, category_id=untranslated.id)
    article = make._save(
        Article(
            slug="artykul", title="Artykuł po polsku", lead="Wstęp artykułu", body="Treść.\n",
            title_en="An English article", body_en="English body.\n", status="published",
            published_at=utcnow(),
        )
    )  # fmt: skip
    return process, workshop, article


def test_english_interface_shows_english_versions_and_marks_polish_fallbacks(client, content):
    process, workshop, article = content
    polish = client.application.test_client().get("/ideas?page=2").get_data(as_text=True)
    assert ">Praca i gospodarka</option>" in polish  # the worker keeps the Polish options
    _english(client)
    page = client.get(f"/processes/{process.slug}").get_data(as_text=True)
    assert "<h1>New energy</h1>" in page and "An English lead" in page
    assert "<strong>English</strong>" in page and "po polsku**" not in page

    page = client.get(f"/workshops/{workshop.slug}").get_data(as_text=True)
    assert "<h1>Water workshop</h1>" in page
    assert '<span lang="pl">Tylko po polsku</span>' in page  # no English lead: marked
    assert '<div class="prose" lang="pl">' in page  # the programme too

    page = client.get("/ideas").get_data(as_text=True)
    assert ">Work and economy</option>" in page
    assert 'lang="pl">Kultura i turystyka</option>' in page

    page = client.get(f"/articles/{article.slug}").get_data(as_text=True)
    assert "<h1>An English article</h1>" in page and "English body." in page
    assert '<span lang="pl">Wstęp artykułu</span>' in page


def test_polish_pages_and_the_api_never_show_english(client, content):
    process, workshop, article = content
    for path in (f"/processes/{process.slug}", f"/workshops/{workshop.slug}", "/ideas",
                 f"/articles/{article.slug}", "/api/v1/ideas", "/api/v1/workshops",
                 "/api/v1/articles", "/api/v1/"):  # fmt: skip
        page = client.get(path).get_data(as_text=True)
        for english in ("New energy", "Water workshop", "Work and economy", "An English"):
            assert english not in page, (path, english)
    docs = client.get("/api/v1/").get_data(as_text=True)
    assert "Jeden opublikowany pomysł" in docs and "One published idea" not in docs
    _english(client)
    # The API is the same in either language.
    assert "New energy" not in client.get("/api/v1/ideas").get_data(as_text=True)
    assert "One published idea" in client.get("/api/v1/").get_data(as_text=True)


def test_staff_forms_save_the_english_versions(app, client, make, login):
    login("admin")
    process = make.process()
    response = client.post(
        f"/staff/processes/{process.id}",
        data={"title": "Konsultacje", "title_en": "Consultation", "lead_en": "Lead",
              "description_en": "Text"},
    )  # fmt: skip
    assert response.status_code in (302, 303)
    saved = make.get(Process, process.id)
    assert (saved.title_en, saved.lead_en, saved.description_en) == ("Consultation", "Lead", "Text")
    response = client.post(
        "/staff/categories/new", data={"name": "Energia", "name_en": "Energy", "position": "0"}
    )
    assert response.status_code in (302, 303)
    with app.app_context():
        from sqlalchemy import select

        from app.extensions import db

        assert db.session.scalar(select(Category.name_en).where(Category.name == "Energia")) == "Energy"
    workshop = make.workshop(process_id=process.id)
    form = client.get(f"/staff/workshops/{workshop.id}/edit").get_data(as_text=True)
    assert 'name="title_en"' in form and 'name="programme_en"' in form
    assert make.get(Workshop, workshop.id).title_en == ""
