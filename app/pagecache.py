"""Rendered public pages kept for anonymous readers, exact to the last write.

A public page (the catalogue, an idea, an article, the API list…) is the same
for every anonymous reader in one language, so each worker keeps the rendered
response in memory and serves it again without querying or rendering.

Staleness is ruled out by numbers, not by a timer: rows of
``content_version`` go up in the same transaction as every change to what
public pages show (session events below watch every flush and every
UPDATE/DELETE statement, so no service has to remember to do it). Each
number covers a scope (everything; the lists of ideas; the statistics; one
idea), ``PAGES_SHOWING`` says which scopes a change to a table's rows
touches (a table it does not name touches everything), and a kept page
carries the numbers of the scopes it depends on, read before it was
rendered. One look at them per request tells whether the page still holds,
so a support confirmed on one host is visible on the next request to any
worker on any host, while the pages of other ideas and the articles stay
kept. ``PAGE_CACHE_SECONDS`` bounds how long a kept page lives in any case,
which also covers what changes with time alone (an article scheduled for
10:00, a phase that ends).

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Flask, current_app, g, has_request_context, request, session
from flask.wrappers import Response
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import create_engine, event, inspect
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, BooleanClauseList
from sqlalchemy.sql.util import find_tables

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
        "idea_events",  # the history: shown on the author's private page only
        "undeliverable_addresses",
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
_NUMBERS = "kept_value_numbers"  # the numbers kept_value read in this transaction


# --- What a change makes stale ------------------------------------------
#
# Kept pages depend on *scopes*, each a row of ``content_version`` whose
# number goes up in the same transaction as every change within it:
#
# - ``EVERYTHING``: every kept page depends on it;
# - ``IDEA_LISTS``: which ideas a list shows, in which order (the catalogue,
#   the API lists, the home page, feeds, the sitemap…);
# - ``STATISTICS``: the figures of /results and /api/v1/stats, which also
#   count confirmed submissions still waiting for moderation;
# - ``SUPPORT_RANKING``: lists ordered by supports (``sort=supports``);
# - one scope per idea (``idea_scope(id)``, ideas share IDEA_BUCKETS rows):
#   every page depends on the ideas it loaded while rendering (an idea's
#   page, the cards of a catalogue page, the ideas an article links to);
# - ``ANY_IDEA`` moves with every idea's scope: no page depends on it, it
#   tells ``serve`` that an idea changed while a page was being rendered.
#
# A confirmed support changes only its idea's count: it drops the pages
# showing that idea, the statistics and the lists ordered by supports, not
# the home page or a catalogue page that shows other ideas.
#
# ``PAGES_SHOWING`` says which scopes a change to a row of a table touches.
# A table it does not name touches EVERYTHING: a table added later keeps
# pages exact without anyone remembering this module, and one line here
# makes it precise.

EVERYTHING = 1
IDEA_LISTS = 2
STATISTICS = 3
SUPPORT_RANKING = 4
ANY_IDEA = 5
IDEA_BUCKETS = 65_536
_IDEA_BASE = 100_000
NOTHING: frozenset[int] = frozenset()


def idea_scope(idea_id: int) -> int:
    return _IDEA_BASE + int(idea_id) % IDEA_BUCKETS


@dataclass(frozen=True)
class OfIdea:
    """Rows that belong to one idea (*column* holds its id): a change drops
    that idea's pages, the lists of ideas and the statistics. For the
    ``ideas`` table itself (*column* ``"id"``), an idea that is not and was
    not published touches only the statistics, and one still waiting for
    its author's confirmation nothing at all."""

    column: str

    def of_row(self, row: Any) -> frozenset[int]:
        idea_id = getattr(row, self.column, None)
        if idea_id is None:
            return frozenset({EVERYTHING})
        if self.column == "id":
            seen = _statuses_seen(row)
            if seen and all(status == "unconfirmed" for status in seen):
                return NOTHING
            if seen and "published" not in seen:
                return frozenset({STATISTICS})
            if _changed_columns(row) <= COUNT_COLUMNS:
                return self.of_ids([idea_id], count_only=True)
        return self.of_ids([idea_id])

    @staticmethod
    def of_ids(ids: Iterable[int], count_only: bool = False) -> frozenset[int]:
        lists = SUPPORT_RANKING if count_only else IDEA_LISTS
        return frozenset({lists, STATISTICS, ANY_IDEA, *map(idea_scope, ids)})


