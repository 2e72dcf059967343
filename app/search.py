"""Full-text search over published ideas, the same on SQLite and PostgreSQL.

Neither database folds every Polish letter by itself (SQLite's
``remove_diacritics`` leaves "ł" alone, PostgreSQL has no Polish
configuration), so the index holds ``Idea.search_text``: words already
folded by :func:`app.text.normalise_for_search`. User input goes through
the same folding (:func:`app.text.search_words`), so only ``[a-z0-9]+``
words ever reach the full-text syntax, each quoted and prefix-matched:
"lodz" finds "Łódź", "odkryw" finds "odkrywce", and ``"``, ``*``, ``NEAR``,
``OR`` or ``-`` are plain text.

- SQLite: an FTS5 table ``ideas_fts`` over the *published* ideas'
  ``search_title`` and ``search_text``, kept in step by triggers on
  ``ideas``; ranked by ``bm25`` with title words weighing most. A third
  column holds filter tokens (``c12`` category, ``p3`` consultation,
  ``sform`` source, ``rinprogress`` status, ``w5`` meeting), so a search with
  filters is answered by the index alone: on 100,000 ideas, milliseconds,
  where joining every match back to the table took tenths of a second.
  The index keeps no copy of the text (``content=''``).
- PostgreSQL: ``to_tsvector('simple', search_text)`` kept as a stored
  generated column ``search_vector`` (not mapped: the database fills it) with
  a GIN index, queried with a prefix ``tsquery``; ranked by ``ts_rank``.

On both, ideas whose *title* holds the words rank above passing mentions
(``Idea.search_title``, kept in step with the title by mapper events that
``init_app`` installs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from flask import Flask
from sqlalchemy import (
    Select,
    case,
    column,
    event,
    func,
    inspect,
    literal,
    literal_column,
    select,
    table,
)
from sqlalchemy.engine import Connection

from app.extensions import db
from app.models.idea import Idea, IdeaStatus
from app.text import normalise_for_search, search_words

# More words than this add nothing to a search but cost; the rest is ignored.
MAX_QUERY_WORDS = 12
# A longer "word" is cut (the cut word is still a prefix of the original).
MAX_WORD_LENGTH = 40
# Input beyond this many characters is not even read.
MAX_QUERY_CHARS = 1000

SORTS = ("relevance", "newest", "oldest", "supports")

FTS_TABLE = "ideas_fts"
PG_INDEX = "ix_ideas_search_fts"

# The filter tokens of a row, in SQL (triggers) and Python (queries): keep
# them the same. Underscores would split a token, so they are dropped.
_FACETS = (
    "'c' || {r}.category_id || ' p' || {r}.process_id || ' s' || {r}.source"
    " || ' r' || replace({r}.result_status, '_', '')"
    " || coalesce(' w' || {r}.workshop_id, '')"
)
_INDEX_ROW = (
    "INSERT INTO ideas_fts(rowid, search_title, search_text, facets) "
    "SELECT {r}.id, {r}.search_title, {r}.search_text, " + _FACETS + " "
    "WHERE {r}.status = 'published';"
)
_UNINDEX_ROW = (
    "INSERT INTO ideas_fts(ideas_fts, rowid, search_title, search_text, facets) "
    "SELECT 'delete', {r}.id, {r}.search_title, {r}.search_text, " + _FACETS + " "
    "WHERE {r}.status = 'published';"
)
_WATCHED = (
    "status, search_title, search_text, category_id, process_id, source, result_status, workshop_id"
)
_REINDEX_ALL = (
    "INSERT INTO ideas_fts(rowid, search_title, search_text, facets) "
    "SELECT ideas.id, ideas.search_title, ideas.search_text, "
    "'c' || ideas.category_id || ' p' || ideas.process_id || ' s' || ideas.source"
    " || ' r' || replace(ideas.result_status, '_', '')"
    " || coalesce(' w' || ideas.workshop_id, '') "
    "FROM ideas WHERE ideas.status = 'published'"
)
SQLITE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS ideas_fts USING fts5("
    "search_title, search_text, facets, content='', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER IF NOT EXISTS ideas_fts_ai AFTER INSERT ON ideas BEGIN "
    + _INDEX_ROW.format(r="new")
    + " END",
    "CREATE TRIGGER IF NOT EXISTS ideas_fts_ad AFTER DELETE ON ideas BEGIN "
    + _UNINDEX_ROW.format(r="old")
    + " END",
    "CREATE TRIGGER IF NOT EXISTS ideas_fts_au AFTER UPDATE OF "
    + _WATCHED
    + " ON ideas BEGIN "
    + _UNINDEX_ROW.format(r="old")
    + " "
    + _INDEX_ROW.format(r="new")
    + " END",
    # Index what was published before the index existed (a migration).
    "INSERT INTO ideas_fts(ideas_fts) VALUES ('delete-all')",
    _REINDEX_ALL,
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS ideas_fts_au",
    "DROP TRIGGER IF EXISTS ideas_fts_ad",
    "DROP TRIGGER IF EXISTS ideas_fts_ai",
    "DROP TABLE IF EXISTS ideas_fts",
)
POSTGRES_DDL = (
    # The folded words as a stored tsvector: ranking and rechecking read it
    # instead of parsing the text again for every matching row (10x faster).
    "ALTER TABLE ideas ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED",
    "CREATE INDEX IF NOT EXISTS ix_ideas_search_fts ON ideas USING gin (search_vector)",
)
POSTGRES_DROP = (
    "DROP INDEX IF EXISTS ix_ideas_search_fts",
    "ALTER TABLE ideas DROP COLUMN IF EXISTS search_vector",
)


def install_search_schema(connection: Connection) -> None:
    """Create the full-text index for *connection*'s database (idempotent)."""
    name = connection.dialect.name
    statements = SQLITE_DDL if name == "sqlite" else POSTGRES_DDL if name == "postgresql" else ()
    for statement in statements:
        connection.exec_driver_sql(statement)



