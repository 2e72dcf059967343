"""Blank forms rendered once per language (app/fragments.py) and the
per-request translations (app.i18n.page_translations)."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string
from flask_babel import force_locale

from app.catalogue.forms import SupportForm
from app.comments.forms import CommentForm
from app.follows.forms import FollowForm, FollowIdeaForm
from app.models import Process

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def kept(app) -> dict:  # noqa: ANN001
    return app.extensions["fragments"]["kept"]


def form_html(html: str, action: str) -> str:
    """The whole <form> posting to *action*."""
    start = html.index(f'action="{action}"')
    return html[html.rindex("<form", 0, start) : html.index("</form>", start)]


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_the_forms_under_an_idea_are_rendered_once_and_reused_for_other_ideas(app, make):
    first, second = make.idea(title="Ścieżka rowerowa"), make.idea(title="Park nad zalewem")
    client = app.test_client()
    kept(app).clear()
    html_a = client.get(f"/ideas/{first.id}").get_data(as_text=True)
    keys = {key[:2] + key[2:3] for key in kept(app)}
    assert {("support-form", "pl", SupportForm), ("comment-form", "pl", CommentForm)} <= keys
    assert ("follow-form", "pl", FollowIdeaForm) in keys
    stored = dict(kept(app))

    html_b = client.get(f"/ideas/{second.id}").get_data(as_text=True)
    assert kept(app) == stored  # nothing rendered anew
    # Each form still posts to its own idea, with the reader's own token.
    for path in ("/ideas/{}/support", "/ideas/{}/comments", "/follow/ideas/{}"):
        form_a, form_b = form_html(html_a, path.format(first.id)), form_html(html_b, path.format(second.id))
        assert CSRF.search(form_b), path
        same_a = CSRF.sub("", form_a).replace(path.format(first.id), "#")
        assert same_a == CSRF.sub("", form_b).replace(path.format(second.id), "#")
    token = CSRF.search(form_html(html_b, f"/ideas/{second.id}/support")).group(1)
    answer = client.post(
        f"/ideas/{second.id}/support", data={"email": "ola@example.org", "csrf_token": token}
    )
    assert answer.status_code == 302


def test_blank_forms_are_built_only_when_their_fragment_is_rendered(app, make, monkeypatch):
    """Once the fragments are kept, another idea's page builds none of the
    three forms it shows (building them cost more than reusing them)."""
    first, second = make.idea(), make.idea()
    built = []
    for form_class in (SupportForm, CommentForm, FollowIdeaForm):
        original = form_class.__init__

        def counting(self, *args, _original=original, **kwargs):  # noqa: ANN001, ANN002, ANN003
            built.append(type(self).__name__)
            _original(self, *args, **kwargs)

        monkeypatch.setattr(form_class, "__init__", counting)
    client = app.test_client()
    kept(app).clear()
    client.get(f"/ideas/{first.id}")
    assert sorted(set(built)) == ["CommentForm", "FollowIdeaForm", "SupportForm"]
    built.clear()
    page = client.get(f"/ideas/{second.id}").get_data(as_text=True)
    assert built == []
    assert 'name="email"' in form_html(page, f"/ideas/{second.id}/support")


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_what_one_person_typed_is_shown_to_them_and_never_kept_for_the_next(app, make):
    idea = make.idea()
    alice, bob = app.test_client(), app.test_client()
    page = alice.get(f"/ideas/{idea.id}").get_data(as_text=True)
    token = CSRF.search(page).group(1)
    kept(app).clear()  # Alice's answer is the first to render the forms
    refused = alice.post(
        f"/ideas/{idea.id}/support",
        data={"email": "ala@@example", "notify": "y", "csrf_token": token},
        follow_redirects=True,
    )
    html = refused.get_data(as_text=True)
    assert 'value="ala@@example"' in html  # what was typed comes back
    assert "is-invalid" in html and "Popraw błędy w formularzu" in html

    fresh = bob.get(f"/ideas/{idea.id}").get_data(as_text=True)
    support = form_html(fresh, f"/ideas/{idea.id}/support")
    assert "ala@@example" not in fresh
    assert "is-invalid" not in support and "checked" not in support
    # Alice's own page shows the blank form again once her message was read.
    again = alice.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "ala@@example" not in again


def test_a_fragment_is_kept_per_language_and_per_form(app, make):
    idea = make.idea()
    process = make.get(Process, idea.process_id)
    client = app.test_client()
    polish = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    english = client.get(f"/ideas/{idea.id}?lang=en").get_data(as_text=True)
    assert "Popieram ten pomysł" in polish and "Popieram ten pomysł" not in english
    assert "I support this idea" in english
    assert ("support-form", "en", SupportForm) in {k[:3] for k in kept(app)}
    # The consultation's follow form has no "comments" box; the idea's has.
    page = client.get(f"/processes/{process.slug}").get_data(as_text=True)
    follow = form_html(page, f"/follow/processes/{process.slug}")
    assert 'name="comments"' not in follow
    assert 'name="comments"' in form_html(polish, f"/follow/ideas/{idea.id}")
    assert ("follow-form", "pl", FollowForm) in {k[:3] for k in kept(app)}


@pytest.mark.app_config(TEMPLATES_AUTO_RELOAD=True)
def test_nothing_is_kept_while_templates_reload(app, make):
    idea = make.idea()
    client = app.test_client()
    assert client.get(f"/ideas/{idea.id}").status_code == 200
    assert kept(app) == {}


def test_translations_follow_a_locale_forced_within_the_request(app):
    template = '{{ _("Pomysły") }}|{{ ngettext("%(num)s komentarz", "%(num)s komentarzy", 5) }}'
    with app.test_request_context("/"):
        assert render_template_string(template) == "Pomysły|5 komentarzy"
        with force_locale("en"):
            assert render_template_string(template) == "Ideas|5 comments"
        assert render_template_string(template) == "Pomysły|5 komentarzy"
    with app.test_request_context("/?lang=en"):
        assert render_template_string(template) == "Ideas|5 comments"


def current_section(html: str) -> list[str]:
    return re.findall(r'<a class="nav-link active" href="([^"]+)" aria-current="page">', html)


def test_the_menu_and_footer_are_kept_per_section_and_per_signed_in_state(app, client, make):
    idea = make.idea()
    assert current_section(client.get("/ideas").get_data(as_text=True)) == ["/ideas"]
    assert current_section(client.get(f"/ideas/{idea.id}").get_data(as_text=True)) == ["/ideas"]
    assert current_section(client.get("/articles").get_data(as_text=True)) == ["/articles"]
    assert current_section(client.get("/privacy").get_data(as_text=True)) == []
    public = client.get("/").get_data(as_text=True)
    assert "Logowanie dla zespołu" in public and "Panel zespołu" not in public

    make.user(role="moderator", email="mod@example.org")
    login = client.post(
        "/staff/login", data={"email": "mod@example.org", "password": make.PASSWORD}
    )
    assert login.status_code == 302
    staff = client.get("/ideas").get_data(as_text=True)
    assert "Logowanie dla zespołu" not in staff and "Panel zespołu" in staff
    assert current_section(staff) == ["/ideas"]
    english = client.get("/ideas?lang=en").get_data(as_text=True)
    assert ">Ideas</a>" in english and "Staff sign-in" not in english


def test_importing_macros_reuses_the_module_without_comparing_every_global(app, make, monkeypatch):
    """A page's imports (``{% from … import … %}``) take the module rendered
    once, without a ChainMap look-up per global; a template given globals
    of its own still gets a module that sees them."""
    import collections

    import jinja2

    idea = make.idea()
    client = app.test_client()
    assert client.get(f"/ideas/{idea.id}").status_code == 200  # templates loaded
    looked_up = []
    original = collections.ChainMap.__contains__

    def counting(self, key):  # noqa: ANN001, ANN202
        looked_up.append(key)
        return original(self, key)

    monkeypatch.setattr(collections.ChainMap, "__contains__", counting)
    with app.test_request_context():
        html = app.jinja_env.from_string(
            '{% from "_macros.html" import error_summary %}{{ error_summary(None) }}ok'
        ).render()
    assert html.endswith("ok") and looked_up == []

    app.jinja_env.loader = jinja2.ChoiceLoader([
        jinja2.DictLoader({"own.html": "{% macro shout() %}{{ own_word }}!{% endmacro %}"}),
        app.jinja_env.loader,
    ])  # fmt: skip
    try:
        page = app.jinja_env.from_string(
            '{% from "own.html" import shout %}{{ shout() }}', globals={"own_word": "Hej"}
        )
        assert page.render() == "Hej!"
    finally:
        app.jinja_env.loader = app.jinja_env.loader.loaders[1]


def test_the_layout_around_every_page_is_rendered_once_per_language(make_app, make, monkeypatch):
    """The styles, the feeds' links, the header and the scripts look the same
    on every page of one language: rendered for the first page, then reused."""
    from app.extensions import bootstrap

    first, second = make.idea(), make.idea()
    client = make_app().test_client()  # a worker that has kept nothing yet
    assert client.get(f"/ideas/{first.id}").status_code == 200
    built = []
    for name in ("load_css", "load_js"):
        original = getattr(bootstrap, name)
        monkeypatch.setattr(
            bootstrap, name, lambda *a, _o=original, _n=name, **k: built.append(_n) or _o(*a, **k)
        )
    html = client.get(f"/ideas/{second.id}?x=1").get_data(as_text=True)
    assert built == []
    assert 'href="/static/css/site.css"' in html and "bootstrap" in html and "Zgłoś pomysł" in html
    english = client.get(f"/ideas/{second.id}?lang=en").get_data(as_text=True)
    assert built == ["load_css", "load_js"]
    assert "Submit an idea" in english and "Zgłoś pomysł" not in english
