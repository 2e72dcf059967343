"""Staff rules for meetings: the meeting itself, groups, attendance, messages,
minutes, and the ideas a meeting produced.

Every function records an audit row and flushes; the view commits once.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update

from app import audit
from app.errors import ServiceError
from app.extensions import db
from app.follows import services as follows
from app.ideas import lifecycle
from app.mail import queue_mail
from app.models import (
    Category,
    Idea,
    IdeaSource,
    IdeaStatus,
    Process,
    User,
    utcnow,
)
from app.models.workshop import (
    Registration,
    RegistrationStatus,
    Workshop,
    WorkshopGroup,
    WorkshopKind,
)
from app.text import csv_cell, single_line, slugify
from app.timeutil import local_to_utc, utc_to_local
from app.workshops import services as registrations
from app.workshops.forms import participant_group_labels


class WorkshopError(ServiceError):
    """A rule was broken; ``field`` names the form field it belongs to."""

    status = 400


# --- the meeting -----------------------------------------------------------


def _check_times(data: dict[str, Any]) -> dict[str, datetime | None]:
    times = {
        key: local_to_utc(data.get(key))
        for key in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")
    }
    if times["ends_at"] <= times["starts_at"]:
        raise WorkshopError(_("Koniec musi być później niż początek."), field="ends_at")
    opens, closes = times["registration_opens_at"], times["registration_closes_at"]
    if closes and closes > times["starts_at"]:
        raise WorkshopError(
            _("Zapisy muszą się zamknąć najpóźniej w chwili rozpoczęcia spotkania."),
            field="registration_closes_at",
        )
    if opens and opens >= times["starts_at"]:
        raise WorkshopError(
            _("Zapisy muszą się otworzyć przed rozpoczęciem spotkania."),
            field="registration_opens_at",
        )
    if opens and closes and closes <= opens:
        raise WorkshopError(
            _("Zapisy muszą się zamknąć później, niż się otwierają."),
            field="registration_closes_at",
        )
    return times


def save_workshop(actor: User, workshop: Workshop | None, data: dict[str, Any]) -> Workshop:
    """Create or update a meeting from the staff form's data.

    Times come as naive Europe/Warsaw wall-clock values. Lowering the
    capacity below the places already taken is refused (checked and written
    in one conditional UPDATE, so a confirmation at the same moment cannot
    slip past); raising it gives the new places to the waiting list.
    """
    creating = workshop is None
    title = single_line(data["title"], 200)
    slug = (data.get("slug") or "").strip() or slugify(title, 120)
    if not slug:
        raise WorkshopError(_("Podaj adres złożony z liter lub cyfr."), field="slug")
    taken = db.session.scalar(select(Workshop.id).where(Workshop.slug == slug))
    if taken is not None and (creating or taken != workshop.id):
        raise WorkshopError(_("Ten adres jest już zajęty przez inne spotkanie."), field="slug")
    process = db.session.get(Process, data["process_id"])
    if process is None:
        raise WorkshopError(_("Wybierz konsultacje z listy."), field="process_id")
    kind = data["kind"]
    online_url = (data.get("online_url") or "").strip() or None
    venue = single_line(data.get("venue") or "", 200)
    if kind == WorkshopKind.ONLINE and not online_url:
        raise WorkshopError(_("Spotkanie online potrzebuje linku."), field="online_url")
    if kind != WorkshopKind.ONLINE and not venue:
        raise WorkshopError(_("Podaj miejsce spotkania."), field="venue")
    times = _check_times(data)
    capacity = data.get("capacity")

    if creating:
        workshop = Workshop(created_by_id=actor.id, places_taken=0, capacity=capacity)
        db.session.add(workshop)
    before = {
        "title": workshop.title,
        "starts_at": workshop.starts_at.isoformat() if workshop.starts_at else None,
        "capacity": workshop.capacity,
        "published": workshop.published,
        "registration_opens_at": workshop.registration_opens_at,
    }
    workshop.process_id = process.id
    workshop.kind = kind
    workshop.title = title
    workshop.slug = slug
    workshop.lead = (data.get("lead") or "").strip()
    workshop.starts_at = times["starts_at"]
    workshop.ends_at = times["ends_at"]
    workshop.registration_opens_at = times["registration_opens_at"]
    workshop.registration_closes_at = times["registration_closes_at"]
    workshop.venue = venue
    workshop.address = single_line(data.get("address") or "", 300)
    workshop.online_url = online_url
    workshop.programme = data.get("programme") or ""
    workshop.title_en = single_line(data.get("title_en") or "", 200)
    workshop.lead_en = (data.get("lead_en") or "").strip()
    workshop.programme_en = data.get("programme_en") or ""
    workshop.participants_count = data.get("participants_count")
    workshop.published = bool(data.get("published"))
    db.session.flush()

    if not creating and capacity != before["capacity"]:
        _change_capacity(workshop, capacity)
    if creating:
        audit.record("workshop.created", workshop, actor=actor, data={"slug": slug})
    else:
        after = {
            "title": workshop.title,
            "starts_at": workshop.starts_at.isoformat(),
            "capacity": workshop.capacity,
            "published": workshop.published,
        }
        changed = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
        audit.record("workshop.updated", workshop, actor=actor, data=changed or None)
    # Followers of the consultation hear of a new meeting, and of its
    # registration when that opens now (later openings: `follows announce`).
    if workshop.published and (creating or not before["published"]):
        follows.workshop_published(workshop)
    elif workshop.published and workshop.registration_opens_at != before["registration_opens_at"]:
        follows.registration_opened(workshop)
    return workshop


def _change_capacity(workshop: Workshop, capacity: int | None) -> None:
    condition = [Workshop.id == workshop.id]
    if capacity is not None:
        condition.append(Workshop.places_taken <= capacity)
    result = db.session.execute(
        update(Workshop)
        .where(*condition)
        .values(capacity=capacity)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(workshop)
    if result.rowcount != 1:
        raise WorkshopError(
            _(
                "Nie można zmniejszyć limitu do %(capacity)s: potwierdzone miejsce ma już "
                "%(taken)s osób. Aby zmniejszyć limit, najpierw anuluj część zapisów.",
                capacity=capacity,
                taken=workshop.places_taken,
            ),
            field="capacity",
        )
    # More places (or no limit now): the waiting list moves up.
    registrations.fill_from_waiting_list(workshop)


def form_times(workshop: Workshop) -> dict[str, datetime | None]:
    """The meeting's times as Warsaw wall-clock values, for the form."""
    return {
        key: utc_to_local(getattr(workshop, key))
        for key in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")
    }


