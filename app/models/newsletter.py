"""Newsletters staff write to people who asked to hear from the consultation.

A ``Newsletter`` names its audience as segments ("followers:3" – the
followers of consultation 3; "authors:3", "supporters:3", "registrants:12" –
those registered for meeting 12). When it is sent, each address the
segments hold gets one ``NewsletterRecipient`` row (unique per newsletter,
however many segments hold it) and one mail through the outbox.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime, utcnow


class NewsletterStatus(enum.StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"  # claimed by one `newsletters send` run
    SENT = "sent"


class Newsletter(TimestampMixin, db.Model):
    __tablename__ = "newsletters"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")  # Markdown
    segments: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    status: Mapped[str] = mapped_column(
        String(20), nullable=False, default=NewsletterStatus.DRAFT, index=True
    )
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Shown in the public archive (/newsletters) once sent.
    public: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Counts kept when the recipient rows are purged (retention).
    final_counts: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))

    recipients: Mapped[list[NewsletterRecipient]] = relationship(
        back_populates="newsletter", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Newsletter {self.id} {self.status}>"

    def touches_public_pages(self) -> bool:
        """Only a public, sent newsletter is on a public page (the archive)."""
        return bool(self.public) or self.status == NewsletterStatus.SENT


class NewsletterRecipient(db.Model):
    """One address a newsletter went to (personal data: the address)."""

    __tablename__ = "newsletter_recipients"
    __table_args__ = (
        UniqueConstraint("newsletter_id", "email", name="uq_newsletter_recipients_email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    newsletter_id: Mapped[int] = mapped_column(
        ForeignKey("newsletters.id", ondelete="CASCADE"), nullable=False, index=True
    )
    email: Mapped[str] = mapped_column(String(254), nullable=False, index=True)
    # The segment kinds that hold the address ("followers authors"): the
    # mail says why it came, and unsubscribing stops each of them.
    segments: Mapped[str] = mapped_column(Text, nullable=False, default="")
    locale: Mapped[str] = mapped_column(String(5), nullable=False, default="pl")
    # The outbox row of its mail (no foreign key: the outbox purges copies).
    outbox_message_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    newsletter: Mapped[Newsletter] = relationship(back_populates="recipients")
