"""Secret links (confirmation, tracking, registrations).

A token carries 256 random bits; only its SHA-256 is stored, so a leaked
database does not hand out working links.
"""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> tuple[str, str]:
    """Return ``(token, token_hash)``: give the first out, store the second."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
