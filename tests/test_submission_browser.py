"""The form in a real browser: similar ideas while typing, accessibility."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.models import OutboxMessage
from tests.browser_support import axe_violations
from tests.submission_support import DESCRIPTION, link_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_typing_a_title_lists_similar_published_ideas_in_a_live_region(
    live_server, make, browser_page
):
    process = make.process()
    category = make.category()
    idea = make.idea(
        title="Ścieżka rowerowa wokół jeziora", process_id=process.id, category_id=category.id
    )
    page = browser_page
    page.goto(f"{live_server.url}/ideas/new")
    region = page.locator("#similar-ideas")
    assert region.get_attribute("aria-live") == "polite"
    page.fill("#title", "rowerowa ścieżka")
    link = region.get_by_role("link", name=re.compile("Ścieżka rowerowa wokół jeziora"))
    link.wait_for()
    assert link.get_attribute("href").startswith(f"/ideas/{idea.id}")
    page.fill("#title", "")
    from playwright.sync_api import expect

    expect(region.locator("a")).to_have_count(0)


def test_form_and_its_errors_pass_axe(live_server, make, browser_page):
    make.process()
    make.category(name="Energia i klimat")
    page = browser_page
    page.goto(f"{live_server.url}/ideas/new")
    assert axe_violations(page) == []
    page.fill("#title", "Abc")
    page.click("form.idea-form button[type=submit]")
    page.wait_for_selector("#error-summary")
    assert page.locator("#title").input_value() == "Abc"
    assert axe_violations(page) == []


def test_whole_path_in_the_browser_passes_axe(live_server, app, make, browser_page):
    make.process()
    make.category(name="Energia i klimat")
    page = browser_page
    page.goto(f"{live_server.url}/ideas/new")
    page.fill("#title", "Ścieżka rowerowa wokół jeziora")
    page.fill("#description", DESCRIPTION)
    page.select_option("#category", label="Energia i klimat")
    page.fill("#author_name", "Anna Kowalska")
    page.fill("#email", "anna@example.org")
    page.check("#consent")
    page.click("form.idea-form button[type=submit]")
    page.wait_for_url("**/ideas/sent")
    assert axe_violations(page) == []
    with app.app_context():
        body = db.session.query(OutboxMessage.body_text).scalar()
    page.goto(live_server.url + link_in(body, "confirm"))
    assert axe_violations(page) == []
    page.get_by_role("link", name="Przejdź do strony pomysłu").click()
    page.wait_for_url("**/ideas/track/**")
    assert "Czeka na moderację" in page.content()
    assert axe_violations(page) == []
    for path in ("edit", "withdraw", "erase"):
        page.goto(page.url.split("/ideas/track/")[0] + "/ideas/track/" + _token(page) + "/" + path)
        assert axe_violations(page) == [], path


def _token(page) -> str:
    return re.search(r"/ideas/track/([^/]+)", page.url).group(1)


def test_a_file_over_the_limit_is_refused_in_the_browser_before_sending(
    live_server, app, make, browser_page
):
    make.process()
    make.category(name="Energia i klimat")
    page = browser_page
    page.goto(f"{live_server.url}/ideas/new")
    page.fill("#title", "Ścieżka rowerowa wokół jeziora")
    page.set_input_files(
        "#attachment",
        files=[{"name": "ogromne.jpg", "mimeType": "image/jpeg", "buffer": b"\0" * 12 * 2**20}],
    )
    message = page.locator("#attachment-size-error")
    from playwright.sync_api import expect

    expect(message).to_contain_text("Plik „ogromne.jpg” ma 12 MB")
    expect(message).to_contain_text("najwyżej 10 MB")
    assert message.get_attribute("aria-live") == "polite"
    field = page.locator("#attachment")
    assert field.get_attribute("aria-invalid") == "true"
    assert "attachment-size-error" in field.get_attribute("aria-describedby")
    assert field.evaluate("input => input.files.length") == 0
    assert page.locator("#title").input_value() == "Ścieżka rowerowa wokół jeziora"
    assert axe_violations(page) == []
    # A file within the limit clears the message.
    page.set_input_files(
        "#attachment",
        files=[
            {"name": "male.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff" + b"\0" * 10}
        ],
    )
    expect(message).to_have_text("")
    assert field.get_attribute("aria-invalid") is None
    with app.app_context():
        assert db.session.scalar(db.select(OutboxMessage.id)) is None