# Columns whose change moves an idea within no list but the ranking by
# supports (its count), if nothing else changed.
COUNT_COLUMNS = frozenset({"supports_count", "updated_at"})


def _changed_columns(row: Any) -> set[str]:
    state = inspect(row)
    if state.pending or state.deleted or state.was_deleted:
        return {"*"}
    return {attr.key for attr in state.attrs if attr.history.has_changes()}


def _statuses_seen(row: Any) -> set[str]:
    """Every status the row had in this transaction (empty: not loaded)."""
    history = inspect(row).attrs.status.history
    return {str(s) for s in (*history.added, *history.unchanged, *history.deleted)}


Affects = frozenset[int] | OfIdea
PAGES_SHOWING: dict[str, Affects] = {
    **dict.fromkeys(QUIET_TABLES, NOTHING),
    "ideas": OfIdea("id"),
    "idea_answers": OfIdea("idea_id"),
    "attachments": OfIdea("idea_id"),
    # The count a page shows lives in ideas.supports_count; the rows are
    # read by the statistics only.
    "supports": frozenset({STATISTICS}),
}

# The scopes a kept page depends on, by endpoint (always EVERYTHING too).
# Not named here: IDEA_LISTS and STATISTICS (the safe default).
# Every page also depends on each idea it loads (``_track_idea``); a list
# asked with ``sort=supports`` on SUPPORT_RANKING.
PAGE_DEPENDS_ON: dict[str, frozenset[int]] = {
    **dict.fromkeys(
        (
            "core.home",
            "catalogue.index",
            "api.ideas",
            "feeds.ideas_atom",
            "feeds.sitemap",
            "feeds.sitemap_part",
            "ideas.similar",
        ),
        frozenset({IDEA_LISTS}),
    ),
    **dict.fromkeys(
        (
            "catalogue.detail",
            "api.idea",
            "articles.detail",
            "articles.index",
            "articles.tag",
            "feeds.articles_atom",
            "privacy.privacy",
            "privacy.accessibility",
            "api.docs",
            "api.openapi",
            "api.articles",
        ),
        NOTHING,
    ),
}
_DEFAULT_DEPENDS_ON = frozenset({IDEA_LISTS, STATISTICS, SUPPORT_RANKING})
# A page that loads more ideas than this depends on any idea's change.
MAX_TRACKED_IDEAS = 200


def _row_scopes(obj: object) -> frozenset[int]:
    table = getattr(obj, "__tablename__", None)
    if table is None:
        return NOTHING
    rule = PAGES_SHOWING.get(table)
    if rule is None:
        return frozenset({EVERYTHING})
    return rule.of_row(obj) if isinstance(rule, OfIdea) else rule


def _ids_in(clause: Any, column: str) -> list[int] | None:
    """The ids a WHERE clause pins *column* to (``= 7``, ``IN (7, 8)``,
    either inside an AND), or None when it does not."""
    if isinstance(clause, BooleanClauseList) and clause.operator is operators.and_:
        for part in clause.clauses:
            found = _ids_in(part, column)
            if found is not None:
                return found
        return None
    if not isinstance(clause, BinaryExpression) or getattr(clause.left, "name", None) != column:
        return None
    right = clause.right
    if not isinstance(right, BindParameter):
        return None
    value = right.effective_value
    if clause.operator is operators.eq and isinstance(value, int):
        return [value]
    if clause.operator is operators.in_op and isinstance(value, (list, tuple)):
        if all(isinstance(v, int) for v in value):
            return list(value)
    return None


