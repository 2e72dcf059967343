"""frozen_reports: frozen versions of a consultation's report (HTML, PDF, SHA-256)

Revision ID: f5a8c3d1e7b2
Revises: f5a1c0de7e01
Create Date: 2026-11-29 11:41:08

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f5a8c3d1e7b2"
down_revision = "f5a1c0de7e01"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "frozen_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("process_slug", sa.String(length=120), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("frozen_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("html_sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["frozen_by_id"],
            ["users.id"],
            name=op.f("fk_frozen_reports_frozen_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["process_id"],
            ["processes.id"],
            name=op.f("fk_frozen_reports_process_id_processes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_frozen_reports")),
        sa.UniqueConstraint("process_id", "number", name="uq_frozen_reports_number"),
    )
    with op.batch_alter_table("frozen_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_frozen_reports_process_id"), ["process_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_frozen_reports_process_slug"), ["process_slug"], unique=False
        )


def downgrade():
    with op.batch_alter_table("frozen_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_frozen_reports_process_slug"))
        batch_op.drop_index(batch_op.f("ix_frozen_reports_process_id"))
    op.drop_table("frozen_reports")
