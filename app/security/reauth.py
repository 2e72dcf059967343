"""Re-authentication ("sudo mode") before sensitive changes.

Changing one's password or two-factor settings, and an administrator
changing someone's role or password, need proof of identity from the last
few minutes (``STAFF_REAUTH_SECONDS``): signing in counts, and so does the
confirmation page (password, plus a code when 2FA is on).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _

from app.security.sessions import AUTH_AT, now_ts


def is_recent() -> bool:
    auth_at = session.get(AUTH_AT)
    if not isinstance(auth_at, int):
        return False
    return now_ts() - auth_at <= current_app.config.get("STAFF_REAUTH_SECONDS", 300)


def mark_authenticated() -> None:
    session[AUTH_AT] = now_ts()


def _return_to() -> str:
    """Where to come back after confirming: this page, or the form's page."""
    rule = request.url_rule
    if request.method == "GET":
        return request.full_path.rstrip("?")
    if rule is not None and "GET" in (rule.methods or ()):
        return request.path
    referrer = request.referrer or ""
    parts = urlsplit(referrer)
    if parts.netloc == request.host and parts.path.startswith("/"):
        return parts.path
    return url_for("account.settings")


def reauth_redirect():  # noqa: ANN201
    flash(_("Ze względów bezpieczeństwa potwierdź, że to Ty."), "info")
    return redirect(url_for("account.reauth", next=_return_to()))


def reauth_required(
    view: Callable[..., Any] | None = None, *, methods: Iterable[str] | None = None
) -> Any:
    """Decorator: send the person to the confirmation page unless they
    proved who they are within the window.

    ``@reauth_required`` guards every method; ``@reauth_required(methods=("POST",))``
    lets them see the form and asks only before the change.
    """
    guarded = {m.upper() for m in methods} if methods else None

    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(func)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if (guarded is None or request.method in guarded) and not is_recent():
                return reauth_redirect()
            return func(*args, **kwargs)

        wrapped.reauth_required = True  # type: ignore[attr-defined]
        return wrapped

    if view is not None:
        return decorator(view)
    return decorator
