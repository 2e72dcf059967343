"""Outgoing mail through a transactional outbox.

``queue_mail`` renders a message and adds an ``OutboxMessage`` row to the
current transaction: it is sent only if the change it reports is committed.
``deliver_due`` claims due rows atomically (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, a conditional UPDATE on SQLite), so several workers on several
hosts deliver each message once.

Failures are told apart as a mail server does. A temporary one (the relay
refuses the connection or times out, a TLS error, an SMTP 4xx answer) is
retried with backoff (30 s doubling, at most an hour apart) until the
message is ``MAIL_LIFETIME`` old, then it is ``expired``. A permanent one
(SMTP 5xx for the recipient) makes it ``failed`` at once and marks the
address undeliverable for that kind of mail. ``retry`` brings failed and
expired messages back, re-issuing confirmation links that died meanwhile.
"""

from __future__ import annotations

import logging
import os
import re
import smtplib
import socket
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid, parseaddr
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, g, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_mail import Connection, Message
from sqlalchemy import delete, event, func, inspect, select, update
from sqlalchemy.orm import Session

from app.clients import keyed_hash
from app.database import insert_for
from app.errors import ServiceError
from app.extensions import db
from app.models.base import utcnow
from app.models.outbox import (
    FINISHED,
    RETRYABLE,
    OutboxMessage,
    OutboxStatus,
    UndeliverableAddress,
)
from app.text import mask_email, normalise_email, single_line

logger = logging.getLogger("odkrywka.mail")

# A message "sending" for longer than this is taken to be lost by a worker
# that died, and becomes due again.
CLAIM_TIMEOUT = timedelta(minutes=10)
# Temporary failures: the first retry after 30 s, doubling, never more than
# an hour apart (as mail servers do).
FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY_INTERVAL = timedelta(hours=1)

# The kind of mail a template belongs to: an address refused for one kind
# (a supporter's) is not taken as refused for another (an idea's author).
_KIND_PREFIXES = {
    "idea": "idea",
    "moderation": "idea",
    "answer_author": "idea",
    "support": "support",
    "answer_supporter": "support",
    "registration": "registration",
    "workshop": "registration",
    "follow": "follow",
    "notice": "notice",
}
# Notifications nobody asked for just now: not even queued for an address
# whose server refused that kind of mail. Mail the resident has just asked
# for (a confirmation link) is still sent, and the page warns them.
SKIP_WHEN_UNDELIVERABLE_KINDS = frozenset({"support", "follow", "notice"})
SKIP_WHEN_UNDELIVERABLE_TEMPLATES = frozenset({"support_already", "answer_supporter"})


class InvalidRecipient(ServiceError, ValueError):
    """An address mail cannot be sent to."""

    status = 400


class ResendRefused(ServiceError):
    """A resident asked to send a message again too soon, or for nothing."""

    status = 429


def _clean_address(address: str) -> str:
    address = (address or "").strip()
    if not address or any(ch in address for ch in "\r\n\x00,;<>") or "@" not in address:
        raise InvalidRecipient(address)
    return address


def mail_kind(template: str) -> str:
    """The kind of mail *template* is ("idea", "support", "registration", …)."""
    for prefix in sorted(_KIND_PREFIXES, key=len, reverse=True):
        if template == prefix or template.startswith(prefix + "_"):
            return _KIND_PREFIXES[prefix]
    return template.split("_", 1)[0] or "other"


def _render(template: str, locale: str, subject: Any, context: dict[str, Any]):  # noqa: ANN202
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
    return subject_text, body_text, body_html


