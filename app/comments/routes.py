"""Comments: write one (or a reply), confirm it, the author's private page,
readers' reports, the discussion's Atom feed and the author's alerts.

Thin views: validate the form, run the service in ``committing``, redirect.
A refused comment is shown again on its own page, typed text kept, with
the refusal's status.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select

from app.clients import client_address, keyed_hash
from app.comments import bp, services
from app.comments.forms import (
    AlertForm,
    CommentForm,
    CommentReportForm,
    ConfirmForm,
    EditCommentForm,
)
from app.extensions import csrf, db, limiter
from app.fragments import BlankForm, blank_form
from app.i18n import current_language
from app.models import Comment, CommentStatus, Idea, IdeaStatus, utcnow
from app.models.base import is_valid_id
from app.security.tokens import hash_token
from app.transaction import committing
from app.web import data_download, external_url, mark_private, private_page

SORT_ARG, PAGE_ARG, NEWEST = "komentarze", "strona-komentarzy", "najnowsze"


# --- what the idea page's include reads --------------------------------


@bp.app_template_global()
def idea_discussion(idea: Idea) -> services.Discussion:
    """The page of the idea's discussion the reader asked for (query
    ``komentarze=najnowsze`` and ``strona-komentarzy=N``)."""
    newest = request.args.get(SORT_ARG) == NEWEST
    page = request.args.get(PAGE_ARG, 1, type=int) or 1
    return services.discussion(
        "idea", idea.id, idea.comments_count, min(max(page, 1), 100_000), newest
    )


@bp.app_template_global()
def comment_form() -> BlankForm:
    return blank_form(CommentForm)


@bp.app_template_global()
def comments_open_for(idea: Idea) -> bool:
    return services.comments_open(idea.process)


@bp.app_template_global()
def comments_closed_for(idea: Idea) -> str:
    return services.comments_closed_message(idea.process)


bp.add_app_template_filter(services.linkify, "comment_text")
bp.add_app_template_global(services.display_name, "comment_author")


def _published_idea(idea_id: int) -> Idea:
    idea = db.get_or_404(Idea, idea_id)
    if idea.status != IdeaStatus.PUBLISHED:
        abort(404)
    return idea


def _idea_url(idea: Idea, anchor: str | None = "komentarze") -> str:
    return url_for("catalogue.detail", idea_id=idea.id, slug=idea.slug, _anchor=anchor)


# --- writing ---------------------------------------------------------------


def _comment_limit() -> str:
    return current_app.config.get("RATELIMIT_COMMENT", "5 per minute;30 per hour")


def _parent_arg() -> int | None:
    """The comment replied to; -1 (which no comment has) for a value that
    cannot be an id, so the service refuses it instead of ignoring it."""
    raw = (request.values.get("parent_id") or request.args.get("parent") or "").strip()
    if not raw:
        return None
    return int(raw) if raw.isdigit() and is_valid_id(int(raw)) else -1


def _render_write(idea: Idea, form: CommentForm, status: int = 200, problem: str | None = None):  # noqa: ANN202
    parent_id = _parent_arg()
    parent = db.session.get(Comment, parent_id) if parent_id and parent_id > 0 else None
    if parent is not None and (
        parent.target_type != "idea"
        or parent.target_id != idea.id
        or parent.status not in (CommentStatus.PUBLISHED, CommentStatus.HIDDEN)
    ):
        parent = None
    if parent is not None and form.parent_id.data in (None, ""):
        form.parent_id.data = str(parent.id)
    return (
        render_template(
            "comments/write.html",
            idea=idea,
            form=form,
            parent=parent,
            problem=problem,
            is_open=services.comments_open(idea.process),
        ),
        status,
    )


@bp.route("/ideas/<int:idea_id>/comments", methods=["GET", "POST"])
@limiter.limit(_comment_limit, methods=["POST"])
def write(idea_id: int):
    """GET: the comment form on its own page (a reply: ``?parent=ID``).
    POST: the comment (the form on the idea page posts here too)."""
    idea = _published_idea(idea_id)
    form = CommentForm() if request.method == "POST" else CommentForm(formdata=None)
    if request.method == "GET":
        if not services.comments_open(idea.process):
            return _render_write(idea, form, 200, _closed_message(idea))
        return _render_write(idea, form)
    if (request.form.get("website") or "").strip():
        # A bot filled the hidden field: it is told what a person would be.
        flash(_sent_message("pending"), "success")
        return redirect(_idea_url(idea), 303)
    if not services.comments_open(idea.process):
        return _render_write(idea, form, 409, _closed_message(idea))
    if not form.validate_on_submit():
        return _render_write(idea, form, 400)
    browser = services.browser_for(request.cookies.get(services.BROWSER_COOKIE))
    with committing(form) as done:
        posted = services.post_comment(
            services.idea_target(idea),
            body=form.body.data,
            author_name=form.author_name.data,
            email=form.email.data,
            locale=current_language(),
            parent_id=_parent_arg(),
            browser=browser,
        )
        if form.follow.data:
            services.follow_discussion(
                services.idea_target(idea), form.email.data, current_language()
            )
    if not done:
        idea = db.session.get(Idea, idea_id)
        problem = done.message if not done.error.field else None
        return _render_write(idea, form, done.status, problem)
    flash(_sent_message(posted.outcome), "success")
    anchor = f"komentarz-{posted.comment.id}" if posted.outcome == "published" else "komentarze"
    return redirect(_idea_url(idea, anchor), 303)


def _closed_message(idea: Idea) -> str:
    return services.comments_closed_message(idea.process)


def _sent_message(outcome: str) -> str:
    if outcome == "published":
        return _("Komentarz został opublikowany. Link do jego poprawienia lub usunięcia "
                 "wysłaliśmy e-mailem.")  # fmt: skip
    if outcome == "held":
        return _("Dziękujemy. Komentarz pojawi się po sprawdzeniu przez moderatorów.")
    return _("Sprawdź skrzynkę: wysłaliśmy link potwierdzający. Komentarz pojawi się "
             "po jego kliknięciu.")  # fmt: skip


@bp.route("/comments/confirm/<token>")
@private_page
def confirm(token: str):
    with committing(show=False) as done:
        confirmed = services.confirm_comment(token)
    if not done:
        return render_template("comments/confirmed.html", error=done.message, outcome=None), (
            done.status
        )
    target = confirmed.target
    response = current_app.make_response(
        render_template(
            "comments/confirmed.html",
            error=None,
            outcome=confirmed.outcome,
            target_url=target.url + f"#komentarz-{confirmed.comment.id}" if target else None,
        )
    )
    if confirmed.browser_cookie:
        response.set_cookie(
            services.BROWSER_COOKIE,
            confirmed.browser_cookie,
            max_age=int(services.browser_lifetime().total_seconds()),
            httponly=True,
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
            samesite="Lax",
        )
    return response


# --- the author's private page ------------------------------------------------


def _own_or_404(token: str) -> Comment:
    comment = services.find_by_manage_link(token)
    if comment is None:
        abort(404, _("Ten link jest nieprawidłowy albo komentarz został już usunięty."))
    return comment


def _render_manage(comment: Comment, token: str, form=None, status: int = 200):  # noqa: ANN001, ANN202
    target = services.target_of(comment)
    if form is None:
        form = EditCommentForm(formdata=None, data={"body": comment.body})
    return (
        render_template(
            "comments/manage.html",
            comment=comment,
            token=token,
            target=target,
            form=form,
            confirm_form=ConfirmForm(formdata=None),
            can_edit=services.can_edit(comment),
            edit_until=comment.started_at + services.edit_window(),
        ),
        status,
    )


@bp.route("/comments/manage/<token>", methods=["GET", "POST"])
@private_page
def manage(token: str):
    """The comment's private page: see it, edit it (for a short while),
    delete it, download or erase one's data."""
    comment = _own_or_404(token)
    if request.method == "GET":
        return _render_manage(comment, token)
    form = EditCommentForm()
    if not form.validate_on_submit():
        return _render_manage(comment, token, form, 400)
    with committing(form) as done:
        services.edit_comment(comment, form.body.data)
    if not done:
        return _render_manage(_own_or_404(token), token, form, done.status)
    flash(_("Zapisano poprawiony komentarz."), "success")
    return redirect(url_for("comments.manage", token=token), 303)


