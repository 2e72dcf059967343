"""Phases that act: what a consultation accepts now, and why not.

Each phase of a consultation has switches (``Phase.accepts_ideas``,
``accepts_supports``, ``accepts_comments``, ``workshop_registration``).
The phases that govern a day are the ones running that day (Warsaw date);
when none runs, the consultation stays where its latest finished phase left
it; before its first phase starts, no phase restricts anything. Phases may
overlap: an action is open when any governing phase allows it. On top of
the phases the consultation's own rules still hold (it is published; ideas
and supports only inside its submission window).

Every form and write these switches govern asks ``allows(process, action)``
and refuses with ``closed_message(process, action)``; pages ask ``closure``
to show what is closed, since when and what comes next instead of a form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, inspect, select

from app import pagecache
from app.i18n import format_when
from app.models.base import utcnow
from app.models.process import Phase, Process
from app.timeutil import LOCAL_TZ

IDEA = "idea"
SUPPORT = "support"
COMMENT = "comment"
REGISTER = "register"

# action -> the phase's switch
SWITCHES = {
    IDEA: "accepts_ideas",
    SUPPORT: "accepts_supports",
    COMMENT: "accepts_comments",
    REGISTER: "workshop_registration",
}

# What the consultation page lists as open or closed.
PAGE_ACTIONS = (IDEA, SUPPORT, COMMENT, REGISTER)

SWITCH_LABELS = {
    "accepts_ideas": _l("Zgłaszanie pomysłów"),
    "accepts_supports": _l("Popieranie pomysłów"),
    "accepts_comments": _l("Komentowanie pomysłów"),
    "workshop_registration": _l("Zapisy na spotkania"),
}


def action_labels() -> list[tuple[str, str]]:
    return [(action, str(SWITCH_LABELS[SWITCHES[action]])) for action in PAGE_ACTIONS]


def local_today(now: datetime | None = None) -> date:
    """The date in Warsaw at *now* (phases are Warsaw days)."""
    return (now or utcnow()).astimezone(LOCAL_TZ).date()


def _active_on(phase: Phase | Switches, day: date) -> bool:
    return phase.starts_on <= day and (phase.ends_on is None or day <= phase.ends_on)


def _governing(phases: Sequence[Phase] | Sequence[Switches], day: date) -> list | None:
    running = [phase for phase in phases if _active_on(phase, day)]
    if running:
        return running
    finished = [phase for phase in phases if phase.ends_on is not None and phase.ends_on < day]
    if not finished:
        return None
    last_end = max(phase.ends_on for phase in finished)  # type: ignore[type-var]
    return [phase for phase in finished if phase.ends_on == last_end]


def governing_phases(process: Process, day: date) -> list[Phase] | None:
    """The phases whose switches hold on *day*, or None when no phase has
    started yet (or the consultation has none): then phases restrict nothing."""
    return _governing(list(process.phases), day)


def current_phases(process: Process, now: datetime | None = None) -> list[Phase]:
    """The phases running today (for "where the consultation is now")."""
    day = local_today(now)
    return [phase for phase in process.phases if _active_on(phase, day)]


@dataclass(frozen=True)
class Switches:
    """What ``phases_allow`` needs of a phase: its days and its switches."""

    starts_on: date
    ends_on: date | None
    accepts_ideas: bool
    accepts_supports: bool
    accepts_comments: bool
    workshop_registration: bool


_SWITCHES = (
    select(
        Phase.starts_on,
        Phase.ends_on,
        Phase.accepts_ideas,
        Phase.accepts_supports,
        Phase.accepts_comments,
        Phase.workshop_registration,
    )
    .where(Phase.process_id == bindparam("process_id"))
    .order_by(Phase.position)
)


def _phase_switches(process: Process) -> list[Phase] | tuple[Switches, ...]:
    """The phases of *process* for deciding what is open: its own loaded
    phases when it has them, else each worker's kept copy of their days and
    switches (``pagecache.kept_rows``).

    Every idea page and every submission asks; loading the phases as ORM
    objects each time cost more than the rest of the decision."""
    if "phases" not in inspect(process).unloaded or process.id is None:
        return process.phases
    return pagecache.kept_rows(
        ("phase-switches", process.id),
        _SWITCHES,
        {"process_id": process.id},
        build=lambda rows: tuple(Switches(*row) for row in rows),
    )


def phases_allow(process: Process, action: str, day: date) -> bool:
    """Whether the phases alone allow *action* on *day*."""
    governing = _governing(_phase_switches(process), day)
    if governing is None:
        return True
    switch = SWITCHES[action]
    return any(getattr(phase, switch) for phase in governing)


def _base_allows(process: Process, action: str, now: datetime) -> bool:
    """The consultation's own rules, before any phase."""
    if not process.published:
        return False
    if action == IDEA:
        return process.accepts_ideas(now)
    if action in (SUPPORT, COMMENT):
        return process.window_state(now) in ("open", "none")
    return True


def allows(process: Process, action: str, now: datetime | None = None) -> bool:
    """Whether *process* accepts *action* (``"idea"``, ``"support"``,
    ``"comment"``, ``"register"``) at *now*."""
    if action not in SWITCHES:
        raise ValueError(f"unknown action {action!r}")
    now = now or utcnow()
    return _base_allows(process, action, now) and phases_allow(process, action, local_today(now))