# --- groups ------------------------------------------------------------------


def save_group(
    actor: User, workshop: Workshop, group: WorkshopGroup | None, data: dict[str, Any]
) -> WorkshopGroup:
    creating = group is None
    if creating:
        group = WorkshopGroup(workshop_id=workshop.id)
        db.session.add(group)
    group.name = single_line(data["name"], 120)
    group.description = (data.get("description") or "").strip()
    group.participants_count = data.get("participants_count")
    group.position = data.get("position") or 0
    db.session.flush()
    audit.record(
        "workshop.group_added" if creating else "workshop.group_updated",
        workshop,
        actor=actor,
        data={"group_id": group.id, "name": group.name},
    )
    return group


def delete_group(actor: User, group: WorkshopGroup) -> None:
    ideas = db.session.scalar(
        select(func.count()).select_from(Idea).where(Idea.workshop_group_id == group.id)
    )
    if ideas:
        raise WorkshopError(
            _(
                "Z tej grupy pochodzą pomysły (%(count)s), więc nie można jej usunąć. "
                "Możesz zmienić jej nazwę.",
                count=ideas,
            )
        )
    audit.record(
        "workshop.group_removed",
        group.workshop,
        actor=actor,
        data={"group_id": group.id, "name": group.name},
    )
    db.session.delete(group)
    db.session.flush()


# --- registrations ----------------------------------------------------------


def registrations_of(workshop: Workshop) -> list[Registration]:
    """Everyone who registered, confirmed first, then the waiting list in order."""
    order = {
        RegistrationStatus.CONFIRMED: 0,
        RegistrationStatus.WAITING: 1,
        RegistrationStatus.UNCONFIRMED: 2,
        RegistrationStatus.CANCELLED: 3,
        RegistrationStatus.EXPIRED: 4,
    }
    rows = db.session.scalars(
        select(Registration).where(Registration.workshop_id == workshop.id)
    ).all()
    far = datetime.max.replace(tzinfo=utcnow().tzinfo)
    return sorted(
        rows,
        key=lambda r: (
            order.get(r.status, 9),
            r.waiting_since or r.confirmed_at or r.created_at or far,
            r.id,
        ),
    )


