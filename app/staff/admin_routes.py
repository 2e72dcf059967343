"""Administrator pages: staff accounts, consultations, categories."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.confirm import ask, confirmed
from app.extensions import db
from app.models import Category, Phase, Process, User
from app.processes import phases
from app.security.permissions import permission_required
from app.security.reauth import reauth_required
from app.staff import bp, services
from app.staff.forms import (
    CategoryForm,
    PasswordResetForm,
    PhaseForm,
    ProcessForm,
    UserCreateForm,
    UserEditForm,
)
from app.timeutil import utc_to_local
from app.transaction import committing


def _render(template: str, form, **context):  # noqa: ANN001, ANN202
    return render_template(template, form=form, **context), (400 if form.errors else 200)


# --- staff accounts -----------------------------------------------------


@bp.route("/users")
@permission_required("manage_users")
def users():
    rows = db.session.scalars(select(User).order_by(User.active.desc(), User.name)).all()
    return render_template("staff/users.html", users=rows)


@bp.route("/users/new", methods=["GET", "POST"])
@permission_required("manage_users")
@reauth_required(methods=("POST",))
def user_new():
    form = UserCreateForm()
    if form.validate_on_submit():
        with committing(form, field="email") as done:
            user = services.add_user(
                current_user, form.email.data, form.name.data, form.role.data, form.password.data
            )
        if done:
            flash(_("Utworzono konto %(email)s.", email=user.email), "success")
            return redirect(url_for("staff.users"))
    return _render("staff/user_form.html", form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@permission_required("manage_users")
@reauth_required(methods=("POST",))
def user_edit(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserEditForm(obj=user)
    password_form = PasswordResetForm(prefix="pw")
    if form.validate_on_submit():
        with committing(form) as done:
            services.update_user(current_user, user, form.name.data.strip(), form.role.data)
        if done:
            flash(_("Zapisano zmiany."), "success")
            return redirect(url_for("staff.users"))
    return _render("staff/user_form.html", form, user=user, password_form=password_form)


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@permission_required("manage_users")
@reauth_required
def user_password(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserEditForm(obj=user, formdata=None)
    password_form = PasswordResetForm(prefix="pw")
    if password_form.validate_on_submit():
        with committing(password_form, field="password") as done:
            services.reset_password(current_user, user, password_form.password.data)
        if done:
            flash(_("Ustawiono nowe hasło. Przekaż je tej osobie bezpiecznym kanałem."), "success")
            return redirect(url_for("staff.users"))
    return (
        render_template("staff/user_form.html", form=form, user=user, password_form=password_form),
        400,
    )


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@permission_required("manage_users")
@reauth_required
def user_active(user_id: int):
    user = db.get_or_404(User, user_id)
    active = request.form.get("active") == "1"
    with committing() as done:
        services.set_active(current_user, user, active)
    if not done:
        return redirect(url_for("staff.users"))
    flash(_("Konto włączone.") if active else _("Konto wyłączone."), "success")
    return redirect(url_for("staff.users"))


# --- consultations ------------------------------------------------------


@bp.route("/processes")
@permission_required("manage_processes")
def processes():
    rows = db.session.scalars(select(Process).order_by(Process.opens_at.desc())).all()
    return render_template("staff/processes.html", processes=rows)


@bp.route("/processes/new", methods=["GET", "POST"])
@bp.route("/processes/<int:process_id>", methods=["GET", "POST"])
@permission_required("manage_processes")
def process_edit(process_id: int | None = None):
    process = db.get_or_404(Process, process_id) if process_id else None
    form = ProcessForm(obj=process)
    if process is not None and request.method == "GET":
        form.opens_at.data = utc_to_local(process.opens_at)
        form.closes_at.data = utc_to_local(process.closes_at)
    if form.validate_on_submit():
        with committing(form) as done:
            process = services.save_process(current_user, process, form.data)
        if done:
            flash(_("Zapisano konsultację."), "success")
            return redirect(url_for("staff.process_edit", process_id=process.id))
    return _render(
        "staff/process_form.html",
        form,
        process=process,
        phase_form=PhaseForm(),
        phase_switch_labels=list(phases.SWITCH_LABELS.items()),
    )


@bp.route("/processes/<int:process_id>/phases", methods=["POST"])
@bp.route("/processes/<int:process_id>/phases/<int:phase_id>", methods=["GET", "POST"])
@permission_required("manage_processes")
def phase_edit(process_id: int, phase_id: int | None = None):
    process = db.get_or_404(Process, process_id)
    phase = db.get_or_404(Phase, phase_id) if phase_id else None
    if phase is not None and phase.process_id != process.id:
        return redirect(url_for("staff.process_edit", process_id=process.id))
    form = PhaseForm(obj=phase)
    if form.validate_on_submit():
        with committing(form) as done:
            services.save_phase(current_user, process, phase, form.data)
        if done:
            flash(_("Zapisano etap."), "success")
            return redirect(url_for("staff.process_edit", process_id=process.id))
    return _render("staff/phase_form.html", form, process=process, phase=phase)


@bp.route("/processes/<int:process_id>/phases/<int:phase_id>/delete", methods=["POST"])
@permission_required("manage_processes")
def phase_delete(process_id: int, phase_id: int):
    phase = db.get_or_404(Phase, phase_id)
    if phase.process_id == process_id and not confirmed():
        return ask(
            _("Usunąć etap „%(title)s”?", title=phase.title),
            _("Etap zniknie z osi czasu konsultacji. Tego nie da się cofnąć."),
            _("Tak, usuń etap"),
            url_for("staff.process_edit", process_id=process_id),
        )
    if phase.process_id == process_id:
        with committing():
            services.delete_phase(current_user, phase)
        flash(_("Usunięto etap."), "success")
    return redirect(url_for("staff.process_edit", process_id=process_id))


# --- categories ---------------------------------------------------------


@bp.route("/categories")
@permission_required("manage_categories")
def categories():
    rows = db.session.scalars(select(Category).order_by(Category.position, Category.name)).all()
    return render_template("staff/categories.html", categories=rows)


@bp.route("/categories/new", methods=["GET", "POST"])
@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@permission_required("manage_categories")
def category_edit(category_id: int | None = None):
    category = db.get_or_404(Category, category_id) if category_id else None
    form = CategoryForm(obj=category)
    if form.validate_on_submit():
        with committing(form) as done:
            services.save_category(current_user, category, form.data)
        if done:
            flash(_("Zapisano kategorię."), "success")
            return redirect(url_for("staff.categories"))
    return _render("staff/category_form.html", form, category=category)
