"""Outgoing mail through a transactional outbox.

``queue_mail`` renders a message and adds an ``OutboxMessage`` row to the
current transaction: it is sent only if the change it reports is committed.
``deliver_due`` claims due rows atomically (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, a conditional UPDATE on SQLite), so several workers on several
hosts deliver each message once. Failures are retried with backoff.
"""

from __future__ import annotations

import logging
import os
import re
import smtplib
import socket
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from flask import Flask, current_app, g, render_template
from flask_babel import force_locale
from flask_mail import Connection, Message
from sqlalchemy import delete, event, func, inspect, select, update
from sqlalchemy.orm import Session

from app.errors import ServiceError
from app.extensions import db
from app.models.base import utcnow
from app.models.outbox import OutboxMessage, OutboxStatus
from app.text import mask_email, single_line

logger = logging.getLogger("odkrywka.mail")

# A message "sending" for longer than this is taken to be lost by a worker
# that died, and becomes due again.
CLAIM_TIMEOUT = timedelta(minutes=10)


class InvalidRecipient(ServiceError, ValueError):
    """An address mail cannot be sent to."""

    status = 400


def _clean_address(address: str) -> str:
    address = (address or "").strip()
    if not address or any(ch in address for ch in "\r\n\x00,;<>") or "@" not in address:
        raise InvalidRecipient(address)
    return address


def queue_mail(
    recipient: str,
    template: str,
    subject: Any,
    locale: str = "pl",
    **context: Any,
) -> OutboxMessage:
    """Render ``templates/email/<template>.txt`` (and ``.html`` if present) in
    *locale* and add the message to the current transaction. Never commits."""
    recipient = _clean_address(recipient)
    with force_locale(locale):
        subject_text = single_line(str(subject), 250)
        body_text = render_template(f"email/{template}.txt", **context)
        try:
            body_html = render_template(f"email/{template}.html", **context)
        except Exception as error:  # noqa: BLE001 - the HTML part is optional
            from jinja2 import TemplateNotFound

            if not isinstance(error, TemplateNotFound):
                raise
            body_html = None
    message = OutboxMessage(
        recipient=recipient,
        subject=subject_text,
        body_text=body_text,
        body_html=body_html,
        template=template,
    )
    db.session.add(message)
    pending = g.setdefault("outbox_queued", []) if _in_app_context() else None
    if pending is not None:
        pending.append(message)
    return message


def summaries(messages: Iterable[OutboxMessage]) -> list[dict[str, str | None]]:
    """The mails sent to a person, for their own data export: subject, state
    and dates (the bodies hold nothing that is not exported elsewhere)."""
    from app.timeutil import iso_utc

    return [
        {
            "subject": message.subject,
            "status": message.status,
            "queued_at": iso_utc(message.created_at),
            "sent_at": iso_utc(message.sent_at),
        }
        for message in messages
    ]


def mails_about(
    address: str, templates: Iterable[str], mentioning: re.Pattern
) -> list[OutboxMessage]:
    """Mail to *address* from *templates* whose text matches *mentioning*
    (the page of the idea or meeting it was about), oldest first."""
    from app.text import normalise_email

    address = normalise_email(address)
    if not address:
        return []
    rows = db.session.scalars(
        select(OutboxMessage)
        .where(
            func.lower(OutboxMessage.recipient) == address,
            OutboxMessage.template.in_(tuple(templates)),
        )
        .order_by(OutboxMessage.id)
    )
    return [row for row in rows if mentioning.search(row.body_text or "")]


def mails_to_recently(
    address: str, templates: Iterable[str], within: timedelta, mentioning: re.Pattern
) -> int:
    """How many mails from *templates* about one thing (their text matches
    *mentioning*, as in :func:`mails_about`) were queued to *address* in the
    last *within*, sent or not: per-address limits on mail a visitor can ask for."""
    from app.text import normalise_email

    bodies = db.session.scalars(
        select(OutboxMessage.body_text).where(
            func.lower(OutboxMessage.recipient) == normalise_email(address),
            OutboxMessage.template.in_(tuple(templates)),
            OutboxMessage.created_at >= utcnow() - within,
        )
    )
    return sum(1 for body in bodies if mentioning.search(body or ""))


def forget_delivered(messages: Iterable[OutboxMessage]) -> int:
    """Delete the copies of *messages* already sent (or given up on); mail
    still waiting is left to be delivered."""
    ids = [m.id for m in messages if m.status in (OutboxStatus.SENT, OutboxStatus.FAILED)]
    if not ids:
        return 0
    result = db.session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def _in_app_context() -> bool:
    from flask import has_app_context

    return has_app_context()


