"""Helpers for the workshop and registration tests."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from app.extensions import db
from app.models import utcnow
from app.models.workshop import Registration, Workshop
from app.workshops import services

LINK = re.compile(r"https?://[^\s/]+(/registrations/[A-Za-z0-9_-]+)(\?cancel=1)?")


def form(**overrides: Any) -> dict[str, str]:
    data = {
        "name": "Anna Nowak",
        "email": "anna@example.org",
        "participant_group": "resident",
        "needs": "",
        "consent": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def registration_path(text: str, cancel: bool = False) -> str:
    """The private link (path only) found in a mail's text."""
    for match in LINK.finditer(text):
        if bool(match.group(2)) == cancel:
            return match.group(1) + (match.group(2) or "")
    raise AssertionError(f"no registration link in:\n{text}")


def register_direct(app, workshop_id: int, n: int, **kwargs: Any) -> list[str]:  # noqa: ANN001
    """Create *n* unconfirmed registrations through the service; their tokens."""
    tokens = []
    with app.test_request_context():
        workshop = db.session.get(Workshop, workshop_id)
        for index in range(n):
            registration, _ = services.register(
                workshop,
                name=f"Osoba {index}",
                email=kwargs.get("email_pattern", "osoba{}@example.org").format(index),
                participant_group=kwargs.get("participant_group", "resident"),
            )
            tokens.append(services.link_token(registration))
        db.session.commit()
    return tokens


def confirm_direct(app, token: str) -> str:  # noqa: ANN001
    with app.test_request_context():
        registration = services.find_by_token(token)
        outcome = services.confirm(registration)
        db.session.commit()
        return outcome


def registration_by_token(app, token: str) -> Registration:  # noqa: ANN001
    with app.app_context():
        registration = services.find_by_token(token)
        db.session.expunge(registration)
        return registration


def upcoming(make, **kwargs: Any) -> Workshop:  # noqa: ANN001
    now = utcnow()
    fields = {"starts_at": now + timedelta(days=7), "ends_at": now + timedelta(days=7, hours=3)}
    fields.update(kwargs)
    return make.workshop(**fields)


def past(make, **kwargs: Any) -> Workshop:  # noqa: ANN001
    now = utcnow()
    fields = {
        "starts_at": now - timedelta(days=7),
        "ends_at": now - timedelta(days=7) + timedelta(hours=3),
    }
    fields.update(kwargs)
    return make.workshop(**fields)
