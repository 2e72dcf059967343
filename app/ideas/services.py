"""Submitting ideas and what their authors may do with them afterwards.

Every function here changes state, records an ``IdeaEvent`` for every
transition, queues mail in the same transaction and raises domain errors.
None of them commits: the view does, once. Staff decisions live in
``app.moderation.services``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from app.clients import keyed_hash
from app.errors import ServiceError, StaleVersion
from app.extensions import db
from app.ideas import lifecycle
from app.ideas.lifecycle import AUTHOR
from app.ideas.tracking import issue_tracking_token, tracking_url
from app.mail import DROP, KEEP, queue_mail, ref_id, summaries
from app.models import (
    Attachment,
    Category,
    Idea,
    IdeaAnswer,
    IdeaEvent,
    IdeaSource,
    IdeaStatus,
    OutboxMessage,
    OutboxStatus,
    Process,
    utcnow,
)
from app.processes import phases
from app.security.tokens import hash_token, new_token
from app.text import normalise_email
from app.timeutil import iso_utc
from app.uploads import ProcessedFile, delete_file, save_file
from app.web import external_url

# Mail to an idea's author about the idea: these belong to its data download
# and go with its erasure.
MAIL_TEMPLATES = (
    "idea_confirm",
    "idea_tracking",
    "idea_withdrawn",
    "moderation_published",
    "moderation_rejected",
    "moderation_changes_requested",
    "moderation_hidden",
    "moderation_merged",
    "answer_author",
)


class IdeaServiceError(ServiceError):
    """A rule the request broke; ``message`` is for the person."""

    status = 409


class SubmissionClosed(IdeaServiceError):
    pass


class TooManySubmissions(IdeaServiceError):
    status = 429


class NotAllowedNow(IdeaServiceError):
    """The idea's state does not allow this (anymore)."""


@dataclass
class Submission:
    title: str
    description: str
    category: Category
    process: Process
    author_name: str
    email: str
    municipality: str | None
    show_author_name: bool
    locale: str
    attachment: ProcessedFile | None = None
    author_updates: bool = False


@dataclass
class Revision:
    title: str
    description: str
    category: Category
    author_name: str
    municipality: str | None
    show_author_name: bool
    attachment: ProcessedFile | None = None
    remove_attachment: bool = False


# -- submission window -----------------------------------------------------------


def processes_accepting_ideas(now: datetime | None = None) -> list[Process]:
    """Published consultations whose submission window is open now."""
    now = now or utcnow()
    candidates = db.session.scalars(
        select(Process).where(Process.published.is_(True)).order_by(Process.opens_at, Process.id)
    )
    return [process for process in candidates if phases.allows(process, phases.IDEA, now)]


@dataclass
class WindowNotice:
    """Why the form does not accept ideas now: ``state`` is ``"not_open"``
    (``when`` = opening time), ``"closed"`` (``when`` = closing time),
    ``"phase"`` (the window is open but the current phase closed it:
    ``message`` says since when and what comes next) or ``"none"`` (no
    consultation at all)."""

    state: str
    process: Process | None = None
    when: datetime | None = None
    message: str = ""


def window_notice(now: datetime | None = None) -> WindowNotice:
    now = now or utcnow()
    published = list(
        db.session.scalars(select(Process).where(Process.published.is_(True)).order_by(Process.id))
    )
    held = [p for p in published if p.accepts_ideas(now)]
    if held:
        return WindowNotice(
            "phase", held[0], message=phases.closed_message(held[0], phases.IDEA, now)
        )
    upcoming = [p for p in published if p.opens_at is not None and p.opens_at > now]
    if upcoming:
        soonest = min(upcoming, key=lambda p: p.opens_at)
        return WindowNotice("not_open", soonest, soonest.opens_at)
    closed = [p for p in published if p.closes_at is not None and p.closes_at <= now]
    if closed:
        latest = max(closed, key=lambda p: p.closes_at)
        return WindowNotice("closed", latest, latest.closes_at)
    return WindowNotice("none")


def active_categories() -> list[Category]:
    return list(
        db.session.scalars(
            select(Category)
            .where(Category.active.is_(True))
            .order_by(Category.position, Category.name)
        )
    )


# -- spam ---------------------------------------------------------------------------


def submitter_hash(email: str) -> str:
    """A keyed hash of the address, to count submissions per address."""
    return keyed_hash(normalise_email(email), "submitter")


def submissions_last_hour(email: str) -> int:
    since = utcnow() - timedelta(hours=1)
    return db.session.scalar(
        select(func.count())
        .select_from(Idea)
        .where(Idea.submitter_hash == submitter_hash(email), Idea.submitted_at >= since)
    )


