"""Full-text search over published ideas, the same on SQLite and PostgreSQL.

Neither database folds every Polish letter by itself (SQLite's
``remove_diacritics`` leaves "ł" alone, PostgreSQL has no Polish
configuration), so the index holds ``Idea.search_text``: words already
folded by :func:`app.text.normalise_for_search`. User input goes through
the same folding (:func:`app.text.search_words`), so only ``[a-z0-9]+``
words ever reach the full-text syntax, each quoted and prefix-matched:
"lodz" finds "Łódź", "odkryw" finds "odkrywce", and ``"``, ``*``, ``NEAR``,
``OR`` or ``-`` are plain text.

- SQLite: an FTS5 external-content table ``ideas_fts`` over
  ``ideas.search_text``, kept in step by triggers; ranked by ``bm25``.
- PostgreSQL: a GIN index on ``to_tsvector('simple', search_text)`` and a
  prefix ``tsquery``; ranked by ``ts_rank``.

On both, ideas whose *title* holds the words rank above passing mentions
(``Idea.search_title``, kept in step with the title by mapper events here).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

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

from app.database import EXTRA_SCHEMA
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

SQLITE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS ideas_fts USING fts5("
    "search_text, content='ideas', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER IF NOT EXISTS ideas_fts_ai AFTER INSERT ON ideas BEGIN "
    "INSERT INTO ideas_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS ideas_fts_ad AFTER DELETE ON ideas BEGIN "
    "INSERT INTO ideas_fts(ideas_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS ideas_fts_au AFTER UPDATE OF search_text ON ideas BEGIN "
    "INSERT INTO ideas_fts(ideas_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO ideas_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    # Index rows that existed before the table (a migration on live data).
    "INSERT INTO ideas_fts(ideas_fts) VALUES ('rebuild')",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS ideas_fts_au",
    "DROP TRIGGER IF EXISTS ideas_fts_ad",
    "DROP TRIGGER IF EXISTS ideas_fts_ai",
    "DROP TABLE IF EXISTS ideas_fts",
)
POSTGRES_DDL = (
    "CREATE INDEX IF NOT EXISTS ix_ideas_search_fts ON ideas "
    "USING gin (to_tsvector('simple'::regconfig, search_text))",
)
POSTGRES_DROP = ("DROP INDEX IF EXISTS ix_ideas_search_fts",)


def install_search_schema(connection: Connection) -> None:
    """Create the full-text index for *connection*'s database (idempotent)."""
    name = connection.dialect.name
    statements = SQLITE_DDL if name == "sqlite" else POSTGRES_DDL if name == "postgresql" else ()
    for statement in statements:
        connection.exec_driver_sql(statement)


EXTRA_SCHEMA.append(install_search_schema)


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """For Alembic autogenerate: ignore the full-text objects the models
    do not describe (``ideas_fts`` and its shadow tables, the GIN index)."""
    if type_ == "table" and name and name.startswith(FTS_TABLE):
        return False
    return not (type_ == "index" and name == PG_INDEX)


# --- Keeping search_title (and an empty search_text) in step -------------


def _fill_search_fields(target: Idea, changed: bool) -> None:
    if changed or not target.search_title:
        target.search_title = normalise_for_search(target.title)
    if not target.search_text:
        target.search_text = normalise_for_search(target.title, target.description)


@event.listens_for(Idea, "before_insert")
def _idea_before_insert(mapper, connection, target: Idea) -> None:  # noqa: ANN001
    _fill_search_fields(target, changed=True)


@event.listens_for(Idea, "before_update")
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


# --- Turning user input into a safe query --------------------------------


def query_words(text: str | None, limit: int = MAX_QUERY_WORDS) -> list[str]:
    """The distinct folded words of *text*, at most *limit*, each at most
    ``MAX_WORD_LENGTH`` characters: the only thing that reaches FTS syntax."""
    words: list[str] = []
    for word in search_words((text or "")[:MAX_QUERY_CHARS]):
        word = word[:MAX_WORD_LENGTH]
        if word not in words:
            words.append(word)
        if len(words) >= limit:
            break
    return words


def _sqlite_match(words: Sequence[str], operator: str = " ") -> str:
    # Quoted, so no word can be an operator; the star makes it a prefix.
    return operator.join(f'"{word}"*' for word in words)


def _postgres_tsquery(words: Sequence[str], operator: str = " & ") -> str:
    return operator.join(f"'{word}':*" for word in words)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


_fts = table(FTS_TABLE, column("rowid"))
_fts_ref = literal_column(FTS_TABLE)
_SIMPLE = literal_column("'simple'::regconfig")


def _match(stmt: Select, words: Sequence[str], any_word: bool = False) -> tuple[Select, Any]:
    """Restrict *stmt* (over Idea) to full-text matches; return it with a
    rank expression where smaller is better."""
    if _dialect() == "postgresql":
        vector = func.to_tsvector(_SIMPLE, Idea.search_text)
        query = func.to_tsquery(_SIMPLE, _postgres_tsquery(words, " | " if any_word else " & "))
        return stmt.where(vector.op("@@")(query)), -func.ts_rank(vector, query)
    stmt = stmt.join(_fts, _fts.c.rowid == Idea.id).where(
        _fts_ref.op("MATCH")(_sqlite_match(words, " OR " if any_word else " "))
    )
    return stmt, func.bm25(_fts_ref)


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


def idea_statements(search: IdeaSearch) -> tuple[Select, Select]:
    """``(ideas, count)``: the ordered ``select(Idea)`` for *search* and
    the ``select(count)`` of all its rows. Published ideas only."""
    words = search.words
    stmt = _filtered(select(Idea), search)
    count = _filtered(select(func.count(Idea.id)).select_from(Idea), search)
    rank = None
    if words:
        stmt, rank = _match(stmt, words)
        count, _ = _match(count, words)
    sort = search.effective_sort
    if sort == "relevance" and rank is not None:
        order = [_title_hits(words).desc(), rank, Idea.published_at.desc(), Idea.id.desc()]
    elif sort == "oldest":
        order = [Idea.published_at.asc(), Idea.id.asc()]
    elif sort == "supports":
        order = [Idea.supports_count.desc(), Idea.published_at.desc(), Idea.id.desc()]
    else:
        order = [Idea.published_at.desc(), Idea.id.desc()]
    return stmt.order_by(*order), count


def search_ideas(
    search: IdeaSearch, page: int = 1, per_page: int = 20, options: Sequence[Any] = ()
) -> tuple[list[Idea], int]:
    """One page of ideas for *search* and the total; *options* are loader
    options (``selectinload(...)``) for what the caller shows."""
    stmt, count = idea_statements(search)
    total = db.session.scalar(count) or 0
    if total == 0 or (page - 1) * per_page >= total:
        return [], total
    stmt = stmt.options(*options).limit(per_page).offset((page - 1) * per_page)
    return list(db.session.scalars(stmt).unique()), total


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
    stmt, rank = _match(stmt, words, any_word=True)
    stmt = stmt.order_by(_title_hits(words).desc(), rank, Idea.id.desc()).limit(limit)
    return list(db.session.scalars(stmt))
