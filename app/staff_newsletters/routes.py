"""The newsletter editor: list, write with a live preview, pick the
audience, send a test, schedule, follow what was delivered."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.markdown import render_markdown
from app.models import Newsletter, NewsletterStatus
from app.newsletters import services as newsletters
from app.security.permissions import permission_required
from app.staff_newsletters import bp, services
from app.staff_newsletters.forms import ActionForm, NewsletterForm, ScheduleForm
from app.timeutil import utc_to_local
from app.transaction import committing


@bp.route("")
@permission_required("send_newsletters")
def index():
    items = db.session.scalars(select(Newsletter).order_by(Newsletter.id.desc())).all()
    return render_template(
        "staff_newsletters/index.html",
        newsletters=items,
        counts={n.id: newsletters.counts(n) for n in items if n.status == NewsletterStatus.SENT},
    )


def _form(newsletter: Newsletter | None = None) -> NewsletterForm:
    form = NewsletterForm(obj=newsletter)
    form.segments.choices = newsletters.segment_choices()
    return form


def _page(form, newsletter, status=200, schedule_form=None):  # noqa: ANN001, ANN202
    reach = None
    if newsletter is not None and newsletter.segments:
        reach = len(newsletters.audience(list(newsletter.segments)))
    schedule_form = schedule_form or ScheduleForm(formdata=None)
    if newsletter is not None and newsletter.scheduled_at and not schedule_form.send_at.data:
        schedule_form.send_at.data = utc_to_local(newsletter.scheduled_at)
    return (
        render_template(
            "staff_newsletters/form.html",
            form=form,
            newsletter=newsletter,
            reach=reach,
            schedule_form=schedule_form,
            action_form=ActionForm(formdata=None),
            counts=newsletters.counts(newsletter)
            if newsletter is not None and newsletter.status == NewsletterStatus.SENT
            else None,
            segment_labels=dict(form.segments.choices),
        ),
        status,
    )


@bp.route("/new", methods=["GET", "POST"])
@permission_required("send_newsletters")
def new():
    form = _form()
    if request.method == "POST":
        if not form.validate_on_submit():
            return _page(form, None, 422)
        with committing(form) as done:
            newsletter = services.save(current_user, None, form.data)
        if done:
            flash(_("Zapisano szkic newslettera."), "success")
            return redirect(url_for("staff_newsletters.edit", newsletter_id=newsletter.id), 303)
        return _page(form, None, done.status)
    return _page(form, None)


@bp.route("/<int:newsletter_id>", methods=["GET", "POST"])
@permission_required("send_newsletters")
def edit(newsletter_id: int):
    newsletter = newsletters.newsletter_or_404(newsletter_id)
    form = _form(newsletter)
    if request.method == "POST":
        if not form.validate_on_submit():
            return _page(form, newsletter, 422)
        with committing(form) as done:
            services.save(current_user, newsletter, form.data)
        if done:
            flash(_("Zapisano szkic newslettera."), "success")
            return redirect(url_for("staff_newsletters.edit", newsletter_id=newsletter.id), 303)
        db.session.refresh(newsletter)
        return _page(form, newsletter, done.status)
    return _page(form, newsletter)


@bp.route("/preview", methods=["POST"])
@permission_required("send_newsletters")
def preview():
    """The body as recipients will see it (sanitised), for the live preview."""
    return jsonify(html=str(render_markdown(request.form.get("body", ""), 2)))


@bp.route("/count", methods=["POST"])
@permission_required("send_newsletters")
def count():
    """How many people the ticked segments reach (each once), while editing."""
    known = {value for value, _label in newsletters.segment_choices()}
    segments = [key for key in request.form.getlist("segments") if key in known]
    reach = len(newsletters.audience(segments))
    text = ngettext("Odbiorcy: %(num)s osoba", "Odbiorcy: %(num)s osób", reach)
    return jsonify(count=reach, text=text)


@bp.route("/<int:newsletter_id>/test", methods=["POST"])
@permission_required("send_newsletters")
def test(newsletter_id: int):
    newsletter = newsletters.newsletter_or_404(newsletter_id)
    form = ActionForm()
    if form.validate_on_submit():
        with committing() as done:
            services.send_test(current_user, newsletter)
        if done:
            flash(_("Wysłaliśmy wiadomość testową na %(email)s.", email=current_user.email),
                  "success")  # fmt: skip
    return redirect(url_for("staff_newsletters.edit", newsletter_id=newsletter.id), 303)


@bp.route("/<int:newsletter_id>/schedule", methods=["POST"])
@permission_required("send_newsletters")
def schedule(newsletter_id: int):
    newsletter = newsletters.newsletter_or_404(newsletter_id)
    schedule_form = ScheduleForm()
    if not schedule_form.validate_on_submit():
        return _page(_form(newsletter), newsletter, 422, schedule_form)
    with committing(schedule_form, field="send_at") as done:
        reach = services.schedule(current_user, newsletter, schedule_form.send_at.data)
    if not done:
        db.session.refresh(newsletter)
        return _page(_form(newsletter), newsletter, done.status, schedule_form)
    flash(
        ngettext(
            "Newsletter zaplanowany: trafi do %(num)s osoby.",
            "Newsletter zaplanowany: trafi do %(num)s osób.",
            reach,
        ),
        "success",
    )
    return redirect(url_for("staff_newsletters.edit", newsletter_id=newsletter.id), 303)


@bp.route("/<int:newsletter_id>/cancel", methods=["POST"])
@permission_required("send_newsletters")
def cancel(newsletter_id: int):
    newsletter = newsletters.newsletter_or_404(newsletter_id)
    if ActionForm().validate_on_submit():
        with committing() as done:
            services.cancel(current_user, newsletter)
        if done:
            flash(_("Wysyłka wstrzymana – newsletter wrócił do szkiców."), "success")
    return redirect(url_for("staff_newsletters.edit", newsletter_id=newsletter.id), 303)
