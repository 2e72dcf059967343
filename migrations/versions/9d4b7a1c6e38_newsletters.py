"""newsletters and their recipients; authors' consent to updates; registrants'
newsletter opt-out

Revision ID: 9d4b7a1c6e38
Revises: 7c3e91d5b2a0
Create Date: 2026-11-29 12:30:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "9d4b7a1c6e38"
down_revision = "7c3e91d5b2a0"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "newsletters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("segments", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("final_counts", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"],
            name=op.f("fk_newsletters_created_by_id_users"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_newsletters")),
    )
    with op.batch_alter_table("newsletters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_newsletters_status"), ["status"], unique=False)
    op.create_table(
        "newsletter_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("newsletter_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("segments", sa.Text(), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("outbox_message_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unsubscribed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["newsletter_id"], ["newsletters.id"],
            name=op.f("fk_newsletter_recipients_newsletter_id_newsletters"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_newsletter_recipients")),
        sa.UniqueConstraint("newsletter_id", "email", name="uq_newsletter_recipients_email"),
    )
    with op.batch_alter_table("newsletter_recipients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_newsletter_recipients_email"), ["email"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_newsletter_recipients_newsletter_id"), ["newsletter_id"], unique=False
        )
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("author_updates", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("newsletters_stopped", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_column("newsletters_stopped")
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_column("author_updates")
    with op.batch_alter_table("newsletter_recipients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_newsletter_recipients_newsletter_id"))
        batch_op.drop_index(batch_op.f("ix_newsletter_recipients_email"))
    op.drop_table("newsletter_recipients")
    with op.batch_alter_table("newsletters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_newsletters_status"))
    op.drop_table("newsletters")
