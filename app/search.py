"""Full-text search over published ideas, the same on SQLite and PostgreSQL.

Words are indexed twice: as typed, folded (lower case, Polish letters
folded: "Łódź" → "lodz"), and as their dictionary forms (lemmas, from the
Morfeusz 2 analyser, folded the same way): "energii" → "energia",
"kopalnią" → "kopalnia", "szkół" → "szkola". A query word matches a word
that *starts* with it (typing "kopal" finds "kopalnia") or one of its
lemmas exactly ("autobusów" finds "autobusy"). User input only reaches the
full-text syntax as ``[a-z0-9]+`` words, each quoted, so ``"``, ``*``,
``NEAR``, ``OR`` or ``-`` are plain text.

Indexed per idea (``Idea.search_title`` and ``Idea.search_text``, filled
by :func:`index_text` when the idea or its answers change): the title, the
description and the official answers. The category name, the meeting's
title and the working group's name are matched when the query is read:
the words are compared with those (few) names in Python and a match
becomes a filter token (``c12``, ``w5``, ``g7``) the index already holds,
so renaming a category never needs a reindex. The municipality is not
searched: it is the author's personal data, never shown publicly.

- SQLite: an FTS5 table ``ideas_fts`` over the *published* ideas'
  ``search_title`` and ``search_text``, kept in step by triggers on
  ``ideas``; ranked by ``bm25`` with title words weighing most. A third
  column holds filter tokens (``c12`` category, ``p3`` consultation,
  ``sform`` source, ``rinprogress`` status, ``w5`` meeting, ``g7`` group),
  so a search with filters is answered by the index alone. The index keeps
  no copy of the text (``content=''``).
- PostgreSQL: ``to_tsvector('simple', search_text)`` kept as a stored
  generated column ``search_vector`` (not mapped: the database fills it) with
  a GIN index, queried with a prefix ``tsquery``; ranked by the number of
  query words in the title, then ``ts_rank``.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import morfeusz2
from flask import Flask
from sqlalchemy import (
    Select,
    and_,
    bindparam,
    case,
    column,
    event,
    func,
    inspect,
    literal,
    literal_column,
    or_,
    select,
    table,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.extensions import db
from app.models.idea import Idea, IdeaAnswer, IdeaStatus
from app.models.process import Category
from app.models.workshop import Workshop, WorkshopGroup
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
    " || coalesce(' g' || {r}.workshop_group_id, '')"
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
    "status, search_title, search_text, category_id, process_id, source, result_status,"
    " workshop_id, workshop_group_id"
)
# Every published row at once: the row trigger's statement over the table.
_REINDEX_ALL = _INDEX_ROW.format(r="ideas").replace(" WHERE ", " FROM ideas WHERE ").rstrip(";")
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


# --- Words and their dictionary forms ------------------------------------

# Letters and digits, as typed (before folding): what the analyser reads.
_RAW_WORD = re.compile(r"[^\W_]+")
_analysers = threading.local()


def _analyser() -> morfeusz2.Morfeusz:
    # One per thread: an analyser object is not meant to be shared.
    analyser = getattr(_analysers, "morfeusz", None)
    if analyser is None:
        analyser = _analysers.morfeusz = morfeusz2.Morfeusz(generate=False)
    return analyser


def _raw_words(text: str) -> list[str]:
    return _RAW_WORD.findall(unicodedata.normalize("NFC", text).lower())


@lru_cache(maxsize=200_000)
def lemmas(word: str) -> tuple[str, ...]:
    """The folded dictionary forms of one lower-case *word*, without the
    folded word itself: ``"kopalni"`` → ``("kopalnia", "kopalny")``.

    Every reading the analyser offers counts ("lasy" is a form of "las" and
    of "lasa"): a search should rather find one idea too many than miss the
    one meant. Unknown words (names, typos, words typed without Polish
    letters) have none and are matched as typed.
    """
    if not word or len(word) > MAX_WORD_LENGTH:
        return ()
    folded = "".join(search_words(word))
    found: list[str] = []
    for start, _end, (_form, lemma, tag, *_rest) in _analyser().analyse(word):
        # Only the first segment: "zrobiłbym" is "zrobić" + "by" + "m".
        if start != 0 or tag == "ign":
            continue
        parts = search_words(lemma.split(":", 1)[0])
        if len(parts) == 1 and parts[0] != folded and parts[0] not in found:
            found.append(parts[0])
    return tuple(found)


def index_part(text: str) -> tuple[str, tuple[str, ...]]:
    """One text's folded words (as a string) and the lemmas of its words."""
    found: dict[str, None] = {}
    for word in _raw_words(text):
        found.update(dict.fromkeys(lemmas(word)))
    return normalise_for_search(text), tuple(found)


