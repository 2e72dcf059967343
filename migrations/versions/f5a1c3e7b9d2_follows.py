"""follows: followers and their subscriptions

Revision ID: f5a1c3e7b9d2
Revises: f1a2b3c4d5e6
Create Date: 2026-11-29 12:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f5a1c3e7b9d2"
down_revision = "f1a2b3c4d5e6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "followers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("link_salt", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_followers")),
        sa.UniqueConstraint("email", name=op.f("uq_followers_email")),
    )
    op.create_table(
        "follow_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("follower_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=40), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=True),
        sa.Column("idea_id", sa.Integer(), nullable=True),
        sa.Column("cadence", sa.String(length=10), nullable=False),
        sa.Column("comments", sa.Boolean(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("consent_version", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["follower_id"],
            ["followers.id"],
            name=op.f("fk_follow_subscriptions_follower_id_followers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["idea_id"],
            ["ideas.id"],
            name=op.f("fk_follow_subscriptions_idea_id_ideas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["process_id"],
            ["processes.id"],
            name=op.f("fk_follow_subscriptions_process_id_processes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_subscriptions")),
        sa.UniqueConstraint(
            "follower_id", "target", name="uq_follow_subscriptions_follower_target"
        ),
        sa.UniqueConstraint("token_hash", name=op.f("uq_follow_subscriptions_token_hash")),
    )
    with op.batch_alter_table("follow_subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_follow_subscriptions_follower_id"), ["follower_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_follow_subscriptions_idea_id"), ["idea_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_follow_subscriptions_process_id"), ["process_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("follow_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_subscriptions_process_id"))
        batch_op.drop_index(batch_op.f("ix_follow_subscriptions_idea_id"))
        batch_op.drop_index(batch_op.f("ix_follow_subscriptions_follower_id"))
    op.drop_table("follow_subscriptions")
    op.drop_table("followers")
