"""What the moderation pages read: the queue, its counts, one idea's
review data and the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    AuditEntry,
    Category,
    Idea,
    IdeaEvent,
    IdeaSource,
    IdeaStatus,
    Process,
    Report,
    User,
)
from app.search import similar_ideas

S = IdeaStatus

# Queue tabs, in the order the page shows them.
TABS = ("new", "revised", "reported", "waiting", "all")

_revised = exists().where(IdeaEvent.idea_id == Idea.id, IdeaEvent.kind == "author_revised")
_open_report = exists().where(Report.idea_id == Idea.id, Report.resolved_at.is_(None))
_entered_queue = func.coalesce(Idea.confirmed_at, Idea.submitted_at)


@dataclass(frozen=True)
class QueueFilters:
    tab: str = "new"
    state: str | None = None
    category: str | None = None
    process: str | None = None
    source: str | None = None

    @classmethod
    def from_args(cls, args: Any) -> QueueFilters:
        """Read the query string; values that mean nothing are ignored."""
        tab = args.get("tab", "new")
        state = args.get("state") or None
        source = args.get("source") or None
        return cls(
            tab=tab if tab in TABS else "new",
            state=state if state in {s.value for s in S} else None,
            category=(args.get("category") or "").strip()[:100] or None,
            process=(args.get("process") or "").strip()[:100] or None,
            source=source if source in {s.value for s in IdeaSource} else None,
        )

    def args(self, **changes: Any) -> dict[str, Any]:
        """The query-string arguments for links (pagination, tabs)."""
        values = {
            "tab": self.tab,
            "state": self.state,
            "category": self.category,
            "process": self.process,
            "source": self.source,
        }
        values.update(changes)
        return {key: value for key, value in values.items() if value}


def _tab_condition(tab: str) -> Any:
    if tab == "new":
        return (Idea.status == S.AWAITING_REVIEW) & ~_revised
    if tab == "revised":
        return (Idea.status == S.AWAITING_REVIEW) & _revised
    if tab == "reported":
        return _open_report
    if tab == "waiting":
        return Idea.status == S.CHANGES_REQUESTED
    return Idea.status != S.UNCONFIRMED


def _apply_filters(stmt: Select, filters: QueueFilters, with_tab: bool = True) -> Select:
    if with_tab:
        stmt = stmt.where(_tab_condition(filters.tab))
    if filters.state:
        stmt = stmt.where(Idea.status == filters.state)
    if filters.category:
        stmt = stmt.where(Idea.category.has(Category.slug == filters.category))
    if filters.process:
        stmt = stmt.where(Idea.process.has(Process.slug == filters.process))
    if filters.source:
        stmt = stmt.where(Idea.source == filters.source)
    return stmt


def _tab_order(tab: str) -> list[Any]:
    if tab in ("new", "revised"):
        # Oldest first: whoever waited longest is served first.
        return [_entered_queue.asc(), Idea.id.asc()]
    if tab == "reported":
        first_report = (
            select(func.min(Report.created_at))
            .where(Report.idea_id == Idea.id, Report.resolved_at.is_(None))
            .scalar_subquery()
        )
        return [first_report.asc(), Idea.id.asc()]
    if tab == "waiting":
        return [Idea.updated_at.asc(), Idea.id.asc()]
    return [Idea.submitted_at.desc(), Idea.id.desc()]


def queue_page(filters: QueueFilters, page: int, per_page: int = 25):  # noqa: ANN201
    stmt = (
        _apply_filters(select(Idea), filters)
        .options(selectinload(Idea.category), selectinload(Idea.process))
        .order_by(*_tab_order(filters.tab))
    )
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def tab_counts(filters: QueueFilters) -> dict[str, int]:
    """How many ideas each tab holds under the other filters."""
    counts: dict[str, int] = {}
    for tab in TABS:
        stmt = _apply_filters(
            select(func.count(Idea.id)), QueueFilters(**{**filters.__dict__, "tab": tab})
        )
        counts[tab] = db.session.scalar(stmt) or 0
    return counts


def waiting_counts() -> dict[str, int]:
    """What waits for moderators now (dashboard tiles, daily digest)."""
    every = QueueFilters()
    return {
        tab: db.session.scalar(
            _apply_filters(
                select(func.count(Idea.id)), QueueFilters(**{**every.__dict__, "tab": tab})
            )
        )
        or 0
        for tab in ("new", "revised", "reported")
    }


def oldest_waiting() -> datetime | None:
    return db.session.scalar(
        select(func.min(_entered_queue)).where(Idea.status == S.AWAITING_REVIEW)
    )


def open_report_counts(idea_ids: list[int]) -> dict[int, int]:
    if not idea_ids:
        return {}
    rows = db.session.execute(
        select(Report.idea_id, func.count(Report.id))
        .where(Report.idea_id.in_(idea_ids), Report.resolved_at.is_(None))
        .group_by(Report.idea_id)
    )
    return dict(rows.all())


def open_reports(idea: Idea) -> list[Report]:
    return list(
        db.session.scalars(
            select(Report)
            .where(Report.idea_id == idea.id, Report.resolved_at.is_(None))
            .order_by(Report.created_at)
        )
    )


def closed_reports(idea: Idea) -> list[Report]:
    return list(
        db.session.scalars(
            select(Report)
            .where(Report.idea_id == idea.id, Report.resolved_at.is_not(None))
            .options(selectinload(Report.resolved_by))
            .order_by(Report.resolved_at.desc())
        )
    )


def history(idea: Idea) -> list[IdeaEvent]:
    return list(
        db.session.scalars(
            select(IdeaEvent)
            .where(IdeaEvent.idea_id == idea.id)
            .options(selectinload(IdeaEvent.actor))
            .order_by(IdeaEvent.created_at, IdeaEvent.id)
        )
    )


def as_submitted(idea: Idea, events: list[IdeaEvent]) -> dict[str, str]:
    """The title and text as the author sent them (kept in the first
    "submitted" event), falling back to what the idea holds now."""
    for event in events:
        if event.kind == "submitted" and isinstance(event.data, dict):
            return {
                "title": event.data.get("title") or idea.title,
                "description": event.data.get("description") or idea.description,
            }
    return {"title": idea.title, "description": idea.description}


def similar_published(idea: Idea, limit: int = 5) -> list[Idea]:
    return similar_ideas(f"{idea.title} {idea.description}", limit, exclude_ids=[idea.id])


def ideas_without_answer() -> int:
    return (
        db.session.scalar(
            select(func.count(Idea.id)).where(Idea.status == S.PUBLISHED, ~Idea.answers.any())
        )
        or 0
    )


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    categories = db.session.execute(select(Category.slug, Category.name).order_by(Category.name))
    processes = db.session.execute(
        select(Process.slug, Process.title).order_by(Process.opens_at.desc())
    )
    return {"categories": list(categories.tuples()), "processes": list(processes.tuples())}


# --- audit log -----------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    actor: int | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None

    def args(self, **changes: Any) -> dict[str, Any]:
        values: dict[str, Any] = {
            "actor": self.actor,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
        }
        values.update(changes)
        return {key: value for key, value in values.items() if value not in (None, "")}


def audit_page(filters: AuditFilters, page: int, per_page: int = 50):  # noqa: ANN201
    stmt = select(AuditEntry).options(selectinload(AuditEntry.actor))
    if filters.actor is not None:
        stmt = stmt.where(AuditEntry.actor_id == filters.actor)
    if filters.action:
        # "idea" finds every idea.* action; "idea.publish" just that one.
        stmt = stmt.where(
            or_(
                AuditEntry.action == filters.action,
                AuditEntry.action.startswith(filters.action + "."),
            )
        )
    if filters.object_type:
        stmt = stmt.where(AuditEntry.object_type == filters.object_type)
    if filters.object_id is not None:
        stmt = stmt.where(AuditEntry.object_id == filters.object_id)
    if filters.since is not None:
        stmt = stmt.where(AuditEntry.created_at >= filters.since)
    if filters.until is not None:
        stmt = stmt.where(AuditEntry.created_at < filters.until)
    stmt = stmt.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def audit_choices() -> dict[str, list[Any]]:
    actions = db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    types = db.session.scalars(
        select(AuditEntry.object_type)
        .where(AuditEntry.object_type.is_not(None))
        .distinct()
        .order_by(AuditEntry.object_type)
    )
    actors = db.session.execute(
        select(User.id, User.name)
        .where(exists().where(AuditEntry.actor_id == User.id))
        .order_by(User.name)
    )
    return {"actions": list(actions), "object_types": list(types), "actors": list(actors.tuples())}


def answers_page(missing_only: bool, page: int, per_page: int = 25):  # noqa: ANN201
    """Published ideas for the people who write official answers: those
    still without one first, the longest waiting at the top."""
    stmt = (
        select(Idea)
        .where(Idea.status == S.PUBLISHED)
        .options(selectinload(Idea.category), selectinload(Idea.process))
    )
    if missing_only:
        stmt = stmt.where(~Idea.answers.any()).order_by(Idea.published_at.asc(), Idea.id.asc())
    else:
        stmt = stmt.order_by(Idea.published_at.desc(), Idea.id.desc())
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)
