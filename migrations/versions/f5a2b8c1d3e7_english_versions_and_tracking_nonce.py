"""English versions of staff-written content; the idea tracking link's nonce

Revision ID: f5a2b8c1d3e7
Revises: 9d4b7a1c6e38
Create Date: 2026-11-29 12:00:00

Consultations, categories, meetings and articles get optional English
title/summary/text columns (empty: the English interface shows the Polish
text, marked lang="pl"). Ideas get track_token_nonce, from which the
author's tracking link is derived so every mail can carry it again.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f5a2b8c1d3e7"
down_revision = "9d4b7a1c6e38"
branch_labels = None
depends_on = None

ENGLISH = {
    "processes": [("title_en", sa.String(200)), ("lead_en", sa.String(500)),
                  ("description_en", sa.Text())],
    "categories": [("name_en", sa.String(120))],
    "workshops": [("title_en", sa.String(200)), ("lead_en", sa.String(500)),
                  ("programme_en", sa.Text())],
    "articles": [("title_en", sa.String(200)), ("lead_en", sa.String(500)),
                 ("body_en", sa.Text())],
}  # fmt: skip


def upgrade():
    for table, columns in ENGLISH.items():
        with op.batch_alter_table(table) as batch:
            for name, type_ in columns:
                batch.add_column(sa.Column(name, type_, nullable=False, server_default=""))
    with op.batch_alter_table("ideas") as batch:
        batch.add_column(sa.Column("track_token_nonce", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("ideas") as batch:
        batch.drop_column("track_token_nonce")
    for table, columns in ENGLISH.items():
        with op.batch_alter_table(table) as batch:
            for name, _type in columns:
                batch.drop_column(name)