# -- history ------------------------------------------------------------------------


def _move(
    idea: Idea, action: str, version: int | None = None, data: dict[str, Any] | None = None
) -> lifecycle.Step:
    """Take the author's step *action* (see app.ideas.lifecycle); a refusal
    becomes this module's error."""
    step = lifecycle.move(idea, action, AUTHOR, version=version, data=data)
    _refuse(step.refused)
    return step


def _refuse(why: str | None) -> None:
    """Raise this module's error for the lifecycle's refusal *why*, if any."""
    if why is None:
        return
    if why == lifecycle.STALE:
        raise StaleVersion(
            _("Pomysł zmienił się w międzyczasie. Sprawdź jego aktualną wersję i spróbuj ponownie.")
        )
    raise NotAllowedNow(_("Na tym etapie nie można już tego zrobić."))


def stop_author_updates(idea: Idea) -> None:
    """The author no longer wants the organiser's newsletters."""
    idea.author_updates = False
    db.session.flush()


def check_revision(idea: Idea, version: int) -> None:
    """Refuse an edit the idea's state or *version* (the one the author
    saw) already rules out, before anything of the edit (its file above
    all) is read. ``revise_idea`` checks again, atomically."""
    _refuse(lifecycle.refusal(idea, "edit", AUTHOR, version))


# -- submitting ---------------------------------------------------------------------


def submit_idea(submission: Submission) -> tuple[Idea, str]:
    """Store a new idea (unconfirmed) and queue the confirmation mail.

    Returns the idea and the raw confirmation token (only its hash is kept).
    """
    process = submission.process
    if not phases.allows(process, phases.IDEA):
        raise SubmissionClosed(closed_message(process))
    limit = current_app.config["SUBMISSIONS_PER_ADDRESS_PER_HOUR"]
    if submissions_last_hour(submission.email) >= limit:
        raise TooManySubmissions(
            _(
                "Z tego adresu e-mail wysłano w ciągu ostatniej godziny już %(num)s zgłoszeń. "
                "Spróbuj ponownie później.",
                num=limit,
            )
        )
    confirm_token, confirm_hash = new_token()
    _track_token, track_hash = new_token()
    now = utcnow()
    idea = Idea(
        process=process,
        category=submission.category,
        source=IdeaSource.FORM,
        title=submission.title,
        description=submission.description,
        author_name=submission.author_name,
        email=submission.email,
        municipality=submission.municipality or None,
        show_author_name=submission.show_author_name,
        author_updates=submission.author_updates,
        locale=submission.locale,
        consent_version=current_app.config["CONSENT_VERSION"],
        consented_at=now,
        submitter_hash=submitter_hash(submission.email),
        confirm_token_hash=confirm_hash,
        track_token_hash=track_hash,
        submitted_at=now,
    )
    db.session.add(idea)
    if submission.attachment is not None:
        idea.attachment = _attachment_for(submission.attachment)
    lifecycle.create(
        idea,
        "submit",
        AUTHOR,
        data={
            "title": submission.title,
            "description": submission.description,
            "category": submission.category.slug,
            "process": process.slug,
            "consent_version": idea.consent_version,
        },
    )
    db.session.flush()
    _queue_confirmation(idea, confirm_token)
    return idea, confirm_token


def confirmation_mail_still_needed(message: OutboxMessage, now: datetime) -> str:
    """For the outbox, before an idea's confirmation mail is sent again.

    An idea's confirmation link does not expire by itself: it works while
    the idea waits unconfirmed, until the purge deletes the idea after
    RETENTION_UNCONFIRMED_DAYS. So the same message is sent (KEEP), unless
    the idea is gone or confirmed (DROP)."""
    idea_id = ref_id(message, "idea")
    idea = db.session.get(Idea, idea_id) if idea_id else None
    if idea is None or idea.status != IdeaStatus.UNCONFIRMED:
        return DROP
    return KEEP


def confirmation_mail(idea: Idea) -> OutboxMessage | None:
    """The confirmation message of *idea* (for "Wyślij ponownie")."""
    from app.mail import latest_about

    return latest_about(f"idea:{idea.id}", "idea_confirm")


def earlier_mail_bounced(email: str) -> bool:
    """Whether the server of *email* refused an idea's mail before (the
    form's answer page says so)."""
    from app.mail import is_undeliverable

    return is_undeliverable(email, "idea")


