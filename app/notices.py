"""Notices: what people asked to hear about, told once, alone or in a digest.

A feature that has news for someone (a direction holding their idea changed
status, a new comment, a phase started) calls :func:`notify` in its own
transaction. The pair (recipient, event) is stored once, ever, so the same
event reported twice — by two requests at once or a job run twice — becomes
one notice. ``flask --app wsgi notices send`` (:func:`send_due`) turns due
notices into outbox mail: an immediate notice is a mail of its own; daily and
weekly ones wait for the person's digest hour and go out together, one mail
for everything gathered since. Every mail names how to stop such mail and
carries the RFC 8058 one-click headers.
"""

from __future__ import annotations

import logging
import os
import socket
from collections import defaultdict
from datetime import datetime, time, timedelta
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import delete, select, update

from app.database import insert_for
from app.extensions import db
from app.mail import is_undeliverable, mail_kind, queue_mail
from app.models.base import utcnow
from app.models.notice import Notice, NoticeCadence
from app.text import normalise_email, single_line
from app.timeutil import LOCAL_TZ, iso_utc

logger = logging.getLogger("odkrywka.notices")

# The mail templates (templates/email/notice*.txt|html); their kind is
# "notice", so an address refused for good is not mailed again.
SINGLE_TEMPLATE = "notice"
DIGEST_TEMPLATE = "notice_digest"


def next_digest(cadence: str, now: datetime) -> datetime:
    """When a notice of *cadence* created at *now* (UTC) may go out: at once,
    at the next digest hour (Warsaw time), or at that hour next Monday."""
    if cadence == NoticeCadence.IMMEDIATE:
        return now
    hour = int(current_app.config.get("NOTICE_DIGEST_HOUR", 7))
    local = now.astimezone(LOCAL_TZ)
    at = datetime.combine(local.date(), time(hour), tzinfo=LOCAL_TZ)
    if at <= local:
        at += timedelta(days=1)
    if cadence == NoticeCadence.WEEKLY:
        at += timedelta(days=(7 - at.weekday()) % 7)  # Monday is 0
    return at.astimezone(now.tzinfo)


def notify(
    recipient: str,
    *,
    event: str,
    kind: str,
    title: str,
    text: str,
    url: str,
    unsubscribe_url: str,
    cadence: str = NoticeCadence.IMMEDIATE,
    locale: str = "pl",
    now: datetime | None = None,
) -> bool:
    """Keep one notice of *event* for *recipient*; never commits.

    Returns True when it was stored now, False when this person was told of
    this event before (or is being told) or their server refuses such mail.
    """
    if cadence not in NoticeCadence.ALL:
        raise ValueError(f"unknown cadence {cadence!r}")
    address = normalise_email(recipient)
    if is_undeliverable(address, mail_kind(SINGLE_TEMPLATE)):
        logger.info("Notice %s skipped: the address's server refused such mail", event)
        return False
    now = now or utcnow()
    statement = (
        insert_for(Notice)
        .values(
            recipient=address,
            event=event[:120],
            kind=kind[:40],
            title=single_line(title, 300),
            text=text,
            url=url,
            unsubscribe_url=unsubscribe_url,
            cadence=cadence,
            locale=locale,
            created_at=now,
            due_at=next_digest(cadence, now),
        )
        .on_conflict_do_nothing(index_elements=["recipient", "event"])
        .returning(Notice.id)
    )
    return db.session.execute(statement).scalar() is not None


