"""WCAG 2.1 A and AA: axe-core finds nothing on any public page or the main
staff pages, in headless Chromium, with the demo consultation loaded."""

from __future__ import annotations

import pytest

from tests.browser_support import (
    demo_targets,
    describe_violations,
    load_demo,
    open_browser,
    public_pages,
    require_chromium,
    run_axe,
    sign_in,
    staff_pages,
)
from tests.factories import Factory

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def check_pages(browser, base_url: str, pages) -> list[str]:  # noqa: ANN001
    problems = []
    for label, path in pages:
        browser.goto(base_url + path)
        violations = run_axe(browser.page)
        if violations:
            problems.append(describe_violations(label, path, violations))
    return problems


def test_every_public_page_passes_axe(app, make, live_server):
    require_chromium()
    load_demo(app)
    targets = demo_targets(app, make)
    pages, missing = public_pages(targets)
    with open_browser(live_server.url) as browser:
        problems = check_pages(browser, live_server.url, pages)
        browser.goto(live_server.url + "/no-such-page", status=404)
        violations = run_axe(browser.page)
        if violations:
            problems.append(describe_violations("404 page", "/no-such-page", violations))
        assert not browser.foreign_requests, browser.foreign_requests
    assert not missing, f"the demo has no page for: {', '.join(missing)}"
    assert not problems, "\n\n".join(problems)


def test_forms_showing_errors_pass_axe(app, make, live_server):
    require_chromium()
    load_demo(app)
    targets = demo_targets(app, make)
    base = live_server.url
    problems = []
    with open_browser(base) as browser:
        page = browser.page
        # The submission form sent empty: errors, summary, invalid fields.
        browser.goto(base + "/ideas/new")
        page.click("form.idea-form button[type=submit]")
        page.wait_for_selector("#error-summary")
        problems += [describe_violations("submission form with errors", "/ideas/new", v)
                     for v in [run_axe(page)] if v]  # fmt: skip
        # Registration sent empty.
        browser.goto(f"{base}/workshops/{targets['open_workshop']}")
        page.click("form.registration-form button[type=submit]")
        page.wait_for_selector("#error-summary")
        problems += [describe_violations("registration with errors", page.url, v)
                     for v in [run_axe(page)] if v]  # fmt: skip
        # Erasing one's data: the confirmation box left empty, then the result.
        for label, path in (
            ("registration erasure", f"/registrations/{targets['registration']}/erase"),
            ("support withdrawal", f"/supports/{targets['support']}/erase"),
        ):
            browser.goto(base + path)
            page.click("main form button[type=submit]")
            page.wait_for_selector("#error-summary")
            problems += [describe_violations(f"{label} with errors", path, v)
                         for v in [run_axe(page)] if v]  # fmt: skip
            page.check("#confirm")
            page.click("main form button[type=submit]")
            page.wait_for_url("**/erased")
            problems += [describe_violations(f"{label} done", page.url, v)
                         for v in [run_axe(page)] if v]  # fmt: skip
        # Sign-in with a wrong password.
        browser.goto(base + "/staff/login")
        page.fill("#email", "nikt@example.org")
        page.fill("#password", "to nie jest hasło")
        page.click("main form button[type=submit]")
        page.wait_for_selector("#error-summary")
        page.wait_for_load_state("load")  # its style sheets too, on a busy machine
        problems += [describe_violations("sign-in with errors", "/staff/login", v)
                     for v in [run_axe(page)] if v]  # fmt: skip
    assert not problems, "\n\n".join(problems)


def test_main_staff_pages_pass_axe(app, make, live_server):
    require_chromium()
    load_demo(app)
    targets = demo_targets(app, make)
    admin = make.user(role="admin", name="Aleksandra Administratorka")
    pages, missing = staff_pages(targets)
    base = live_server.url
    with open_browser(base) as browser:
        sign_in(browser, base, admin.email, Factory.PASSWORD)
        problems = check_pages(browser, base, pages)
        # Two-factor set-up with its QR code and key on screen.
        browser.goto(base + "/staff/account/two-factor")
        browser.page.click("form[action$='/two-factor/start'] button[type=submit]")
        browser.page.wait_for_selector("svg.qr-code")
        violations = run_axe(browser.page)
        if violations:
            problems.append(
                describe_violations("two-factor QR code", "/staff/account/two-factor", violations)
            )
        assert not browser.foreign_requests, browser.foreign_requests
    assert not missing, f"the demo has no page for: {', '.join(missing)}"
    assert not problems, "\n\n".join(problems)


