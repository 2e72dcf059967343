"""Staff sessions that really end.

Flask-Login keeps "user id:session version" in the session cookie and
``load_user`` refuses a stale version, so bumping ``User.session_version``
(sign-out, sign-out everywhere, new password, deactivation) kills every copy
of a cookie at once. On top of that every request checks two limits stored
in the session when the person signed in:

* idle: ``STAFF_IDLE_TIMEOUT`` since the last request;
* absolute: ``STAFF_ABSOLUTE_TIMEOUT`` since the password was entered.

"Remember me" makes the session cookie outlive the browser, but never the
absolute limit. Flask-Login's own remember cookie is never issued: it does not
know when the person signed in, so a remember cookie that turns up anyway
(an old one, or one from another install) is refused as expired.

The cookie itself is encrypted (:class:`EncryptedCookieSessionInterface`), not
only signed: a visitor cannot read the account id, the session version or
the times in it. In production it is called ``__Host-session`` (Secure,
Path=/, no Domain), so no other host or path can set or shadow it.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from functools import lru_cache

from cryptography.fernet import InvalidToken
from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user, user_logged_in
from itsdangerous import BadSignature

from app.models.encrypted import derived_fernet

LOGIN_AT = "staff_login_at"  # when the password (and code) was accepted
SEEN_AT = "staff_seen_at"  # the last request
AUTH_AT = "staff_auth_at"  # the last time the person proved who they are
SESSION_TIMES = (LOGIN_AT, SEEN_AT, AUTH_AT)
# Write the last-seen time at most this often (every write re-sends the cookie).
SEEN_RESOLUTION = 15


class _EncryptingSerializer:
    """What Flask's cookie sessions expect of a signing serializer, with the
    payload encrypted and authenticated (Fernet) instead of only signed."""

    def __init__(self, secret_key: str | bytes) -> None:
        # Derived once per process and key, not on every request.
        self._fernet = derived_fernet(secret_key, b"odkrywka:session-cookie:v1")
        self._json = TaggedJSONSerializer()

    def dumps(self, data: dict) -> str:
        return self._fernet.encrypt(self._json.dumps(data).encode("utf-8")).decode("ascii")

    def loads(self, token: str, max_age: int | None = None) -> dict:
        try:
            raw = self._fernet.decrypt(token.encode("ascii"), ttl=max_age)
            return self._json.loads(raw.decode("utf-8"))
        except (InvalidToken, UnicodeError, ValueError, json.JSONDecodeError) as error:
            raise BadSignature("the session cookie cannot be read") from error


@lru_cache(maxsize=8)
def _serializer(secret_key: str | bytes) -> _EncryptingSerializer:
    return _EncryptingSerializer(secret_key)


class EncryptedCookieSessionInterface(SecureCookieSessionInterface):
    """Flask's cookie session, encrypted with a key derived from SECRET_KEY."""

    def get_signing_serializer(self, app: Flask):  # noqa: ANN201
        # Flask asks twice a request; one serializer per key and process.
        if not app.secret_key:
            return None
        return _serializer(app.secret_key)


def now_ts() -> int:
    return int(time.time())


def _seconds(value: timedelta | int | float) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def stamp_new_session(remember: bool = False) -> None:
    """Mark the session as freshly signed in (called right after login_user)."""
    ts = now_ts()
    for key in SESSION_TIMES:
        session[key] = ts
    # Keep the person signed in across browser restarts with a permanent
    # session cookie (bounded by the absolute limit) instead of a remember cookie.
    if session.pop("_remember", None) == "set" or remember:
        session.permanent = True
        session.pop("_remember_seconds", None)


def clear_session() -> None:
    """Sign out this browser and forget everything but the chosen language."""
    lang = session.get("lang")
    session.clear()
    logout_user()  # also clears a remember cookie if the browser sent one
    if lang:
        session["lang"] = lang


def relogin(user) -> None:  # noqa: ANN001
    """Re-issue this browser's session after the user's session version
    changed (own password change), keeping its times and its lifetime."""
    saved = {key: session.get(key) for key in SESSION_TIMES}
    permanent = session.permanent
    login_user(user)
    for key, value in saved.items():
        if value is not None:
            session[key] = value
    session.permanent = permanent
    session.pop("_remember", None)


def is_expired(ts: int | None = None) -> bool:
    ts = ts if ts is not None else now_ts()
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        return True
    config = current_app.config
    if ts - login_at > _seconds(config["STAFF_ABSOLUTE_TIMEOUT"]):
        return True
    return ts - seen_at > _seconds(config["STAFF_IDLE_TIMEOUT"])


def enforce_session_limits():  # noqa: ANN201
    """before_request: end a staff session past its idle or absolute limit."""
    if request.endpoint == "static" or request.blueprint == "bootstrap":
        return None
    if not current_user.is_authenticated:
        return None
    ts = now_ts()
    if is_expired(ts):
        clear_session()
        flash(_("Sesja wygasła. Zaloguj się ponownie."), "info")
        if request.path.startswith("/staff") and request.endpoint != "auth.login":
            target = request.full_path if request.method == "GET" else None
            return redirect(url_for("auth.login", next=target.rstrip("?") if target else None))
        return None
    if ts - session[SEEN_AT] >= SEEN_RESOLUTION:
        session[SEEN_AT] = ts
    return None


def _on_login(sender, user, **extra) -> None:  # noqa: ANN001
    stamp_new_session()


def init_app(app: Flask) -> None:
    app.session_interface = EncryptedCookieSessionInterface()
    app.before_request(enforce_session_limits)
    user_logged_in.connect(_on_login, app)
