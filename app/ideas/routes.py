"""Residents' side of an idea: the form, confirmation, the private tracking
page (edit, withdraw, data download, erasure) and attachments."""

from __future__ import annotations

from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from app.errors import ServiceError
from app.extensions import db, limiter
from app.i18n import current_language
from app.ideas import bp, lifecycle
from app.ideas.forms import (
    EmailCorrectionForm,
    EraseForm,
    IdeaEditForm,
    IdeaForm,
    WithdrawForm,
)
from app.ideas.services import (
    Revision,
    Submission,
    active_categories,
    answers_by_event,
    can_edit,
    can_withdraw,
    check_revision,
    closed_message,
    confirm_idea,
    correct_pending_email,
    earlier_mail_bounced,
    erase_author_data,
    export_author_data,
    find_by_track_token,
    processes_accepting_ideas,
    resend_confirmation,
    revise_idea,
    stop_author_updates,
    submit_idea,
    window_notice,
    withdraw_idea,
)
from app.models import Category, Idea, IdeaStatus, Process
from app.security.permissions import can
from app.text import single_line
from app.transaction import committing
from app.uploads import human_size, send_stored_file
from app.web import data_download, is_private_page, private_page


def _submit_limit() -> str:
    return current_app.config.get("RATELIMIT_IDEA_SUBMIT", "20 per hour")


def _edit_limit() -> str:
    return current_app.config.get("RATELIMIT_IDEA_EDIT", "10 per minute;60 per hour")


# -- the form ------------------------------------------------------------------------

ATTACHMENT_FORMS = frozenset({"ideas.new", "ideas.edit"})


@bp.url_value_preprocessor
def _room_for_a_large_attachment(endpoint: str | None, values: dict | None) -> None:
    """Let the forms with an attachment read a body over MAX_CONTENT_LENGTH.

    URL value preprocessors run before every before_request function, and so
    before CSRF protection reads the form: the file is then refused at its
    field (413) with the typed text kept."""
    if endpoint in ATTACHMENT_FORMS and request.method == "POST":
        request.max_content_length = current_app.config["MAX_ATTACHMENT_FORM_LENGTH"]


def _idea_form(**kwargs: Any) -> tuple[IdeaForm, list[Process]]:
    processes = processes_accepting_ideas()
    form = IdeaForm(categories=active_categories(), processes=processes, **kwargs)
    return form, processes


def _render_new(
    form: IdeaForm,
    processes: list[Process],
    status: int = 200,
    problem: str | None = None,
) -> tuple[str, int]:
    notice = None if processes else window_notice()
    return (
        render_template(
            "ideas/new.html",
            form=form,
            processes=processes,
            notice=notice,
            problem=problem,
            max_attachment=human_size(current_app.config["MAX_ATTACHMENT_BYTES"]),
        ),
        status,
    )


def _chosen_process(form: IdeaForm, processes: list[Process]) -> Process | str:
    """The consultation the idea goes to, or a message why none can take it."""
    slug = form.process_slug.data
    if slug:
        open_now = next((p for p in processes if p.slug == slug), None)
        if open_now is not None:
            return open_now
        process = db.session.scalar(
            select(Process).where(Process.slug == slug, Process.published.is_(True))
        )
        if process is None:
            return _("Nie ma takiej konsultacji.")
        if process not in processes:
            return closed_message(process)
        return process
    if len(processes) == 1:
        return processes[0]
    return _window_message()


def _window_message() -> str:
    notice = window_notice()
    if notice.state == "phase":
        return notice.message
    if notice.state == "not_open" and notice.process is not None:
        return closed_message(notice.process)
    return _(
        "Obecnie żadna konsultacja nie przyjmuje pomysłów, więc nie możemy przyjąć zgłoszenia."
    )


def _remember_sent(email: str, idea_id: int | None = None, bounced: bool = False) -> Response:
    # In full: the person who typed it can spot a typo ("Popraw adres").
    session["idea_sent_to"] = (email or "").strip()[:254]
    # Signed with the session: which submission "Wyślij ponownie" re-sends.
    session["idea_sent_id"] = idea_id
    session["idea_sent_bounced"] = bounced
    return redirect(url_for("ideas.sent"), code=303)


