"""Two-factor sign-in with an authenticator app (TOTP) and recovery codes."""

from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, OutboxMessage, RecoveryCode, User
from app.security import twofactor
from tests.factories import Factory
from tests.security_support import (
    enable_two_factor,
    is_signed_in,
    password_step,
    totp_code,
)

REQUIRE_ADMIN = pytest.mark.app_config(TWO_FACTOR_REQUIRED_ROLES=("admin",))


def start_setup(client, make):  # noqa: ANN001, ANN201
    response = client.post("/staff/account/two-factor/start")
    assert response.status_code == 303
    page = client.get("/staff/account/two-factor")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_setup_shows_an_inline_svg_qr_code_and_the_key(client, login, make):
    user = login("editor")
    html = start_setup(client, make)
    secret = make.get(User, user.id).totp_secret
    assert secret
    assert not make.get(User, user.id).totp_enabled
    assert '<svg role="img"' in html
    assert "<title>" in html
    # The key is also shown for typing by hand, grouped in fours.
    assert twofactor.format_secret(secret) in html
    # No request to any other host for the QR code.
    assert not re.search(r"""(src|href)=["']https?://""", html)


def test_a_wrong_code_does_not_turn_it_on(client, login, make):
    user = login("editor")
    start_setup(client, make)
    secret = make.get(User, user.id).totp_secret
    wrong = str((int(totp_code(secret)) + 1) % 1_000_000).zfill(6)
    response = client.post("/staff/account/two-factor/confirm", data={"code": wrong})
    assert response.status_code == 400
    assert not make.get(User, user.id).totp_enabled


def test_confirming_turns_it_on_and_shows_recovery_codes_once(app, client, login, make):
    user = login("editor")
    start_setup(client, make)
    secret = make.get(User, user.id).totp_secret
    response = client.post("/staff/account/two-factor/confirm", data={"code": totp_code(secret)})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    codes = re.findall(r"<code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code>", html)
    assert len(codes) == 10
    assert make.get(User, user.id).totp_enabled
    with app.app_context():
        stored = db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id))
        hashes = [row.code_hash for row in stored]
    assert len(hashes) == 10
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert not any(code in h or code.replace("-", "") in h for code in codes for h in hashes)
    # The codes are never shown again.
    again = client.get("/staff/account/two-factor").get_data(as_text=True)
    assert not any(code in again for code in codes)


def test_sign_in_with_two_factor_takes_two_steps(app, client, make):
    user = make.user(role="moderator")
    secret, _codes = enable_two_factor(app, user.id)
    first = password_step(client, user.email, next="/staff/account")
    assert first.status_code == 303
    assert first.headers["Location"] == "/staff/login/code"
    assert not is_signed_in(client)
    page = client.get("/staff/login/code")
    assert page.status_code == 200
    second = client.post("/staff/login/code", data={"code": totp_code(secret)})
    assert second.status_code == 303
    assert second.headers["Location"] == "/staff/account"
    assert is_signed_in(client)
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "auth.login")
        ).one()
        assert entry.actor_id == user.id
        assert entry.data == {"second_factor": "totp"}


def test_wrong_password_never_reaches_the_code_step(app, client, make):
    user = make.user(role="moderator")
    enable_two_factor(app, user.id)
    response = password_step(client, user.email, "wrong password here")
    assert response.status_code == 400
    assert client.get("/staff/login/code").status_code == 303


def test_a_wrong_code_is_refused(app, client, make):
    user = make.user(role="moderator")
    secret, _codes = enable_two_factor(app, user.id)
    password_step(client, user.email)
    wrong = str((int(totp_code(secret)) + 5) % 1_000_000).zfill(6)
    response = client.post("/staff/login/code", data={"code": wrong})
    assert response.status_code == 400
    assert "Nieprawidłowy kod" in response.get_data(as_text=True)
    assert not is_signed_in(client)


