"""The role matrix, derived from the one table of who may do what.

Every ``/staff`` route in ``app.url_map`` must record the permission it
checks (``permission_required`` sets ``view.permission``); for each route,
method and role the test expects exactly what ``PERMISSIONS`` says:
anonymous → the sign-in page, a role without the permission → 403, a role
with it → through (anything but 403 or the sign-in page). A new staff route
without a recorded permission fails here.
"""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter

from app import create_app
from app.models import IdeaStatus
from app.security.permissions import PERMISSIONS
from config import TestConfig

# The only staff paths anyone may reach: signing in (with its second,
# two-factor step, which by nature comes before the account is signed in)
# and signing out. Listed one by one, so any new route still has to declare
# its permission.
OPEN_PATHS = {"/staff/login", "/staff/login/code", "/staff/logout"}
ROLES = ("editor", "moderator", "admin")
# Ids that exist nowhere: a permitted request gets as far as the lookup (404)
# without changing anything.
MISSING_ID = 987654321


def _staff_routes() -> list[tuple[str, str, str]]:
    """(path pattern, endpoint, method) for every staff route, at collection time."""
    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    cases = []
    for rule in app.url_map.iter_rules():
        if not (rule.rule == "/staff" or rule.rule.startswith("/staff/")):
            continue
        if rule.rule in OPEN_PATHS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            cases.append((rule.rule, rule.endpoint, method))
    return sorted(cases)


STAFF_ROUTES = _staff_routes()


def _rule(app, pattern: str, endpoint: str):  # noqa: ANN001, ANN202
    return next(
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule == pattern and rule.endpoint == endpoint
    )


def _url(app, make, pattern: str, endpoint: str, method: str) -> str:  # noqa: ANN001
    rule = _rule(app, pattern, endpoint)
    values: dict[str, object] = {}
    for name in rule.arguments:
        if isinstance(rule._converters[name], IntegerConverter):
            if name == "idea_id" and method == "GET":
                # A published idea: the one kind of idea editors may open.
                values[name] = make.idea(status=IdeaStatus.PUBLISHED).id
            else:
                values[name] = MISSING_ID
        else:
            values[name] = "nie-ma-takiego"
    built = rule.build(values, append_unknown=False)
    assert built is not None, pattern
    return built[1]


def test_the_matrix_covers_the_staff_area():
    endpoints = {endpoint for _, endpoint, _ in STAFF_ROUTES}
    for expected in (
        "staff.dashboard",
        "moderation.queue",
        "moderation.review",
        "moderation.decision",
        "moderation.audit",
    ):
        assert expected in endpoints


def test_every_staff_route_records_a_known_permission(app):
    missing = [
        f"{method} {pattern} ({endpoint})"
        for pattern, endpoint, method in STAFF_ROUTES
        if getattr(app.view_functions[endpoint], "permission", None) not in PERMISSIONS
    ]
    assert not missing, "staff routes without permission_required: " + ", ".join(missing)


def test_contract_permissions_hold():
    assert PERMISSIONS["moderate"] == {"admin", "moderator"}
    assert PERMISSIONS["read_audit"] == {"admin"}
    assert PERMISSIONS["answer_ideas"] == {"admin", "moderator", "editor"}


@pytest.mark.parametrize("who", ["anonymous", *ROLES])
@pytest.mark.parametrize(
    ("pattern", "endpoint", "method"),
    STAFF_ROUTES,
    ids=[f"{method} {pattern}" for pattern, _, method in STAFF_ROUTES],
)
def test_role_matrix(app, client, make, login, pattern, endpoint, method, who):
    permission = getattr(app.view_functions[endpoint], "permission", None)
    assert permission in PERMISSIONS, f"{pattern} ({endpoint}) records no permission"
    if who != "anonymous":
        login(who)
    url = _url(app, make, pattern, endpoint, method)
    response = client.open(url, method=method)
    location = response.headers.get("Location", "")
    # The refusal of an anonymous request: the sign-in page, asked to come
    # back here afterwards (a route that signs its user out, such as "end
    # all sessions", also lands on the sign-in page, but with no way back).
    to_sign_in = (
        response.status_code in (301, 302, 303)
        and "/staff/login" in location
        and "next=" in location
    )

    if who == "anonymous":
        assert to_sign_in, f"{method} {url}: {response.status_code} {location}"
    elif who not in PERMISSIONS[permission]:
        assert response.status_code == 403, f"{method} {url} as {who}: {response.status_code}"
    else:
        assert response.status_code != 403, f"{method} {url} as {who}"
        assert not to_sign_in, f"{method} {url} as {who} was sent to sign in"
        assert response.status_code < 500, f"{method} {url} as {who}: {response.status_code}"
