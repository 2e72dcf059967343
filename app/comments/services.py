"""Comments: the rules. Nothing here commits.

A comment is written under a *target* (a published idea today; the model
holds ``target_type`` and ``target_id`` so other things can carry a
discussion later: add a loader to ``TARGETS``). Residents comment without
an account: the first comment from an address is confirmed by a mailed
link; the confirmation leaves a signed, revocable token in the browser, so
the same person is not asked again for ``COMMENT_BROWSER_DAYS`` days. Each
comment's private link (in the mail) lets its author edit it for
``COMMENT_EDIT_MINUTES`` minutes, delete it, download or erase their data.

Every change of what the public sees goes through one conditional UPDATE
on the comment's status, so two requests at once (a moderator and the
author, two moderators) never both apply, and the visible count on the
target moves once.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup, escape
from sqlalchemy import Select, bindparam, delete, func, or_, select, update

from app import audit, notices, pagecache
from app.clients import keyed_hash
from app.errors import ServiceError, StaleVersion
from app.extensions import db
from app.follows import services as follows
from app.mail import InvalidRecipient, queue_mail, summaries
from app.models import (
    Comment,
    CommentAlert,
    CommenterBrowser,
    CommentModeration,
    CommentReport,
    CommentStatus,
    Idea,
    IdeaStatus,
    OutboxMessage,
    Process,
    User,
    utcnow,
)
from app.models.base import is_valid_id
from app.models.comment import SHOWN_STATUSES
from app.processes import phases
from app.security.tokens import hash_token, new_token
from app.text import mask_email, normalise_email, single_line
from app.timeutil import iso_utc
from app.web import external_url

S = CommentStatus

BODY_LIMITS = (2, 3000)
NAME_LIMITS = (2, 100)
PER_PAGE = 50
CONSENT_VERSION = "komentarze-2026-11"
BROWSER_COOKIE = "odkrywka_commenter"
# Mail about one comment to its author (all carry the comment's private link).
OWN_MAIL_TEMPLATES = ("comment_confirm", "comment_received", "comment_hidden")

# Links: http(s) addresses and www. names become links; nothing else does.
URL_PATTERN = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"'`]+")
_TRAILING = ".,;:!?)]}»”'\""
# Characters that turn text around on screen (names and text that lie).
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")


class CommentError(ServiceError):
    """A comment the rules refuse; the message is for the resident."""

    status = 422


class CommentConflict(CommentError):
    status = 409


class CommentTooOften(CommentError):
    status = 429


# --- targets ------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What a discussion hangs on: its kind and id, its consultation, its
    title and page, and the author to tell (an e-mail, or None)."""

    kind: str
    id: int
    process: Process
    title: str
    url: str
    obj: Any


def idea_target(idea: Idea) -> Target:
    return Target(
        kind="idea",
        id=idea.id,
        process=idea.process,
        title=idea.title,
        url=external_url("catalogue.detail", idea_id=idea.id, slug=idea.slug),
        obj=idea,
    )


def _load_idea(ident: int) -> Target | None:
    idea = db.session.get(Idea, ident)
    if idea is None or idea.status != IdeaStatus.PUBLISHED:
        return None
    return idea_target(idea)


# target kind -> loader of a published target by id (None when not shown).
TARGETS: dict[str, Callable[[int], Target | None]] = {"idea": _load_idea}
# target kind -> the model whose ``comments_count`` column holds the count.
COUNTED: dict[str, Any] = {"idea": Idea}


def target_of(comment: Comment) -> Target | None:
    loader = TARGETS.get(comment.target_type)
    return loader(comment.target_id) if loader else None


# --- when comments are open --------------------------------------------


def comments_open(process: Process | None) -> bool:
    """The one rule for when comments may be written: while the consultation
    is open (its window is open, or it has none) and its current phase
    accepts comments (app.processes.phases)."""
    return process is not None and phases.allows(process, phases.COMMENT)


def comments_closed_message(process: Process | None) -> str:
    """Why comments are closed: a phase says since when and what comes
    next; a closed consultation, that commenting is closed."""
    if process is not None and process.published and process.window_state() in ("open", "none"):
        message = phases.closed_message(process, phases.COMMENT)
        if message:
            return message
    return _("Komentowanie jest zamknięte: ten etap konsultacji nie przyjmuje komentarzy.")


def pre_moderated(process: Process) -> bool:
    return process.comment_moderation == CommentModeration.PRE


def _setting(name: str, default: int) -> int:
    return int(current_app.config.get(name, default))


def edit_window() -> timedelta:
    return timedelta(minutes=_setting("COMMENT_EDIT_MINUTES", 15))


def confirm_lifetime() -> timedelta:
    return timedelta(days=_setting("RETENTION_UNCONFIRMED_DAYS", 7))


def browser_lifetime() -> timedelta:
    return timedelta(days=_setting("COMMENT_BROWSER_DAYS", 30))


# --- text ---------------------------------------------------------------