def _submission_not_found() -> IdeaServiceError:
    return IdeaServiceError(
        _("Nie znaleźliśmy tego zgłoszenia. Jeśli minęło kilka dni, wyślij pomysł ponownie."),
        status=404,
    )


def _unconfirmed_submission(idea_id: int | None, when_confirmed: str) -> Idea:
    """The submission this browser sent, still waiting for its confirmation:
    404 when it is gone, 409 saying *when_confirmed* once it is confirmed."""
    idea = db.session.get(Idea, idea_id) if idea_id else None
    if idea is None:
        raise _submission_not_found()
    if idea.status != IdeaStatus.UNCONFIRMED:
        raise IdeaServiceError(when_confirmed, status=409)
    return idea


def resend_confirmation(idea_id: int | None) -> Idea:
    """Send the idea's confirmation message again – the same message with
    the same link, not a new token – when the resident asks ("Wyślij
    ponownie"). Raises a ServiceError when it is too soon or not needed."""
    from app.mail import resend

    idea = _unconfirmed_submission(
        idea_id, _("To zgłoszenie jest już potwierdzone – nie trzeba wysyłać linku ponownie.")
    )
    message = confirmation_mail(idea)
    if message is None:
        raise _submission_not_found()
    resend(message)
    return idea


def correct_pending_email(idea_id: int | None, email: str) -> Idea:
    """ "Popraw adres": the address of an idea still waiting for confirmation
    is replaced, the confirmation goes to the new one with a new link and the
    old link stops working (its message, if still unsent, is dropped)."""
    idea = _unconfirmed_submission(
        idea_id, _("To zgłoszenie jest już potwierdzone – adresu nie można już zmienić.")
    )
    old = confirmation_mail(idea)
    if old is not None and old.status == OutboxStatus.PENDING:
        db.session.delete(old)  # never sent: its link would not work anyway
    confirm_token, confirm_hash = new_token()
    idea.email = email
    idea.submitter_hash = submitter_hash(email)
    idea.confirm_token_hash = confirm_hash
    lifecycle.record(idea, "email_corrected", actor=AUTHOR)
    db.session.flush()
    _queue_confirmation(idea, confirm_token)
    return idea


def _queue_confirmation(idea: Idea, confirm_token: str) -> None:
    """The mail with the link that confirms a submission (and its address)."""
    # Rendered by the mail worker, not in the submitter's request: what the
    # template shows of the idea travels as plain data.
    queue_mail(
        idea.email,
        "idea_confirm",
        _l("Potwierdź zgłoszenie pomysłu"),
        locale=idea.locale,
        ref=f"idea:{idea.id}",
        render_later=True,
        idea={"title": idea.title, "locale": idea.locale},
        confirm_url=external_url("ideas.confirm", token=confirm_token),
        retention_days=current_app.config["RETENTION_UNCONFIRMED_DAYS"],
    )


def closed_message(process: Process) -> str:
    if process.accepts_ideas():  # the window is open: a phase closed it
        return phases.closed_message(process, phases.IDEA)
    state = process.window_state()
    if state == "not_open":
        from app.i18n import format_when

        return _(
            "Przyjmowanie pomysłów w konsultacji „%(title)s” rozpocznie się %(when)s.",
            title=process.title,
            when=format_when(process.opens_at, "long"),
        )
    return _(
        "Konsultacja „%(title)s” nie przyjmuje już pomysłów.",
        title=process.title,
    )


def _attachment_for(processed: ProcessedFile) -> Attachment:
    return Attachment(
        stored_name=save_file(processed),
        original_name=processed.original_name or f"zalacznik.{processed.extension}",
        content_type=processed.content_type,
        size=processed.size,
        width=processed.width,
        height=processed.height,
    )


# -- confirming ---------------------------------------------------------------------


@dataclass
class Confirmation:
    idea: Idea
    already: bool
    track_token: str | None = None


def find_by_confirm_token(token: str) -> Idea | None:
    if not token or len(token) > 200:
        return None
    return db.session.scalar(select(Idea).where(Idea.confirm_token_hash == hash_token(token)))


def find_by_track_token(token: str) -> Idea | None:
    if not token or len(token) > 200:
        return None
    return db.session.scalar(select(Idea).where(Idea.track_token_hash == hash_token(token)))


