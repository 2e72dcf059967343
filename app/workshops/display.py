"""Template helpers for meetings: kind names and a readable time span."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask_babel import format_date, format_datetime
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.markdown import _parser, render_markdown
from app.models.workshop import Workshop, WorkshopKind
from app.timeutil import LOCAL_TZ


def kind_labels() -> dict[str, str]:
    return {
        WorkshopKind.EXPERT_MEETING: _l("Spotkanie z ekspertami"),
        WorkshopKind.WORKSHOP: _l("Warsztaty"),
        WorkshopKind.SUMMARY_MEETING: _l("Spotkanie podsumowujące"),
        WorkshopKind.ONLINE: _l("Spotkanie online"),
    }


def kind_label(kind: str) -> str:
    return str(kind_labels().get(kind, kind))


def time_span(workshop: Workshop) -> str:
    """``"11 grudnia 2026, 18:00–20:30"`` (Warsaw time); both dates when it
    runs over midnight."""
    start: datetime = workshop.starts_at
    end: datetime = workshop.ends_at
    same_day = start.astimezone(LOCAL_TZ).date() == end.astimezone(LOCAL_TZ).date()
    first = f"{format_date(start, 'long')}, {format_datetime(start, 'HH:mm')}"
    if same_day:
        return f"{first}–{format_datetime(end, 'HH:mm')}"
    return f"{first} – {format_date(end, 'long')}, {format_datetime(end, 'HH:mm')}"


def section_markdown(text: str | None, top_level: int = 3) -> Markup:
    """Markdown inside a page section: its highest heading becomes *top_level*,
    whether the author started with ``#``, ``##`` or ``###`` (no skipped levels)."""
    tokens = _parser().parse(text or "")
    levels = [int(token.tag[1]) for token in tokens if token.type == "heading_open"]
    highest = min(levels) if levels else 1
    return render_markdown(text, top_level - highest + 1)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["section_markdown"] = section_markdown
    app.jinja_env.globals["workshop_kind_label"] = kind_label
    app.jinja_env.globals["workshop_time_span"] = time_span
