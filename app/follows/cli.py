"""flask follows announce"""

from __future__ import annotations

import click
from flask import current_app
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
    # Links are built with url_for: give them a request under BASE_URL.
    with current_app.test_request_context("/", base_url=current_app.config["BASE_URL"]):
        stored = services.announce_due()
        db.session.commit()
    click.echo(f"Stored {stored} notices for followers.")
