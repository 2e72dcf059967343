"""search index triggers restored on SQLite

On SQLite the newsletters revision (9d4b7a1c6e38) added a boolean column to
``ideas`` in batch mode, which rebuilds the table: the full-text triggers
on it (``ideas_fts_ai``, ``ideas_fts_ad``, ``ideas_fts_au``) went with the
old table, so ideas published since were never indexed and searches found
nothing on a database built by the migrations. This puts the triggers back
as the search-lemmas revision (d4f1a8c2e9b7) defined them and reindexes
every published idea. PostgreSQL keeps its index in a generated column and
needs nothing. A later revision that rebuilds ``ideas`` on SQLite must do
the same (``tests/test_migrations.py`` searches a database built by them).

Revision ID: a7b3c9d1e2f4
Revises: f16a2c7e9b41
Create Date: 2026-11-29 22:30:00
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "a7b3c9d1e2f4"
down_revision = "f16a2c7e9b41"
branch_labels = None
depends_on = None

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
SQLITE_UPGRADE = (
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
    "INSERT INTO ideas_fts(ideas_fts) VALUES ('delete-all')",
    _INDEX_ROW.format(r="ideas").replace(" WHERE ", " FROM ideas WHERE ").rstrip(";"),
)


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_UPGRADE:
            op.execute(statement)


def downgrade():
    # The revisions before this one define these triggers themselves
    # (d4f1a8c2e9b7); nothing here is undone.
    pass
