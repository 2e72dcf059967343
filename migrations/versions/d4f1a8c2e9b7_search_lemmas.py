"""search by dictionary forms: lemmas in the index words, group tokens

``ideas.search_title`` and ``ideas.search_text`` now hold, after the folded
words as written, their folded dictionary forms (lemmas from the Morfeusz 2
analyser): "energii" is found by "energia". The SQLite FTS5 table gains the
working-group token (``g<id>``) and its update trigger watches
``workshop_group_id``; ``ideas.workshop_group_id`` gets an index (a query
naming a group filters by it on PostgreSQL). The backfill reads the ideas in
batches and writes only rows whose words changed; it is the one step that
uses application code (``app.search.reindex_batches``): lemmas cannot be
worked out in SQL. ``flask --app wsgi search reindex`` does the same later,
one transaction per batch.

Revision ID: d4f1a8c2e9b7
Revises: c7e2a91d0b34
Create Date: 2026-11-29 09:30:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "d4f1a8c2e9b7"
down_revision = "c7e2a91d0b34"
branch_labels = None
depends_on = None

# The statements app.search installs for tests (repeated here, as the
# index's first migration does).
SQLITE_DROP = (
    'DROP TRIGGER IF EXISTS ideas_fts_au',
    'DROP TRIGGER IF EXISTS ideas_fts_ad',
    'DROP TRIGGER IF EXISTS ideas_fts_ai',
    'DROP TABLE IF EXISTS ideas_fts',
)
SQLITE_UPGRADE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS ideas_fts USING fts5(search_title, search_text, facets, content='', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER IF NOT EXISTS ideas_fts_ai AFTER INSERT ON ideas BEGIN INSERT INTO ideas_fts(rowid, search_title, search_text, facets) SELECT new.id, new.search_title, new.search_text, 'c' || new.category_id || ' p' || new.process_id || ' s' || new.source || ' r' || replace(new.result_status, '_', '') || coalesce(' w' || new.workshop_id, '') || coalesce(' g' || new.workshop_group_id, '') WHERE new.status = 'published'; END",
    "CREATE TRIGGER IF NOT EXISTS ideas_fts_ad AFTER DELETE ON ideas BEGIN INSERT INTO ideas_fts(ideas_fts, rowid, search_title, search_text, facets) SELECT 'delete', old.id, old.search_title, old.search_text, 'c' || old.category_id || ' p' || old.process_id || ' s' || old.source || ' r' || replace(old.result_status, '_', '') || coalesce(' w' || old.workshop_id, '') || coalesce(' g' || old.workshop_group_id, '') WHERE old.status = 'published'; END",
    "CREATE TRIGGER IF NOT EXISTS ideas_fts_au AFTER UPDATE OF status, search_title, search_text, category_id, process_id, source, result_status, workshop_id, workshop_group_id ON ideas BEGIN INSERT INTO ideas_fts(ideas_fts, rowid, search_title, search_text, facets) SELECT 'delete', old.id, old.search_title, old.search_text, 'c' || old.category_id || ' p' || old.process_id || ' s' || old.source || ' r' || replace(old.result_status, '_', '') || coalesce(' w' || old.workshop_id, '') || coalesce(' g' || old.workshop_group_id, '') WHERE old.status = 'published'; INSERT INTO ideas_fts(rowid, search_title, search_text, facets) SELECT new.id, new.search_title, new.search_text, 'c' || new.category_id || ' p' || new.process_id || ' s' || new.source || ' r' || replace(new.result_status, '_', '') || coalesce(' w' || new.workshop_id, '') || coalesce(' g' || new.workshop_group_id, '') WHERE new.status = 'published'; END",
    "INSERT INTO ideas_fts(ideas_fts) VALUES ('delete-all')",
    "INSERT INTO ideas_fts(rowid, search_title, search_text, facets) SELECT ideas.id, ideas.search_title, ideas.search_text, 'c' || ideas.category_id || ' p' || ideas.process_id || ' s' || ideas.source || ' r' || replace(ideas.result_status, '_', '') || coalesce(' w' || ideas.workshop_id, '') || coalesce(' g' || ideas.workshop_group_id, '') FROM ideas WHERE ideas.status = 'published'",
)
# What the previous revision installed, for the downgrade.
SQLITE_DOWNGRADE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS ideas_fts USING fts5(search_title, search_text, facets, content='', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER IF NOT EXISTS ideas_fts_ai AFTER INSERT ON ideas BEGIN INSERT INTO ideas_fts(rowid, search_title, search_text, facets) SELECT new.id, new.search_title, new.search_text, 'c' || new.category_id || ' p' || new.process_id || ' s' || new.source || ' r' || replace(new.result_status, '_', '') || coalesce(' w' || new.workshop_id, '') WHERE new.status = 'published'; END",
    "CREATE TRIGGER IF NOT EXISTS ideas_fts_ad AFTER DELETE ON ideas BEGIN INSERT INTO ideas_fts(ideas_fts, rowid, search_title, search_text, facets) SELECT 'delete', old.id, old.search_title, old.search_text, 'c' || old.category_id || ' p' || old.process_id || ' s' || old.source || ' r' || replace(old.result_status, '_', '') || coalesce(' w' || old.workshop_id, '') WHERE old.status = 'published'; END",
    "CREATE TRIGGER IF NOT EXISTS ideas_fts_au AFTER UPDATE OF status, search_title, search_text, category_id, process_id, source, result_status, workshop_id ON ideas BEGIN INSERT INTO ideas_fts(ideas_fts, rowid, search_title, search_text, facets) SELECT 'delete', old.id, old.search_title, old.search_text, 'c' || old.category_id || ' p' || old.process_id || ' s' || old.source || ' r' || replace(old.result_status, '_', '') || coalesce(' w' || old.workshop_id, '') WHERE old.status = 'published'; INSERT INTO ideas_fts(rowid, search_title, search_text, facets) SELECT new.id, new.search_title, new.search_text, 'c' || new.category_id || ' p' || new.process_id || ' s' || new.source || ' r' || replace(new.result_status, '_', '') || coalesce(' w' || new.workshop_id, '') WHERE new.status = 'published'; END",
    "INSERT INTO ideas_fts(ideas_fts) VALUES ('delete-all')",
    "INSERT INTO ideas_fts(rowid, search_title, search_text, facets) SELECT ideas.id, ideas.search_title, ideas.search_text, 'c' || ideas.category_id || ' p' || ideas.process_id || ' s' || ideas.source || ' r' || replace(ideas.result_status, '_', '') || coalesce(' w' || ideas.workshop_id, '') FROM ideas WHERE ideas.status = 'published'",
)


def upgrade():
    with op.batch_alter_table("ideas") as batch_op:
        batch_op.create_index("ix_ideas_workshop_group_id", ["workshop_group_id"], unique=False)
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        # No triggers while the words are rewritten: the index is rebuilt once.
        for statement in SQLITE_DROP:
            op.execute(statement)
    from app.search import reindex_batches

    for _count in reindex_batches(bind, batch_size=2000):
        pass
    if sqlite:
        for statement in SQLITE_UPGRADE:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DROP:
            op.execute(statement)
        for statement in SQLITE_DOWNGRADE:
            op.execute(statement)
    with op.batch_alter_table("ideas") as batch_op:
        batch_op.drop_index("ix_ideas_workshop_group_id")
