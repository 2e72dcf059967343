"""Rendered public pages kept for anonymous readers, exact to the last write.

A public page (the catalogue, an idea, an article, the API list…) is the same
for every anonymous reader in one language, so each worker keeps the rendered
response in memory and serves it again without querying or rendering.

Staleness is ruled out by a number, not by a timer: ``content_version`` in
the database goes up in the same transaction as every change to what public
pages show (session events below watch every flush and every UPDATE/DELETE
statement, so no service has to remember to do it). A kept page carries the
number it was rendered at; one look at the number per request tells whether
the page still holds. A support confirmed on one host is therefore visible on
the next request to any worker on any host. The only changes that do not
move the number are those no page shows exactly (article view counters, the
mail outbox, audit rows, moderators' notes); ``PAGE_CACHE_SECONDS`` bounds how
long a kept page lives in any case, which also covers what changes with time
alone (an article scheduled for 10:00, a phase that ends).

Only anonymous requests whose session holds nothing but the language and the
CSRF secret are served from the store, and only 200 responses that set no
cookie and are not private pages (``app.web.private_page``) are kept. Forms
on kept pages get a placeholder instead of the CSRF token while rendering; every response,
fresh or kept, has it replaced with the reader's own token.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Flask, current_app, g, request, session
from flask.wrappers import Response
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db
from app.i18n import current_language
from app.web import is_private_page

# Writes to these tables change nothing a kept page shows exactly.
QUIET_TABLES = frozenset(
    {
        "content_version",
        "article_views",
        "video_plays",
        "video_daily_plays",
        "audit_log",
        "outbox_messages",
        "idea_reports",
        "notices",
        "comment_reports",
        "commenter_browsers",
        "comment_alerts",
        "moderation_digests",
        "recovery_codes",
        "reply_templates",
        "followers",
        "follow_subscriptions",
        "direction_mail_optouts",
        "newsletter_recipients",
    }
)
# The article view and video play counters are raised with plain SQL.
_TEXT_WRITE = re.compile(r"^\s*(?:update|insert\s+into|delete\s+from)\s+\"?(\w+)", re.IGNORECASE)
_QUIET_TEXT = re.compile(
    r"^\s*update\s+(?:articles\s+set\s+views|videos\s+set\s+plays)\s*=", re.IGNORECASE
)
# Session keys an anonymous reader may carry and still get a kept page
# (Flask-Login marks any non-empty anonymous session "_fresh": False).
NEUTRAL_SESSION_KEYS = frozenset({"lang", "csrf_token", "_fresh"})
_CHANGED = "content_changed"


# --- The version --------------------------------------------------------


def current_version() -> int:
    # Plain SQL: this runs on every kept-page request, so it skips the ORM.
    value = (
        db.session.connection()
        .exec_driver_sql("SELECT value FROM content_version WHERE id = 1")
        .scalar()
    )
    return int(value or 0)


# One statement on both databases (SQLite 3.24+ and PostgreSQL), sent as
# plain SQL: it runs in every transaction that changes a public page.
_BUMP = (
    "INSERT INTO content_version (id, value) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET value = content_version.value + 1"
)


def _bump(session: Session) -> None:
    session.connection().exec_driver_sql(_BUMP)


def _changes_public_content(obj: object) -> bool:
    table = getattr(obj, "__tablename__", None)
    if table is None or table in QUIET_TABLES:
        return False
    touches = getattr(obj, "touches_public_pages", None)
    return touches() if callable(touches) else True


def _after_flush(session: Session, flush_context: Any) -> None:
    if session.info.get(_CHANGED):
        return
    for obj in (*session.new, *session.deleted):
        if _changes_public_content(obj):
            session.info[_CHANGED] = True
            return
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=False) and _changes_public_content(obj):
            session.info[_CHANGED] = True
            return


def _on_execute(state: Any) -> None:
    if state.is_select or session_changed(state.session):
        return
    statement = state.statement
    table = getattr(statement, "table", None)
    if table is not None:
        if getattr(table, "name", None) not in QUIET_TABLES:
            state.session.info[_CHANGED] = True
        return
    sql = str(getattr(statement, "text", ""))
    match = _TEXT_WRITE.match(sql)
    if match and match.group(1) not in QUIET_TABLES and not _QUIET_TEXT.match(sql):
        state.session.info[_CHANGED] = True


def session_changed(session: Session) -> bool:
    return bool(session.info.get(_CHANGED))


def _before_commit(session: Session) -> None:
    # Flush first so pending objects are seen; the bump is the last statement
    # of the transaction, after every row lock it takes (no lock-order cycle).
    if session.new or session.dirty or session.deleted:
        session.flush()
    if session.info.pop(_CHANGED, False):
        _bump(session)


def _forget(session: Session, transaction: Any) -> None:
    # Only when the whole transaction ends: a savepoint rolled back inside it
    # leaves the rest of the transaction's changes to be counted.
    if transaction.parent is None:
        session.info.pop(_CHANGED, None)


def watch(session_factory: Any) -> None:
    """Move the version on every committed public change made through it."""
    if event.contains(session_factory, "after_flush", _after_flush):
        return
    event.listen(session_factory, "after_flush", _after_flush)
    event.listen(session_factory, "do_orm_execute", _on_execute)
    event.listen(session_factory, "before_commit", _before_commit)
    event.listen(session_factory, "after_transaction_end", _forget)


# --- The store ----------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    version: int
    expires: float
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


class PageStore:
    """A bounded least-recently-used map, one per worker process."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, version: int) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.version != version or entry.expires <= time.monotonic():
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: Entry) -> None:
        if len(entry.body) > self.max_bytes // 8:
            return
        with self._lock:
            self._drop(key)
            self._entries[key] = entry
            self.size += len(entry.body)
            while self._entries and (
                len(self._entries) > self.max_entries or self.size > self.max_bytes
            ):
                self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0

    def __len__(self) -> int:
        return len(self._entries)

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self.size -= len(entry.body)


