"""Helpers for the security, account and privacy tests."""

from __future__ import annotations

import time
from typing import Any

import pyotp
from sqlalchemy import func, select

from app.extensions import db
from app.models import User
from app.security import sessions, twofactor
from tests.factories import Factory


def totp_code(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def enable_two_factor(app, user_id: int) -> tuple[str, list[str]]:  # noqa: ANN001
    """Turn 2FA on for a user directly; returns (secret, recovery codes)."""
    with app.app_context():
        user = db.session.get(User, user_id)
        secret = pyotp.random_base32()
        user.totp_secret = secret
        user.totp_enabled = True
        user.totp_last_step = None
        codes = twofactor.make_recovery_codes(user)
        db.session.commit()
    return secret, codes


def password_step(client, email: str, password: str = Factory.PASSWORD, **extra: Any):  # noqa: ANN001, ANN201
    return client.post("/staff/login", data={"email": email, "password": password, **extra})


def is_signed_in(client) -> bool:  # noqa: ANN001
    response = client.get("/staff/account")
    return response.status_code == 200


def shift_session_times(client, seconds: int, *keys: str) -> None:  # noqa: ANN001
    """Move the given session timestamps *seconds* into the past."""
    keys = keys or sessions.SESSION_TIMES
    with client.session_transaction() as sess:
        for key in keys:
            if key in sess:
                sess[key] = sess[key] - seconds


def row_counts(app) -> dict[str, int]:  # noqa: ANN001
    """Rows in every table (to prove a request wrote nothing)."""
    with app.app_context():
        return {
            table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }


def user_state(app, user_id: int) -> dict[str, Any]:  # noqa: ANN001
    with app.app_context():
        user = db.session.get(User, user_id)
        return {column.key: getattr(user, column.key) for column in User.__table__.columns}
