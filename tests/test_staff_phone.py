"""Staff on a phone (375 CSS pixels): no page is wider than the screen (wide
tables scroll inside their box), the staff menu is folded until opened, and
axe finds nothing at that width; on a wide screen the menu is always open."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Workshop
from tests.browser_support import (
    demo_targets,
    describe_violations,
    load_demo,
    open_browser,
    require_chromium,
    run_axe,
    sign_in,
    staff_pages,
)
from tests.factories import Factory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 375, "height": 800}
WIDE = {"width": 1366, "height": 900}


def _pages(app, make) -> list[tuple[str, str]]:
    pages, _missing = staff_pages(demo_targets(app, make))
    with app.app_context():
        ids = db.session.scalars(select(Workshop.id).order_by(Workshop.id)).all()
    # Every meeting: the upcoming ones have the widest registration table.
    pages += [(f"meeting {ident}", f"/staff/workshops/{ident}") for ident in ids]
    pages += [("reply templates", "/staff/moderation/templates")]
    return pages


def test_staff_pages_fit_a_phone_and_pass_axe_there(app, make, live_server):
    require_chromium()
    load_demo(app)
    pages = _pages(app, make)
    admin = make.user(role="admin", name="Aleksandra Administratorka")
    base = live_server.url
    too_wide, problems = [], []
    with open_browser(base) as browser:
        sign_in(browser, base, admin.email, Factory.PASSWORD)
        browser.page.set_viewport_size(PHONE)
        for label, path in pages:
            browser.goto(base + path)
            width = browser.page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide.append(f"{label} ({path}): {width}px wide")
            violations = run_axe(browser.page)
            if violations:
                problems.append(describe_violations(f"{label} at 375 px", path, violations))
    assert not too_wide, "\n".join(too_wide)
    assert not problems, "\n\n".join(problems)


def test_staff_menu_is_folded_on_a_phone_and_open_on_a_wide_screen(app, make, live_server):
    require_chromium()
    admin = make.user(role="admin")
    base = live_server.url
    with open_browser(base) as browser:
        sign_in(browser, base, admin.email, Factory.PASSWORD)
        page = browser.page
        page.set_viewport_size(PHONE)
        browser.goto(base + "/staff/audit")
        menu = page.locator("details.staff-nav")
        assert not menu.evaluate("el => el.open")
        assert not page.get_by_role("link", name="Konta zespołu").is_visible()
        # The page's own heading is on the first screen.
        assert page.locator("main h1").bounding_box()["y"] < PHONE["height"] / 2
        page.locator("details.staff-nav > summary").click()
        assert page.get_by_role("link", name="Konta zespołu").is_visible()
        page.set_viewport_size(WIDE)
        browser.goto(base + "/staff/audit")
        assert menu.evaluate("el => el.open")
        assert not page.locator("details.staff-nav > summary").is_visible()
        assert page.get_by_role("link", name="Konta zespołu").is_visible()


def test_staff_menu_is_open_without_javascript(app, make, live_server):
    require_chromium()
    admin = make.user(role="admin")
    base = live_server.url
    with open_browser(base, javascript=False) as browser:
        sign_in(browser, base, admin.email, Factory.PASSWORD)
        browser.page.set_viewport_size(PHONE)
        browser.goto(base + "/staff/audit")
        assert browser.page.get_by_role("link", name="Konta zespołu").is_visible()
