"""Newsletters: who they go to, how they leave, how people stop them.

Audience. A newsletter names segments; each holds only people who asked to
hear: confirmed followers of a consultation, authors of its ideas who
agreed to updates when they sent them, supporters of its ideas who asked to
be notified, people registered (confirmed or waiting) for a meeting. An
address is mailed once however many segments hold it, and never when its
server refused our mail for good (SMTP 5xx, ``app.mail``'s marks).

Sending. ``send_due`` (``flask --app wsgi newsletters send``) claims a due
newsletter with one conditional UPDATE (two runs at once send it once),
writes a recipient row and an outbox message per address and spaces the
messages NEWSLETTER_PER_MINUTE a minute apart (their first delivery time),
so the mail worker never floods the relay. One transaction: a run that
fails leaves the newsletter scheduled for the next.

Stopping. Every mail carries a one-click link (RFC 8058: a POST without a
cookie or CSRF token) that stops what brought it: the follow, the author's
or supporter's updates, the registrant's newsletters for that meeting.

Nothing here commits except ``send_due``, a job.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from app.clients import keyed_hash
from app.extensions import db
from app.follows import services as follows
from app.i18n import format_when
from app.mail import queue_mail, undeliverable_kinds
from app.models import (
    Follower,
    FollowSubscription,
    Idea,
    IdeaStatus,
    Newsletter,
    NewsletterRecipient,
    NewsletterStatus,
    OutboxMessage,
    OutboxStatus,
    Process,
    Registration,
    RegistrationStatus,
    Support,
    Workshop,
    utcnow,
)
from app.models.base import is_valid_id
from app.text import normalise_email
from app.timeutil import iso_utc
from app.web import external_url

TEMPLATE = "newsletter"
KINDS = ("followers", "authors", "supporters", "registrants")


# --- segments ----------------------------------------------------------------------


def parse_segment(key: str) -> tuple[str, int] | None:
    kind, _, ident = (key or "").partition(":")
    if kind not in KINDS or not ident.isdigit():
        return None
    return kind, int(ident)


def segment_choices() -> list[tuple[str, str]]:
    """Every segment staff may pick: per consultation and per meeting."""
    choices: list[tuple[str, str]] = []
    for process in db.session.scalars(select(Process).order_by(Process.id.desc())):
        title = process.title
        choices += [
            (f"followers:{process.id}", str(_l("Obserwujący konsultację „%(t)s”", t=title))),
            (
                f"authors:{process.id}",
                str(_l("Autorzy pomysłów, którzy chcą wiadomości – „%(t)s”", t=title)),
            ),
            (
                f"supporters:{process.id}",
                str(_l("Popierający, którzy poprosili o powiadomienia – „%(t)s”", t=title)),
            ),
        ]
    for workshop in db.session.scalars(select(Workshop).order_by(Workshop.starts_at.desc())):
        choices.append(
            (
                f"registrants:{workshop.id}",
                str(
                    _l(
                        "Zapisani na spotkanie „%(t)s” (%(d)s)",
                        t=workshop.title,
                        d=format_when(workshop.starts_at, "short"),
                    )
                ),
            )
        )
    return choices


def _segment_rows(kind: str, ident: int) -> list[tuple[str, str]]:
    """(address, locale) of the people in one segment who asked to hear."""
    if kind == "followers":
        query = (
            select(Follower.email, Follower.locale)
            .join(FollowSubscription, FollowSubscription.follower_id == Follower.id)
            .where(
                FollowSubscription.target == f"process:{ident}",
                FollowSubscription.confirmed_at.is_not(None),
                Follower.confirmed_at.is_not(None),
            )
        )
    elif kind == "authors":
        query = select(Idea.email, Idea.locale).where(
            Idea.process_id == ident,
            Idea.author_updates.is_(True),
            Idea.email.is_not(None),
            Idea.status != IdeaStatus.UNCONFIRMED,
        )
    elif kind == "supporters":
        query = (
            select(Support.email, Support.locale)
            .join(Idea, Idea.id == Support.idea_id)
            .where(
                Idea.process_id == ident,
                Support.notify.is_(True),
                Support.confirmed_at.is_not(None),
            )
        )
    else:
        query = select(Registration.email, Registration.locale).where(
            Registration.workshop_id == ident,
            Registration.status.in_((RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING)),
            Registration.newsletters_stopped.is_(False),
        )
    return [(email, locale or "pl") for email, locale in db.session.execute(query)]


@dataclass
class Member:
    email: str
    locale: str
    segments: list[str] = field(default_factory=list)


def audience(segments: list[str]) -> list[Member]:
    """Everyone the segments hold, each address once (normalised), without
    addresses whose server refused our mail for good."""
    members: dict[str, Member] = {}
    for key in segments:
        parsed = parse_segment(key)
        if parsed is None:
            continue
        for email, locale in _segment_rows(*parsed):
            address = normalise_email(email)
            if not address:
                continue
            member = members.setdefault(address, Member(address, locale))
            if key not in member.segments:
                member.segments.append(key)
    return [m for m in members.values() if not undeliverable_kinds(m.email)]


# --- links ---------------------------------------------------------------------------


def stop_token(recipient: NewsletterRecipient) -> str:
    """The one-click link's secret: the row's id and a keyed hash."""
    digest = bytes.fromhex(
        keyed_hash(f"{recipient.id}:{recipient.newsletter_id}:{recipient.email}", "newsletter-stop")
    )
    raw = recipient.id.to_bytes(4, "big") + digest
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def stop_url(recipient: NewsletterRecipient) -> str:
    return external_url("newsletters.unsubscribe", token=stop_token(recipient))


def find_by_stop_token(token: str) -> NewsletterRecipient | None:
    """The recipient a link belongs to, or None (forged, or purged: expired)."""
    if not token or len(token) > 100:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, binascii.Error):
        return None
    if len(raw) != 4 + 32:
        return None
    recipient_id = int.from_bytes(raw[:4], "big")
    if not is_valid_id(recipient_id):
        return None
    recipient = db.session.get(NewsletterRecipient, recipient_id)
    if recipient is None:
        return None
    import hmac

    return recipient if hmac.compare_digest(stop_token(recipient), token) else None


# --- stopping ------------------------------------------------------------------------


def unsubscribe(recipient: NewsletterRecipient, now: datetime | None = None) -> bool:
    """Stop what brought this newsletter to the address: each of its
    segments' own opt-out. True the first time."""
    now = now or utcnow()
    email = recipient.email
    for key in recipient.segments.split():
        parsed = parse_segment(key)
        if parsed is None:
            continue
        kind, ident = parsed
        if kind == "followers":
            follower = follows.follower_for_email(email)
            for subscription in list(follower.subscriptions if follower else []):
                if subscription.target == f"process:{ident}":
                    follows.stop_subscription(subscription)
        elif kind == "authors":
            db.session.execute(
                update(Idea)
                .where(Idea.process_id == ident, func.lower(Idea.email) == email)
                .values(author_updates=False)
                .execution_options(synchronize_session=False)
            )
        elif kind == "supporters":
            ideas = select(Idea.id).where(Idea.process_id == ident)
            db.session.execute(
                update(Support)
                .where(Support.idea_id.in_(ideas), func.lower(Support.email) == email)
                .values(notify=False)
                .execution_options(synchronize_session=False)
            )
        else:
            db.session.execute(
                update(Registration)
                .where(Registration.workshop_id == ident, func.lower(Registration.email) == email)
                .values(newsletters_stopped=True)
                .execution_options(synchronize_session=False)
            )
    first = recipient.unsubscribed_at is None
    if first:
        recipient.unsubscribed_at = now
    db.session.flush()
    return first


