"""flask mail send [--loop]"""

from __future__ import annotations

import logging
import time

import click
from flask.cli import AppGroup

from app.mail import deliver_due

logger = logging.getLogger("odkrywka.mail")


cli = AppGroup("mail", help="Deliver queued e-mail.")


@cli.command("send")
@click.option("--loop", is_flag=True, help="Keep delivering until stopped.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between rounds.")
@click.option("--batch", default=100, show_default=True, help="Messages per round.")
def send(loop: bool, interval: float, batch: int) -> None:
    """Deliver queued messages once, or keep delivering with --loop."""
    while True:
        sent, failed = deliver_due(limit=batch)
        if sent or failed or not loop:
            click.echo(f"Sent {sent}, failed {failed}.")
        if not loop:
            return
        if sent < batch:
            time.sleep(interval)
