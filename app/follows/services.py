"""Following a consultation or an idea without an account: the rules.

Nothing here commits. The address is confirmed once, by a mailed link
(double opt-in); a new follow from an address already confirmed starts at
once and the address is told so by mail, while the page answers the same
either way (nobody learns from it whether an address follows anything).

Other features tell followers what happened with :func:`announce`; it hands
one notice per follower to ``app.notices`` (one mail, or an item of the
weekly digest), keyed so that an event is never sent twice to anyone.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
import secrets
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from app import notices
from app.clients import keyed_hash
from app.database import insert_for
from app.errors import ServiceError
from app.extensions import db
from app.mail import (
    InvalidRecipient,
    is_undeliverable,
    mails_to_recently,
    queue_mail,
    summaries,
)
from app.models import (
    Article,
    Follower,
    FollowSubscription,
    Idea,
    IdeaStatus,
    OutboxMessage,
    Process,
    Workshop,
    utcnow,
)
from app.models.base import is_valid_id
from app.models.follow import FollowCadence
from app.models.notice import Notice
from app.security.tokens import hash_token, new_token
from app.text import mask_email, normalise_email, single_line
from app.timeutil import iso_utc
from app.web import external_url

CADENCES = (FollowCadence.IMMEDIATE.value, FollowCadence.WEEKLY.value)
# The kind of mail (app.mail) and of notice (app.notices) followers get.
KIND = "follow"
# Mail anyone can have sent to an address by typing it into a follow form.
REQUESTED_MAILS = ("follow_confirm", "follow_started", "follow_already")
# Every mail of this feature (the person's data download and erasure).
FOLLOW_MAILS = REQUESTED_MAILS


class FollowError(ServiceError):
    """Why a follow cannot be started, confirmed or changed.

    ``code`` names the case and sets the status: a link nobody issued is
    gone (404), an old one expired (410), bad input is 400 and a thing that
    cannot be followed (any more) refuses with 409."""

    STATUSES = {"invalid": 404, "expired": 410, "bad": 400, "closed": 409}

    def __init__(self, message: str, code: str = "bad", field: str | None = None) -> None:
        super().__init__(message, status=self.STATUSES.get(code, 400), field=field)
        self.code = code


# --- links -------------------------------------------------------------------

# A private link: one scope byte, the row's id (4 bytes), a keyed hash.
_SCOPE_MANAGE = 1  # the follower's preferences page
_SCOPE_ONE = 2  # one-click stop of one subscription
_SCOPE_ALL = 3  # one-click stop of everything the address follows
_PURPOSES = {
    _SCOPE_MANAGE: "follow-manage",
    _SCOPE_ONE: "follow-stop",
    _SCOPE_ALL: "follow-stop-all",
}


def _link(scope: int, row_id: int, salt: str) -> str:
    digest = bytes.fromhex(keyed_hash(f"{row_id}:{salt}", _PURPOSES[scope]))
    raw = bytes([scope]) + row_id.to_bytes(4, "big") + digest
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _parse_link(token: str) -> tuple[int, int] | None:
    if not token or len(token) > 100:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, binascii.Error):
        return None
    if len(raw) != 1 + 4 + 32 or raw[0] not in _PURPOSES:
        return None
    row_id = int.from_bytes(raw[1:5], "big")
    if not is_valid_id(row_id):
        return None
    return raw[0], row_id


def manage_token(follower: Follower) -> str:
    return _link(_SCOPE_MANAGE, follower.id, follower.link_salt)


def manage_url(follower: Follower) -> str:
    """The follower's preferences page (in every mail)."""
    return external_url("follows.manage", token=manage_token(follower))


def stop_token(subscription: FollowSubscription) -> str:
    return _link(_SCOPE_ONE, subscription.id, subscription.follower.link_salt)


def stop_all_token(follower: Follower) -> str:
    return _link(_SCOPE_ALL, follower.id, follower.link_salt)


def unsubscribe_url(subscription: FollowSubscription) -> str:
    """One-click stop of *subscription* (RFC 8058; GET shows a confirmation)."""
    return external_url("follows.unsubscribe", token=stop_token(subscription))


def unsubscribe_all_url(follower: Follower) -> str:
    """One-click stop of every follow of the address (the digest's header)."""
    return external_url("follows.unsubscribe", token=stop_all_token(follower))


