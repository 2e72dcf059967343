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


def test_underscore_in_templates_translates_escapes_and_formats_in_one_call(app, monkeypatch):
    """``_()`` in a template: the reader's language, the variables escaped,
    ``%%`` formatted as in Jinja's own alias, plain text in a template that
    does not escape, and nothing called through the template context but
    the function itself (Jinja's alias took three calls per string)."""
    import jinja2.runtime
    from flask_babel import force_locale

    calls = []
    original = jinja2.runtime.Context.call

    def counting(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        calls.append(args[0])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.runtime.Context, "call", counting)
    page = '{{ _("Pomysły") }}|{{ _("grupa „%(name)s”", name="<b>A</b>") }}|{{ _("100%% jasne") }}'
    with app.test_request_context():
        escaping = app.jinja_env.from_string(page)
        assert escaping.render() == "Pomysły|grupa „&lt;b&gt;A&lt;/b&gt;”|100% jasne"
        with force_locale("en"):
            assert escaping.render().startswith("Ideas|")
        plain = jinja2.Environment(autoescape=False, extensions=["jinja2.ext.i18n"])
        plain.globals.update(app.jinja_env.globals)
        assert plain.from_string(page).render().split("|")[1] == "grupa „<b>A</b>”"
    from app.i18n import template_gettext

    assert len(calls) == 3 * 3 and set(calls) == {template_gettext}
