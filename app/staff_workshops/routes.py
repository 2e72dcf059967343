"""Staff pages for meetings (moderators and administrators)."""

from __future__ import annotations

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.confirm import ask, confirmed
from app.extensions import db
from app.ideas import lifecycle
from app.models import Category, Process
from app.models.workshop import Registration, Workshop, WorkshopGroup
from app.security.permissions import permission_required
from app.staff_workshops import bp, services
from app.staff_workshops.forms import GroupForm, IdeaForm, MessageForm, MinutesForm, WorkshopForm
from app.transaction import committing
from app.web import private_page
from app.workshops.display import section_markdown
from app.workshops.forms import participant_group_labels
from app.workshops.services import counts as registration_counts

PERMISSION = "manage_workshops"


def _workshop_form(workshop: Workshop | None = None) -> WorkshopForm:
    form = WorkshopForm(obj=workshop)
    form.process_id.choices = [
        (p.id, p.title) for p in db.session.scalars(select(Process).order_by(Process.title))
    ]
    if workshop is not None and request.method == "GET":
        form.process_id.data = workshop.process_id
        for key, value in services.form_times(workshop).items():
            form[key].data = value
    return form


def _idea_form(workshop: Workshop) -> IdeaForm:
    form = IdeaForm(prefix="idea")
    form.category.choices = [
        (c.id, c.name)
        for c in db.session.scalars(
            select(Category).where(Category.active.is_(True)).order_by(Category.position)
        )
    ]
    form.group.choices = [(0, _("— całe spotkanie —"))] + [(g.id, g.name) for g in workshop.groups]
    return form


@bp.route("/")
@permission_required(PERMISSION)
def index():
    upcoming, past = services.overview()
    return render_template("staff_workshops/index.html", upcoming=upcoming, past=past)


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:workshop_id>/edit", methods=["GET", "POST"])
@permission_required(PERMISSION)
def edit(workshop_id: int | None = None):
    workshop = db.get_or_404(Workshop, workshop_id) if workshop_id else None
    form = _workshop_form(workshop)
    if form.validate_on_submit():
        with committing(form) as done:
            saved = services.save_workshop(current_user, workshop, form.data)
        if done:
            flash(_("Zapisano spotkanie."), "success")
            return redirect(url_for("staff_workshops.detail", workshop_id=saved.id), code=303)
    status = 400 if form.errors or request.method == "POST" else 200
    return render_template("staff_workshops/form.html", form=form, workshop=workshop), status


@bp.route("/<int:workshop_id>")
@permission_required(PERMISSION)
def detail(workshop_id: int):
    workshop = db.get_or_404(Workshop, workshop_id)
    return _render_detail(workshop)


def _render_detail(workshop: Workshop, status: int = 200, **forms):  # noqa: ANN202
    minutes_form = forms.get("minutes_form") or MinutesForm(prefix="minutes", obj=workshop)
    context = {
        "workshop": workshop,
        "counts": registration_counts(workshop.id),
        "registrations": services.registrations_of(workshop),
        "ideas": services.ideas_of(workshop),
        "group_form": forms.get("group_form") or GroupForm(prefix="group"),
        "minutes_form": minutes_form,
        "message_form": forms.get("message_form") or MessageForm(prefix="message"),
        "idea_form": forms.get("idea_form") or _idea_form(workshop),
        "group_labels": participant_group_labels(),
        "status_names": services.status_names(),
        "idea_status": lifecycle.staff_status_label,
        "open_section": forms.get("open_section"),
    }
    return render_template("staff_workshops/detail.html", **context), status


# --- groups ------------------------------------------------------------------


@bp.route("/<int:workshop_id>/groups", methods=["POST"])
@bp.route("/<int:workshop_id>/groups/<int:group_id>", methods=["GET", "POST"])
@permission_required(PERMISSION)
def group_edit(workshop_id: int, group_id: int | None = None):
    workshop = db.get_or_404(Workshop, workshop_id)
    group = None
    if group_id is not None:
        group = db.get_or_404(WorkshopGroup, group_id)
        if group.workshop_id != workshop.id:
            abort(404)
    form = GroupForm(prefix="group", obj=group)
    if form.validate_on_submit():
        with committing():
            services.save_group(current_user, workshop, group, form.data)
        flash(_("Zapisano grupę."), "success")
        return redirect(url_for("staff_workshops.detail", workshop_id=workshop.id) + "#grupy", 303)
    if group is None:
        return _render_detail(workshop, 400, group_form=form)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "staff_workshops/group_form.html", form=form, workshop=workshop, group=group
    ), status


@bp.route("/<int:workshop_id>/groups/<int:group_id>/delete", methods=["POST"])
@permission_required(PERMISSION)
def group_delete(workshop_id: int, group_id: int):
    workshop = db.get_or_404(Workshop, workshop_id)
    group = db.get_or_404(WorkshopGroup, group_id)
    if group.workshop_id != workshop.id:
        abort(404)
    if not confirmed():
        return ask(
            _("Usunąć grupę „%(name)s”?", name=group.name),
            _("Grupa zniknie ze strony spotkania. Tego nie da się cofnąć."),
            _("Tak, usuń grupę"),
            url_for("staff_workshops.detail", workshop_id=workshop.id) + "#grupy",
        )
    with committing() as done:
        services.delete_group(current_user, group)
    if done:
        flash(_("Usunięto grupę."), "success")
    return redirect(url_for("staff_workshops.detail", workshop_id=workshop.id) + "#grupy", 303)


