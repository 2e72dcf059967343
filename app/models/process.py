"""Consultations (processes), their phases, and idea categories."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime, utcnow


class Process(TimestampMixin, db.Model):
    """A consultation: what it is about, its phases and its submission window."""

    __tablename__ = "processes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    lead: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    organiser: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    # English versions (optional): the English interface shows them, else the Polish text.
    title_en: Mapped[str] = mapped_column(String(200), nullable=False, default="", server_default="")
    lead_en: Mapped[str] = mapped_column(String(500), nullable=False, default="", server_default="")
    description_en: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Comments: "post" (published at once, reviewed after) or "pre" (held first).
    comment_moderation: Mapped[str] = mapped_column(
        String(10), nullable=False, default="post", server_default="post"
    )

    phases: Mapped[list[Phase]] = relationship(
        back_populates="process",
        order_by="Phase.position",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<Process {self.slug}>"

    def accepts_ideas(self, now: datetime | None = None) -> bool:
        """True while the submission window is open."""
        now = now or utcnow()
        if not self.published or self.opens_at is None:
            return False
        if now < self.opens_at:
            return False
        return self.closes_at is None or now < self.closes_at

    def window_state(self, now: datetime | None = None) -> str:
        """``"not_open"``, ``"open"``, ``"closed"`` or ``"none"`` (no window)."""
        now = now or utcnow()
        if self.opens_at is None:
            return "none"
        if now < self.opens_at:
            return "not_open"
        if self.closes_at is not None and now >= self.closes_at:
            return "closed"
        return "open"


class Phase(db.Model):
    """One step of a consultation, shown on its timeline."""

    __tablename__ = "process_phases"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(
        ForeignKey("processes.id", ondelete="CASCADE"), nullable=False, index=True
    )
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date | None] = mapped_column(Date)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # What the site accepts while this phase runs (app/processes/phases.py).
    accepts_ideas: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=true()
    )
    accepts_supports: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=true()
    )
    accepts_comments: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=true()
    )
    workshop_registration: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=true()
    )
    # Set once, by one conditional UPDATE, when `phases notify` announced the start.
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    process: Mapped[Process] = relationship(back_populates="phases")

    def state(self, today: date | None = None) -> str:
        """``"past"``, ``"current"`` or ``"future"``."""
        today = today or utcnow().date()
        if today < self.starts_on:
            return "future"
        if self.ends_on is not None and today > self.ends_on:
            return "past"
        return "current"


class Category(TimestampMixin, db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    name_en: Mapped[str] = mapped_column(String(120), nullable=False, default="", server_default="")
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    def __repr__(self) -> str:
        return f"<Category {self.slug}>"
