"""Staff pages for comments: the queue (beside the ideas' queue), one
comment's review and decision, bulk decisions, and the organiser's reply."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.comments import services
from app.extensions import db
from app.models import Comment, Idea, IdeaStatus
from app.moderation.services import reason_from_template, templates_for_form
from app.security.permissions import permission_required
from app.staff_comments import bp, queries
from app.staff_comments.forms import BulkCommentForm, CommentDecisionForm, OfficialReplyForm
from app.transaction import attach_error, committing
from app.web import safe_next_url


def _page_number() -> int:
    page = request.args.get("page", 1, type=int) or 1
    return max(1, min(page, 10_000))


def _tab() -> str:
    tab = request.args.get("tab", "held")
    return tab if tab in queries.TABS else "held"


def tab_labels() -> dict[str, str]:
    return {
        "held": _("Czekają na zatwierdzenie"),
        "review": _("Opublikowane, do przejrzenia"),
        "reported": _("Zgłoszone przez czytelników"),
        "hidden": _("Ukryte"),
        "all": _("Wszystkie"),
    }


def _with_templates(form: Any) -> Any:
    form.reply_template.choices = [("", _("— bez szablonu —"))] + [
        (str(t.id), t.title) for t in templates_for_form()
    ]
    return form


def _render_queue(form: BulkCommentForm, status: int = 200, problem: str | None = None,
                  refused: list | None = None):  # noqa: ANN202  # fmt: skip
    tab = _tab()
    page = queries.queue_page(tab, _page_number())
    comments = list(page.items)
    return (
        render_template(
            "staff_comments/queue.html",
            tab=tab,
            page=page,
            comments=comments,
            ideas=queries.ideas_of(comments),
            reports=queries.open_reports([c.id for c in comments]),
            counts=queries.tab_counts(),
            tab_labels=tab_labels(),
            bulk_form=form,
            templates=templates_for_form(),
            selected=set(request.form.getlist("selected")),
            problem=problem,
            refused=refused or [],
        ),
        status,
    )


@bp.route("/moderation/comments")
@permission_required("moderate_comments")
def queue():
    return _render_queue(_with_templates(BulkCommentForm(formdata=None)))


def _selection(values: list[str]) -> list[tuple[int, Any]]:
    chosen = []
    for value in values:
        ident, _sep, version = value.partition(":")
        if ident.isdigit() and len(ident) < 10:
            chosen.append((int(ident), version))
    return chosen


@bp.route("/moderation/comments/bulk", methods=["POST"])
@permission_required("moderate_comments")
def bulk():
    form = _with_templates(BulkCommentForm())
    if not form.validate_on_submit():
        return _render_queue(form, 400)
    reason = reason_from_template(form.reason.data, form.reply_template.data)
    outcome = None
    with committing(show=False) as done:
        outcome = services.bulk_moderate(
            _selection(request.form.getlist("selected")),
            form.action.data or "",
            current_user,
            reason,
        )
        if not outcome.decided:
            raise services.CommentConflict(
                _("Żaden z zaznaczonych komentarzy nie został zmieniony.")
            )
    if not done:
        if outcome is None:
            attach_error(form, done.error)
            return _render_queue(form, done.status)
        return _render_queue(form, done.status, done.message, outcome.refused)
    flash(
        ngettext(
            "Zmieniono %(num)s komentarz.", "Zmieniono %(num)s komentarzy.", len(outcome.decided)
        ),
        "success",
    )
    for ident, why in outcome.refused:
        flash(_("Komentarz nr %(id)s pominięto: %(why)s", id=ident, why=why), "warning")
    return redirect(url_for("staff_comments.queue", tab=_tab()), 303)


def _render_review(comment: Comment, form: CommentDecisionForm, status: int = 200,
                   problem: str | None = None):  # noqa: ANN202  # fmt: skip
    return (
        render_template(
            "staff_comments/review.html",
            comment=comment,
            idea=queries.ideas_of([comment]).get(comment.target_id),
            parent=comment.parent,
            reports=queries.open_reports([comment.id]).get(comment.id, []),
            form=form,
            templates=templates_for_form(),
            problem=problem,
            next_url=safe_next_url(request.values.get("next")),
        ),
        status,
    )


@bp.route("/comments/<int:comment_id>")
@permission_required("moderate_comments")
def review(comment_id: int):
    comment = db.get_or_404(Comment, comment_id)
    form = _with_templates(CommentDecisionForm(formdata=None))
    form.version.data = str(comment.version)
    return _render_review(comment, form)


@bp.route("/comments/<int:comment_id>/decision", methods=["POST"])
@permission_required("moderate_comments")
def decision(comment_id: int):
    comment = db.get_or_404(Comment, comment_id)
    form = _with_templates(CommentDecisionForm())
    if not form.validate_on_submit():
        return _render_review(comment, form, 400)
    reason = reason_from_template(form.reason.data, form.reply_template.data)
    with committing(show=False) as done:
        services.moderate(comment, form.action.data or "", current_user, reason, form.version.data)
    if not done:
        comment = db.get_or_404(Comment, comment_id)
        problem = None
        if done.error.field in ("action", "reason"):
            attach_error(form, done.error)
        else:
            problem = done.message
            form.version.data = str(comment.version)
        return _render_review(comment, form, done.status, problem)
    flash(_("Zapisano decyzję o komentarzu."), "success")
    return redirect(safe_next_url(request.form.get("next")) or url_for("staff_comments.queue"), 303)


@bp.route("/comments/<int:comment_id>/reports/dismiss", methods=["POST"])
@permission_required("moderate_comments")
def dismiss_reports(comment_id: int):
    comment = db.get_or_404(Comment, comment_id)
    form = CommentDecisionForm()
    if not form.validate_on_submit():
        abort(400)
    with committing():
        count = services.dismiss_reports(comment, current_user)
    flash(
        ngettext("Odrzucono %(num)s zgłoszenie.", "Odrzucono %(num)s zgłoszeń.", count), "success"
    )
    return redirect(url_for("staff_comments.queue", tab="reported"), 303)


# --- the organiser's reply ------------------------------------------------


def _parent_id(form: OfficialReplyForm) -> int | None:
    raw = form.parent_id.data or request.args.get("parent")
    return int(raw) if raw and str(raw).isdigit() and len(str(raw)) < 10 else None


@bp.route("/comments/ideas/<int:idea_id>/reply", methods=["GET", "POST"])
@permission_required("reply_to_comments")
def reply(idea_id: int):
    idea = db.get_or_404(Idea, idea_id)
    if idea.status != IdeaStatus.PUBLISHED:
        abort(404)
    form = OfficialReplyForm()
    if request.method == "GET":
        form = OfficialReplyForm(formdata=None, data={"unit": idea.process.organiser})
    parent_id = _parent_id(form)
    if parent_id:
        form.parent_id.data = str(parent_id)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            with committing(form, field="body") as done:
                comment = services.post_official(
                    services.idea_target(idea),
                    body=form.body.data,
                    actor=current_user,
                    unit=form.unit.data or "",
                    show_name=bool(form.show_name.data),
                    parent_id=parent_id,
                )
            if done:
                flash(_("Odpowiedź organizatora została opublikowana."), "success")
                return redirect(
                    url_for(
                        "catalogue.detail",
                        idea_id=idea.id,
                        slug=idea.slug,
                        _anchor=f"komentarz-{comment.id}",
                    ),
                    303,
                )
            status = done.status
            idea = db.get_or_404(Idea, idea_id)
    parent = db.session.get(Comment, parent_id) if parent_id else None
    return render_template("staff_comments/reply.html", idea=idea, form=form, parent=parent), status


def comment_status_label(status: str) -> str:
    return {
        "pending": _("czeka na potwierdzenie e-mailem"),
        "held": _("czeka na zatwierdzenie"),
        "published": _("opublikowany"),
        "hidden": _("ukryty"),
        "deleted": _("usunięty przez autora"),
    }.get(status, status)


bp.add_app_template_global(comment_status_label, "comment_status_label")
bp.add_app_template_global(queries.waiting, "comments_waiting")