def find_follower_by_link(token: str) -> Follower | None:
    """The follower a preferences link belongs to, or None (forged, dead)."""
    parsed = _parse_link(token)
    if parsed is None or parsed[0] != _SCOPE_MANAGE:
        return None
    follower = db.session.get(Follower, parsed[1])
    if follower is None or not hmac.compare_digest(manage_token(follower), token):
        return None
    return follower


def find_by_stop_link(token: str) -> tuple[Follower, FollowSubscription | None] | None:
    """What a one-click link stops: ``(follower, subscription)`` for one
    subscription, ``(follower, None)`` for all of them; None when the link is
    forged or its subscription already gone."""
    parsed = _parse_link(token)
    if parsed is None:
        return None
    scope, row_id = parsed
    if scope == _SCOPE_ONE:
        subscription = db.session.get(FollowSubscription, row_id)
        if subscription is None or not hmac.compare_digest(stop_token(subscription), token):
            return None
        return subscription.follower, subscription
    if scope == _SCOPE_ALL:
        follower = db.session.get(Follower, row_id)
        if follower is None or not hmac.compare_digest(stop_all_token(follower), token):
            return None
        return follower, None
    return None


def confirm_link_lifetime() -> timedelta:
    return timedelta(days=current_app.config.get("RETENTION_UNCONFIRMED_DAYS", 7))


# --- what is followed ----------------------------------------------------------


def target_of(process: Process | None, idea: Idea | None) -> str:
    if (process is None) == (idea is None):
        raise FollowError(_("Wybierz, co chcesz obserwować."))
    return f"process:{process.id}" if process is not None else f"idea:{idea.id}"


def can_follow_process(process: Process) -> bool:
    return bool(process.published)


def can_follow_idea(idea: Idea) -> bool:
    return idea.status == IdeaStatus.PUBLISHED


def subject_title(subscription: FollowSubscription) -> str:
    """What the subscription follows, as a title."""
    if subscription.process is not None:
        return subscription.process.title
    if subscription.idea is not None:
        return subscription.idea.title
    return ""


def subject_url(subscription: FollowSubscription) -> str | None:
    """The public page of what is followed (None once it is gone)."""
    if subscription.process is not None and subscription.process.published:
        return external_url("processes.detail", slug=subscription.process.slug)
    idea = subscription.idea
    if idea is not None and idea.status == IdeaStatus.PUBLISHED:
        return external_url("catalogue.detail", idea_id=idea.id, slug=idea.slug)
    return None


def _page_pattern(target: str) -> re.Pattern:
    kind, _sep, number = target.partition(":")
    if kind == "idea":
        return re.compile(rf"/ideas/{number}(?![0-9])")
    process = db.session.get(Process, int(number))
    return re.compile(rf"/processes/{re.escape(process.slug if process else number)}(?![\w-])")


# --- following ----------------------------------------------------------------


def _insert_ignore(model: type, values: dict[str, Any], keys: list[str]) -> None:
    """INSERT the row unless one with the same *keys* exists (two requests at
    once make one row, and neither fails)."""
    db.session.execute(
        insert_for(model).values(**values).on_conflict_do_nothing(index_elements=keys)
    )


def _follower_for(email: str, locale: str) -> Follower:
    _insert_ignore(
        Follower,
        {
            "email": email,
            "locale": locale,
            "link_salt": secrets.token_hex(16),
            "created_at": utcnow(),
        },
        ["email"],
    )
    return db.session.scalars(
        select(Follower).where(Follower.email == email).execution_options(populate_existing=True)
    ).one()


def _mail_allowed(email: str, target: str) -> bool:
    """At most CONFIRMATION_MAILS_PER_ADDRESS_PER_HOUR follow mails about one
    thing to one address in an hour, so a stranger cannot flood it."""
    limit = current_app.config.get("CONFIRMATION_MAILS_PER_ADDRESS_PER_HOUR", 3)
    recent = mails_to_recently(email, REQUESTED_MAILS, timedelta(hours=1), _page_pattern(target))
    if recent < limit:
        return True
    current_app.logger.warning(
        "Follow mail to %s not sent: per-address limit reached", mask_email(email)
    )
    return False