def _claim(now: datetime, worker: str) -> list[Notice]:
    """Mark every due notice as this run's and return them. The conditional
    UPDATE lets only one of two concurrent runs take a notice."""
    taken = db.session.execute(
        update(Notice)
        .where(Notice.sent_at.is_(None), Notice.claimed_by.is_(None), Notice.due_at <= now)
        .values(claimed_by=worker)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        return []
    return list(
        db.session.scalars(
            select(Notice)
            .where(Notice.claimed_by == worker, Notice.sent_at.is_(None))
            .order_by(Notice.recipient, Notice.created_at, Notice.id)
            .execution_options(populate_existing=True)
        )
    )


def send_due(now: datetime | None = None) -> int:
    """Turn due notices into outbox mail and commit; returns the mails queued.

    A person's immediate notices go out one mail each; their due daily and
    weekly notices go out together as one digest.
    """
    now = now or utcnow()
    worker = f"{socket.gethostname()}:{os.getpid()}:{now.timestamp()}"
    notices = _claim(now, worker)
    by_person: dict[str, list[Notice]] = defaultdict(list)
    for notice in notices:
        by_person[notice.recipient].append(notice)
    queued = 0
    for recipient, items in by_person.items():
        single = [n for n in items if n.cadence == NoticeCadence.IMMEDIATE]
        gathered = [n for n in items if n.cadence != NoticeCadence.IMMEDIATE]
        for notice in single:
            queued += _queue_single(recipient, notice)
        if len(gathered) == 1:
            queued += _queue_single(recipient, gathered[0])
        elif gathered:
            queued += _queue_digest(recipient, gathered)
        for notice in items:
            notice.sent_at = now
    db.session.commit()
    return queued


def _queue_single(recipient: str, notice: Notice) -> int:
    message = queue_mail(
        recipient,
        SINGLE_TEMPLATE,
        notice.title,
        notice.locale,
        ref=f"notice:{notice.id}",
        unsubscribe_url=notice.unsubscribe_url,
        notice=notice,
    )
    return 1 if message is not None else 0


def _queue_digest(recipient: str, notices: list[Notice]) -> int:
    from flask_babel import force_locale, ngettext

    locale = notices[0].locale
    with force_locale(locale):
        subject = ngettext(
            "Odkrywka: %(num)d nowa wiadomość",
            "Odkrywka: %(num)d nowe wiadomości",
            len(notices),
        )
    # One address to stop the digest: each item keeps its own link too.
    message = queue_mail(
        recipient,
        DIGEST_TEMPLATE,
        subject,
        locale,
        ref=f"notice:{notices[0].id}",
        unsubscribe_url=notices[-1].unsubscribe_url,
        notices=notices,
    )
    return 1 if message is not None else 0


# --- personal data -----------------------------------------------------------


def for_recipient(address: str) -> list[dict[str, Any]]:
    """What is kept about *address* (the data download)."""
    rows = db.session.scalars(
        select(Notice).where(Notice.recipient == normalise_email(address)).order_by(Notice.id)
    )
    return [
        {
            "kind": row.kind,
            "title": row.title,
            "text": row.text,
            "url": row.url,
            "cadence": row.cadence,
            "created_at": iso_utc(row.created_at),
            "sent_at": iso_utc(row.sent_at),
        }
        for row in rows
    ]


def forget(address: str) -> int:
    """Delete every notice for *address* (erasure); returns how many."""
    return db.session.execute(
        delete(Notice)
        .where(Notice.recipient == normalise_email(address))
        .execution_options(synchronize_session=False)
    ).rowcount


def purge_sent(now: datetime | None = None) -> int:
    """Retention: drop notices sent more than NOTICE_RETENTION_DAYS ago.

    Until then a sent notice stays, so the same event is not told twice."""
    now = now or utcnow()
    days = int(current_app.config.get("NOTICE_RETENTION_DAYS", 90))
    return db.session.execute(
        delete(Notice)
        .where(Notice.sent_at.is_not(None), Notice.sent_at < now - timedelta(days=days))
        .execution_options(synchronize_session=False)
    ).rowcount


# --- command line ----------------------------------------------------------------

cli = AppGroup("notices", help="Tell people what they asked to hear about.")


@cli.command("send")
def send_command() -> None:
    """Queue due notices (single mails and digests) in the outbox."""
    queued = send_due()
    click.echo(f"{queued} mail(s) queued")
