"""Error pages in the site's look, JSON errors under /api/."""

from __future__ import annotations

import pytest


def _is_site_page(response) -> bool:
    body = response.get_data(as_text=True)
    return 'lang="pl"' in body and 'id="main"' in body and "Odkrywka" in body


def test_unknown_page_is_a_404_page_in_the_site_look(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert _is_site_page(response)
    assert "Nie znaleziono strony" in response.get_data(as_text=True)


def test_role_without_the_right_gets_a_403_page(client, login):
    login("editor")
    response = client.get("/staff/users")
    assert response.status_code == 403
    assert _is_site_page(response)
    assert "Brak dostępu" in response.get_data(as_text=True)


def test_wrong_method_gets_a_405_page_with_allow_header(client):
    response = client.get("/staff/logout")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert _is_site_page(response)


@pytest.mark.app_config(MAX_CONTENT_LENGTH=1024)
def test_oversized_request_gets_a_413_page(client):
    response = client.post("/staff/login", data={"email": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    assert _is_site_page(response)
    assert "Za duży plik" in response.get_data(as_text=True)


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="2 per minute")
def test_too_many_sign_in_attempts_get_a_429_page(client):
    for _ in range(2):
        client.post("/staff/login", data={"email": "a@b.pl", "password": "wrong-password"})
    response = client.post("/staff/login", data={"email": "a@b.pl", "password": "wrong-password"})
    assert response.status_code == 429
    assert _is_site_page(response)
    assert "Za dużo prób" in response.get_data(as_text=True)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_missing_csrf_token_gets_a_clear_400_page(client):
    response = client.post("/staff/login", data={"email": "a@b.pl", "password": "x"})
    assert response.status_code == 400
    assert _is_site_page(response)
    assert "Odśwież stronę" in response.get_data(as_text=True)


def test_unexpected_error_gets_a_500_page_and_rolls_back(app):
    @app.route("/boom")
    def boom():
        raise RuntimeError("kaboom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert _is_site_page(response)
    assert "kaboom" not in response.get_data(as_text=True)


def test_api_errors_are_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.is_json
    assert response.json["error"] == "not_found"
    assert response.json["message"]


def test_api_405_is_json(client):
    response = client.post("/api/v1/ideas")
    assert response.status_code == 405
    assert response.json["error"] == "method_not_allowed"


def test_error_pages_follow_the_chosen_language(client):
    client.post("/language", data={"lang": "en", "next": "/"})
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert 'lang="en"' in response.get_data(as_text=True)


def test_no_route_takes_an_id_no_database_column_can_hold(app, client):
    """Every ``<int:…>`` in every route stops at the largest 32-bit id: a
    bigger number is a plain 404 before any view runs (PostgreSQL would
    otherwise refuse it as a query parameter and answer 500)."""
    from werkzeug.exceptions import NotFound
    from werkzeug.routing import IntegerConverter

    adapter = app.url_map.bind("localhost")
    checked = 0
    for rule in app.url_map.iter_rules():
        ids = {n for n, c in rule._converters.items() if isinstance(c, IntegerConverter)}
        if not ids:
            continue
        values = {name: (2**31 if name in ids else "x") for name in rule.arguments}
        path = adapter.build(rule.endpoint, values, force_external=False)
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"OPTIONS"})[0]
        with pytest.raises(NotFound):
            adapter.match(path, method=method)  # no route takes it
        assert client.open(path, method=method).status_code == 404, (rule.rule, method)
        checked += 1
    assert checked > 30