class _TimeoutConnection(Connection):
    """Flask-Mail's connection with a socket timeout, so a hung server
    cannot hold a worker forever."""

    def configure_host(self):  # noqa: ANN201
        timeout = current_app.config.get("MAIL_TIMEOUT", 10)
        if self.mail.use_ssl:
            host = smtplib.SMTP_SSL(self.mail.server, self.mail.port, timeout=timeout)
        else:
            host = smtplib.SMTP(self.mail.server, self.mail.port, timeout=timeout)
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _claim(ids: Iterable[int] | None, limit: int) -> list[OutboxMessage]:
    """Atomically mark due messages as ours and return them (committed)."""
    now = utcnow()
    session = db.session
    worker = _worker_name()
    due = (OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.next_attempt_at <= now)
    stale = (OutboxMessage.status == OutboxStatus.SENDING) & (
        OutboxMessage.claimed_at < now - CLAIM_TIMEOUT
    )
    query = select(OutboxMessage.id).where(due | stale).order_by(OutboxMessage.id).limit(limit)
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(list(ids)))
    claimed: list[int] = []
    if session.get_bind().dialect.name == "postgresql":
        rows = session.scalars(query.with_for_update(skip_locked=True)).all()
        if rows:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(rows))
                .values(status=OutboxStatus.SENDING, claimed_by=worker, claimed_at=now)
            )
            claimed = list(rows)
        session.commit()
    else:
        candidates = session.scalars(query).all()
        session.commit()
        for message_id in candidates:
            # Only one worker's UPDATE can match the row while it is still due.
            result = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id, due | stale)
                .values(status=OutboxStatus.SENDING, claimed_by=worker, claimed_at=now)
            )
            session.commit()
            if result.rowcount == 1:
                claimed.append(message_id)
    if not claimed:
        return []
    return list(
        session.scalars(
            select(OutboxMessage).where(OutboxMessage.id.in_(claimed)).order_by(OutboxMessage.id)
        )
    )


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 6 * 3600))


def _to_flask_mail(message: OutboxMessage) -> Message:
    return Message(
        subject=message.subject,
        recipients=[message.recipient],
        body=message.body_text,
        html=message.body_html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
    )


def deliver_due(ids: Iterable[int] | None = None, limit: int = 100) -> tuple[int, int]:
    """Deliver due messages (optionally only *ids*). Returns (sent, failed)."""
    messages = _claim(ids, limit)
    if not messages:
        return 0, 0
    sent = failed = 0
    config = current_app.config
    connection = None
    try:
        if config.get("MAIL_SERVER"):
            connection = _TimeoutConnection(current_app.extensions["mail"])
            connection.__enter__()
    except (OSError, smtplib.SMTPException) as error:
        for message in messages:
            _record_failure(message, error)
            failed += 1
        db.session.commit()
        return 0, failed
    try:
        for message in messages:
            try:
                if connection is None:
                    logger.info(
                        "Mail (no MAIL_SERVER, not sent) to %s: %s\n%s",
                        mask_email(message.recipient),
                        message.subject,
                        message.body_text,
                    )
                else:
                    connection.send(_to_flask_mail(message))
            except (OSError, smtplib.SMTPException) as error:
                _record_failure(message, error)
                failed += 1
            else:
                message.status = OutboxStatus.SENT
                message.sent_at = utcnow()
                message.attempts += 1
                message.last_error = None
                sent += 1
            db.session.commit()
    finally:
        if connection is not None and connection.host is not None:
            try:
                connection.host.quit()
            except (OSError, smtplib.SMTPException):
                pass
    return sent, failed


def _record_failure(message: OutboxMessage, error: Exception) -> None:
    message.attempts += 1
    message.last_error = single_line(f"{type(error).__name__}: {error}", 500)
    if message.attempts >= current_app.config.get("MAIL_MAX_ATTEMPTS", 8):
        message.status = OutboxStatus.FAILED
    else:
        message.status = OutboxStatus.PENDING
        message.next_attempt_at = utcnow() + _backoff(message.attempts)
    logger.warning(
        "Mail to %s failed (attempt %s): %s",
        mask_email(message.recipient),
        message.attempts,
        message.last_error,
    )


@event.listens_for(Session, "after_commit")
def _remember_committed(session: Session) -> None:
    if not _in_app_context():
        return
    queued = g.pop("outbox_queued", None)
    if queued:
        # inspect().identity reads the key without emitting SQL, which is
        # not allowed at this point.
        ids = [inspect(m).identity[0] for m in queued if inspect(m).identity]
        g.setdefault("outbox_committed", []).extend(ids)


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous_transaction) -> None:  # noqa: ANN001
    if _in_app_context() and previous_transaction.parent is None:
        g.pop("outbox_queued", None)


def init_app(app: Flask) -> None:
    @app.after_request
    def _deliver_committed(response):  # noqa: ANN001, ANN202
        ids = g.pop("outbox_committed", None)
        if ids and current_app.config.get("MAIL_DELIVER_AFTER_COMMIT"):
            try:
                deliver_due(ids)
            except Exception:  # noqa: BLE001 - the worker will retry
                logger.exception("Immediate mail delivery failed; left queued")
                db.session.rollback()
        return response
