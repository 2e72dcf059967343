"""Meetings of a consultation: expert meetings, workshops, summaries."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.process import Process


class WorkshopKind(enum.StrEnum):
    EXPERT_MEETING = "expert_meeting"
    WORKSHOP = "workshop"
    SUMMARY_MEETING = "summary_meeting"
    ONLINE = "online"


class ParticipantGroup(enum.StrEnum):
    RESIDENT = "resident"
    YOUNG_PERSON = "young_person"
    SENIOR = "senior"
    ENTREPRENEUR = "entrepreneur"
    LOCAL_GOVERNMENT = "local_government"
    COMPANY_HEAD = "company_head"
    OTHER = "other"


class RegistrationStatus(enum.StrEnum):
    UNCONFIRMED = "unconfirmed"
    CONFIRMED = "confirmed"  # holds a place
    WAITING = "waiting"  # confirmed, on the waiting list
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class Workshop(TimestampMixin, db.Model):
    __tablename__ = "workshops"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id"), nullable=False, index=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(30), nullable=False, default=WorkshopKind.WORKSHOP)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    venue: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    address: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    online_url: Mapped[str | None] = mapped_column(String(500))
    lead: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    programme: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # English versions (optional): the English interface shows them, else the Polish text.
    title_en: Mapped[str] = mapped_column(String(200), nullable=False, default="", server_default="")
    lead_en: Mapped[str] = mapped_column(String(500), nullable=False, default="", server_default="")
    programme_en: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")
    capacity: Mapped[int | None] = mapped_column(Integer)
    # Places held by confirmed registrations; changed only by one conditional
    # UPDATE so concurrent confirmations never overbook.
    places_taken: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    minutes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    minutes_published: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    minutes_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Head count recorded by staff after the meeting (also people who came
    # without registering); None when not counted.
    participants_count: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    process: Mapped[Process] = relationship()
    groups: Mapped[list[WorkshopGroup]] = relationship(
        back_populates="workshop", order_by="WorkshopGroup.position", cascade="all, delete-orphan"
    )
    # Ideas born at this meeting. Named, not imported: an idea points to its
    # meeting (app.models.idea imports this module), not the other way round.
    ideas: Mapped[list[Any]] = relationship("Idea", back_populates="workshop")

    def __repr__(self) -> str:
        return f"<Workshop {self.slug}>"

    @property
    def places_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.places_taken, 0)

    def is_past(self, now: datetime | None = None) -> bool:
        return self.ends_at <= (now or utcnow())

    def has_started(self, now: datetime | None = None) -> bool:
        return self.starts_at <= (now or utcnow())

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.places_taken >= self.capacity

    @property
    def is_online(self) -> bool:
        return self.kind == WorkshopKind.ONLINE

    def registration_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        if not self.published or self.starts_at <= now:
            return False
        if self.registration_opens_at and now < self.registration_opens_at:
            return False
        return not (self.registration_closes_at and now >= self.registration_closes_at)


class WorkshopGroup(db.Model):
    """A working group at a meeting (e.g. mixed: local government and young people)."""

    __tablename__ = "workshop_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    participants_count: Mapped[int | None] = mapped_column(Integer)

    workshop: Mapped[Workshop] = relationship(back_populates="groups")


class Registration(TimestampMixin, db.Model):
    """One person's place (or wish for a place) at a meeting.

    ``active_email`` holds the normalised address while the registration is
    active (unconfirmed, confirmed, waiting) and NULL otherwise; the unique
    constraint on it makes a second active registration with the same
    address impossible, even when two requests race.
    """

    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("workshop_id", "active_email", name="uq_registrations_active_email"),
        Index("ix_registrations_waiting", "workshop_id", "status", "waiting_since"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    participant_group: Mapped[str] = mapped_column(String(30), nullable=False)
    needs: Mapped[str] = mapped_column(Text, nullable=False, default="")
    locale: Mapped[str] = mapped_column(String(5), nullable=False, default="pl")
    consent_version: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(
        String(20), nullable=False, default=RegistrationStatus.UNCONFIRMED, index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    # The private link is derived from this nonce and the app's secret key
    # (see app.workshops.services.link_token), so later mails can carry it
    # again while the database alone does not reveal it.
    token_nonce: Mapped[str | None] = mapped_column(String(64))
    active_email: Mapped[str | None] = mapped_column(String(254))
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the person joined the waiting list: its order (first come, first served).
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attended: Mapped[bool | None] = mapped_column(Boolean)
    # `workshops remind`: each set once, by a conditional UPDATE, before the mail.
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waiting_told_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The person stopped staff newsletters to this meeting's registrants.
    newsletters_stopped: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )

    workshop: Mapped[Workshop] = relationship()

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


ACTIVE_STATUSES = (
    RegistrationStatus.UNCONFIRMED,
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITING,
)