def join_index_parts(parts: Iterable[tuple[str, tuple[str, ...]]]) -> str:
    """The index words of several :func:`index_part` results together: the
    folded words as written, then the lemmas that are not among them."""
    parts = list(parts)
    surface = " ".join(words for words, _ in parts if words)
    present = set(surface.split())
    extra: list[str] = []
    for _, found in parts:
        for lemma in found:
            if lemma not in present:
                present.add(lemma)
                extra.append(lemma)
    return " ".join([surface, *extra]) if extra else surface


def index_text(*parts: str | None) -> str:
    """What the index holds for *parts*: their folded words as written,
    then the lemmas that are not among them."""
    return join_index_parts(index_part(part) for part in parts if part)


# --- Keeping search_title and search_text in step ------------------------


def _answer_texts(session: Session, idea: Idea) -> list[str]:
    """The idea's official answers as they will be after this flush."""
    if idea.id is None:
        texts = {id(a): a.answer for a in idea.answers}
    else:
        with session.no_autoflush:
            stored = session.execute(
                select(IdeaAnswer.id, IdeaAnswer.answer).where(IdeaAnswer.idea_id == idea.id)
            ).all()
        texts = {answer_id: text for answer_id, text in stored}
    for obj in (*session.identity_map.values(), *session.new):
        if not isinstance(obj, IdeaAnswer):
            continue
        # The relationship as set in memory (no lazy load), or the key.
        linked = obj.__dict__.get("idea") is idea
        if linked or (idea.id is not None and obj.idea_id == idea.id):
            key = obj.id if obj.id is not None and idea.id is not None else id(obj)
            if obj in session.deleted:
                texts.pop(key, None)
            else:
                texts[key] = obj.answer
    return [text for text in texts.values() if text]


def refresh_search_fields(session: Session, idea: Idea) -> None:
    """Fill the idea's index words from its title, description and answers."""
    idea.search_title = index_text(idea.title)
    idea.search_text = index_text(idea.title, idea.description, *_answer_texts(session, idea))


def _text_changed(idea: Idea) -> bool:
    state = inspect(idea)
    return (
        state.attrs.title.history.has_changes()
        or state.attrs.description.history.has_changes()
        or not idea.search_text
        or not idea.search_title
    )


def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    ideas: dict[int, Idea] = {}
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Idea):
            if obj in session.new or (obj not in session.deleted and _text_changed(obj)):
                ideas[id(obj)] = obj
        elif isinstance(obj, IdeaAnswer):
            changed = obj in session.new or obj in session.deleted
            if changed or inspect(obj).attrs.answer.history.has_changes():
                idea = obj.idea
                if idea is None and obj.idea_id is not None:
                    idea = session.get(Idea, obj.idea_id)
                if idea is not None and idea not in session.deleted:
                    ideas[id(idea)] = idea
    for idea in ideas.values():
        refresh_search_fields(session, idea)