def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """For Alembic autogenerate: ignore the full-text objects the models
    do not describe (``ideas_fts`` and its shadow tables, the GIN index and
    its ``ideas.search_vector`` column)."""
    if type_ == "table" and name and name.startswith(FTS_TABLE):
        return False
    if type_ == "column" and name == "search_vector":
        return False
    return not (type_ == "index" and name == PG_INDEX)


# --- Keeping search_title (and an empty search_text) in step -------------


def _fill_search_fields(target: Idea, changed: bool) -> None:
    if changed or not target.search_title:
        target.search_title = normalise_for_search(target.title)
    if not target.search_text:
        target.search_text = normalise_for_search(target.title, target.description)


def _idea_before_insert(mapper, connection, target: Idea) -> None:  # noqa: ANN001
    _fill_search_fields(target, changed=True)


def _idea_before_update(mapper, connection, target: Idea) -> None:  # noqa: ANN001
    state = inspect(target)
    title_changed = state.attrs.title.history.has_changes()
    description_changed = state.attrs.description.history.has_changes()
    text_set = state.attrs.search_text.history.has_changes()
    # A public edit of title or description must be findable at once; when
    # the code that edited it also set search_text, its value wins.
    if (title_changed or description_changed) and not text_set:
        target.search_text = normalise_for_search(target.title, target.description)
    _fill_search_fields(target, changed=title_changed)


def init_app(app: Flask) -> None:
    """Keep every idea's search fields in step with its title and text."""
    for name, listener in (
        ("before_insert", _idea_before_insert),
        ("before_update", _idea_before_update),
    ):
        if not event.contains(Idea, name, listener):
            event.listen(Idea, name, listener)


# --- Turning user input into a safe query --------------------------------


def query_words(text: str | None, limit: int = MAX_QUERY_WORDS) -> list[str]:
    """The distinct folded words of *text*, at most *limit*, each at most
    ``MAX_WORD_LENGTH`` characters: the only thing that reaches FTS syntax.

    One-letter words and the commonest Polish little words ("na", "w",
    "i"...) are left out when the query has other words: as prefixes they
    match nearly every idea and only slow the search down.
    """
    words: list[str] = []
    for word in search_words((text or "")[:MAX_QUERY_CHARS]):
        word = word[:MAX_WORD_LENGTH]
        if word not in words:
            words.append(word)
    telling = [w for w in words if len(w) > 1 and w not in _STOPWORDS]
    return (telling or words)[:limit]


def _sqlite_words(words: Sequence[str], operator: str = " ") -> str:
    # Quoted, so no word can be an operator; the star makes it a prefix.
    return operator.join(f'"{word}"*' for word in words)


def _postgres_tsquery(words: Sequence[str], operator: str = " & ") -> str:
    return operator.join(f"'{word}':*" for word in words)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


_fts = table(FTS_TABLE, column("rowid"))
_fts_ref = literal_column(FTS_TABLE)
_SIMPLE = literal_column("'simple'::regconfig")
_VECTOR = literal_column("ideas.search_vector")
# bm25 column weights: title, text, filter tokens.
_BM25_WEIGHTS = (10.0, 1.0, 0.0)


def _bm25() -> Any:
    return func.bm25(_fts_ref, *_BM25_WEIGHTS)


