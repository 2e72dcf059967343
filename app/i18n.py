"""Languages (Polish first, English second), time zone and formatting."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache

from babel import dates
from babel.dates import format_interval
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    get_locale,
    get_translations,
)
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from app.extensions import babel
from app.timeutil import LOCAL_TZ


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.args.get("lang") or session.get("lang")
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else "pl"


# Two forms of a date, one per context: "long" for prose ("11 grudnia 2026,
# 18:00"), "short" for tables and lists ("11.12.2026, 18:00"). Any other
# style asked for is the short one; times never show seconds.
PROSE = ("long", "full")


def format_when(value: datetime | date | None, style: str = "short") -> str:
    """A date or datetime in Europe/Warsaw, formatted for the reader's language."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if style in PROSE:
            # "11 grudnia 2026, 18:00": a date in words and a plain time.
            return f"{format_date(value, 'long')}, {format_datetime(value, 'HH:mm')}"
        return format_datetime(value, "short")
    return format_day(value, style)


def format_day(value: date | None, style: str = "long") -> str:
    """A calendar day: "11 grudnia 2026" in prose, "11.12.2026" in tables."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        # Every reader's time zone is Warsaw's (BABEL_DEFAULT_TIMEZONE, no selector).
        value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(LOCAL_TZ).date()
    # Kept per language and day: every card of a catalogue page shows one.
    return _day(str(get_locale() or "pl"), value, "long" if style in PROSE else "short")


@lru_cache(maxsize=4096)
def _day(locale: str, day: date, style: str) -> str:
    return dates.format_date(day, style, locale=locale)


def format_days(start: date | None, end: date | None = None, style: str = "long") -> str:
    """A span of days shown once: "9–11 grudnia 2026"; a one-day span (or no
    end) is that one date."""
    if start is None:
        return ""
    if end is None or end == start:
        return format_day(start, style)
    skeleton = "yMMMMd" if style in PROSE else "yMd"
    return format_interval(start, end, skeleton, locale=get_locale())


def format_number(value: int | float | None) -> str:
    """``27690`` → ``"27 690"`` in Polish (a non-breaking space groups digits)."""
    return format_decimal(value or 0)


def page_translations():  # noqa: ANN201 - babel.support.Translations
    """The translations of the locale in force, found once per request.

    Flask-Babel finds them anew for every string (three context lookups and
    the locale's name each time), which is most of what the dozens of
    ``_()`` calls in a page cost. They are kept on Babel's own per-request
    record beside the locale object they belong to, so ``force_locale``
    (a mail rendered in its recipient's language) and ``refresh`` are
    followed: another locale object, another lookup."""
    record = g.get("_flask_babel") if has_request_context() else None
    locale = getattr(record, "babel_locale", None)
    if locale is None:
        return get_translations()
    kept = getattr(record, "odkrywka_translations", None)
    if kept is not None and kept[0] is locale:
        return kept[1]
    translations = get_translations()
    record.odkrywka_translations = (locale, translations)
    return translations


@pass_context
def template_gettext(context: Context, string: str, **variables: object) -> str:
    """``_()`` in templates: what Jinja's own alias does (the translation, as
    markup where the template escapes, always formatted with the variables)
    without its two extra calls through the context for each of the dozens
    of strings on a page."""
    translated = page_translations().ugettext(string)
    if context.eval_ctx.autoescape:
        # Our own catalogue's text, as Jinja's alias treats it; the variables
        # are escaped by Markup's %.
        translated = Markup(translated)  # noqa: S704  # nosec B704
    return translated % variables


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: page_translations().ugettext(s),
        ngettext=lambda s, p, n: page_translations().ungettext(s, p, n),
        pgettext=lambda c, s: page_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: page_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals["_"] = template_gettext
    app.jinja_env.filters["when"] = format_when
    app.jinja_env.filters["date"] = format_day
    app.jinja_env.globals["date_span"] = format_days
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.globals["current_language"] = current_language