def init_app(app: Flask) -> None:
    """Keep every idea's index words in step with its title, text and answers."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)


# The columns the reindex reads and writes, without the models: a migration
# runs it against the schema of its own revision.
_IDEAS = table(
    "ideas", column("id"), column("title"), column("description"),
    column("search_title"), column("search_text"),
)  # fmt: skip
_ANSWERS = table("idea_answers", column("id"), column("idea_id"), column("answer"))


def reindex_batches(connection: Connection, batch_size: int = 1000) -> Iterator[int]:
    """Recompute every idea's index words, *batch_size* ideas at a time;
    yields the number of ideas read per batch (the caller may commit
    between batches). Rows whose words did not change are not written."""
    ideas, answers = _IDEAS.c, _ANSWERS.c
    last_id = 0
    while True:
        rows = connection.execute(
            select(ideas.id, ideas.title, ideas.description, ideas.search_title, ideas.search_text)
            .where(ideas.id > last_id)
            .order_by(ideas.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return
        texts: dict[int, list[str]] = {}
        for idea_id, text in connection.execute(
            select(answers.idea_id, answers.answer)
            .where(answers.idea_id.between(rows[0].id, rows[-1].id))
            .order_by(answers.id)
        ):
            if text:
                texts.setdefault(idea_id, []).append(text)
        changes = []
        for row in rows:
            title = index_text(row.title)
            text = index_text(row.title, row.description, *texts.get(row.id, ()))
            if (title, text) != (row.search_title, row.search_text):
                changes.append({"row_id": row.id, "new_title": title, "new_text": text})
        if changes:
            connection.execute(
                update(_IDEAS)
                .where(ideas.id == bindparam("row_id"))
                .values(search_title=bindparam("new_title"), search_text=bindparam("new_text")),
                changes,
            )
        last_id = rows[-1].id
        yield len(rows)


# --- Turning user input into a safe query --------------------------------


@dataclass(frozen=True)
class Term:
    """One query word: its folded form (matched as the start of a word) and
    its lemmas (matched as whole words)."""

    word: str
    lemmas: tuple[str, ...] = ()
    typed: str = ""  # the word as the reader wrote it (for messages)

    @property
    def exact(self) -> tuple[str, ...]:
        # A lemma the word starts is already matched by the prefix.
        return tuple(lemma for lemma in self.lemmas if not lemma.startswith(self.word))

    def matches(self, words: Iterable[str]) -> bool:
        """Whether the term matches one of *words* (folded index words)."""
        exact = set(self.lemmas)
        return any(w.startswith(self.word) or w in exact for w in words)


def query_terms(text: str | None, limit: int = MAX_QUERY_WORDS) -> list[Term]:
    """The distinct terms of *text*, at most *limit*, each word at most
    ``MAX_WORD_LENGTH`` characters: the only thing that reaches FTS syntax.

    One-letter words and the commonest Polish little words ("na", "w",
    "i"...) are left out when the query has other words: as prefixes they
    match nearly every idea and only slow the search down.
    """
    terms: dict[str, Term] = {}
    for raw in _raw_words((text or "")[:MAX_QUERY_CHARS]):
        parts = search_words(raw)
        found = lemmas(raw[:MAX_WORD_LENGTH]) if len(parts) == 1 else ()
        for part in parts:
            word = part[:MAX_WORD_LENGTH]
            if word not in terms:
                terms[word] = Term(word, found if word == part else (), raw)
    telling = [t for t in terms.values() if len(t.word) > 1 and t.word not in _STOPWORDS]
    return (telling or list(terms.values()))[:limit]


def query_words(text: str | None, limit: int = MAX_QUERY_WORDS) -> list[str]:
    """The folded words of :func:`query_terms`."""
    return [term.word for term in query_terms(text, limit)]


def _fts_quote(word: str) -> str:
    return f'"{word}"'


def _sqlite_term(term: Term) -> str:
    # Quoted, so no word can be an operator; the star makes it a prefix.
    return " OR ".join([f'"{term.word}"*', *map(_fts_quote, term.exact)])


def _postgres_term(term: Term) -> str:
    return " | ".join([f"'{term.word}':*", *(f"'{lemma}'" for lemma in term.exact)])


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


def _title_hits(terms: Sequence[Term]) -> Any:
    """How many of *terms* match a word of the title."""
    padded = literal(" ").concat(Idea.search_title).concat(" ")
    hits = []
    for term in terms:
        tests = [padded.like(f"% {term.word}%")]
        tests += [padded.like(f"% {lemma} %") for lemma in term.exact]
        hits.append(case((or_(*tests), 1), else_=0))
    return sum(hits)


# --- Names matched by the query: categories, meetings, groups ------------


@lru_cache(maxsize=4096)
def _name_words(name: str) -> tuple[str, ...]:
    return tuple(index_text(name).split())


# Every name a query word may match: categories, published meetings, their groups.
_NAMES = select(literal("c"), Category.id, Category.name).union_all(
    select(literal("w"), Workshop.id, Workshop.title).where(Workshop.published.is_(True)),
    select(literal("g"), WorkshopGroup.id, WorkshopGroup.name)
    .join(Workshop, Workshop.id == WorkshopGroup.workshop_id)
    .where(Workshop.published.is_(True)),
)
_KIND_ORDER = {"c": 0, "w": 1, "g": 2}


def _index_names(rows: Iterable[Any]) -> dict[str, tuple[tuple[str, int], ...]]:
    """Each word of those names, with the ``(kind, id)`` of every name it is in."""
    found: dict[str, set[tuple[str, int]]] = {}
    for kind, row_id, name in rows:
        for word in _name_words(name or ""):
            found.setdefault(word, set()).add((kind, row_id))
    return {word: tuple(names) for word, names in found.items()}


def _named_facets(terms: Sequence[Term]) -> list[list[tuple[str, int]]]:
    """For each term, the categories (``c``), published meetings (``w``)
    and their groups (``g``) whose names it matches, as ``(kind, id)``.

    The words of the names are kept by each worker (their tables are ones
    pagecache.PAGES_SHOWING does not name, so any change to them drops the
    copy): a search asks the database nothing about them."""
    from app import pagecache

    index = pagecache.kept_rows("search: words of names", _NAMES, build=_index_names)
    named = []
    for term in terms:
        exact = set(term.lemmas)
        found: set[tuple[str, int]] = set()
        for word, names in index.items():
            if word.startswith(term.word) or word in exact:
                found.update(names)
        named.append(sorted(found, key=lambda name: (_KIND_ORDER[name[0]], name[1])))
    return named


_FACET_COLUMNS = {"c": Idea.category_id, "w": Idea.workshop_id, "g": Idea.workshop_group_id}


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
    def terms(self) -> list[Term]:
        return query_terms(self.q)

    @property
    def words(self) -> list[str]:
        return [term.word for term in self.terms]

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

    def sqlite_match(self, named: Sequence[Sequence[tuple[str, int]]] | None = None) -> str:
        """The FTS5 query: every term (a prefix or a lemma, in the text, or
        a category, meeting or group it names), and the filter tokens."""
        terms = self.terms
        named = named if named is not None else [[] for _ in terms]
        parts = []
        for term, names in zip(terms, named, strict=True):
            # Words are looked for in the text columns only, never the tokens.
            part = "{search_title search_text} : (" + _sqlite_term(term) + ")"
            if names:
                tokens = " OR ".join(f'"{kind}{int(row_id)}"' for kind, row_id in names)
                part = f"({part} OR facets : ({tokens}))"
            parts.append(part)
        expression = " AND ".join(parts)
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


def _order(search: IdeaSearch) -> list:
    sort = search.effective_sort
    if sort == "oldest":
        return [Idea.published_at.asc(), Idea.id.asc()]
    if sort == "supports":
        return [Idea.supports_count.desc(), Idea.published_at.desc(), Idea.id.desc()]
    return [Idea.published_at.desc(), Idea.id.desc()]


def _postgres_condition(terms: Sequence[Term], named: Sequence[Sequence[tuple[str, int]]]) -> Any:
    if not any(named):
        # One tsquery: one pass over the GIN index.
        query = " & ".join(f"({_postgres_term(term)})" for term in terms)
        return _VECTOR.op("@@")(func.to_tsquery(_SIMPLE, query))
    conditions = []
    for term, names in zip(terms, named, strict=True):
        options = [_VECTOR.op("@@")(func.to_tsquery(_SIMPLE, _postgres_term(term)))]
        for kind in "cwg":
            ids = [row_id for k, row_id in names if k == kind]
            if ids:
                options.append(_FACET_COLUMNS[kind].in_(ids))
        conditions.append(or_(*options))
    return and_(*conditions)


@dataclass
class _Plan:
    """A search's terms and the names they match, worked out once."""

    search: IdeaSearch
    terms: list[Term]
    named: list[list[tuple[str, int]]]

    @classmethod
    def of(cls, search: IdeaSearch) -> _Plan:
        terms = search.terms
        return cls(search, terms, _named_facets(terms) if terms else [])

    @property
    def match(self) -> str:
        return self.search.sqlite_match(self.named)