def _statement_scopes(table: str, statement: Any) -> frozenset[int]:
    rule = PAGES_SHOWING.get(table)
    if rule is None:
        return frozenset({EVERYTHING})
    if isinstance(rule, OfIdea):
        where = getattr(statement, "whereclause", None)
        ids = _ids_in(where, rule.column) if where is not None else None
        if not ids:
            return frozenset({EVERYTHING})
        values = getattr(statement, "_values", None) or {}
        columns = {getattr(key, "key", key) for key in values}
        count_only = rule.column == "id" and bool(columns) and columns <= COUNT_COLUMNS
        return rule.of_ids(ids, count_only=count_only)
    return rule


# --- The versions -------------------------------------------------------


class NumbersReader:
    """Connections of its own for reading the numbers alone.

    A kept page needs nothing from the database but the numbers. Read
    through the request's session they cost a connection taken from the
    application's pool (with its liveness check), a transaction and its
    rollback when the connection goes back: three round trips to PostgreSQL
    for one look-up. A worker thread here keeps a connection of its own
    instead, in autocommit: every read sees what is committed at that moment,
    and the numbers are still read before the page's data (which the session
    reads later, so it is never older than them). At most ``SIZE`` threads
    of a worker get one; the others, and any read that fails, go through the
    session. They are opened beside the application's pool, never from it (a
    thread holding one of its connections must never wait for another). An
    in-memory SQLite database (one per connection) is always read through
    the session. Disposing of the application's engine closes them."""

    SIZE = 4

    def __init__(self) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: list[Any] = []
        self._engines: dict[int, Any] = {}
        self._watched: set[int] = set()

    def rows(self, sql: str) -> list[tuple] | None:
        """The rows of *sql*, or None when this reader cannot answer now."""
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._connect()
            if connection is None:
                return None
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(sql)
                return list(cursor.fetchall())
            finally:
                cursor.close()
        except Exception:  # noqa: BLE001 - any driver's error: drop it, the session reads
            self._drop(connection)
            return None

    def _connect(self) -> Any:
        engine = db.engine
        if engine.url.get_backend_name() == "sqlite" and engine.url.database in (None, "", ":memory:"):
            return None
        options = current_app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}
        with self._lock:
            if len(self._open) >= self.SIZE:
                return None
            own = self._engines.get(id(engine))
            if own is None:
                own = self._engines[id(engine)] = create_engine(
                    engine.url,
                    connect_args=options.get("connect_args", {}),
                    isolation_level="AUTOCOMMIT",
                    poolclass=NullPool,
                )
            if id(engine) not in self._watched:
                self._watched.add(id(engine))
                event.listen(engine, "engine_disposed", lambda _engine: self.close_all())
            try:
                connection = own.raw_connection()
            except Exception:  # noqa: BLE001 - the server is away: the session says so
                return None
            self._open.append(connection)
        self._local.connection = connection
        return connection

    def _drop(self, connection: Any) -> None:
        with self._lock:
            if connection in self._open:
                self._open.remove(connection)
        if getattr(self._local, "connection", None) is connection:
            self._local.connection = None
        connection.invalidate()

    def close_all(self) -> None:
        with self._lock:
            connections, self._open = self._open, []
            engines, self._engines = list(self._engines.values()), {}
        self._local = threading.local()
        for connection in connections:
            try:
                connection.invalidate()
            except Exception:  # noqa: BLE001, S110 - closing what may be gone  # nosec B110
                pass
        for own in engines:
            own.dispose()

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self._open)


def versions(scopes: Iterable[int]) -> dict[int, int]:
    """The current number of each scope (0 for one never raised)."""
    wanted = sorted(set(scopes))
    # Plain SQL: this runs on every kept-page request, so it skips the ORM.
    numbers = ", ".join(str(int(scope)) for scope in wanted)  # integers only
    sql = f"SELECT id, value FROM content_version WHERE id IN ({numbers})"  # noqa: S608  # nosec B608
    reader: NumbersReader | None = current_app.extensions.get("page_cache_reader")
    rows = reader.rows(sql) if reader is not None else None
    if rows is None:
        rows = db.session.connection().exec_driver_sql(sql).all()
    found = {int(row[0]): int(row[1] or 0) for row in rows}
    return {scope: found.get(scope, 0) for scope in wanted}