@dataclass
class Closure:
    """Why an action is closed: since when (a date or a time, or None when
    it never was open), when it opens again and the phase that comes next."""

    action: str
    since: date | datetime | None = None
    reopens: date | datetime | None = None
    next_phase: Phase | None = None

    @property
    def message(self) -> str:
        return _closure_text(self)

    @property
    def short(self) -> str:
        """The message without the next phase (shown beside it)."""
        return _closure_text(self, with_next=False)


def _boundaries(process: Process) -> list[date]:
    days: set[date] = set()
    for phase in process.phases:
        days.add(phase.starts_on)
        if phase.ends_on is not None:
            days.add(phase.ends_on + timedelta(days=1))
    return sorted(days)


def closure(process: Process, action: str, now: datetime | None = None) -> Closure | None:
    """None while *action* is allowed; otherwise what to tell the reader."""
    now = now or utcnow()
    if allows(process, action, now):
        return None
    today = local_today(now)
    boundaries = _boundaries(process)
    upcoming = sorted(
        (phase for phase in process.phases if phase.starts_on > today),
        key=lambda phase: (phase.starts_on, phase.position),
    )
    found = Closure(action=action, next_phase=upcoming[0] if upcoming else None)
    if not phases_allow(process, action, today):
        # The last day the phases changed from allowing it to not.
        for day in reversed([b for b in boundaries if b <= today]):
            if phases_allow(process, action, day - timedelta(days=1)):
                found.since = day
                break
        for day in (b for b in boundaries if b > today):
            if phases_allow(process, action, day):
                found.reopens = day
                break
        return found
    # The consultation's own window closed it.
    if action in (IDEA, SUPPORT, COMMENT):
        state = process.window_state(now)
        if state == "not_open":
            found.reopens = process.opens_at
        elif state == "closed":
            found.since = process.closes_at
    return found


def _when(value: date | datetime) -> str:
    return format_when(value, "long")


def _opening_sentences(action: str) -> tuple[str, str, str]:
    """(closed since %(date)s, not open yet, closed) for *action*."""
    if action == IDEA:
        return (
            _("Zgłaszanie pomysłów zamknięte od %(date)s."),
            _("Zgłaszanie pomysłów jeszcze się nie rozpoczęło."),
            _("Zgłaszanie pomysłów jest teraz zamknięte."),
        )
    if action == SUPPORT:
        return (
            _("Popieranie pomysłów zamknięte od %(date)s."),
            _("Popieranie pomysłów jeszcze się nie rozpoczęło."),
            _("Popieranie pomysłów jest teraz zamknięte."),
        )
    if action == COMMENT:
        return (
            _("Komentowanie zamknięte od %(date)s."),
            _("Komentowanie jeszcze się nie rozpoczęło."),
            _("Komentowanie jest teraz zamknięte."),
        )
    return (
        _("Zapisy na spotkania zamknięte od %(date)s."),
        _("Zapisy na spotkania jeszcze się nie rozpoczęły."),
        _("Zapisy na spotkania są teraz zamknięte."),
    )


def _closure_text(found: Closure, with_next: bool = True) -> str:
    since, not_yet, closed = _opening_sentences(found.action)
    if found.since is not None:
        parts = [since % {"date": _when(found.since)}]
    elif found.reopens is not None:
        parts = [not_yet]
    else:
        parts = [closed]
    if found.reopens is not None:
        parts.append(_("Otwarcie: %(date)s.", date=_when(found.reopens)))
    if with_next and found.next_phase is not None:
        parts.append(
            _(
                "Następny etap: „%(title)s”, od %(date)s.",
                title=found.next_phase.title,
                date=_when(found.next_phase.starts_on),
            )
        )
    return " ".join(parts)


def closed_message(process: Process, action: str, now: datetime | None = None) -> str:
    """The sentence shown where *action* is refused ("Zgłaszanie pomysłów
    zamknięte od 12 listopada 2026 r. Następny etap: …")."""
    found = closure(process, action, now)
    if found is None:
        return ""
    return found.message


@dataclass
class Overview:
    """Where a consultation is now: the running phases, the next one, and
    for each action whether it is open (None) or why it is closed."""

    current: list[Phase]
    next_phase: Phase | None
    closed: dict[str, str]


def overview(process: Process, now: datetime | None = None) -> Overview:
    now = now or utcnow()
    today = local_today(now)
    upcoming = sorted(
        (phase for phase in process.phases if phase.starts_on > today),
        key=lambda phase: (phase.starts_on, phase.position),
    )
    closed = {}
    for action in PAGE_ACTIONS:
        found = closure(process, action, now)
        if found is not None:
            closed[action] = found.short
    return Overview(
        current=current_phases(process, now),
        next_phase=upcoming[0] if upcoming else None,
        closed=closed,
    )


def init_app(app) -> None:  # noqa: ANN001
    """Templates ask ``phase_allows(process, "idea")`` (pages that cannot
    import this module, as the home page's, without a circle)."""
    app.jinja_env.globals["phase_allows"] = allows
