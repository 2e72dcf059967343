"""Development directions (kierunki rozwojowe): what the region pursues after
the consultation, the ideas each one takes up, its milestones, its funding
applications, its public history, and the addresses that asked for no more
mail about them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.idea import Idea
    from app.models.process import Process
    from app.models.user import User

# Money in PLN, exact to the grosz: up to 999 999 999 999,99 zł.
MONEY = Numeric(14, 2, asdecimal=True)


class DirectionStatus(enum.StrEnum):
    """A direction's public status: the main line, or stopped with a reason."""

    PREPARING = "preparing"
    SUBMITTED = "submitted"
    FUNDED = "funded"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    SUSPENDED = "suspended"
    REJECTED = "rejected"


class ApplicationStatus(enum.StrEnum):
    """Where one funding application stands."""

    PLANNED = "planned"
    SUBMITTED = "submitted"
    GRANTED = "granted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Direction(TimestampMixin, db.Model):
    __tablename__ = "directions"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id"), nullable=False, index=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    summary: Mapped[str] = mapped_column(Text, nullable=False, default="")
    responsible_unit: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    status: Mapped[str] = mapped_column(
        String(20), nullable=False, default=DirectionStatus.PREPARING, index=True
    )
    # Why it was stopped (wstrzymany / odrzucony), shown publicly.
    status_reason: Mapped[str | None] = mapped_column(Text)
    # Order on the public list (ascending).
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Archived directions leave the public pages but keep their history.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Optimistic lock: bumped on every change, so two editors never overwrite
    # each other and one status change is made once.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    process: Mapped[Process] = relationship()
    created_by: Mapped[User | None] = relationship()
    links: Mapped[list[DirectionIdea]] = relationship(
        back_populates="direction",
        order_by="[DirectionIdea.position, DirectionIdea.id]",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="direction",
        order_by="[Milestone.position, Milestone.id]",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    applications: Mapped[list[FundingApplication]] = relationship(
        back_populates="direction",
        order_by="[FundingApplication.position, FundingApplication.id]",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    events: Mapped[list[DirectionEvent]] = relationship(
        back_populates="direction",
        order_by="DirectionEvent.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"<Direction {self.slug} {self.status}>"

    @property
    def is_public(self) -> bool:
        return self.archived_at is None and bool(self.process and self.process.published)


class DirectionIdea(db.Model):
    """An idea a direction takes up, with a short note on how it is used."""

    __tablename__ = "direction_ideas"
    __table_args__ = (
        UniqueConstraint("direction_id", "idea_id", name="uq_direction_ideas_direction_idea"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    direction_id: Mapped[int] = mapped_column(
        ForeignKey("directions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), nullable=False, index=True
    )
    note: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    direction: Mapped[Direction] = relationship(back_populates="links")
    idea: Mapped[Idea] = relationship()


class Milestone(db.Model):
    __tablename__ = "direction_milestones"
    __table_args__ = (
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    direction_id: Mapped[int] = mapped_column(
        ForeignKey("directions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    done_on: Mapped[date | None] = mapped_column(Date)
    progress: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    direction: Mapped[Direction] = relationship(back_populates="milestones")


class FundingApplication(TimestampMixin, db.Model):
    """A wniosek o dofinansowanie filed for a direction."""

    __tablename__ = "funding_applications"
    __table_args__ = (
        CheckConstraint("amount_requested > 0", name="amount_requested_positive"),
        CheckConstraint(
            "amount_granted IS NULL OR amount_granted >= 0", name="amount_granted_not_negative"
        ),
        CheckConstraint(
            "decided_on IS NULL OR submitted_on IS NULL OR decided_on >= submitted_on",
            name="decided_after_submitted",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    direction_id: Mapped[int] = mapped_column(
        ForeignKey("directions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    programme: Mapped[str] = mapped_column(String(200), nullable=False)
    # The call (nabór) identifier, e.g. "FEWL.01.02-IZ.00-001/26".
    call_number: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    applicant: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    amount_requested: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    amount_granted: Mapped[Decimal | None] = mapped_column(MONEY)
    submitted_on: Mapped[date | None] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(
        String(20), nullable=False, default=ApplicationStatus.PLANNED
    )
    public_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    direction: Mapped[Direction] = relationship(back_populates="applications")


class DirectionEvent(db.Model):
    """One public change of a direction: its history, timeline and feed."""

    __tablename__ = "direction_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    direction_id: Mapped[int] = mapped_column(
        ForeignKey("directions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, index=True
    )
    # "created", "edited", "status", "idea_linked", "idea_unlinked",
    # "application", "milestone", "archived", "restored"
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    # The public reason of a status change, or what changed, in a sentence.
    message: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    direction: Mapped[Direction] = relationship(back_populates="events")


class DirectionMailOptOut(db.Model):
    """An address that asked for no more mail about directions.

    Only a keyed hash of the normalised address is kept (app.directions.mail),
    so the list itself reveals nobody's address.
    """

    __tablename__ = "direction_mail_optouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
