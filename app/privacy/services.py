"""Residents' personal data on request: find it, export it, erase it.

Staff use these when someone writes in (the resident can also do it alone
from their private links). Each function changes state, writes an audit row
with the address masked, and never commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select

from app import audit, notices
from app.comments import services as comments
from app.directions import mail as directions_mail
from app.extensions import db
from app.follows import services as follows
from app.mail import forget_undeliverable, summaries, undeliverable_kinds
from app.models import (
    Comment,
    Follower,
    Idea,
    OutboxMessage,
    Registration,
    Support,
    User,
    utcnow,
)
from app.newsletters import services as newsletters
from app.text import mask_email, normalise_email
from app.timeutil import iso_utc
from app.workshops.services import anonymise_registration


@dataclass
class PersonalData:
    """Everything held about one e-mail address."""

    email: str
    ideas: list[Idea] = field(default_factory=list)
    supports: list[Support] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)
    mails: list[OutboxMessage] = field(default_factory=list)
    # Things this address asked to be told about, waiting or told (app.notices).
    notices: list[dict[str, Any]] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    # Staff newsletters sent to this address (app.newsletters).
    newsletters: list[dict[str, Any]] = field(default_factory=list)
    follower: Follower | None = None

    @property
    def empty(self) -> bool:
        return not (
            self.ideas
            or self.supports
            or self.registrations
            or self.mails
            or self.notices
            or self.comments
            or self.newsletters
            or self.follower
        )


def find_personal_data(email: str) -> PersonalData:
    address = normalise_email(email)
    found = PersonalData(email=address)
    if not address or "@" not in address:
        return found
    found.ideas = list(
        db.session.scalars(select(Idea).where(func.lower(Idea.email) == address).order_by(Idea.id))
    )
    found.supports = list(
        db.session.scalars(
            select(Support).where(func.lower(Support.email) == address).order_by(Support.id)
        )
    )
    found.registrations = list(
        db.session.scalars(
            select(Registration)
            .where(func.lower(Registration.email) == address)
            .order_by(Registration.id)
        )
    )
    found.comments = comments.comments_by(address)
    found.mails = list(
        db.session.scalars(
            select(OutboxMessage)
            .where(func.lower(OutboxMessage.recipient) == address)
            .order_by(OutboxMessage.id)
        )
    )
    found.notices = notices.for_recipient(address)
    found.newsletters = newsletters.export_recipients(address)
    found.follower = follows.follower_for_email(address)
    return found


def export_personal_data(email: str, actor: User | None = None) -> dict[str, Any]:
    """Plain data (for JSON) about everything held for *email*."""
    data = find_personal_data(email)
    if actor is not None:
        audit.record("privacy.exported", None, actor=actor, data={"email": mask_email(data.email)})
    return {
        "email": data.email,
        "exported_at": iso_utc(utcnow()),
        "ideas": [
            {
                "id": idea.id,
                "title": idea.title,
                "description": idea.description,
                "status": idea.status,
                "author_name": idea.author_name,
                "municipality": idea.municipality,
                "show_author_name": idea.show_author_name,
                "language": idea.locale,
                "consent_version": idea.consent_version,
                "consented_at": iso_utc(idea.consented_at),
                "submitted_at": iso_utc(idea.submitted_at),
                "confirmed_at": iso_utc(idea.confirmed_at),
                "published_at": iso_utc(idea.published_at),
                "attachment": idea.attachment.original_name if idea.attachment else None,
            }
            for idea in data.ideas
        ],
        "supports": [
            {
                "idea_id": support.idea_id,
                "idea_title": support.idea.title if support.idea else None,
                "notify": support.notify,
                "created_at": iso_utc(support.created_at),
                "confirmed_at": iso_utc(support.confirmed_at),
            }
            for support in data.supports
        ],
        "registrations": [
            {
                "workshop": reg.workshop.title if reg.workshop else None,
                "starts_at": iso_utc(reg.workshop.starts_at) if reg.workshop else None,
                "name": reg.name,
                "participant_group": reg.participant_group,
                "needs": reg.needs,
                "status": reg.status,
                "consent_version": reg.consent_version,
                "created_at": iso_utc(reg.created_at),
                "confirmed_at": iso_utc(reg.confirmed_at),
                "cancelled_at": iso_utc(reg.cancelled_at),
            }
            for reg in data.registrations
        ],
        **comments.export_commenter_data(data.email),
        "emails": summaries(data.mails),
        "notices": data.notices,
        "newsletters": data.newsletters,
        "follows": follows.export_follower(data.follower) if data.follower else None,
        # Whether the address asked for no more mail about directions.
        "direction_mail_stopped": directions_mail.is_opted_out(data.email),
        # Kinds of mail ("idea", "support", …) this address's server refused.
        "undeliverable_mail": undeliverable_kinds(data.email),
    }


def anonymise_idea(idea: Idea, actor: User | None = None) -> str:
    """Remove the author's data from *idea*: an idea never published is
    deleted, a published one keeps its content without name and e-mail.
    Returns ``"deleted"`` or ``"anonymised"``."""
    from app.ideas.services import erase_author_data

    idea_id = idea.id
    outcome = erase_author_data(idea)
    audit.record(
        f"privacy.idea_{outcome}",
        None if outcome == "deleted" else idea,
        actor=actor,
        data={"idea_id": idea_id},
    )
    return outcome


def delete_support(support: Support, actor: User | None = None) -> None:
    """Delete a support; a confirmed one no longer counts (once, even when
    the supporter withdraws it at the same moment)."""
    from app.catalogue.services import delete_support_row

    idea_id = support.idea_id
    if delete_support_row(support) is not None:
        audit.record("privacy.support_deleted", None, actor=actor, data={"idea_id": idea_id})


# Supports are erased by deleting them: their only personal datum is the address.
anonymise_support = delete_support


def erase_personal_data(email: str, actor: User | None = None) -> dict[str, int]:
    """Erase everything held for *email*; returns counts per kind."""
    data = find_personal_data(email)
    counts = {
        "ideas": 0,
        "supports": 0,
        "registrations": 0,
        "emails": 0,
        "notices": 0,
        "newsletters": 0,
        "follows": 0,
    }
    if data.follower is not None:
        counts["follows"] = follows.erase_follower(data.follower)["subscriptions"]
    counts["comments"] = comments.erase_commenter_data(data.email, actor)
    for support in data.supports:
        delete_support(support, actor)
        counts["supports"] += 1
    for registration in data.registrations:
        anonymise_registration(registration, actor)
        counts["registrations"] += 1
    for idea in data.ideas:
        anonymise_idea(idea, actor)
        counts["ideas"] += 1
    # Every message to the address goes, mail still waiting too (the
    # cancellation the erasure itself just queued included): each holds the
    # name, the address and private links of someone who asked to be
    # forgotten.
    result = db.session.execute(
        delete(OutboxMessage)
        .where(func.lower(OutboxMessage.recipient) == data.email)
        .execution_options(synchronize_session=False)
    )
    counts["emails"] = result.rowcount or 0
    counts["notices"] = notices.forget(data.email)
    directions_mail.forget_opt_out(data.email)
    counts["newsletters"] = newsletters.erase_recipients(data.email)
    # The marks "this address refused mail" go too (only a keyed hash).
    forget_undeliverable(data.email)
    db.session.flush()
    audit.record(
        "privacy.erased",
        None,
        actor=actor,
        data={"email": mask_email(data.email), **counts},
    )
    return counts
