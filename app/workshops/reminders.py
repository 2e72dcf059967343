"""`flask --app wsgi workshops remind`: the day before a meeting, everyone
with a confirmed place gets a reminder (with the online link if the meeting
is online); after a meeting, people still on its waiting list are told it
took place without them being moved up.

Each person hears once: one conditional UPDATE sets ``reminded_at`` (or
``waiting_told_at``) only on rows where it is still empty and returns the
rows it changed, and only those are mailed, in the same transaction. Two
runs one after the other, or at the same moment on two hosts, mail no one
twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app.extensions import db
from app.mail import queue_mail
from app.models.base import utcnow
from app.models.workshop import Registration, RegistrationStatus, Workshop
from app.timeutil import LOCAL_TZ
from app.web import external_url
from app.workshops.services import manage_url

# How long after a meeting its waiting list is still told (a job that did
# not run for a while does not write about meetings long past).
WAITING_NOTICE_DAYS = 7


def _local_day_bounds(day_offset: int, now: datetime) -> tuple[datetime, datetime]:
    local = now.astimezone(LOCAL_TZ)
    start = (local + timedelta(days=day_offset)).replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + timedelta(days=1)
    return start.astimezone(now.tzinfo), end.astimezone(now.tzinfo)


def meetings_tomorrow(now: datetime) -> list[int]:
    """Published meetings that start tomorrow (Warsaw day)."""
    start, end = _local_day_bounds(1, now)
    return list(
        db.session.scalars(
            select(Workshop.id)
            .where(
                Workshop.published.is_(True),
                Workshop.starts_at >= start,
                Workshop.starts_at < end,
            )
            .order_by(Workshop.starts_at, Workshop.id)
        )
    )


def meetings_just_held(now: datetime) -> list[int]:
    return list(
        db.session.scalars(
            select(Workshop.id)
            .where(
                Workshop.published.is_(True),
                Workshop.ends_at <= now,
                Workshop.ends_at > now - timedelta(days=WAITING_NOTICE_DAYS),
            )
            .order_by(Workshop.ends_at, Workshop.id)
        )
    )


def _claim(workshop_id: int, status: str, column: str, now: datetime) -> list[int]:
    """Mark this meeting's unmarked *status* rows; the ids this call marked."""
    mark = getattr(Registration, column)
    return list(
        db.session.scalars(
            update(Registration)
            .where(
                Registration.workshop_id == workshop_id,
                Registration.status == status,
                mark.is_(None),
            )
            .values({column: now})
            .returning(Registration.id)
            .execution_options(synchronize_session=False)
        )
    )


def _mail(registration: Registration, template: str, subject: object) -> None:
    workshop = registration.workshop
    queue_mail(
        registration.email,
        template,
        subject,
        locale=registration.locale,
        ref=f"registration:{registration.id}",
        registration=registration,
        workshop=workshop,
        workshop_url=external_url("workshops.detail", slug=workshop.slug),
        ics_url=external_url("workshops.calendar_one", slug=workshop.slug),
        meetings_url=external_url("workshops.index"),
        link=manage_url(registration),
        cancel_link=manage_url(registration, cancel=1),
    )


def _run(ids: list[int], status: str, column: str, template: str, subject, now) -> int:  # noqa: ANN001
    # End the reading transaction first: on SQLite a write must start afresh.
    db.session.rollback()
    sent = 0
    for workshop_id in ids:
        claimed = _claim(workshop_id, status, column, now)
        for registration in db.session.scalars(
            select(Registration).where(Registration.id.in_(claimed)).order_by(Registration.id)
        ):
            _mail(registration, template, subject(registration.workshop.title))
            sent += 1
        db.session.commit()
    return sent


def send_reminders(now: datetime | None = None) -> tuple[int, int]:
    """Queue the day-before reminders and the waiting-list notices; commits
    once per meeting. Returns ``(reminded, told)``."""
    now = now or utcnow()
    reminded = _run(
        meetings_tomorrow(now),
        RegistrationStatus.CONFIRMED,
        "reminded_at",
        "registration_day_before",
        lambda title: _l("Jutro spotkanie: %(title)s", title=title),
        now,
    )
    told = _run(
        meetings_just_held(now),
        RegistrationStatus.WAITING,
        "waiting_told_at",
        "registration_missed",
        lambda title: _l("Spotkanie się odbyło: %(title)s", title=title),
        now,
    )
    return reminded, told