def confirm_idea(token: str) -> Confirmation | None:
    """Confirm the submitter's address: the idea goes to the moderators and
    a fresh tracking link is mailed. None for an unknown token."""
    idea = find_by_confirm_token(token)
    if idea is None:
        return None
    if idea.status != IdeaStatus.UNCONFIRMED:
        return Confirmation(idea, already=True)
    if not lifecycle.move(idea, "confirm", AUTHOR):
        # Another click won the race a moment ago.
        return Confirmation(idea, already=True)
    track_token = issue_tracking_token(idea)
    idea.confirmed_at = utcnow()
    db.session.flush()
    queue_mail(
        idea.email,
        "idea_tracking",
        _l("Twój pomysł czeka na moderację"),
        locale=idea.locale,
        idea=idea,
        track_url=external_url("ideas.track", token=track_token),
    )
    return Confirmation(idea, already=False, track_token=track_token)


# -- the author's changes -------------------------------------------------------------


def can_edit(idea: Idea) -> bool:
    return idea.status in lifecycle.EDITABLE


def can_withdraw(idea: Idea) -> bool:
    return idea.status in lifecycle.WITHDRAWABLE


def revise_idea(idea: Idea, revision: Revision, version: int) -> IdeaEvent:
    """Apply the author's edit. After a request for changes the idea goes
    back to the moderators (``author_revised``); otherwise it stays in the
    queue (``edited``). *version* is the one the author saw."""
    before = _snapshot(idea)
    step = _move(idea, "edit", version)
    idea.title = revision.title
    idea.description = revision.description
    idea.category = revision.category
    idea.author_name = revision.author_name
    idea.municipality = revision.municipality or None
    idea.show_author_name = revision.show_author_name
    if revision.remove_attachment or revision.attachment is not None:
        if idea.attachment is not None:
            delete_file(idea.attachment.stored_name)
            idea.attachment = None
            db.session.flush()
    if revision.attachment is not None:
        idea.attachment = _attachment_for(revision.attachment)
    after = _snapshot(idea)
    changed = {
        key: {"before": before[key], "after": after[key]}
        for key in after
        if before[key] != after[key]
    }
    assert step.event is not None  # nosec B101 - a step that was taken wrote it
    step.event.data = {"changes": changed}
    db.session.flush()
    return step.event


def _snapshot(idea: Idea) -> dict[str, Any]:
    return {
        "title": idea.title,
        "description": idea.description,
        "category": idea.category.slug if idea.category else None,
        "author_name": idea.author_name,
        "municipality": idea.municipality,
        "show_author_name": idea.show_author_name,
        "attachment": idea.attachment.original_name if idea.attachment else None,
    }


def withdraw_idea(idea: Idea, reason: str | None = None) -> IdeaEvent:
    """The author takes the idea back; it leaves the queue or the catalogue."""
    event = _move(idea, "withdraw", data={"reason": reason} if reason else None).event
    db.session.flush()
    if idea.email:
        queue_mail(
            idea.email,
            "idea_withdrawn",
            _l("Pomysł został wycofany"),
            locale=idea.locale,
            idea=idea,
            track_url=tracking_url(idea),
        )
    return event


# -- personal data --------------------------------------------------------------------


def export_author_data(idea: Idea) -> dict[str, Any]:
    """Everything held about the submitter of *idea*, as plain data."""
    mails = []
    if idea.email:
        rows = db.session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.recipient == idea.email, OutboxMessage.template.in_(MAIL_TEMPLATES)
            )
            .order_by(OutboxMessage.id)
        )
        mails = summaries(rows)
    attachment = idea.attachment
    return {
        "exported_at": iso_utc(utcnow()),
        "idea": {
            "id": idea.id,
            "status": idea.status,
            "title": idea.title,
            "description": idea.description,
            "category": idea.category.name if idea.category else None,
            "process": idea.process.title if idea.process else None,
            "submitted_at": iso_utc(idea.submitted_at),
            "confirmed_at": iso_utc(idea.confirmed_at),
            "published_at": iso_utc(idea.published_at),
        },
        "author": {
            "name": idea.author_name,
            "email": idea.email,
            "municipality": idea.municipality,
            "show_author_name": idea.show_author_name,
            "wants_consultation_updates": idea.author_updates,
            "language": idea.locale,
        },
        "consent": {"version": idea.consent_version, "given_at": iso_utc(idea.consented_at)},
        "attachment": (
            {
                "file_name": attachment.original_name,
                "content_type": attachment.content_type,
                "size": attachment.size,
            }
            if attachment
            else None
        ),
        "history": [
            {
                "when": iso_utc(event.created_at),
                "kind": event.kind,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "by": event.actor_label or ("staff" if event.actor_id else None),
                "message": event.message,
            }
            for event in idea.events
        ],
        "emails": mails,
    }