def subscribe(
    email: str,
    *,
    process: Process | None = None,
    idea: Idea | None = None,
    cadence: str = FollowCadence.IMMEDIATE,
    comments: bool = False,
    locale: str = "pl",
) -> FollowSubscription | None:
    """Follow *process* or *idea* for *email*, who has just given consent
    (the caller's form has the consent box). Never commits.

    An address not yet confirmed gets a confirmation link (the follow starts
    when it is clicked). A confirmed address needs no new confirmation: a
    new follow starts at once and the address gets a short note with the
    links to change or stop it; a follow it already has is left as it was
    (a stranger cannot change someone's settings) and the note points to the
    preferences page. Whatever happens, the caller shows the same answer.
    Past the per-address mail limit nothing is mailed and None is returned.
    """
    target = target_of(process, idea)
    if process is not None and not can_follow_process(process):
        raise FollowError(_("Tej konsultacji nie można obserwować."), "closed")
    if idea is not None and not can_follow_idea(idea):
        raise FollowError(_("Tego pomysłu nie można już obserwować."), "closed")
    if cadence not in CADENCES:
        raise FollowError(_("Wybierz, jak często chcesz dostawać wiadomości."), field="cadence")
    address = normalise_email(email)
    if not address or "@" not in address or len(address) > 254:
        raise FollowError(_("Podaj poprawny adres e-mail."), field="email")
    if not _mail_allowed(address, target):
        return None
    follower = _follower_for(address, locale)
    now = utcnow()
    _insert_ignore(
        FollowSubscription,
        {
            "follower_id": follower.id,
            "target": target,
            "process_id": process.id if process is not None else None,
            "idea_id": idea.id if idea is not None else None,
            "cadence": cadence,
            "comments": bool(comments) and idea is not None,
            "consent_version": current_app.config.get("CONSENT_VERSION"),
            "created_at": now,
        },
        ["follower_id", "target"],
    )
    subscription = db.session.scalars(
        select(FollowSubscription)
        .where(FollowSubscription.follower_id == follower.id, FollowSubscription.target == target)
        .execution_options(populate_existing=True)
    ).one()
    fresh = subscription.created_at == now
    if follower.confirmed_at is not None:
        if fresh:
            subscription.confirmed_at = now
            db.session.flush()
            _queue(subscription, "follow_started", _l("Obserwujesz: %(title)s"))
        else:
            _queue(subscription, "follow_already", _l("Już obserwujesz: %(title)s"))
        return subscription
    if subscription.confirmed_at is not None:
        # Confirmed before the address was forgotten as confirmed: unusual,
        # treated as a follow the address already has.
        _queue(subscription, "follow_already", _l("Już obserwujesz: %(title)s"))
        return subscription
    # Waiting for the address: what was asked last counts, with a new link.
    token, token_hash = new_token()
    subscription.token_hash = token_hash
    subscription.cadence = cadence
    subscription.comments = bool(comments) and idea is not None
    subscription.created_at = now
    subscription.consent_version = current_app.config.get("CONSENT_VERSION")
    follower.locale = locale
    db.session.flush()
    _queue(
        subscription,
        "follow_confirm",
        _l("Potwierdź obserwowanie: %(title)s"),
        confirm_url=external_url("follows.confirm", token=token),
        valid_days=confirm_link_lifetime().days,
    )
    return subscription


def _queue(subscription: FollowSubscription, template: str, subject: Any, **context: Any) -> None:
    follower = subscription.follower
    title = single_line(subject_title(subscription), 80)
    # A confirmation is not yet a subscription: no one-click header on it.
    stop_url = unsubscribe_url(subscription)
    try:
        with force_locale(follower.locale):
            subject_text = str(subject) % {"title": title}
        queue_mail(
            follower.email,
            template,
            subject_text,
            locale=follower.locale,
            ref=f"follow:{subscription.id}",
            subscription=subscription,
            title=subject_title(subscription),
            page_url=subject_url(subscription),
            manage_url=manage_url(follower),
            stop_url=stop_url,
            cadence=subscription.cadence,
            unsubscribe_url=None if template == "follow_confirm" else stop_url,
            **context,
        )
    except InvalidRecipient as error:
        raise FollowError(_("Podaj poprawny adres e-mail."), field="email") from error


