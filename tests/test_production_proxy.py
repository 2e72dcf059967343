"""Behind a reverse proxy: ProxyFix is configurable, and trusting it decides
whose address the rate limits count."""

from __future__ import annotations

import pytest
from flask import request, url_for

from app.clients import client_key

WRONG = {"email": "nikt@example.org", "password": "to nie jest hasło"}
PROXY = {"REMOTE_ADDR": "10.0.0.2"}  # the proxy's own address


def with_probe(app):
    @app.route("/_client_probe")
    def client_probe():
        return {
            "remote_addr": request.remote_addr,
            "key": client_key(),
            "scheme": request.scheme,
            "external": url_for("core.home", _external=True),
        }

    return app


def probe(app, headers: dict[str, str]) -> dict:
    return app.test_client().get("/_client_probe", headers=headers, environ_base=PROXY).json


def test_with_proxy_fix_the_client_address_comes_from_x_forwarded_for(make_app):
    app = with_probe(make_app(PROXY_FIX_X_FOR=1))
    assert probe(app, {"X-Forwarded-For": "203.0.113.7"})["remote_addr"] == "203.0.113.7"


def test_without_proxy_fix_x_forwarded_for_is_ignored(make_app):
    app = with_probe(make_app(PROXY_FIX_X_FOR=0))
    assert probe(app, {"X-Forwarded-For": "203.0.113.7"})["remote_addr"] == "10.0.0.2"


def test_only_the_address_our_proxy_added_is_trusted(make_app):
    # A client may send its own X-Forwarded-For; with one proxy in front we
    # take the last entry, the one that proxy appended.
    app = with_probe(make_app(PROXY_FIX_X_FOR=1))
    seen = probe(app, {"X-Forwarded-For": "198.51.100.99, 203.0.113.7"})
    assert seen["remote_addr"] == "203.0.113.7"


def test_two_proxies_in_front_take_the_second_last_address(make_app):
    app = with_probe(make_app(PROXY_FIX_X_FOR=2))
    seen = probe(app, {"X-Forwarded-For": "198.51.100.99, 203.0.113.7, 10.0.0.1"})
    assert seen["remote_addr"] == "203.0.113.7"


@pytest.mark.parametrize(("setting", "scheme"), [(1, "https"), (0, "http")])
def test_x_forwarded_proto_is_trusted_only_when_configured(make_app, setting, scheme):
    app = with_probe(make_app(PROXY_FIX_X_PROTO=setting))
    seen = probe(app, {"X-Forwarded-Proto": "https"})
    assert seen["scheme"] == scheme
    assert seen["external"].startswith(f"{scheme}://")


def test_the_rate_limit_key_follows_the_forwarded_address(make_app):
    app = with_probe(make_app(PROXY_FIX_X_FOR=1))
    first = probe(app, {"X-Forwarded-For": "203.0.113.7"})["key"]
    assert probe(app, {"X-Forwarded-For": "203.0.113.7"})["key"] == first
    assert probe(app, {"X-Forwarded-For": "203.0.113.8"})["key"] != first
    assert "203.0.113.7" not in first  # a keyed hash, never the address


def test_behind_a_proxy_each_resident_has_their_own_limit(make_app):
    app = make_app(
        PROXY_FIX_X_FOR=1,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_LOGIN="2 per minute",
    )
    client = app.test_client()

    def attempt(address: str) -> int:
        return client.post(
            "/staff/login", data=WRONG, headers={"X-Forwarded-For": address}, environ_base=PROXY
        ).status_code

    assert [attempt("203.0.113.7") for _ in range(3)] == [400, 400, 429]
    assert attempt("203.0.113.8") == 400


def test_without_proxy_fix_a_forged_header_does_not_escape_the_limit(make_app):
    app = make_app(
        PROXY_FIX_X_FOR=0,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_LOGIN="2 per minute",
    )
    client = app.test_client()
    statuses = [
        client.post(
            "/staff/login",
            data=WRONG,
            headers={"X-Forwarded-For": f"198.51.100.{n}"},
            environ_base=PROXY,
        ).status_code
        for n in range(3)
    ]
    assert statuses == [400, 400, 429]