def _title_hits(words: Sequence[str]) -> Any:
    """How many of *words* start a word of the title."""
    padded = literal(" ").concat(Idea.search_title)
    return sum(case((padded.like(f"% {word}%"), 1), else_=0) for word in words)


# --- The catalogue's query ----------------------------------------------


@dataclass(frozen=True)
class IdeaSearch:
    """What a reader asked the catalogue for, already validated: ids, not slugs."""

    q: str = ""
    category_id: int | None = None
    result_status: str | None = None
    source: str | None = None
    workshop_id: int | None = None
    process_id: int | None = None
    sort: str | None = None  # None: relevance with a query, else newest

    @property
    def words(self) -> list[str]:
        return query_words(self.q)

    @property
    def effective_sort(self) -> str:
        if self.sort in SORTS and (self.sort != "relevance" or self.words):
            return self.sort
        return "relevance" if self.words else "newest"

    def with_(self, **changes: Any) -> IdeaSearch:
        return replace(self, **changes)

    def facet_tokens(self) -> list[str]:
        """The filter tokens of the SQLite index (see ``_FACETS``)."""
        tokens = []
        if self.category_id is not None:
            tokens.append(f"c{int(self.category_id)}")
        if self.process_id is not None:
            tokens.append(f"p{int(self.process_id)}")
        if self.source:
            tokens.append("s" + "".join(search_words(self.source)))
        if self.result_status:
            tokens.append("r" + "".join(search_words(self.result_status)))
        if self.workshop_id is not None:
            tokens.append(f"w{int(self.workshop_id)}")
        return tokens

    def sqlite_match(self) -> str:
        """The FTS5 query: every word as a prefix, and the filter tokens."""
        # Words are looked for in the text columns only, never the tokens.
        expression = "{search_title search_text} : (" + _sqlite_words(self.words) + ")"
        tokens = self.facet_tokens()
        if tokens:
            expression += " AND facets : (" + " AND ".join(f'"{t}"' for t in tokens) + ")"
        return expression


def _filtered(stmt: Select, search: IdeaSearch) -> Select:
    stmt = stmt.where(Idea.status == IdeaStatus.PUBLISHED)
    if search.category_id is not None:
        stmt = stmt.where(Idea.category_id == search.category_id)
    if search.result_status:
        stmt = stmt.where(Idea.result_status == search.result_status)
    if search.source:
        stmt = stmt.where(Idea.source == search.source)
    if search.workshop_id is not None:
        stmt = stmt.where(Idea.workshop_id == search.workshop_id)
    if search.process_id is not None:
        stmt = stmt.where(Idea.process_id == search.process_id)
    return stmt


def _sqlite_matches(search: IdeaSearch) -> Select:
    return select(_fts.c.rowid).where(_fts_ref.op("MATCH")(search.sqlite_match()))


def _order(search: IdeaSearch) -> list:
    sort = search.effective_sort
    if sort == "oldest":
        return [Idea.published_at.asc(), Idea.id.asc()]
    if sort == "supports":
        return [Idea.supports_count.desc(), Idea.published_at.desc(), Idea.id.desc()]
    return [Idea.published_at.desc(), Idea.id.desc()]


def idea_statements(search: IdeaSearch) -> tuple[Select, Select]:
    """``(ideas, count)``: the ordered ``select(Idea)`` for *search* and
    the ``select(count)`` of all its rows. Published ideas only."""
    words = search.words
    stmt = _filtered(select(Idea), search)
    # count(*), not count(id): PostgreSQL answers it from an index alone
    # (8 ms for 100,000 ideas instead of 78 ms reading the whole table).
    count = _filtered(select(func.count()).select_from(Idea), search)
    if not words:
        return stmt.order_by(*_order(search)), count
    relevance = search.effective_sort == "relevance"
    if _dialect() == "postgresql":
        vector = _VECTOR
        query = func.to_tsquery(_SIMPLE, _postgres_tsquery(words))
        stmt, count = stmt.where(vector.op("@@")(query)), count.where(vector.op("@@")(query))
        if relevance:
            return stmt.order_by(
                _title_hits(words).desc(),
                func.ts_rank(vector, query).desc(),
                Idea.published_at.desc(),
                Idea.id.desc(),
            ), count
        return stmt.order_by(*_order(search)), count
    count = select(func.count()).select_from(_sqlite_matches(search).subquery())
    if relevance:
        # Materialised: bm25() only works where the MATCH is evaluated.
        ranked = (
            select(_fts.c.rowid.label("rowid"), _bm25().label("rank"))
            .where(_fts_ref.op("MATCH")(search.sqlite_match()))
            .cte("fts_ranked")
            .prefix_with("MATERIALIZED")
        )
        stmt = stmt.join(ranked, ranked.c.rowid == Idea.id).order_by(
            ranked.c.rank, Idea.published_at.desc(), Idea.id.desc()
        )
        return stmt, count
    return stmt.where(Idea.id.in_(_sqlite_matches(search))).order_by(*_order(search)), count


