"""What the Atom feed and the sitemap take from directions."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from app.directions import lifecycle, services
from app.extensions import db
from app.models import Direction, DirectionEvent

# Changes worth a feed entry (an edit of the text or a milestone is not news).
FEED_EVENTS = ("created", "status", "idea_linked", "application")


def describe(event: DirectionEvent) -> str:
    """One line for the feed: what happened."""
    label = lifecycle.event_label(event.kind)
    if event.kind == "status":
        text = f"{label}: {lifecycle.status_label(event.to_status)}"
        return f"{text}. {event.message}" if event.message else text
    if event.kind == "application":
        status = lifecycle.application_label((event.data or {}).get("status"))
        return f"{label}: {event.message} ({status})"
    if event.kind == "idea_linked":
        return _("Kierunek wykorzystuje pomysł „%(title)s”", title=event.message or "")
    return str(label)


def recent_changes(limit: int) -> list[tuple[DirectionEvent, str]]:
    public = services.public_directions().subquery()
    events = db.session.scalars(
        select(DirectionEvent)
        .join(Direction, Direction.id == DirectionEvent.direction_id)
        .where(Direction.id.in_(select(public.c.id)), DirectionEvent.kind.in_(FEED_EVENTS))
        .options(contains_eager(DirectionEvent.direction))
        .order_by(DirectionEvent.created_at.desc(), DirectionEvent.id.desc())
        .limit(limit)
    ).all()
    return [(event, describe(event)) for event in events]


def public_slugs() -> list[tuple[str, datetime]]:
    public = services.public_directions().subquery()
    return list(db.session.execute(select(public.c.slug, public.c.updated_at)).tuples())