def _sqlite_matches(plan: _Plan) -> Select:
    return select(_fts.c.rowid).where(_fts_ref.op("MATCH")(plan.match))


def _statements(plan: _Plan) -> tuple[Select, Select]:
    search, terms = plan.search, plan.terms
    stmt = _filtered(select(Idea), search)
    # count(*), not count(id): PostgreSQL answers it from an index alone
    # (8 ms for 100,000 ideas instead of 78 ms reading the whole table).
    count = _filtered(select(func.count()).select_from(Idea), search)
    if not terms:
        return stmt.order_by(*_order(search)), count
    relevance = search.effective_sort == "relevance"
    if _dialect() == "postgresql":
        condition = _postgres_condition(terms, plan.named)
        stmt, count = stmt.where(condition), count.where(condition)
        if relevance:
            query = func.to_tsquery(
                _SIMPLE, " & ".join(f"({_postgres_term(term)})" for term in terms)
            )
            return stmt.order_by(
                _title_hits(terms).desc(),
                func.ts_rank(_VECTOR, query).desc(),
                Idea.published_at.desc(),
                Idea.id.desc(),
            ), count
        return stmt.order_by(*_order(search)), count
    count = select(func.count()).select_from(_sqlite_matches(plan).subquery())
    if relevance:
        # Materialised: bm25() only works where the MATCH is evaluated.
        ranked = (
            select(_fts.c.rowid.label("rowid"), _bm25().label("rank"))
            .where(_fts_ref.op("MATCH")(plan.match))
            .cte("fts_ranked")
            .prefix_with("MATERIALIZED")
        )
        stmt = stmt.join(ranked, ranked.c.rowid == Idea.id).order_by(
            ranked.c.rank, Idea.published_at.desc(), Idea.id.desc()
        )
        return stmt, count
    return stmt.where(Idea.id.in_(_sqlite_matches(plan))).order_by(*_order(search)), count