# --- sending -------------------------------------------------------------------------


def reasons(segments: list[str]) -> list[Any]:
    """Why the address gets the mail, one lazy phrase per segment (read in
    the recipient's language when the mail is written)."""
    found: list[Any] = []
    for key in segments:
        parsed = parse_segment(key)
        if parsed is None:
            continue
        kind, ident = parsed
        if kind == "registrants":
            workshop = db.session.get(Workshop, ident)
            if workshop is not None:
                found.append(_l("zapis na spotkanie „%(t)s”", t=workshop.title))
            continue
        process = db.session.get(Process, ident)
        if process is None:
            continue
        phrase = {
            "followers": _l("obserwujesz konsultację „%(t)s”", t=process.title),
            "authors": _l(
                "przy pomyśle w konsultacji „%(t)s” jest zgoda na wiadomości", t=process.title
            ),
            "supporters": _l(
                "popierasz pomysł w konsultacji „%(t)s” i prosisz o powiadomienia",
                t=process.title,
            ),
        }[kind]
        found.append(phrase)
    return found


def queue_newsletter_mail(
    newsletter: Newsletter,
    email: str,
    locale: str,
    *,
    reasons: list[str],
    unsubscribe_url: str | None,
    test: bool = False,
) -> OutboxMessage | None:
    subject = f"[TEST] {newsletter.subject}" if test else newsletter.subject
    return queue_mail(
        email,
        TEMPLATE,
        subject,
        locale=locale,
        ref=f"newsletter:{newsletter.id}",
        unsubscribe_url=unsubscribe_url,
        newsletter=newsletter,
        reasons=reasons,
        stop_url=unsubscribe_url,
        archive_url=external_url("newsletters.detail", newsletter_id=newsletter.id)
        if newsletter.public
        else None,
        test=test,
    )


