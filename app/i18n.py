"""Languages (Polish first, English second), time zone and formatting."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, format_decimal, get_locale

from app.extensions import babel


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


def format_when(value: datetime | date | None, style: str = "medium") -> str:
    """A date or datetime in Europe/Warsaw, formatted for the reader's language."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if style in ("long", "full"):
            # "11 grudnia 2026, 18:00": a date in words and a plain time.
            return f"{format_date(value, style)}, {format_datetime(value, 'HH:mm')}"
        return format_datetime(value, "short" if style == "short" else "medium")
    return format_date(value, style)


def format_number(value: int | float | None) -> str:
    """``27690`` → ``"27 690"`` in Polish (a non-breaking space groups digits)."""
    return format_decimal(value or 0)


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["when"] = format_when
    app.jinja_env.filters["date"] = lambda value, style="long": (
        format_date(value, style) if value else ""
    )
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.globals["current_language"] = current_language