def idea_statements(search: IdeaSearch) -> tuple[Select, Select]:
    """``(ideas, count)``: the ordered ``select(Idea)`` for *search* and
    the ``select(count)`` of all its rows. Published ideas only."""
    return _statements(_Plan.of(search))


def search_ideas(
    search: IdeaSearch, page: int = 1, per_page: int = 20, options: Sequence[Any] = ()
) -> tuple[list[Idea], int]:
    """One page of ideas for *search* and the total; *options* are loader
    options (``joinedload(...)``) for what the caller shows. The number of
    queries does not depend on the page size."""
    plan = _Plan.of(search)
    stmt, count = _statements(plan)
    offset = (page - 1) * per_page
    if plan.terms and _dialect() == "postgresql":
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
    if plan.terms and search.effective_sort == "relevance" and _dialect() == "sqlite":
        # Rank inside the index and fetch only this page's rows.
        page_ids = (
            select(_fts.c.rowid.label("rowid"), _bm25().label("rank"))
            .where(_fts_ref.op("MATCH")(plan.match))
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


# --- Showing what matched ------------------------------------------------


def highlight_spans(text: str, terms: Sequence[Term]) -> list[tuple[int, int]]:
    """``(start, end)`` of the words of *text* the *terms* match, by the
    same rule as the index (a folded prefix, or a shared lemma)."""
    if not terms:
        return []
    spans = []
    for match in _RAW_WORD.finditer(text):
        words = _match_keys(match.group().lower())
        if any(term.matches(words) for term in terms):
            spans.append(match.span())
    return spans


@lru_cache(maxsize=100_000)
def _match_keys(raw: str) -> tuple[str, ...]:
    """What a word of shown text is matched by: its folded forms and lemmas
    (kept, since every card of every result page reads its words again)."""
    return (*search_words(raw), *lemmas(raw))


def snippet(text: str, terms: Sequence[Term], length: int = 220) -> list[tuple[str, bool]]:
    """A short piece of *text* around the first matched word, as
    ``(text, matched)`` pieces for a template to escape and mark."""
    text = " ".join((text or "").split())
    spans = highlight_spans(text, terms)
    start = 0
    if spans and spans[0][1] > length:
        start = max(0, spans[0][0] - length // 3)
        start = text.rfind(" ", 0, start) + 1
    end = min(len(text), start + length)
    if end < len(text):
        cut = text.rfind(" ", start, end)
        end = cut if cut > start else end
    pieces: list[tuple[str, bool]] = [("… ", False)] if start > 0 else []
    position = start
    for span_start, span_end in spans:
        if span_start < start or span_end > end:
            continue
        if span_start > position:
            pieces.append((text[position:span_start], False))
        pieces.append((text[span_start:span_end], True))
        position = span_end
    if end > position:
        pieces.append((text[position:end], False))
    if end < len(text):
        pieces.append((" …", False))
    return pieces


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
# Words of one family share a beginning: "fotowoltaiczna" and
# "fotowoltaika", "rowerowa" and "rowerów".
_STEM_LENGTH = 6


def similarity_terms(text: str, limit: int = 16) -> list[Term]:
    """The telling words of *text* for an any-word search: each as the
    first letters of the word and of its lemmas, and its lemmas whole."""
    found: list[Term] = []
    seen: set[str] = set()
    for raw in _raw_words((text or "")[: MAX_QUERY_CHARS * 5]):
        parts = search_words(raw)
        if len(parts) != 1:
            continue
        word = parts[0]
        if len(word) < 4 or word in _STOPWORDS or word.isdigit():
            continue
        forms = lemmas(raw[:MAX_WORD_LENGTH])
        for stem in dict.fromkeys(w[:_STEM_LENGTH] for w in (word, *forms)):
            if stem not in seen:
                seen.add(stem)
                found.append(Term(stem, tuple(f for f in forms if not f.startswith(stem))))
        if len(found) >= limit:
            break
    return found[:limit]


def similarity_words(text: str, limit: int = 16) -> list[str]:
    """The stems of :func:`similarity_terms`."""
    return [term.word for term in similarity_terms(text, limit)]


def similar_ideas(text: str, limit: int = 5, exclude_ids: Sequence[int] = ()) -> list[Idea]:
    """Published ideas that look like *text* (a title, or title and
    description), best first; used to show possible duplicates."""
    terms = similarity_terms(text)
    if not terms or limit <= 0:
        return []
    stmt = select(Idea).where(Idea.status == IdeaStatus.PUBLISHED)
    if exclude_ids:
        stmt = stmt.where(Idea.id.not_in(list(exclude_ids)))
    if _dialect() == "postgresql":
        query = func.to_tsquery(_SIMPLE, " | ".join(f"({_postgres_term(t)})" for t in terms))
        stmt = stmt.where(_VECTOR.op("@@")(query)).order_by(
            _title_hits(terms).desc(), func.ts_rank(_VECTOR, query).desc(), Idea.id.desc()
        )
    else:
        match = " OR ".join(_sqlite_term(t) for t in terms)
        best = (
            select(_fts.c.rowid.label("rowid"), _bm25().label("rank"))
            .where(_fts_ref.op("MATCH")("{search_title search_text} : (" + match + ")"))
            .order_by(_bm25())
            .limit(limit + len(exclude_ids))
            .subquery("similar")
        )
        stmt = stmt.join(best, best.c.rowid == Idea.id).order_by(best.c.rank, Idea.id.desc())
    return list(db.session.scalars(stmt.limit(limit)))
