"""Telling people that a direction took up their idea, or that a direction
holding it changed status, and letting them stop such mail.

Who hears: the idea's author (who agreed to the processing of their data for
the idea when sending it, and still has an address with us) and the
supporters who confirmed their support and asked for news of the idea.
Each gets one notice per change through :mod:`app.notices` (``daily``
cadence: several changes in a day make one digest). The notice's event key
names the change, so two requests, or a job run twice, never make two mails
for one change to one person.

Stopping is one address at a time: only a keyed hash of the normalised
address is stored (``DirectionMailOptOut``), and the link in every mail
carries that hash with a keyed check, never the address itself.
"""

from __future__ import annotations

import hmac

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from app import notices
from app.clients import keyed_hash
from app.directions.lifecycle import STATUS_LABELS, status_label
from app.extensions import db
from app.follows.services import announce
from app.models import (
    Direction,
    DirectionEvent,
    DirectionIdea,
    DirectionMailOptOut,
    Idea,
    IdeaStatus,
    Notice,
    Support,
)
from app.text import normalise_email
from app.web import external_url

KIND = "direction"
_HASH_PURPOSE = "direction-optout"
_LINK_PURPOSE = "direction-optout-link"
_MAC_LENGTH = 24


# -- opting out -----------------------------------------------------------------------


def address_hash(email: str) -> str:
    return keyed_hash(normalise_email(email), _HASH_PURPOSE)


def unsubscribe_token(email: str) -> str:
    digest = address_hash(email)
    return digest + keyed_hash(digest, _LINK_PURPOSE)[:_MAC_LENGTH]


def hash_from_token(token: str) -> str | None:
    """The address hash a genuine link carries, or None for a forged one."""
    if not token or len(token) != 64 + _MAC_LENGTH:
        return None
    digest, mac = token[:64], token[64:]
    if not hmac.compare_digest(keyed_hash(digest, _LINK_PURPOSE)[:_MAC_LENGTH], mac):
        return None
    return digest


def unsubscribe_url(email: str) -> str:
    return external_url("directions.unsubscribe", token=unsubscribe_token(email))


def is_opted_out(email: str) -> bool:
    return opted_out_hash(address_hash(email))


def opted_out_hash(digest: str) -> bool:
    return (
        db.session.scalar(
            select(DirectionMailOptOut.id).where(DirectionMailOptOut.email_hash == digest)
        )
        is not None
    )


def opt_out(digest: str, token: str) -> bool:
    """Stop mail about directions for the address behind *digest*: notices
    waiting for a digest go too (they carry this very link). True if this
    call stopped it (a second click, or two at once, change nothing)."""
    db.session.execute(
        delete(Notice)
        .where(
            Notice.kind == KIND,
            Notice.sent_at.is_(None),
            Notice.unsubscribe_url == external_url("directions.unsubscribe", token=token),
        )
        .execution_options(synchronize_session=False)
    )
    if opted_out_hash(digest):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(DirectionMailOptOut(email_hash=digest))
            db.session.flush()
    except IntegrityError:
        return False
    return True