def search_ideas(
    search: IdeaSearch, page: int = 1, per_page: int = 20, options: Sequence[Any] = ()
) -> tuple[list[Idea], int]:
    """One page of ideas for *search* and the total; *options* are loader
    options (``joinedload(...)``) for what the caller shows. The number of
    queries does not depend on the page size."""
    stmt, count = idea_statements(search)
    offset = (page - 1) * per_page
    if search.words and _dialect() == "postgresql":
        # One pass: the total rides along as a window count, so the matching
        # rows are found (and rechecked) once, not once more for a COUNT.
        rows = db.session.execute(
            stmt.add_columns(func.count().over().label("total"))
            .options(*options)
            .limit(per_page)
            .offset(offset)
        ).all()
        if rows:
            return [row[0] for row in rows], int(rows[0][1])
        return [], db.session.scalar(count) or 0
    total = db.session.scalar(count) or 0
    if total == 0 or offset >= total:
        return [], total
    if search.words and search.effective_sort == "relevance" and _dialect() == "sqlite":
        # Rank inside the index and fetch only this page's rows.
        page_ids = (
            select(_fts.c.rowid.label("rowid"), _bm25().label("rank"))
            .where(_fts_ref.op("MATCH")(search.sqlite_match()))
            .order_by(_bm25(), _fts.c.rowid.desc())
            .limit(per_page)
            .offset(offset)
            .subquery("fts_page")
        )
        stmt = (
            _filtered(select(Idea), search)
            .join(page_ids, page_ids.c.rowid == Idea.id)
            .order_by(page_ids.c.rank, Idea.id.desc())
        )
    else:
        stmt = stmt.limit(per_page).offset(offset)
    return list(db.session.scalars(stmt.options(*options)).unique()), total


# --- Similar ideas (submission form, moderation) -------------------------

# Words too common to say anything about similarity.
_STOPWORDS = frozenset(
    """
    aby albo ale bardzo bez bo byc byl byla bylo byly bedzie by czy dla do gdy gdzie
    go i ich ile im innych jak jako jakie jej jest jesli jednak juz ktora ktore
    ktory ktorych lub ma maja mamy miec mnie moze mozna musi na nad nam nas nasz
    nasze naszej nie niech nich nim o od oraz po pod poniewaz przez przy sa sie
    ta tak takze tam te tego tej ten to tu tylko tym w we wiec wszystkich wszystko
    z za ze zeby
    """.split()
)
# Polish inflects: "rowerowa", "rowerowej" and "rowerowych" share a stem.
_STEM_LENGTH = 6


def similarity_words(text: str, limit: int = 16) -> list[str]:
    """Stems of the telling words of *text*, for an any-word search."""
    stems: list[str] = []
    for word in search_words((text or "")[: MAX_QUERY_CHARS * 5]):
        if len(word) < 4 or word in _STOPWORDS or word.isdigit():
            continue
        stem = word[:_STEM_LENGTH]
        if stem not in stems:
            stems.append(stem)
        if len(stems) >= limit:
            break
    return stems


def similar_ideas(text: str, limit: int = 5, exclude_ids: Sequence[int] = ()) -> list[Idea]:
    """Published ideas that look like *text* (a title, or title and
    description), best first; used to show possible duplicates."""
    words = similarity_words(text)
    if not words or limit <= 0:
        return []
    stmt = select(Idea).where(Idea.status == IdeaStatus.PUBLISHED)
    if exclude_ids:
        stmt = stmt.where(Idea.id.not_in(list(exclude_ids)))
    if _dialect() == "postgresql":
        vector = _VECTOR
        query = func.to_tsquery(_SIMPLE, _postgres_tsquery(words, " | "))
        stmt = stmt.where(vector.op("@@")(query)).order_by(
            _title_hits(words).desc(), func.ts_rank(vector, query).desc(), Idea.id.desc()
        )
    else:
        best = (
            select(_fts.c.rowid.label("rowid"), _bm25().label("rank"))
            .where(
                _fts_ref.op("MATCH")(
                    "{search_title search_text} : (" + _sqlite_words(words, " OR ") + ")"
                )
            )
            .order_by(_bm25())
            .limit(limit + len(exclude_ids))
            .subquery("similar")
        )
        stmt = stmt.join(best, best.c.rowid == Idea.id).order_by(best.c.rank, Idea.id.desc())
    return list(db.session.scalars(stmt.limit(limit)))
