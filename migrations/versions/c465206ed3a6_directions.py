"""directions: development directions, the ideas they take up, milestones,
funding applications, public history and mail opt-outs

Revision ID: c465206ed3a6
Revises: f5a1c3e7b9d2
Create Date: 2026-11-29 11:41:02

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c465206ed3a6"
down_revision = "f5a1c3e7b9d2"
branch_labels = None
depends_on = None


def upgrade():

    op.create_table(
        "direction_mail_optouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_direction_mail_optouts")),
        sa.UniqueConstraint("email_hash", name=op.f("uq_direction_mail_optouts_email_hash")),
    )
    op.create_table(
        "directions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("responsible_unit", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_directions_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["process_id"], ["processes.id"], name=op.f("fk_directions_process_id_processes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directions")),
        sa.UniqueConstraint("slug", name=op.f("uq_directions_slug")),
    )
    with op.batch_alter_table("directions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_directions_process_id"), ["process_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_directions_status"), ["status"], unique=False)

    op.create_table(
        "direction_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("direction_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_direction_events_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["direction_id"],
            ["directions.id"],
            name=op.f("fk_direction_events_direction_id_directions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_direction_events")),
    )
    with op.batch_alter_table("direction_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_direction_events_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_direction_events_direction_id"), ["direction_id"], unique=False
        )

    op.create_table(
        "direction_milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("direction_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "progress BETWEEN 0 AND 100", name=op.f("ck_direction_milestones_progress_range")
        ),
        sa.ForeignKeyConstraint(
            ["direction_id"],
            ["directions.id"],
            name=op.f("fk_direction_milestones_direction_id_directions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_direction_milestones")),
    )
    with op.batch_alter_table("direction_milestones", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_direction_milestones_direction_id"), ["direction_id"], unique=False
        )

    op.create_table(
        "funding_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("direction_id", sa.Integer(), nullable=False),
        sa.Column("programme", sa.String(length=200), nullable=False),
        sa.Column("call_number", sa.String(length=120), nullable=False),
        sa.Column("applicant", sa.String(length=200), nullable=False),
        sa.Column("amount_requested", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("amount_granted", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("public_note", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "amount_granted IS NULL OR amount_granted >= 0",
            name=op.f("ck_funding_applications_amount_granted_not_negative"),
        ),
        sa.CheckConstraint(
            "amount_requested > 0", name=op.f("ck_funding_applications_amount_requested_positive")
        ),
        sa.CheckConstraint(
            "decided_on IS NULL OR submitted_on IS NULL OR decided_on >= submitted_on",
            name=op.f("ck_funding_applications_decided_after_submitted"),
        ),
        sa.ForeignKeyConstraint(
            ["direction_id"],
            ["directions.id"],
            name=op.f("fk_funding_applications_direction_id_directions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funding_applications")),
    )
    with op.batch_alter_table("funding_applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_funding_applications_direction_id"), ["direction_id"], unique=False
        )

    op.create_table(
        "direction_ideas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("direction_id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["direction_id"],
            ["directions.id"],
            name=op.f("fk_direction_ideas_direction_id_directions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["idea_id"],
            ["ideas.id"],
            name=op.f("fk_direction_ideas_idea_id_ideas"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_direction_ideas")),
        sa.UniqueConstraint("direction_id", "idea_id", name="uq_direction_ideas_direction_idea"),
    )
    with op.batch_alter_table("direction_ideas", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_direction_ideas_direction_id"), ["direction_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_direction_ideas_idea_id"), ["idea_id"], unique=False)


def downgrade():

    with op.batch_alter_table("direction_ideas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_direction_ideas_idea_id"))
        batch_op.drop_index(batch_op.f("ix_direction_ideas_direction_id"))

    op.drop_table("direction_ideas")
    with op.batch_alter_table("funding_applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funding_applications_direction_id"))

    op.drop_table("funding_applications")
    with op.batch_alter_table("direction_milestones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_direction_milestones_direction_id"))

    op.drop_table("direction_milestones")
    with op.batch_alter_table("direction_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_direction_events_direction_id"))
        batch_op.drop_index(batch_op.f("ix_direction_events_created_at"))

    op.drop_table("direction_events")
    with op.batch_alter_table("directions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directions_status"))
        batch_op.drop_index(batch_op.f("ix_directions_process_id"))

    op.drop_table("directions")
    op.drop_table("direction_mail_optouts")
