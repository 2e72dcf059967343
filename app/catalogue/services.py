"""Supports and official answers: the rules. Nothing here commits."""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from app import audit
from app.clients import keyed_hash
from app.errors import ServiceError
from app.extensions import db
from app.follows import services as follows
from app.ideas import lifecycle
from app.ideas.tracking import tracking_url
from app.mail import (
    DROP,
    KEEP,
    REISSUED,
    InvalidRecipient,
    forget_delivered,
    mails_about,
    mails_to_recently,
    queue_mail,
    ref_id,
    rerender,
    summaries,
)
from app.models import (
    Idea,
    IdeaAnswer,
    IdeaStatus,
    OutboxMessage,
    ResultStatus,
    Support,
    User,
    utcnow,
)
from app.models.base import is_valid_id
from app.processes import phases
from app.security.tokens import hash_token, new_token
from app.text import mask_email, normalise_email
from app.timeutil import iso_utc
from app.web import external_url

ANSWER_STATUSES = (
    ResultStatus.UNDER_ANALYSIS,
    ResultStatus.ACCEPTED,
    ResultStatus.IN_PROGRESS,
    ResultStatus.IMPLEMENTED,
    ResultStatus.NOT_PURSUED,
)


class SupportError(ServiceError):
    """Why a support cannot be given or confirmed (a message for the reader).

    ``code`` names the case and sets the status: a link nobody issued is
    gone (404), an old one expired (410), a mistyped address is bad input
    (400), and a closed idea refuses (409)."""

    STATUSES = {"invalid": 404, "expired": 410, "invalid_email": 400, "closed": 409}

    def __init__(self, message: str, code: str = "closed") -> None:
        super().__init__(message, status=self.STATUSES.get(code, 409))
        self.code = code


class AnswerError(ServiceError):
    """An official answer the rules refuse."""

    status = 400


def supports_open(idea: Idea) -> bool:
    """Supports are collected while the idea's consultation accepts input
    (its window is open and its current phase accepts supports)."""
    return idea.is_published and phases.allows(idea.process, phases.SUPPORT)


def supports_closed_message(idea: Idea) -> str:
    """Why this idea takes no supports now: a phase says since when and what
    comes next; a closed consultation, that collecting has ended."""
    process = idea.process
    if idea.is_published and process.published and process.window_state() in ("open", "none"):
        return phases.closed_message(process, phases.SUPPORT)
    return _("Zbieranie poparć dla tego pomysłu zostało zakończone.")


def support_link_lifetime() -> timedelta:
    return timedelta(days=current_app.config.get("RETENTION_UNCONFIRMED_DAYS", 7))


def request_support(idea: Idea, email: str, notify: bool, locale: str) -> Support | None:
    """Record a pending support and mail the confirmation link.

    The answer never tells whether that address supported the idea before:
    a known pending address gets a fresh link, a confirmed one a short note.
    A concurrent duplicate raises IntegrityError on flush (the unique
    constraint); the caller rolls back and calls again. Past the
    per-address mail limit nothing changes and nothing is mailed.
    """
    if not supports_open(idea):
        raise SupportError(supports_closed_message(idea))
    email = normalise_email(email)
    support = db.session.scalar(
        select(Support).where(Support.idea_id == idea.id, Support.email == email)
    )
    if not _support_mail_allowed(email, idea):
        # The same answer, but no more mail (and a pending link stays valid).
        return support
    if support is not None and support.confirmed_at is not None:
        if notify and not support.notify:
            support.notify = True
        _queue(
            support,
            idea,
            "support_already",
            _l("Twoje poparcie jest już policzone"),
            manage_url=support_manage_url(support),
        )
        return support
    token, token_hash = new_token()
    if support is None:
        support = Support(idea_id=idea.id, email=email, notify=notify, locale=locale)
        db.session.add(support)
    support.token_hash = token_hash
    support.notify = notify
    support.locale = locale
    support.created_at = utcnow()
    db.session.flush()
    _queue(
        support,
        idea,
        "support_confirm",
        _l("Potwierdź poparcie pomysłu"),
        **_confirm_context(support, token),
    )
    return support