def current_version() -> int:
    """One number that moves with every change to the lists of ideas and the
    statistics (or to everything): for what /results computes."""
    return sum(versions((EVERYTHING, IDEA_LISTS, STATISTICS, SUPPORT_RANKING)).values())


def _bump_statement(scopes: Iterable[int]) -> str:
    # One statement on both databases (SQLite 3.24+ and PostgreSQL), rows in
    # a fixed order so two transactions never lock them in opposite orders.
    rows = ", ".join(f"({int(scope)}, 1)" for scope in sorted(scopes))  # integers only
    return (
        f"INSERT INTO content_version (id, value) VALUES {rows} "  # noqa: S608  # nosec B608
        "ON CONFLICT (id) DO UPDATE SET value = content_version.value + 1"
    )


def _bump(session: Session, scopes: Iterable[int]) -> None:
    session.connection().exec_driver_sql(_bump_statement(scopes))


def _note(session: Session, scopes: Iterable[int]) -> None:
    changed = session.info.setdefault(_CHANGED, set())
    if EVERYTHING not in changed:
        changed.update(scopes)
    if EVERYTHING in changed:
        session.info[_CHANGED] = {EVERYTHING}


def _after_flush(session: Session, flush_context: Any) -> None:
    if EVERYTHING in session.info.get(_CHANGED, ()):
        return
    for obj in (*session.new, *session.deleted):
        _note(session, _row_scopes(obj))
    for obj in session.dirty:
        # Collections too: a link row (article ↔ idea) is the owner's change.
        if session.is_modified(obj):
            _note(session, _row_scopes(obj))


def _on_execute(state: Any) -> None:
    if state.is_select or EVERYTHING in state.session.info.get(_CHANGED, ()):
        return
    statement = state.statement
    table = getattr(statement, "table", None)
    if table is not None:
        _note(state.session, _statement_scopes(getattr(table, "name", ""), statement))
        return
    sql = str(getattr(statement, "text", ""))
    match = _TEXT_WRITE.match(sql)
    if match and not _QUIET_TEXT.match(sql):
        rule = PAGES_SHOWING.get(match.group(1))
        _note(state.session, rule if isinstance(rule, frozenset) else {EVERYTHING})


def session_changed(session: Session) -> bool:
    return bool(session.info.get(_CHANGED))


def _before_commit(session: Session) -> None:
    # Flush first so pending objects are seen; the bump is the last statement
    # of the transaction, after every row lock it takes (no lock-order cycle).
    if session.new or session.dirty or session.deleted:
        session.flush()
    changed = session.info.pop(_CHANGED, None)
    if changed:
        _bump(session, changed)


def _forget(session: Session, transaction: Any) -> None:
    # Only when the whole transaction ends: a savepoint rolled back inside it
    # leaves the rest of the transaction's changes to be counted.
    if transaction.parent is None:
        session.info.pop(_CHANGED, None)
        session.info.pop(_NUMBERS, None)


def _track_idea(target: Any, *args: Any) -> None:
    if has_request_context():
        loaded = g.get("page_cache_ideas")
        if loaded is not None and target.id is not None:
            loaded.add(target.id)


def watch(session_factory: Any) -> None:
    """Move the versions on every committed public change made through it."""
    if event.contains(session_factory, "after_flush", _after_flush):
        return
    event.listen(session_factory, "after_flush", _after_flush)
    event.listen(session_factory, "do_orm_execute", _on_execute)
    event.listen(session_factory, "before_commit", _before_commit)
    event.listen(session_factory, "after_transaction_end", _forget)
    from app.models import Idea

    if not event.contains(Idea, "load", _track_idea):
        event.listen(Idea, "load", _track_idea)
        event.listen(Idea, "refresh", _track_idea)