def clean_body(text: str | None) -> str:
    """The comment as it is kept: plain text, line breaks normalised,
    characters that reverse text dropped, trailing spaces trimmed."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _BIDI.sub("", text)
    text = "".join(ch for ch in text if ch in "\n\t" or ch >= " ")
    text = re.sub(r"\n{3,}", "\n\n", text)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def clean_name(name: str | None) -> str | None:
    name = single_line(_BIDI.sub("", name or ""), NAME_LIMITS[1] + 50)
    return name or None


def _split_url(match: str) -> tuple[str, str]:
    """The link and what trails it (a full stop after an address)."""
    trail = ""
    while match and match[-1] in _TRAILING:
        if match[-1] == ")" and match.count("(") >= match.count(")"):
            break
        trail = match[-1] + trail
        match = match[:-1]
    return match, trail


def count_links(text: str) -> int:
    return len(URL_PATTERN.findall(text or ""))


def linkify(text: str | None) -> Markup:
    """Plain text as HTML: everything escaped, web addresses made links that
    search engines do not follow (``rel="nofollow ugc"``)."""
    text = text or ""
    out: list[Any] = []
    last = 0
    for found in URL_PATTERN.finditer(text):
        url, trail = _split_url(found.group(0))
        out.append(escape(text[last : found.start()]))
        href = url if url.lower().startswith(("http://", "https://")) else "https://" + url
        out.append(
            Markup('<a href="%s" rel="nofollow ugc noopener" class="text-break">%s</a>')
            % (href, url)
        )
        out.append(escape(trail))
        last = found.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def text_hash(text: str) -> str:
    words = " ".join(text.casefold().split())
    return keyed_hash(words, "comment-text")


def display_name(comment: Comment) -> str:
    if comment.official:
        return comment.signature or _("Organizator konsultacji")
    return comment.author_name or _("mieszkaniec regionu")


# --- reading a discussion -----------------------------------------------


@dataclass
class Thread:
    comment: Comment
    replies: list[Comment] = field(default_factory=list)


@dataclass
class Discussion:
    target_kind: str
    target_id: int
    threads: list[Thread]
    page: int
    pages: int
    total_threads: int
    newest_first: bool
    count: int


# A discussion's statements, built once: under every idea page they ran
# every time, and building a statement anew (its cache key) cost more than
# running it.
_TARGET = (Comment.target_type == bindparam("kind"), Comment.target_id == bindparam("ident"))
_SHOWN = Comment.status.in_(tuple(SHOWN_STATUSES))
_COUNT_THREADS = select(func.count(Comment.id)).where(*_TARGET, _SHOWN, Comment.parent_id.is_(None))


def _page_of_threads(order: Any) -> Select:
    """Top-level comments of one page and all their replies, by id."""
    top = (
        select(Comment.id)
        .where(*_TARGET, _SHOWN, Comment.parent_id.is_(None))
        .order_by(order)
        .limit(bindparam("per_page"))
        .offset(bindparam("skip"))
    )
    return (
        select(Comment)
        .where(*_TARGET, _SHOWN, or_(Comment.id.in_(top), Comment.parent_id.in_(top)))
        .order_by(Comment.id)
    )


_OLDEST_PAGE = _page_of_threads(Comment.id.asc())
_NEWEST_PAGE = _page_of_threads(Comment.id.desc())
_DISCUSSED = (
    select(Comment.target_id).where(Comment.target_type == bindparam("kind"), _SHOWN).distinct()
)


def _discussed(kind: str) -> frozenset[int]:
    """What of *kind* has any comment to show, kept by each worker (most
    ideas have none, and then their page asks nothing about comments)."""
    return pagecache.kept_rows(("discussed", kind), _DISCUSSED, {"kind": kind})


def discussion(
    kind: str, ident: int, count: int, page: int = 1, newest_first: bool = False
) -> Discussion:
    """One page of a discussion: up to ``PER_PAGE`` top-level comments with
    all their replies, in ONE query for the comments, plus a count only
    when there may be more than one page (a first page that is not full
    counts its own threads). Replies always read oldest first under their
    comment."""
    if ident not in _discussed(kind):
        return Discussion(kind, ident, [], 1, 1, 0, newest_first, count)
    params = {"kind": kind, "ident": ident, "per_page": PER_PAGE}

    def count_threads() -> int:
        return db.session.scalar(_COUNT_THREADS, params) or 0

    def rows_of(page: int) -> list[Comment]:
        statement = _NEWEST_PAGE if newest_first else _OLDEST_PAGE
        return list(db.session.scalars(statement, {**params, "skip": (page - 1) * PER_PAGE}))

    if page <= 1:
        page = 1
        rows = rows_of(1)
        on_page = sum(1 for row in rows if row.parent_id is None)
        total = on_page if on_page < PER_PAGE else count_threads()
    else:
        total = count_threads()
        page = max(1, min(page, -(-total // PER_PAGE)))
        rows = rows_of(page)
    pages = max(1, -(-total // PER_PAGE))
    threads: dict[int, Thread] = {}
    replies: list[Comment] = []
    for row in rows:
        if row.parent_id is None:
            threads[row.id] = Thread(row)
        else:
            replies.append(row)
    for reply in replies:
        if reply.parent_id in threads:
            threads[reply.parent_id].replies.append(reply)
    ordered = sorted(threads.values(), key=lambda t: t.comment.id, reverse=newest_first)
    return Discussion(kind, ident, ordered, page, pages, total, newest_first, count)


def latest_comments(kind: str, ident: int, limit: int = 50) -> list[Comment]:
    """Published comments, newest first (the Atom feed)."""
    return list(
        db.session.scalars(
            select(Comment)
            .where(
                Comment.target_type == kind,
                Comment.target_id == ident,
                Comment.status == S.PUBLISHED,
            )
            .order_by(Comment.id.desc())
            .limit(limit)
        )
    )


def comments_for_author(idea: Idea) -> list[Comment]:
    """What the idea's author sees on their private page: every comment
    shown under the idea, newest first."""
    return list(
        db.session.scalars(
            select(Comment)
            .where(
                Comment.target_type == "idea",
                Comment.target_id == idea.id,
                Comment.status.in_(tuple(SHOWN_STATUSES)),
            )
            .order_by(Comment.id.desc())
        )
    )


# --- the browser token ----------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="commenter-browser")


def issue_browser_token(email: str, now: datetime | None = None) -> str:
    """A new trusted browser for *email*; returns the signed cookie value."""
    now = now or utcnow()
    token, token_hash = new_token()
    browser = CommenterBrowser(
        email=normalise_email(email),
        token_hash=token_hash,
        created_at=now,
        expires_at=now + browser_lifetime(),
    )
    db.session.add(browser)
    db.session.flush()
    return _serializer().dumps({"b": browser.id, "t": token})


def browser_for(cookie: str | None, now: datetime | None = None) -> CommenterBrowser | None:
    """The trusted browser a cookie names: signed by us, not expired, not
    revoked, its secret matching the stored hash. None otherwise."""
    if not cookie or len(cookie) > 500:
        return None
    try:
        data = _serializer().loads(cookie, max_age=int(browser_lifetime().total_seconds()))
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("b"), int):
        return None
    if not isinstance(data.get("t"), str):
        return None
    browser = db.session.get(CommenterBrowser, data["b"])
    now = now or utcnow()
    if browser is None or browser.revoked_at is not None or browser.expires_at <= now:
        return None
    if not hmac.compare_digest(browser.token_hash, hash_token(data["t"])):
        return None
    return browser


def revoke_browsers(email: str) -> int:
    """Every browser trusted for *email* must confirm again."""
    result = db.session.execute(
        update(CommenterBrowser)
        .where(
            CommenterBrowser.email == normalise_email(email), CommenterBrowser.revoked_at.is_(None)
        )
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


# --- writing --------------------------------------------------------------


@dataclass
class Posted:
    comment: Comment
    # "published", "held" (for a moderator) or "pending" (check your mail).
    outcome: str


def _check_text(body: str, name: str | None) -> None:
    if not BODY_LIMITS[0] <= len(body) <= BODY_LIMITS[1]:
        raise CommentError(
            _("Komentarz musi mieć od %(min)d do %(max)d znaków.", min=BODY_LIMITS[0],
              max=BODY_LIMITS[1]),
            field="body",
        )  # fmt: skip
    limit = _setting("COMMENT_MAX_LINKS", 2)
    if count_links(body) > limit:
        raise CommentError(
            ngettext(
                "Komentarz może zawierać najwyżej %(num)d link.",
                "Komentarz może zawierać najwyżej %(num)d linki.",
                limit,
            ),
            field="body",
        )
    if name is not None:
        if not NAME_LIMITS[0] <= len(name) <= NAME_LIMITS[1]:
            raise CommentError(
                _("Podpis musi mieć od 2 do 100 znaków albo zostać pusty."), field="author_name"
            )
        if count_links(name) or re.search(r"[<>@]|://|\.\w{2,}/", name):
            raise CommentError(
                _("Podpis nie może zawierać adresów stron ani e-mail."), field="author_name"
            )


def _parent_for(target: Target, parent_id: int | None) -> Comment | None:
    if not parent_id:
        return None
    parent = db.session.get(Comment, parent_id)
    if (
        parent is None
        or parent.target_type != target.kind
        or parent.target_id != target.id
        or parent.status not in (S.PUBLISHED, S.HIDDEN, S.DELETED)
    ):
        raise CommentError(
            _("Komentarz, na który odpowiadasz, nie istnieje. Napisz nowy komentarz."),
            field="body",
        )
    if parent.status == S.HIDDEN:
        raise CommentConflict(
            _("Nie można odpowiedzieć na komentarz ukryty przez moderację."), field="body"
        )
    if parent.status == S.DELETED:
        raise CommentConflict(
            _("Nie można odpowiedzieć na komentarz usunięty przez autora."), field="body"
        )
    # One level of replies: a reply to a reply joins its thread.
    if parent.parent_id is not None:
        return _parent_for(target, parent.parent_id)
    return parent


def _check_spam(target: Target, email: str | None, digest: str) -> None:
    now = utcnow()
    same_here = db.session.scalar(
        select(func.count(Comment.id)).where(
            Comment.target_type == target.kind,
            Comment.target_id == target.id,
            Comment.text_hash == digest,
            Comment.status != S.DELETED,
        )
    )
    same_elsewhere = 0
    if email:
        same_elsewhere = db.session.scalar(
            select(func.count(Comment.id)).where(
                Comment.email == email,
                Comment.text_hash == digest,
                Comment.created_at >= now - timedelta(days=1),
            )
        )
    if same_here or same_elsewhere:
        raise CommentConflict(
            _("Ten sam komentarz został już wysłany. Dopisz coś nowego albo zmień treść."),
            field="body",
        )
    if email:
        recent = (
            db.session.scalar(
                select(func.count(Comment.id)).where(
                    Comment.email == email, Comment.created_at >= now - timedelta(hours=1)
                )
            )
            or 0
        )
        if recent >= _setting("COMMENTS_PER_ADDRESS_PER_HOUR", 10):
            raise CommentTooOften(
                _("Z tego adresu wysłano w ostatniej godzinie zbyt wiele komentarzy. "
                  "Spróbuj ponownie później."),
                field="body",
            )  # fmt: skip


def _require_open(target: Target) -> None:
    if not comments_open(target.process):
        raise CommentConflict(comments_closed_message(target.process), field="body")


def post_comment(
    target: Target,
    *,
    body: str,
    author_name: str | None,
    email: str,
    locale: str,
    parent_id: int | None = None,
    browser: CommenterBrowser | None = None,
) -> Posted:
    """A resident's comment. From a browser trusted for this address it
    takes effect at once (published, or held under pre-moderation) and
    its private link is mailed; otherwise it waits for the mailed
    confirmation link."""
    _require_open(target)
    body = clean_body(body)
    name = clean_name(author_name)
    email = normalise_email(email)
    _check_text(body, name)
    parent = _parent_for(target, parent_id)
    digest = text_hash(body)
    _check_spam(target, email, digest)
    now = utcnow()
    confirm_token, confirm_hash = new_token()
    manage_token, manage_hash = new_token()
    trusted = browser is not None and browser.email == email
    comment = Comment(
        target_type=target.kind,
        target_id=target.id,
        parent_id=parent.id if parent else None,
        body=body,
        author_name=name,
        email=email,
        locale=locale,
        consent_version=CONSENT_VERSION,
        text_hash=digest,
        manage_token_hash=manage_hash,
        confirm_token_hash=None if trusted else confirm_hash,
        status=S.PENDING,
        created_at=now,
    )
    db.session.add(comment)
    db.session.flush()
    context = _mail_context(comment, target, manage_token)
    if not trusted:
        _mail(
            comment,
            "comment_confirm",
            _l("Potwierdź komentarz"),
            confirm_url=external_url("comments.confirm", token=confirm_token),
            valid_days=confirm_lifetime().days,
            **context,
        )
        return Posted(comment, "pending")
    outcome = _take_effect(comment, target, now)
    _mail(
        comment,
        "comment_received",
        _l("Twój komentarz"),
        held=outcome == "held",
        **context,
    )
    return Posted(comment, outcome)


def _mail_context(comment: Comment, target: Target, manage_token: str) -> dict[str, Any]:
    return {
        "comment": comment,
        "target_title": target.title,
        "target_url": target.url,
        "manage_url": external_url("comments.manage", token=manage_token),
        "edit_minutes": int(edit_window().total_seconds() // 60),
    }


def _mail(about: Comment, template: str, subject: Any, **context: Any) -> None:
    if not about.email:
        return
    context.setdefault("comment", about)
    try:
        queue_mail(
            about.email,
            template,
            subject,
            locale=about.locale,
            ref=f"comment:{about.id}",
            **context,
        )
    except InvalidRecipient as error:
        raise CommentError(_("Podaj poprawny adres e-mail."), field="email") from error


def _take_effect(comment: Comment, target: Target, now: datetime) -> str:
    """A confirmed comment is published, or held for a moderator."""
    comment.confirmed_at = comment.confirmed_at or now
    comment.confirm_token_hash = None
    if pre_moderated(target.process):
        comment.status = S.HELD
        db.session.flush()
        return "held"
    comment.status = S.PUBLISHED
    comment.published_at = now
    db.session.flush()
    _count(comment, +1)
    announce(comment, target)
    return "published"


def _count(comment: Comment, delta: int) -> None:
    model = COUNTED.get(comment.target_type)
    if model is None or delta == 0:
        return
    column = model.comments_count
    stmt = update(model).where(model.id == comment.target_id)
    if delta < 0:
        stmt = stmt.where(column > 0)
    db.session.execute(
        stmt.values(comments_count=column + delta).execution_options(synchronize_session=False)
    )
    obj = db.session.get(model, comment.target_id)
    if obj is not None:
        db.session.expire(obj, ["comments_count"])


@dataclass
class Confirmed:
    comment: Comment
    outcome: str  # "published", "held", or "already"
    browser_cookie: str | None
    target: Target | None


def confirm_comment(token: str) -> Confirmed:
    """The author opened the mailed link: the comment takes effect (once,
    whoever opens it twice at the same moment) and the browser is trusted."""
    comment = db.session.scalar(
        select(Comment).where(Comment.confirm_token_hash == hash_token(token or ""))
    )
    if comment is None:
        raise CommentError(
            _("Ten link jest nieprawidłowy albo komentarz został już potwierdzony."), status=404
        )
    target = target_of(comment)
    if comment.created_at < utcnow() - confirm_lifetime():
        raise CommentError(_("Ten link wygasł. Napisz komentarz jeszcze raz."), status=410)
    if target is None or not comments_open(target.process):
        raise CommentConflict(comments_closed_message(target.process if target else None))
    now = utcnow()
    claimed = db.session.execute(
        update(Comment)
        .where(Comment.id == comment.id, Comment.status == S.PENDING)
        .values(confirmed_at=now, confirm_token_hash=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(comment)
    if claimed != 1:
        return Confirmed(comment, "already", None, target)
    outcome = _take_effect(comment, target, now)
    cookie = issue_browser_token(comment.email or "", now) if comment.email else None
    return Confirmed(comment, outcome, cookie, target)


# --- the author's private link ------------------------------------------


def find_by_manage_link(token: str) -> Comment | None:
    if not token or len(token) > 100:
        return None
    comment = db.session.scalar(
        select(Comment).where(Comment.manage_token_hash == hash_token(token))
    )
    if comment is None or comment.status == S.DELETED or not comment.email:
        return None
    return comment


def can_edit(comment: Comment, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return (
        comment.status in (S.PUBLISHED, S.HELD, S.PENDING)
        and now < comment.started_at + edit_window()
    )


def edit_comment(comment: Comment, body: str) -> Comment:
    """The author corrects their comment within the edit window. Under
    pre-moderation a published comment goes back to the moderators."""
    now = utcnow()
    if not can_edit(comment, now):
        raise CommentConflict(
            _("Komentarz można poprawiać tylko przez %(num)d min od wysłania.",
              num=int(edit_window().total_seconds() // 60)),
            field="body",
        )  # fmt: skip
    target = target_of(comment)
    if target is None:
        raise CommentConflict(_("Ten komentarz nie jest już dostępny."), field="body")
    _require_open(target)
    body = clean_body(body)
    _check_text(body, comment.author_name)
    if body == comment.body:
        return comment
    comment.body = body
    comment.text_hash = text_hash(body)
    comment.edited_at = now
    comment.reviewed_at = None
    comment.version += 1
    if comment.status == S.PUBLISHED and pre_moderated(target.process):
        _move(comment, S.PUBLISHED, S.HELD)
    db.session.flush()
    return comment


def _has_replies(comment: Comment) -> bool:
    return bool(
        db.session.scalar(
            select(func.count(Comment.id)).where(
                Comment.parent_id == comment.id, Comment.status.in_(tuple(SHOWN_STATUSES))
            )
        )
    )


def remove_comment(comment: Comment) -> str:
    """Its author's words go: the row is deleted, or, when replies hang on
    it, emptied and kept as a "deleted by its author" marker. Returns
    ``"deleted"`` or ``"emptied"``."""
    was_published = comment.status == S.PUBLISHED
    keep = comment.parent_id is None and _has_replies(comment)
    if was_published:
        _count(comment, -1)
    if keep:
        comment.status = S.DELETED
        comment.body = ""
        comment.author_name = None
        comment.email = None
        comment.text_hash = None
        comment.manage_token_hash = None
        comment.confirm_token_hash = None
        comment.version += 1
        db.session.flush()
        return "emptied"
    db.session.execute(
        delete(Comment).where(Comment.id == comment.id).execution_options(synchronize_session=False)
    )
    if comment in db.session:
        db.session.expunge(comment)
    return "deleted"


def delete_by_author(comment: Comment) -> str:
    comment_id, email = comment.id, comment.email
    sent = own_mails(email) if email else []
    outcome = remove_comment(comment)
    from app.mail import forget_delivered

    forget_delivered([m for m in sent if _about(m, comment_id)])
    audit.record(
        "comment.deleted_by_author", None, data={"comment_id": comment_id, "outcome": outcome}
    )
    return outcome


def _about(message: OutboxMessage, comment_id: int) -> bool:
    return message.ref == f"comment:{comment_id}"


# --- personal data --------------------------------------------------------


def comments_by(email: str) -> list[Comment]:
    address = normalise_email(email)
    if not address:
        return []
    return list(
        db.session.scalars(
            select(Comment).where(func.lower(Comment.email) == address).order_by(Comment.id)
        )
    )


def own_mails(email: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(
                func.lower(OutboxMessage.recipient) == normalise_email(email),
                OutboxMessage.template.in_(OWN_MAIL_TEMPLATES),
            )
            .order_by(OutboxMessage.id)
        )
    )


def export_commenter_data(email: str) -> dict[str, Any]:
    """Everything held about the author of comments from *email*."""
    address = normalise_email(email)
    browsers = db.session.scalars(
        select(CommenterBrowser).where(CommenterBrowser.email == address)
    ).all()
    return {
        "comments": [
            {
                "id": c.id,
                "on": {"type": c.target_type, "id": c.target_id},
                "reply_to": c.parent_id,
                "text": c.body,
                "name": c.author_name,
                "status": c.status,
                "language": c.locale,
                "consent_version": c.consent_version,
                "created_at": iso_utc(c.created_at),
                "confirmed_at": iso_utc(c.confirmed_at),
                "edited_at": iso_utc(c.edited_at),
            }
            for c in comments_by(address)
        ],
        "trusted_browsers": [
            {
                "created_at": iso_utc(b.created_at),
                "expires_at": iso_utc(b.expires_at),
                "revoked_at": iso_utc(b.revoked_at),
            }
            for b in browsers
        ],
        "comment_emails": summaries(own_mails(address)),
    }


def erase_commenter_data(email: str, actor: User | None = None) -> int:
    """Erase what comments hold about *email*: each comment's text, name and
    address (deleted, or an empty marker when replies hang on it), the
    trusted browsers and the mail sent about the comments. Returns how many
    comments were erased."""
    address = normalise_email(email)
    comments = comments_by(address)
    for comment in comments:
        remove_comment(comment)
    db.session.execute(
        delete(CommenterBrowser)
        .where(CommenterBrowser.email == address)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(OutboxMessage)
        .where(
            func.lower(OutboxMessage.recipient) == address,
            OutboxMessage.template.in_(OWN_MAIL_TEMPLATES),
        )
        .execution_options(synchronize_session=False)
    )
    if comments:
        audit.record(
            "privacy.comments_erased",
            None,
            actor=actor,
            data={"email": mask_email(address), "comments": len(comments)},
        )
    return len(comments)


def purge_unconfirmed(now: datetime | None = None) -> int:
    """Comments never confirmed (their link expired) and browsers no longer
    trusted are deleted."""
    now = now or utcnow()
    result = db.session.execute(
        delete(Comment)
        .where(Comment.status == S.PENDING, Comment.created_at < now - confirm_lifetime())
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(CommenterBrowser)
        .where(or_(CommenterBrowser.expires_at < now, CommenterBrowser.revoked_at.is_not(None)))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def forget_old_commenters(now: datetime | None = None) -> int:
    """RETENTION_PERSONAL_DATA_DAYS after a consultation closed, its
    comments lose their authors' addresses and private links; the text and
    the name the author chose to show stay in the public record."""
    now = now or utcnow()
    days = _setting("RETENTION_PERSONAL_DATA_DAYS", 365)
    closed = select(Process.id).where(
        Process.closes_at.is_not(None), Process.closes_at < now - timedelta(days=days)
    )
    ideas = select(Idea.id).where(Idea.process_id.in_(closed))
    result = db.session.execute(
        update(Comment)
        .where(
            Comment.target_type == "idea",
            Comment.target_id.in_(ideas),
            Comment.email.is_not(None),
        )
        .values(email=None, manage_token_hash=None, confirm_token_hash=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


# --- readers' reports -----------------------------------------------------

REPORT_LIMITS = (10, 1000)


def report_comment(comment: Comment, reason: str, reporter_hash: str | None) -> CommentReport:
    reason = clean_body(reason)
    if comment.status != S.PUBLISHED:
        raise CommentError(_("Tego komentarza nie można już zgłosić."), status=404)
    if not REPORT_LIMITS[0] <= len(reason) <= REPORT_LIMITS[1]:
        raise CommentError(_("Opisz problem w 10–1000 znakach."), field="reason")
    if reporter_hash and db.session.scalar(
        select(func.count(CommentReport.id)).where(
            CommentReport.comment_id == comment.id,
            CommentReport.reporter_hash == reporter_hash,
            CommentReport.resolved_at.is_(None),
        )
    ):
        raise CommentConflict(_("Ten komentarz został już przez Ciebie zgłoszony."), field="reason")
    report = CommentReport(comment_id=comment.id, reason=reason, reporter_hash=reporter_hash)
    db.session.add(report)
    db.session.flush()
    return report


# --- moderation -----------------------------------------------------------

# action -> (states it may be taken from, state it leads to); None keeps it.
MODERATION: dict[str, tuple[tuple[str, ...], str | None]] = {
    "approve": ((S.HELD, S.PUBLISHED), S.PUBLISHED),
    "hide": ((S.HELD, S.PUBLISHED), S.HIDDEN),
    "restore": ((S.HIDDEN,), S.PUBLISHED),
}
BULK_MODERATION = ("approve", "hide")


def _move(comment: Comment, from_status: str, to_status: str, version: int | None = None) -> bool:
    """The one guarded change of a comment's status (and the count)."""
    stmt = update(Comment).where(Comment.id == comment.id, Comment.status == from_status)
    if version is not None:
        stmt = stmt.where(Comment.version == version)
    moved = db.session.execute(
        stmt.values(status=to_status, version=Comment.version + 1).execution_options(
            synchronize_session=False
        )
    ).rowcount
    if moved != 1:
        return False
    db.session.refresh(comment)
    delta = (to_status == S.PUBLISHED) - (from_status == S.PUBLISHED)
    _count(comment, delta)
    return True


