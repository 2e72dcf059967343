"""Readers report a published idea they find inappropriate; moderators
handle the reports (app.moderation)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from app.clients import client_address, keyed_hash
from app.extensions import db, limiter
from app.models import Idea, IdeaStatus
from app.moderation import services
from app.reports import bp
from app.reports.forms import ReportForm
from app.transaction import committing


def _report_limit() -> str:
    return current_app.config.get("RATELIMIT_REPORT", "5 per hour;20 per day")


@bp.route("/ideas/<int:idea_id>/report", methods=["GET", "POST"])
@limiter.limit(_report_limit, methods=["POST"])
def report(idea_id: int):
    idea = db.session.get(Idea, idea_id)
    if idea is None or idea.status != IdeaStatus.PUBLISHED:
        abort(404)
    form = ReportForm()
    if form.validate_on_submit():
        with committing(form) as done:
            services.report_idea(idea, form.reason.data, keyed_hash(client_address(), "report"))
        if done:
            flash(
                _("Dziękujemy. Moderatorzy przyjrzą się temu pomysłowi."),
                "success",
            )
            return redirect(url_for("catalogue.detail", idea_id=idea.id, slug=idea.slug), 303)
    return render_template("reports/report.html", idea=idea, form=form), (
        400 if form.errors else 200
    )