@bp.route("/new", methods=["GET", "POST"])
@limiter.limit(_submit_limit, methods=["POST"])
def new():
    form, processes = _idea_form()
    if request.method == "GET":
        wanted = request.args.get("process")
        if wanted and any(p.slug == wanted for p in processes):
            form.process_slug.data = wanted
        # "Zgłoś taki pomysł" under an empty search: its words as the title.
        if title := single_line(request.args.get("title") or "", 150):
            form.title.data = title
        return _render_new(form, processes)
    if (request.form.get("website") or "").strip():
        # A bot filled the hidden field: it sees success, nothing is kept.
        return _remember_sent(request.form.get("email", ""))
    if not processes:
        return _render_new(form, processes, 409, _window_message())
    if not form.validate_on_submit():
        return _render_new(form, processes, form.refused_status)
    process = _chosen_process(form, processes)
    if isinstance(process, str):
        return _render_new(form, processes, 409, process)
    category = form.categories_by_slug.get(form.category.data) or db.session.scalar(
        select(Category).where(Category.slug == form.category.data)
    )
    submission = Submission(
        title=form.title.data,
        description=form.description.data,
        category=category,
        process=process,
        author_name=form.author_name.data,
        email=form.email.data,
        municipality=form.municipality.data or None,
        show_author_name=bool(form.show_author_name.data),
        locale=current_language(),
        attachment=form.processed_attachment,
        author_updates=bool(form.author_updates.data),
    )
    bounced = earlier_mail_bounced(submission.email)
    with committing(show=False) as done:
        idea, _token = submit_idea(submission)
        idea_id = idea.id  # read before the commit expires it (no reload after)
    if not done:
        return _render_new(form, processes, done.status, done.message)
    return _remember_sent(submission.email, idea_id, bounced)


@bp.errorhandler(RateLimitExceeded)
def _too_many(error: RateLimitExceeded):  # noqa: ANN202
    if request.endpoint == "ideas.new" and request.method == "POST":
        form, processes = _idea_form()
        message = _(
            "Z tego urządzenia wysłano ostatnio zbyt wiele zgłoszeń. "
            "Odczekaj chwilę i spróbuj ponownie – Twój tekst jest zachowany poniżej."
        )
        return _render_new(form, processes, 429, message)
    if request.endpoint == "ideas.edit" and request.method == "POST":
        token = (request.view_args or {}).get("token", "")
        idea = _tracked_or_404(token)
        categories = active_categories()
        if idea.category is not None and idea.category not in categories:
            categories.append(idea.category)
        message = _(
            "Z tego urządzenia wysłano ostatnio zbyt wiele zmian. "
            "Odczekaj chwilę i spróbuj ponownie – Twój tekst jest zachowany poniżej."
        )
        return _render_edit(idea, token, IdeaEditForm(categories=categories), 429, message)
    if request.endpoint == "ideas.correct_email":
        return _render_correct_email(
            EmailCorrectionForm(),
            429,
            _("Zbyt wiele zmian adresu. Spróbuj ponownie za godzinę."),
        )
    if request.endpoint == "ideas.resend":
        return _render_sent(
            429, _("Zbyt wiele próśb o ponowną wysyłkę. Spróbuj ponownie za godzinę.")
        )
    from app.errors import error_response

    return error_response(429)


@bp.errorhandler(CSRFError)
def _csrf_failed(error: CSRFError):  # noqa: ANN202
    if request.endpoint == "ideas.new":
        form, processes = _idea_form()
        message = _(
            "Formularz wygasł albo nie pochodzi z tej strony. Twój tekst jest zachowany: "
            "sprawdź go i wyślij ponownie (załącznik trzeba dodać jeszcze raz)."
        )
        return _render_new(form, processes, 400, message)
    from app.errors import error_response

    return error_response(
        400,
        _("Formularz wygasł albo nie pochodzi z tej strony. Odśwież stronę i wyślij go ponownie."),
        "csrf_failed",
    )


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge):  # noqa: ANN202
    from app.errors import error_response

    return error_response(
        413,
        _(
            "Przesłane dane są za duże. Załącznik może mieć najwyżej %(size)s – "
            "wróć do formularza i wybierz mniejszy plik.",
            size=human_size(current_app.config["MAX_ATTACHMENT_BYTES"]),
        ),
    )


