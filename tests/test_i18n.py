"""Languages: Polish by default, English on request."""

from __future__ import annotations


def test_polish_is_the_default_language(client):
    body = client.get("/").get_data(as_text=True)
    assert '<html lang="pl">' in body
    assert "Zgłoś pomysł" in body


def test_language_switcher_is_a_post_and_remembers_the_choice(client):
    response = client.post("/language", data={"lang": "en", "next": "/processes"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/processes"
    body = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in body
    client.post("/language", data={"lang": "pl", "next": "/"})
    assert '<html lang="pl">' in client.get("/").get_data(as_text=True)


def test_language_switcher_ignores_unknown_languages_and_offsite_next(client):
    response = client.post("/language", data={"lang": "xx", "next": "https://evil.example.com/"})
    assert response.headers["Location"] == "/"
    assert '<html lang="pl">' in client.get("/").get_data(as_text=True)


def test_language_can_be_chosen_per_request(client):
    assert '<html lang="en">' in client.get("/?lang=en").get_data(as_text=True)


def test_switching_language_by_get_is_not_possible(client):
    assert client.get("/language?lang=en").status_code == 405


def test_switching_language_drops_a_lang_parameter_but_keeps_the_rest(client):
    response = client.post(
        "/language", data={"lang": "en", "next": "/ideas?lang=pl&q=energia&category=x"}
    )
    assert response.headers["Location"] == "/ideas?q=energia&category=x"
