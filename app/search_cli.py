"""flask search reindex"""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import func, select, table

from app.extensions import db
from app.search import reindex_batches

cli = AppGroup("search", help="The full-text index of ideas.")


@cli.command("reindex")
@click.option("--batch-size", default=1000, show_default=True, type=click.IntRange(1, 50_000),
              help="Ideas read and written per transaction.")  # fmt: skip
def reindex(batch_size: int) -> None:
    """Recompute every idea's index words (after a change to how words are
    indexed, or to the dictionary). Safe while the site runs: each batch is
    its own short transaction, and only rows whose words changed are
    written, so the index is never empty or locked for long."""
    with db.engine.connect() as connection:
        total = connection.scalar(select(func.count()).select_from(table("ideas"))) or 0
        connection.commit()
        done = 0
        with click.progressbar(length=total, label="Reindexing ideas") as bar:
            for count in reindex_batches(connection, batch_size):
                connection.commit()
                done += count
                bar.update(count)
    click.echo(f"Reindexed {done} ideas.")
