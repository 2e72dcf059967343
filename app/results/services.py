"""Who took part: the participants of held meetings by participant group.

Counted from the registrations (the group each person chose when signing
up) and the attendance staff marked: a confirmed registration counts unless
the person was marked absent. Anonymised registrations keep their group and
attendance, so the numbers survive the retention purge. No person is named.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select

from app.extensions import db
from app.models import Registration, RegistrationStatus, Workshop, utcnow
from app.models.workshop import ParticipantGroup


def participation_by_group(
    process_id: int | None = None, now: datetime | None = None
) -> list[tuple[str, int]]:
    """``[(group, participants), …]`` for every group, in the form's order,
    over the published meetings that have ended."""
    now = now or utcnow()
    conditions = [
        Workshop.published.is_(True),
        Workshop.ends_at <= now,
        Registration.status == RegistrationStatus.CONFIRMED,
        or_(Registration.attended.is_(None), Registration.attended.is_(True)),
    ]
    if process_id is not None:
        conditions.append(Workshop.process_id == process_id)
    counts = dict(
        db.session.execute(
            select(Registration.participant_group, func.count(Registration.id))
            .join(Workshop, Workshop.id == Registration.workshop_id)
            .where(*conditions)
            .group_by(Registration.participant_group)
        ).all()
    )
    return [(group.value, int(counts.get(group.value, 0))) for group in ParticipantGroup]


def share(part: int, whole: int) -> int:
    """*part* of *whole* in whole percent (0 when there is no whole)."""
    return round(100 * part / whole) if whole else 0
