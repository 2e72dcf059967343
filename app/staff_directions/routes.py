"""The directions editor: list, write, status, ideas, milestones, applications.

Editors and administrators change directions; moderators read them.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.directions import lifecycle, services
from app.directions.lifecycle import parse_amount
from app.extensions import db
from app.models import (
    AuditEntry,
    Direction,
    DirectionIdea,
    FundingApplication,
    Milestone,
    Process,
)
from app.moderation import audit_log
from app.security.permissions import can, permission_required
from app.staff_directions import bp
from app.staff_directions.forms import (
    ApplicationForm,
    DirectionForm,
    LinkForm,
    MilestoneForm,
    NoteForm,
    StatusForm,
)
from app.transaction import committing

READ, MANAGE = "read_directions", "manage_directions"


def _direction(direction_id: int) -> Direction:
    return db.get_or_404(Direction, direction_id)


def _to_detail(direction: Direction, anchor: str | None = None):  # noqa: ANN202
    return redirect(
        url_for("staff_directions.detail", direction_id=direction.id, _anchor=anchor), code=303
    )


def _version(form: Any) -> int | None:
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return None


def _offset() -> int:
    return -1 if request.form.get("offset") == "-1" else 1


# -- list ------------------------------------------------------------------------


@bp.route("/")
@permission_required(READ)
def index():
    archived = request.args.get("archived") == "1"
    directions = db.session.scalars(
        select(Direction)
        .where(Direction.archived_at.is_not(None) if archived else Direction.archived_at.is_(None))
        .options(selectinload(Direction.applications), selectinload(Direction.process))
        .order_by(Direction.position, Direction.id)
    ).all()
    counts = dict(
        db.session.execute(
            select(DirectionIdea.direction_id, func.count()).group_by(DirectionIdea.direction_id)
        ).all()
    )
    return render_template(
        "staff_directions/index.html",
        directions=directions,
        counts=counts,
        archived=archived,
        totals={d.id: services.totals(d.applications) for d in directions},
    )


@bp.route("/<int:direction_id>/move", methods=["POST"])
@permission_required(MANAGE)
def move(direction_id: int):
    direction = _direction(direction_id)
    with committing():
        services.move_direction(direction, _offset(), current_user)
    return redirect(url_for("staff_directions.index"), code=303)


# -- writing ------------------------------------------------------------------------


def _direction_form(formdata: Any = None, **kwargs: Any) -> DirectionForm:
    form = (
        DirectionForm(formdata=formdata, **kwargs)
        if formdata is not None
        else DirectionForm(**kwargs)
    )
    processes = db.session.scalars(select(Process).order_by(Process.title)).all()
    form.process_id.choices = [(None, _("— wybierz —"))] + [(p.id, p.title) for p in processes]
    return form


def _data(form: DirectionForm) -> services.DirectionData:
    return services.DirectionData(
        process_id=form.process_id.data,
        title=form.title.data or "",
        slug=form.slug.data or "",
        summary=form.summary.data or "",
        responsible_unit=form.responsible_unit.data or "",
    )


@bp.route("/new", methods=["GET", "POST"])
@permission_required(MANAGE)
def new():
    form = _direction_form()
    if request.method == "GET":
        processes = [c for c in form.process_id.choices if c[0]]
        if len(processes) == 1:
            form.process_id.data = processes[0][0]
        return render_template("staff_directions/form.html", form=form, direction=None)
    form.validate()
    with committing(form) as done:
        direction = services.create_direction(_data(form), current_user)
    if not done:
        return render_template("staff_directions/form.html", form=form, direction=None), done.status
    flash(_("Utworzono kierunek „%(title)s”.", title=direction.title), "success")
    return _to_detail(direction)


@bp.route("/<int:direction_id>/edit", methods=["GET", "POST"])
@permission_required(MANAGE)
def edit(direction_id: int):
    direction = _direction(direction_id)
    if request.method == "GET":
        form = _direction_form(obj=direction)
        form.version.data = str(direction.version)
        return render_template("staff_directions/form.html", form=form, direction=direction)
    form = _direction_form()
    form.validate()
    with committing(form, field="title") as done:
        services.update_direction(direction, _data(form), _version(form), current_user)
    if not done:
        direction = _direction(direction_id)
        return render_template(
            "staff_directions/form.html", form=form, direction=direction
        ), done.status
    flash(_("Zapisano zmiany."), "success")
    return _to_detail(direction)


@bp.route("/<int:direction_id>/archive", methods=["POST"])
@permission_required(MANAGE)
def archive(direction_id: int):
    direction = _direction(direction_id)
    archived = request.form.get("restore") != "1"
    with committing() as done:
        services.set_archived(direction, archived, current_user)
    if done:
        flash(
            _("Kierunek przeniesiono do archiwum.") if archived else _("Kierunek przywrócono."),
            "success",
        )
    return _to_detail(direction)


# -- one direction ----------------------------------------------------------------------


def _status_form(direction: Direction, formdata: Any = None) -> StatusForm:
    form = StatusForm(formdata=formdata) if formdata is not None else StatusForm()
    form.status.choices = [
        (status, lifecycle.status_label(status))
        for status in lifecycle.TRANSITIONS.get(direction.status, ())
    ]
    if formdata is None:
        form.version.data = str(direction.version)
    return form


def _render_detail(direction: Direction, status: int = 200, **forms: Any):  # noqa: ANN202
    query = (request.args.get("q") or "").strip()[:200]
    found = services.find_ideas(direction, query) if query and can(MANAGE) else []
    history = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_type == "directions", AuditEntry.object_id == direction.id)
        .order_by(AuditEntry.id.desc())
        .limit(50)
    ).all()
    names = audit_log.object_names(history)
    context = {
        "status_form": _status_form(direction),
        "link_form": LinkForm(formdata=None),
        "milestone_form": MilestoneForm(formdata=None),
        "application_form": ApplicationForm(formdata=None),
        **forms,
    }
    return render_template(
        "staff_directions/detail.html",
        direction=direction,
        query=query,
        found=found,
        history=history,
        totals=services.totals(direction.applications),
        audit_sentence=lambda entry: audit_log.describe(entry, names),
        audit_state=audit_log.state_label,
        **context,
    ), status


@bp.route("/<int:direction_id>")
@permission_required(READ)
def detail(direction_id: int):
    return _render_detail(_direction(direction_id))


@bp.route("/<int:direction_id>/status", methods=["POST"])
@permission_required(MANAGE)
def status(direction_id: int):
    direction = _direction(direction_id)
    form = _status_form(direction, request.form)
    form.validate()
    with committing(form) as done:
        services.change_status(
            direction, form.status.data or "", form.reason.data or "", _version(form), current_user
        )
    if not done:
        direction = _direction(direction_id)
        return _render_detail(direction, done.status, status_form=form)
    flash(_("Nowy status: %(status)s.", status=lifecycle.status_label(direction.status)), "success")
    return _to_detail(direction)


# -- ideas -----------------------------------------------------------------------------


@bp.route("/<int:direction_id>/ideas", methods=["POST"])
@permission_required(MANAGE)
def link(direction_id: int):
    direction = _direction(direction_id)
    form = LinkForm()
    form.validate()
    with committing(form, field="note") as done:
        link = services.link_idea(direction, form.idea_id.data, form.note.data, current_user)
    if not done:
        direction = _direction(direction_id)
        return _render_detail(direction, done.status, link_form=form)
    flash(_("Kierunek wykorzystuje teraz pomysł „%(title)s”.", title=link.idea.title), "success")
    return _to_detail(direction, "pomysly")


def _link_or_404(direction: Direction, link_id: int) -> DirectionIdea:
    link = db.session.get(DirectionIdea, link_id)
    if link is None or link.direction_id != direction.id:
        abort(404)
    return link


@bp.route("/<int:direction_id>/ideas/<int:link_id>/delete", methods=["POST"])
@permission_required(MANAGE)
def unlink(direction_id: int, link_id: int):
    direction = _direction(direction_id)
    _link_or_404(direction, link_id)
    with committing() as done:
        services.unlink_idea(direction, link_id, current_user)
    if done:
        flash(_("Pomysł odłączono od kierunku."), "success")
    return _to_detail(direction, "pomysly")


@bp.route("/<int:direction_id>/ideas/<int:link_id>/note", methods=["POST"])
@permission_required(MANAGE)
def note(direction_id: int, link_id: int):
    direction = _direction(direction_id)
    _link_or_404(direction, link_id)
    form = NoteForm()
    form.validate()
    with committing() as done:
        services.update_note(direction, link_id, form.note.data or "", current_user)
    if done:
        flash(_("Zapisano notatkę."), "success")
    return _to_detail(direction, "pomysly")


@bp.route("/<int:direction_id>/ideas/<int:link_id>/move", methods=["POST"])
@permission_required(MANAGE)
def move_link(direction_id: int, link_id: int):
    direction = _direction(direction_id)
    _link_or_404(direction, link_id)
    with committing():
        services.move_link(direction, link_id, _offset(), current_user)
    return _to_detail(direction, "pomysly")


# -- milestones -----------------------------------------------------------------------


def _milestone_or_404(direction: Direction, milestone_id: int) -> Milestone:
    milestone = db.session.get(Milestone, milestone_id)
    if milestone is None or milestone.direction_id != direction.id:
        abort(404)
    return milestone


@bp.route("/<int:direction_id>/milestones/new", methods=["GET", "POST"])
@bp.route("/<int:direction_id>/milestones/<int:milestone_id>", methods=["GET", "POST"])
@permission_required(MANAGE)
def milestone(direction_id: int, milestone_id: int | None = None):
    direction = _direction(direction_id)
    item = _milestone_or_404(direction, milestone_id) if milestone_id is not None else None
    if request.method == "GET":
        form = MilestoneForm(obj=item)
        return render_template(
            "staff_directions/milestone.html", form=form, direction=direction, milestone=item
        )
    form = MilestoneForm()
    valid = form.validate()
    with committing(form, field="title") as done:
        if not valid:
            raise _form_refused()
        services.save_milestone(
            direction,
            item,
            services.MilestoneData(
                title=form.title.data or "",
                due_on=form.due_on.data,
                done_on=form.done_on.data,
                progress=form.progress.data,
            ),
            current_user,
        )
    if not done:
        return render_template(
            "staff_directions/milestone.html", form=form, direction=direction, milestone=item
        ), done.status
    flash(_("Zapisano kamień milowy."), "success")
    return _to_detail(direction, "kamienie")


@bp.route("/<int:direction_id>/milestones/<int:milestone_id>/delete", methods=["POST"])
@permission_required(MANAGE)
def delete_milestone(direction_id: int, milestone_id: int):
    direction = _direction(direction_id)
    item = _milestone_or_404(direction, milestone_id)
    with committing():
        services.delete_milestone(direction, item, current_user)
    flash(_("Usunięto kamień milowy."), "success")
    return _to_detail(direction, "kamienie")


# -- funding applications ---------------------------------------------------------------


def _form_refused():  # noqa: ANN202
    """The form's own checks failed (a date that is not a date): its field
    errors are already on the form; this only stops the transaction."""
    from app.errors import ServiceError

    return ServiceError(_("Popraw błędy w formularzu."), status=400, field="csrf_token")


def _application_or_404(direction: Direction, application_id: int) -> FundingApplication:
    found = db.session.get(FundingApplication, application_id)
    if found is None or found.direction_id != direction.id:
        abort(404)
    return found


def _amount(form: ApplicationForm, name: str) -> tuple[Any, bool]:
    field = form[name]
    try:
        return parse_amount(field.data), True
    except ValueError:
        field.errors = [
            *field.errors,
            _("Wpisz kwotę w złotych, z groszami po przecinku, np. 12 500 000 albo 1 250,50."),
        ]
        return None, False


@bp.route("/<int:direction_id>/applications/new", methods=["GET", "POST"])
@bp.route("/<int:direction_id>/applications/<int:application_id>", methods=["GET", "POST"])
@permission_required(MANAGE)
def application(direction_id: int, application_id: int | None = None):
    direction = _direction(direction_id)
    item = _application_or_404(direction, application_id) if application_id is not None else None
    if request.method == "GET":
        form = ApplicationForm(obj=item)
        if item is not None:
            form.amount_requested.data = _plain_amount(item.amount_requested)
            form.amount_granted.data = _plain_amount(item.amount_granted)
        return render_template(
            "staff_directions/application.html", form=form, direction=direction, application=item
        )
    form = ApplicationForm()
    valid = form.validate()
    requested, ok_requested = _amount(form, "amount_requested")
    granted, ok_granted = _amount(form, "amount_granted")
    with committing(form, field="programme") as done:
        if not (valid and ok_requested and ok_granted):
            raise _form_refused()
        services.save_application(
            direction,
            item,
            services.ApplicationData(
                programme=form.programme.data or "",
                call_number=form.call_number.data or "",
                applicant=form.applicant.data or "",
                amount_requested=requested,
                amount_granted=granted,
                submitted_on=form.submitted_on.data,
                decided_on=form.decided_on.data,
                status=form.status.data or "",
                public_note=form.public_note.data or "",
            ),
            current_user,
        )
    if not done:
        return render_template(
            "staff_directions/application.html", form=form, direction=direction, application=item
        ), done.status
    flash(_("Zapisano wniosek o dofinansowanie."), "success")
    return _to_detail(direction, "wnioski")


def _plain_amount(value: Any) -> str:
    """An amount as typed back into the form: "12500000" or "1250,50"."""
    if value is None:
        return ""
    text = lifecycle.money_text(value) or ""
    return text.removesuffix(".00").replace(".", ",")


@bp.route("/<int:direction_id>/applications/<int:application_id>/delete", methods=["POST"])
@permission_required(MANAGE)
def delete_application(direction_id: int, application_id: int):
    direction = _direction(direction_id)
    item = _application_or_404(direction, application_id)
    with committing():
        services.delete_application(direction, item, current_user)
    flash(_("Usunięto wniosek."), "success")
    return _to_detail(direction, "wnioski")