def confirm(token: str, now: datetime | None = None) -> tuple[FollowSubscription, bool]:
    """Confirm the follow behind *token* (and so the address); returns
    ``(subscription, newly)``. Only one request moves it from waiting to
    confirmed (a conditional UPDATE)."""
    now = now or utcnow()
    subscription = None
    if token and len(token) <= 100:
        subscription = db.session.scalar(
            select(FollowSubscription).where(FollowSubscription.token_hash == hash_token(token))
        )
    if subscription is None:
        raise FollowError(
            _(
                "Ten link jest nieprawidłowy albo został już użyty. Jeśli obserwowanie "
                "nie zostało potwierdzone, zapisz się jeszcze raz."
            ),
            "invalid",
        )
    if subscription.confirmed_at is not None:
        return subscription, False
    if subscription.created_at < now - confirm_link_lifetime():
        raise FollowError(_("Ten link wygasł. Zapisz się jeszcze raz, a wyślemy nowy."), "expired")
    result = db.session.execute(
        update(FollowSubscription)
        .where(FollowSubscription.id == subscription.id, FollowSubscription.confirmed_at.is_(None))
        .values(confirmed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Follower)
        .where(Follower.id == subscription.follower_id, Follower.confirmed_at.is_(None))
        .values(confirmed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(subscription)
    db.session.refresh(subscription.follower)
    return subscription, result.rowcount == 1


# --- the preferences page --------------------------------------------------------


def _own(follower: Follower, subscription_id: int) -> FollowSubscription:
    subscription = db.session.get(FollowSubscription, subscription_id)
    if subscription is None or subscription.follower_id != follower.id:
        raise FollowError(_("Tego obserwowania już nie ma."), "invalid")
    return subscription


def change(follower: Follower, subscription_id: int, cadence: str, comments: bool) -> None:
    """Change how often one follow mails (and, for an idea, comments)."""
    subscription = _own(follower, subscription_id)
    if cadence not in CADENCES:
        raise FollowError(_("Wybierz, jak często chcesz dostawać wiadomości."), field="cadence")
    subscription.cadence = cadence
    subscription.comments = bool(comments) and subscription.idea_id is not None
    db.session.flush()


def stop(follower: Follower, subscription_id: int) -> str:
    """Stop one follow (its row is deleted); returns what it followed."""
    subscription = _own(follower, subscription_id)
    title = subject_title(subscription)
    stop_subscription(subscription)
    return title


def stop_subscription(subscription: FollowSubscription) -> bool:
    """Delete *subscription*; False when it was gone already."""
    result = db.session.execute(
        delete(FollowSubscription)
        .where(FollowSubscription.id == subscription.id)
        .execution_options(synchronize_session=False)
    )
    if subscription in db.session:
        db.session.expunge(subscription)
    return bool(result.rowcount)


def stop_all(follower: Follower) -> int:
    """Stop every follow of the address; returns how many were stopped."""
    result = db.session.execute(
        delete(FollowSubscription)
        .where(FollowSubscription.follower_id == follower.id)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(follower, ["subscriptions"])
    return result.rowcount or 0


def follow_mails(email: str) -> list[OutboxMessage]:
    """Copies of the follow mails queued for *email* (oldest first)."""
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(
                func.lower(OutboxMessage.recipient) == normalise_email(email),
                OutboxMessage.template.in_(FOLLOW_MAILS),
            )
            .order_by(OutboxMessage.id)
        )
    )


def export_follower(follower: Follower) -> dict[str, Any]:
    """Everything held about the follower, as plain data."""
    return {
        "email": follower.email,
        "language": follower.locale,
        "created_at": iso_utc(follower.created_at),
        "confirmed_at": iso_utc(follower.confirmed_at),
        "subscriptions": [
            {
                "follows": subscription.target.partition(":")[0],
                "title": subject_title(subscription),
                "url": subject_url(subscription),
                "cadence": subscription.cadence,
                "comments": subscription.comments,
                "consent_version": subscription.consent_version,
                "created_at": iso_utc(subscription.created_at),
                "confirmed_at": iso_utc(subscription.confirmed_at),
            }
            for subscription in follower.subscriptions
        ],
        "emails": summaries(follow_mails(follower.email)),
    }


def erase_follower(follower: Follower) -> dict[str, int]:
    """Delete the follower, every follow, the notices still waiting for
    them and the copies of the follow mails. Returns counts."""
    email = follower.email
    subscriptions = stop_all(follower)
    mails = db.session.execute(
        delete(OutboxMessage)
        .where(
            func.lower(OutboxMessage.recipient) == email,
            OutboxMessage.template.in_(FOLLOW_MAILS),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    notices = _forget_notices(email)
    db.session.execute(
        delete(Follower)
        .where(Follower.id == follower.id)
        .execution_options(synchronize_session=False)
    )
    if follower in db.session:
        db.session.expunge(follower)
    return {"subscriptions": subscriptions, "emails": mails or 0, "notices": notices}


def _forget_notices(email: str) -> int:
    """This feature's notices kept for *email* (waiting or sent)."""
    result = db.session.execute(
        delete(Notice)
        .where(Notice.recipient == email, Notice.kind == KIND)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


# --- for the privacy pages (by address) ----------------------------------------


def follower_for_email(email: str) -> Follower | None:
    address = normalise_email(email)
    if not address:
        return None
    return db.session.scalar(select(Follower).where(Follower.email == address))


def purge_unconfirmed(now: datetime | None = None) -> int:
    """Retention: follows never confirmed within the link's lifetime are
    deleted; then every address that follows nothing any more (and is older
    than that lifetime), with the notices still kept for it."""
    now = now or utcnow()
    cutoff = now - confirm_link_lifetime()
    result = db.session.execute(
        delete(FollowSubscription)
        .where(FollowSubscription.confirmed_at.is_(None), FollowSubscription.created_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    _forget_idle_followers(cutoff)
    return result.rowcount or 0


def purge_long_closed(now: datetime | None = None) -> int:
    """Retention: RETENTION_PERSONAL_DATA_DAYS after a consultation closed,
    the follows of it and of its ideas are deleted (nothing more will be
    told), and the addresses left following nothing with them."""
    now = now or utcnow()
    days = current_app.config.get("RETENTION_PERSONAL_DATA_DAYS", 365)
    closed = select(Process.id).where(
        Process.closes_at.is_not(None), Process.closes_at < now - timedelta(days=days)
    )
    ideas = select(Idea.id).where(Idea.process_id.in_(closed))
    result = db.session.execute(
        delete(FollowSubscription)
        .where(FollowSubscription.process_id.in_(closed) | FollowSubscription.idea_id.in_(ideas))
        .execution_options(synchronize_session=False)
    )
    _forget_idle_followers(now - confirm_link_lifetime())
    return result.rowcount or 0


def _forget_idle_followers(created_before: datetime) -> int:
    followed = select(FollowSubscription.follower_id)
    idle = db.session.execute(
        select(Follower.id, Follower.email).where(
            Follower.created_at < created_before, Follower.id.not_in(followed)
        )
    ).all()
    for _follower_id, email in idle:
        _forget_notices(email)
    if idle:
        db.session.execute(
            delete(Follower)
            .where(Follower.id.in_([row.id for row in idle]))
            .execution_options(synchronize_session=False)
        )
    return len(idle)


# --- telling followers ------------------------------------------------------------


def followers_of(
    *, process: Process | None = None, idea: Idea | None = None, comments: bool = False
) -> list[FollowSubscription]:
    """Confirmed follows of *process* or *idea* (for an idea's comments, only
    those that asked for them), oldest first."""
    target = target_of(process, idea)
    query = (
        select(FollowSubscription)
        .join(Follower)
        .where(
            FollowSubscription.target == target,
            FollowSubscription.confirmed_at.is_not(None),
            Follower.confirmed_at.is_not(None),
        )
        .order_by(FollowSubscription.id)
    )
    if comments:
        query = query.where(FollowSubscription.comments.is_(True))
    return list(db.session.scalars(query))


def _text(value: Any, locale: str) -> str:
    """*value* in *locale* (a lazy string is translated there)."""
    with force_locale(locale):
        return str(value)


def announce(
    *,
    process: Process | None = None,
    idea: Idea | None = None,
    event: str,
    title: Any,
    text: Any,
    url: str,
    comments: bool = False,
    exclude: Iterable[str] = (),
) -> int:
    """Tell the followers of *process* or *idea* about one event.

    *event* names the event uniquely and for good ("workshop:12:announced");
    each follower gets it once, however often and however concurrently this
    is called (``app.notices`` stores the pair once). *title* and *text* may
    be lazy strings: each follower reads them in their own language. With
    *comments* only idea followers who asked for comments hear. Addresses
    whose server refused follow mail for good are skipped, and so are the
    addresses in *exclude* (whoever caused the event, or is told of it
    another way). Returns how many notices were stored now. Never commits."""
    skip = {normalise_email(address) for address in exclude if address}
    stored = 0
    for subscription in followers_of(process=process, idea=idea, comments=comments):
        follower = subscription.follower
        if normalise_email(follower.email) in skip or is_undeliverable(follower.email, KIND):
            continue
        locale = follower.locale or "pl"
        with force_locale(locale):
            footer = _("Ustawienia obserwowania: %(url)s", url=manage_url(follower))
        if notices.notify(
            follower.email,
            event=f"follow:{event}",
            kind=KIND,
            title=single_line(_text(title, locale), 200),
            text=f"{_text(text, locale).strip()}\n\n{footer}",
            url=url,
            unsubscribe_url=_notice_unsubscribe_url(subscription),
            cadence=subscription.cadence,
            locale=locale,
        ):
            stored += 1
    return stored


def _notice_unsubscribe_url(subscription: FollowSubscription) -> str:
    """A mail about one follow stops that follow; a weekly digest gathers
    several, so its one-click link stops every follow of the address."""
    if subscription.cadence == FollowCadence.WEEKLY:
        return unsubscribe_all_url(subscription.follower)
    return unsubscribe_url(subscription)


# --- events of other features -------------------------------------------------------


class Later:
    """Text made when it is read: under each follower's language (dates and
    translations), as :func:`announce` reads *title* and *text*."""

    def __init__(self, make: Callable[[], str]) -> None:
        self.make = make

    def __str__(self) -> str:
        return self.make()


def _when(value: datetime) -> str:
    from app.i18n import format_when

    return format_when(value, "long")


def workshop_published(workshop: Workshop, now: datetime | None = None) -> int:
    """A meeting became public: its consultation's followers hear of it,
    with registration open when it is (then the later "registration opens"
    event is the same one and is not sent again)."""
    now = now or utcnow()
    if not workshop.published or workshop.has_started(now):
        return 0
    if _registration_open(workshop, now):
        return _announce_registration(workshop, new=True)
    name = workshop.title
    return announce(
        process=workshop.process,
        event=f"workshop:{workshop.id}:announced",
        title=Later(lambda: _("Nowe spotkanie: %(title)s", title=name)),
        text=Later(
            lambda: _(
                "Zapowiedzieliśmy spotkanie „%(title)s” (%(when)s). "
                "O otwarciu zapisów napiszemy osobno.",
                title=name,
                when=_when(workshop.starts_at),
            )
        ),
        url=external_url("workshops.detail", slug=workshop.slug),
    )


def _registration_open(workshop: Workshop, now: datetime) -> bool:
    opens, closes = workshop.registration_opens_at, workshop.registration_closes_at
    return (opens is None or opens <= now) and (closes is None or closes > now)


def registration_opened(workshop: Workshop, now: datetime | None = None) -> int:
    """A published meeting's registration opens now (its opening time was
    just changed): followers of its consultation hear once per opening."""
    now = now or utcnow()
    if not workshop.published or workshop.has_started(now) or not _registration_open(workshop, now):
        return 0
    return _announce_registration(workshop, new=False)


def _announce_registration(workshop: Workshop, new: bool) -> int:
    opens = workshop.registration_opens_at
    key = opens.strftime("%Y%m%d%H%M") if opens else "open"
    name, starts = workshop.title, workshop.starts_at
    if new:
        title = Later(lambda: _("Nowe spotkanie: %(title)s – zapisy otwarte", title=name))
        text = Later(
            lambda: _(
                "Zapowiedzieliśmy spotkanie „%(title)s” (%(when)s). Zapisy są już otwarte.",
                title=name,
                when=_when(starts),
            )
        )
    else:
        title = Later(lambda: _("Zapisy otwarte: %(title)s", title=name))
        text = Later(
            lambda: _(
                "Otworzyliśmy zapisy na spotkanie „%(title)s” (%(when)s).",
                title=name,
                when=_when(starts),
            )
        )
    return announce(
        process=workshop.process,
        event=f"workshop:{workshop.id}:registration:{key}",
        title=title,
        text=text,
        url=external_url("workshops.detail", slug=workshop.slug),
    )


def article_published(article: Article, now: datetime | None = None) -> int:
    """An article of a consultation is out: its followers hear (once, even
    when it is unpublished and published again)."""
    now = now or utcnow()
    if article.process is None or article.state(now) != "published":
        return 0
    name = article.title
    return announce(
        process=article.process,
        event=f"article:{article.id}:published",
        title=Later(lambda: _("Nowy artykuł: %(title)s", title=name)),
        text=article.lead or article.title,
        url=external_url("articles.detail", slug=article.slug),
    )


def announce_due(now: datetime | None = None, within: timedelta = timedelta(days=2)) -> int:
    """What became true with time alone: registrations that opened and
    scheduled articles that came out in the last *within*. Safe to run as
    often as wished (each event is stored once per follower)."""
    from app.models import ArticleStatus

    now = now or utcnow()
    since = now - within
    stored = 0
    workshops = db.session.scalars(
        select(Workshop).where(
            Workshop.published.is_(True),
            Workshop.registration_opens_at.is_not(None),
            Workshop.registration_opens_at <= now,
            Workshop.registration_opens_at > since,
            Workshop.starts_at > now,
        )
    ).all()
    for workshop in workshops:
        if _registration_open(workshop, now):
            stored += _announce_registration(workshop, new=False)
    articles = db.session.scalars(
        select(Article).where(
            Article.status == ArticleStatus.PUBLISHED,
            Article.process_id.is_not(None),
            Article.published_at <= now,
            Article.published_at > since,
        )
    ).all()
    for article in articles:
        stored += article_published(article, now)
    return stored


def idea_decided(idea: Idea, action: str, event_id: int | None, target: Idea | None = None) -> int:
    """A moderation decision on a followed idea (hidden, merged, published
    again): its followers hear once."""
    name = idea.title
    if action == "merge" and target is not None:
        other = target.title
        title = Later(lambda: _("Pomysł połączony z innym: %(title)s", title=name))
        text = Later(
            lambda: _(
                "Pomysł „%(title)s” został połączony z pomysłem „%(target)s”. "
                "Dalsze informacje znajdziesz na jego stronie.",
                title=name,
                target=other,
            )
        )
        url = external_url("catalogue.detail", idea_id=target.id, slug=target.slug)
    elif action == "hide":
        title = Later(lambda: _("Pomysł ukryty: %(title)s", title=name))
        text = Later(lambda: _("Moderatorzy ukryli pomysł „%(title)s”.", title=name))
        url = external_url("catalogue.index")
    elif action == "publish":
        title = Later(lambda: _("Pomysł znów opublikowany: %(title)s", title=name))
        text = Later(lambda: _("Pomysł „%(title)s” jest znów widoczny w katalogu.", title=name))
        url = external_url("catalogue.detail", idea_id=idea.id, slug=idea.slug)
    else:
        return 0
    return announce(
        idea=idea,
        event=f"idea:{idea.id}:decision:{event_id or action}",
        title=title,
        text=text,
        url=url,
    )


def idea_answered(idea: Idea, answer_id: int, status_label: Any, progress: int, answer: str) -> int:
    """An official answer (its status and progress) to a followed idea."""
    from app.markdown import plain_text

    name = idea.title
    body = plain_text(answer, 600)

    def text() -> str:
        head = _(
            "Status: %(status)s. Postęp realizacji: %(progress)s%%.",
            status=str(status_label),
            progress=progress,
        )
        return f"{head}\n\n{body}" if body else head

    return announce(
        idea=idea,
        event=f"idea:{idea.id}:answer:{answer_id}",
        title=Later(lambda: _("Odpowiedź organizatora: %(title)s", title=name)),
        text=Later(text),
        url=external_url("catalogue.detail", idea_id=idea.id, slug=idea.slug),
    )
