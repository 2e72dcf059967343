"""Meetings in a real browser: the registration path by clicking, and
axe-core finds nothing on any public or staff page of the feature."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage
from tests.browser_support import axe_violations
from tests.factories import Factory
from tests.workshops_support import (
    confirm_direct,
    past,
    register_direct,
    registration_path,
    upcoming,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _last_link(app) -> str:  # noqa: ANN001
    with app.app_context():
        message = db.session.scalars(
            select(OutboxMessage).order_by(OutboxMessage.id.desc())
        ).first()
        return registration_path(message.body_text)


def test_register_confirm_and_cancel_by_clicking(live_server, app, make, browser_page):
    page = browser_page
    workshop = upcoming(make, capacity=1, programme="## Plan\n\nPowitanie")
    make.workshop_group(workshop.id, name="Młodzież i seniorzy")
    page.goto(f"{live_server.url}/workshops/{workshop.slug}")
    assert axe_violations(page) == []

    page.click("main form button[type=submit]")  # empty form: errors
    assert page.locator("#error-summary").is_visible()
    assert axe_violations(page) == []

    page.fill("#name", "Jan Kowalski")
    page.fill("#email", "jan@example.org")
    page.select_option("#participant_group", "senior")
    page.fill("#needs", "Pętla indukcyjna")
    page.check("#consent")
    page.click("main form button[type=submit]")
    expect(page.locator("main")).to_contain_text("Sprawdź skrzynkę")
    # The form gives way to what happens next; the link brings it back.
    assert page.locator("form.registration-form").count() == 0
    expect(page.locator(".registration-sent")).to_contain_text("jan@example.org")
    assert axe_violations(page) == []
    page.click("text=Zapisz inną osobę albo popraw adres")
    expect(page.locator("form.registration-form")).to_be_visible()

    page.goto(live_server.url + _last_link(app))
    assert axe_violations(page) == []
    page.click("text=Potwierdzam zapis")
    expect(page.locator("main")).to_contain_text("Masz miejsce na spotkaniu")
    assert axe_violations(page) == []

    page.goto(f"{live_server.url}{_last_link(app)}")  # the link from the first mail still works
    page.goto(page.url + "?cancel=1")
    assert axe_violations(page) == []
    page.click("text=Tak, rezygnuję z udziału")
    expect(page.locator("main")).to_contain_text("Zapis anulowany")
    assert make.get(type(workshop), workshop.id).places_taken == 0


def test_meeting_pages_pass_axe(live_server, app, make, browser_page):
    page = browser_page
    held = past(make, minutes="## Wnioski\n\n### Grupa A\n\nTekst", minutes_published=True)
    group = make.workshop_group(held.id, name="Grupa A", participants_count=10)
    make.idea(workshop_id=held.id, workshop_group_id=group.id, source="workshop",
              process_id=held.process_id)  # fmt: skip
    full = upcoming(make, capacity=1)
    tokens = register_direct(app, full.id, 2)
    for token in tokens:
        confirm_direct(app, token)
    for path in (
        "/workshops",
        f"/workshops/{held.slug}",
        f"/workshops/{full.slug}",
        f"/registrations/{tokens[1]}",
    ):
        page.goto(live_server.url + path)
        assert axe_violations(page) == [], path


def test_staff_meeting_pages_pass_axe(live_server, app, make, browser_page):
    page = browser_page
    workshop = upcoming(make, capacity=2)
    make.workshop_group(workshop.id, name="Grupa B")
    for token in register_direct(app, workshop.id, 3):
        confirm_direct(app, token)
    user = make.user(role="moderator")
    page.goto(f"{live_server.url}/staff/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", Factory.PASSWORD)
    page.click("main button[type=submit]")
    for path in (
        "/staff/workshops/",
        f"/staff/workshops/{workshop.id}",
        f"/staff/workshops/{workshop.id}/edit",
        "/staff/workshops/new",
        "/staff/",
    ):
        page.goto(live_server.url + path)
        assert "/staff/login" not in page.url
        assert axe_violations(page) == [], path
    page.goto(f"{live_server.url}/staff/workshops/{workshop.id}/edit")
    page.fill("#capacity", "1")
    page.click("form[action$='/edit'] button[type=submit]")
    assert page.locator("#capacity-error").is_visible()
    assert axe_violations(page) == []