def _first_free_slot(now: datetime, interval: timedelta) -> datetime:
    """After the last newsletter message still waiting for its slot."""
    last = db.session.scalar(
        select(func.max(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.template == TEMPLATE,
            OutboxMessage.status == OutboxStatus.PENDING,
        )
    )
    return max(now, last + interval) if last else now


def send(newsletter: Newsletter, now: datetime) -> int:
    """Write recipient rows and outbox mail for *newsletter* (already
    claimed), spaced by NEWSLETTER_PER_MINUTE. Returns the mails queued."""
    per_minute = max(int(current_app.config.get("NEWSLETTER_PER_MINUTE", 60)), 1)
    interval = timedelta(seconds=60 / per_minute)
    slot = _first_free_slot(now, interval)
    queued = 0
    for member in audience(list(newsletter.segments or [])):
        recipient = NewsletterRecipient(
            newsletter_id=newsletter.id,
            email=member.email,
            locale=member.locale,
            segments=" ".join(member.segments),
            created_at=now,
        )
        db.session.add(recipient)
        db.session.flush()
        message = queue_newsletter_mail(
            newsletter,
            member.email,
            member.locale,
            reasons=reasons(member.segments),
            unsubscribe_url=stop_url(recipient),
        )
        if message is None:
            continue
        message.next_attempt_at = slot
        message.queued_at = slot  # MAIL_LIFETIME counts from its turn
        db.session.flush()
        recipient.outbox_message_id = message.id
        slot += interval
        queued += 1
    newsletter.status = NewsletterStatus.SENT
    newsletter.sent_at = now
    return queued


def send_due(now: datetime | None = None) -> int:
    """Send every newsletter whose time has come; commits once per
    newsletter. Returns the mails queued."""
    now = now or utcnow()
    ids = list(
        db.session.scalars(
            select(Newsletter.id)
            .where(
                Newsletter.status == NewsletterStatus.SCHEDULED,
                Newsletter.scheduled_at <= now,
            )
            .order_by(Newsletter.scheduled_at, Newsletter.id)
        )
    )
    db.session.rollback()  # on SQLite the claim must start a fresh transaction
    queued = 0
    for newsletter_id in ids:
        claimed = db.session.execute(
            update(Newsletter)
            .where(Newsletter.id == newsletter_id, Newsletter.status == NewsletterStatus.SCHEDULED)
            .values(status=NewsletterStatus.SENDING)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            db.session.rollback()
            continue
        newsletter = db.session.get(Newsletter, newsletter_id)
        db.session.refresh(newsletter)
        queued += send(newsletter, now)
        db.session.commit()
    return queued


# --- counts --------------------------------------------------------------------------


def counts(newsletter: Newsletter) -> dict[str, int]:
    """recipients, delivered, failed, pending, unsubscribed."""
    if newsletter.final_counts:
        return dict(newsletter.final_counts)
    rows = db.session.execute(
        select(NewsletterRecipient.unsubscribed_at, OutboxMessage.status)
        .outerjoin(OutboxMessage, OutboxMessage.id == NewsletterRecipient.outbox_message_id)
        .where(NewsletterRecipient.newsletter_id == newsletter.id)
    ).all()
    result = {"recipients": 0, "delivered": 0, "failed": 0, "pending": 0, "unsubscribed": 0}
    for unsubscribed_at, status in rows:
        result["recipients"] += 1
        if unsubscribed_at is not None:
            result["unsubscribed"] += 1
        if status in (OutboxStatus.FAILED, OutboxStatus.EXPIRED):
            result["failed"] += 1
        elif status in (OutboxStatus.PENDING, OutboxStatus.SENDING):
            result["pending"] += 1
        else:  # sent, or its copy already purged after sending
            result["delivered"] += 1
    return result


# --- the public archive --------------------------------------------------------------


def newsletter_or_404(newsletter_id: int) -> Newsletter:
    """The newsletter, or 404 (also for an id past PostgreSQL's INTEGER)."""
    from flask import abort

    if not is_valid_id(newsletter_id):
        abort(404)
    return db.get_or_404(Newsletter, newsletter_id)


def archived() -> list[Newsletter]:
    return list(
        db.session.scalars(
            select(Newsletter)
            .where(Newsletter.public.is_(True), Newsletter.status == NewsletterStatus.SENT)
            .order_by(Newsletter.sent_at.desc())
        )
    )


# --- personal data -------------------------------------------------------------------


def recipients_for(email: str) -> list[NewsletterRecipient]:
    return list(
        db.session.scalars(
            select(NewsletterRecipient)
            .where(NewsletterRecipient.email == normalise_email(email))
            .order_by(NewsletterRecipient.id)
        )
    )


def export_recipients(email: str) -> list[dict[str, Any]]:
    return [
        {
            "newsletter": row.newsletter.subject,
            "sent_at": iso_utc(row.created_at),
            "segments": row.segments.split(),
            "unsubscribed_at": iso_utc(row.unsubscribed_at),
        }
        for row in recipients_for(email)
    ]


def erase_recipients(email: str) -> int:
    result = db.session.execute(
        delete(NewsletterRecipient)
        .where(NewsletterRecipient.email == normalise_email(email))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def purge_old_recipients(now: datetime | None = None) -> int:
    """Delete recipient rows (addresses) NEWSLETTER_RECIPIENTS_DAYS after
    sending; the newsletter keeps its counts."""
    now = now or utcnow()
    days = current_app.config.get("NEWSLETTER_RECIPIENTS_DAYS", 90)
    old = list(
        db.session.scalars(
            select(Newsletter).where(
                Newsletter.status == NewsletterStatus.SENT,
                Newsletter.sent_at < now - timedelta(days=days),
                Newsletter.final_counts.is_(None),
            )
        )
    )
    purged = 0
    for newsletter in old:
        newsletter.final_counts = counts(newsletter)
        result = db.session.execute(
            delete(NewsletterRecipient)
            .where(NewsletterRecipient.newsletter_id == newsletter.id)
            .execution_options(synchronize_session=False)
        )
        purged += result.rowcount or 0
    return purged