def _confirm_context(support: Support, token: str) -> dict[str, Any]:
    return {
        "confirm_url": external_url("catalogue.confirm_support", token=token),
        "manage_url": support_manage_url(support),
        "valid_days": support_link_lifetime().days,
    }


def _idea_context(idea: Idea) -> dict[str, Any]:
    return {
        "idea": idea,
        "idea_url": external_url("catalogue.detail", idea_id=idea.id, slug=idea.slug),
    }


def earlier_mail_bounced(email: str) -> bool:
    """Whether the server of *email* refused a supporter's mail before (the
    page says so after the form is sent)."""
    from app.mail import is_undeliverable

    return is_undeliverable(email, "support")


def confirmation_mail_still_needed(message: OutboxMessage, now: datetime) -> str:
    """For the outbox, before a support's confirmation mail is sent again:
    a link past its lifetime is replaced by a fresh one (REISSUED, the
    message re-rendered with it); a support confirmed, withdrawn or no
    longer open needs no mail (DROP); otherwise the same message (KEEP)."""
    support_id = ref_id(message, "support")
    support = db.session.get(Support, support_id) if support_id else None
    if support is None or support.confirmed_at is not None or not supports_open(support.idea):
        return DROP
    if support.created_at > now - support_link_lifetime():
        return KEEP
    token, token_hash = new_token()
    support.token_hash = token_hash
    support.created_at = now
    db.session.flush()
    rerender(
        message,
        _l("Potwierdź poparcie pomysłu"),
        **_idea_context(support.idea),
        **_confirm_context(support, token),
    )
    return REISSUED


# Mail anyone can have sent to an address by typing it into the support form.
REQUESTED_SUPPORT_MAILS = ("support_confirm", "support_already")


def _support_mail_allowed(email: str, idea: Idea) -> bool:
    """At most ``CONFIRMATION_MAILS_PER_ADDRESS_PER_HOUR`` support mails about
    one idea to one address in an hour, so a stranger cannot flood it."""
    limit = current_app.config.get("CONFIRMATION_MAILS_PER_ADDRESS_PER_HOUR", 3)
    page = re.compile(rf"/ideas/{idea.id}(?![0-9])")
    if mails_to_recently(email, REQUESTED_SUPPORT_MAILS, timedelta(hours=1), page) < limit:
        return True
    current_app.logger.warning(
        "Support mail to %s not sent: per-address limit reached", mask_email(email)
    )
    return False


def _queue(support: Support, idea: Idea, template: str, subject: str, **context: Any) -> None:
    ref = f"support:{support.id}" if template == "support_confirm" else None
    try:
        queue_mail(
            support.email,
            template,
            subject,
            locale=support.locale,
            ref=ref,
            **_idea_context(idea),
            **context,
        )
    except InvalidRecipient as error:
        raise SupportError(_("Podaj poprawny adres e-mail."), "invalid_email") from error


def confirm_support(token: str) -> tuple[Support, bool]:
    """Confirm the support behind *token*; returns ``(support, newly)``.

    Only one request can move a support from pending to confirmed (a
    conditional UPDATE), and only that one adds to the idea's count, in
    the database: ``supports_count = supports_count + 1``.
    """
    support = db.session.scalar(select(Support).where(Support.token_hash == hash_token(token)))
    if support is None:
        raise SupportError(_("Ten link jest nieprawidłowy albo wygasł."), "invalid")
    idea = support.idea
    if support.confirmed_at is not None:
        return support, False
    if not idea.is_published:
        raise SupportError(_("Tego pomysłu nie można już poprzeć."), "closed")
    if support.created_at < utcnow() - support_link_lifetime():
        raise SupportError(
            _("Ten link wygasł. Poprzyj pomysł jeszcze raz, a wyślemy nowy."), "expired"
        )
    if not supports_open(idea):
        raise SupportError(supports_closed_message(idea))
    now = utcnow()
    result = db.session.execute(
        update(Support)
        .where(Support.id == support.id, Support.confirmed_at.is_(None))
        .values(confirmed_at=now)
        .execution_options(synchronize_session=False)
    )
    newly = result.rowcount == 1
    if newly:
        db.session.execute(
            update(Idea)
            .where(Idea.id == idea.id)
            .values(supports_count=Idea.supports_count + 1)
            .execution_options(synchronize_session=False)
        )
    db.session.refresh(support)
    db.session.refresh(idea)
    return support, newly


