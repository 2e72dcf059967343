"""CSRF protection on every state-changing request, and no GET that writes.

Both walk the app's URL map, so a route added later is covered too.
"""

from __future__ import annotations

import re

import pytest

from app.extensions import csrf
from tests.factories import Factory
from tests.security_support import row_counts
from tests.security_walk import load_demo_with_extras, rules, url_for_rule

CSRF_ON = pytest.mark.app_config(WTF_CSRF_ENABLED=True)
# Views allowed to skip CSRF: GET-only health check for load balancers, and
# the RFC 8058 one-click unsubscribes a mail program POSTs without cookie.
EXPECTED_EXEMPT = {
    "app.core.routes.healthz",
    "app.comments.routes.unsubscribe",
    "app.follows.routes.unsubscribe",
    "app.directions.routes.unsubscribe",
    "app.newsletters.routes.unsubscribe",
}


def sign_in_with_token(client, email: str) -> None:  # noqa: ANN001
    page = client.get("/staff/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/staff/login",
        data={"email": email, "password": Factory.PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302, "a real form with its token must work"


def test_only_the_health_check_and_one_click_unsubscribe_are_exempt_from_csrf(app):
    assert set(csrf._exempt_views) == EXPECTED_EXEMPT
    assert not csrf._exempt_blueprints


@pytest.mark.slow
@CSRF_ON
@pytest.mark.parametrize("token", [None, "wrong-token", "from-another-session"])
def test_every_post_route_refuses_a_missing_or_wrong_token(app, client, make, token):
    objects = load_demo_with_extras(app, make)
    admin = make.user(role="admin")
    sign_in_with_token(client, admin.email)
    if token == "from-another-session":
        other = app.test_client()
        page = other.get("/staff/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    before = row_counts(app)
    checked = []
    for rule in rules(app, "POST"):
        url = url_for_rule(rule, objects)
        assert url is not None, f"cannot build {rule.rule}: add its argument to security_walk"
        data = {"csrf_token": token} if token else {}
        data.update({"email": "atak@example.org", "name": "Atak", "reason": "x" * 40})
        response = client.post(url, data=data)
        assert response.status_code in (400, 404, 405), (rule.rule, response.status_code)
        checked.append(rule.rule)
    assert row_counts(app) == before
    assert len(checked) > 40
    # Still signed in: nothing above signed the admin out.
    assert client.get("/staff/account").status_code == 200


@CSRF_ON
def test_the_language_switch_and_sign_out_need_a_token_too(client, login):
    assert client.post("/language", data={"lang": "en"}).status_code == 400
    assert client.post("/staff/logout").status_code == 400


def _get_routes_without_arguments(app) -> list[str]:  # noqa: ANN001
    return [
        rule.rule for rule in rules(app, "GET") if not (rule.arguments - set(rule.defaults or {}))
    ]


@pytest.mark.slow
@pytest.mark.parametrize("as_staff", [False, True], ids=["anonymous", "admin"])
def test_no_get_route_writes_to_the_database(app, client, make, as_staff):
    load_demo_with_extras(app, make)
    if as_staff:
        admin = make.user(role="admin")
        client.post("/staff/login", data={"email": admin.email, "password": Factory.PASSWORD})
    before = row_counts(app)
    paths = _get_routes_without_arguments(app)
    assert "/" in paths and "/staff/" in paths and "/ideas" in paths
    for path in paths:
        response = client.get(path)
        assert response.status_code < 500, path
        assert row_counts(app) == before, f"GET {path} wrote to the database"


@pytest.mark.slow
def test_html_pages_carry_no_inline_script_or_style(app, client, make):
    load_demo_with_extras(app, make)
    admin = make.user(role="admin")
    client.post("/staff/login", data={"email": admin.email, "password": Factory.PASSWORD})
    for path in _get_routes_without_arguments(app):
        response = client.get(path)
        if response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        for attributes, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S):
            assert "src=" in attributes and not body.strip(), path
        assert not re.search(r"<[a-z][^>]*\sstyle=", html), path
        assert not re.search(r"<[a-z][^>]*\son[a-z]+=", html), path
