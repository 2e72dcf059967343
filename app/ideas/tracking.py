"""The author's private tracking link, for every mail about the idea.

Like a registration's link, the token is derived from a per-idea nonce and
``SECRET_KEY`` (only its hash is looked up), so each mail to the author can
carry the same working link instead of sending them hunting for the first one.
"""

from __future__ import annotations

import base64
import secrets

from app.clients import keyed_hash
from app.models import Idea
from app.security.tokens import hash_token
from app.web import external_url


def _derive(nonce: str) -> str:
    digest = bytes.fromhex(keyed_hash(nonce, "idea-tracking-link"))
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def issue_tracking_token(idea: Idea) -> str:
    """Give *idea* a new tracking link; the old one stops working."""
    idea.track_token_nonce = secrets.token_urlsafe(24)
    token = _derive(idea.track_token_nonce)
    idea.track_token_hash = hash_token(token)
    return token


def tracking_url(idea: Idea) -> str | None:
    """The working tracking link of *idea*, or None when there is none
    (not confirmed yet, erased, or issued before links were derived)."""
    if not idea.track_token_nonce or not idea.track_token_hash:
        return None
    token = _derive(idea.track_token_nonce)
    if hash_token(token) != idea.track_token_hash:
        return None
    return external_url("ideas.track", token=token)
