"""The catalogue, idea page, results and API docs in a real browser: axe-core
finds nothing (also with form errors), and everything works without JavaScript."""

from __future__ import annotations

import pytest

from tests.browser_support import (
    demo_targets,
    describe_violations,
    load_demo,
    open_browser,
    require_chromium,
    run_axe,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_catalogue_pages_pass_axe_in_every_state(app, make, live_server):
    require_chromium()
    load_demo(app)
    targets = demo_targets(app, make)
    idea = targets["idea"]
    base = live_server.url
    pages = [
        ("catalogue", "/ideas", 200),
        (
            "search with filters",
            f"/ideas?q=odkryw&category={targets['category']}&sort=supports",
            200,
        ),
        ("search without results", "/ideas?q=zzzzzz", 200),
        ("unknown filter", "/ideas?status=cudowny", 400),
        ("page past the end", "/ideas?page=99", 200),
        ("idea", f"/ideas/{idea}", 200),
        ("results", "/results", 200),
        ("results of one consultation", f"/results?process={targets['process']}", 200),
        ("unknown consultation on results", "/results?process=nie-ma", 400),
        ("open data", "/api/v1/", 200),
        ("dead support link", "/supports/confirm/nie-ma", 404),
    ]
    problems = []
    with open_browser(base) as browser:
        for label, path, status in pages:
            browser.goto(base + path, status=status)
            violations = run_axe(browser.page)
            if violations:
                problems.append(describe_violations(label, path, violations))
        # The support form sent with a bad address: summary and field error.
        page = browser.page
        browser.goto(f"{base}/ideas/{idea}")
        page.fill("#email", "to-nie-adres")
        page.click("#poparcie button[type=submit]")
        page.wait_for_selector("#error-summary")
        assert page.get_attribute("#email", "aria-invalid") == "true"
        violations = run_axe(page)
        if violations:
            problems.append(
                describe_violations("support form with errors", f"/ideas/{idea}", violations)
            )
        assert not browser.foreign_requests, browser.foreign_requests
    assert not problems, "\n\n".join(problems)


def test_search_support_and_charts_work_without_javascript(app, make, live_server):
    require_chromium()
    load_demo(app)
    base = live_server.url
    with open_browser(base, javascript=False) as browser:
        page = browser.page
        browser.goto(base + "/ideas")
        page.fill("#q", "odkryw")
        page.click("form[role=search] button[type=submit]")
        page.wait_for_load_state("load")
        titles = page.locator("main .card-title").all_inner_texts()
        assert titles and all("odkryw" in t.lower() for t in titles), titles
        page.locator("main .card-title a").first.click()
        page.wait_for_load_state("load")
        page.fill("#email", "czytelniczka@example.org")
        page.click("#poparcie button[type=submit]")
        page.wait_for_load_state("load")
        assert "Sprawdź skrzynkę" in page.inner_text("main")
        assert "czytelniczka@example.org" not in page.content()
        browser.goto(base + "/results")
        assert page.locator("figure.chart :is(.bar-chart, .time-chart)").count() >= 6
        assert page.locator("figure.chart table").count() >= 6


def test_the_support_button_is_disabled_once_the_request_is_sent(live_server, make, browser_page):
    idea = make.idea()
    page = browser_page
    page.goto(f"{live_server.url}/ideas/{idea.id}")
    page.fill("#email", "ola@example.org")
    # A listener after the page's own one notes whether each submit would
    # still be sent, and keeps the page here so its state can be read.
    result = page.evaluate(
        """async () => {
            const form = document.querySelector('#poparcie form');
            const button = form.querySelector('button[type=submit]');
            const sent = [];
            form.addEventListener('submit', event => {
                sent.push(!event.defaultPrevented);
                event.preventDefault();
            });
            button.click();
            await new Promise(resolve => setTimeout(resolve, 50));
            const after = [button.disabled, button.textContent];
            form.requestSubmit();
            return {after, sent};
        }"""
    )
    assert result["after"] == [True, "Wysyłanie…"]
    assert result["sent"] == [True, False]


def test_a_refused_support_stays_at_the_idea_address_with_the_error_at_the_field(
    live_server, make, browser_page
):
    idea = make.idea()
    page = browser_page
    page.goto(f"{live_server.url}/ideas/{idea.id}")
    page.fill("#email", "ola@example")
    page.click("#poparcie button[type=submit]")
    page.wait_for_selector("#email-error")
    assert "/support" not in page.url
    assert page.url.endswith(f"/ideas/{idea.id}-{idea.slug}#poparcie")
    assert page.locator("#email").input_value() == "ola@example"
    assert page.locator("#poparcie button[type=submit]").is_enabled()
    assert run_axe(page) == []


def test_on_a_phone_the_support_button_is_near_the_top_of_the_idea_page(
    live_server, make, browser_page
):
    idea = make.idea(description="Długi opis pomysłu. " * 120)
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/ideas/{idea.id}")
    box = page.locator("#poparcie button[type=submit]").bounding_box()
    assert box is not None and box["y"] < 700, box
    assert run_axe(page) == []
    page.goto(f"{live_server.url}/ideas/new")
    tips = page.get_by_role("heading", name="Zanim wyślesz")
    form = page.locator("form.idea-form")
    assert tips.bounding_box()["y"] < form.bounding_box()["y"]
    assert run_axe(page) == []
