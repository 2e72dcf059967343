"""The staff editors: a Markdown toolbar, the preview beside the text, related
ideas chosen by their titles (with and without JavaScript), minutes with a
live preview, and labels that read well."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.models import Article
from tests.browser_support import open_browser, sign_in
from tests.factories import Factory


def _article_form(**overrides):  # noqa: ANN003, ANN202
    data = {"title": "Artykuł o pomysłach", "lead": "Krótki wstęp artykułu.",
            "body": "Treść artykułu.", "ideas": ""}  # fmt: skip
    data.update(overrides)
    return data


def test_the_article_editor_has_a_toolbar_a_preview_beside_and_plain_labels(client, login):
    login("editor")
    page = client.get("/staff/articles/new").get_data(as_text=True)
    toolbar = page.split('class="md-toolbar', 1)[1].split("</div>", 1)[0]
    assert 'role="group"' in toolbar and 'data-markdown-for="body"' in toolbar
    for label in ("Pogrubienie", "Kursywa", "Śródtytuł", "Lista", "Cytat", "Link"):
        assert f">{label}</button>" in toolbar
    assert 'class="row g-4 editor-pair"' in page and 'class="col-lg-6"' in page
    assert "Przytniemy ją do proporcji 16:9" in page
    labels = re.findall(r'<label[^>]*>([^<]*)</label>(\s*<span[^>]*>\([^)]*\)</span>)?', page)
    for text, marker in labels:
        assert not (text.strip().endswith(")") and marker), text  # no "X (Markdown) (opcjonalnie)"


def test_related_ideas_are_found_by_title_without_polish_letters(client, login, make):
    login("editor")
    wanted = make.idea(title="Opera na odkrywce w Bełchatowie")
    make.idea(title="Ścieżka rowerowa")
    make.idea(title="Opera w szkicu", status="awaiting_review")  # not published
    found = client.get("/staff/articles/idea-search?q=opera belchatow").get_json()
    assert found == {"items": [{"id": wanted.id, "title": "Opera na odkrywce w Bełchatowie"}]}
    assert client.get(f"/staff/articles/idea-search?q={wanted.id}").get_json()["items"][0]["id"] == wanted.id
    assert client.get("/staff/articles/idea-search?q=").get_json() == {"items": []}


def test_without_javascript_the_search_button_lists_ideas_to_tick(app, client, login, make):
    login("editor")
    idea = make.idea(title="Zielona energia dla szkół")
    searched = client.post(
        "/staff/articles/new",
        data=_article_form(idea_query="zielona energia", find_ideas="Szukaj pomysłów"),
    )
    assert searched.status_code == 200
    page = searched.get_data(as_text=True)
    assert f'name="add_ideas" value="{idea.id}"' in page
    assert 'value="Artykuł o pomysłach"' in page  # what was typed stays
    assert make.count(Article) == 0  # searching saves nothing
    saved = client.post("/staff/articles/new", data=_article_form(add_ideas=str(idea.id)))
    assert saved.status_code == 303
    with app.app_context():
        from sqlalchemy import select

        from app.extensions import db

        article = db.session.scalars(select(Article)).one()
        assert [i.id for i in article.ideas] == [idea.id]


def test_minutes_have_a_live_preview(client, login, make):
    login("moderator")
    workshop = make.workshop()
    page = client.get(f"/staff/workshops/{workshop.id}").get_data(as_text=True)
    assert 'data-preview-url="/staff/workshops/minutes-preview"' in page
    assert 'data-markdown-for="minutes-minutes"' in page
    html = client.post("/staff/workshops/minutes-preview", data={"body": "## Wnioski\n\n> cytat"})
    assert html.get_json()["html"].startswith("<h3>Wnioski</h3>")
    assert "<blockquote>" in html.get_json()["html"]


def test_quotes_are_styled_in_articles(app):
    from pathlib import Path

    css = (Path(app.static_folder) / "css" / "articles.css").read_text()
    assert ".prose blockquote" in css


@pytest.mark.browser
@pytest.mark.slow
def test_editor_toolbar_preview_and_idea_search_in_the_browser(make, live_server):
    idea = make.idea(title="Kolej do Bełchatowa")
    user = make.user(role="editor")
    with open_browser(live_server.url) as browser:
        page = browser.page
        sign_in(browser, live_server.url, user.email, Factory.PASSWORD)
        browser.goto(f"{live_server.url}/staff/articles/new")
        page.set_viewport_size({"width": 1366, "height": 900})
        body = page.locator("#body")
        body.fill("ważne")
        body.select_text()
        page.get_by_role("button", name="Pogrubienie").click()
        assert body.input_value() == "**ważne**"
        expect(page.locator("#live-preview strong")).to_have_text("ważne", timeout=10_000)
        # Beside the text on a wide screen.
        text_box, preview_box = body.bounding_box(), page.locator("#live-preview").bounding_box()
        assert preview_box["x"] > text_box["x"] + text_box["width"] - 5
        assert not page.locator("#ideas").is_visible()  # the number list is kept for us
        page.fill("#idea_query", "kolej belchatow")
        page.get_by_role("button", name="Dodaj: Kolej do Bełchatowa").click()
        assert page.locator("#ideas").input_value() == str(idea.id)
        expect(page.locator("[data-chosen] li")).to_contain_text("Kolej do Bełchatowa")
