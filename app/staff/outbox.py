"""The mail outbox for administrators, and the dashboard warning when mail
is stuck."""

from __future__ import annotations

from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from app import mail
from app.extensions import db
from app.models import OutboxMessage, OutboxStatus
from app.security.permissions import can, permission_required
from app.staff import bp, services
from app.staff.dashboard import Alert
from app.text import mask_email
from app.transaction import committing

PER_PAGE = 50
STUCK_AFTER = timedelta(minutes=15)


def status_labels() -> dict[str, str]:
    return {
        OutboxStatus.PENDING: _("czeka"),
        OutboxStatus.SENDING: _("w wysyłce"),
        OutboxStatus.SENT: _("wysłana"),
        OutboxStatus.FAILED: _("odrzucona"),
        OutboxStatus.EXPIRED: _("przeterminowana"),
    }


def mail_alerts() -> list[Alert]:
    """A warning for every staff member when mail is stuck: the oldest
    waiting message is older than 15 minutes, or messages failed in the
    last hour. Administrators get a link to the outbox."""
    state = mail.health()
    if not state.stuck(STUCK_AFTER):
        return []
    age = state.oldest_pending_age
    minutes = int(age.total_seconds() // 60) if age is not None else 0
    parts = [_("Poczta nie wychodzi tak, jak powinna.")]
    if state.pending:
        parts.append(
            ngettext(
                "Czeka %(num)s wiadomość",
                "Czeka %(num)s wiadomości",
                state.pending,
            )
            + " "
            + ngettext(
                "(najstarsza od %(num)s minuty).",
                "(najstarsza od %(num)s minut).",
                minutes,
            )
        )
    if state.failures_last_hour:
        parts.append(
            ngettext(
                "W ostatniej godzinie %(num)s nieudana próba wysyłki.",
                "W ostatniej godzinie %(num)s nieudane próby wysyłki.",
                state.failures_last_hour,
            )
        )
    if state.failed or state.expired:
        parts.append(
            _(
                "Odrzucone: %(failed)s, przeterminowane: %(expired)s.",
                failed=state.failed,
                expired=state.expired,
            )
        )
    if can("manage_mail"):
        return [Alert(" ".join(parts), url_for("staff.outbox"), _("Zobacz skrzynkę nadawczą"))]
    return [Alert(" ".join(parts + [_("Daj znać administratorowi.")]))]


@bp.route("/mail")
@permission_required("manage_mail")
def outbox():
    wanted = request.args.get("status") or ""
    labels = status_labels()
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if wanted in labels:
        query = query.where(OutboxMessage.status == wanted)
    else:
        wanted = ""
    try:
        page_number = max(int(request.args.get("page", 1)), 1)
    except ValueError:
        page_number = 1
    page = db.paginate(query, page=page_number, per_page=PER_PAGE, error_out=False)
    return render_template(
        "staff/outbox.html",
        page=page,
        wanted=wanted,
        labels=labels,
        health=mail.health(),
        mask_email=mask_email,
        retryable=tuple(s.value for s in (OutboxStatus.FAILED, OutboxStatus.EXPIRED)),
    )


def _report(outcome: mail.RetryOutcome) -> None:
    if outcome.requeued:
        flash(
            ngettext(
                "Ponownie w kolejce: %(num)s wiadomość.",
                "Ponownie w kolejce: %(num)s wiadomości.",
                outcome.requeued,
            ),
            "success",
        )
    if outcome.dropped:
        flash(
            ngettext(
                "%(num)s wiadomość nie jest już potrzebna (sprawa załatwiona albo "
                "usunięta) – nie wysłano jej.",
                "%(num)s wiadomości nie jest już potrzebnych (sprawy załatwione albo "
                "usunięte) – nie wysłano ich.",
                outcome.dropped,
            ),
            "info",
        )
    if not outcome.requeued and not outcome.dropped:
        flash(_("Nie ma wiadomości do ponownej wysyłki."), "info")


@bp.route("/mail/<int:message_id>/retry", methods=["POST"])
@permission_required("manage_mail")
def outbox_retry_one(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    with committing() as done:
        outcome = services.retry_mail(current_user, message)
    if done:
        _report(outcome)
    return redirect(url_for("staff.outbox", status=request.form.get("status") or None))


@bp.route("/mail/retry", methods=["POST"])
@permission_required("manage_mail")
def outbox_retry_all():
    with committing() as done:
        outcome = services.retry_mail(current_user)
    if done:
        _report(outcome)
    return redirect(url_for("staff.outbox"))
