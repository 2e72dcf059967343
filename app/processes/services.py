"""What /processes shows of each consultation at a glance: its current
phase, its dates, how many ideas, supports and meetings it has, and a
picture (the cover of its latest article that has one)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.models import Article, ArticleStatus, Idea, IdeaStatus, Phase, Process, Workshop, utcnow
from app.timeutil import utc_to_local


@dataclass
class Overview:
    current_phase: Phase | None = None
    next_phase: Phase | None = None
    ideas: int = 0
    supports: int = 0
    meetings: int = 0
    cover: Any = None  # an Article with a cover, or None
    opens_on: date | None = None  # the days ideas are accepted, in Warsaw
    closes_on: date | None = None


def overviews(processes: list[Process], today: date | None = None) -> dict[int, Overview]:
    """One :class:`Overview` per consultation, in four queries for the lot."""
    now = utcnow()
    today = today or utc_to_local(now).date()
    ids = [process.id for process in processes]
    result = {process.id: Overview() for process in processes}
    if not ids:
        return result
    for process in processes:
        overview = result[process.id]
        if process.opens_at:
            overview.opens_on = utc_to_local(process.opens_at).date()
        if process.closes_at:
            overview.closes_on = utc_to_local(process.closes_at).date()
        for phase in process.phases:
            state = phase.state(today)
            if state == "current" and overview.current_phase is None:
                overview.current_phase = phase
            elif state == "future" and overview.next_phase is None:
                overview.next_phase = phase
    for process_id, ideas, supports in db.session.execute(
        select(Idea.process_id, func.count(Idea.id), func.coalesce(func.sum(Idea.supports_count), 0))
        .where(Idea.process_id.in_(ids), Idea.status == IdeaStatus.PUBLISHED)
        .group_by(Idea.process_id)
    ):
        result[process_id].ideas, result[process_id].supports = int(ideas), int(supports)
    for process_id, meetings in db.session.execute(
        select(Workshop.process_id, func.count(Workshop.id))
        .where(Workshop.process_id.in_(ids), Workshop.published.is_(True))
        .group_by(Workshop.process_id)
    ):
        result[process_id].meetings = int(meetings)
    covers = db.session.scalars(
        select(Article)
        .where(
            Article.process_id.in_(ids),
            Article.status == ArticleStatus.PUBLISHED,
            Article.published_at <= now,
            Article.cover_key.is_not(None),
        )
        .order_by(Article.published_at.desc())
    )
    for article in covers:
        if result[article.process_id].cover is None:
            result[article.process_id].cover = article
    return result
