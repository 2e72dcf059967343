"""The rules of directions and funding applications.

Every function here changes state for one staff action, writes the audit row
and (for what the public sees) a ``DirectionEvent``, tells people through
:mod:`app.directions.mail`, and never commits. A refusal is a
``ServiceError`` naming the form field it belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app import audit, pagecache
from app.directions import lifecycle, mail
from app.directions.lifecycle import NEEDS_DECIDED_ON, NEEDS_SUBMITTED_ON
from app.errors import ServiceError, StaleVersion
from app.extensions import db
from app.models import (
    ApplicationStatus,
    Direction,
    DirectionEvent,
    DirectionIdea,
    FundingApplication,
    Idea,
    IdeaStatus,
    Milestone,
    Process,
    User,
    utcnow,
)
from app.models.base import is_valid_id
from app.text import fold, single_line, slugify

MAX_LINKS_FOUND = 15
NOTE_MAX = 500

# -- directions ------------------------------------------------------------------


@dataclass
class DirectionData:
    process_id: int | None
    title: str
    slug: str
    summary: str
    responsible_unit: str


def _check_data(data: DirectionData, direction: Direction | None) -> tuple[Process, str]:
    title = single_line(data.title or "")
    if not 3 <= len(title) <= 200:
        raise ServiceError(_("Tytuł musi mieć od 3 do 200 znaków."), status=400, field="title")
    process = db.session.get(Process, data.process_id) if data.process_id else None
    if process is None:
        raise ServiceError(_("Wybierz konsultacje."), status=400, field="process_id")
    slug = slugify(data.slug or title, max_length=120)
    if not slug:
        raise ServiceError(_("Adres musi zawierać litery lub cyfry."), status=400, field="slug")
    taken = db.session.scalar(
        select(Direction.id).where(
            Direction.slug == slug, Direction.id != (direction.id if direction else -1)
        )
    )
    if taken is not None:
        raise ServiceError(
            _("Adres „%(slug)s” ma już inny kierunek. Wybierz inny.", slug=slug),
            status=409,
            field="slug",
        )
    return process, slug


def _flush_slug() -> None:
    """Flush; a slug taken in the same instant by someone else is a field error."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        raise ServiceError(
            _("Ten adres ma już inny kierunek. Wybierz inny."), status=409, field="slug"
        ) from error


def _event(direction: Direction, kind: str, actor: User | None, **values: Any) -> DirectionEvent:
    event = DirectionEvent(
        direction=direction, kind=kind, actor_id=getattr(actor, "id", None), **values
    )
    db.session.add(event)
    return event