def answer_idea(
    idea: Idea, result_status: str, answer: str, progress: int, actor: User
) -> IdeaAnswer:
    """Publish an official answer: kept for the public timeline, the idea's
    public status and progress updated, the author and the supporters who
    asked to be told mailed, an audit row written."""
    if idea.status != IdeaStatus.PUBLISHED:
        raise AnswerError(_("Odpowiedzieć można tylko na opublikowany pomysł."))
    if result_status not in ANSWER_STATUSES:
        raise AnswerError(_("Wybierz status z listy."))
    progress = max(0, min(int(progress), 100))
    if result_status == ResultStatus.IMPLEMENTED:
        progress = 100
    previous = idea.result_status
    entry = IdeaAnswer(
        idea_id=idea.id,
        result_status=result_status,
        answer=answer.strip(),
        progress=progress,
        author_id=actor.id,
    )
    db.session.add(entry)
    idea.result_status = result_status
    idea.progress = progress
    db.session.flush()
    # The history row names its answer, so the author's page shows its text.
    lifecycle.record(
        idea,
        "answered",
        previous,
        result_status,
        actor=actor,
        data={"progress": progress, "answer_id": entry.id},
    )
    db.session.flush()
    audit.record(
        "idea.answer",
        idea,
        actor=actor,
        from_state=previous,
        to_state=result_status,
        data={"answer_id": entry.id, "progress": progress},
    )
    status_label = follows.Later(lambda: lifecycle.public_status_label(result_status))
    follows.idea_answered(idea, entry.id, status_label, progress, entry.answer)
    idea_url = external_url("catalogue.detail", idea_id=idea.id, slug=idea.slug)
    subject = _l("Oficjalna odpowiedź na pomysł „%(title)s”", title=idea.title[:80])
    if idea.email:
        _mail_quietly(
            idea.email,
            "answer_author",
            subject,
            idea.locale,
            idea=idea,
            answer=entry,
            idea_url=idea_url,
            track_url=tracking_url(idea),
        )
    supporters = db.session.scalars(
        select(Support)
        .where(
            Support.idea_id == idea.id,
            Support.confirmed_at.is_not(None),
            Support.notify.is_(True),
        )
        .order_by(Support.id)
    ).all()
    for support in supporters:
        if support.email == idea.email:
            continue
        _mail_quietly(
            support.email,
            "answer_supporter",
            subject,
            support.locale,
            idea=idea,
            answer=entry,
            idea_url=idea_url,
            # The supporter's private page: where to stop these mails.
            manage_url=support_manage_url(support),
        )
    return entry


def _mail_quietly(recipient: str, template: str, subject: str, locale: str, **context) -> None:
    """One bad stored address must not stop the answer or the other mails."""
    try:
        queue_mail(recipient, template, subject, locale=locale, **context)
    except InvalidRecipient:
        current_app.logger.warning("Skipped an invalid recipient for %s", template)


# --- the supporter's private page ------------------------------------------

# Mail sent to a supporter about one idea.
SUPPORT_MAIL_TEMPLATES = ("support_confirm", "support_already", "answer_supporter")
_LINK_ID_BYTES = 4


def support_link_token(support: Support) -> str:
    """The secret in the supporter's private link (derived, never stored).

    The support's id and a keyed hash of it and of its current
    confirmation-token hash: every later mail (answers to the idea) can
    carry the same link again, a fresh confirmation link replaces it, and
    once the support is withdrawn (the row deleted) it leads nowhere.
    """
    digest = bytes.fromhex(keyed_hash(f"{support.id}:{support.token_hash or ''}", "support-link"))
    raw = support.id.to_bytes(_LINK_ID_BYTES, "big") + digest
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def support_manage_url(support: Support) -> str:
    return external_url("catalogue.support_page", token=support_link_token(support))


