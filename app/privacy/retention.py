"""Retention rules for personal data that no other feature purges.

Registrations (after the meeting), unconfirmed ideas, supports and
registrations are purged by their own features; these cover copies of
sent mail and the authors' and supporters' addresses once a consultation
is long over.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, delete, func, or_, select, update

from app.extensions import db
from app.models import Idea, OutboxMessage, Process, Support, utcnow
from app.models.outbox import FINISHED


def purge_sent_mail(now: datetime | None = None) -> int:
    """Delete delivered (or abandoned) messages after RETENTION_OUTBOX_DAYS:
    they hold addresses and private links."""
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config.get("RETENTION_OUTBOX_DAYS", 30))
    result = db.session.execute(
        delete(OutboxMessage)
        .where(
            OutboxMessage.status.in_(FINISHED),
            func.coalesce(OutboxMessage.sent_at, OutboxMessage.created_at) < cutoff,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def _long_closed_processes(now: datetime):  # noqa: ANN202
    days = current_app.config.get("RETENTION_PERSONAL_DATA_DAYS", 365)
    return select(Process.id).where(
        Process.closes_at.is_not(None), Process.closes_at < now - timedelta(days=days)
    )


def anonymise_old_ideas(now: datetime | None = None) -> int:
    """RETENTION_PERSONAL_DATA_DAYS after a consultation closed, its ideas
    lose the author's e-mail, municipality and private links, and their
    history the author's data; the name stays on the idea only where the
    author agreed to show it."""
    from app.ideas.services import forget_author_in_history

    now = now or utcnow()
    closed = _long_closed_processes(now)
    # Their history forgets the author too (old names and municipalities
    # among an edit's changes, the author's own words).
    forget_author_in_history(
        list(db.session.scalars(select(Idea.id).where(Idea.process_id.in_(closed))))
    )
    result = db.session.execute(
        update(Idea)
        .where(
            Idea.process_id.in_(closed),
            or_(Idea.email.is_not(None), Idea.track_token_hash.is_not(None)),
        )
        .values(
            email=None,
            municipality=None,
            submitter_hash=None,
            track_token_hash=None,
            track_token_nonce=None,
            confirm_token_hash=None,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Idea)
        .where(
            Idea.process_id.in_(closed),
            and_(Idea.show_author_name.is_(False), Idea.author_name.is_not(None)),
        )
        .values(author_name=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def purge_old_supports(now: datetime | None = None) -> int:
    """RETENTION_PERSONAL_DATA_DAYS after a consultation closed, supporters'
    addresses are deleted; each idea keeps its count."""
    now = now or utcnow()
    ideas = select(Idea.id).where(Idea.process_id.in_(_long_closed_processes(now)))
    result = db.session.execute(
        delete(Support)
        .where(Support.idea_id.in_(ideas))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
