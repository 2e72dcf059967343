"""mail outbox: lifetime, expiry, references, resends and undeliverable addresses

Revision ID: e3f1a7c9d2b5
Revises: d4f1a8c2e9b7
Create Date: 2026-11-27 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e3f1a7c9d2b5"
down_revision = "d4f1a8c2e9b7"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ref", sa.String(length=60), nullable=True))
        batch_op.add_column(
            sa.Column("locale", sa.String(length=5), nullable=False, server_default="pl")
        )
        batch_op.add_column(sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("resent_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_outbox_messages_ref", ["ref"], unique=False)
    # A message already queued keeps its lifetime from when it was queued.
    op.execute("UPDATE outbox_messages SET queued_at = created_at")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.alter_column("queued_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.alter_column("locale", existing_type=sa.String(length=5), server_default=None)

    op.create_table(
        "undeliverable_addresses",
        sa.Column("address_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("bounced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint("address_hash", "kind", name=op.f("pk_undeliverable_addresses")),
    )


def downgrade():
    op.drop_table("undeliverable_addresses")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_messages_ref")
        batch_op.drop_column("resent_at")
        batch_op.drop_column("queued_at")
        batch_op.drop_column("failed_at")
        batch_op.drop_column("locale")
        batch_op.drop_column("ref")
