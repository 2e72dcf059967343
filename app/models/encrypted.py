"""A column whose value is encrypted at rest (Fernet: AES-128-CBC + HMAC).

The key is derived with HKDF-SHA256 from ``TOTP_ENCRYPTION_KEY``, or from
``SECRET_KEY`` when that is not set. Keys named in
``TOTP_ENCRYPTION_OLD_KEYS`` (comma-separated) still decrypt, so a key can be
rotated: set the new one, keep the old one there, run
``flask --app wsgi users reencrypt-2fa`` (every value is written again with
the new key), then drop the old one.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

_INFO = b"odkrywka:totp-secret:v1"


@lru_cache(maxsize=16)
def derived_fernet(material: str | bytes, info: bytes = _INFO) -> Fernet:
    """A Fernet whose key is derived (HKDF-SHA256) from *material* for the
    purpose *info*; derived once per process for each pair."""
    raw = material.encode("utf-8") if isinstance(material, str) else material
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(raw)
    return Fernet(base64.urlsafe_b64encode(key))


@lru_cache(maxsize=8)
def _cipher(current: str, old: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([derived_fernet(material) for material in (current, *old)])


def cipher() -> MultiFernet:
    """The cipher for the current configuration: encrypts with the current
    key, decrypts with it or any old one."""
    config = current_app.config
    current = config.get("TOTP_ENCRYPTION_KEY") or config.get("SECRET_KEY")
    if not current:
        raise RuntimeError("SECRET_KEY (or TOTP_ENCRYPTION_KEY) is needed to encrypt secrets")
    old = config.get("TOTP_ENCRYPTION_OLD_KEYS") or ()
    if isinstance(old, str):
        old = old.split(",")
    return _cipher(str(current), tuple(k.strip() for k in old if k and k.strip()))


def encrypt(value: str) -> str:
    return cipher().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as error:
        raise RuntimeError(
            "An encrypted column cannot be read with the configured keys: was "
            "SECRET_KEY or TOTP_ENCRYPTION_KEY changed without listing the old one "
            "in TOTP_ENCRYPTION_OLD_KEYS?"
        ) from error


class EncryptedString(TypeDecorator):
    """A string stored encrypted; Python code sees the clear value."""

    impl = String(255)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else encrypt(str(value))

    def process_result_value(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else decrypt(value)
