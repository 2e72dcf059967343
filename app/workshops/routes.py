"""Public pages of the meetings: list, one meeting, registration, calendar."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db, limiter
from app.i18n import current_language
from app.ideas.forms import EraseForm
from app.models import Idea, IdeaStatus, Process, Workshop, WorkshopGroup, utcnow
from app.models.workshop import RegistrationStatus
from app.security.permissions import can
from app.transaction import attach_error, committing
from app.web import data_download, mark_private, private_page
from app.workshops import bp, services
from app.workshops.calendar import build_calendar
from app.workshops.forms import RegistrationForm, participant_group_labels

PAST_PER_PAGE = 12


def _published_workshop(slug: str) -> Workshop:
    workshop = db.session.scalar(select(Workshop).where(Workshop.slug == slug))
    if workshop is None or (not workshop.published and not can("manage_workshops")):
        abort(404)
    return workshop


@bp.route("/workshops")
def index():
    now = utcnow()
    process = None
    query = select(Workshop).where(Workshop.published.is_(True))
    process_slug = request.args.get("process", "").strip()
    if process_slug:
        process = db.session.scalar(
            select(Process).where(Process.slug == process_slug, Process.published.is_(True))
        )
        if process is None:
            abort(404, _("Nie ma takiej konsultacji."))
        query = query.where(Workshop.process_id == process.id)
    upcoming = db.session.scalars(
        query.where(Workshop.ends_at > now).order_by(Workshop.starts_at, Workshop.id)
    ).all()
    past = db.paginate(
        query.where(Workshop.ends_at <= now).order_by(
            Workshop.starts_at.desc(), Workshop.id.desc()
        ),
        # Bounded: a huge number would overflow the database's OFFSET (a 500).
        page=min(max(request.args.get("page", 1, type=int) or 1, 1), 1_000_000),
        per_page=PAST_PER_PAGE,
        error_out=False,
    )
    processes = db.session.scalars(
        select(Process)
        .where(Process.published.is_(True))
        .where(Process.id.in_(select(Workshop.process_id).where(Workshop.published.is_(True))))
        .order_by(Process.title)
    ).all()
    return render_template(
        "workshops/index.html",
        upcoming=upcoming,
        past=past,
        process=process,
        processes=processes,
        now=now,
    )


def _detail_context(workshop: Workshop) -> dict:
    now = utcnow()
    ideas = db.session.scalars(
        select(Idea)
        .outerjoin(WorkshopGroup, Idea.workshop_group_id == WorkshopGroup.id)
        .where(Idea.workshop_id == workshop.id, Idea.status == IdeaStatus.PUBLISHED)
        .order_by(WorkshopGroup.position, WorkshopGroup.id, Idea.published_at, Idea.id)
    ).all()
    ideas_by_group: list[tuple[WorkshopGroup | None, list[Idea]]] = []
    for idea in ideas:
        if ideas_by_group and ideas_by_group[-1][0] is idea.workshop_group:
            ideas_by_group[-1][1].append(idea)
        else:
            ideas_by_group.append((idea.workshop_group, [idea]))
    closed_reason = None
    try:
        services.check_open(workshop, now)
    except services.RegistrationClosed as error:
        closed_reason = str(error)
    return {
        "workshop": workshop,
        "ideas": ideas,
        "ideas_by_group": ideas_by_group,
        "closed_reason": closed_reason,
        "past": workshop.is_past(now),
        "started": workshop.has_started(now),
        "group_labels": participant_group_labels(),
    }


@bp.route("/workshops/<slug>")
def detail(slug: str):
    workshop = _published_workshop(slug)
    form = RegistrationForm()
    # Right after a registration the form gives way to "check your e-mail"
    # (once: a reload, or "Zapisz inną osobę", shows the form again).
    sent = session.get("registration_sent")
    if sent and sent.get("slug") == workshop.slug:
        session.pop("registration_sent")
        mark_private()
    else:
        sent = None
    return render_template(
        "workshops/detail.html", form=form, sent=sent, **_detail_context(workshop)
    )


@bp.route("/workshops/<slug>/register", methods=["POST"])
@limiter.limit("20 per hour")
def register(slug: str):
    workshop = _published_workshop(slug)
    form = RegistrationForm()
    status = 400
    registration_error = None
    if form.validate_on_submit():
        with committing(show=False) as done:
            services.register(
                workshop,
                name=form.name.data,
                email=form.email.data,
                participant_group=form.participant_group.data,
                needs=form.needs.data or "",
                locale=current_language(),
            )
        if done.error is not None:
            status = done.status
            if done.error.field and done.error.field in form:
                attach_error(form, done.error)
            else:
                registration_error = done.message
        else:
            # The same answer whatever the address's state (new, unconfirmed,
            # confirmed, waiting): only its owner learns which, by mail.
            session["registration_sent"] = {
                "slug": workshop.slug,
                "email": form.email.data.strip(),
                "waiting": bool(workshop.is_full),
            }
            return redirect(
                url_for("workshops.detail", slug=workshop.slug, _anchor="zapisy"), code=303
            )
    context = _detail_context(workshop)
    return (
        render_template(
            "workshops/detail.html",
            form=form,
            registration_error=registration_error,
            **context,
        ),
        status,
    )


# --- the person's private page -------------------------------------------


def _dead_link_message() -> str:
    return _(
        "Ten link jest nieprawidłowy albo wygasł. Niepotwierdzone zapisy wygasają po "
        "kilku dniach – możesz zapisać się ponownie na stronie spotkania."
    )


def _registration_or_404(token: str):  # noqa: ANN202
    registration = services.find_by_token(token)
    if registration is None or services.link_is_dead(registration):
        abort(404, _dead_link_message())
    return registration


def _render_registration(registration, status: int = 200, error: str | None = None):  # noqa: ANN001, ANN202
    now = utcnow()
    body = render_template(
        "workshops/registration.html",
        registration=registration,
        workshop=registration.workshop,
        token=request.view_args["token"],
        position=services.waiting_position(registration),
        deadline=(
            services.unconfirmed_deadline(registration)
            if registration.status == RegistrationStatus.UNCONFIRMED
            else None
        ),
        cancel_only=request.args.get("cancel") == "1",
        past=registration.workshop.is_past(now),
        error=error,
        group_labels=participant_group_labels(),
    )
    return Response(body, status=status, mimetype="text/html")


def _change_registration(registration, change):  # noqa: ANN001, ANN202
    """Run a service change and commit it; an outcome string, or the page
    explaining why it could not be done (a dead link is a 404)."""
    with committing(show=False) as done:
        outcome = change(registration)
    if isinstance(done.error, services.RegistrationExpired):
        abort(404, _dead_link_message())
    if not done:
        return _render_registration(registration, done.status, done.message)
    return outcome


@bp.route("/registrations/<token>")
@private_page
def registration(token: str):
    """View the registration; every change is a POST from this page."""
    return _render_registration(_registration_or_404(token))


@bp.route("/registrations/<token>/confirm", methods=["POST"])
@private_page
def registration_confirm(token: str):
    registration = _registration_or_404(token)
    outcome = _change_registration(registration, services.confirm)
    if isinstance(outcome, Response):
        return outcome
    messages = {
        "confirmed": (_("Zapis potwierdzony – masz miejsce na spotkaniu."), "success"),
        "waiting": (
            _(
                "Zapis potwierdzony, ale wszystkie miejsca są zajęte – jesteś na liście "
                "rezerwowej, na miejscu %(position)s. Napiszemy, gdy zwolni się miejsce.",
                position=services.waiting_position(registration) or 1,
            ),
            "info",
        ),
        "already": (_("Ten zapis był już potwierdzony."), "info"),
    }
    flash(*messages[outcome])
    return redirect(url_for("workshops.registration", token=token), code=303)


@bp.route("/registrations/<token>/cancel", methods=["POST"])
@private_page
def registration_cancel(token: str):
    registration = _registration_or_404(token)
    outcome = _change_registration(registration, services.cancel)
    if isinstance(outcome, Response):
        return outcome
    if outcome == "cancelled":
        flash(
            _("Zapis anulowany. Dziękujemy, że dajesz znać – miejsce dostanie ktoś inny."),
            "success",
        )
    else:
        flash(_("Ten zapis był już anulowany."), "info")
    return redirect(url_for("workshops.registration", token=token), code=303)


@bp.route("/registrations/<token>/data.json")
@private_page
def registration_data(token: str):
    """Everything held about the person behind this registration (JSON)."""
    registration = _registration_or_404(token)
    return data_download(
        services.export_registration_data(registration),
        f"odkrywka-zapis-{registration.id}-dane.json",
    )


@bp.route("/registrations/<token>/erase", methods=["GET", "POST"])
@private_page
def registration_erase(token: str):
    """Confirm, then cancel the registration (if still active) and erase the data."""
    registration = _registration_or_404(token)
    form = EraseForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            title = registration.workshop.title
            with committing():
                outcome = services.anonymise_registration(registration)
            session["registration_erased"] = {"outcome": outcome, "workshop": title}
            return redirect(url_for("workshops.registration_erased"), code=303)
        status = 400
    body = render_template(
        "workshops/registration_erase.html",
        registration=registration,
        workshop=registration.workshop,
        token=token,
        form=form,
        active=registration.is_active and not registration.workshop.is_past(utcnow()),
    )
    return Response(body, status=status, mimetype="text/html")


@bp.route("/registrations/erased")
def registration_erased():
    result = session.pop("registration_erased", None)
    if result is None:
        return redirect(url_for("workshops.index"))
    mark_private()
    return render_template("workshops/registration_erased.html", result=result)


# --- calendar ------------------------------------------------------------


def _ics_response(data: bytes, filename: str | None = None) -> Response:
    response = Response(data, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/workshops.ics")
def calendar_all():
    workshops = db.session.scalars(
        select(Workshop).where(Workshop.published.is_(True)).order_by(Workshop.starts_at)
    ).all()
    return _ics_response(build_calendar(workshops, _("Spotkania konsultacyjne – Odkrywka")))


@bp.route("/workshops/<slug>.ics")
def calendar_one(slug: str):
    workshop = db.session.scalar(
        select(Workshop).where(Workshop.slug == slug, Workshop.published.is_(True))
    )
    if workshop is None:
        abort(404)
    return _ics_response(build_calendar([workshop], workshop.title), f"{workshop.slug}.ics")
