"""Content staff write in Polish, with an optional English version.

Consultations, categories, meetings and articles may carry ``<field>_en``
next to each Polish ``<field>``. The English interface shows the English
text when there is one, else the Polish text marked ``lang="pl"`` (so a
screen reader reads it in Polish); the Polish interface, the API and the
feeds always show the Polish text.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from markupsafe import Markup, escape

from app.i18n import current_language
from app.markdown import plain_text, render_markdown


def pick(obj: Any, field: str, language: str | None = None) -> tuple[str, str | None]:
    """``(text, lang)``: *lang* is ``"pl"`` when the English interface falls
    back to the Polish text, else None (the text is in the page's language)."""
    polish = getattr(obj, field, "") or ""
    if (language or current_language()) != "en":
        return polish, None
    english = (getattr(obj, f"{field}_en", "") or "").strip()
    if english:
        return english, None
    return polish, ("pl" if polish else None)


def text(obj: Any, field: str) -> str:
    """The text for the page's language, without markup (titles, attributes)."""
    return pick(obj, field)[0]


def inline(obj: Any, field: str) -> Markup:
    """The escaped text; wrapped in ``<span lang="pl">`` when it falls back."""
    value, lang = pick(obj, field)
    if lang:
        return Markup('<span lang="{}">{}</span>').format(lang, value)
    return escape(value)


def block(obj: Any, field: str, top_level: int = 2) -> Markup:
    """The field's Markdown as HTML; wrapped in ``<div lang="pl">`` when it falls back."""
    value, lang = pick(obj, field)
    html = render_markdown(value, top_level)
    if lang and html:
        return Markup('<div lang="{}">{}</div>').format(lang, html)
    return html


def summary(obj: Any, field: str, length: int = 160) -> str:
    """Plain text of a Markdown field, shortened (meta descriptions)."""
    return plain_text(pick(obj, field)[0], length)


def fallback_language(obj: Any, field: str) -> str | None:
    """``"pl"`` when the field is shown in Polish on the English interface."""
    return pick(obj, field)[1]


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        tr=inline,
        tr_text=text,
        tr_block=block,
        tr_summary=summary,
        tr_lang=fallback_language,
    )