def test_a_code_cannot_be_used_twice(app, make):
    user = make.user(role="moderator")
    secret, _codes = enable_two_factor(app, user.id)
    code = totp_code(secret)
    first, second = app.test_client(), app.test_client()
    password_step(first, user.email)
    assert first.post("/staff/login/code", data={"code": code}).status_code == 303
    password_step(second, user.email)
    assert second.post("/staff/login/code", data={"code": code}).status_code == 400
    # The next code from the app works.
    assert second.post("/staff/login/code", data={"code": totp_code(secret, 1)}).status_code == 303


def test_a_recovery_code_works_exactly_once(app, make):
    user = make.user(role="moderator")
    _secret, codes = enable_two_factor(app, user.id)
    first, second = app.test_client(), app.test_client()
    password_step(first, user.email)
    response = first.post("/staff/login/code", data={"code": codes[3].upper()})
    assert response.status_code == 303
    assert is_signed_in(first)
    password_step(second, user.email)
    assert second.post("/staff/login/code", data={"code": codes[3]}).status_code == 400
    with app.app_context():
        used = db.session.scalars(
            select(RecoveryCode).where(RecoveryCode.used_at.is_not(None))
        ).all()
        assert len(used) == 1


def test_the_code_step_expires(app, client, make):
    user = make.user(role="moderator")
    secret, _codes = enable_two_factor(app, user.id)
    password_step(client, user.email)
    with client.session_transaction() as sess:
        sess[twofactor.PENDING_KEY]["at"] -= twofactor.PENDING_SECONDS + 1
        sess.modified = True
    response = client.post("/staff/login/code", data={"code": totp_code(secret)})
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/login"
    assert not is_signed_in(client)


def test_the_code_step_without_a_password_goes_back_to_sign_in(client):
    response = client.post("/staff/login/code", data={"code": "123456"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/login"


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_TWO_FACTOR="3 per 5 minutes")
def test_guessing_codes_is_rate_limited(app, client, make):
    user = make.user(role="moderator")
    secret, _codes = enable_two_factor(app, user.id)
    password_step(client, user.email)
    wrong = str((int(totp_code(secret)) + 7) % 1_000_000).zfill(6)
    statuses = [
        client.post("/staff/login/code", data={"code": wrong}).status_code for _ in range(4)
    ]
    assert statuses[:3] == [400, 400, 400]
    assert statuses[3] == 429
    # Even the right code is refused while the limit holds.
    assert client.post("/staff/login/code", data={"code": totp_code(secret)}).status_code == 429


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_TWO_FACTOR="3 per 5 minutes")
def test_the_code_limit_follows_the_account_not_the_browser(app, make):
    user = make.user(role="moderator")
    secret, _codes = enable_two_factor(app, user.id)
    wrong = str((int(totp_code(secret)) + 7) % 1_000_000).zfill(6)
    statuses = []
    for _ in range(4):
        browser = app.test_client()  # a new cookie jar each time
        password_step(browser, user.email)
        statuses.append(browser.post("/staff/login/code", data={"code": wrong}).status_code)
    assert statuses[-1] == 429


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_TWO_FACTOR="3 per 5 minutes")
def test_someone_with_only_the_password_cannot_lock_the_owner_out(app, make):
    user = make.user(role="admin")
    secret, _codes = enable_two_factor(app, user.id)
    wrong = str((int(totp_code(secret)) + 7) % 1_000_000).zfill(6)
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.66"
    password_step(attacker, user.email)
    statuses = [
        attacker.post("/staff/login/code", data={"code": wrong}).status_code for _ in range(4)
    ]
    assert statuses == [400, 400, 400, 429]
    # The owner, from their own address, signs in as usual.
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    password_step(owner, user.email)
    assert owner.post("/staff/login/code", data={"code": totp_code(secret)}).status_code == 303
    assert is_signed_in(owner)


