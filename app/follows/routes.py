"""Following without an account: the forms, the confirmation link, the
follower's preferences page and the one-click stop (RFC 8058)."""

from __future__ import annotations

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

from app.extensions import csrf, db, limiter
from app.follows import bp, services
from app.follows.forms import EraseFollowerForm, FollowForm, FollowIdeaForm, PreferencesForm
from app.fragments import BlankForm, blank_form
from app.i18n import current_language
from app.models import Follower, Idea, Process
from app.models.base import MAX_ID
from app.transaction import committing
from app.web import data_download, mark_private, private_page


@bp.app_template_global()
def follow_process_form() -> BlankForm:
    """A fresh follow form for the consultation page's include."""
    return blank_form(FollowForm)


@bp.app_template_global()
def follow_idea_form() -> BlankForm:
    """A fresh follow form for the idea page's include."""
    return blank_form(FollowIdeaForm)


def _follow_limit() -> str:
    return current_app.config.get("RATELIMIT_FOLLOW", "10 per hour;3 per minute")


def _process_or_404(slug: str) -> Process:
    process = db.session.scalar(
        select(Process).where(Process.slug == slug, Process.published.is_(True))
    )
    if process is None:
        abort(404)
    return process


def _idea_or_404(idea_id: int) -> Idea:
    idea = db.session.get(Idea, idea_id)
    if idea is None or not services.can_follow_idea(idea):
        abort(404)
    return idea


def _follow(form: FollowForm, template: str, sent_args: dict, **context):  # noqa: ANN202
    """Validate, follow, and answer the same whatever the address's state."""
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            with committing(form) as done:
                services.subscribe(
                    form.email.data,
                    cadence=form.cadence.data,
                    comments=bool(getattr(form, "comments", None) and form.comments.data),
                    locale=current_language(),
                    **context,
                )
            if done:
                return redirect(url_for("follows.sent", **sent_args), code=303)
            status = done.status
        else:
            status = 400
    return render_template(template, form=form, **context), status


@bp.route("/processes/<slug>", methods=["GET", "POST"])
@limiter.limit(_follow_limit, methods=["POST"])
def follow_process(slug: str):
    """The "Obserwuj konsultację" form alone (and its answers)."""
    process = _process_or_404(slug)
    return _follow(FollowForm(), "follows/follow.html", {"process": slug}, process=process)


@bp.route("/ideas/<int:idea_id>", methods=["GET", "POST"])
@limiter.limit(_follow_limit, methods=["POST"])
def follow_idea(idea_id: int):
    """The "Obserwuj pomysł" form alone (and its answers)."""
    idea = _idea_or_404(idea_id)
    return _follow(FollowIdeaForm(), "follows/follow.html", {"idea": idea.id}, idea=idea)


@bp.route("/sent")
def sent():
    """The same answer for every address: new, waiting or confirmed."""
    back = None
    if (request.args.get("idea") or "").isdigit():
        idea = db.session.get(Idea, min(int(request.args["idea"]), MAX_ID))
        if idea is not None and services.can_follow_idea(idea):
            back = (url_for("catalogue.detail", idea_id=idea.id, slug=idea.slug), idea.title)
    elif request.args.get("process"):
        process = db.session.scalar(
            select(Process).where(
                Process.slug == request.args["process"][:120], Process.published.is_(True)
            )
        )
        if process is not None:
            back = (url_for("processes.detail", slug=process.slug), process.title)
    return render_template("follows/sent.html", back=back)


@bp.route("/confirm/<token>")
@private_page
def confirm(token: str):
    with committing(show=False) as done:
        subscription, newly = services.confirm(token)
    if not done:
        return render_template("follows/confirmed.html", error=done.message), done.status
    return render_template(
        "follows/confirmed.html",
        error=None,
        newly=newly,
        title=services.subject_title(subscription),
        page_url=services.subject_url(subscription),
        manage_url=url_for("follows.manage", token=services.manage_token(subscription.follower)),
    )


# --- the preferences page -------------------------------------------------------


def _follower_or_404(token: str) -> Follower:
    follower = services.find_follower_by_link(token)
    if follower is None:
        abort(
            404,
            _(
                "Ten link jest nieprawidłowy albo Twoje dane zostały już usunięte. "
                "Link do ustawień znajdziesz w każdej wiadomości o obserwowaniu."
            ),
        )
    return follower


