"""A notice: one thing to tell one person ("the direction holding your idea
was granted funding"), waiting to go out alone or in that person's digest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class NoticeCadence:
    IMMEDIATE = "immediate"
    DAILY = "daily"
    WEEKLY = "weekly"
    ALL = (IMMEDIATE, DAILY, WEEKLY)


class Notice(db.Model):
    __tablename__ = "notices"
    __table_args__ = (
        # One event is told to one person once, ever: concurrent callers and
        # a job run twice meet here.
        UniqueConstraint("recipient", "event", name="uq_notices_recipient_event"),
        Index("ix_notices_due", "sent_at", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Normalised e-mail address (personal data: in the data download, the
    # erasure, and purged NOTICE_RETENTION_DAYS after it was sent).
    recipient: Mapped[str] = mapped_column(String(254), nullable=False)
    event: Mapped[str] = mapped_column(String(120), nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    url: Mapped[str] = mapped_column(String(500), nullable=False)
    unsubscribe_url: Mapped[str] = mapped_column(String(500), nullable=False)
    cadence: Mapped[str] = mapped_column(String(10), nullable=False, default="immediate")
    locale: Mapped[str] = mapped_column(String(5), nullable=False, default="pl")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # When it may go out: now for immediate ones, the next digest hour otherwise.
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # Set, in one conditional UPDATE, by the run that turns it into mail.
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
