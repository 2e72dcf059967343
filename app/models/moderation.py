"""Moderation: reply templates for common reasons and the digest record."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.user import User


class ReplyTemplate(TimestampMixin, db.Model):
    """A reusable reason a moderator can pick in the decision form."""

    __tablename__ = "reply_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    # The decision it is meant for ("reject", "request_changes", "hide",
    # "merge"), or None when it fits any.
    action: Mapped[str | None] = mapped_column(String(30))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ReplyTemplate {self.id} {self.title!r}>"


class DigestDelivery(db.Model):
    """One row per staff member and day a moderation digest was queued.

    The unique key makes the daily command safe to run again (or twice at
    once): the second run finds the row and sends nothing.
    """

    __tablename__ = "moderation_digests"
    __table_args__ = (UniqueConstraint("user_id", "day", name="uq_moderation_digests_user_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    # The day in Europe/Warsaw the digest was for.
    day: Mapped[date] = mapped_column(Date, nullable=False)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    waiting: Mapped[int] = mapped_column(nullable=False, default=0)

    user: Mapped[User] = relationship()
