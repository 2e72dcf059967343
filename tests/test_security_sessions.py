"""Staff sessions end for real: sign-out, deactivation, idle and absolute
limits, also for a copied cookie; passwords and accounts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_login.utils import encode_cookie
from sqlalchemy import func, select

from app.auth.services import AccountError, check_password_rules
from app.extensions import db
from app.models import User
from app.models.user import password_hasher
from app.security import sessions
from config import Config, ProductionConfig
from tests.factories import Factory
from tests.security_support import is_signed_in, password_step, shift_session_times


def copy_cookies(source, target) -> None:  # noqa: ANN001
    for cookie in source._cookies.values():
        target.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)


def test_a_fresh_session_on_sign_in(client, make):
    user = make.user(role="editor")
    with client.session_transaction() as sess:
        sess["planted"] = "by someone else"
    password_step(client, user.email)
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["_user_id"] == f"{user.id}:{user.session_version}"
        assert {sessions.LOGIN_AT, sessions.SEEN_AT, sessions.AUTH_AT} <= set(sess)


def test_sign_out_kills_a_copied_cookie(app, client, login, make):
    user = login("editor")
    thief = app.test_client()
    copy_cookies(client, thief)
    assert is_signed_in(thief)
    assert client.post("/staff/logout").status_code == 302
    assert not is_signed_in(client)
    assert not is_signed_in(thief)
    assert make.get(User, user.id).session_version == user.session_version + 1


def test_deactivation_ends_the_session(app, client, login, make):
    admin_client = app.test_client()
    admin = make.user(role="admin")
    password_step(admin_client, admin.email)
    user = login("editor")
    assert is_signed_in(client)
    response = admin_client.post(f"/staff/users/{user.id}/active", data={"active": "0"})
    assert response.status_code == 302
    assert not is_signed_in(client)
    assert password_step(app.test_client(), user.email).status_code == 400


def test_idle_session_ends(client, login, app):
    login("editor")
    idle = int(app.config["STAFF_IDLE_TIMEOUT"].total_seconds())
    shift_session_times(client, idle + 1, sessions.SEEN_AT)
    response = client.get("/staff/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login?next=/staff/account")
    assert not is_signed_in(client)


def test_activity_keeps_a_session_alive(client, login, app):
    login("editor")
    idle = int(app.config["STAFF_IDLE_TIMEOUT"].total_seconds())
    shift_session_times(client, idle - 60, sessions.SEEN_AT)
    assert is_signed_in(client)
    with client.session_transaction() as sess:
        assert sessions.now_ts() - sess[sessions.SEEN_AT] < 5


def test_session_ends_at_the_absolute_limit_even_when_active(client, login, app):
    login("editor")
    absolute = int(app.config["STAFF_ABSOLUTE_TIMEOUT"].total_seconds())
    shift_session_times(client, absolute + 1, sessions.LOGIN_AT)
    assert not is_signed_in(client)


@pytest.mark.app_config(STAFF_IDLE_TIMEOUT=timedelta(minutes=5))
def test_idle_limit_is_configurable(client, login):
    login("editor")
    shift_session_times(client, 301, sessions.SEEN_AT)
    assert not is_signed_in(client)


def test_expired_session_on_a_public_page_just_signs_out(client, login, app):
    login("editor")
    shift_session_times(client, 10 * 3600 * 24, sessions.SEEN_AT, sessions.LOGIN_AT)
    response = client.get("/")
    assert response.status_code == 200
    assert "Panel zespołu" not in response.get_data(as_text=True)


def test_session_without_times_is_refused(client, login):
    login("editor")
    with client.session_transaction() as sess:
        for key in sessions.SESSION_TIMES:
            sess.pop(key, None)
    assert not is_signed_in(client)


def test_remember_me_is_a_long_session_bounded_by_the_absolute_limit(client, make, app):
    user = make.user(role="editor")
    response = password_step(client, user.email, remember="y")
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "Expires=" in session_cookie  # survives closing the browser
    assert not any(c.startswith("remember_token=") for c in cookies)
    absolute = int(app.config["STAFF_ABSOLUTE_TIMEOUT"].total_seconds())
    shift_session_times(client, absolute + 1, sessions.LOGIN_AT)
    assert not is_signed_in(client)


def test_without_remember_me_the_cookie_ends_with_the_browser(client, make):
    user = make.user(role="editor")
    response = password_step(client, user.email)
    session_cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")
    )
    assert "Expires=" not in session_cookie


def test_a_remember_cookie_alone_does_not_sign_in(app, make):
    user = make.user(role="editor")
    browser = app.test_client()
    with app.test_request_context():
        value = encode_cookie(f"{user.id}:{user.session_version}")
    browser.set_cookie("remember_token", value)
    response = browser.get("/staff/account")
    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]


def test_session_cookie_flags(client, make):
    user = make.user(role="editor")
    response = password_step(client, user.email)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_cookies_are_secure_and_hsts_is_on(monkeypatch):
    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.REMEMBER_COOKIE_SECURE is True
    assert ProductionConfig.HSTS_ENABLED is True
    assert Config.SESSION_COOKIE_HTTPONLY and Config.SESSION_COOKIE_SAMESITE == "Lax"


@pytest.mark.app_config(SESSION_COOKIE_SECURE=True)
def test_secure_cookie_flag_is_sent_when_configured(client, make):
    user = make.user(role="editor")
    response = client.post(
        "/staff/login",
        data={"email": user.email, "password": Factory.PASSWORD},
        base_url="https://localhost",
    )
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" in cookie


# --- passwords ------------------------------------------------------------


# The test configuration's cheap parameters switched off: the app's own.
@pytest.mark.app_config(PASSWORD_HASH_PARAMS=None)
def test_passwords_are_hashed_with_argon2id_at_owasp_parameters(make, app):
    from config import Config, DevelopmentConfig, ProductionConfig

    # Only the test configuration may ask for other parameters.
    for config in (Config, DevelopmentConfig, ProductionConfig):
        assert not getattr(config, "PASSWORD_HASH_PARAMS", None), config
    assert password_hasher.type.name == "ID"
    assert password_hasher.memory_cost == 19 * 1024
    assert password_hasher.time_cost == 2
    assert password_hasher.parallelism == 1
    user = make.user(role="editor")
    stored = make.get(User, user.id).password_hash
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert Factory.PASSWORD not in stored


@pytest.mark.parametrize(
    ("password", "ok"),
    [("x" * 11, False), ("x" * 12, True), ("ł" * 12, True), ("x" * 128, True), ("x" * 129, False)],
)
def test_password_length_rules(app, password, ok):
    with app.test_request_context():
        if ok:
            check_password_rules(password)
        else:
            with pytest.raises(AccountError):
                check_password_rules(password)


def test_the_longest_password_signs_in(client, make):
    password = "długie hasło " * 9 + "abcdefghijk"
    assert len(password) == 128
    user = make.user(role="editor", password=password)
    assert password_step(client, user.email, password).status_code == 302


def test_unknown_email_and_wrong_password_look_the_same(client, make):
    user = make.user(role="editor")
    unknown = password_step(client, "nobody@example.org")
    wrong = password_step(client, user.email, "not the right password")
    assert unknown.status_code == wrong.status_code == 400
    message = "Nieprawidłowy e-mail lub hasło."
    assert message in unknown.get_data(as_text=True)
    assert message in wrong.get_data(as_text=True)


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="5 per minute")
def test_sign_in_brute_force_is_stopped(client, make):
    user = make.user(role="editor")
    statuses = [
        password_step(client, user.email, f"guess number {i}").status_code for i in range(6)
    ]
    assert statuses[:5] == [400] * 5
    assert statuses[5] == 429
    assert password_step(client, user.email).status_code == 429


@pytest.mark.slow
def test_no_default_accounts(app, runner):
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def _decoded_parts(value: str) -> str:
    """Whatever base64 (with or without zlib) in the cookie decodes to."""
    import base64
    import zlib

    found = [value]
    for part in value.lstrip(".").split("."):
        padded = part + "=" * (-len(part) % 4)
        try:
            raw = base64.urlsafe_b64decode(padded)
        except ValueError:
            continue
        found.append(raw.decode("latin-1"))
        try:
            found.append(zlib.decompress(raw).decode("latin-1"))
        except zlib.error:
            pass
    return "\n".join(found)


def test_the_session_cookie_reveals_no_user_id_or_session_data(client, make):
    for _ in range(3):
        make.user(role="editor")  # ids well past 1
    user = make.user(role="editor")
    response = password_step(client, user.email)
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    value = cookie.split(";", 1)[0].split("=", 1)[1]
    readable = _decoded_parts(value)
    for secret in ("_user_id", f"{user.id}:{user.session_version}", "staff_login_at", "_fresh"):
        assert secret not in readable
    assert is_signed_in(client)  # the app itself still reads it


def test_a_tampered_session_cookie_is_refused(app, client, make):
    user = make.user(role="editor")
    response = password_step(client, user.email)
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    value = cookie.split(";", 1)[0].split("=", 1)[1]
    forged = value[:-6] + ("AAAAAA" if not value.endswith("AAAAAA") else "BBBBBB")
    other = app.test_client()
    other.set_cookie("session", forged)
    assert not is_signed_in(other)


def test_production_uses_a_host_only_secure_session_cookie(make_app, make):
    settings = {
        key: getattr(ProductionConfig, key)
        for key in ("SESSION_COOKIE_NAME", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_PATH",
                    "SESSION_COOKIE_DOMAIN")
    }  # fmt: skip
    assert settings["SESSION_COOKIE_NAME"] == "__Host-session"
    app = make_app(**settings)
    user = make.user(role="editor")
    response = app.test_client().post(
        "/staff/login",
        data={"email": user.email, "password": Factory.PASSWORD},
        base_url="https://odkrywka.test",
    )
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("__Host-")]
    assert cookie.startswith("__Host-session=")
    assert "; Secure" in cookie and "; Path=/" in cookie
    assert "Domain=" not in cookie


def test_one_cookie_serializer_per_key_and_it_still_reads_what_it_wrote(app):
    """Flask asks for the session serializer twice a request: the same one
    comes back for the same key, a new key gets its own, and a cookie
    written under one key is unreadable under another."""
    from itsdangerous import BadSignature

    interface = app.session_interface
    first = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is first
    token = first.dumps({"lang": "en"})
    assert first.loads(token) == {"lang": "en"}
    other_app = type("Other", (), {"secret_key": "inny-klucz-" + "x" * 40})()
    other = interface.get_signing_serializer(other_app)
    assert other is not first
    with pytest.raises(BadSignature):
        other.loads(token)