def queue_mail(
    recipient: str,
    template: str,
    subject: Any,
    locale: str = "pl",
    *,
    ref: str | None = None,
    unsubscribe_url: str | None = None,
    render_later: bool = False,
    **context: Any,
) -> OutboxMessage | None:
    """Render ``templates/email/<template>.txt`` (and ``.html`` if present) in
    *locale* and add the message to the current transaction. Never commits.

    *ref* names what the message is about (``"support:7"``), for re-issuing
    its link and for the resident's resend. *unsubscribe_url* (mail the
    person subscribed to) adds the RFC 8058 one-click headers. Returns None,
    queueing nothing, for a notification to an address marked undeliverable
    for its kind.

    *render_later*: only the subject is rendered now; the body is rendered
    by whoever delivers the message (the mail worker), from *context*, which
    must then be plain JSON (strings, numbers, lists, dicts: a template's
    ``idea.title`` reads a dict's key as well as an object's attribute).
    """
    recipient = _clean_address(recipient)
    kind = mail_kind(template)
    if (
        (kind in SKIP_WHEN_UNDELIVERABLE_KINDS or template in SKIP_WHEN_UNDELIVERABLE_TEMPLATES)
        and template not in _ASKED_FOR
        and is_undeliverable(recipient, kind)
    ):
        logger.info(
            "Skipped %s to %s: its server refused %s mail before",
            template,
            mask_email(recipient),
            kind,
        )
        return None
    if render_later:
        with force_locale(locale):
            subject_text, body_text, body_html = single_line(str(subject), 250), "", None
    else:
        subject_text, body_text, body_html = _render(template, locale, subject, context)
    now = utcnow()
    message = OutboxMessage(
        recipient=recipient,
        subject=subject_text,
        body_text=body_text,
        body_html=body_html,
        render_context=context if render_later else None,
        template=template,
        ref=ref,
        unsubscribe_url=unsubscribe_url,
        locale=locale,
        created_at=now,
        queued_at=now,
        next_attempt_at=now,
    )
    db.session.add(message)
    pending = g.setdefault("outbox_queued", []) if _in_app_context() else None
    if pending is not None:
        pending.append(message)
    return message


# Confirmation links: the resident typed the address a moment ago.
_ASKED_FOR = frozenset(
    {"support_confirm", "idea_confirm", "registration_confirm", "follow_confirm"}
)


def rerender(message: OutboxMessage, subject: Any, **context: Any) -> None:
    """Render *message* again from its template (in its language) with a
    new *context*: a re-issued link replaces the dead one."""
    message.subject, message.body_text, message.body_html = _render(
        message.template, message.locale or "pl", subject, context
    )
    message.render_context = None


def render_waiting(message: OutboxMessage) -> None:
    """Render the body of a message queued with ``render_later`` (in its
    language, from its stored context); nothing for one already rendered."""
    if message.render_context is None:
        return
    _subject, message.body_text, message.body_html = _render(
        message.template, message.locale or "pl", message.subject, message.render_context
    )
    message.render_context = None


def ref_id(message: OutboxMessage, kind: str) -> int | None:
    """The id in *message*'s ``ref`` when it names a *kind* ("support:7" → 7)."""
    prefix, _sep, number = (message.ref or "").partition(":")
    return int(number) if prefix == kind and number.isdigit() else None


def latest_about(ref: str, template: str) -> OutboxMessage | None:
    """The newest message from *template* about *ref*."""
    return db.session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.ref == ref, OutboxMessage.template == template)
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )


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
    ids = [m.id for m in messages if m.status in FINISHED]
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


# --- addresses whose server refused a kind of mail -----------------------------


def _address_hash(address: str) -> str:
    return keyed_hash(normalise_email(address), "undeliverable-address")


def is_undeliverable(address: str, kind: str) -> bool:
    """Whether the server of *address* refused *kind* mail for good."""
    if not normalise_email(address):
        return False
    return db.session.get(UndeliverableAddress, (_address_hash(address), kind)) is not None


def undeliverable_kinds(address: str) -> list[str]:
    """The kinds of mail refused for *address* (for the person's data download)."""
    return list(
        db.session.scalars(
            select(UndeliverableAddress.kind)
            .where(UndeliverableAddress.address_hash == _address_hash(address))
            .order_by(UndeliverableAddress.kind)
        )
    )


