"""flask users create|list|deactivate|reencrypt-2fa"""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app import audit
from app.auth.services import AccountError, create_user, deactivate_user, find_user
from app.extensions import db
from app.models.user import Role, User

cli = AppGroup("users", help="Manage staff accounts.")


@cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", required=True, help="Full name shown to other staff.")
@click.password_option(
    "--password",
    prompt="Password",
    confirmation_prompt="Repeat password",
    help="Prompted twice (hidden) when not given; may be piped as two lines.",
)
def create(email: str, role: str, name: str, password: str) -> None:
    """Create a staff account."""
    try:
        user = create_user(email, name, role, password)
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    audit.record("user.created", user, actor=None, to_state=role, data={"via": "cli"})
    db.session.commit()
    click.echo(f"Created {user.role} account {user.email} (id {user.id}).")


@cli.command("list")
def list_users() -> None:
    """List staff accounts."""
    users = db.session.scalars(select(User).order_by(User.email)).all()
    if not users:
        click.echo("No staff accounts yet.")
        return
    for user in users:
        state = "active" if user.active else "deactivated"
        click.echo(f"{user.email}\t{user.role}\t{state}\t{user.name}")


@cli.command("deactivate")
@click.argument("email")
def deactivate(email: str) -> None:
    """Deactivate a staff account (signs it out everywhere)."""
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"No account with e-mail {email}.")
    if not user.active:
        click.echo(f"{user.email} is already deactivated.")
        return
    deactivate_user(user)
    audit.record("user.deactivated", user, actor=None, from_state="active", to_state="inactive")
    db.session.commit()
    click.echo(f"Deactivated {user.email}.")


@cli.command("reencrypt-2fa")
def reencrypt_two_factor() -> None:
    """Write every 2FA secret again with the current key (after a key rotation)."""
    from sqlalchemy.orm.attributes import flag_modified

    users = db.session.scalars(select(User).where(User.totp_secret.is_not(None))).all()
    for user in users:
        flag_modified(user, "totp_secret")
    db.session.commit()
    click.echo(f"Re-encrypted the 2FA secrets of {len(users)} accounts.")
