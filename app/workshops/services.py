"""Registration for meetings: sign-up, confirmation, waiting list, cancellation.

Places are counted in ``workshops.places_taken`` and changed only by single
conditional UPDATE statements, never read-then-write, so any number of
people confirming at once can never take more places than there are (on
SQLite the write is serialised by the database lock, on PostgreSQL the row
lock makes the second UPDATE re-check its WHERE clause).

Functions here change state, flush and queue mail; the view commits.
"""

from __future__ import annotations

import base64
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from app import audit
from app.clients import keyed_hash
from app.errors import ServiceError
from app.extensions import db
from app.mail import (
    DROP,
    KEEP,
    REISSUED,
    forget_delivered,
    mails_about,
    mails_to_recently,
    queue_mail,
    ref_id,
    rerender,
    summaries,
)
from app.models.base import utcnow
from app.models.outbox import OutboxMessage
from app.models.user import User
from app.models.workshop import (
    ACTIVE_STATUSES,
    ParticipantGroup,
    Registration,
    RegistrationStatus,
    Workshop,
)
from app.processes import phases
from app.security.tokens import hash_token, new_token
from app.text import mask_email, normalise_email, single_line
from app.timeutil import iso_utc
from app.web import external_url

MAX_TOKEN_LENGTH = 100


class RegistrationError(ServiceError):
    """A registration rule was broken; the message is for the person."""

    status = 409


class RegistrationClosed(RegistrationError):
    pass


class AlreadyRegistered(RegistrationError):
    pass


class RegistrationExpired(RegistrationError):
    status = 404


# --- private links ------------------------------------------------------


def link_token(registration: Registration) -> str:
    """The secret in the person's private link (derived, never stored).

    URL-safe base64 (mixed case), so the request log masks it like every
    other secret link instead of taking it for a slug.
    """
    digest = bytes.fromhex(keyed_hash(registration.token_nonce or "", "registration-link"))
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def issue_token(registration: Registration) -> str:
    """Give the registration a new private link; the old one stops working."""
    registration.token_nonce = secrets.token_urlsafe(24)
    token = link_token(registration)
    registration.token_hash = hash_token(token)
    return token


def manage_url(registration: Registration, **query: object) -> str:
    return external_url("workshops.registration", token=link_token(registration), **query)


# --- looking things up --------------------------------------------------


