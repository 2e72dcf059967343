"""`flask --app wsgi phases notify`: announce the phases that started.

Run daily (or more often). Each phase is announced once ever: one
conditional UPDATE sets ``Phase.announced_at`` only while it is still empty,
so of two runs (one after the other, or at the same moment on two hosts)
only one wins a phase and announces it; the announcement is written in the
same transaction, so a run that fails half-way leaves the phase for the next.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from app.extensions import db
from app.i18n import format_when
from app.models.base import utcnow
from app.models.process import Phase, Process
from app.processes import phases
from app.web import external_url


class InReadersLanguage:
    """Text made when it is read, so each follower reads it in their own
    language (``str()`` under their locale)."""

    def __init__(self, make: Callable[[], str]) -> None:
        self.make = make

    def __str__(self) -> str:
        return self.make()


@dataclass
class PhaseAnnouncement:
    """What followers of the consultation are told (plain text)."""

    process: Process
    phase: Phase
    event: str  # unique per phase: "phase:<id>:started"
    title: InReadersLanguage
    text: InReadersLanguage
    url: str


# app.follows.services.announce: (process=, event=, title=, text=, url=) -> int
Announcer = Callable[..., object]


def init_app(app, announce: Announcer | None = None) -> None:  # noqa: ANN001
    """*announce* tells the consultation's followers (app.follows); without
    it the job only records that each phase started."""
    app.extensions["phase_announcer"] = announce


def due_phases(now: datetime | None = None) -> list[int]:
    """Phases of published consultations that started within the last
    PHASE_ANNOUNCE_DAYS days and were not announced yet (older ones are
    history: a newly installed job does not announce them)."""
    today = phases.local_today(now)
    oldest = today - timedelta(days=current_app.config.get("PHASE_ANNOUNCE_DAYS", 3))
    return list(
        db.session.scalars(
            select(Phase.id)
            .join(Process, Process.id == Phase.process_id)
            .where(
                Process.published.is_(True),
                Phase.announced_at.is_(None),
                Phase.starts_on <= today,
                Phase.starts_on >= oldest,
            )
            .order_by(Phase.starts_on, Phase.position, Phase.id)
        )
    )


def describe(phase: Phase, now: datetime | None = None) -> PhaseAnnouncement:
    process = phase.process
    # Worked out now (the phase's state when it started), worded later.
    overview = phases.overview(process, now)
    closures = {action: phases.closure(process, action, now) for action in phases.PAGE_ACTIONS}

    def title() -> str:
        return _(
            "Rozpoczął się etap „%(phase)s” konsultacji „%(process)s”",
            phase=phase.title,
            process=process.title,
        )

    def text() -> str:
        lines = [phase.description] if phase.description else []
        for action, label in phases.action_labels():
            closed = closures.get(action)
            lines.append(closed.short if closed else _("%(what)s: otwarte.", what=label))
        if overview.next_phase is not None:
            lines.append(
                _(
                    "Następny etap: „%(title)s”, od %(date)s.",
                    title=overview.next_phase.title,
                    date=format_when(overview.next_phase.starts_on, "long"),
                )
            )
        return "\n".join(lines)

    return PhaseAnnouncement(
        process=process,
        phase=phase,
        event=f"phase:{phase.id}:started",
        title=InReadersLanguage(title),
        text=InReadersLanguage(text),
        url=external_url("processes.detail", slug=process.slug),
    )


def claim(phase_id: int, now: datetime) -> bool:
    """Mark the phase announced; True only for the one caller that did."""
    result = db.session.execute(
        update(Phase)
        .where(Phase.id == phase_id, Phase.announced_at.is_(None))
        .values(announced_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def announce_started_phases(now: datetime | None = None) -> int:
    """Announce every due phase once; commits once per phase. Returns how
    many phases this run announced."""
    now = now or utcnow()
    ids = due_phases(now)
    # End the reading transaction: on SQLite a write must start a fresh one.
    db.session.rollback()
    announcer = current_app.extensions.get("phase_announcer")
    announced = 0
    for phase_id in ids:
        if not claim(phase_id, now):
            db.session.rollback()
            continue
        phase = db.session.get(Phase, phase_id)
        if phase is not None and announcer is not None:
            told = describe(phase, now)
            announcer(
                process=told.process, event=told.event, title=told.title, text=told.text,
                url=told.url,
            )  # fmt: skip
        db.session.commit()
        announced += 1
    return announced
