"""The consultation's numbers, shared by /results and /api/v1/stats.

Only aggregates of public facts: published ideas, held meetings and how many
people took part. Nothing here names a person.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select

from app.extensions import db
from app.models import (
    Category,
    Idea,
    IdeaSource,
    IdeaStatus,
    Registration,
    RegistrationStatus,
    ResultStatus,
    Workshop,
    WorkshopGroup,
    utcnow,
)
from app.results.services import participation_by_group
from app.text import slugify

ACCEPTED_STATUSES = (ResultStatus.ACCEPTED, ResultStatus.IN_PROGRESS, ResultStatus.IMPLEMENTED)
# The progress chart shows the furthest-advanced accepted ideas, not all of them.
PROGRESS_ROWS = 25
# Statuses of submissions that were really sent (confirmed by their author).
_NOT_SUBMITTED = (IdeaStatus.UNCONFIRMED,)


@dataclass
class WorkshopCount:
    slug: str
    title: str
    starts_at: datetime
    ideas: int = 0
    participants: int | None = None


@dataclass
class ProgressRow:
    id: int
    title: str
    slug: str
    status: str
    progress: int


@dataclass
class Stats:
    total_ideas: int = 0
    supports: int = 0
    by_category: list[tuple[str, str, int]] = field(default_factory=list)  # slug, name, n
    by_source: list[tuple[str, int]] = field(default_factory=list)
    by_status: list[tuple[str, int]] = field(default_factory=list)
    per_week: list[tuple[date, int]] = field(default_factory=list)  # Monday, submissions
    workshops: list[WorkshopCount] = field(default_factory=list)  # held and upcoming
    workshops_held: int = 0
    workshops_upcoming: int = 0
    participants: int = 0
    progress: list[ProgressRow] = field(default_factory=list)
    accepted: int = 0  # all accepted ideas; ``progress`` holds the first PROGRESS_ROWS
    answered: int = 0  # published ideas with an official answer
    by_group: list[tuple[str, int]] = field(default_factory=list)  # participant group, n

    def as_json(self) -> dict:
        """The ``/api/v1/stats`` shape (CONTRACT)."""
        return {
            "ideas": {
                "total": self.total_ideas,
                "by_category": {slug: n for slug, _name, n in self.by_category},
                "by_source": dict(self.by_source),
                "by_status": dict(self.by_status),
            },
            "workshops": {
                "held": self.workshops_held,
                "upcoming": self.workshops_upcoming,
                "participants": self.participants,
            },
            "supports": self.supports,
        }


def _week_start(column):  # noqa: ANN001, ANN202
    """The Monday (UTC) of the week of *column*, as a SQL expression."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.date(func.date_trunc("week", func.timezone("UTC", column)))
    # SQLite: 'weekday 0' moves to the next Sunday (or stays), -6 days: Monday.
    return func.date(column, "weekday 0", "-6 days")


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def collect(process_id: int | None = None, now: datetime | None = None) -> Stats:
    """All the numbers, optionally for one consultation."""
    now = now or utcnow()
    stats = Stats()
    published = [Idea.status == IdeaStatus.PUBLISHED]
    if process_id is not None:
        published.append(Idea.process_id == process_id)

    totals = db.session.execute(
        select(func.count(Idea.id), func.coalesce(func.sum(Idea.supports_count), 0)).where(
            *published
        )
    ).one()
    stats.total_ideas, stats.supports = int(totals[0]), int(totals[1])

    stats.by_category = [
        (slug, name, int(n))
        for slug, name, n in db.session.execute(
            select(Category.slug, Category.name, func.count(Idea.id))
            .join(Idea, Idea.category_id == Category.id)
            .where(*published)
            .group_by(Category.id, Category.slug, Category.name, Category.position)
            .order_by(func.count(Idea.id).desc(), Category.position, Category.name)
        )
    ]
    source_counts = dict(
        db.session.execute(
            select(Idea.source, func.count(Idea.id)).where(*published).group_by(Idea.source)
        ).all()
    )
    stats.by_source = [(str(s), int(source_counts.get(s, 0))) for s in IdeaSource]
    status_counts = dict(
        db.session.execute(
            select(Idea.result_status, func.count(Idea.id))
            .where(*published)
            .group_by(Idea.result_status)
        ).all()
    )
    stats.by_status = [(str(s), int(status_counts.get(s, 0))) for s in ResultStatus]
    stats.answered = stats.total_ideas - int(status_counts.get(ResultStatus.PUBLISHED, 0))

    submitted = [Idea.status.not_in(_NOT_SUBMITTED)]
    if process_id is not None:
        submitted.append(Idea.process_id == process_id)
    week = _week_start(Idea.submitted_at).label("week")
    weeks = {
        _as_date(monday): int(n)
        for monday, n in db.session.execute(
            select(week, func.count(Idea.id)).where(*submitted).group_by(week).order_by(week)
        )
        if monday is not None
    }
    if weeks:
        # Every week from the first to the last, quiet weeks included.
        monday, last = min(weeks), max(weeks)
        while monday <= last:
            stats.per_week.append((monday, weeks.get(monday, 0)))
            monday += timedelta(days=7)

    stats.workshops = _workshop_counts(process_id, published)
    held = [w for w in stats.workshops if w.participants is not None]
    stats.workshops_held = len(held)
    stats.workshops_upcoming = sum(1 for w in stats.workshops if w.starts_at > now)
    stats.participants = sum(w.participants or 0 for w in held)
    stats.by_group = participation_by_group(process_id, now)

    accepted = [*published, Idea.result_status.in_(ACCEPTED_STATUSES)]
    stats.accepted = int(db.session.scalar(select(func.count()).select_from(Idea).where(*accepted)))
    stats.progress = [
        ProgressRow(
            row.id,
            row.title,
            slugify(row.title)[:80] or "pomysl",
            row.result_status,
            int(row.progress),
        )  # fmt: skip
        for row in db.session.execute(
            select(Idea.id, Idea.title, Idea.result_status, Idea.progress)
            .where(*accepted)
            .order_by(Idea.progress.desc(), Idea.title, Idea.id)
            .limit(PROGRESS_ROWS)
        )
    ]
    return stats


