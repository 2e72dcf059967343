"""Moderation pages: the queue, one idea's review and decision, readers'
reports, reply templates, bulk decisions and the audit log.

Thin views: validate the form, call the service, commit once, flash,
redirect. A refused decision rolls back and re-renders the page with the
reason and the right status.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from app.catalogue import services as catalogue
from app.catalogue.forms import AnswerForm
from app.confirm import ask, confirmed
from app.extensions import db
from app.ideas import lifecycle
from app.models import Idea, IdeaSource, IdeaStatus, ReplyTemplate
from app.moderation import audit_log, bp, queries, services
from app.moderation.forms import (
    BulkDecisionForm,
    DecisionForm,
    DismissReportsForm,
    ReplyTemplateForm,
)
from app.moderation.services import DecisionConflict
from app.security.permissions import can, permission_required
from app.timeutil import local_to_utc
from app.transaction import attach_error, committing
from app.web import safe_next_url

# --- the queue -----------------------------------------------------------


def _page_number() -> int:
    page = request.args.get("page", 1, type=int) or 1
    return max(1, min(page, 10_000))


def _render_queue(
    filters: queries.QueueFilters,
    bulk_form: BulkDecisionForm,
    status: int = 200,
    selected: set[str] | None = None,
    refused: list[tuple[int, str]] | None = None,
    problem: str | None = None,
):  # noqa: ANN202
    page = queries.queue_page(filters, _page_number())
    ideas = list(page.items)
    return (
        render_template(
            "moderation/queue.html",
            page=page,
            ideas=ideas,
            filters=filters,
            counts=queries.tab_counts(filters),
            report_counts=queries.open_report_counts([idea.id for idea in ideas]),
            choices=queries.filter_choices(),
            statuses=[(s.value, lifecycle.staff_status_label(s.value)) for s in IdeaStatus],
            sources=_source_labels(),
            bulk_form=bulk_form,
            templates=services.templates_for_form(),
            selected=selected or set(),
            refused=refused or [],
            problem=problem,
            status_label=lifecycle.staff_status_label,
            tab_labels=_tab_labels(),
        ),
        status,
    )


def _tab_labels() -> dict[str, str]:
    return {
        "new": _("Nowe zgłoszenia"),
        "revised": _("Poprawione przez autorów"),
        "reported": _("Zgłoszone przez czytelników"),
        "waiting": _("Czekają na autorów"),
        "all": _("Wszystkie"),
    }


def _source_labels() -> list[tuple[str, str]]:
    return [(source.value, lifecycle.source_label(source)) for source in IdeaSource]


def _bulk_form() -> BulkDecisionForm:
    form = BulkDecisionForm()
    form.set_templates(services.templates_for_form())
    return form


@bp.route("/staff/moderation")
@permission_required("moderate")
def queue():
    filters = queries.QueueFilters.from_args(request.args)
    form = BulkDecisionForm(formdata=None)
    form.set_templates(services.templates_for_form())
    return _render_queue(filters, form)


def _parse_selection(values: list[str]) -> list[tuple[int, Any]]:
    selection: list[tuple[int, Any]] = []
    for value in values:
        ident, _sep, version = value.partition(":")
        try:
            selection.append((int(ident), version))
        except ValueError:
            continue
    return selection


@bp.route("/staff/moderation/bulk", methods=["POST"])
@permission_required("moderate")
def bulk():
    filters = queries.QueueFilters.from_args(request.args)
    form = _bulk_form()
    raw = request.form.getlist("selected")
    selected = set(raw)
    if not form.validate_on_submit():
        return _render_queue(filters, form, 400, selected)
    reason = services.reason_from_template(form.reason.data, form.reply_template.data)
    if form.action.data == "reject" and (reason or "").strip() and not confirmed():
        return ask(
            ngettext(
                "Odrzucić %(num)s zaznaczony pomysł?", "Odrzucić %(num)s zaznaczonych pomysłów?",
                len(selected),
            ),
            _("Te pomysły nie zostaną opublikowane, a każdy autor dostanie e-mail z uzasadnieniem."),
            _("Tak, odrzuć zaznaczone"),
            url_for("moderation.queue", **filters.args()),
        )
    outcome = None
    with committing(show=False) as done:
        outcome = services.bulk_decide(
            _parse_selection(raw), form.action.data or "", current_user, reason
        )
        if not outcome.decided:
            raise DecisionConflict(_("Żaden z zaznaczonych pomysłów nie został zmieniony."))
    if not done:
        if outcome is None:
            attach_error(form, done.error)
            return _render_queue(filters, form, done.status, selected)
        return _render_queue(filters, form, done.status, selected, outcome.refused, done.message)
    count = len(outcome.decided)
    if form.action.data == "publish":
        flash(
            ngettext("Opublikowano %(num)s pomysł.", "Opublikowano %(num)s pomysłów.", count),
            "success",
        )
    else:
        flash(
            ngettext("Odrzucono %(num)s pomysł.", "Odrzucono %(num)s pomysłów.", count), "success"
        )
    for idea_id, message in outcome.refused:
        flash(_("Pomysł nr %(id)s pominięto: %(why)s", id=idea_id, why=message), "warning")
    return redirect(url_for("moderation.queue", **filters.args()), 303)


# --- published ideas awaiting an official answer ------------------------


@bp.route("/staff/ideas")
@permission_required("answer_ideas")
def answers():
    missing_only = request.args.get("answer", "missing") != "all"
    page = queries.answers_page(missing_only, _page_number())
    return render_template(
        "moderation/answers.html",
        page=page,
        ideas=list(page.items),
        missing_only=missing_only,
        args={"answer": "missing" if missing_only else "all"},
    )


# --- one idea ------------------------------------------------------------


def _decision_form(idea: Idea, formdata: bool = True) -> DecisionForm:
    form = DecisionForm() if formdata else DecisionForm(formdata=None)
    form.action.choices = [
        (action, lifecycle.ACTION_LABELS[action])
        for action in services.allowed_actions(idea.status)
    ]
    form.set_templates(services.templates_for_form())
    if not formdata:
        form.version.data = str(idea.version)
        form.public_title.data = idea.title
        form.public_description.data = idea.description
    return form


def _attachment_url(idea: Idea) -> str | None:
    if idea.attachment is None:
        return None
    return url_for("ideas.attachment", idea_id=idea.id)


def _render_review(
    idea: Idea,
    form: DecisionForm | None,
    status: int = 200,
    problem: str | None = None,
):  # noqa: ANN202
    events = queries.history(idea)
    moderator = can("moderate")
    templates = services.templates_for_form() if moderator else []
    return (
        render_template(
            "moderation/review.html",
            idea=idea,
            form=form if moderator else None,
            dismiss_form=DismissReportsForm(formdata=None) if moderator else None,
            events=events,
            submitted=queries.as_submitted(idea, events),
            open_reports=queries.open_reports(idea),
            closed_reports=queries.closed_reports(idea) if moderator else [],
            similar=queries.similar_published(idea),
            attachment_url=_attachment_url(idea),
            templates=templates,
            show_contact=moderator,
            status_label=lifecycle.staff_status_label,
            source_label=lifecycle.source_label,
            action_labels=lifecycle.ACTION_LABELS,
            problem=problem,
            next_url=safe_next_url(request.values.get("next")),
        ),
        status,
    )


@bp.route("/staff/ideas/<int:idea_id>")
@permission_required("answer_ideas")
def review(idea_id: int):
    idea = db.get_or_404(Idea, idea_id)
    # Editors come here to answer published ideas; the rest is for moderators.
    if not can("moderate") and idea.status != IdeaStatus.PUBLISHED:
        abort(403)
    return _render_review(idea, _decision_form(idea, formdata=False))


_DONE = {
    "publish": lambda: _("Pomysł opublikowano."),
    "reject": lambda: _("Pomysł odrzucono. Autor dostanie wiadomość z uzasadnieniem."),
    "request_changes": lambda: _("Poproszono autora o zmiany."),
    "merge": lambda: _("Pomysły połączono; poparcia przeniesiono."),
    "hide": lambda: _("Pomysł ukryto."),
}


@bp.route("/staff/ideas/<int:idea_id>/decision", methods=["POST"])
@permission_required("moderate")
def decision(idea_id: int):
    idea = db.get_or_404(Idea, idea_id)
    form = _decision_form(idea)
    if not form.validate_on_submit():
        return _render_review(idea, form, 400)
    reason = services.reason_from_template(form.reason.data, form.reply_template.data)
    # Asked once the decision is complete (a missing reason is refused below).
    if form.action.data in ("reject", "merge") and (reason or "").strip() and not confirmed():
        back = url_for("moderation.review", idea_id=idea.id)
        if form.action.data == "reject":
            return ask(
                _("Odrzucić pomysł „%(title)s”?", title=idea.title),
                _("Pomysł nie zostanie opublikowany, a autor dostanie e-mail z uzasadnieniem."),
                _("Tak, odrzuć pomysł"),
                back,
            )
        return ask(
            _("Połączyć pomysł „%(title)s” z pomysłem nr %(target)s?",
              title=idea.title, target=form.merge_into.data),
            _("Poparcia trafią do wspólnego pomysłu, ten zniknie z katalogu, a autor dostanie "
              "e-mail z uzasadnieniem."),
            _("Tak, połącz pomysły"),
            back,
        )
    with committing(show=False) as done:
        services.decide(
            idea,
            form.action.data or "",
            current_user,
            reason,
            form.version.data,
            merge_into=form.merge_into.data,
            public_title=form.public_title.data,
            public_description=form.public_description.data,
        )
    if not done:
        error = done.error
        idea = db.get_or_404(Idea, idea_id)
        form.action.choices = [
            (action, lifecycle.ACTION_LABELS[action])
            for action in services.allowed_actions(idea.status)
        ]
        problem = None
        if error.status == 409:
            # What they typed stays; the form now carries the current
            # version, so a second, informed click can go through.
            problem = str(error)
            form.version.data = str(idea.version)
        elif error.field in (None, "version"):
            problem = str(error)
        else:
            attach_error(form, error)
        return _render_review(idea, form, error.status, problem)
    flash(_DONE[form.action.data](), "success")
    return redirect(safe_next_url(request.form.get("next")) or url_for("moderation.queue"), 303)


@bp.route("/staff/ideas/<int:idea_id>/reports/dismiss", methods=["POST"])
@permission_required("moderate")
def dismiss_reports(idea_id: int):
    idea = db.get_or_404(Idea, idea_id)
    form = DismissReportsForm()
    if not form.validate_on_submit():
        return _render_review(idea, _decision_form(idea, formdata=False), 400)
    with committing(category="warning") as done:
        count = services.dismiss_reports(idea, current_user, form.note.data)
    if not done:
        return redirect(url_for("moderation.review", idea_id=idea.id), 303)
    flash(
        ngettext("Odrzucono %(num)s zgłoszenie.", "Odrzucono %(num)s zgłoszeń.", count),
        "success",
    )
    return redirect(url_for("moderation.queue", tab="reported"), 303)


# --- official answers ----------------------------------------------------


@bp.route("/staff/ideas/<int:idea_id>/answer", methods=["POST"])
@permission_required("answer_ideas")
def answer(idea_id: int):
    idea = db.get_or_404(Idea, idea_id)
    form = AnswerForm()
    back = safe_next_url(request.form.get("next")) or url_for(
        "catalogue.detail", idea_id=idea.id, slug=idea.slug
    )
    if idea.status != IdeaStatus.PUBLISHED:
        return render_template(
            "moderation/answer_page.html", idea=idea, answer_form=form, back=back,
            error=_("Odpowiedzieć można tylko na opublikowany pomysł."),
        ), 409  # fmt: skip
    if not form.validate_on_submit():
        return render_template(
            "moderation/answer_page.html", idea=idea, answer_form=form, back=back, error=None
        ), 400
    with committing(show=False) as done:
        catalogue.answer_idea(
            idea, form.result_status.data, form.answer.data, form.progress.data or 0, current_user
        )
    if not done:
        return render_template(
            "moderation/answer_page.html", idea=idea, answer_form=form, back=back,
            error=done.message,
        ), 409  # fmt: skip
    flash(_("Odpowiedź została opublikowana na stronie pomysłu."), "success")
    return redirect(back)


# --- reply templates -----------------------------------------------------


@bp.route("/staff/moderation/templates")
@permission_required("moderate")
def templates():
    rows = db.session.scalars(
        select(ReplyTemplate).order_by(ReplyTemplate.active.desc(), ReplyTemplate.title)
    ).all()
    return render_template(
        "moderation/templates.html", templates=rows, action_labels=lifecycle.ACTION_LABELS
    )


@bp.route("/staff/moderation/templates/new", methods=["GET", "POST"])
@bp.route("/staff/moderation/templates/<int:template_id>", methods=["GET", "POST"])
@permission_required("moderate")
def template_edit(template_id: int | None = None):
    template = db.get_or_404(ReplyTemplate, template_id) if template_id else None
    form = ReplyTemplateForm(obj=template)
    if request.method == "GET" and template is not None:
        form.action.data = template.action or ""
    if form.validate_on_submit():
        with committing(form) as done:
            services.save_template(
                current_user,
                template,
                form.title.data,
                form.body.data,
                form.action.data,
                bool(form.active.data),
            )
        if done:
            flash(_("Zapisano szablon."), "success")
            return redirect(url_for("moderation.templates"), 303)
    return render_template("moderation/template_form.html", form=form, template=template), (
        400 if form.errors else 200
    )


@bp.route("/staff/moderation/templates/<int:template_id>/delete", methods=["POST"])
@permission_required("moderate")
def template_delete(template_id: int):
    template = db.get_or_404(ReplyTemplate, template_id)
    if not confirmed():
        return ask(
            _("Usunąć szablon „%(title)s”?", title=template.title),
            _("Szablonu nie da się przywrócić. Decyzje, w których go użyto, zachowają swój tekst."),
            _("Tak, usuń szablon"),
            url_for("moderation.templates"),
        )
    with committing():
        services.delete_template(current_user, template)
    flash(_("Usunięto szablon."), "success")
    return redirect(url_for("moderation.templates"), 303)


# --- audit log -----------------------------------------------------------


def _local_day(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        day = datetime.strptime(value.strip(), "%Y-%m-%d")
    except ValueError:
        return None
    return local_to_utc(day)


@bp.route("/staff/audit")
@permission_required("read_audit")
def audit():
    args = request.args
    until = _local_day(args.get("until"))
    filters = queries.AuditFilters(
        actor=args.get("actor", type=int),
        action=(args.get("action") or "").strip()[:60] or None,
        object_type=(args.get("object_type") or "").strip()[:40] or None,
        object_id=args.get("object_id", type=int),
        since=_local_day(args.get("since")),
        until=until + timedelta(days=1) if until else None,
    )
    page = queries.audit_page(filters, _page_number())
    link_args = filters.args(since=args.get("since"), until=args.get("until"))
    entries = list(page.items)
    return render_template(
        "moderation/audit.html",
        page=page,
        entries=entries,
        names=audit_log.object_names(entries),
        labels=audit_log,
        filters=filters,
        link_args=link_args,
        raw=args,
        choices=queries.audit_choices(),
        total=page.total,
    )
