"""Article pages in a real browser: accessibility (axe-core) and the live preview."""

from __future__ import annotations

import pytest

from app.articles.covers import store_cover_bytes
from tests.articles_support import image_bytes, make_article
from tests.browser_support import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def browser_page(browser_page):
    # Nothing leaves the test machine (the video player included).
    browser_page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith("http://127.0.0.1")
            else route.abort()
        ),
    )
    return browser_page


def _content(app, make):
    process = make.process()
    workshop = make.workshop(process_id=process.id)
    idea = make.idea(process_id=process.id)
    with app.test_request_context():
        cover = store_cover_bytes(image_bytes())
    article = make_article(
        app,
        slug="relacja",
        title="Relacja z warsztatów",
        body="## Co się działo\n\nDużo **dobrych** pomysłów.\n\n- jeden\n- dwa",
        cover_key=cover.key,
        cover_widths=cover.widths,
        cover_alt="Zielone tło z bursztynowym znakiem",
        video_url="https://youtu.be/dQw4w9WgXcQ",
        tags=("warsztaty",),
        views=27690,
        process_id=process.id,
    )
    make_article(app, slug="inny", title="Drugi tekst", views=12)
    from app.extensions import db
    from app.models import Article, Idea, Workshop

    with app.app_context():
        stored = db.session.get(Article, article.id)
        stored.workshops.append(db.session.get(Workshop, workshop.id))
        stored.ideas.append(db.session.get(Idea, idea.id))
        db.session.commit()
    return article


def _sign_in(page, live_server, make, role: str = "editor") -> None:
    user = make.user(role=role)
    page.goto(f"{live_server.url}/staff/login")
    page.fill("#email", user.email)
    page.fill("#password", make.PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/staff/**")


@pytest.mark.parametrize("path", ["/articles", "/articles/relacja", "/tags/warsztaty"])
def test_public_article_pages_pass_axe(app, make, live_server, browser_page, path):
    _content(app, make)
    browser_page.goto(f"{live_server.url}{path}")
    assert axe_violations(browser_page) == []


def test_the_page_with_the_loaded_player_passes_axe(app, make, live_server, browser_page):
    _content(app, make)
    browser_page.goto(f"{live_server.url}/articles/relacja")
    browser_page.click("a.video-placeholder")
    browser_page.locator("iframe").wait_for(state="attached")
    assert axe_violations(browser_page) == []


def test_editor_pages_pass_axe(app, make, live_server, browser_page):
    article = _content(app, make)
    page = browser_page
    _sign_in(page, live_server, make)
    for path in (
        "/staff/articles/",
        "/staff/articles/new",
        f"/staff/articles/{article.id}/edit",
    ):
        page.goto(f"{live_server.url}{path}")
        assert axe_violations(page) == [], path
    # The form with its errors.
    page.goto(f"{live_server.url}/staff/articles/new")
    page.fill("#title", "Abc")
    page.fill("#video_url", "https://evil.example/film")
    page.click("#save")
    page.locator("#error-summary").wait_for()
    assert axe_violations(page) == []


def test_revision_pages_pass_axe(app, make, live_server, browser_page):
    page = browser_page
    _sign_in(page, live_server, make)
    page.goto(f"{live_server.url}/staff/articles/new")
    page.fill("#title", "Artykuł z historią")
    page.fill("#lead", "Wstęp.")
    page.fill("#body", "Pierwsza treść.")
    page.click("#save")
    page.wait_for_url("**/edit")
    page.fill("#body", "Druga treść.")
    page.click("#save")
    page.wait_for_url("**/edit")
    page.click("text=Historia zmian")
    assert axe_violations(page) == []
    page.click("text=Pokaż >> nth=1")
    page.wait_for_url("**/revisions/*")
    assert "Pierwsza treść." in page.content()
    assert axe_violations(page) == []


def test_the_live_preview_renders_while_typing(app, make, live_server, browser_page):
    page = browser_page
    _sign_in(page, live_server, make)
    page.goto(f"{live_server.url}/staff/articles/new")
    page.fill("#body", "## Podgląd na żywo\n\n<script>alert(1)</script> **gruby**")
    preview = page.locator("#live-preview")
    preview.locator("h2", has_text="Podgląd na żywo").wait_for()
    assert preview.locator("strong").inner_text() == "gruby"
    assert preview.locator("script").count() == 0
