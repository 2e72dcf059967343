"""flask maintenance purge: retention rules.

Each feature registers a purge function with ``@purger``; the command runs
them all in one transaction and reports what each removed.
"""

from __future__ import annotations

from collections.abc import Callable

import click
from flask.cli import AppGroup

from app.extensions import db

PURGERS: list[tuple[str, Callable[[], int]]] = []


def purger(label: str) -> Callable[[Callable[[], int]], Callable[[], int]]:
    def register(func: Callable[[], int]) -> Callable[[], int]:
        PURGERS.append((label, func))
        return func

    return register


def purge_all() -> dict[str, int]:
    """Run every registered purge; returns ``{label: rows removed}``. Commits."""
    results = {label: func() for label, func in PURGERS}
    db.session.commit()
    return results


cli = AppGroup("maintenance", help="Housekeeping tasks for a scheduler.")


@cli.command("purge")
def purge() -> None:
    """Delete unconfirmed submissions, supports and registrations past retention."""
    for label, count in purge_all().items():
        click.echo(f"{label}: {count}")
