"""Helpers shared by the moderation tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    AuditEntry,
    Idea,
    IdeaEvent,
    OutboxMessage,
    Report,
    Support,
    utcnow,
)


@dataclass(frozen=True)
class Snapshot:
    """Everything a decision may change, to prove a refused one changed nothing."""

    status: str
    version: int
    title: str
    description: str
    merged_into_id: int | None
    supports_count: int
    events: int
    audit: int
    outbox: int
    supports: int
    open_reports: int


def snapshot(app, idea_id: int) -> Snapshot:  # noqa: ANN001
    with app.app_context():
        idea = db.session.get(Idea, idea_id)

        def count(model, *where) -> int:  # noqa: ANN001
            return db.session.scalar(select(func.count()).select_from(model).where(*where))

        return Snapshot(
            status=idea.status,
            version=idea.version,
            title=idea.title,
            description=idea.description,
            merged_into_id=idea.merged_into_id,
            supports_count=idea.supports_count,
            events=count(IdeaEvent),
            audit=count(AuditEntry, AuditEntry.action.startswith("idea.")),
            outbox=count(OutboxMessage),
            supports=count(Support),
            open_reports=count(Report, Report.resolved_at.is_(None)),
        )


def decide(client, idea, action: str | None, **fields: Any):  # noqa: ANN001, ANN201
    """POST a decision with the contract's field names; the version shown
    defaults to the idea's."""
    # Reject and merge ask first (app.confirm); the rules are tested confirmed.
    data: dict[str, Any] = {"version": getattr(idea, "version", 1), "confirm": "y"}
    if action is not None:
        data["action"] = action
    data.update(fields)
    idea_id = idea if isinstance(idea, int) else idea.id
    return client.post(f"/staff/ideas/{idea_id}/decision", data=data)


def add_event(app, idea_id: int, kind: str, **fields: Any) -> None:  # noqa: ANN001
    with app.app_context():
        db.session.add(IdeaEvent(idea_id=idea_id, kind=kind, **fields))
        db.session.commit()


def add_support(app, idea_id: int, email: str, confirmed: bool = True, **fields: Any) -> None:  # noqa: ANN001
    with app.app_context():
        db.session.add(
            Support(
                idea_id=idea_id,
                email=email,
                confirmed_at=utcnow() - timedelta(hours=1) if confirmed else None,
                **fields,
            )
        )
        db.session.commit()


def add_report(app, idea_id: int, reason: str = "Obraźliwe słowa w opisie.", **fields: Any) -> None:  # noqa: ANN001
    with app.app_context():
        db.session.add(Report(idea_id=idea_id, reason=reason, **fields))
        db.session.commit()


def events_of(app, idea_id: int) -> list[IdeaEvent]:  # noqa: ANN001
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(IdeaEvent).where(IdeaEvent.idea_id == idea_id).order_by(IdeaEvent.id)
            )
        )
        for row in rows:
            db.session.expunge(row)
        return rows


def audit_rows(app, **filters: Any) -> list[AuditEntry]:  # noqa: ANN001
    with app.app_context():
        rows = list(
            db.session.scalars(select(AuditEntry).filter_by(**filters).order_by(AuditEntry.id))
        )
        for row in rows:
            db.session.expunge(row)
        return rows


def outbox(app) -> list[OutboxMessage]:  # noqa: ANN001
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        for row in rows:
            db.session.expunge(row)
        return rows
