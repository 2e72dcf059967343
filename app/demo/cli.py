"""flask demo load | generate"""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.demo.loader import generate_ideas, load_demo
from app.extensions import db
from app.models import Process

cli = AppGroup("demo", help="Demo content.")


@cli.command("load")
@click.option("--if-empty", is_flag=True, help="Only when the database has no consultation.")
def load(if_empty: bool) -> None:
    """Load the demo consultation (safe to run again: changes nothing then)."""
    if if_empty and db.session.scalar(select(Process.id).limit(1)) is not None:
        click.echo("The database already has content; demo not loaded.")
        return
    created = load_demo()
    db.session.commit()
    if created:
        click.echo("Demo consultation loaded.")
    else:
        click.echo("Demo consultation already present; nothing changed.")


@cli.command("generate")
@click.option("--ideas", "count", type=click.IntRange(1, 1_000_000), required=True)
def generate(count: int) -> None:
    """Add COUNT synthetic published ideas (for benchmarks)."""
    added = generate_ideas(count)
    click.echo(f"Added {added} ideas.")