# --- Serving ------------------------------------------------------------

# Headers that belong to one response, never to a kept page.
_PER_RESPONSE = frozenset({"set-cookie", "x-request-id", "content-length", "vary"})


def _store() -> PageStore | None:
    return current_app.extensions.get("page_cache")


def _request_is_cacheable() -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if current_user.is_authenticated:
        return False
    return set(session.keys()) <= NEUTRAL_SESSION_KEYS


def _key() -> str:
    return f"{request.scheme}://{request.host}|{current_language()}|{request.full_path}"


def _placeholder() -> str:
    return current_app.extensions["page_cache_placeholder"]


def _with_token(response: Response) -> Response:
    """Put this reader's CSRF token where the placeholder stands."""
    if response.direct_passthrough or response.is_streamed:
        return response
    marker = _placeholder().encode()
    body = response.get_data()
    if marker in body:
        response.set_data(body.replace(marker, generate_csrf().encode()))
    return response


def do_not_keep() -> None:
    """Serve this response, but do not keep it (its content lags the version)."""
    g.page_cache_skip = True


def _keepable(response: Response) -> bool:
    cache_control = response.headers.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not is_private_page()
        and not getattr(g, "page_cache_skip", False)
        and set(session.keys()) <= NEUTRAL_SESSION_KEYS
        and "Set-Cookie" not in response.headers
        and "no-store" not in cache_control
        and "private" not in cache_control
        and not response.direct_passthrough
        and not response.is_streamed
        and not current_user.is_authenticated
    )


def _from_entry(entry: Entry) -> Response:
    response = current_app.response_class(entry.body, status=entry.status)
    response.headers.clear()
    for name, value in entry.headers:
        response.headers.add(name, value)
    response.headers["X-Page-Cache"] = "hit"
    if "ETag" in response.headers or "Last-Modified" in response.headers:
        response.make_conditional(request)
    return response


def serve(render: Callable[[], Any]) -> Response:
    """The kept response for this request if it still holds, else *render*'s
    (kept for the next reader when it may be)."""
    store = _store()
    if store is None or not _request_is_cacheable():
        return current_app.make_response(render())
    key = _key()
    version = current_version()
    entry = store.get(key, version)
    if entry is not None:
        return _with_token(_from_entry(entry))

    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    setattr(g, field, _placeholder())
    try:
        response = current_app.make_response(render())
    finally:
        g.pop(field, None)
    if _keepable(response):
        headers = tuple(
            (name, value)
            for name, value in response.headers.items()
            if name.lower() not in _PER_RESPONSE
        )
        store.put(
            key,
            Entry(
                version=version,
                expires=time.monotonic() + current_app.config["PAGE_CACHE_SECONDS"],
                status=response.status_code,
                headers=headers,
                body=response.get_data(),
            ),
        )
        response.headers["X-Page-Cache"] = "miss"
    return _with_token(response)


def cached(view: Callable[..., Any]) -> Callable[..., Response]:
    """Serve *view* through the page store (see the module docstring)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        return serve(lambda: view(*args, **kwargs))

    return wrapper


# Public pages served through the store. The article page calls ``serve``
# itself, after counting the reading (which every request must do).
CACHED_ENDPOINTS = (
    "core.home",
    "catalogue.index",
    "catalogue.detail",
    "ideas.new",
    "ideas.similar",
    "results.index",
    "processes.index",
    "processes.detail",
    "consultation_report.live",
    "consultation_report.live_pdf",
    "articles.index",
    "articles.tag",
    "videos.index",
    "videos.detail",
    "workshops.index",
    "workshops.detail",
    "workshops.calendar_all",
    "workshops.calendar_one",
    "privacy.privacy",
    "privacy.accessibility",
    "feeds.articles_atom",
    "feeds.ideas_atom",
    "feeds.sitemap",
    "feeds.sitemap_part",
    "api.docs",
    "api.openapi",
    "api.ideas",
    "api.idea",
    "api.workshops",
    "api.articles",
    "api.videos",
    "api.stats",
    "directions.index",
    "directions.detail",
    "feeds.directions_atom",
    "api.directions",
    "api.direction",
)


def init_app(app: Flask) -> None:
    """Call after the blueprints are registered: it wraps their views."""
    watch(db.session)
    for endpoint in CACHED_ENDPOINTS:
        app.view_functions[endpoint] = cached(app.view_functions[endpoint])
    seconds = app.config.get("PAGE_CACHE_SECONDS", 0)
    if seconds and seconds > 0:
        app.extensions["page_cache"] = PageStore(
            max_entries=app.config["PAGE_CACHE_MAX_ENTRIES"],
            max_bytes=app.config["PAGE_CACHE_MAX_BYTES"],
        )
    app.extensions["page_cache_placeholder"] = f"csrf-placeholder-{secrets.token_hex(16)}"
