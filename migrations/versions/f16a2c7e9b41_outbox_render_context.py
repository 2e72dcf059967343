"""mail outbox: messages rendered by the mail worker (render_context); ideas: indexes
holding the catalogue's whole orders (cursor paging)

Revision ID: f16a2c7e9b41
Revises: f5a2b8c1d3e7
Create Date: 2026-11-29 12:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f16a2c7e9b41"
down_revision = "f5a2b8c1d3e7"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("render_context", sa.JSON(), nullable=True))
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_index("ix_ideas_status_published_at")
        batch_op.drop_index("ix_ideas_status_supports")
        batch_op.create_index(
            "ix_ideas_status_published_id", ["status", "published_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_ideas_status_supports_published",
            ["status", "supports_count", "published_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_ideas_category_status_published",
            ["category_id", "status", "published_at", "id"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_index("ix_ideas_category_status_published")
        batch_op.drop_index("ix_ideas_status_supports_published")
        batch_op.drop_index("ix_ideas_status_published_id")
        batch_op.create_index("ix_ideas_status_supports", ["status", "supports_count"], unique=False)
        batch_op.create_index(
            "ix_ideas_status_published_at", ["status", "published_at"], unique=False
        )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("render_context")
