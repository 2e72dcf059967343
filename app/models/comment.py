"""Comments under published ideas (and, later, other targets): the
discussion, readers' reports on it, the browsers trusted to post without
another confirmation mail, and what an idea's author wants to hear of it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.user import User


class CommentStatus(enum.StrEnum):
    """Where a comment is: waiting for its author's e-mail confirmation,
    held for a moderator (pre-moderation), public, hidden by a moderator,
    or deleted by its author (kept as a marker only while replies hang on it)."""

    PENDING = "pending"
    HELD = "held"
    PUBLISHED = "published"
    HIDDEN = "hidden"
    DELETED = "deleted"


# The states shown in a discussion (hidden and deleted ones as a marker).
SHOWN_STATUSES = (CommentStatus.PUBLISHED, CommentStatus.HIDDEN, CommentStatus.DELETED)


class CommentModeration(enum.StrEnum):
    """Per consultation: published at once and reviewed after, or held first."""

    POST = "post"
    PRE = "pre"


class Comment(db.Model):
    """One comment or reply. ``target_type`` and ``target_id`` name what it
    is under ("idea", 12); replies hang on a top-level comment (one level)."""

    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_target", "target_type", "target_id", "status", "id"),
        Index("ix_comments_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(20), nullable=False)
    target_id: Mapped[int] = mapped_column(Integer, nullable=False)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(
        String(20), nullable=False, default=CommentStatus.PENDING, index=True
    )
    # Optimistic lock for moderation decisions (bulk ones included).
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    # The resident (personal data; the name is shown, None shows "mieszkaniec regionu").
    author_name: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    locale: Mapped[str] = mapped_column(String(5), nullable=False, default="pl")
    consent_version: Mapped[str | None] = mapped_column(String(40))
    # A keyed hash of the normalised text: the same words sent twice are refused.
    text_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    confirm_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    manage_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    # The organiser's reply: signed with the unit (and the person, if they chose).
    official: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    signature: Mapped[str | None] = mapped_column(String(300))
    staff_author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hidden_reason: Mapped[str | None] = mapped_column(Text)

    parent: Mapped[Comment | None] = relationship(remote_side=[id])
    staff_author: Mapped[User | None] = relationship(foreign_keys=[staff_author_id])

    def __repr__(self) -> str:
        return f"<Comment {self.id} {self.status}>"

    def touches_public_pages(self) -> bool:
        """Pending and held comments show nowhere (app.pagecache)."""
        from sqlalchemy import inspect

        history = inspect(self).attrs.status.history
        seen = (*history.added, *history.unchanged, *history.deleted)
        quiet = (CommentStatus.PENDING, CommentStatus.HELD)
        return not seen or any(status not in quiet for status in seen)

    @property
    def shown_body(self) -> bool:
        return self.status == CommentStatus.PUBLISHED

    @property
    def started_at(self) -> datetime:
        """When the comment took effect (its author confirmed it)."""
        return self.confirmed_at or self.created_at


class CommentReport(db.Model):
    """A reader's flag on a comment, for moderators."""

    __tablename__ = "comment_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    reporter_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    comment: Mapped[Comment] = relationship()


class CommenterBrowser(db.Model):
    """A browser whose owner confirmed an address: its signed cookie lets
    them comment again without another confirmation mail until it expires
    or is revoked (from the private link, or by erasing their data)."""

    __tablename__ = "commenter_browsers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CommentAlert(db.Model):
    """How an idea's author wants to hear of new comments under it:
    ``immediate`` (one mail each), ``daily`` (a digest) or ``off``. No row
    means they have not agreed to such mail."""

    __tablename__ = "comment_alerts"

    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True
    )
    cadence: Mapped[str] = mapped_column(String(10), nullable=False, default="off")
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )
