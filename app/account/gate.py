"""Administrators (``TWO_FACTOR_REQUIRED_ROLES``) must turn on two-factor
sign-in before they can use any other staff page."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.security.twofactor import is_required_for

# What a person who still has to set up 2FA may reach under /staff.
ALLOWED_DURING_SETUP = frozenset(
    {
        "account.two_factor",
        "account.two_factor_start",
        "account.two_factor_confirm",
        "account.reauth",
        "auth.logout",
        "auth.login",
        "auth.login_code",
    }
)


def require_two_factor_setup():  # noqa: ANN201
    if not request.path.startswith("/staff") or request.endpoint in ALLOWED_DURING_SETUP:
        return None
    if not current_user.is_authenticated or current_user.totp_enabled:
        return None
    if not is_required_for(current_user):
        return None
    if request.method == "GET":
        flash(
            _("Twoja rola wymaga logowania dwuetapowego. Włącz je, aby korzystać z panelu."),
            "warning",
        )
    return redirect(url_for("account.two_factor"), code=303)
