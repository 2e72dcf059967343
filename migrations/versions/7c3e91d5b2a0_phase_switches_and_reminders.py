"""phase switches (ideas, supports, comments, registration), phase announcements,
meeting reminders

Revision ID: 7c3e91d5b2a0
Revises: f5c0a1e2d3b4
Create Date: 2026-11-29 12:00:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7c3e91d5b2a0"
down_revision = "f5c0a1e2d3b4"
branch_labels = None
depends_on = None

SWITCHES = ("accepts_ideas", "accepts_supports", "accepts_comments", "workshop_registration")


def upgrade():
    with op.batch_alter_table("process_phases", schema=None) as batch_op:
        for name in SWITCHES:
            batch_op.add_column(
                sa.Column(name, sa.Boolean(), server_default=sa.true(), nullable=False)
            )
        batch_op.add_column(sa.Column("announced_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("waiting_told_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_column("waiting_told_at")
        batch_op.drop_column("reminded_at")
    with op.batch_alter_table("process_phases", schema=None) as batch_op:
        batch_op.drop_column("announced_at")
        for name in reversed(SWITCHES):
            batch_op.drop_column(name)