def forget_undeliverable(address: str) -> int:
    """Delete every mark for *address* (erasure)."""
    result = db.session.execute(
        delete(UndeliverableAddress)
        .where(UndeliverableAddress.address_hash == _address_hash(address))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def purge_undeliverable(now: datetime | None = None) -> int:
    """Delete marks older than RETENTION_PERSONAL_DATA_DAYS."""
    now = now or utcnow()
    days = current_app.config.get("RETENTION_PERSONAL_DATA_DAYS", 365)
    result = db.session.execute(
        delete(UndeliverableAddress)
        .where(UndeliverableAddress.bounced_at < now - timedelta(days=days))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def _mark_undeliverable(address: str, kind: str, reason: str, now: datetime) -> None:
    values = {
        "address_hash": _address_hash(address),
        "kind": kind,
        "bounced_at": now,
        "reason": reason[:300],
    }
    statement = insert_for(UndeliverableAddress).values(**values)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["address_hash", "kind"],
            set_={"bounced_at": now, "reason": values["reason"]},
        )
    )


def _clear_undeliverable(address: str, kind: str) -> None:
    db.session.execute(
        delete(UndeliverableAddress)
        .where(
            UndeliverableAddress.address_hash == _address_hash(address),
            UndeliverableAddress.kind == kind,
        )
        .execution_options(synchronize_session=False)
    )


# --- delivery ------------------------------------------------------------------


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


def _claim(ids: Iterable[int] | None, limit: int, now: datetime) -> list[OutboxMessage]:
    """Atomically mark due messages as ours and return them (committed)."""
    session = db.session
    worker = _worker_name()
    due = (OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.next_attempt_at <= now)
    stale = (OutboxMessage.status == OutboxStatus.SENDING) & (
        OutboxMessage.claimed_at < now - CLAIM_TIMEOUT
    )
    # Longest due first: a backlog bigger than a round is worked through
    # in turn instead of the same few messages being tried again and again.
    query = (
        select(OutboxMessage.id)
        .where(due | stale)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
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
            select(OutboxMessage)
            .where(OutboxMessage.id.in_(claimed))
            .order_by(OutboxMessage.id)
            .execution_options(populate_existing=True)
        )
    )


def backoff(attempts: int) -> timedelta:
    """How long to wait after the *attempts*-th temporary failure."""
    doublings = min(max(attempts - 1, 0), 20)  # past 20 the cap holds anyway
    return min(FIRST_RETRY * 2**doublings, MAX_RETRY_INTERVAL)