def find_support_by_link(token: str) -> Support | None:
    """The support a private link belongs to, or None for a forged or dead one."""
    if not token or len(token) > 100:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, binascii.Error):
        return None
    if len(raw) != _LINK_ID_BYTES + 32:
        return None
    support_id = int.from_bytes(raw[:_LINK_ID_BYTES], "big")
    if not is_valid_id(support_id):
        return None
    support = db.session.get(Support, support_id)
    if support is None or not hmac.compare_digest(support_link_token(support), token):
        return None
    return support


def support_mails(support: Support) -> list[OutboxMessage]:
    """Copies of the mail sent to the supporter about the supported idea
    (every such mail links to the idea's page, /ideas/<id>-<slug>)."""
    page = re.compile(rf"/ideas/{support.idea_id}(?![0-9])")
    return mails_about(support.email, SUPPORT_MAIL_TEMPLATES, page)


def export_support_data(support: Support) -> dict[str, Any]:
    """Everything held about the supporter behind *support*, as plain data."""
    idea = support.idea
    return {
        "exported_at": iso_utc(utcnow()),
        "support": {
            "status": "confirmed" if support.confirmed_at else "pending",
            "notify": support.notify,
            "created_at": iso_utc(support.created_at),
            "confirmed_at": iso_utc(support.confirmed_at),
        },
        "supporter": {"email": support.email, "language": support.locale},
        "idea": {
            "id": idea.id,
            "title": idea.title,
            "url": (
                external_url("catalogue.detail", idea_id=idea.id, slug=idea.slug)
                if idea.is_published
                else None
            ),
        },
        "emails": summaries(support_mails(support)),
    }


def stop_support_notifications(support: Support) -> bool:
    """No more mail about answers to the idea; True if it was switched on."""
    result = db.session.execute(
        update(Support)
        .where(Support.id == support.id, Support.notify.is_(True))
        .values(notify=False)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(support)
    return result.rowcount == 1


def delete_support_row(support: Support) -> bool | None:
    """Delete *support*; a confirmed one stops counting. The count goes down
    in the database, only for the request whose DELETE removed the row (two
    at once count down once), never below zero. Returns whether it had
    counted, or None when the row was already gone."""
    idea_id = support.idea_id
    deleted = db.session.execute(
        delete(Support)
        .where(Support.id == support.id)
        .returning(Support.confirmed_at)
        .execution_options(synchronize_session=False)
    ).first()
    if support in db.session:
        db.session.expunge(support)
    if deleted is None:
        return None
    counted = deleted.confirmed_at is not None
    if counted:
        db.session.execute(
            update(Idea)
            .where(Idea.id == idea_id, Idea.supports_count > 0)
            .values(supports_count=Idea.supports_count - 1)
            .execution_options(synchronize_session=False)
        )
        idea = db.session.get(Idea, idea_id)
        if idea is not None:
            db.session.expire(idea, ["supports_count"])
    return counted


def withdraw_support(support: Support) -> dict[str, Any] | None:
    """The supporter withdraws: the row (the address) is deleted with the
    copies of mail already sent about it, and a confirmed support stops
    counting. The count goes down in the database, only for the request
    whose DELETE removed the row, and never below zero. Returns what was
    withdrawn, or None when the support was already gone."""
    idea_id, email = support.idea_id, support.email
    sent = support_mails(support)
    counted = delete_support_row(support)
    if counted is None:
        return None
    forget_delivered(sent)
    audit.record(
        "support.withdrawn",
        None,
        data={"idea_id": idea_id, "email": mask_email(email), "counted": counted},
    )
    return {"idea_id": idea_id, "counted": counted}


def purge_unconfirmed_supports() -> int:
    """Pending supports whose link has expired: the address is deleted."""
    cutoff = utcnow() - support_link_lifetime()
    result = db.session.execute(
        delete(Support)
        .where(Support.confirmed_at.is_(None), Support.created_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
