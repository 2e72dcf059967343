"""flask follows announce"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db
from app.follows import services

cli = AppGroup("follows", help="Following consultations and ideas.")


@cli.command("announce")
def announce() -> None:
    """Tell followers what became true with time alone (a meeting's
    registration opened, a scheduled article came out). Safe to run as
    often as wished, by several hosts at once: each event reaches each
    follower once. Mail leaves with `flask notices send`."""
    stored = services.announce_due()
    db.session.commit()
    click.echo(f"Stored {stored} notices for followers.")