def cancel_registration(actor: User, workshop: Workshop, registration: Registration) -> str:
    """Cancel on someone's behalf (they phoned or wrote); the waiting list
    moves up exactly as when they cancel themselves, and they get a mail
    saying the organiser cancelled it."""
    previous = registration.status
    try:
        outcome = registrations.cancel(registration, by_organiser=True)
    except registrations.RegistrationError as error:
        raise WorkshopError(str(error)) from error
    if outcome == "cancelled":
        audit.record(
            "workshop.registration_cancelled",
            workshop,
            actor=actor,
            from_state=previous,
            to_state="cancelled",
            data={"registration_id": registration.id},
        )
    return outcome


def mark_attendance(actor: User, workshop: Workshop, present_ids: set[int]) -> int:
    """Record who came: confirmed registrations in *present_ids* attended,
    the other confirmed ones did not. Returns how many attended."""
    if not workshop.has_started():
        raise WorkshopError(_("Obecność można zaznaczyć dopiero od rozpoczęcia spotkania."))
    confirmed = db.session.scalars(
        select(Registration).where(
            Registration.workshop_id == workshop.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    ).all()
    present = 0
    for registration in confirmed:
        registration.attended = registration.id in present_ids
        present += registration.attended
    db.session.flush()
    audit.record(
        "workshop.attendance_marked",
        workshop,
        actor=actor,
        data={"present": present, "confirmed": len(confirmed)},
    )
    return present


def send_message(actor: User, workshop: Workshop, subject: str, body: str, audience: str) -> int:
    """Queue one mail per registered person (through the outbox). Returns the count."""
    statuses = [RegistrationStatus.CONFIRMED]
    if audience == "confirmed_waiting":
        statuses.append(RegistrationStatus.WAITING)
    recipients = db.session.scalars(
        select(Registration)
        .where(Registration.workshop_id == workshop.id, Registration.status.in_(statuses))
        .order_by(Registration.id)
    ).all()
    if not recipients:
        raise WorkshopError(_("Nikt nie jest zapisany – nie ma do kogo wysłać wiadomości."))
    subject = single_line(subject, 200)
    for registration in recipients:
        queue_mail(
            registration.email,
            "workshop_message",
            subject,
            locale=registration.locale,
            registration=registration,
            workshop=workshop,
            body=body,
            link=registrations.manage_url(registration),
        )
    audit.record(
        "workshop.message_sent",
        workshop,
        actor=actor,
        data={"subject": subject, "audience": audience, "recipients": len(recipients)},
    )
    return len(recipients)


def registrations_csv(actor: User, workshop: Workshop) -> str:
    """The registrations as CSV (personal data: staff only; the export is audited)."""
    labels = participant_group_labels()
    status_labels = status_names()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Imię i nazwisko"),
            _("E-mail"),
            _("Grupa"),
            _("Potrzeby"),
            _("Status"),
            _("Zapis"),
            _("Potwierdzenie"),
            _("Lista rezerwowa od"),
            _("Obecność"),
        ]
    )

    def when(value: datetime | None) -> str:
        local = utc_to_local(value)
        return local.strftime("%Y-%m-%d %H:%M") if local else ""

    rows = registrations_of(workshop)
    for registration in rows:
        attended = {True: _("tak"), False: _("nie"), None: ""}[registration.attended]
        writer.writerow(
            [
                csv_cell(registration.name),
                csv_cell(registration.email),
                str(labels.get(registration.participant_group, registration.participant_group)),
                csv_cell(registration.needs),
                str(status_labels.get(registration.status, registration.status)),
                when(registration.created_at),
                when(registration.confirmed_at),
                when(registration.waiting_since),
                attended,
            ]
        )
    audit.record("workshop.registrations_exported", workshop, actor=actor, data={"rows": len(rows)})
    return out.getvalue()


def status_names() -> dict[str, str]:
    return {
        RegistrationStatus.UNCONFIRMED: _("niepotwierdzony"),
        RegistrationStatus.CONFIRMED: _("ma miejsce"),
        RegistrationStatus.WAITING: _("lista rezerwowa"),
        RegistrationStatus.CANCELLED: _("anulowany"),
        RegistrationStatus.EXPIRED: _("wygasł"),
    }


# --- outcomes: minutes and ideas ------------------------------------------------


def save_minutes(actor: User, workshop: Workshop, minutes: str, publish: bool) -> None:
    minutes = (minutes or "").strip()
    if publish and not minutes:
        raise WorkshopError(_("Nie można opublikować pustego protokołu."), field="minutes")
    if publish and not workshop.has_started():
        raise WorkshopError(
            _("Protokół można opublikować dopiero po spotkaniu."), field="minutes_published"
        )
    was_published = workshop.minutes_published
    workshop.minutes = minutes
    workshop.minutes_published = publish
    if publish and not was_published:
        workshop.minutes_published_at = utcnow()
    db.session.flush()
    action = "workshop.minutes_saved"
    if publish and not was_published:
        action = "workshop.minutes_published"
    elif was_published and not publish:
        action = "workshop.minutes_unpublished"
    audit.record(
        action,
        workshop,
        actor=actor,
        from_state="published" if was_published else "draft",
        to_state="published" if publish else "draft",
    )