def _resend_limit() -> str:
    return current_app.config.get("RATELIMIT_MAIL_RESEND", "5 per hour")


def _render_sent(status: int = 200, problem: str | None = None) -> tuple[str, int]:
    from app.ideas.services import confirmation_mail
    from app.mail import can_resend

    idea = _waiting_idea()
    message = confirmation_mail(idea) if idea is not None else None
    return (
        render_template(
            "ideas/sent.html",
            sent_to=idea.email if idea is not None else session.get("idea_sent_to"),
            can_correct=idea is not None,
            bounced=session.get("idea_sent_bounced", False),
            resend_offered=message is not None,
            resend_now=can_resend(message),
            problem=problem,
        ),
        status,
    )


def _waiting_idea() -> Idea | None:
    """The idea this browser has just sent, while it waits for confirmation."""
    idea_id = session.get("idea_sent_id")
    idea = db.session.get(Idea, idea_id) if idea_id else None
    return idea if idea is not None and idea.status == IdeaStatus.UNCONFIRMED else None


@bp.route("/sent")
def sent():
    return _render_sent()


def _render_correct_email(
    form: EmailCorrectionForm, status: int = 200, problem: str | None = None
) -> tuple[str, int]:
    return render_template("ideas/correct_email.html", form=form, problem=problem), status


@bp.route("/sent/email", methods=["GET", "POST"])
@limiter.limit(_resend_limit, methods=["POST"])
def correct_email():
    """ "Popraw adres": a typo in the address, fixed before confirmation."""
    idea = _waiting_idea()
    if idea is None:
        flash(_("Tego zgłoszenia nie można już zmienić."), "info")
        return redirect(url_for("ideas.sent"), code=303)
    form = EmailCorrectionForm()
    if request.method == "GET":
        form.email.data = idea.email
        return _render_correct_email(form)
    if not form.validate_on_submit():
        return _render_correct_email(form, 400)
    with committing(show=False) as done:
        idea = correct_pending_email(idea.id, form.email.data)
    if not done:
        return _render_correct_email(form, done.status, done.message)
    session["idea_sent_to"] = idea.email
    session["idea_sent_bounced"] = earlier_mail_bounced(idea.email)
    flash(
        _(
            "Wysłaliśmy nową wiadomość na adres %(email)s. "
            "Link z poprzedniej wiadomości już nie działa.",
            email=idea.email,
        ),
        "success",
    )
    return redirect(url_for("ideas.sent"), code=303)


@bp.route("/sent/resend", methods=["POST"])
@limiter.limit(_resend_limit)
def resend():
    """ "Wyślij ponownie": the same confirmation message once more."""
    with committing(show=False) as done:
        resend_confirmation(session.get("idea_sent_id"))
    if not done:
        return _render_sent(done.status, done.message)
    flash(_("Wysłaliśmy wiadomość ponownie. Sprawdź skrzynkę i folder ze spamem."), "success")
    return redirect(url_for("ideas.sent"), code=303)


@bp.route("/similar")
@limiter.limit("120 per minute")
def similar():
    """Published ideas whose titles look like *title* (for the form)."""
    title = (request.args.get("title") or "").strip()[:150]
    items: list[dict[str, Any]] = []
    if len(title) >= 3:
        from app.search import similar_ideas

        for idea in similar_ideas(title, limit=5):
            if idea.status != IdeaStatus.PUBLISHED:
                continue
            items.append(
                {
                    "id": idea.id,
                    "title": idea.title,
                    "url": url_for("catalogue.detail", idea_id=idea.id, slug=idea.slug),
                }
            )
    response = jsonify(items=items[:5])
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


# -- confirmation ---------------------------------------------------------------------


def _token_not_found():  # noqa: ANN202
    return render_template("ideas/token_not_found.html"), 404