def test_the_check_can_fail(app, live_server):
    """A planted problem on a real page (with its CSP) is reported."""
    require_chromium()
    with open_browser(live_server.url) as browser:
        browser.goto(live_server.url + "/privacy")
        assert run_axe(browser.page) == []
        browser.page.evaluate(
            "() => { const i = document.createElement('input');"
            " document.querySelector('main').appendChild(i); }"
        )
        found = {violation["id"] for violation in run_axe(browser.page)}
    assert "label" in found


def test_public_pages_reflow_at_320_pixels_without_javascript(app, make, live_server):
    """WCAG 1.4.10: no horizontal scrolling at 320 CSS pixels; and every
    page works with JavaScript switched off."""
    require_chromium()
    load_demo(app)
    pages, _missing = public_pages(demo_targets(app, make))
    too_wide = []
    with open_browser(live_server.url, javascript=False) as browser:
        browser.page.set_viewport_size({"width": 320, "height": 640})
        for label, path in pages:
            browser.goto(live_server.url + path)
            width = browser.page.evaluate("document.documentElement.scrollWidth")
            if width > 320:
                too_wide.append(f"{label} ({path}): {width}px wide")
    assert not too_wide, "\n".join(too_wide)


def test_the_residents_and_staff_experience_pages_pass_axe_at_both_widths(app, make, live_server):
    """The pages reworked for first-time users, at 375 px and 1366 px: the
    consultations list, results, a full meeting and its "check your e-mail"
    state, English pages with Polish fallbacks, the editors and a
    confirmation step."""
    require_chromium()
    load_demo(app)
    targets = demo_targets(app, make)
    admin = make.user(role="admin")
    base = live_server.url
    public = [
        ("consultations", "/processes"),
        ("results", "/results"),
        ("full meeting", f"/workshops/{targets['full_workshop']}"),
        ("unconfirmed registration", f"/registrations/{targets['registration']}"),
    ]
    staff = [
        ("article editor", f"/staff/articles/{targets['article_id']}/edit"),
        ("meeting with minutes editor", f"/staff/workshops/{targets['open_workshop_id']}"),
        ("new workshop form", "/staff/workshops/new"),
    ]
    problems = []
    for width, height in ((375, 800), (1366, 900)):
        with open_browser(base) as browser:
            page = browser.page
            page.set_viewport_size({"width": width, "height": height})
            problems += check_pages(browser, base, [(f"{label} at {width}", path) for label, path in public])
            # Registering for the full meeting: the form gives way to "check your e-mail".
            browser.goto(f"{base}/workshops/{targets['full_workshop']}")
            page.fill("#name", "Ola Nowak")
            page.fill("#email", f"ola{width}@example.org")
            page.select_option("#participant_group", "young_person")
            page.check("#consent")
            page.click("form.registration-form button[type=submit]")
            page.wait_for_selector(".registration-sent")
            assert page.locator("form.registration-form").count() == 0
            problems += [describe_violations(f"check your e-mail at {width}", page.url, v)
                         for v in [run_axe(page)] if v]  # fmt: skip
            # English, with the Polish texts marked.
            browser.goto(f"{base}/processes")
            page.locator("form.language-switcher button[name=lang]").evaluate(
                "button => button.form.requestSubmit(button)"
            )
            page.wait_for_selector("html[lang=en]")
            problems += check_pages(
                browser, base,
                [(f"English {label} at {width}", path) for label, path in (
                    ("consultation", f"/processes/{targets['process']}"),
                    ("article", f"/articles/{targets['article']}"),
                    ("catalogue", "/ideas"),
                )],
            )  # fmt: skip
            sign_in(browser, base, admin.email, Factory.PASSWORD)
            problems += check_pages(browser, base, [(f"{label} at {width}", path) for label, path in staff])
            # A confirmation step (a group's "Usuń" without JavaScript's dialog).
            browser.goto(f"{base}/staff/workshops/{targets['open_workshop_id']}")
            page.locator("form[data-confirm]").first.evaluate("form => form.submit()")
            page.wait_for_selector(".confirm-step")
            problems += [describe_violations(f"confirmation step at {width}", page.url, v)
                         for v in [run_axe(page)] if v]  # fmt: skip
            width_px = page.evaluate("document.documentElement.scrollWidth")
            assert width_px <= max(width, 1366), f"confirmation step {width_px}px wide"
    assert not problems, "\n\n".join(problems)