def erase_author_data(idea: Idea) -> str:
    """Erase the submitter's data: an idea never published is deleted with
    its history and file; a published one stays (readers supported it) but
    loses the name, e-mail and municipality. Returns ``"deleted"`` or
    ``"anonymised"``. The tracking link stops working either way."""
    email = idea.email
    referenced = db.session.scalar(
        select(func.count()).select_from(Idea).where(Idea.merged_into_id == idea.id)
    )
    if email:
        # Every copy of mail about the idea goes, mail still waiting too: it
        # holds the name and private links of someone who asked to be forgotten.
        db.session.execute(
            delete(OutboxMessage)
            .where(
                func.lower(OutboxMessage.recipient) == email.lower(),
                OutboxMessage.template.in_(MAIL_TEMPLATES),
            )
            .execution_options(synchronize_session=False)
        )
    if idea.published_at is None and not referenced:
        if idea.attachment is not None:
            delete_file(idea.attachment.stored_name)
        db.session.delete(idea)
        db.session.flush()
        return "deleted"
    idea.author_name = None
    idea.email = None
    idea.municipality = None
    idea.show_author_name = False
    idea.author_updates = False
    forget_author_in_history([idea.id])
    idea.submitter_hash = None
    idea.track_token_hash = None
    idea.track_token_nonce = None
    idea.confirm_token_hash = None
    idea.version = idea.version + 1
    lifecycle.record(idea, "author_erased", idea.status, idea.status, actor=AUTHOR)
    db.session.flush()
    return "anonymised"


# What the history of an idea may hold about its author: the author's
# fields among an edit's changes, and the author's own words (a reason to
# withdraw). Erasure and retention remove them; the rest of the history
# (statuses, staff decisions, the idea's own text) stays.
AUTHOR_FIELDS_IN_HISTORY = ("author_name", "email", "municipality", "attachment")


def forget_author_in_history(idea_ids: list[int]) -> int:
    """Remove the author's personal data from the history rows and the
    attachment's file name of the ideas *idea_ids*; returns how many rows
    changed."""
    if not idea_ids:
        return 0
    changed = 0
    # A file's name may carry a name too ("plan-jana-kowalskiego.pdf").
    attachments = db.session.scalars(select(Attachment).where(Attachment.idea_id.in_(idea_ids)))
    for attachment in attachments:
        anonymous = f"plik.{attachment.original_name.rsplit('.', 1)[-1]}"
        if attachment.original_name != anonymous:
            attachment.original_name = anonymous
            changed += 1
    events = db.session.scalars(
        select(IdeaEvent).where(IdeaEvent.idea_id.in_(idea_ids), IdeaEvent.data.is_not(None))
    )
    for event in events:
        data = dict(event.data or {})
        before = repr(data)
        if isinstance(data.get("changes"), dict):
            data["changes"] = {
                key: value
                for key, value in data["changes"].items()
                if key not in AUTHOR_FIELDS_IN_HISTORY
            }
        for key in AUTHOR_FIELDS_IN_HISTORY:
            data.pop(key, None)
        if event.actor_label == AUTHOR:
            data.pop("reason", None)
        if repr(data) != before:
            event.data = data
            changed += 1
    db.session.flush()
    return changed


# -- retention --------------------------------------------------------------------------


def purge_unconfirmed() -> int:
    """Delete submissions never confirmed within RETENTION_UNCONFIRMED_DAYS."""
    days = current_app.config["RETENTION_UNCONFIRMED_DAYS"]
    cutoff = utcnow() - timedelta(days=days)
    ideas = db.session.scalars(
        select(Idea).where(Idea.status == IdeaStatus.UNCONFIRMED, Idea.submitted_at < cutoff)
    ).all()
    for idea in ideas:
        if idea.attachment is not None:
            delete_file(idea.attachment.stored_name)
        db.session.delete(idea)
    db.session.flush()
    return len(ideas)


def answers_by_event(idea: Idea) -> dict[int, IdeaAnswer]:
    """The official answer behind each "answered" history row of *idea*.

    Rows written since they name their answer are matched by id; older rows
    (one per answer, in the same order) by position."""
    answers = list(idea.answers)
    by_id = {answer.id: answer for answer in answers}
    events = [event for event in idea.events if event.kind in ("answered", "answer")]
    matched: dict[int, IdeaAnswer] = {}
    unnamed = [a for a in answers if a.id not in {(e.data or {}).get("answer_id") for e in events}]
    for event in events:
        answer = by_id.get((event.data or {}).get("answer_id"))
        if answer is None and unnamed:
            answer = unnamed.pop(0)
        if answer is not None:
            matched[event.id] = answer
    return matched
