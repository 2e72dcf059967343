"""Staff rules for newsletters: drafts, test sends and scheduling. Every
change is audited; nothing here commits."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import update

from app import audit
from app.errors import ServiceError
from app.extensions import db
from app.models import Newsletter, NewsletterStatus, User, utcnow
from app.newsletters import services as newsletters
from app.timeutil import local_to_utc

# A "now" typed a moment ago is still now.
PAST_TOLERANCE = timedelta(minutes=1)


class NewsletterError(ServiceError):
    status = 422


def _editable(newsletter: Newsletter) -> None:
    if newsletter.status != NewsletterStatus.DRAFT:
        raise NewsletterError(
            _("Ten newsletter jest już zaplanowany albo wysłany – nie można go zmienić."),
            status=409,
        )


def save(actor: User, newsletter: Newsletter | None, data: dict[str, Any]) -> Newsletter:
    creating = newsletter is None
    if newsletter is None:
        newsletter = Newsletter(created_by_id=actor.id)
        db.session.add(newsletter)
    else:
        _editable(newsletter)
    newsletter.subject = (data.get("subject") or "").strip()
    newsletter.body = (data.get("body") or "").strip()
    newsletter.segments = list(dict.fromkeys(data.get("segments") or []))
    newsletter.public = bool(data.get("public"))
    _refuse_empty(newsletter)
    db.session.flush()
    audit.record(
        "newsletter.created" if creating else "newsletter.updated", newsletter, actor=actor
    )
    return newsletter


def _refuse_empty(newsletter: Newsletter) -> None:
    if not newsletter.subject:
        raise NewsletterError(_("Wpisz temat wiadomości."), field="subject")
    if not newsletter.body:
        raise NewsletterError(_("Wpisz treść wiadomości."), field="body")


def send_test(actor: User, newsletter: Newsletter) -> None:
    """The newsletter as recipients will get it, to the staff member alone."""
    _refuse_empty(newsletter)
    newsletters.queue_newsletter_mail(
        newsletter,
        actor.email,
        "pl",
        reasons=newsletters.reasons(list(newsletter.segments or [])),
        unsubscribe_url=None,
        test=True,
    )
    audit.record("newsletter.test_sent", newsletter, actor=actor)


def schedule(
    actor: User, newsletter: Newsletter, send_at: datetime | None, now: datetime | None = None
) -> int:
    """Schedule sending at *send_at* (Warsaw wall-clock time; None: now).
    Refuses an empty newsletter, no audience and a time in the past.
    Returns the number of recipients it would reach now."""
    now = now or utcnow()
    _editable(newsletter)
    _refuse_empty(newsletter)
    when = local_to_utc(send_at) if send_at is not None else now
    if when < now - PAST_TOLERANCE:
        raise NewsletterError(
            _("Ten termin już minął. Wybierz chwilę w przyszłości albo zostaw pole puste."),
            field="send_at",
        )
    if not newsletter.segments:
        raise NewsletterError(_("Wybierz, do kogo wysłać newsletter."), field="segments")
    reach = len(newsletters.audience(list(newsletter.segments)))
    if reach == 0:
        raise NewsletterError(
            _("Wybrane grupy nie obejmują nikogo, kto zgodził się na wiadomości."),
            field="segments",
        )
    newsletter.status = NewsletterStatus.SCHEDULED
    newsletter.scheduled_at = max(when, now)
    db.session.flush()
    audit.record(
        "newsletter.scheduled",
        newsletter,
        actor=actor,
        data={"recipients": reach, "at": newsletter.scheduled_at.isoformat()},
    )
    return reach


def cancel(actor: User, newsletter: Newsletter) -> None:
    """Back to a draft, while no run has claimed it."""
    # Conditional: a `newsletters send` run may be claiming it right now.
    result = db.session.execute(
        update(Newsletter)
        .where(Newsletter.id == newsletter.id, Newsletter.status == NewsletterStatus.SCHEDULED)
        .values(status=NewsletterStatus.DRAFT, scheduled_at=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise NewsletterError(_("Tego newslettera nie można już wstrzymać."), status=409)
    db.session.refresh(newsletter)
    audit.record("newsletter.cancelled", newsletter, actor=actor)