@bp.route("/confirm/<token>")
@private_page
def confirm(token: str):
    with committing():
        result = confirm_idea(token)
    if result is None:
        return _token_not_found()
    track_url = url_for("ideas.track", token=result.track_token) if result.track_token else None
    return render_template(
        "ideas/confirmed.html", idea=result.idea, already=result.already, track_url=track_url
    )


# -- the private tracking page ----------------------------------------------------------


def _tracked_or_404(token: str) -> Idea:
    idea = find_by_track_token(token)
    if idea is None:
        abort(404)
    return idea


@bp.errorhandler(404)
def _not_found(error):  # noqa: ANN001, ANN202
    if is_private_page():  # every private page of this blueprint has a token
        return _token_not_found()
    from app.errors import error_response

    return error_response(404, error.description if _custom(error) else None)


def _custom(error: Any) -> bool:
    return error.description != type(error).description


@bp.route("/track/<token>")
@private_page
def track(token: str):
    idea = _tracked_or_404(token)
    public_url = (
        url_for("catalogue.detail", idea_id=idea.id, slug=idea.slug)
        if idea.status == IdeaStatus.PUBLISHED
        else None
    )
    merged_url = None
    if idea.status == IdeaStatus.MERGED and idea.merged_into is not None:
        target = idea.merged_into
        if target.status == IdeaStatus.PUBLISHED:
            merged_url = url_for("catalogue.detail", idea_id=target.id, slug=target.slug)
    return render_template(
        "ideas/track.html",
        idea=idea,
        token=token,
        labels=lifecycle,
        public_url=public_url,
        merged_url=merged_url,
        can_edit=can_edit(idea),
        can_withdraw=can_withdraw(idea),
        latest_answer=idea.answers[-1] if idea.answers else None,
        answers_by_event=answers_by_event(idea),
        attachment_url=(
            url_for("ideas.track_attachment", token=token) if idea.attachment else None
        ),
    )


@bp.route("/track/<token>/updates", methods=["POST"])
@private_page
def stop_updates(token: str):
    idea = _tracked_or_404(token)
    if FlaskForm().validate_on_submit():  # the CSRF token alone
        with committing():
            stop_author_updates(idea)
        flash(_("Nie będziemy już wysyłać Ci wiadomości o tej konsultacji."), "success")
    return redirect(url_for("ideas.track", token=token), code=303)


@bp.route("/track/<token>/edit", methods=["GET", "POST"])
@limiter.limit(_edit_limit, methods=["POST"])
@private_page
def edit(token: str):
    idea = _tracked_or_404(token)
    categories = active_categories()
    if idea.category is not None and idea.category not in categories:
        # Keep the idea's own category selectable even if it was retired.
        categories.append(idea.category)
    if request.method == "GET":
        if not can_edit(idea):
            flash(_("Tego pomysłu nie można już edytować."), "info")
            return redirect(url_for("ideas.track", token=token))
        form = IdeaEditForm(obj=idea, categories=categories)
        form.category.data = idea.category.slug
        form.version.data = str(idea.version)
        return _render_edit(idea, token, form)
    form = IdeaEditForm(categories=categories)
    if not can_edit(idea):
        return _render_edit(idea, token, form, 409, _("Tego pomysłu nie można już edytować."))
    version = form.version_number()
    if version is None:
        version = -1  # a form without a version is as good as a stale one
    # The state and version first: a file is read (and decoded) only for
    # an edit that can still be saved.
    try:
        check_revision(idea, version)
    except ServiceError as refused:  # nothing was changed: nothing to roll back
        return _render_edit(idea, token, form, refused.status, refused.message)
    if not form.validate_on_submit():
        return _render_edit(idea, token, form, form.refused_status)
    category = db.session.scalar(select(Category).where(Category.slug == form.category.data))
    revision = Revision(
        title=form.title.data,
        description=form.description.data,
        category=category,
        author_name=form.author_name.data,
        municipality=form.municipality.data or None,
        show_author_name=bool(form.show_author_name.data),
        attachment=form.processed_attachment,
        remove_attachment=bool(form.remove_attachment.data),
    )
    was_changes_requested = idea.status == IdeaStatus.CHANGES_REQUESTED
    with committing(show=False) as done:
        revise_idea(idea, revision, version)
    if not done:
        idea = _tracked_or_404(token)
        return _render_edit(idea, token, form, done.status, done.message)
    if was_changes_requested:
        flash(_("Zapisano poprawki. Pomysł wrócił do moderatorów."), "success")
    else:
        flash(_("Zapisano zmiany."), "success")
    return redirect(url_for("ideas.track", token=token), code=303)