def _forms(follower: Follower) -> dict[int, PreferencesForm]:
    forms = {}
    for subscription in follower.subscriptions:
        form = PreferencesForm(formdata=None, prefix=f"s{subscription.id}")
        form.cadence.data = subscription.cadence
        form.comments.data = subscription.comments
        forms[subscription.id] = form
    return forms


def _manage_page(follower: Follower, token: str, status: int = 200, replace=None):  # noqa: ANN001, ANN202
    forms = _forms(follower)
    forms.update(replace or {})
    body = render_template(
        "follows/manage.html",
        follower=follower,
        subscriptions=[
            {
                "row": subscription,
                "title": services.subject_title(subscription),
                "url": services.subject_url(subscription),
                "form": forms[subscription.id],
            }
            for subscription in follower.subscriptions
        ],
        token=token,
    )
    return Response(body, status=status, mimetype="text/html")


@bp.route("/manage/<token>")
@private_page
def manage(token: str):
    """The follower's preferences: every follow, how often, stop, data."""
    return _manage_page(_follower_or_404(token), token)


@bp.route("/manage/<token>/<int:subscription_id>", methods=["POST"])
@private_page
def change(token: str, subscription_id: int):
    follower = _follower_or_404(token)
    form = PreferencesForm(prefix=f"s{subscription_id}")
    if not form.validate_on_submit():
        if subscription_id not in {s.id for s in follower.subscriptions}:
            abort(404)
        return _manage_page(follower, token, 400, {subscription_id: form})
    with committing(form) as done:
        services.change(follower, subscription_id, form.cadence.data, form.comments.data)
    if done:
        flash(_("Zapisano ustawienia."), "success")
    return redirect(url_for("follows.manage", token=token), code=303)


@bp.route("/manage/<token>/<int:subscription_id>/stop", methods=["POST"])
@private_page
def stop(token: str, subscription_id: int):
    follower = _follower_or_404(token)
    with committing() as done:
        title = services.stop(follower, subscription_id)
    if done:
        flash(_("Nie obserwujesz już: %(title)s.", title=title), "success")
    return redirect(url_for("follows.manage", token=token), code=303)


@bp.route("/manage/<token>/stop-all", methods=["POST"])
@private_page
def stop_all(token: str):
    follower = _follower_or_404(token)
    with committing():
        services.stop_all(follower)
    flash(_("Nie obserwujesz już niczego. Nie będziemy wysyłać powiadomień."), "success")
    return redirect(url_for("follows.manage", token=token), code=303)


@bp.route("/manage/<token>/data.json")
@private_page
def data(token: str):
    follower = _follower_or_404(token)
    return data_download(
        services.export_follower(follower), f"odkrywka-obserwowanie-{follower.id}-dane.json"
    )


@bp.route("/manage/<token>/erase", methods=["GET", "POST"])
@private_page
def erase(token: str):
    follower = _follower_or_404(token)
    form = EraseFollowerForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            with committing():
                services.erase_follower(follower)
            session["follow_erased"] = True
            return redirect(url_for("follows.erased"), code=303)
        status = 400
    return render_template("follows/erase.html", form=form, token=token), status


@bp.route("/erased")
def erased():
    if not session.pop("follow_erased", None):
        return redirect(url_for("core.home"))
    mark_private()
    return render_template("follows/erased.html")


# --- one-click stop (RFC 8058) -------------------------------------------------------


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: the mail client POSTs with no cookie and no token
@private_page
def unsubscribe(token: str):
    """GET: a page with one button. POST (from that button or a mail
    client's one-click): stop what the link names, and nothing else.

    No rate limit: a mail provider sends its users' one-clicks from a few
    addresses, and the link is a 256-bit keyed hash nobody can guess."""
    found = services.find_by_stop_link(token)
    if request.method == "GET":
        if found is None:
            return render_template("follows/unsubscribe.html", found=None, done=False), 404
        follower, subscription = found
        title = services.subject_title(subscription) if subscription else None
        return render_template(
            "follows/unsubscribe.html",
            found=True,
            done=False,
            title=title,
            token=token,
            manage_url=url_for("follows.manage", token=services.manage_token(follower)),
        )
    if found is None:
        return render_template("follows/unsubscribe.html", found=None, done=False), 404
    follower, subscription = found
    with committing():
        if subscription is not None:
            services.stop_subscription(subscription)
        else:
            services.stop_all(follower)
    return render_template("follows/unsubscribe.html", found=True, done=True, title=None)