def is_permanent(error: Exception) -> bool:
    """Whether *error* means the recipient's server refused the message for
    good (SMTP 5xx for the address or the content). Everything else — a
    refused or timed-out connection, TLS, a 4xx answer, our own relay's
    5xx for the sender or the login — is worth trying again."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(error, smtplib.SMTPDataError):
        return 500 <= error.smtp_code < 600
    return False


def message_id_domain() -> str:
    """The domain in Message-ID: the site's (BASE_URL), or the sender's when
    the site runs on a bare address or localhost."""
    config = current_app.config
    host = (urlsplit(config.get("BASE_URL") or "").hostname or "").lower()
    if host and "." in host and not _is_ip(host) and host != "localhost":
        return host
    sender = config.get("MAIL_DEFAULT_SENDER") or ""
    address = parseaddr(sender if isinstance(sender, str) else sender[1])[1]
    domain = address.rpartition("@")[2].lower()
    return domain or host or "localhost"


def _is_ip(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _to_flask_mail(message: OutboxMessage) -> Message:
    config = current_app.config
    mail = Message(
        subject=message.subject,
        recipients=[message.recipient],
        body=message.body_text,
        html=message.body_html,
        sender=config["MAIL_DEFAULT_SENDER"],
        reply_to=config.get("MAIL_REPLY_TO") or None,
        extra_headers={
            # RFC 3834: no vacation or out-of-office answers to these.
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
        },
    )
    if message.unsubscribe_url:
        # RFC 2369 and RFC 8058: the mail program's own "unsubscribe" button,
        # a POST to this address that needs no page visit.
        mail.extra_headers["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        mail.extra_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail.msgId = make_msgid(idstring=f"odkrywka.{message.id}", domain=message_id_domain())
    return mail


def deliver_due(
    ids: Iterable[int] | None = None, limit: int = 100, now: datetime | None = None
) -> tuple[int, int]:
    """Deliver due messages (optionally only *ids*). Returns (sent, failed).

    *now* is the time the round runs at (tests move it forward)."""
    now = now or utcnow()
    messages = _claim(ids, limit, now)
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
            _record_failure(message, error, now)
            failed += 1
        db.session.commit()
        return 0, failed
    try:
        for message in messages:
            try:
                render_waiting(message)
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
                _record_failure(message, error, now)
                failed += 1
            else:
                message.status = OutboxStatus.SENT
                message.sent_at = now
                message.attempts += 1
                message.last_error = None
                _clear_undeliverable(message.recipient, mail_kind(message.template))
                sent += 1
            db.session.commit()
    finally:
        if connection is not None and connection.host is not None:
            try:
                connection.host.quit()
            except (OSError, smtplib.SMTPException):
                pass
    return sent, failed


def _describe(error: Exception, address: str) -> str:
    text = single_line(f"{type(error).__name__}: {error}", 500)
    return text.replace(address, mask_email(address)) if address else text


def _record_failure(message: OutboxMessage, error: Exception, now: datetime) -> None:
    config = current_app.config
    message.attempts += 1
    message.last_error = _describe(error, message.recipient)
    message.failed_at = now
    max_attempts = config.get("MAIL_MAX_ATTEMPTS") or 0
    lifetime = config.get("MAIL_LIFETIME") or timedelta(days=3)
    queued_at = message.queued_at or message.created_at
    if is_permanent(error):
        message.status = OutboxStatus.FAILED
        _mark_undeliverable(message.recipient, mail_kind(message.template), message.last_error, now)
    elif now - queued_at >= lifetime or (max_attempts and message.attempts >= max_attempts):
        message.status = OutboxStatus.EXPIRED
    else:
        message.status = OutboxStatus.PENDING
        message.next_attempt_at = min(now + backoff(message.attempts), queued_at + lifetime)
    logger.warning(
        "Mail to %s %s (attempt %s): %s",
        mask_email(message.recipient),
        {"failed": "refused for good", "expired": "expired"}.get(message.status, "failed"),
        message.attempts,
        message.last_error,
    )


# --- bringing mail back ------------------------------------------------------------

# What a re-issuer answers for a message about to be sent again.
KEEP = "keep"  # the link in it still works: send it as it is
REISSUED = "reissued"  # the link had died: the message now carries a new one
DROP = "drop"  # nothing to send any more (confirmed, withdrawn, deleted)

Reissuer = Callable[[OutboxMessage, datetime], str]


@dataclass
class RetryOutcome:
    requeued: int = 0
    reissued: int = 0
    dropped: int = 0


def _reissue(message: OutboxMessage, now: datetime) -> str:
    reissuers: Mapping[str, Reissuer] = current_app.extensions.get("mail_reissuers", {})
    reissuer = reissuers.get(message.template)
    return reissuer(message, now) if reissuer is not None else KEEP


def _requeue(message: OutboxMessage, now: datetime, from_statuses: Iterable[str]) -> bool:
    """Start a new delivery run for *message* if it is still in *from_statuses*
    (a conditional UPDATE: two admins retrying at once re-queue it once)."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.status.in_(list(from_statuses)))
        .values(
            status=OutboxStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            queued_at=now,
            claimed_by=None,
            claimed_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    db.session.refresh(message)
    if _in_app_context():
        # Delivered right after the request commits, like new mail.
        g.setdefault("outbox_committed_later", []).append(message)
    return True


def retry(
    statuses: Iterable[str] = RETRYABLE,
    since: datetime | None = None,
    ids: Iterable[int] | None = None,
    now: datetime | None = None,
) -> RetryOutcome:
    """Re-queue failed and/or expired messages (queued since *since*, or only
    *ids*); a confirmation link that died meanwhile is re-issued first.
    Never commits."""
    now = now or utcnow()
    statuses = [s for s in statuses if s in RETRYABLE]
    query = select(OutboxMessage).where(OutboxMessage.status.in_(statuses))
    if since is not None:
        query = query.where(OutboxMessage.created_at >= since)
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(list(ids)))
    outcome = RetryOutcome()
    for message in db.session.scalars(query.order_by(OutboxMessage.id)).all():
        verdict = _reissue(message, now)
        if verdict == DROP:
            outcome.dropped += 1
            continue
        db.session.flush()
        if _requeue(message, now, statuses):
            outcome.requeued += 1
            outcome.reissued += verdict == REISSUED
    return outcome


