"""full-text search index over ideas.search_text

SQLite: an FTS5 table ``ideas_fts`` over the published ideas' folded title
and text plus filter tokens, kept in step with ``ideas`` by triggers.
PostgreSQL: ``to_tsvector('simple', search_text)`` as the stored generated
column ``ideas.search_vector`` with a GIN index. The text indexed is already
folded by the application (lower case, Polish letters folded), so both
databases match "lodz" to "Łódź" the same way. The statements are the ones
``app.search`` installs for tests (repeated here: migrations do not import
application code).

Revision ID: b1a2c3d4e5f6
Revises: 693d77d54f12
Create Date: 2026-11-25 20:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b1a2c3d4e5f6"
down_revision = "693d77d54f12"
branch_labels = None
depends_on = None

SQLITE_UPGRADE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS ideas_fts USING fts5(search_title, search_text, facets, content='', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER IF NOT EXISTS ideas_fts_ai AFTER INSERT ON ideas BEGIN INSERT INTO ideas_fts(rowid, search_title, search_text, facets) SELECT new.id, new.search_title, new.search_text, 'c' || new.category_id || ' p' || new.process_id || ' s' || new.source || ' r' || replace(new.result_status, '_', '') || coalesce(' w' || new.workshop_id, '') WHERE new.status = 'published'; END",
    "CREATE TRIGGER IF NOT EXISTS ideas_fts_ad AFTER DELETE ON ideas BEGIN INSERT INTO ideas_fts(ideas_fts, rowid, search_title, search_text, facets) SELECT 'delete', old.id, old.search_title, old.search_text, 'c' || old.category_id || ' p' || old.process_id || ' s' || old.source || ' r' || replace(old.result_status, '_', '') || coalesce(' w' || old.workshop_id, '') WHERE old.status = 'published'; END",
    "CREATE TRIGGER IF NOT EXISTS ideas_fts_au AFTER UPDATE OF status, search_title, search_text, category_id, process_id, source, result_status, workshop_id ON ideas BEGIN INSERT INTO ideas_fts(ideas_fts, rowid, search_title, search_text, facets) SELECT 'delete', old.id, old.search_title, old.search_text, 'c' || old.category_id || ' p' || old.process_id || ' s' || old.source || ' r' || replace(old.result_status, '_', '') || coalesce(' w' || old.workshop_id, '') WHERE old.status = 'published'; INSERT INTO ideas_fts(rowid, search_title, search_text, facets) SELECT new.id, new.search_title, new.search_text, 'c' || new.category_id || ' p' || new.process_id || ' s' || new.source || ' r' || replace(new.result_status, '_', '') || coalesce(' w' || new.workshop_id, '') WHERE new.status = 'published'; END",
    "INSERT INTO ideas_fts(ideas_fts) VALUES ('delete-all')",
    "INSERT INTO ideas_fts(rowid, search_title, search_text, facets) SELECT ideas.id, ideas.search_title, ideas.search_text, 'c' || ideas.category_id || ' p' || ideas.process_id || ' s' || ideas.source || ' r' || replace(ideas.result_status, '_', '') || coalesce(' w' || ideas.workshop_id, '') FROM ideas WHERE ideas.status = 'published'",
)
SQLITE_DOWNGRADE = (
    "DROP TRIGGER IF EXISTS ideas_fts_au",
    "DROP TRIGGER IF EXISTS ideas_fts_ad",
    "DROP TRIGGER IF EXISTS ideas_fts_ai",
    "DROP TABLE IF EXISTS ideas_fts",
)
POSTGRES_UPGRADE = (
    "ALTER TABLE ideas ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED",
    "CREATE INDEX IF NOT EXISTS ix_ideas_search_fts ON ideas USING gin (search_vector)",
)
POSTGRES_DOWNGRADE = (
    "DROP INDEX IF EXISTS ix_ideas_search_fts",
    "ALTER TABLE ideas DROP COLUMN IF EXISTS search_vector",
)


def _statements(upgrade: bool) -> tuple[str, ...]:
    name = op.get_bind().dialect.name
    if name == "sqlite":
        return SQLITE_UPGRADE if upgrade else SQLITE_DOWNGRADE
    if name == "postgresql":
        return POSTGRES_UPGRADE if upgrade else POSTGRES_DOWNGRADE
    return ()


def upgrade():
    # The title's folded words (for ranking title hits first); the model
    # declares it, so a regenerated initial schema may already hold it.
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("ideas")}
    if "search_title" not in columns:
        with op.batch_alter_table("ideas") as batch_op:
            batch_op.add_column(
                sa.Column("search_title", sa.Text(), nullable=False, server_default="")
            )
    for statement in _statements(upgrade=True):
        op.execute(statement)


def downgrade():
    for statement in _statements(upgrade=False):
        op.execute(statement)
