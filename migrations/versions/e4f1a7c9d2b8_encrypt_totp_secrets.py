"""encrypt TOTP secrets at rest: widen users.totp_secret and encrypt what is there

Revision ID: e4f1a7c9d2b8
Revises: e3f1a7c9d2b5
Create Date: 2026-11-29 10:00:00

The key comes from the running configuration (TOTP_ENCRYPTION_KEY, else
SECRET_KEY), as in app/models/encrypted.py; run it with the production
settings (``flask --app wsgi db upgrade``).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e4f1a7c9d2b8"
down_revision = "e3f1a7c9d2b5"
branch_labels = None
depends_on = None

users = sa.table("users", sa.column("id", sa.Integer), sa.column("totp_secret", sa.String))


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.alter_column(
            "totp_secret", existing_type=sa.String(length=64), type_=sa.String(length=255)
        )
    bind = op.get_bind()
    rows = bind.execute(sa.select(users.c.id, users.c.totp_secret).where(
        users.c.totp_secret.is_not(None)
    )).all()
    if not rows:
        return
    from app.models.encrypted import encrypt

    for user_id, secret in rows:
        bind.execute(
            users.update().where(users.c.id == user_id).values(totp_secret=encrypt(secret))
        )


def downgrade():
    bind = op.get_bind()
    rows = bind.execute(sa.select(users.c.id, users.c.totp_secret).where(
        users.c.totp_secret.is_not(None)
    )).all()
    if rows:
        from app.models.encrypted import decrypt

        for user_id, token in rows:
            bind.execute(
                users.update().where(users.c.id == user_id).values(totp_secret=decrypt(token))
            )
    with op.batch_alter_table("users") as batch:
        batch.alter_column(
            "totp_secret", existing_type=sa.String(length=255), type_=sa.String(length=64)
        )
