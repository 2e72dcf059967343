"""Parts of pages that look the same wherever they appear, rendered once.

The support, follow and comment forms under every idea are, while blank,
the same HTML for every idea and every reader of one language: labels,
hints, choices and field ids depend on the language alone. Rendering them
(WTForms widgets through the ``field`` macro) used to cost more than the
rest of an idea's page, so each worker keeps each one rendered per language
and reuses it::

    <form method="post" action="{{ url_for(...) }}">
      {{ form.csrf_token }}
      {%- call kept_fragment("support-form", form) %}
      ... the fields and the button ...
      {%- endcall %}
    </form>

What differs from page to page or reader to reader (the form's address,
the CSRF token: ``{{ csrf_input() }}``) stays outside the call. A view or a
template global that would build a new, empty form passes
``blank_form(FormClass)`` instead: the form is built only when its fragment
is rendered, not on every page that reuses it. A fragment is keyed by its name,
the language and any further values given (a form's class, a button's
label); a form given to it that is not blank (values typed in, errors to
show) makes the fragment render afresh and keeps nothing. Templates
reloading (debug) keep nothing either, and the number of kept fragments is
bounded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jinja2
from flask import Flask, current_app
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from app.i18n import current_language

# Names are literals in templates and extra key parts come from a small set
# (button labels), so this bound is never reached in practice; it is there
# so a template passing something unbounded cannot grow a worker's memory.
MAX_FRAGMENTS = 512


class BlankForm:
    """A new, empty form of *form_class*, built on first use: it stands in
    for ``form_class(formdata=None)`` in templates."""

    def __init__(self, form_class: type[FlaskForm]) -> None:
        self.form_class = form_class
        self._form: FlaskForm | None = None

    @property
    def form(self) -> FlaskForm:
        if self._form is None:
            self._form = self.form_class(formdata=None)
        return self._form

    def __getattr__(self, name: str) -> Any:
        return getattr(self.form, name)

    def __getitem__(self, name: str) -> Any:
        return self.form[name]

    def __contains__(self, name: str) -> bool:
        return name in self.form

    def __iter__(self):  # noqa: ANN204
        return iter(self.form)


def blank_form(form_class: type[FlaskForm]) -> BlankForm:
    return BlankForm(form_class)


def csrf_input() -> Markup:
    """The hidden CSRF field of a form rendered by hand (or in fragments)."""
    name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    return Markup('<input name="{}" type="hidden" value="{}">').format(name, generate_csrf())


def _values(form: FlaskForm) -> dict[str, Any]:
    """The form's values but its CSRF token (each reader's own)."""
    token = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    return {name: value for name, value in form.data.items() if name != token}


def _blank_data(form: FlaskForm) -> dict[str, Any]:
    """What a form of this class holds before anyone typed into it."""
    cache: dict[type, dict[str, Any]] = current_app.extensions["fragments"]["blank"]
    data = cache.get(type(form))
    if data is None:
        data = cache[type(form)] = _values(type(form)(formdata=None))
    return data


def is_blank(form: FlaskForm | BlankForm) -> bool:
    """Whether *form* shows what a new form of its class shows: no value
    typed in or given, no error."""
    if isinstance(form, BlankForm):
        if form._form is None:
            return True  # not even built yet
        form = form.form
    if form.errors:
        return False
    return _values(form) == _blank_data(form)


def kept_fragment(name: str, *key: Any, caller: Callable[[], Markup]) -> Markup:
    """The block's HTML, rendered once per (name, language, *key) and then
    reused. Forms among *key* must be blank for the block to be kept; each
    is part of the key by its class."""
    forms = [part for part in key if isinstance(part, (FlaskForm, BlankForm))]
    state = current_app.extensions["fragments"]
    if not state["enabled"] or not all(is_blank(form) for form in forms):
        return caller()
    store: dict[tuple, Markup] = state["kept"]
    # A form stands in the key by its class: two forms of one class, both
    # blank, render alike.
    full_key = (
        name,
        current_language(),
        *(_form_class(p) if isinstance(p, (FlaskForm, BlankForm)) else p for p in key),
    )
    html = store.get(full_key)
    if html is None:
        html = caller()  # a block of an autoescaped template: Markup already
        if len(store) < MAX_FRAGMENTS:
            store[full_key] = html
    return html


def _form_class(form: FlaskForm | BlankForm) -> type[FlaskForm]:
    return form.form_class if isinstance(form, BlankForm) else type(form)


class ImportingTemplate(jinja2.Template):
    """Jinja's template, importing macros without comparing every global.

    On every ``{% from "_macros.html" import field %}`` Jinja asks whether the
    importing page has globals the imported template lacks (it would then
    render a fresh module for it), by a set difference against a ChainMap's
    keys: a loop in Python over every global (about seventy here), four
    times on every idea page. When every global of the page is one of the
    environment's, the imported template has them all too, and the module
    rendered once is the answer, as Jinja itself would conclude."""

    def _get_default_module(self, ctx: Any = None) -> Any:
        if ctx is not None and ctx.globals_keys.issubset(self.environment.globals):
            ctx = None
        return super()._get_default_module(ctx)


def init_app(app: Flask) -> None:
    app.jinja_env.template_class = ImportingTemplate
    app.extensions["fragments"] = {
        "enabled": not (app.debug or app.config.get("TEMPLATES_AUTO_RELOAD")),
        "kept": {},
        "blank": {},
    }
    app.jinja_env.globals["kept_fragment"] = kept_fragment
    app.jinja_env.globals["csrf_input"] = csrf_input
