"""Moderation in a real browser: axe-core finds nothing on the pages, the
reply-template picker and the decision form work with JavaScript and
without it."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import IdeaStatus, ReplyTemplate
from tests.browser_support import describe_violations, open_browser, run_axe, sign_in
from tests.factories import Factory
from tests.moderation_support import add_event, add_report, events_of

pytestmark = [pytest.mark.browser, pytest.mark.slow]

S = IdeaStatus
TEMPLATE_TEXT = "Prosimy dopisać, w której gminie pomysł miałby powstać."


@pytest.fixture
def scene(app, make):
    """A moderator, an admin, reply templates and ideas in every queue."""
    with app.app_context():
        db.session.add(
            ReplyTemplate(title="Brak miejsca", action="request_changes", body=TEMPLATE_TEXT)
        )
        db.session.add(ReplyTemplate(title="Poza tematem", action="reject", body="Poza tematem."))
        db.session.commit()
    target = make.idea(status=S.PUBLISHED, title="Jezioro w wyrobisku z plażą")
    waiting = make.idea(status=S.AWAITING_REVIEW, title="Plaża nad nowym jeziorem")
    other = make.idea(status=S.AWAITING_REVIEW, title="Ławki solarne")
    revised = make.idea(status=S.AWAITING_REVIEW, title="Poprawiony pomysł")
    add_event(app, revised.id, "author_revised", actor_label="author")
    add_report(app, target.id)
    return {
        "moderator": make.user(role="moderator"),
        "admin": make.user(role="admin"),
        "target": target,
        "waiting": waiting,
        "other": other,
    }


def test_moderation_pages_have_no_accessibility_violations(app, live_server, scene):
    base = live_server.url
    pages = [
        ("queue", "/staff/moderation"),
        ("reported", "/staff/moderation?tab=reported"),
        ("review", f"/staff/ideas/{scene['waiting'].id}"),
        ("review of a reported idea", f"/staff/ideas/{scene['target'].id}"),
        ("templates", "/staff/moderation/templates"),
        ("new template", "/staff/moderation/templates/new"),
        ("answers", "/staff/ideas"),
        ("report form", f"/ideas/{scene['target'].id}/report"),
    ]
    with open_browser(base) as browser:
        sign_in(browser, base, scene["admin"].email, Factory.PASSWORD)
        pages.append(("audit log", "/staff/audit"))
        problems = []
        for label, path in pages:
            browser.goto(base + path)
            violations = run_axe(browser.page)
            if violations:
                problems.append(describe_violations(label, path, violations))
        # The decision form re-rendered with errors, too.
        browser.goto(f"{base}/staff/ideas/{scene['waiting'].id}")
        browser.page.check("input[name=action][value=reject]")
        browser.page.click(".decision-form button[type=submit]")
        browser.page.wait_for_load_state("load")
        assert browser.page.locator("#error-summary").count() == 1
        violations = run_axe(browser.page)
        if violations:
            problems.append(describe_violations("decision errors", "decision", violations))
        assert not browser.foreign_requests
    assert not problems, "\n".join(problems)


def test_a_chosen_template_fills_the_reason_and_the_decision_goes_through(app, live_server, scene):
    base = live_server.url
    idea = scene["waiting"]
    with open_browser(base) as browser:
        sign_in(browser, base, scene["moderator"].email, Factory.PASSWORD)
        page = browser.page
        browser.goto(f"{base}/staff/ideas/{idea.id}")
        assert page.locator("[data-decision-for=merge]").is_hidden()
        page.check("input[name=action][value=merge]")
        assert page.locator("[data-decision-for=merge]").is_visible()
        assert page.locator("[data-decision-for=publish]").is_hidden()
        page.check("input[name=action][value=request_changes]")
        page.select_option("[data-reply-template]", label="Brak miejsca")
        assert page.input_value("textarea[name=reason]") == TEMPLATE_TEXT
        # A typed reason is never overwritten by another template.
        page.fill("textarea[name=reason]", "Własne słowa moderatora.")
        page.select_option("[data-reply-template]", label="Poza tematem")
        assert page.input_value("textarea[name=reason]") == "Własne słowa moderatora."
        page.click(".decision-form button[type=submit]")
        page.wait_for_load_state("load")
        assert page.url.endswith("/staff/moderation")
        assert "Poproszono autora o zmiany." in page.inner_text("main")
    assert events_of(app, idea.id)[-1].message == "Własne słowa moderatora."


def test_without_javascript_the_template_text_is_used_and_bulk_works(app, live_server, scene):
    base = live_server.url
    with open_browser(base, javascript=False) as browser:
        sign_in(browser, base, scene["moderator"].email, Factory.PASSWORD)
        page = browser.page
        browser.goto(f"{base}/staff/ideas/{scene['waiting'].id}")
        page.check("input[name=action][value=request_changes]")
        page.select_option("[data-reply-template]", label="Brak miejsca")
        assert page.input_value("textarea[name=reason]") == ""
        page.click(".decision-form button[type=submit]")
        page.wait_for_load_state("load")
        assert "Poproszono autora o zmiany." in page.inner_text("main")

        browser.goto(f"{base}/staff/moderation")
        page.check(f"#select-{scene['other'].id}")
        page.check("input[name=action][value=publish]")
        page.click(".bulk-actions button[type=submit]")
        page.wait_for_load_state("load")
        assert "Opublikowano 1" in page.inner_text("main")
    assert events_of(app, scene["waiting"].id)[-1].message == TEMPLATE_TEXT
    assert events_of(app, scene["other"].id)[-1].kind == "published"
