"""flask maintenance purge: retention rules.

``create_app`` passes the purge functions (each returns how many rows it
removed); the command runs them all in one transaction and reports what
each removed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.extensions import db

Purger = tuple[str, Callable[[], int]]


def init_app(app: Flask, purgers: Sequence[Purger]) -> None:
    """Install the ``maintenance`` command with its ``(label, purge)`` list."""
    app.extensions["purgers"] = tuple(purgers)
    app.cli.add_command(cli)


def purge_all() -> dict[str, int]:
    """Run every purge, in order; returns ``{label: rows removed}``. Commits."""
    results = {label: func() for label, func in current_app.extensions["purgers"]}
    db.session.commit()
    return results


cli = AppGroup("maintenance", help="Housekeeping tasks for a scheduler.")


@cli.command("purge")
def purge() -> None:
    """Delete unconfirmed submissions, supports and registrations past retention."""
    for label, count in purge_all().items():
        click.echo(f"{label}: {count}")
