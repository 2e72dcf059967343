"""/staff/consultation-reports: each consultation's report and its frozen
versions; freezing a new one (editors and administrators)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.consultation_report import services
from app.extensions import db
from app.models import Process
from app.security.permissions import permission_required
from app.staff_reports import bp
from app.staff_reports.forms import FreezeForm
from app.transaction import committing


def _page(forms: dict[int, FreezeForm] | None = None, status: int = 200):  # noqa: ANN202
    processes = db.session.scalars(
        select(Process).where(Process.published.is_(True)).order_by(Process.opens_at.desc())
    ).all()
    forms = forms or {}
    return render_template(
        "staff_reports/index.html",
        items=[
            (process, services.frozen_versions(process), forms.get(process.id) or FreezeForm(
                formdata=None, prefix=f"p{process.id}"))
            for process in processes
        ],
    ), status  # fmt: skip


@bp.route("/")
@permission_required("freeze_reports")
def index():
    return _page()


@bp.route("/<slug>/freeze", methods=["POST"])
@permission_required("freeze_reports")
def freeze(slug: str):
    process = services.published_process(slug)
    if process is None:
        abort(404)
    form = FreezeForm(prefix=f"p{process.id}")
    if not form.validate_on_submit():
        return _page({process.id: form}, 422 if form.errors else 400)
    with committing(form, field="note") as done:
        version = services.freeze(process, current_user, form.note.data or "")
        number = version.number
    if not done:
        return _page({process.id: form}, done.status)
    flash(
        _(
            "Zamrożono wersję nr %(number)s raportu „%(title)s”.",
            number=number,
            title=process.title,
        ),
        "success",
    )
    return redirect(url_for("consultation_report.frozen", slug=process.slug, number=number), 303)