def find_by_token(token: str) -> Registration | None:
    """The registration a link belongs to, or None for a forged one."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return db.session.scalar(
        select(Registration).where(Registration.token_hash == hash_token(token))
    )


def unconfirmed_deadline(registration: Registration) -> datetime:
    """Until when an unconfirmed registration can still be confirmed."""
    days = current_app.config.get("RETENTION_UNCONFIRMED_DAYS", 7)
    return min(registration.created_at + timedelta(days=days), registration.workshop.starts_at)


def link_is_dead(registration: Registration, now: datetime | None = None) -> bool:
    """True when the link no longer leads anywhere (expired, never confirmed)."""
    now = now or utcnow()
    if registration.status == RegistrationStatus.EXPIRED:
        return True
    return registration.status == RegistrationStatus.UNCONFIRMED and now >= unconfirmed_deadline(
        registration
    )


def waiting_position(registration: Registration) -> int | None:
    """1 for the first person on the waiting list, and so on."""
    if registration.status != RegistrationStatus.WAITING:
        return None
    ahead = db.session.scalar(
        select(db.func.count())
        .select_from(Registration)
        .where(
            Registration.workshop_id == registration.workshop_id,
            Registration.status == RegistrationStatus.WAITING,
            or_(
                Registration.waiting_since < registration.waiting_since,
                (Registration.waiting_since == registration.waiting_since)
                & (Registration.id < registration.id),
            ),
        )
    )
    return (ahead or 0) + 1


def counts(workshop_id: int) -> dict[str, int]:
    """Registrations of a meeting by status."""
    rows = db.session.execute(
        select(Registration.status, db.func.count())
        .where(Registration.workshop_id == workshop_id)
        .group_by(Registration.status)
    ).all()
    result = {status.value: 0 for status in RegistrationStatus}
    result.update({status: count for status, count in rows})
    return result


# --- registering --------------------------------------------------------


def check_open(workshop: Workshop, now: datetime | None = None) -> None:
    """Raise ``RegistrationClosed`` with the reason when sign-up is not possible."""
    now = now or utcnow()
    if not workshop.published:
        raise RegistrationClosed(_("Zapisy na to spotkanie nie są prowadzone."))
    if workshop.has_started(now):
        raise RegistrationClosed(
            _("To spotkanie już się odbyło albo właśnie trwa – zapisy są zamknięte.")
        )
    if workshop.registration_opens_at and now < workshop.registration_opens_at:
        raise RegistrationClosed(
            _(
                "Zapisy jeszcze się nie rozpoczęły. Ruszą %(date)s.",
                date=format_date(workshop.registration_opens_at, "long"),
            )
        )
    if workshop.registration_closes_at and now >= workshop.registration_closes_at:
        raise RegistrationClosed(_("Zapisy na to spotkanie zostały już zamknięte."))
    if not phases.allows(workshop.process, phases.REGISTER, now):
        raise RegistrationClosed(phases.closed_message(workshop.process, phases.REGISTER, now))


def register(
    workshop: Workshop,
    *,
    name: str,
    email: str,
    participant_group: str,
    needs: str = "",
    locale: str = "pl",
    now: datetime | None = None,
) -> tuple[Registration, str]:
    """Sign someone up (unconfirmed: no place is held yet) and mail the link.

    Returns ``(registration, outcome)``. *outcome* is ``"created"``;
    ``"resent"`` when the address already had an unconfirmed registration
    (its confirmation link is mailed again; the earlier mail's link keeps
    working); or ``"already"`` when it is already confirmed or waiting:
    nothing is duplicated, and the address gets a reminder with its private
    link; ``"limited"`` when the address was already sent
    ``CONFIRMATION_MAILS_PER_ADDRESS_PER_HOUR`` such mails about this
    meeting in the last hour (nothing more is mailed). The view answers all
    alike, so the form does not tell whether an address is registered; only
    the address's owner learns it, by mail. Raises ``RegistrationClosed``.
    """
    now = now or utcnow()
    check_open(workshop, now)
    if participant_group not in {group.value for group in ParticipantGroup}:
        raise RegistrationError(_("Wybierz grupę z listy."), field="participant_group")
    key = normalise_email(email)
    existing = _active_registration(workshop.id, key)
    if existing is not None:
        if link_is_dead(existing, now):
            _expire(existing)
        else:
            return existing, _remind(existing)
    registration = Registration(
        workshop_id=workshop.id,
        name=single_line(name),
        email=email.strip(),
        active_email=key,
        participant_group=participant_group,
        needs=(needs or "").strip(),
        locale=locale,
        consent_version=current_app.config.get("CONSENT_VERSION"),
        consented_at=now,
        status=RegistrationStatus.UNCONFIRMED,
        created_at=now,
    )
    issue_token(registration)
    try:
        with db.session.begin_nested():
            db.session.add(registration)
            registration.workshop = workshop
    except IntegrityError:
        # Another request registered the same address a moment ago: answer
        # as for an address registered earlier.
        existing = _active_registration(workshop.id, key)
        if existing is None:  # pragma: no cover - the other row vanished again
            raise
        return existing, _remind(existing)
    if not _mail_allowed(registration.email, workshop):
        return registration, "limited"
    _mail_confirmation_link(registration)
    return registration, "created"


def _active_registration(workshop_id: int, key: str) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(
            Registration.workshop_id == workshop_id, Registration.active_email == key
        )
    )


# Mail anyone can have sent to an address by filling in the form.
REQUESTED_MAILS = ("registration_confirm", "registration_reminder")


def _mail_allowed(address: str, workshop: Workshop) -> bool:
    """Per-address limit on mail a visitor can ask for about one meeting:
    whoever types someone else's address cannot flood it. Past the limit the
    answer stays the same; nothing is mailed."""
    limit = current_app.config.get("CONFIRMATION_MAILS_PER_ADDRESS_PER_HOUR", 3)
    page = re.compile(re.escape(f"/workshops/{workshop.slug}") + r"(?![\w-])")
    if mails_to_recently(address, REQUESTED_MAILS, timedelta(hours=1), page) < limit:
        return True
    current_app.logger.warning(
        "Registration mail to %s not sent: per-address limit reached", mask_email(address)
    )
    return False


def _remind(existing: Registration) -> str:
    """Mail an already registered address its own link; the outcome name."""
    if not _mail_allowed(existing.email, existing.workshop):
        return "limited"
    if existing.status == RegistrationStatus.UNCONFIRMED:
        # The same link again (it is derived from the stored nonce), so the
        # one in the earlier mail keeps working.
        _mail_confirmation_link(existing)
        return "resent"
    _mail_status(existing, "reminder")
    return "already"


def _expire(registration: Registration) -> None:
    registration.status = RegistrationStatus.EXPIRED
    registration.active_email = None
    db.session.flush()


def _mail_confirmation_link(registration: Registration) -> None:
    workshop = registration.workshop
    queue_mail(
        registration.email,
        "registration_confirm",
        _l("Potwierdź zapis na spotkanie: %(title)s", title=workshop.title),
        locale=registration.locale,
        ref=f"registration:{registration.id}",
        registration=registration,
        workshop=workshop,
        link=manage_url(registration),
        deadline=unconfirmed_deadline(registration),
    )


# --- places -------------------------------------------------------------


def _take_place(workshop_id: int) -> bool:
    """Take one place if there is one: a single conditional UPDATE."""
    result = db.session.execute(
        update(Workshop)
        .where(
            Workshop.id == workshop_id,
            or_(Workshop.capacity.is_(None), Workshop.places_taken < Workshop.capacity),
        )
        .values(places_taken=Workshop.places_taken + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _release_place(workshop_id: int) -> None:
    db.session.execute(
        update(Workshop)
        .where(Workshop.id == workshop_id, Workshop.places_taken > 0)
        .values(places_taken=Workshop.places_taken - 1)
        .execution_options(synchronize_session=False)
    )


def _move(registration_id: int, from_status: str, **values: object) -> bool:
    """Change a registration's status only if it still has *from_status*."""
    result = db.session.execute(
        update(Registration)
        .where(Registration.id == registration_id, Registration.status == from_status)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _refresh(*objects: object) -> None:
    for obj in objects:
        db.session.expire(obj)


def confirm(registration: Registration, now: datetime | None = None) -> str:
    """Confirm the e-mail address and take a place, or join the waiting list.

    Returns ``"confirmed"``, ``"waiting"`` or ``"already"`` (confirmed before,
    e.g. a second click). Raises ``RegistrationExpired`` for a dead link and
    ``RegistrationClosed`` once the meeting has started.
    """
    now = now or utcnow()
    workshop = registration.workshop
    if registration.status in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING):
        return "already"
    if link_is_dead(registration, now):
        raise RegistrationExpired(_("Ten link wygasł."))
    if registration.status != RegistrationStatus.UNCONFIRMED:
        raise RegistrationError(_("To zgłoszenie zostało anulowane."))
    if workshop.has_started(now):
        raise RegistrationClosed(_("Spotkanie już się rozpoczęło – zapisu nie można potwierdzić."))
    # Claim the registration first, so two clicks cannot take two places.
    if not _move(
        registration.id,
        RegistrationStatus.UNCONFIRMED,
        status=RegistrationStatus.CONFIRMED,
        confirmed_at=now,
    ):
        _refresh(registration)
        return "already"
    if _take_place(workshop.id):
        outcome = "confirmed"
    else:
        _move(
            registration.id,
            RegistrationStatus.CONFIRMED,
            status=RegistrationStatus.WAITING,
            waiting_since=now,
        )
        outcome = "waiting"
    _refresh(registration, workshop)
    _mail_status(registration, outcome)
    return outcome