def record_idea(actor: User, workshop: Workshop, data: dict[str, Any]) -> Idea:
    """Enter an idea that came out of the meeting (source ``workshop``).

    ``data["mode"]`` is ``"publish"`` (into the catalogue at once) or
    ``"review"`` (to the moderation queue).
    """
    category = db.session.get(Category, data["category"])
    if category is None or not category.active:
        raise WorkshopError(_("Wybierz kategorię z listy."), field="category")
    group = None
    if data.get("group"):
        group = db.session.get(WorkshopGroup, data["group"])
        if group is None or group.workshop_id != workshop.id:
            raise WorkshopError(_("Wybierz grupę tego spotkania."), field="group")
    publish = data.get("mode") == "publish"
    now = utcnow()
    title = single_line(data["title"], 150)
    description = (data.get("description") or "").strip()
    idea = Idea(
        process_id=workshop.process_id,
        category_id=category.id,
        source=IdeaSource.WORKSHOP,
        workshop_id=workshop.id,
        workshop_group_id=group.id if group else None,
        title=title,
        description=description,
        submitted_at=now,
        confirmed_at=now,
        created_by_id=actor.id,
        locale="pl",
    )
    db.session.add(idea)
    lifecycle.create(
        idea,
        "record",
        actor,
        at=now,
        data={
            "title": title,
            "description": description,
            "workshop": workshop.slug,
            "group": group.name if group else None,
        },
    )
    db.session.flush()
    if publish:
        if not lifecycle.move(idea, "publish", actor):
            raise WorkshopError(
                _(
                    "Decyzji „%(action)s” nie można podjąć dla pomysłu w stanie „%(status)s”.",
                    action=lifecycle.action_label("publish"),
                    status=lifecycle.staff_status_label(idea.status),
                ),
                "mode",
            )
        idea.published_at = now
        db.session.flush()
    audit.record(
        "idea.recorded_from_workshop",
        idea,
        actor=actor,
        to_state=idea.status,
        data={"workshop_id": workshop.id, "workshop_group_id": idea.workshop_group_id},
    )
    if publish:
        audit.record(
            "idea.publish",
            idea,
            actor=actor,
            from_state=IdeaStatus.AWAITING_REVIEW,
            to_state=IdeaStatus.PUBLISHED,
        )
    return idea


def ideas_of(workshop: Workshop) -> list[Idea]:
    return db.session.scalars(
        select(Idea).where(Idea.workshop_id == workshop.id).order_by(Idea.id)
    ).all()


# --- lists and dashboard ---------------------------------------------------------


def overview(
    now: datetime | None = None,
) -> tuple[list[tuple[Workshop, dict]], list[tuple[Workshop, dict]]]:
    """(upcoming, past) meetings, each with its registration counts."""
    now = now or utcnow()
    workshops = db.session.scalars(select(Workshop).order_by(Workshop.starts_at.desc())).all()
    rows = db.session.execute(
        select(Registration.workshop_id, Registration.status, func.count()).group_by(
            Registration.workshop_id, Registration.status
        )
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for workshop_id, status, count in rows:
        counts.setdefault(workshop_id, {})[status] = count
    upcoming = [(w, counts.get(w.id, {})) for w in reversed(workshops) if not w.is_past(now)]
    past = [(w, counts.get(w.id, {})) for w in workshops if w.is_past(now)]
    return upcoming, past


def needing_attention(now: datetime | None = None) -> dict[str, int]:
    now = now or utcnow()
    upcoming = db.session.scalar(
        select(func.count()).select_from(Workshop).where(Workshop.ends_at > now)
    )
    attendance = db.session.scalar(
        select(func.count(func.distinct(Registration.workshop_id)))
        .join(Workshop, Registration.workshop_id == Workshop.id)
        .where(
            Workshop.starts_at <= now,
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.attended.is_(None),
        )
    )
    minutes = db.session.scalar(
        select(func.count())
        .select_from(Workshop)
        .where(
            Workshop.ends_at <= now,
            or_(Workshop.minutes_published.is_(False), Workshop.minutes == ""),
        )
    )
    return {"upcoming": upcoming or 0, "attendance": attendance or 0, "minutes": minutes or 0}
