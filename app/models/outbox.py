"""The mail outbox: a message row is written in the same transaction as the
change it reports, and delivered after commit by `flask mail send`."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    # The recipient's server refused it for good (SMTP 5xx for the address).
    FAILED = "failed"
    # Temporary failures went on past MAIL_LIFETIME (or MAIL_MAX_ATTEMPTS).
    EXPIRED = "expired"


# Statuses a message leaves only when someone re-queues it.
FINISHED = (OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.EXPIRED)
# Statuses `mail retry` and the staff outbox bring back.
RETRYABLE = (OutboxStatus.FAILED, OutboxStatus.EXPIRED)


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
        Index("ix_outbox_messages_ref", "ref"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254), nullable=False)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    body_text: Mapped[str] = mapped_column(Text, nullable=False)
    body_html: Mapped[str | None] = mapped_column(Text)
    template: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    # What the message is about ("idea:12", "support:7"): lets a dead
    # confirmation link be re-issued and the resident's resend find it.
    ref: Mapped[str | None] = mapped_column(String(60))
    # Mail someone subscribed to: where a one-click POST unsubscribes them
    # (sent as List-Unsubscribe / List-Unsubscribe-Post).
    unsubscribe_url: Mapped[str | None] = mapped_column(String(500))
    locale: Mapped[str] = mapped_column(String(5), nullable=False, default="pl")
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    # When the message last failed (for "failures in the last hour").
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # The start of the current delivery run: MAIL_LIFETIME counts from here;
    # `mail retry` and a resend start a new run.
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # When the resident last asked for it again ("Wyślij ponownie").
    resent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set while the body waits to be rendered by the mail worker (queue_mail
    # with render_later=True): the template's context, as JSON.
    render_context: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class UndeliverableAddress(db.Model):
    """An address whose server refused a kind of mail for good (SMTP 5xx).

    Only a keyed hash of the normalised address is kept. Notifications of
    that kind skip it; the resident is told when typing it again.
    """

    __tablename__ = "undeliverable_addresses"

    address_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    bounced_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # The server's answer, without the address (e.g. "550 5.1.1 …").
    reason: Mapped[str | None] = mapped_column(String(300))