@dataclass(frozen=True)
class _Computed:
    at: float  # time.monotonic() when computed
    version: int  # the content version it was computed at
    stats: Stats


_lock = threading.Lock()


def current(process_id: int | None = None) -> Stats:
    """``collect`` for the pages: recomputed when the content changed, but at
    most once every ``RESULTS_MIN_SECONDS`` per worker and consultation.

    The aggregates read the whole ideas table (about 0.7 s with 100,000
    ideas); with supports confirmed every second and the numbers recomputed
    for each one, /results alone would keep every worker busy. Numbers older
    than the content they describe are served at most that long, and the
    page that shows them is not kept (see app.pagecache)."""
    from app.pagecache import current_version, do_not_keep

    seconds = current_app.config.get("RESULTS_MIN_SECONDS", 0)
    if not seconds or seconds <= 0:
        return collect(process_id)
    memo: dict[int | None, _Computed] = current_app.extensions.setdefault("results_stats", {})
    version = current_version()
    now = time.monotonic()
    with _lock:
        known = memo.get(process_id)
    if known is not None and known.version == version:
        return known.stats
    if known is not None and now - known.at < seconds:
        do_not_keep()
        return known.stats
    stats = collect(process_id)
    with _lock:
        memo[process_id] = _Computed(now, version, stats)
    return stats


def _workshop_counts(process_id: int | None, published: list) -> list[WorkshopCount]:
    """Published meetings with their ideas and, once held, participants.

    Participants: the count recorded by staff for the meeting, else the sum
    of its groups' counts, else the confirmed registrations not marked absent.
    """
    now = utcnow()
    conditions = [Workshop.published.is_(True)]
    if process_id is not None:
        conditions.append(Workshop.process_id == process_id)
    ideas = (
        select(Idea.workshop_id, func.count(Idea.id).label("n"))
        .where(*published, Idea.workshop_id.is_not(None))
        .group_by(Idea.workshop_id)
        .subquery()
    )
    groups = (
        select(
            WorkshopGroup.workshop_id,
            func.sum(WorkshopGroup.participants_count).label("n"),
        )
        .group_by(WorkshopGroup.workshop_id)
        .subquery()
    )
    present = (
        select(Registration.workshop_id, func.count(Registration.id).label("n"))
        .where(
            Registration.status == RegistrationStatus.CONFIRMED,
            or_(Registration.attended.is_(None), Registration.attended.is_(True)),
        )
        .group_by(Registration.workshop_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Workshop.slug,
            Workshop.title,
            Workshop.starts_at,
            Workshop.ends_at,
            Workshop.participants_count,
            func.coalesce(ideas.c.n, 0),
            groups.c.n,
            func.coalesce(present.c.n, 0),
        )
        .outerjoin(ideas, ideas.c.workshop_id == Workshop.id)
        .outerjoin(groups, groups.c.workshop_id == Workshop.id)
        .outerjoin(present, present.c.workshop_id == Workshop.id)
        .where(*conditions)
        .order_by(Workshop.starts_at, Workshop.id)
    ).all()
    result = []
    for slug, title, starts_at, ends_at, recorded, idea_count, group_sum, registered in rows:
        item = WorkshopCount(slug=slug, title=title, starts_at=starts_at, ideas=int(idea_count))
        if ends_at <= now:
            if recorded is not None:
                item.participants = int(recorded)
            elif group_sum is not None:
                item.participants = int(group_sum)
            else:
                item.participants = int(registered)
        result.append(item)
    return result
