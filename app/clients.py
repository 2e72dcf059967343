"""Who is asking, without keeping their address in clear.

Rate limits and view counts need to tell clients apart, but a public body
should not store IP addresses. We key them with HMAC-SHA256 under the app's
secret, so the value is stable for counting and useless outside this install.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, request


def keyed_hash(value: str, purpose: str = "client") -> str:
    """Return a hex HMAC of *value*, separated by *purpose*."""
    key = current_app.config["SECRET_KEY"]
    if isinstance(key, str):
        key = key.encode()
    message = f"{purpose}:{value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def client_address() -> str:
    return request.remote_addr or "unknown"


def client_key() -> str:
    """Flask-Limiter key: a keyed hash of the client's address."""
    return keyed_hash(client_address(), "ratelimit")[:32]