def resend(message: OutboxMessage, now: datetime | None = None) -> None:
    """The resident asks for *message* again ("Wyślij ponownie"): the same
    message (the same link) goes out once more, at most once every
    MAIL_RESEND_MINUTES. Raises ResendRefused. Never commits."""
    now = now or utcnow()
    wait = timedelta(minutes=current_app.config.get("MAIL_RESEND_MINUTES", 5))
    last = message.resent_at or message.created_at
    if now - last < wait:
        minutes = max(1, -(-int((last + wait - now).total_seconds()) // 60))
        raise ResendRefused(
            _(
                "Wiadomość można wysłać ponownie za %(minutes)s min. Sprawdź też folder ze spamem.",
                minutes=minutes,
            )
        )
    if message.status == OutboxStatus.SENDING:
        return  # on its way right now
    if _reissue(message, now) == DROP:
        raise ResendRefused(_("Ta wiadomość nie jest już potrzebna."), status=409)
    message.resent_at = now
    db.session.flush()
    _requeue(message, now, [OutboxStatus.PENDING, *FINISHED])


def can_resend(message: OutboxMessage | None, now: datetime | None = None) -> bool:
    """Whether the resident may ask for *message* again now."""
    if message is None or message.status == OutboxStatus.SENDING:
        return False
    now = now or utcnow()
    wait = timedelta(minutes=current_app.config.get("MAIL_RESEND_MINUTES", 5))
    return now - (message.resent_at or message.created_at) >= wait


# --- health ----------------------------------------------------------------------


@dataclass
class OutboxHealth:
    pending: int
    failed: int
    expired: int
    oldest_pending_at: datetime | None
    failures_last_hour: int
    now: datetime

    @property
    def oldest_pending_age(self) -> timedelta | None:
        if self.oldest_pending_at is None:
            return None
        return max(self.now - self.oldest_pending_at, timedelta(0))

    def stuck(self, threshold: timedelta = timedelta(minutes=15)) -> bool:
        """Mail is not leaving: the oldest pending message waits longer than
        *threshold*, or messages failed in the last hour."""
        age = self.oldest_pending_age
        return (age is not None and age > threshold) or self.failures_last_hour > 0


def health(now: datetime | None = None) -> OutboxHealth:
    now = now or utcnow()
    counts = dict(
        db.session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    waiting = (OutboxStatus.PENDING, OutboxStatus.SENDING)
    oldest = db.session.scalar(
        select(func.min(OutboxMessage.queued_at)).where(OutboxMessage.status.in_(waiting))
    )
    if oldest is not None and oldest.tzinfo is None:
        from datetime import UTC

        oldest = oldest.replace(tzinfo=UTC)
    failures = db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.failed_at >= now - timedelta(hours=1))
    )
    return OutboxHealth(
        pending=sum(counts.get(status, 0) for status in waiting),
        failed=counts.get(OutboxStatus.FAILED, 0),
        expired=counts.get(OutboxStatus.EXPIRED, 0),
        oldest_pending_at=oldest,
        failures_last_hour=failures or 0,
        now=now,
    )


# --- after commit ----------------------------------------------------------------


@event.listens_for(Session, "after_commit")
def _remember_committed(session: Session) -> None:
    if not _in_app_context():
        return
    queued = g.pop("outbox_queued", None)
    resent = g.pop("outbox_committed_later", None)
    if queued or resent:
        # inspect().identity reads the key without emitting SQL, which is
        # not allowed at this point.
        ids = [
            inspect(m).identity[0] for m in (queued or []) + (resent or []) if inspect(m).identity
        ]
        g.setdefault("outbox_committed", []).extend(ids)


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous_transaction) -> None:  # noqa: ANN001
    if _in_app_context() and previous_transaction.parent is None:
        g.pop("outbox_queued", None)
        g.pop("outbox_committed_later", None)


def init_app(app: Flask, reissuers: Mapping[str, Reissuer] | None = None) -> None:
    """Deliver what a request committed right after it; *reissuers* give a
    template's message a fresh link when it is sent again (``retry``)."""
    app.extensions["mail_reissuers"] = dict(reissuers or {})

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