def forget_opt_out(email: str) -> int:
    """Erasure: the address's opt-out row goes (returns how many)."""
    result = db.session.execute(
        delete(DirectionMailOptOut)
        .where(DirectionMailOptOut.email_hash == address_hash(email))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def purge_unneeded_opt_outs() -> int:
    """Retention: an opt-out is kept while the address is still held for an
    idea or a support (so could be written to); once neither remains, it
    has nothing left to stop and is deleted."""
    held = {
        address_hash(email)
        for email in db.session.scalars(
            select(Idea.email).where(Idea.email.is_not(None)).union(select(Support.email))
        )
        if email
    }
    stale = [
        row_id
        for row_id, digest in db.session.execute(
            select(DirectionMailOptOut.id, DirectionMailOptOut.email_hash)
        )
        if digest not in held
    ]
    if not stale:
        return 0
    db.session.execute(
        delete(DirectionMailOptOut)
        .where(DirectionMailOptOut.id.in_(stale))
        .execution_options(synchronize_session=False)
    )
    return len(stale)


# -- who hears about an idea -------------------------------------------------------------


def recipients(idea: Idea) -> dict[str, str]:
    """Normalised address → language, for one idea: its author and the
    supporters who asked for news; those who opted out are left out."""
    found: dict[str, str] = {}
    if idea.email and idea.consented_at is not None:
        found[normalise_email(idea.email)] = idea.locale or "pl"
    supporters = db.session.execute(
        select(Support.email, Support.locale).where(
            Support.idea_id == idea.id,
            Support.confirmed_at.is_not(None),
            Support.notify.is_(True),
        )
    )
    for email, locale in supporters:
        found.setdefault(normalise_email(email), locale or "pl")
    return {email: locale for email, locale in found.items() if email and not is_opted_out(email)}


def _direction_url(direction: Direction) -> str:
    return external_url("directions.detail", slug=direction.slug)


def _send(
    email: str, locale: str, event_key: str, title: str, text: str, direction: Direction
) -> bool:
    return notices.notify(
        email,
        event=event_key,
        kind=KIND,
        title=title,
        text=text,
        url=_direction_url(direction),
        unsubscribe_url=unsubscribe_url(email),
        cadence="daily",
        locale=locale,
    )


def notify_idea_linked(direction: Direction, link: DirectionIdea, event: DirectionEvent) -> int:
    """One notice per person about one idea taken up; returns how many were stored."""
    if not direction.is_public:
        return 0
    idea = link.idea
    key = f"direction:{direction.id}:link:{link.id}"
    stored = 0
    for email, locale in recipients(idea).items():
        with force_locale(locale):
            title = _(
                "Pomysł „%(idea)s” w kierunku rozwojowym „%(direction)s”",
                idea=idea.title,
                direction=direction.title,
            )
            text = _(
                "Pomysł „%(idea)s” został wykorzystany w kierunku rozwojowym "
                "„%(direction)s” (status: %(status)s).",
                idea=idea.title,
                direction=direction.title,
                status=status_label(direction.status),
            )
            if link.note:
                text += "\n" + _("Jak zostanie wykorzystany: %(note)s", note=link.note)
        stored += _send(email, locale, key, title, text, direction)
    return stored


def notify_status_change(direction: Direction, event: DirectionEvent) -> int:
    """One notice per person (however many of their ideas the direction
    holds) about one status change; returns how many were stored."""
    if not direction.is_public:
        return 0
    ideas = db.session.scalars(
        select(Idea)
        .join(DirectionIdea, DirectionIdea.idea_id == Idea.id)
        .where(DirectionIdea.direction_id == direction.id, Idea.status == IdeaStatus.PUBLISHED)
        .order_by(func.coalesce(DirectionIdea.position, 0), Idea.id)
    ).all()
    people: dict[str, tuple[str, Idea]] = {}
    for idea in ideas:
        for email, locale in recipients(idea).items():
            people.setdefault(email, (locale, idea))
    key = f"direction:{direction.id}:status:{event.id}"
    stored = 0
    for email, (locale, idea) in people.items():
        with force_locale(locale):
            title = _(
                "Kierunek rozwojowy „%(direction)s”: %(status)s",
                direction=direction.title,
                status=status_label(direction.status),
            )
            text = _(
                "Kierunek rozwojowy „%(direction)s”, który wykorzystuje pomysł „%(idea)s”, "
                "ma nowy status: %(status)s.",
                direction=direction.title,
                idea=idea.title,
                status=status_label(direction.status),
            )
            if event.message:
                text += "\n" + _("Uzasadnienie: %(reason)s", reason=event.message)
        stored += _send(email, locale, key, title, text, direction)
    return stored


# -- the consultation's followers (app.follows) ------------------------------------------


def announce_published(direction: Direction) -> int:
    """Tell the consultation's followers that a new direction is out."""
    if not direction.is_public:
        return 0
    return announce(
        process=direction.process,
        event=f"direction:{direction.id}:published",
        title=_l("Nowy kierunek rozwojowy: %(title)s", title=direction.title),
        text=_l(
            "Organizator zebrał pomysły z konsultacji w kierunek rozwojowy „%(title)s”. "
            "Zobacz, które pomysły obejmuje i skąd mają przyjść na niego pieniądze.",
            title=direction.title,
        ),
        url=_direction_url(direction),
    )


def announce_status(direction: Direction, event: DirectionEvent) -> int:
    """Tell the consultation's followers that a direction changed status."""
    if not direction.is_public:
        return 0
    return announce(
        process=direction.process,
        event=f"direction:{direction.id}:status:{event.id}",
        title=_l(
            "Kierunek „%(title)s”: %(status)s",
            title=direction.title,
            status=STATUS_LABELS[event.to_status],
        ),
        text=event.message or "",
        url=_direction_url(direction),
    )
