"""What the home page shows. Each feature contributes a part, if present."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.articles.queries import latest_published
from app.extensions import db
from app.models import Idea, IdeaStatus, Process, Workshop, utcnow


def open_process() -> Process | None:
    """The consultation to feature: the one accepting ideas, else the newest."""
    processes = db.session.scalars(
        select(Process).where(Process.published.is_(True)).order_by(Process.opens_at.desc())
    ).all()
    for process in processes:
        if process.accepts_ideas():
            return process
    return processes[0] if processes else None


def home_page_context() -> dict[str, Any]:
    now = utcnow()
    recent_ideas = db.session.scalars(
        select(Idea)
        .where(Idea.status == IdeaStatus.PUBLISHED)
        .options(selectinload(Idea.category))
        .order_by(Idea.published_at.desc(), Idea.id.desc())
        .limit(6)
    ).all()
    upcoming = db.session.scalars(
        select(Workshop)
        .where(Workshop.published.is_(True), Workshop.starts_at > now)
        .order_by(Workshop.starts_at)
        .limit(3)
    ).all()
    return {
        "process": open_process(),
        "recent_ideas": recent_ideas,
        "upcoming_workshops": upcoming,
        "latest_articles": latest_articles(3),
    }


def latest_articles(limit: int) -> list[Any]:
    return latest_published(limit)


def latest_articles_for_process(process: Process, limit: int) -> list[Any]:
    return latest_published(limit, process=process)
