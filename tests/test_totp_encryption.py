"""TOTP secrets are encrypted at rest with a key derived from SECRET_KEY (or
TOTP_ENCRYPTION_KEY): the column never holds the base32 secret, sign-in
still works, existing secrets are encrypted by the migration, and a key can
be rotated."""

from __future__ import annotations

import re

import flask_migrate
import pyotp
from sqlalchemy import text

from app import create_app
from app.extensions import db
from app.models import User
from config import TestConfig
from tests.security_support import enable_two_factor, is_signed_in, password_step, totp_code
from tests.test_migrations import empty_database_url  # noqa: F401 - a fixture

BASE32 = re.compile(r"[A-Z2-7]{16,}")


def _stored(app, user_id: int) -> str:  # noqa: ANN001
    with app.app_context():
        return db.session.execute(
            text("SELECT totp_secret FROM users WHERE id = :id"), {"id": user_id}
        ).scalar_one()


def test_the_column_holds_no_base32_secret_and_sign_in_still_works(app, client, make):
    user = make.user(role="admin")
    secret, _codes = enable_two_factor(app, user.id)
    stored = _stored(app, user.id)
    assert secret not in stored
    assert not BASE32.search(stored)
    assert make.get(User, user.id).totp_secret == secret
    password_step(client, user.email)
    assert client.post("/staff/login/code", data={"code": totp_code(secret)}).status_code == 303
    assert is_signed_in(client)


def test_setting_up_two_factor_stores_the_new_secret_encrypted(app, client, login, make):
    user = login("editor")
    client.post("/staff/account/two-factor/start")
    secret = make.get(User, user.id).totp_secret
    assert pyotp.TOTP(secret).now()
    assert secret not in _stored(app, user.id)


def test_a_rotated_key_still_reads_old_secrets_and_reencrypt_moves_them(make_app, make):
    old = make_app(TOTP_ENCRYPTION_KEY="the old key material")
    user = make.user(role="admin")
    secret, _codes = enable_two_factor(old, user.id)
    before = _stored(old, user.id)

    new = make_app(
        TOTP_ENCRYPTION_KEY="the new key material",
        TOTP_ENCRYPTION_OLD_KEYS=("the old key material",),
    )
    with new.app_context():
        assert db.session.get(User, user.id).totp_secret == secret
    result = new.test_cli_runner().invoke(args=["users", "reencrypt-2fa"])
    assert result.exit_code == 0, result.output
    assert _stored(new, user.id) != before

    only_new = make_app(TOTP_ENCRYPTION_KEY="the new key material")
    with only_new.app_context():
        assert db.session.get(User, user.id).totp_secret == secret


def test_the_migration_encrypts_existing_secrets(empty_database_url):  # noqa: F811
    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    secret = pyotp.random_base32()
    with app.app_context():
        flask_migrate.upgrade(revision="c7e2a91d0b34")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO users (email, name, role, active, password_hash, "
                    "session_version, totp_secret, totp_enabled, created_at, updated_at) "
                    "VALUES ('a@example.org', 'A', 'admin', true, 'x', 1, :secret, true, "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"secret": secret},
            )
        flask_migrate.upgrade()
        stored = db.session.execute(text("SELECT totp_secret FROM users")).scalar_one()
        assert secret not in stored
        assert db.session.scalar(db.select(User)).totp_secret == secret
        db.session.remove()  # end the reading transaction before ALTER TABLE
        flask_migrate.downgrade(revision="c7e2a91d0b34")
        assert db.session.execute(text("SELECT totp_secret FROM users")).scalar_one() == secret
        db.session.remove()
        db.engine.dispose()
