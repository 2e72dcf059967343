"""full-text search index over ideas.search_text

SQLite: an FTS5 external-content table ``ideas_fts`` kept in step with
``ideas`` by triggers. PostgreSQL: a GIN index on
``to_tsvector('simple', search_text)``. The text indexed is already folded
by the application (lower case, Polish letters folded), so both databases
match "lodz" to "Łódź" the same way.

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
    "INSERT INTO ideas_fts(ideas_fts) VALUES ('rebuild')",
)
SQLITE_DOWNGRADE = (
    "DROP TRIGGER IF EXISTS ideas_fts_au",
    "DROP TRIGGER IF EXISTS ideas_fts_ad",
    "DROP TRIGGER IF EXISTS ideas_fts_ai",
    "DROP TABLE IF EXISTS ideas_fts",
)
POSTGRES_UPGRADE = (
    "CREATE INDEX IF NOT EXISTS ix_ideas_search_fts ON ideas "
    "USING gin (to_tsvector('simple'::regconfig, search_text))",
)
POSTGRES_DOWNGRADE = ("DROP INDEX IF EXISTS ix_ideas_search_fts",)


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
