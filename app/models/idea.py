"""Ideas and everything that hangs on one: history, attachment, supports,
official answers and readers' reports."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.process import Category, Process
    from app.models.user import User
    from app.models.workshop import Workshop, WorkshopGroup


class IdeaStatus(enum.StrEnum):
    """Where an idea is in its lifecycle (moderation)."""

    UNCONFIRMED = "unconfirmed"
    AWAITING_REVIEW = "awaiting_review"
    CHANGES_REQUESTED = "changes_requested"
    PUBLISHED = "published"
    REJECTED = "rejected"
    MERGED = "merged"
    HIDDEN = "hidden"
    WITHDRAWN = "withdrawn"


class IdeaSource(enum.StrEnum):
    FORM = "form"
    WORKSHOP = "workshop"
    STAFF = "staff"


class ResultStatus(enum.StrEnum):
    """What the organiser did with a published idea (its public status)."""

    PUBLISHED = "published"  # published, no official answer yet
    UNDER_ANALYSIS = "under_analysis"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    IMPLEMENTED = "implemented"
    NOT_PURSUED = "not_pursued"


class Idea(TimestampMixin, db.Model):
    __tablename__ = "ideas"
    __table_args__ = (
        # The catalogue's orders, whole (with the id that breaks ties): a page
        # after a cursor is one range of one of these (app.catalogue.paging).
        Index("ix_ideas_status_published_id", "status", "published_at", "id"),
        Index("ix_ideas_status_supports_published", "status", "supports_count", "published_at", "id"),
        # A category's page and its capped count, from the index alone.
        Index("ix_ideas_category_status_published", "category_id", "status", "published_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id"), nullable=False, index=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id"), nullable=False, index=True
    )
    source: Mapped[str] = mapped_column(String(20), nullable=False, default=IdeaSource.FORM)
    workshop_id: Mapped[int | None] = mapped_column(ForeignKey("workshops.id"), index=True)
    workshop_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshop_groups.id"), index=True
    )

    # What the public sees once published (moderators may tidy it; the text
    # as sent is kept in the first IdeaEvent's data).
    title: Mapped[str] = mapped_column(String(150), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    # Normalised words (lower case, Polish letters folded) for full-text search.
    search_text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # The title's words alone, folded the same way: a title hit ranks first.
    # Kept in step with the title by app.search (mapper events).
    search_title: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")

    # The author (personal data: never shown publicly but the name, with consent).
    author_name: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    show_author_name: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    municipality: Mapped[str | None] = mapped_column(String(100))
    locale: Mapped[str] = mapped_column(String(5), nullable=False, default="pl")
    consent_version: Mapped[str | None] = mapped_column(String(40))
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The author agreed to hear about the consultation (staff newsletters).
    author_updates: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )
    submitter_hash: Mapped[str | None] = mapped_column(String(64), index=True)

    status: Mapped[str] = mapped_column(
        String(30), nullable=False, default=IdeaStatus.UNCONFIRMED, index=True
    )
    # Optimistic lock for moderation decisions: bumped on every decision.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    confirm_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    track_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The tracking link is derived from this (and SECRET_KEY), so every mail
    # to the author can carry it again; None: no link to give (erased).
    track_token_nonce: Mapped[str | None] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id"))

    supports_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Comments shown in full under the idea (app.comments keeps it in step).
    comments_count: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default="0"
    )
    result_status: Mapped[str] = mapped_column(
        String(30), nullable=False, default=ResultStatus.PUBLISHED, index=True
    )
    progress: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    process: Mapped[Process] = relationship()
    category: Mapped[Category] = relationship()
    workshop: Mapped[Workshop | None] = relationship(back_populates="ideas")
    workshop_group: Mapped[WorkshopGroup | None] = relationship()
    merged_into: Mapped[Idea | None] = relationship(remote_side=[id])
    created_by: Mapped[User | None] = relationship()
    attachment: Mapped[Attachment | None] = relationship(
        back_populates="idea", uselist=False, cascade="all, delete-orphan"
    )
    events: Mapped[list[IdeaEvent]] = relationship(
        back_populates="idea", order_by="IdeaEvent.id", cascade="all, delete-orphan"
    )
    answers: Mapped[list[IdeaAnswer]] = relationship(
        back_populates="idea", order_by="IdeaAnswer.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Idea {self.id} {self.status}>"

    def touches_public_pages(self) -> bool:
        """Whether a change to this row shows on public pages (see
        app.pagecache): any idea but one still waiting for its author's
        confirmation (confirmed submissions are counted on /results)."""
        from sqlalchemy import inspect

        history = inspect(self).attrs.status.history
        seen = (*history.added, *history.unchanged, *history.deleted)
        # Not loaded: it may have been public, so count it.
        return not seen or any(status != IdeaStatus.UNCONFIRMED for status in seen)

    @property
    def is_published(self) -> bool:
        return self.status == IdeaStatus.PUBLISHED

    @property
    def public_author_name(self) -> str | None:
        return self.author_name if self.show_author_name and self.author_name else None

    @property
    def slug(self) -> str:
        from app.text import idea_slug

        return idea_slug(self.title)


class IdeaEvent(db.Model):
    """One row per thing that happened to an idea: its history."""

    __tablename__ = "idea_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # "submitted", "confirmed", "published", "rejected", "edited", ...
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str | None] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Who acted when it was not staff: "author", "system".
    actor_label: Mapped[str | None] = mapped_column(String(40))
    # A message for the author (a reason, a request); shown on the tracking page.
    message: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    idea: Mapped[Idea] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class Attachment(db.Model):
    """The one file a submitter may attach (an image or a PDF)."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    stored_name: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    original_name: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    idea: Mapped[Idea] = relationship(back_populates="attachment")

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Support(db.Model):
    """A reader's support for an idea; it counts once the e-mail is confirmed."""

    __tablename__ = "supports"
    __table_args__ = (UniqueConstraint("idea_id", "email", name="uq_supports_idea_email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), nullable=False, index=True
    )
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    notify: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    locale: Mapped[str] = mapped_column(String(5), nullable=False, default="pl")
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    idea: Mapped[Idea] = relationship()


class IdeaAnswer(db.Model):
    """An official answer from the organiser; all of them form the public timeline."""

    __tablename__ = "idea_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), nullable=False, index=True
    )
    result_status: Mapped[str] = mapped_column(String(30), nullable=False)
    answer: Mapped[str] = mapped_column(Text, nullable=False, default="")
    progress: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    idea: Mapped[Idea] = relationship(back_populates="answers")
    author: Mapped[User | None] = relationship()


class Report(db.Model):
    """A reader's flag on a published idea, for moderators."""

    __tablename__ = "idea_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), nullable=False, index=True
    )
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    reporter_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str | None] = mapped_column(String(40))

    idea: Mapped[Idea] = relationship()
    resolved_by: Mapped[User | None] = relationship()