def cancel(
    registration: Registration, now: datetime | None = None, *, by_organiser: bool = False
) -> str:
    """Cancel a registration; a freed place goes to the first on the waiting list.

    Returns ``"cancelled"`` or ``"already"``. *by_organiser*: staff cancelled
    it, and the mail says so (instead of thanking the person for telling us).
    """
    now = now or utcnow()
    workshop = registration.workshop
    previous = registration.status
    if previous not in ACTIVE_STATUSES:
        return "already"
    if previous == RegistrationStatus.UNCONFIRMED and link_is_dead(registration, now):
        raise RegistrationExpired(_("Ten link wygasł."))
    if workshop.is_past(now):
        raise RegistrationClosed(_("Spotkanie już się odbyło – nie ma czego odwoływać."))
    if not _move(
        registration.id,
        previous,
        status=RegistrationStatus.CANCELLED,
        cancelled_at=now,
        active_email=None,
    ):
        _refresh(registration)
        return "already"
    if previous == RegistrationStatus.CONFIRMED:
        _release_place(workshop.id)
        fill_from_waiting_list(workshop, now)
    _refresh(registration, workshop)
    if previous != RegistrationStatus.UNCONFIRMED:
        _mail_status(registration, "cancelled", by_organiser=by_organiser)
    return "cancelled"