def _bump(direction: Direction, version: int | None) -> None:
    """Take the direction's next version in one conditional UPDATE: of two
    requests that saw the same version, exactly one goes on."""
    expected = direction.version if version is None else version
    result = db.session.execute(
        update(Direction)
        .where(Direction.id == direction.id, Direction.version == expected)
        .values(version=Direction.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise StaleVersion(
            _("Ktoś zmienił ten kierunek w międzyczasie. Odśwież stronę i spróbuj ponownie.")
        )
    db.session.refresh(direction)


def create_direction(data: DirectionData, actor: User | None) -> Direction:
    process, slug = _check_data(data, None)
    last = db.session.scalar(select(func.max(Direction.position))) or 0
    direction = Direction(
        process_id=process.id,
        slug=slug,
        title=single_line(data.title),
        summary=(data.summary or "").strip(),
        responsible_unit=single_line(data.responsible_unit or "", 200),
        position=last + 1,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(direction)
    _flush_slug()
    _event(direction, "created", actor, to_status=direction.status)
    audit.record("direction.create", direction, actor=actor, data={"slug": slug})
    mail.announce_published(direction)
    return direction


def update_direction(
    direction: Direction, data: DirectionData, version: int | None, actor: User | None
) -> Direction:
    process, slug = _check_data(data, direction)
    _bump(direction, version)
    before = {"title": direction.title, "slug": direction.slug}
    direction.process_id = process.id
    direction.slug = slug
    direction.title = single_line(data.title)
    direction.summary = (data.summary or "").strip()
    direction.responsible_unit = single_line(data.responsible_unit or "", 200)
    _flush_slug()
    _event(direction, "edited", actor)
    audit.record("direction.edit", direction, actor=actor, data={"before": before, "slug": slug})
    return direction


def change_status(
    direction: Direction, to_status: str, reason: str, version: int | None, actor: User | None
) -> DirectionEvent:
    """Move the direction to *to_status* with a public *reason*, and tell the
    people whose ideas it takes up (one notice each)."""
    reason = (reason or "").strip()
    if to_status not in lifecycle.STATUS_LABELS:
        raise ServiceError(_("Wybierz status z listy."), status=400, field="status")
    if to_status == direction.status:
        raise ServiceError(_("Kierunek ma już ten status."), status=422, field="status")
    if not lifecycle.can_move(direction.status, to_status):
        raise ServiceError(
            _(
                "Ze statusu „%(from)s” nie można przejść do „%(to)s”.",
                **{
                    "from": lifecycle.status_label(direction.status),
                    "to": lifecycle.status_label(to_status),
                },
            ),
            status=422,
            field="status",
        )
    if not 5 <= len(reason) <= 2000:
        raise ServiceError(
            _("Podaj powód zmiany statusu (od 5 do 2000 znaków); zobaczą go mieszkańcy."),
            status=400,
            field="reason",
        )
    from_status = direction.status
    _bump(direction, version)
    direction.status = to_status
    direction.status_reason = reason if to_status in lifecycle.STOPPED else None
    event = _event(
        direction, "status", actor, from_status=from_status, to_status=to_status, message=reason
    )
    db.session.flush()
    audit.record(
        "direction.status",
        direction,
        actor=actor,
        from_state=from_status,
        to_state=to_status,
        reason=reason,
    )
    mail.notify_status_change(direction, event)
    mail.announce_status(direction, event)
    return event


def set_archived(direction: Direction, archived: bool, actor: User | None) -> None:
    if (direction.archived_at is not None) == archived:
        return
    _bump(direction, None)
    direction.archived_at = utcnow() if archived else None
    _event(direction, "archived" if archived else "restored", actor)
    audit.record("direction.archive" if archived else "direction.restore", direction, actor=actor)


def _swap(items: list[Any], item: Any, offset: int) -> Any | None:
    """Swap *item* with its neighbour *offset* (-1 up, +1 down) in *items*,
    renumbering positions 1…n; the neighbour, or None at an end."""
    index = items.index(item)
    other = index + offset
    if offset not in (-1, 1) or not 0 <= other < len(items):
        return None
    items[index], items[other] = items[other], items[index]
    for number, each in enumerate(items, start=1):
        each.position = number
    return items[index]


def move_direction(direction: Direction, offset: int, actor: User | None) -> None:
    """One place up (-1) or down (+1) on the public list."""
    ordered = list(db.session.scalars(select(Direction).order_by(Direction.position, Direction.id)))
    if _swap(ordered, direction, offset) is not None:
        audit.record("direction.reorder", direction, actor=actor, data={"offset": offset})


# -- ideas a direction takes up ----------------------------------------------------


def find_ideas(direction: Direction, query: str) -> list[Idea]:
    """Published ideas of the direction's consultation whose title holds
    every word of *query* (with or without Polish letters), not linked yet."""
    words = fold(query or "").split()[:6]
    if not words or max(len(w) for w in words) < 2:
        return []
    linked = select(DirectionIdea.idea_id).where(DirectionIdea.direction_id == direction.id)
    statement = select(Idea).where(
        Idea.process_id == direction.process_id,
        Idea.status == IdeaStatus.PUBLISHED,
        Idea.id.not_in(linked),
    )
    for word in words:
        statement = statement.where(Idea.search_title.contains(word, autoescape=True))
    return list(db.session.scalars(statement.order_by(Idea.title).limit(MAX_LINKS_FOUND)))


def _clean_note(note: str | None) -> str:
    note = single_line(note or "")
    if len(note) > NOTE_MAX:
        raise ServiceError(
            _("Notatka może mieć najwyżej %(max)d znaków.", max=NOTE_MAX), status=400, field="note"
        )
    return note


def link_idea(
    direction: Direction, idea_id: int | None, note: str | None, actor: User | None
) -> DirectionIdea:
    """Take up a published idea of the same consultation; its author and its
    supporters who asked for news hear about it."""
    note = _clean_note(note)
    idea = db.session.get(Idea, idea_id) if is_valid_id(idea_id) else None
    if idea is None or idea.status != IdeaStatus.PUBLISHED:
        raise ServiceError(
            _("Nie ma takiego opublikowanego pomysłu. Wyszukaj go po tytule i wybierz z listy."),
            status=422,
            field="idea_id",
        )
    if idea.process_id != direction.process_id:
        raise ServiceError(
            _("Ten pomysł pochodzi z innych konsultacji niż kierunek."),
            status=422,
            field="idea_id",
        )
    last = db.session.scalar(
        select(func.max(DirectionIdea.position)).where(DirectionIdea.direction_id == direction.id)
    )
    link = DirectionIdea(
        direction_id=direction.id, idea_id=idea.id, note=note, position=(last or 0) + 1
    )
    try:
        with db.session.begin_nested():
            db.session.add(link)
            db.session.flush()
    except IntegrityError as error:
        raise ServiceError(
            _("Ten pomysł jest już w tym kierunku."), status=409, field="idea_id"
        ) from error
    event = _event(
        direction,
        "idea_linked",
        actor,
        message=idea.title,
        data={"idea_id": idea.id, "link_id": link.id},
    )
    db.session.flush()
    audit.record("direction.link_idea", direction, actor=actor, data={"idea_id": idea.id})
    mail.notify_idea_linked(direction, link, event)
    return link


def _link(direction: Direction, link_id: int | None) -> DirectionIdea:
    link = db.session.get(DirectionIdea, link_id) if is_valid_id(link_id) else None
    if link is None or link.direction_id != direction.id:
        raise ServiceError(_("Tego pomysłu nie ma już w kierunku."), status=404)
    return link


def unlink_idea(direction: Direction, link_id: int | None, actor: User | None) -> None:
    link = _link(direction, link_id)
    idea_id, title = link.idea_id, link.idea.title
    db.session.delete(link)
    _event(direction, "idea_unlinked", actor, message=title, data={"idea_id": idea_id})
    audit.record("direction.unlink_idea", direction, actor=actor, data={"idea_id": idea_id})


def update_note(direction: Direction, link_id: int | None, note: str, actor: User | None) -> None:
    link = _link(direction, link_id)
    link.note = _clean_note(note)
    audit.record("direction.idea_note", direction, actor=actor, data={"idea_id": link.idea_id})


def move_link(direction: Direction, link_id: int | None, offset: int, actor: User | None) -> None:
    link = _link(direction, link_id)
    if _swap(list(direction.links), link, offset) is not None:
        audit.record(
            "direction.reorder_ideas", direction, actor=actor, data={"idea_id": link.idea_id}
        )


# -- milestones --------------------------------------------------------------------


@dataclass
class MilestoneData:
    title: str
    due_on: date | None
    done_on: date | None
    progress: int | None


def save_milestone(
    direction: Direction, milestone: Milestone | None, data: MilestoneData, actor: User | None
) -> Milestone:
    title = single_line(data.title or "")
    if not 3 <= len(title) <= 200:
        raise ServiceError(_("Nazwa musi mieć od 3 do 200 znaków."), status=400, field="title")
    if data.due_on is None:
        raise ServiceError(_("Podaj termin."), status=400, field="due_on")
    progress = data.progress if data.progress is not None else 0
    if not 0 <= progress <= 100:
        raise ServiceError(_("Postęp to liczba od 0 do 100."), status=400, field="progress")
    if data.done_on is not None and progress != 100:
        progress = 100
    if milestone is None:
        last = max((m.position for m in direction.milestones), default=0)
        milestone = Milestone(
            direction=direction, position=last + 1, title=title, due_on=data.due_on
        )
        db.session.add(milestone)
    milestone.title = title
    milestone.due_on = data.due_on
    milestone.done_on = data.done_on
    milestone.progress = progress
    db.session.flush()
    _event(direction, "milestone", actor, message=title, data={"progress": progress})
    audit.record("direction.milestone", direction, actor=actor, data={"milestone_id": milestone.id})
    return milestone


def delete_milestone(direction: Direction, milestone: Milestone, actor: User | None) -> None:
    audit.record(
        "direction.milestone_delete", direction, actor=actor, data={"title": milestone.title}
    )
    db.session.delete(milestone)


# -- funding applications ----------------------------------------------------------


@dataclass
class ApplicationData:
    programme: str
    call_number: str
    applicant: str
    amount_requested: Decimal | None
    amount_granted: Decimal | None
    submitted_on: date | None
    decided_on: date | None
    status: str
    public_note: str


def _check_amount(value: Decimal | None, field: str, required: bool) -> None:
    if value is None:
        if required:
            raise ServiceError(_("Podaj kwotę w złotych."), status=400, field=field)
        return
    if value < 0:
        raise ServiceError(_("Kwota nie może być ujemna."), status=400, field=field)
    if value > lifecycle.MAX_AMOUNT:
        raise ServiceError(
            _(
                "Kwota jest zbyt duża: najwyżej %(max)s.",
                max=lifecycle.format_money(lifecycle.MAX_AMOUNT),
            ),
            status=400,
            field=field,
        )


def _check_application(data: ApplicationData) -> None:
    if not 2 <= len(single_line(data.programme or "")) <= 200:
        raise ServiceError(
            _("Podaj nazwę programu (od 2 do 200 znaków)."), status=400, field="programme"
        )
    if data.status not in lifecycle.APPLICATION_LABELS:
        raise ServiceError(_("Wybierz status z listy."), status=400, field="status")
    _check_amount(data.amount_requested, "amount_requested", required=True)
    if data.amount_requested is not None and data.amount_requested == 0:
        raise ServiceError(
            _("Wnioskowana kwota musi być większa od zera."), status=400, field="amount_requested"
        )
    _check_amount(data.amount_granted, "amount_granted", required=False)
    if data.status == ApplicationStatus.GRANTED and data.amount_granted is None:
        raise ServiceError(
            _("Podaj przyznaną kwotę: wniosek ma status „przyznano dofinansowanie”."),
            status=400,
            field="amount_granted",
        )
    if data.amount_granted is not None and data.status != ApplicationStatus.GRANTED:
        raise ServiceError(
            _("Przyznaną kwotę podaje się tylko dla wniosku z przyznanym dofinansowaniem."),
            status=400,
            field="amount_granted",
        )
    if (
        data.amount_granted is not None
        and data.amount_requested is not None
        and data.amount_granted > data.amount_requested
    ):
        raise ServiceError(
            _("Przyznana kwota nie może być większa od wnioskowanej."),
            status=400,
            field="amount_granted",
        )
    if data.status in NEEDS_SUBMITTED_ON and data.submitted_on is None:
        raise ServiceError(_("Podaj datę złożenia wniosku."), status=400, field="submitted_on")
    if data.status in NEEDS_DECIDED_ON and data.decided_on is None:
        raise ServiceError(_("Podaj datę decyzji."), status=400, field="decided_on")
    if data.decided_on is not None and data.submitted_on is None:
        raise ServiceError(
            _("Decyzja wymaga daty złożenia wniosku."), status=400, field="submitted_on"
        )
    if data.decided_on and data.submitted_on and data.decided_on < data.submitted_on:
        raise ServiceError(
            _("Data decyzji nie może być wcześniejsza niż data złożenia wniosku."),
            status=400,
            field="decided_on",
        )
    if len(data.public_note or "") > 5000:
        raise ServiceError(
            _("Notatka może mieć najwyżej %(max)d znaków.", max=5000),
            status=400,
            field="public_note",
        )


def save_application(
    direction: Direction,
    application: FundingApplication | None,
    data: ApplicationData,
    actor: User | None,
) -> FundingApplication:
    _check_application(data)
    before = application.status if application is not None else None
    if application is None:
        last = max((a.position for a in direction.applications), default=0)
        application = FundingApplication(direction=direction, position=last + 1)
        db.session.add(application)
    application.programme = single_line(data.programme, 200)
    application.call_number = single_line(data.call_number or "", 120)
    application.applicant = single_line(data.applicant or "", 200)
    application.amount_requested = data.amount_requested
    application.amount_granted = data.amount_granted
    application.submitted_on = data.submitted_on
    application.decided_on = data.decided_on
    application.status = data.status
    application.public_note = (data.public_note or "").strip()
    db.session.flush()
    if before != application.status:
        _event(
            direction,
            "application",
            actor,
            message=application.programme,
            data={"application_id": application.id, "status": application.status},
        )
    audit.record(
        "direction.application",
        direction,
        actor=actor,
        from_state=before,
        to_state=application.status,
        data={
            "application_id": application.id,
            "amount_requested": lifecycle.money_text(application.amount_requested),
            "amount_granted": lifecycle.money_text(application.amount_granted),
        },
    )
    return application


def delete_application(
    direction: Direction, application: FundingApplication, actor: User | None
) -> None:
    audit.record(
        "direction.application_delete",
        direction,
        actor=actor,
        data={"programme": application.programme},
    )
    db.session.delete(application)


# -- reading -------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    requested: Decimal
    granted: Decimal
    applications: int


def totals(applications: list[FundingApplication]) -> Totals:
    """Sums over applications that are not withdrawn (exact Decimals)."""
    counted = [a for a in applications if a.status != ApplicationStatus.WITHDRAWN]
    return Totals(
        requested=sum((a.amount_requested for a in counted), Decimal("0.00")),
        granted=sum((a.amount_granted or Decimal("0.00") for a in counted), Decimal("0.00")),
        applications=len(counted),
    )


def public_directions(process_id: int | None = None):  # noqa: ANN201
    """The statement of directions the public sees, in their order."""
    statement = (
        select(Direction)
        .join(Process, Process.id == Direction.process_id)
        .where(Direction.archived_at.is_(None), Process.published.is_(True))
        .order_by(Direction.position, Direction.id)
    )
    if process_id is not None:
        statement = statement.where(Direction.process_id == process_id)
    return statement


def load_public(process_id: int | None = None) -> list[Direction]:
    return list(
        db.session.scalars(
            public_directions(process_id).options(
                selectinload(Direction.links).selectinload(DirectionIdea.idea),
                selectinload(Direction.applications),
                selectinload(Direction.process),
            )
        )
    )


def public_links(direction: Direction) -> list[DirectionIdea]:
    """The ideas the public sees: published ones only."""
    return [link for link in direction.links if link.idea.status == IdeaStatus.PUBLISHED]


# Which directions link an idea: one indexed column, asked on an idea page
# only when the idea is linked at all (almost all ideas are in no direction,
# so the full query below, with its visibility rules and eager loads, is
# then never built).
_LINKED_DIRECTIONS = select(DirectionIdea.direction_id).where(
    DirectionIdea.idea_id == bindparam("idea_id")
)
_LINKED_IDEAS = select(DirectionIdea.idea_id).distinct()


def _linked_ideas() -> frozenset[int]:
    """Every idea some direction links, kept by each worker."""
    return pagecache.kept_rows("ideas-in-directions", _LINKED_IDEAS)


def directions_of_idea(idea: Idea) -> list[Direction]:
    """Public directions that take up *idea*."""
    if idea.id not in _linked_ideas():
        return []
    linked = list(db.session.scalars(_LINKED_DIRECTIONS, {"idea_id": idea.id}))
    if not linked:
        return []
    return list(db.session.scalars(public_directions().where(Direction.id.in_(linked))))


def process_totals(process_id: int | None = None) -> Totals:
    applications = [a for d in load_public(process_id) for a in d.applications]
    return totals(applications)


def money_by_programme(process_id: int | None = None) -> list[tuple[str, Decimal, Decimal]]:
    """(programme, requested, granted) over public directions, largest first."""
    sums: dict[str, list[Decimal]] = {}
    for direction in load_public(process_id):
        for application in direction.applications:
            if application.status == ApplicationStatus.WITHDRAWN:
                continue
            row = sums.setdefault(application.programme, [Decimal("0.00"), Decimal("0.00")])
            row[0] += application.amount_requested
            row[1] += application.amount_granted or Decimal("0.00")
    return sorted(
        ((name, req, gra) for name, (req, gra) in sums.items()), key=lambda r: (-r[1], r[0])
    )
