"""Participation figures of the meetings, for /results and the API.

``participation(process_id=None)`` returns::

    {
      "meetings": {"held": int, "upcoming": int},
      "participants": int,          # people at meetings already held (see below)
      "registered": int,            # confirmed registrations, all meetings
      "waiting": int,               # people on waiting lists now
      "by_participant_group": {     # every ParticipantGroup value, in order
          "resident": {"confirmed": int, "attended": int}, ...
      },
      "groups": [                   # working groups at the meetings
          {"workshop_slug", "workshop_title", "starts_at", "name", "participants": int|None,
           "ideas": int}, ...
      ],
    }

``confirmed`` counts registrations holding a place (meetings held and
upcoming); ``attended`` counts those staff marked as present. For a meeting
already held, ``participants`` takes the head count staff entered
(``Workshop.participants_count``, which includes people who came without
registering) or else the registrations marked present.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.models import Idea, IdeaStatus, utcnow
from app.models.workshop import (
    ParticipantGroup,
    Registration,
    RegistrationStatus,
    Workshop,
    WorkshopGroup,
)


def participation(process_id: int | None = None, now: datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    scope = [Workshop.published.is_(True)]
    if process_id is not None:
        scope.append(Workshop.process_id == process_id)
    workshops = db.session.scalars(
        select(Workshop).where(*scope).order_by(Workshop.starts_at)
    ).all()
    ids = [w.id for w in workshops]
    held = [w for w in workshops if w.has_started(now)]

    by_group = {group.value: {"confirmed": 0, "attended": 0} for group in ParticipantGroup}
    attended_by_workshop: dict[int, int] = {}
    waiting = 0
    if ids:
        rows = db.session.execute(
            select(
                Registration.workshop_id,
                Registration.participant_group,
                Registration.status,
                Registration.attended,
                func.count(),
            )
            .where(
                Registration.workshop_id.in_(ids),
                Registration.status.in_([RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING]),
            )
            .group_by(
                Registration.workshop_id,
                Registration.participant_group,
                Registration.status,
                Registration.attended,
            )
        ).all()
        for workshop_id, group, status, attended, count in rows:
            if status == RegistrationStatus.WAITING:
                waiting += count
                continue
            bucket = by_group.setdefault(group, {"confirmed": 0, "attended": 0})
            bucket["confirmed"] += count
            if attended:
                bucket["attended"] += count
                attended_by_workshop[workshop_id] = attended_by_workshop.get(workshop_id, 0) + count

    participants = sum(
        w.participants_count
        if w.participants_count is not None
        else attended_by_workshop.get(w.id, 0)
        for w in held
    )

    groups: list[dict[str, Any]] = []
    if ids:
        idea_counts = dict(
            db.session.execute(
                select(Idea.workshop_group_id, func.count())
                .where(Idea.workshop_id.in_(ids), Idea.status == IdeaStatus.PUBLISHED)
                .group_by(Idea.workshop_group_id)
            ).all()
        )
        rows = db.session.execute(
            select(WorkshopGroup, Workshop)
            .join(Workshop, WorkshopGroup.workshop_id == Workshop.id)
            .where(Workshop.id.in_(ids))
            .order_by(Workshop.starts_at, WorkshopGroup.position, WorkshopGroup.id)
        ).all()
        for group, workshop in rows:
            groups.append(
                {
                    "workshop_slug": workshop.slug,
                    "workshop_title": workshop.title,
                    "starts_at": workshop.starts_at,
                    "name": group.name,
                    "participants": group.participants_count,
                    "ideas": idea_counts.get(group.id, 0),
                }
            )

    return {
        "meetings": {"held": len(held), "upcoming": len(workshops) - len(held)},
        "participants": participants,
        "registered": sum(bucket["confirmed"] for bucket in by_group.values()),
        "waiting": waiting,
        "by_participant_group": by_group,
        "groups": groups,
    }