def fill_from_waiting_list(workshop: Workshop, now: datetime | None = None) -> list[Registration]:
    """Give free places to the waiting list in order, and tell each person.

    Each step takes a place with the conditional UPDATE and then claims the
    first waiting registration with another; if nobody is waiting, the place
    is given back. Runs after a cancellation and after capacity is raised.
    """
    now = now or utcnow()
    promoted: list[Registration] = []
    if workshop.has_started(now):
        return promoted
    for _attempt in range(10_000):
        if not _take_place(workshop.id):
            break
        candidate = db.session.scalar(
            select(Registration.id)
            .where(
                Registration.workshop_id == workshop.id,
                Registration.status == RegistrationStatus.WAITING,
            )
            .order_by(Registration.waiting_since, Registration.id)
            .limit(1)
        )
        if candidate is None:
            _release_place(workshop.id)
            break
        if not _move(
            candidate,
            RegistrationStatus.WAITING,
            status=RegistrationStatus.CONFIRMED,
            promoted_at=now,
        ):
            _release_place(workshop.id)  # someone else moved them meanwhile; try the next
            continue
        registration = db.session.get(Registration, candidate)
        db.session.refresh(registration)
        promoted.append(registration)
        _mail_status(registration, "promoted")
    db.session.expire(workshop)
    return promoted


# --- mail ---------------------------------------------------------------


def _status_subject(outcome: str, title: str) -> object:
    subjects = {
        "confirmed": _l("Masz miejsce na spotkaniu: %(title)s", title=title),
        "waiting": _l("Jesteś na liście rezerwowej: %(title)s", title=title),
        "promoted": _l("Zwolniło się miejsce – masz miejsce na spotkaniu: %(title)s", title=title),
        "cancelled": _l("Zapis anulowany: %(title)s", title=title),
        "reminder": _l("Twój zapis na spotkanie: %(title)s", title=title),
    }
    return subjects[outcome]


def _mail_status(registration: Registration, outcome: str, **extra: Any) -> None:
    """Tell the person what happened, with their private link (to view or
    cancel with one button) and the calendar file."""
    workshop = registration.workshop
    queue_mail(
        registration.email,
        f"registration_{outcome}",
        _status_subject(outcome, workshop.title),
        locale=registration.locale,
        registration=registration,
        workshop=workshop,
        workshop_url=external_url("workshops.detail", slug=workshop.slug),
        ics_url=external_url("workshops.calendar_one", slug=workshop.slug),
        position=waiting_position(registration),
        link=manage_url(registration),
        cancel_link=manage_url(registration, cancel=1),
        **extra,
    )


# --- the person's data --------------------------------------------------

# Mail about a registration; every one of them names the meeting's page.
MAIL_TEMPLATES = (
    "registration_confirm",
    "registration_confirmed",
    "registration_waiting",
    "registration_promoted",
    "registration_cancelled",
    "registration_reminder",
    "registration_day_before",
    "registration_missed",
    "workshop_message",
)


def registration_mails(registration: Registration) -> list[OutboxMessage]:
    """Copies of the mail sent to the registration's address about its
    meeting. The meeting's page is in every such mail (the footer); the path
    alone, so a change of BASE_URL does not hide older mail."""
    page = re.compile(re.escape(f"/workshops/{registration.workshop.slug}") + r"(?![\w-])")
    return mails_about(registration.email, MAIL_TEMPLATES, page)


def export_registration_data(registration: Registration) -> dict[str, Any]:
    """Everything held about the person behind *registration*, as plain data."""
    workshop = registration.workshop
    return {
        "exported_at": iso_utc(utcnow()),
        "registration": {
            "id": registration.id,
            "status": registration.status,
            "created_at": iso_utc(registration.created_at),
            "confirmed_at": iso_utc(registration.confirmed_at),
            "waiting_since": iso_utc(registration.waiting_since),
            "promoted_at": iso_utc(registration.promoted_at),
            "cancelled_at": iso_utc(registration.cancelled_at),
            "attended": registration.attended,
        },
        "workshop": {
            "title": workshop.title,
            "starts_at": iso_utc(workshop.starts_at),
            "ends_at": iso_utc(workshop.ends_at),
            "venue": workshop.venue,
            "url": external_url("workshops.detail", slug=workshop.slug),
        },
        "participant": {
            "name": registration.name,
            "email": registration.email,
            "participant_group": registration.participant_group,
            "needs": registration.needs,
            "language": registration.locale,
        },
        "consent": {
            "version": registration.consent_version,
            "given_at": iso_utc(registration.consented_at),
        },
        "emails": summaries(registration_mails(registration)),
    }