# --- registrations ------------------------------------------------------------


@bp.route("/<int:workshop_id>/registrations.csv")
@private_page
@permission_required(PERMISSION)
def registrations_csv(workshop_id: int):
    workshop = db.get_or_404(Workshop, workshop_id)
    with committing():  # the export itself is audited
        data = services.registrations_csv(current_user, workshop)
    response = Response("\ufeff" + data, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="zapisy-{workshop.slug}.csv"'
    return response


@bp.route("/<int:workshop_id>/attendance", methods=["POST"])
@permission_required(PERMISSION)
def attendance(workshop_id: int):
    workshop = db.get_or_404(Workshop, workshop_id)
    present = {int(value) for value in request.form.getlist("present") if value.isdigit()}
    with committing() as done:
        count = services.mark_attendance(current_user, workshop, present)
    if done:
        flash(_("Zapisano obecność: %(count)s osób.", count=count), "success")
    return redirect(url_for("staff_workshops.detail", workshop_id=workshop.id) + "#zapisy", 303)


@bp.route("/<int:workshop_id>/registrations/<int:registration_id>/cancel", methods=["POST"])
@permission_required(PERMISSION)
def registration_cancel(workshop_id: int, registration_id: int):
    workshop = db.get_or_404(Workshop, workshop_id)
    registration = db.get_or_404(Registration, registration_id)
    if registration.workshop_id != workshop.id:
        abort(404)
    if registration.is_active and not confirmed():
        return ask(
            _("Anulować zapis: %(name)s?", name=registration.name),
            _(
                "Ta osoba dostanie e-mail, że organizator anulował jej zapis, a zwolnione "
                "miejsce dostanie pierwsza osoba z listy rezerwowej. Tego nie da się cofnąć."
            ),
            _("Tak, anuluj zapis"),
            url_for("staff_workshops.detail", workshop_id=workshop.id) + "#zapisy",
        )
    with committing() as done:
        outcome = services.cancel_registration(current_user, workshop, registration)
    if done:
        if outcome == "cancelled":
            flash(_("Anulowano zapis: %(name)s.", name=registration.name), "success")
        else:
            flash(_("Ten zapis był już anulowany."), "info")
    return redirect(url_for("staff_workshops.detail", workshop_id=workshop.id) + "#zapisy", 303)


@bp.route("/<int:workshop_id>/message", methods=["POST"])
@permission_required(PERMISSION)
def message(workshop_id: int):
    workshop = db.get_or_404(Workshop, workshop_id)
    form = MessageForm(prefix="message")
    if form.validate_on_submit():
        with committing(form) as done:
            count = services.send_message(
                current_user, workshop, form.subject.data, form.body.data, form.audience.data
            )
        if done:
            flash(_("Wiadomość wysłana do %(count)s osób.", count=count), "success")
            return redirect(url_for("staff_workshops.detail", workshop_id=workshop.id), 303)
    return _render_detail(workshop, 400, message_form=form, open_section="message")


# --- outcomes -------------------------------------------------------------------


@bp.route("/minutes-preview", methods=["POST"])
@permission_required(PERMISSION)
def minutes_preview():
    """Minutes as readers will see them (sanitised), for the live preview."""
    return jsonify(html=str(section_markdown(request.form.get("body", ""))))


@bp.route("/<int:workshop_id>/minutes", methods=["POST"])
@permission_required(PERMISSION)
def minutes(workshop_id: int):
    workshop = db.get_or_404(Workshop, workshop_id)
    form = MinutesForm(prefix="minutes")
    if form.validate_on_submit():
        with committing(form) as done:
            services.save_minutes(
                current_user, workshop, form.minutes.data, form.minutes_published.data
            )
        if done:
            flash(
                _("Protokół opublikowany.")
                if workshop.minutes_published
                else _("Zapisano protokół (nieopublikowany)."),
                "success",
            )
            return redirect(
                url_for("staff_workshops.detail", workshop_id=workshop.id) + "#protokol", 303
            )
    return _render_detail(workshop, 400, minutes_form=form, open_section="minutes")


@bp.route("/<int:workshop_id>/ideas", methods=["POST"])
@permission_required(PERMISSION)
def idea_new(workshop_id: int):
    workshop = db.get_or_404(Workshop, workshop_id)
    form = _idea_form(workshop)
    if form.validate_on_submit():
        with committing(form) as done:
            idea = services.record_idea(current_user, workshop, form.data)
        if done:
            if idea.is_published:
                flash(_("Pomysł „%(title)s” opublikowany w katalogu.", title=idea.title), "success")
            else:
                flash(_("Pomysł „%(title)s” czeka na moderację.", title=idea.title), "success")
            return redirect(
                url_for("staff_workshops.detail", workshop_id=workshop.id) + "#pomysly", 303
            )
    return _render_detail(workshop, 400, idea_form=form, open_section="ideas")