# --- The store ----------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    versions: tuple[tuple[int, int], ...]  # (scope, number) it was rendered at
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

    def get(self, key: str, current: Callable[[Iterable[int]], dict[int, int]]) -> Entry | None:
        """The entry for *key* if its scopes still have the numbers it was
        rendered at (*current* reads them), else None (and it is dropped)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.expires <= time.monotonic():
                self._drop(key)
                entry = None
        if entry is None:
            return None
        now = current(scope for scope, _ in entry.versions)
        if any(now.get(scope, 0) != number for scope, number in entry.versions):
            with self._lock:
                if self._entries.get(key) is entry:
                    self._drop(key)
            return None
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
        return entry

    def peek(self, key: str) -> Entry | None:
        """The unexpired entry for *key*, whatever its numbers."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.expires <= time.monotonic():
                self._drop(key)
                return None
            return entry

    def hit(self, key: str, entry: Entry) -> None:
        with self._lock:
            if self._entries.get(key) is entry:
                self._entries.move_to_end(key)

    def discard(self, key: str, entry: Entry) -> None:
        with self._lock:
            if self._entries.get(key) is entry:
                self._drop(key)

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


def rendered_at(scope: int = EVERYTHING) -> int | None:
    """The number of *scope* the page being rendered for the store was read
    at (None outside the store): a key for parts a worker may keep longer
    than one request (filter lists), read without another query."""
    found = g.get("page_cache_versions")
    return found.get(scope) if found else None


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
    depends = {EVERYTHING, *PAGE_DEPENDS_ON.get(request.endpoint or "", _DEFAULT_DEPENDS_ON)}
    if request.args.get("sort") == "supports":
        depends.add(SUPPORT_RANKING)
    idea_id = (request.view_args or {}).get("idea_id")
    if isinstance(idea_id, int):
        depends.add(idea_scope(idea_id))
    # One read serves both: whether the kept page holds, and (when it does
    # not) the numbers a new one is rendered at. Read before the data: a
    # change committed while rendering moves a number past the one kept, so
    # the page is dropped at the next request.
    entry = store.peek(key)
    wanted = {*depends, ANY_IDEA, *(scope for scope, _ in entry.versions)} if entry else {
        *depends, ANY_IDEA}  # fmt: skip
    before = versions(wanted)
    if entry is not None:
        if all(before.get(scope, 0) == number for scope, number in entry.versions):
            store.hit(key, entry)
            return _with_token(_from_entry(entry))
        store.discard(key, entry)
    g.page_cache_versions = before
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    setattr(g, field, _placeholder())
    g.page_cache_ideas = set()
    try:
        response = current_app.make_response(render())
    finally:
        g.pop(field, None)
        loaded = g.pop("page_cache_ideas", None) or set()
    kept = {scope: before[scope] for scope in depends}
    if len(loaded) > MAX_TRACKED_IDEAS:
        kept[ANY_IDEA] = before[ANY_IDEA]
    elif extra := {idea_scope(i) for i in loaded} - set(kept):
        # Ideas met while rendering whose numbers were not read before it
        # (an idea's own page read its idea's already): read now, which is
        # exact only if no idea changed meanwhile (ANY_IDEA did not move).
        after = versions({*extra, ANY_IDEA})
        if after[ANY_IDEA] != before[ANY_IDEA]:
            do_not_keep()
        kept.update({scope: after[scope] for scope in extra})
    if _keepable(response):
        headers = tuple(
            (name, value)
            for name, value in response.headers.items()
            if name.lower() not in _PER_RESPONSE
        )
        store.put(
            key,
            Entry(
                versions=tuple(sorted(kept.items())),
                expires=time.monotonic() + current_app.config["PAGE_CACHE_SECONDS"],
                status=response.status_code,
                headers=headers,
                body=response.get_data(),
            ),
        )
        response.headers["X-Page-Cache"] = "miss"
    return _with_token(response)