def forget_mails(registration: Registration) -> int:
    """Delete the copies of mail already sent (or given up on) about
    *registration*; mail still waiting is left to be delivered."""
    return forget_delivered(registration_mails(registration))


def anonymise_registration(registration: Registration, actor: User | None = None) -> str:
    """Cancel an upcoming registration (freeing the place for the waiting
    list, exactly as the person's own cancellation does), delete the copies
    of mail sent about it, strip the name, e-mail and needs and kill the
    private link. The participant group and attendance stay, anonymous, for
    the statistics. Returns ``"cancelled"`` or ``"anonymised"``."""
    email = registration.email
    outcome = "anonymised"
    if registration.status in (
        RegistrationStatus.UNCONFIRMED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITING,
    ):
        try:
            if cancel(registration) == "cancelled":
                outcome = "cancelled"
        except RegistrationError:
            # The meeting took place, or the link expired: nothing to free.
            pass
    forget_mails(registration)
    # A hash nobody has the token for: the private link stops working.
    _unused, dead_hash = new_token()
    db.session.execute(
        update(Registration)
        .where(Registration.id == registration.id)
        .values(
            name="",
            email="",
            needs="",
            active_email=None,
            token_hash=dead_hash,
            token_nonce=None,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(registration)
    audit.record(
        "privacy.registration_anonymised",
        registration,
        actor=actor,
        data={"email": mask_email(email), "outcome": outcome},
    )
    return outcome


# --- retention ----------------------------------------------------------


def purge_unconfirmed(now: datetime | None = None) -> int:
    """Delete registrations never confirmed: past retention or after the meeting."""
    now = now or utcnow()
    days = current_app.config.get("RETENTION_UNCONFIRMED_DAYS", 7)
    started = select(Workshop.id).where(Workshop.starts_at <= now)
    result = db.session.execute(
        delete(Registration)
        .where(
            Registration.status.in_([RegistrationStatus.UNCONFIRMED, RegistrationStatus.EXPIRED]),
            or_(
                Registration.created_at < now - timedelta(days=days),
                Registration.workshop_id.in_(started),
            ),
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def anonymise_old(now: datetime | None = None) -> int:
    """Strip names, addresses and needs from registrations for meetings that
    ended more than RETENTION_PERSONAL_DATA_DAYS ago; the participant group
    and attendance stay for the statistics."""
    now = now or utcnow()
    days = current_app.config.get("RETENTION_PERSONAL_DATA_DAYS", 365)
    ended = select(Workshop.id).where(Workshop.ends_at < now - timedelta(days=days))
    result = db.session.execute(
        update(Registration)
        .where(Registration.workshop_id.in_(ended), Registration.email != "")
        .values(name="", email="", needs="", active_email=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def confirmation_mail_still_needed(message: OutboxMessage, now: datetime) -> str:
    """For the outbox, before a registration's confirmation mail is sent
    again: the same message while its link works (KEEP); a fresh link when
    only the confirmation deadline has passed and the meeting is still
    ahead (REISSUED, the message re-rendered with it); nothing once the
    registration is confirmed, cancelled, replaced by a newer sign-up or
    the meeting has begun (DROP)."""
    registration_id = ref_id(message, "registration")
    registration = db.session.get(Registration, registration_id) if registration_id else None
    if registration is None or registration.status != RegistrationStatus.UNCONFIRMED:
        return DROP
    if not link_is_dead(registration, now):
        return KEEP
    if now >= registration.workshop.starts_at:
        return DROP
    registration.created_at = now
    issue_token(registration)
    db.session.flush()
    workshop = registration.workshop
    rerender(
        message,
        _l("Potwierdź zapis na spotkanie: %(title)s", title=workshop.title),
        registration=registration,
        workshop=workshop,
        link=manage_url(registration),
        deadline=unconfirmed_deadline(registration),
    )
    return REISSUED
