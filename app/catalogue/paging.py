"""Catalogue pages that cost what the first page costs, at any depth.

Two ways through a long list of published ideas:

- **Cursors** (``after``): the next page starts after the last idea shown,
  by the values it was sorted on (``published_at, id`` for the newest and
  the oldest first; ``supports_count, published_at, id`` for the most
  supported). The database walks its index from that point, so page 5,000
  costs what page 1 costs, and an idea published meanwhile neither shifts
  a later page (no idea shown twice) nor hides one (none missed). The
  order by relevance has no stable key (SQLite's bm25 weights change with
  every idea indexed), so its cursor carries a position, within
  ``MAX_OFFSET``.
- **Page numbers** (``page``), kept for people: only within ``MAX_OFFSET``
  ideas from the start (50 pages of 20), where an OFFSET is still cheap.

Totals are counted only up to ``TOTAL_CAP`` (``SEARCH_TOTAL_CAP`` for a
search): past it a page says "more than 10 000" ("more than 1000")
(``Totals.exact`` is false) instead of counting the whole table on every
request.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Integer, Select, bindparam, func, literal_column, select, tuple_
from sqlalchemy.orm import load_only

from app import pagecache
from app.catalogue.filters import FilterError
from app.extensions import db
from app.models import Idea
from app.search import (
    IdeaSearch,
    _bm25,
    _dialect,
    _filtered,
    _fts,
    _fts_ref,
    _order,
    _Plan,
    _sqlite_matches,
    _statements,
)

# Counted exactly up to here; past it "more than TOTAL_CAP".
TOTAL_CAP = 10_000
# A search (``q``) is counted up to here: a common word matches thousands
# of ideas, and PostgreSQL tells a match by reading the idea's words (about
# 250 ms for 10,001 matches on 100,000 ideas, 35 ms for 1,001).
SEARCH_TOTAL_CAP = 1_000
# How deep page numbers (and relevance cursors) may go, in ideas.
MAX_OFFSET = 1_000
# The longest cursor read at all.
MAX_CURSOR_LENGTH = 120

_SORT_LETTER = {"newest": "n", "oldest": "o", "supports": "s", "relevance": "r"}


@dataclass(frozen=True)
class Totals:
    """How many ideas match: exact up to ``TOTAL_CAP``, else a lower bound."""

    count: int
    exact: bool


@dataclass
class Slice:
    """One page of ideas and where the next one starts (None: the last)."""

    items: list[Idea]
    next_cursor: str | None
    totals: Totals
    # A search too broad to rank (see ideas_slice): its matches newest first.
    newest_first: bool = False


def _bad_cursor() -> FilterError:
    return FilterError(
        "after",
        _(
            "Parametr „after” jest nieprawidłowy. Użyj wartości z pola „next” "
            "poprzedniej odpowiedzi, bez zmieniania filtrów ani sortowania."
        ),
    )


class TooDeep(FilterError):
    """A page number past ``MAX_OFFSET`` ideas."""


def too_deep() -> FilterError:
    return TooDeep(
        "page",
        _(
            "Numery stron sięgają %(limit)s pozycji. Dalej przechodź po kursorach: "
            "parametr „after” z pola „next” odpowiedzi (albo zawęź wyniki filtrami).",
            limit=MAX_OFFSET,
        ),
    )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _micros(value: datetime | None) -> int:
    # Whole numbers, never floats: a cursor must name the exact instant.
    if value is None:
        return 0
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (value - _EPOCH) // _MICROSECOND


def _from_micros(value: int) -> datetime:
    return _EPOCH + value * _MICROSECOND


def encode_cursor(sort: str, values: Sequence[int]) -> str:
    raw = ".".join([_SORT_LETTER[sort], *map(str, values)])
    return base64.urlsafe_b64encode(raw.encode()).rstrip(b"=").decode()


def decode_cursor(sort: str, cursor: str) -> list[int]:
    """The values in *cursor*, which must have been made for *sort*."""
    cursor = (cursor or "").strip()
    if not cursor or len(cursor) > MAX_CURSOR_LENGTH or not cursor.isascii():
        raise _bad_cursor()
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise _bad_cursor() from None
    letter, *parts = raw.split(".")
    expected = 1 if sort == "relevance" else 3 if sort == "supports" else 2
    if letter != _SORT_LETTER[sort] or len(parts) != expected:
        raise _bad_cursor()
    if not all(p.isascii() and p.isdigit() and len(p) <= 18 for p in parts):
        raise _bad_cursor()
    values = [int(p) for p in parts]
    if sort == "relevance" and not 0 < values[0] <= MAX_OFFSET:
        raise _bad_cursor()
    return values


def _cursor_after(sort: str, idea: Idea, offset: int) -> str:
    if sort == "relevance":
        return encode_cursor(sort, [offset])
    key = [_micros(idea.published_at), idea.id]
    return encode_cursor(sort, [idea.supports_count, *key] if sort == "supports" else key)


def count_capped(stmt: Select, cap: int | None = None) -> Totals:
    """How many rows *stmt* selects, reading at most ``cap + 1`` of them."""
    cap = TOTAL_CAP if cap is None else cap
    rows = stmt.with_only_columns(literal_column("1"), maintain_column_froms=True).order_by(None).limit(cap + 1).subquery()
    found = int(db.session.scalar(select(func.count()).select_from(rows)) or 0)
    return Totals(min(found, cap), found <= cap)


def _ranked_page(plan: _Plan, search: IdeaSearch, offset: int, limit: int) -> Select:
    # SQLite, relevance: rank inside the index, fetch only this page's rows.
    page_ids = (
        select(_fts.c.rowid.label("rowid"), _bm25().label("rank"))
        .where(_fts_ref.op("MATCH")(plan.match))
        .order_by(_bm25(), _fts.c.rowid.desc())
        .limit(limit)
        .offset(offset)
        .subquery("fts_page")
    )
    return (
        _filtered(select(Idea), search)
        .join(page_ids, page_ids.c.rowid == Idea.id)
        .order_by(page_ids.c.rank, Idea.id.desc())
    )


# What a list shows of each idea (a card, an API item, the next cursor):
# nothing else is read for a page of ideas — not the search index's copies
# of the text, the author's address or tokens, nor the dates and numbers
# only staff see. Reading anything else raises, so a list that starts
# showing it cannot load it row by row.
_LISTED = (
    Idea.id,
    Idea.title,
    Idea.description,
    Idea.category_id,
    Idea.process_id,
    Idea.workshop_id,
    Idea.source,
    Idea.author_name,
    Idea.show_author_name,
    Idea.status,
    Idea.result_status,
    Idea.progress,
    Idea.supports_count,
    Idea.comments_count,
    Idea.published_at,
)
_NOT_LISTED = (load_only(*_LISTED, raiseload=True),)


def _by_ids(stmt: Select, search: IdeaSearch, limit: int, offset: Any) -> Select:
    """The page's ids from the index alone, then only those rows: an OFFSET
    over whole rows (and their joined category…) reads them all, and
    PostgreSQL, which guesses that a row-value comparison (the cursor) keeps
    one row, would join every following row before sorting them (0.9 s for a
    cursor deep in ``sort=supports``)."""
    ids = stmt.with_only_columns(Idea.id, maintain_column_froms=True).limit(limit).offset(offset)
    return select(Idea).where(Idea.id.in_(ids.scalar_subquery())).order_by(*_order(search))


_AT = bindparam("after_at", type_=Idea.published_at.type)
_ID = bindparam("after_id", type_=Idea.id.type)
_SUPPORTS = bindparam("after_supports", type_=Idea.supports_count.type)


def _after(sort: str) -> Any:
    """The rows that come after the cursor in *sort*'s order: one row-value
    comparison, which both databases answer as a range of the index holding
    that order (``ix_ideas_status_published_id``,
    ``ix_ideas_status_supports_published``), however deep. The cursor's
    values are bound parameters (:func:`_after_params`)."""
    if sort == "supports":
        keys = tuple_(Idea.supports_count, Idea.published_at, Idea.id)
        return keys < tuple_(_SUPPORTS, _AT, _ID)
    keys = tuple_(Idea.published_at, Idea.id)
    return keys > tuple_(_AT, _ID) if sort == "oldest" else keys < tuple_(_AT, _ID)


def _after_params(sort: str, values: list[int]) -> dict[str, Any]:
    if sort == "supports":
        return {"after_supports": values[0], "after_at": _from_micros(values[1]), "after_id": values[2]}
    return {"after_at": _from_micros(values[0]), "after_id": values[1]}


@lru_cache(maxsize=256)
def _list_page(search: IdeaSearch, kind: str, limit: int, options: tuple) -> Select:
    """The statement of a page of ideas without search words, built once per
    filters, order, kind of page (``first``, ``offset``, ``cursor``), size
    and loader options (the callers' constants): the offset and the
    cursor's values are bound parameters. Building it anew, with its cache
    key, cost a tenth of an API page."""
    stmt, _count = _statements(_Plan(search, [], []))
    if kind == "cursor":
        stmt = _by_ids(stmt.where(_after(search.effective_sort)), search, limit, 0)
    elif kind == "offset":
        stmt = _by_ids(stmt, search, limit, bindparam("offset", type_=Integer))
    else:
        stmt = stmt.limit(limit)
    return stmt.options(*options, *_NOT_LISTED)


def ideas_slice(
    search: IdeaSearch,
    *,
    page: int = 1,
    after: str | None = None,
    per_page: int = 20,
    options: Sequence[Any] = (),
) -> Slice:
    """The page of ideas for *search*: the one after the cursor *after* when
    given, else page number *page* (within ``MAX_OFFSET``; deeper raises
    FilterError). Published ideas only; the number of queries does not
    depend on the depth or the page size."""
    plan = _Plan.of(search)
    sort = search.effective_sort

    cap = min(TOTAL_CAP, SEARCH_TOTAL_CAP) if plan.terms else TOTAL_CAP

    def count() -> Totals:
        if plan.terms and _dialect() == "sqlite":
            # The index alone answers which ideas match (filters are tokens in it).
            return count_capped(_sqlite_matches(plan), cap)
        return count_capped(_statements(plan)[0], cap)

    # The same for every page of these filters, whatever the order: counted
    # once until the lists of ideas change (see pagecache.kept_value).
    totals = pagecache.kept_value(("idea totals", cap, search.with_(sort=None)), count)
    offset = (page - 1) * per_page
    keyset = None
    if after is not None:
        values = decode_cursor(sort, after)
        if sort == "relevance":
            offset = values[0]
        else:
            keyset, offset = values, 0
    elif offset >= totals.count and totals.exact:
        return Slice([], None, totals)  # past the last page: nothing, cheaply
    elif offset > MAX_OFFSET:
        raise too_deep()
    params: dict[str, Any] = {}
    broad = False
    if not plan.terms:
        kind = "cursor" if keyset is not None else "offset" if offset else "first"
        rows_stmt = _list_page(search.with_(sort=sort), kind, per_page + 1, tuple(options))
        if keyset is not None:
            params = _after_params(sort, keyset)
        elif offset:
            params = {"offset": offset}
    elif broad := sort == "relevance" and not totals.exact:
        # More matches than a search counts: ranking them would score every
        # match (a common word, or a category's name, matches half the
        # ideas: on PostgreSQL 150 ms and more, reading each one's words; on
        # SQLite up to 90 ms of bm25), so they are listed newest first, and
        # the page says so. Pages follow by offset, as ranked ones do.
        newest = search.with_(sort="newest")
        stmt, _count = _statements(_Plan(newest, plan.terms, plan.named))
        rows_stmt = _by_ids(stmt, newest, per_page + 1, offset) if offset else stmt.limit(per_page + 1)
        rows_stmt = rows_stmt.options(*options, *_NOT_LISTED)
    else:
        stmt, _count = _statements(plan)
        if keyset is not None:
            stmt = stmt.where(_after(sort))
            params = _after_params(sort, keyset)
        if sort == "relevance" and _dialect() == "sqlite":
            rows_stmt = _ranked_page(plan, search, offset, per_page + 1).options(*options)
        elif (offset or keyset is not None) and sort != "relevance":
            rows_stmt = _by_ids(stmt, search, per_page + 1, offset).options(*options)
        else:
            rows_stmt = stmt.options(*options).limit(per_page + 1).offset(offset)
        rows_stmt = rows_stmt.options(*_NOT_LISTED)
    rows = list(db.session.scalars(rows_stmt, params).unique())
    items = rows[:per_page]
    next_cursor = None
    if len(rows) > per_page:
        reached = offset + len(items)
        if sort != "relevance" or reached <= MAX_OFFSET:
            next_cursor = _cursor_after(sort, items[-1], reached)
    return Slice(items, next_cursor, totals, newest_first=broad)