# --- Values kept while exact ----------------------------------------------
#
# Some figures cost more than the page around them and change far less
# often: how many published ideas a filter matches (a count of up to 10,001
# index entries) is the same for every page of that filter, at any depth,
# until the lists of ideas change. They are kept per worker under the same
# numbers as the pages, read before the data the value comes from: a value
# is used again only while those numbers have not moved.


class ValueStore:
    """Kept values, least recently used dropped first."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Any, tuple[tuple, float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any, stamp: tuple) -> tuple[bool, Any]:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return False, None
            kept_stamp, expires, value = found
            if kept_stamp != stamp or expires <= time.monotonic():
                del self._entries[key]
                return False, None
            self._entries.move_to_end(key)
            return True, value

    def put(self, key: Any, stamp: tuple, value: Any, seconds: float) -> None:
        with self._lock:
            self._entries[key] = (stamp, time.monotonic() + seconds, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


def kept_value(key: Any, compute: Callable[[], Any], scopes: Iterable[int] = (IDEA_LISTS,)) -> Any:
    """``compute()``, or what it returned before while the numbers of
    *scopes* (and EVERYTHING) are still the ones read before it ran.

    *key* must name everything the value depends on besides the data those
    scopes cover (the filters of a count, say). The numbers come from the
    page being rendered when it read them already, else one small query.
    A transaction that has changed something computes afresh: its change
    moves the numbers only when it commits."""
    store: ValueStore | None = current_app.extensions.get("page_cache_values")
    if store is None:
        return compute()
    session = db.session()
    if session.new or session.dirty or session.deleted or session_changed(session):
        return compute()
    wanted = {EVERYTHING, *scopes}
    # Numbers read once per transaction: by the page being rendered, or by
    # an earlier kept value (forgotten when the transaction ends).
    read_here: dict[int, int] = session.info.setdefault(_NUMBERS, {})
    known = {**(g.get("page_cache_versions") or {}), **read_here}
    numbers = {scope: known[scope] for scope in wanted if scope in known}
    if missing := wanted - numbers.keys():
        fresh = versions(missing)
        read_here.update(fresh)
        numbers.update(fresh)
    stamp = tuple(sorted(numbers.items()))
    found, value = store.get(key, stamp)
    if found:
        return value
    value = compute()
    store.put(key, stamp, value, current_app.config["PAGE_CACHE_SECONDS"])
    return value


_EVERYTHING_ONLY_CHECKED: set[int] = set()


def kept_rows(key: Any, statement: Any, params: dict | None = None,
              build: Callable[[Any], Any] = lambda result: frozenset(result.scalars())) -> Any:  # fmt: skip
    """``build(result of statement)`` (by default the frozenset of its first
    column), kept by each worker under EVERYTHING alone.

    Only for statements over tables ``PAGES_SHOWING`` does not name: any
    change to them moves EVERYTHING, which drops the value on every worker.
    A statement reading a table that line names (whose changes move a
    narrower scope, or none) is refused, so making a table precise later
    cannot leave a kept value stale."""
    if id(statement) not in _EVERYTHING_ONLY_CHECKED:
        named = sorted(t.name for t in find_tables(statement) if t.name in PAGES_SHOWING)
        if named:
            raise ValueError(f"kept_rows reads {', '.join(named)}: its changes do not move EVERYTHING")
        _EVERYTHING_ONLY_CHECKED.add(id(statement))
    return kept_value(key, lambda: build(db.session.execute(statement, params or {})), scopes=())


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
        app.extensions["page_cache_values"] = ValueStore(
            max_entries=app.config["PAGE_CACHE_MAX_ENTRIES"]
        )
        app.extensions["page_cache_reader"] = NumbersReader()
    app.extensions["page_cache_placeholder"] = f"csrf-placeholder-{secrets.token_hex(16)}"