def moderate(
    comment: Comment, action: str, actor: User, reason: str | None, version: Any
) -> Comment:
    """One moderator's decision on *comment*: approve (publish a held one,
    or mark a published one reviewed), hide (with a reason the author is
    mailed), or restore a hidden one. A comment changed since the moderator
    saw it is refused (409) and nothing is written."""
    action = (action or "").strip()
    if action not in MODERATION:
        raise CommentError(_("Wybierz decyzję: zatwierdź, ukryj albo przywróć."), field="action")
    reason = (reason or "").strip()
    if action == "hide" and not reason:
        raise CommentError(
            _("Podaj powód ukrycia – autor zobaczy go w wiadomości."), field="reason"
        )
    if len(reason) > 5000:
        raise CommentError(_("Uzasadnienie może mieć najwyżej 5000 znaków."), field="reason")
    try:
        shown = int(version)
    except (TypeError, ValueError):
        raise StaleVersion(_("Odśwież stronę: brakuje wersji komentarza.")) from None
    sources, to_status = MODERATION[action]
    from_status = comment.status
    if from_status not in sources or comment.version != shown:
        raise CommentConflict(
            _("Ktoś zmienił ten komentarz w międzyczasie. Sprawdź go jeszcze raz.")
        )
    now = utcnow()
    # The guard: of two decisions at once on the version shown, one applies.
    if not _move(comment, from_status, to_status, shown):
        raise CommentConflict(
            _("Ktoś zmienił ten komentarz w międzyczasie. Sprawdź go jeszcze raz.")
        )
    comment.reviewed_at = now
    comment.reviewed_by_id = actor.id
    if to_status == S.PUBLISHED and comment.published_at is None:
        comment.published_at = now
    comment.hidden_reason = reason or None if to_status == S.HIDDEN else None
    _resolve_reports(comment, actor, now)
    db.session.flush()
    audit.record(
        f"comment.{action}",
        comment,
        actor=actor,
        from_state=from_status,
        to_state=to_status,
        reason=reason or None,
        data={"target": f"{comment.target_type}:{comment.target_id}"},
    )
    target = target_of(comment)
    if from_status == S.HELD and to_status == S.PUBLISHED and target is not None:
        announce(comment, target)
    if to_status == S.HIDDEN and target is not None:
        _mail(
            comment,
            "comment_hidden",
            _l("Twój komentarz został ukryty"),
            reason=reason,
            target_title=target.title,
            target_url=target.url,
        )
    return comment