@bp.route("/comments/manage/<token>/delete", methods=["POST"])
@private_page
def delete(token: str):
    comment = _own_or_404(token)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    target = services.target_of(comment)
    with committing():
        services.delete_by_author(comment)
    flash(_("Komentarz został usunięty."), "success")
    if target is not None:
        return redirect(target.url.removeprefix(current_app.config["BASE_URL"]), 303)
    return redirect(url_for("catalogue.index"), 303)


@bp.route("/comments/manage/<token>/data.json")
@private_page
def data(token: str):
    comment = _own_or_404(token)
    return data_download(
        {"email": comment.email, **services.export_commenter_data(comment.email or "")},
        f"odkrywka-komentarze-{comment.id}-dane.json",
    )


@bp.route("/comments/manage/<token>/browsers", methods=["POST"])
@private_page
def forget_browsers(token: str):
    comment = _own_or_404(token)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with committing():
        services.revoke_browsers(comment.email or "")
    flash(
        _("Przeglądarki zapomniane: przy następnym komentarzu poprosimy o potwierdzenie e-mailem."),
        "success",
    )
    response = redirect(url_for("comments.manage", token=token), 303)
    response.delete_cookie(services.BROWSER_COOKIE)
    return response


@bp.route("/comments/manage/<token>/erase", methods=["GET", "POST"])
@private_page
def erase(token: str):
    """Confirm, then erase every comment from this address and all that is
    held about it for comments."""
    comment = _own_or_404(token)
    form = ConfirmForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            with committing():
                count = services.erase_commenter_data(comment.email or "")
            session["comments_erased"] = count
            response = redirect(url_for("comments.erased"), 303)
            response.delete_cookie(services.BROWSER_COOKIE)
            return response
        status = 400
    return render_template("comments/erase.html", comment=comment, token=token, form=form), status


