"""The life of an idea: its states, the steps between them, who may take
each step, the history row every step writes, and how all of it is named.

Every change of ``Idea.status`` and every ``IdeaEvent`` goes through here:

- :func:`create` gives a new idea its first state (submitted through the
  form, or recorded by staff) and writes the first history row;
- :func:`move` takes one step of :data:`TRANSITIONS` on a stored idea in a
  single conditional ``UPDATE … WHERE id = :id AND status = :expected
  [AND version = :version]``, so of two requests taking a step at once
  exactly one wins (on SQLite and PostgreSQL alike); it bumps the version
  (a form shown before is stale from then on) and writes the history row;
- :func:`record` writes a history row that is not a step (an official
  answer, a merged duplicate, erased author data);
- :func:`history` writes the row of a step taken in the past (demo data).

Nothing here commits or raises the services' errors: a refused step comes
back as a :class:`Step` whose ``refused`` says why, and each service turns
that into its own exception and message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from app.extensions import db
from app.models.base import utcnow
from app.models.idea import Idea, IdeaEvent, IdeaSource, IdeaStatus, ResultStatus
from app.models.user import User
from app.security.permissions import PERMISSIONS, can

S = IdeaStatus

# Who takes a step. Staff steps name the permission (app.security.permissions)
# the acting user must hold; the others are taken without an account.
AUTHOR = "author"
SYSTEM = "system"
# Past staff steps in demo data name no account, only this label.
STAFF = "staff"
MODERATE = "moderate"
RECORD_IDEAS = "manage_workshops"

# Why a step was refused (Step.refused).
FORBIDDEN = "forbidden"  # the actor may not take this step
NOT_ALLOWED = "not_allowed"  # the lifecycle has no such step from the current state
STALE = "stale"  # the idea changed since the actor saw it

Actor = User | str


@dataclass(frozen=True)
class Transition:
    """One step: *action* takes an idea from *from_status* (None: a new
    idea) to *to_status*; *by* may take it; the history row is *event*."""

    action: str
    from_status: IdeaStatus | None
    to_status: IdeaStatus
    by: str
    event: str


def _steps(
    action: str, froms: tuple[IdeaStatus | None, ...], to: IdeaStatus, by: str, event: str
) -> tuple[Transition, ...]:
    return tuple(Transition(action, source, to, by, event) for source in froms)


AR, CR = S.AWAITING_REVIEW, S.CHANGES_REQUESTED

# The whole lifecycle. The way back from changes_requested to awaiting_review
# belongs to the author (an edit); moderators decide everything else.
TRANSITIONS: tuple[Transition, ...] = (
    *_steps("submit", (None,), S.UNCONFIRMED, AUTHOR, "submitted"),
    *_steps("record", (None,), AR, RECORD_IDEAS, "submitted"),
    *_steps("confirm", (S.UNCONFIRMED,), AR, AUTHOR, "confirmed"),
    *_steps("edit", (AR,), AR, AUTHOR, "edited"),
    *_steps("edit", (CR,), AR, AUTHOR, "author_revised"),
    *_steps("withdraw", (AR, CR, S.PUBLISHED), S.WITHDRAWN, AUTHOR, "withdrawn"),
    *_steps("publish", (AR, CR, S.HIDDEN), S.PUBLISHED, MODERATE, "published"),
    *_steps("reject", (AR, CR), S.REJECTED, MODERATE, "rejected"),
    *_steps("request_changes", (AR,), CR, MODERATE, "changes_requested"),
    *_steps("merge", (AR, CR, S.PUBLISHED), S.MERGED, MODERATE, "merged"),
    *_steps("hide", (S.PUBLISHED,), S.HIDDEN, MODERATE, "hidden"),
)

_BY_STEP: dict[tuple[str, str | None], Transition] = {
    (t.action, t.from_status.value if t.from_status else None): t for t in TRANSITIONS
}
assert len(_BY_STEP) == len(TRANSITIONS), "one row per (action, from state)"  # nosec B101
assert all(t.by in (AUTHOR, SYSTEM) or t.by in PERMISSIONS for t in TRANSITIONS)  # nosec B101

# The moderators' decisions, in the order the decision form offers them.
DECISIONS = ("publish", "reject", "request_changes", "merge", "hide")
EDITABLE = tuple(t.from_status for t in TRANSITIONS if t.action == "edit")
WITHDRAWABLE = tuple(t.from_status for t in TRANSITIONS if t.action == "withdraw")


def transition(action: str, from_status: str | None) -> Transition | None:
    """The step *action* from *from_status*, or None when there is none."""
    return _BY_STEP.get((action, str(from_status) if from_status is not None else None))


def sources(action: str) -> tuple[IdeaStatus, ...]:
    """The states *action* may be taken from."""
    return tuple(t.from_status for t in TRANSITIONS if t.action == action and t.from_status)


def target(action: str) -> IdeaStatus:
    """The state *action* leads to (the same from every source)."""
    return next(t.to_status for t in TRANSITIONS if t.action == action)


def event_kind(action: str) -> str:
    """The history row *action* writes (for a moderator's decision: one kind)."""
    return next(t.event for t in TRANSITIONS if t.action == action)


def actions_from(status: str | None, among: tuple[str, ...] = DECISIONS) -> list[str]:
    """The actions in *among* the lifecycle allows from *status*, in that order."""
    return [action for action in among if transition(action, status) is not None]


def may(actor: Actor | None, step: Transition) -> bool:
    """Whether *actor* (a staff user, or AUTHOR / SYSTEM) may take *step*."""
    if step.by in (AUTHOR, SYSTEM):
        return actor == step.by
    return isinstance(actor, User) and can(step.by, actor)


# --- taking a step -------------------------------------------------------


@dataclass
class Step:
    """What :func:`move` did: the row written, or why nothing was
    (``refused`` is FORBIDDEN, NOT_ALLOWED or STALE)."""

    from_status: str | None
    transition: Transition | None = None
    event: IdeaEvent | None = None
    refused: str | None = None

    def __bool__(self) -> bool:
        return self.refused is None


def refusal(
    idea: Idea,
    action: str,
    actor: Actor | None,
    version: int | None = None,
    expected: str | None = None,
) -> str | None:
    """Why *action* cannot be taken on *idea* as loaded now, or None.

    *version* is the one the actor saw; *expected* the state they saw.
    A stale view comes first: the actor should look again before anything.
    """
    step = transition(action, idea.status)
    if step is not None and not may(actor, step):
        return FORBIDDEN
    if version is not None and version != idea.version:
        return STALE
    if step is None:
        return NOT_ALLOWED
    if expected is not None and expected != idea.status:
        return STALE
    return None


def move(
    idea: Idea,
    action: str,
    actor: Actor,
    *,
    version: int | None = None,
    message: str | None = None,
    data: dict[str, Any] | None = None,
) -> Step:
    """Take *action* on the stored *idea*.

    The state changes in one conditional UPDATE on the state (and the
    version, when given) the caller saw; the version is bumped. If another
    request moved the idea first, the UPDATE matches nothing and the step is
    refused with nothing written. On success the idea is reloaded and its
    history row added (the caller may still fill ``step.event.data``).
    """
    from_status = idea.status
    why = refusal(idea, action, actor, version)
    if why is not None:
        return Step(from_status, refused=why)
    step = transition(action, from_status)
    assert step is not None  # nosec B101 - refusal() checked it
    conditions = [Idea.id == idea.id, Idea.status == str(from_status)]
    if version is not None:
        conditions.append(Idea.version == version)
    result = db.session.execute(
        update(Idea)
        .where(*conditions)
        .values(status=step.to_status.value, version=Idea.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(idea)
    if result.rowcount != 1:
        why = refusal(idea, action, actor, version, expected=from_status) or STALE
        return Step(from_status, refused=why)
    event = _add(idea, step.event, from_status, step.to_status, actor, message, data, None)
    return Step(from_status, step, event)


def create(
    idea: Idea,
    action: str,
    actor: Actor,
    *,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> IdeaEvent:
    """Give the new (not yet stored) *idea* its first state and history row."""
    step = transition(action, None)
    if step is None:
        raise ValueError(f"{action!r} does not start an idea's life")
    if not may(actor, step):
        raise PermissionError(f"{actor!r} may not {action} an idea")
    idea.status = step.to_status
    return _add(idea, step.event, None, step.to_status, actor, None, data, at)


def history(
    idea: Idea,
    action: str,
    from_status: str | None,
    actor: Actor,
    *,
    at: datetime,
    message: str | None = None,
    data: dict[str, Any] | None = None,
) -> IdeaEvent:
    """The history row of a step taken at *at* in the past (demo data); the
    caller sets the idea's state. The step must be one of the lifecycle's."""
    step = transition(action, from_status)
    if step is None:
        raise ValueError(f"no step {action!r} from {from_status!r}")
    return _add(idea, step.event, from_status, step.to_status, actor, message, data, at)


def record(
    idea: Idea,
    kind: str,
    from_status: str | None = None,
    to_status: str | None = None,
    *,
    actor: Actor | None = None,
    message: str | None = None,
    data: dict[str, Any] | None = None,
) -> IdeaEvent:
    """A history row that is not a step of the lifecycle: ``answered``
    (from/to are public statuses), ``merged_from``, ``author_erased``."""
    if kind in {t.event for t in TRANSITIONS}:
        raise ValueError(f"{kind!r} is written by a step (move/create/history)")
    return _add(idea, kind, from_status, to_status, actor, message, data, None)


def _add(
    idea: Idea,
    kind: str,
    from_status: str | None,
    to_status: str | None,
    actor: Actor | None,
    message: str | None,
    data: dict[str, Any] | None,
    at: datetime | None,
) -> IdeaEvent:
    """The one place an IdeaEvent is built. Staff act under their account;
    the author and the system by a label."""
    event = IdeaEvent(
        kind=kind,
        from_status=str(from_status) if from_status is not None else None,
        to_status=str(to_status) if to_status is not None else None,
        actor_id=actor.id if isinstance(actor, User) else None,
        actor_label=actor if isinstance(actor, str) else None,
        message=message,
        data=data,
    )
    if at is not None:
        event.created_at = at
    idea.events.append(event)
    return event


# --- names ---------------------------------------------------------------

# The state as its author reads it (tracking page, data download, staff
# privacy page).
STATUS_LABELS = {
    S.UNCONFIRMED: _l("Czeka na potwierdzenie adresu e-mail"),
    S.AWAITING_REVIEW: _l("Czeka na moderację"),
    S.CHANGES_REQUESTED: _l("Moderatorzy proszą o zmiany"),
    S.PUBLISHED: _l("Opublikowany"),
    S.REJECTED: _l("Odrzucony"),
    S.MERGED: _l("Połączony z podobnym pomysłem"),
    S.HIDDEN: _l("Ukryty przez moderatorów"),
    S.WITHDRAWN: _l("Wycofany przez autora"),
}

STATUS_EXPLANATIONS = {
    S.UNCONFIRMED: _l("Kliknij link z wiadomości e-mail, aby przekazać pomysł moderatorom."),
    S.AWAITING_REVIEW: _l(
        "Moderatorzy sprawdzą pomysł i opublikują go albo napiszą, co trzeba zmienić. "
        "Do tego czasu możesz go jeszcze edytować."
    ),
    S.CHANGES_REQUESTED: _l(
        "Przeczytaj wiadomość od moderatorów poniżej, popraw pomysł i zapisz zmiany. "
        "Wtedy wróci do kolejki moderacji."
    ),
    S.PUBLISHED: _l("Pomysł jest widoczny w katalogu i inni mogą go poprzeć."),
    S.REJECTED: _l("Pomysł nie zostanie opublikowany. Uzasadnienie znajdziesz poniżej."),
    S.MERGED: _l(
        "Twój pomysł połączono z bardzo podobnym zgłoszeniem, aby głosy nie rozpraszały się."
    ),
    S.HIDDEN: _l("Pomysł nie jest obecnie widoczny publicznie. Powód znajdziesz poniżej."),
    S.WITHDRAWN: _l("Pomysł został wycofany i nie jest rozpatrywany."),
}

# The state as moderators read it (queue, review page, their messages).
STAFF_STATUS_LABELS = {
    S.UNCONFIRMED: _l("niepotwierdzony"),
    S.AWAITING_REVIEW: _l("czeka na moderację"),
    S.CHANGES_REQUESTED: _l("czeka na poprawki autora"),
    S.PUBLISHED: _l("opublikowany"),
    S.REJECTED: _l("odrzucony"),
    S.MERGED: _l("połączony z innym"),
    S.HIDDEN: _l("ukryty"),
    S.WITHDRAWN: _l("wycofany przez autora"),
}

# What the organiser did with a published idea: its public status
# (catalogue, results, API, answer mails).
PUBLIC_STATUS_LABELS = {
    ResultStatus.PUBLISHED: _l("Opublikowany"),
    ResultStatus.UNDER_ANALYSIS: _l("W analizie"),
    ResultStatus.ACCEPTED: _l("Przyjęty do programu"),
    ResultStatus.IN_PROGRESS: _l("W realizacji"),
    ResultStatus.IMPLEMENTED: _l("Zrealizowany"),
    ResultStatus.NOT_PURSUED: _l("Niepodjęty"),
}

SOURCE_LABELS = {
    IdeaSource.FORM: _l("Formularz"),
    IdeaSource.WORKSHOP: _l("Warsztaty"),
    IdeaSource.STAFF: _l("Organizator"),
}

# The moderators' decisions, as the decision form and reply templates name them.
ACTION_LABELS = {
    "publish": _l("Opublikuj"),
    "reject": _l("Odrzuć"),
    "request_changes": _l("Poproś o zmiany"),
    "merge": _l("Połącz z innym pomysłem"),
    "hide": _l("Ukryj"),
}

# History rows as the author reads them on the tracking page. The action
# names are there for rows written under them in the past.
EVENT_LABELS = {
    "submitted": _l("Pomysł wysłany"),
    "confirmed": _l("Adres e-mail potwierdzony, pomysł przekazany moderatorom"),
    "edited": _l("Poprawiono pomysł"),
    "email_corrected": _l("Poprawiono adres e-mail"),
    "author_revised": _l("Poprawiono pomysł po prośbie moderatorów"),
    "withdrawn": _l("Pomysł wycofany"),
    "author_erased": _l("Usunięto dane autora"),
    "published": _l("Pomysł opublikowany"),
    "rejected": _l("Pomysł odrzucony"),
    "changes_requested": _l("Moderatorzy poprosili o zmiany"),
    "request_changes": _l("Moderatorzy poprosili o zmiany"),
    "merged": _l("Pomysł połączony z podobnym"),
    "merge": _l("Pomysł połączony z podobnym"),
    "merged_from": _l("Dołączono do niego podobne zgłoszenie"),
    "hidden": _l("Pomysł ukryty"),
    "hide": _l("Pomysł ukryty"),
    "answered": _l("Organizator udzielił odpowiedzi"),
    "answer": _l("Organizator udzielił odpowiedzi"),
}


def status_label(status: str | None) -> str:
    """The state as its author reads it."""
    label = STATUS_LABELS.get(status) if status else None
    return str(label) if label else (status or "")


def status_explanation(status: str | None) -> str:
    text = STATUS_EXPLANATIONS.get(status) if status else None
    return str(text) if text else ""


def staff_status_label(status: str | None) -> str:
    """The state as moderators read it."""
    label = STAFF_STATUS_LABELS.get(status) if status else None
    return str(label) if label else (status or "")


def public_status_label(status: str) -> str:
    """The public status (ResultStatus) of a published idea."""
    return str(PUBLIC_STATUS_LABELS.get(status, status))


def source_label(source: str) -> str:
    return str(SOURCE_LABELS.get(source, source))


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def event_label(kind: str, to_status: str | None = None) -> str:
    label = EVENT_LABELS.get(kind)
    if label:
        return str(label)
    if to_status:
        return status_label(to_status)
    return kind.replace("_", " ")


def event_actor(event: object) -> str:
    """Who did it, as the author should read it (never a staff name)."""
    label = getattr(event, "actor_label", None)
    if getattr(event, "kind", None) in ("answered", "answer"):
        return str(_l("Organizator konsultacji"))
    if label == AUTHOR:
        return str(_l("Ty"))
    if getattr(event, "actor_id", None) is not None or label in ("moderator", STAFF):
        return str(_l("Zespół moderatorów"))
    return str(_l("System"))