def _resolve_reports(comment: Comment, actor: User, now: datetime) -> int:
    result = db.session.execute(
        update(CommentReport)
        .where(CommentReport.comment_id == comment.id, CommentReport.resolved_at.is_(None))
        .values(resolved_at=now, resolved_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


@dataclass
class BulkOutcome:
    decided: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)


def bulk_moderate(
    selection: list[tuple[int, Any]], action: str, actor: User, reason: str | None
) -> BulkOutcome:
    """The same decision on many comments; each one checked on its own
    (a comment someone changed meanwhile is skipped and named)."""
    if action not in BULK_MODERATION:
        raise CommentError(_("Wybierz decyzję: zatwierdź albo ukryj."), field="action")
    if action == "hide" and not (reason or "").strip():
        raise CommentError(
            _("Podaj powód ukrycia – autor zobaczy go w wiadomości."), field="reason"
        )
    if not selection:
        raise CommentError(_("Zaznacz co najmniej jeden komentarz."), field="action")
    outcome = BulkOutcome()
    for ident, version in selection[:200]:
        comment = db.session.get(Comment, ident)
        if comment is None:
            outcome.refused.append((ident, _("komentarz nie istnieje")))
            continue
        try:
            with db.session.begin_nested():
                moderate(comment, action, actor, reason, version)
        except ServiceError as error:
            outcome.refused.append((ident, str(error)))
            continue
        outcome.decided.append(ident)
    return outcome


def dismiss_reports(comment: Comment, actor: User) -> int:
    count = _resolve_reports(comment, actor, utcnow())
    if count:
        audit.record("comment.reports_dismissed", comment, actor=actor, data={"count": count})
    return count


# --- the organiser's replies ------------------------------------------------


def post_official(
    target: Target,
    *,
    body: str,
    actor: User,
    unit: str,
    show_name: bool,
    parent_id: int | None = None,
) -> Comment:
    """A reply from the organiser: published at once, badged, signed with
    the unit's name (and the person's, only if they choose)."""
    body = clean_body(body)
    _check_text(body, None)
    parent = _parent_for(target, parent_id)
    unit = single_line(unit or "", 200) or target.process.organiser or _("Organizator konsultacji")
    signature = f"{unit} – {actor.name}" if show_name else unit
    now = utcnow()
    comment = Comment(
        target_type=target.kind,
        target_id=target.id,
        parent_id=parent.id if parent else None,
        body=body,
        official=True,
        signature=single_line(signature, 300),
        staff_author_id=actor.id,
        status=S.PUBLISHED,
        created_at=now,
        confirmed_at=now,
        published_at=now,
        reviewed_at=now,
        reviewed_by_id=actor.id,
        text_hash=text_hash(body),
    )
    db.session.add(comment)
    db.session.flush()
    _count(comment, +1)
    audit.record(
        "comment.official_reply",
        comment,
        actor=actor,
        data={"target": f"{target.kind}:{target.id}", "named": bool(show_name)},
    )
    announce(comment, target)
    return comment


# --- notifications --------------------------------------------------------

CADENCES = ("immediate", "daily", "off")


def alert_for(idea: Idea) -> str:
    row = db.session.get(CommentAlert, idea.id)
    return row.cadence if row else "off"


def set_alert(idea: Idea, cadence: str) -> str:
    """The idea's author chooses how to hear of new comments."""
    if cadence not in CADENCES:
        raise CommentError(_("Wybierz, jak często wysyłać powiadomienia."), field="cadence")
    row = db.session.get(CommentAlert, idea.id)
    if row is None:
        row = CommentAlert(idea_id=idea.id, cadence=cadence)
        db.session.add(row)
    else:
        row.cadence = cadence
    db.session.flush()
    return cadence


def alert_token(idea: Idea) -> str:
    """The secret in the author's unsubscribe link: derived from the idea and
    its current tracking link, so it dies with it (erasure, retention)."""
    digest = keyed_hash(f"{idea.id}:{idea.track_token_hash or ''}", "comment-alerts")[:32]
    return f"{idea.id}.{digest}"


def idea_for_alert_token(token: str) -> Idea | None:
    ident, _sep, _digest = (token or "").partition(".")
    if not ident.isdigit() or len(token) > 60:
        return None
    idea = db.session.get(Idea, int(ident)) if is_valid_id(int(ident)) else None
    if idea is None or not idea.track_token_hash or not idea.email:
        return None
    return idea if hmac.compare_digest(alert_token(idea), token) else None


def announce(comment: Comment, target: Target) -> int:
    """Tell those who asked about a new comment under *target*: the idea's
    author (one mail per comment, or a daily digest, as they chose) and the
    idea's followers who asked for comments too (app.follows, their own
    cadence). Each hears of one comment once (app.notices keeps the pair of
    address and event once). The mail names the idea and links to the
    comment; it carries neither the commenter's name nor their words, so
    erasing a comment leaves no copy in others' mail. Returns how many
    notices were stored."""
    idea = target.obj if target.kind == "idea" else None
    if idea is None:
        return 0
    author = normalise_email(idea.email) if idea.email else None
    tell_author = author not in (None, comment.email) and alert_for(idea) in ("immediate", "daily")
    # The commenter is not told of their own comment, and an author who also
    # follows the idea hears of it once, by their own alert.
    stored = follows.announce(
        idea=idea,
        event=f"comment:{comment.id}",
        title=_l("Nowy komentarz pod pomysłem „%(title)s”", title=idea.title[:80]),
        text=_l("Pod obserwowanym pomysłem pojawił się nowy komentarz."),
        url=target.url + f"#komentarz-{comment.id}",
        comments=True,
        exclude=[comment.email, author if tell_author else None],
    )
    if not tell_author:
        return stored
    return stored + notices.notify(
        idea.email,
        event=f"comment:{comment.id}",
        kind="comment",
        title=_("Nowy komentarz pod pomysłem „%(title)s”", title=idea.title[:80]),
        text=_("Pod Twoim pomysłem pojawił się nowy komentarz."),
        url=target.url + f"#komentarz-{comment.id}",
        unsubscribe_url=external_url("comments.unsubscribe", token=alert_token(idea)),
        cadence=alert_for(idea),
        locale=idea.locale,
    )


def follow_discussion(target: Target, email: str, locale: str) -> None:
    """The commenter ticked "Powiadamiaj mnie o nowych komentarzach": they
    follow the idea with its comments (app.follows asks them to confirm by
    mail unless their address already is)."""
    if target.kind != "idea" or not follows.can_follow_idea(target.obj):
        return
    follows.subscribe(email, idea=target.obj, comments=True, locale=locale)