@pytest.mark.app_config(TWO_FACTOR_ALERT_FAILURES=3)
def test_the_owner_is_told_by_mail_of_repeated_wrong_codes_once_per_window(app, client, make):
    user = make.user(role="admin", email="szefowa@example.org")
    secret, _codes = enable_two_factor(app, user.id)
    wrong = str((int(totp_code(secret)) + 7) % 1_000_000).zfill(6)
    password_step(client, user.email)

    def alerts() -> list[OutboxMessage]:
        with app.app_context():
            return db.session.scalars(
                select(OutboxMessage).where(OutboxMessage.template == "two_factor_failures")
            ).all()

    for _ in range(2):
        assert client.post("/staff/login/code", data={"code": wrong}).status_code == 400
    assert alerts() == []
    for _ in range(5):
        assert client.post("/staff/login/code", data={"code": wrong}).status_code == 400
    [alert] = alerts()
    assert alert.recipient == "szefowa@example.org"
    assert "nieprawidłowy kod" in alert.body_text
    assert "/staff/account" in alert.body_text
    with app.app_context():
        failed = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "auth.2fa_failed")
        ).all()
    assert len(failed) == 7 and {row.object_id for row in failed} == {user.id}


@REQUIRE_ADMIN
def test_an_admin_without_two_factor_can_reach_nothing_but_its_setup(client, login):
    login("admin")
    for path in ("/staff/", "/staff/users", "/staff/account", "/staff/processes"):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["Location"] == "/staff/account/two-factor"
    assert client.get("/staff/account/two-factor").status_code == 200
    # Public pages stay public.
    assert client.get("/").status_code == 200


@REQUIRE_ADMIN
def test_after_setup_the_admin_reaches_the_panel(client, login, make):
    user = login("admin")
    client.post("/staff/account/two-factor/start")
    secret = make.get(User, user.id).totp_secret
    response = client.post("/staff/account/two-factor/confirm", data={"code": totp_code(secret)})
    assert response.status_code == 200
    assert client.get("/staff/").status_code == 200
    assert client.get("/staff/users").status_code == 200


@REQUIRE_ADMIN
def test_moderators_may_choose(client, login):
    login("moderator")
    assert client.get("/staff/").status_code == 200


@REQUIRE_ADMIN
def test_an_admin_cannot_turn_two_factor_off(app, client, make):
    user = make.user(role="admin")
    secret, _codes = enable_two_factor(app, user.id)
    password_step(client, user.email)
    client.post("/staff/login/code", data={"code": totp_code(secret)})
    response = client.post("/staff/account/two-factor/disable")
    assert response.status_code == 303
    assert make.get(User, user.id).totp_enabled


def test_a_moderator_can_turn_two_factor_off(app, client, make):
    user = make.user(role="moderator")
    secret, _codes = enable_two_factor(app, user.id)
    password_step(client, user.email)
    client.post("/staff/login/code", data={"code": totp_code(secret)})
    assert client.post("/staff/account/two-factor/disable").status_code == 303
    after = make.get(User, user.id)
    assert not after.totp_enabled and after.totp_secret is None
    assert make.count(RecoveryCode, user_id=user.id) == 0


def test_new_recovery_codes_replace_the_old_ones(app, client, make):
    user = make.user(role="moderator")
    secret, old_codes = enable_two_factor(app, user.id)
    password_step(client, user.email)
    client.post("/staff/login/code", data={"code": totp_code(secret)})
    response = client.post("/staff/account/two-factor/recovery-codes")
    assert response.status_code == 200
    new_codes = re.findall(r"<code>([a-z0-9-]{14})</code>", response.get_data(as_text=True))
    assert len(new_codes) == 10
    other = app.test_client()
    password_step(other, user.email)
    assert other.post("/staff/login/code", data={"code": old_codes[0]}).status_code == 400
    assert other.post("/staff/login/code", data={"code": new_codes[0]}).status_code == 303


def test_totp_secret_matches_what_authenticator_apps_expect(app, make):
    user = make.user(role="editor")
    secret = twofactor.new_secret()
    assert len(secret) >= 32  # 160 bits, as RFC 4226 recommends
    with app.test_request_context():
        uri = twofactor.provisioning_uri(user, secret)
    parsed = pyotp.parse_uri(uri)
    assert parsed.secret == secret
    assert parsed.issuer == "Odkrywka"
    assert parsed.interval == 30 and parsed.digits == 6
    assert Factory.PASSWORD not in uri
