"""Staff accounts."""

from __future__ import annotations

import enum
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime
from app.models.encrypted import EncryptedString

# argon2id with OWASP's recommended minimum (m=19 MiB, t=2, p=1).
password_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

# A hash to verify against when the e-mail is unknown, so both failures take
# the same time and say the same thing.
_DUMMY_HASH = password_hasher.hash("not-a-real-password-just-timing")

# Other parameters only when the app's PASSWORD_HASH_PARAMS names them: the
# test configuration does, so the suite's sign-ins are cheap. No other
# configuration sets it and it is not read from the environment.
_other_hashers: dict[tuple, tuple[PasswordHasher, str]] = {}


def active_hasher() -> tuple[PasswordHasher, str]:
    """The app's password hasher and a dummy hash made with it."""
    params = current_app.config.get("PASSWORD_HASH_PARAMS") if has_app_context() else None
    if not params:
        return password_hasher, _DUMMY_HASH
    key = tuple(sorted(params.items()))
    if key not in _other_hashers:
        hasher = PasswordHasher(**params)
        _other_hashers[key] = (hasher, hasher.hash("not-a-real-password-just-timing"))
    return _other_hashers[key]


class Role(enum.StrEnum):
    ADMIN = "admin"
    MODERATOR = "moderator"
    EDITOR = "editor"


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False, default=Role.EDITOR)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    # Bumped on sign-out-everywhere, password change and deactivation; the
    # session stores it, so an old cookie stops working at once.
    session_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # Encrypted at rest (app/models/encrypted.py); code sees the base32 secret.
    totp_secret: Mapped[str | None] = mapped_column(EncryptedString)
    totp_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # The last TOTP time step accepted, so a code cannot be used twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"

    # Flask-Login
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return bool(self.active)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        self.password_hash = active_hasher()[0].hash(password)

    def check_password(self, password: str) -> bool:
        hasher = active_hasher()[0]
        try:
            ok = hasher.verify(self.password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        if ok and hasher.check_needs_rehash(self.password_hash):
            self.set_password(password)
        return ok

    @staticmethod
    def burn_password_check(password: str) -> None:
        """Spend the same time as a real check, for an unknown e-mail."""
        hasher, dummy = active_hasher()
        try:
            hasher.verify(dummy, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            pass