@bp.route("/comments/erased")
def erased():
    count = session.pop("comments_erased", None)
    if count is None:
        return redirect(url_for("catalogue.index"))
    mark_private()
    return render_template("comments/erased.html", count=count)


# --- readers' reports ---------------------------------------------------------


def _report_limit() -> str:
    return current_app.config.get("RATELIMIT_REPORT", "5 per hour;20 per day")


@bp.route("/ideas/<int:idea_id>/comments/<int:comment_id>/report", methods=["GET", "POST"])
@limiter.limit(_report_limit, methods=["POST"])
def report(idea_id: int, comment_id: int):
    idea = _published_idea(idea_id)
    comment = db.session.get(Comment, comment_id)
    if (
        comment is None
        or comment.target_type != "idea"
        or comment.target_id != idea.id
        or comment.status != CommentStatus.PUBLISHED
    ):
        abort(404)
    form = CommentReportForm()
    status = 200
    if form.validate_on_submit():
        with committing(form) as done:
            services.report_comment(
                comment, form.reason.data, keyed_hash(client_address(), "report")
            )
        if done:
            flash(_("Dziękujemy. Moderatorzy przyjrzą się temu komentarzowi."), "success")
            return redirect(_idea_url(idea, f"komentarz-{comment_id}"), 303)
        status = done.status
    elif request.method == "POST":
        status = 400
    return render_template("comments/report.html", idea=idea, comment=comment, form=form), status


# --- the Atom feed --------------------------------------------------------------


@bp.route("/ideas/<int:idea_id>/comments.atom")
def feed(idea_id: int):
    """The idea's published comments, newest first (Atom, plain text)."""
    idea = _published_idea(idea_id)
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    idea_url = external_url("catalogue.detail", idea_id=idea.id, slug=idea.slug)
    entries = []
    for comment in services.latest_comments("idea", idea.id):
        published = comment.published_at or comment.created_at
        entries.append(
            {
                "id": f"tag:{host},{published:%Y}:comment/{comment.id}",
                "title": _("%(author)s o pomyśle „%(title)s”",
                           author=services.display_name(comment), title=idea.title),
                "url": f"{idea_url}#komentarz-{comment.id}",
                "published": published,
                "updated": comment.edited_at or published,
                "categories": [("official", _("Odpowiedź organizatora"))] if comment.official else [],
                "text": comment.body,
            }
        )  # fmt: skip
    body = render_template(
        "feeds/atom.xml",
        feed_id=f"tag:{host},2026:idea/{idea.id}/comments",
        title=_("Komentarze: %(title)s", title=idea.title),
        subtitle=_("Dyskusja pod pomysłem w konsultacjach na platformie Odkrywka"),
        self_url=external_url("comments.feed", idea_id=idea.id),
        alternate_url=idea_url,
        updated=max((entry["updated"] for entry in entries), default=idea.published_at or utcnow()),
        entries=entries,
    )
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Content-Type"] = "application/atom+xml; charset=utf-8"
    return response


# --- the idea author's alerts -----------------------------------------------


@bp.route("/comments/alerts/<token>", methods=["POST"])
@private_page
def alerts(token: str):
    """The idea's author (from their tracking page) chooses how to hear of
    new comments. *token* is the tracking link's own secret."""
    idea = db.session.scalar(select(Idea).where(Idea.track_token_hash == hash_token(token)))
    if idea is None:
        abort(404)
    form = AlertForm()
    if not form.validate_on_submit():
        flash(_("Wybierz, jak często wysyłać powiadomienia."), "error")
        return redirect(url_for("ideas.track", token=token, _anchor="komentarze"), 303)
    with committing():
        services.set_alert(idea, form.cadence.data)
    flash(_("Zapisano ustawienia powiadomień o komentarzach."), "success")
    return redirect(url_for("ideas.track", token=token, _anchor="komentarze"), 303)


@bp.route("/comments/unsubscribe/<token>", methods=["GET", "POST"])
@private_page
def unsubscribe(token: str):
    """One-click unsubscribe (RFC 8058): GET asks, POST stops the mail,
    without a cookie or CSRF token."""
    idea = services.idea_for_alert_token(token)
    if idea is None:
        abort(404, _("Ten link jest nieprawidłowy albo wygasł."))
    done = False
    if request.method == "POST":
        with committing():
            services.set_alert(idea, "off")
        done = True
    return render_template("comments/unsubscribe.html", idea=idea, token=token, done=done)


# Unsubscribing must work from a mail client, which sends no CSRF token.
csrf.exempt(unsubscribe)


def track_context(idea: Idea, token: str) -> dict:
    """What the include on the author's tracking page needs."""
    form = AlertForm(formdata=None, data={"cadence": services.alert_for(idea)})
    return {"comments": services.comments_for_author(idea), "alert_form": form, "token": token}


bp.add_app_template_global(track_context, "comment_track_context")