def _render_edit(
    idea: Idea, token: str, form: IdeaEditForm, status: int = 200, problem: str | None = None
) -> tuple[str, int]:
    return (
        render_template(
            "ideas/edit.html",
            idea=idea,
            token=token,
            form=form,
            problem=problem,
            max_attachment=human_size(current_app.config["MAX_ATTACHMENT_BYTES"]),
        ),
        status,
    )


@bp.route("/track/<token>/withdraw", methods=["GET", "POST"])
@private_page
def withdraw(token: str):
    idea = _tracked_or_404(token)
    form = WithdrawForm()
    if not can_withdraw(idea):
        if request.method == "GET":
            flash(_("Tego pomysłu nie można już wycofać."), "info")
            return redirect(url_for("ideas.track", token=token))
        return _render_withdraw(idea, token, form, 409, _("Tego pomysłu nie można już wycofać."))
    if request.method == "GET":
        return _render_withdraw(idea, token, form)
    if not form.validate_on_submit():
        return _render_withdraw(idea, token, form, 400)
    with committing(show=False) as done:
        withdraw_idea(idea, form.reason.data or None)
    if not done:
        idea = _tracked_or_404(token)
        return _render_withdraw(idea, token, form, done.status, done.message)
    flash(_("Pomysł został wycofany. Wysłaliśmy potwierdzenie na Twój adres e-mail."), "success")
    return redirect(url_for("ideas.track", token=token), code=303)


def _render_withdraw(
    idea: Idea, token: str, form: WithdrawForm, status: int = 200, problem: str | None = None
) -> tuple[str, int]:
    return (
        render_template("ideas/withdraw.html", idea=idea, token=token, form=form, problem=problem),
        status,
    )


@bp.route("/track/<token>/data.json")
@private_page
def data(token: str):
    idea = _tracked_or_404(token)
    return data_download(export_author_data(idea), f"odkrywka-pomysl-{idea.id}-dane.json")


@bp.route("/track/<token>/erase", methods=["GET", "POST"])
@private_page
def erase(token: str):
    idea = _tracked_or_404(token)
    form = EraseForm()
    will_delete = idea.published_at is None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            with committing():
                result = erase_author_data(idea)
            session["idea_erased"] = result
            return redirect(url_for("ideas.erased"), code=303)
        status = 400
    return (
        render_template(
            "ideas/erase.html", idea=idea, token=token, form=form, will_delete=will_delete
        ),
        status,
    )


@bp.route("/erased")
def erased():
    return render_template("ideas/erased.html", result=session.pop("idea_erased", None))


# -- attachments ------------------------------------------------------------------------


def _serve_attachment(idea: Idea, cache_control: str) -> Response:
    attachment = idea.attachment
    if attachment is None:
        abort(404)
    return send_stored_file(
        attachment.stored_name,
        attachment.content_type,
        attachment.original_name,
        as_attachment=not attachment.is_image,
        cache_control=cache_control,
    )


@bp.route("/<int:idea_id>/attachment")
def attachment(idea_id: int):
    """An idea's attachment: public once the idea is published; staff see any."""
    idea = db.session.get(Idea, idea_id)
    if idea is None:
        abort(404)
    if can("see_unpublished_ideas"):
        return _serve_attachment(idea, "private, no-store")
    if idea.status != IdeaStatus.PUBLISHED:
        abort(404)
    return _serve_attachment(idea, "public, max-age=300")


@bp.route("/track/<token>/attachment")
@private_page
def track_attachment(token: str):
    idea = _tracked_or_404(token)
    return _serve_attachment(idea, "no-store")
