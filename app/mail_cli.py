"""flask mail send [--loop]"""

from __future__ import annotations

import logging
import signal
import time

import click
from flask.cli import AppGroup

from app.extensions import db
from app.mail import _worker_name as worker_name
from app.mail import deliver_due

logger = logging.getLogger("odkrywka.mail")


cli = AppGroup("mail", help="Deliver queued e-mail.")


@cli.command("send")
@click.option("--loop", is_flag=True, help="Keep delivering until stopped.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between rounds.")
@click.option("--batch", default=100, show_default=True, help="Messages per round.")
def send(loop: bool, interval: float, batch: int) -> None:
    """Deliver queued messages once, or keep delivering with --loop.

    With --loop it runs as a service: SIGTERM lets the current round finish
    (no message is left half-claimed), and a failed round (the database
    restarting, say) is logged and retried instead of ending the worker.
    """
    stopping = False

    def stop(signum, frame):  # noqa: ANN001, ANN202
        nonlocal stopping
        stopping = True

    if loop:
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        logger.info(
            "Mail worker %s started (%s a round, every %s s)", worker_name(), batch, interval
        )
    while True:
        try:
            sent, failed = deliver_due(limit=batch)
        except Exception:
            if not loop:
                raise
            logger.exception("Mail round failed; retrying in %s s", interval)
            db.session.rollback()
            db.session.remove()
            sent = failed = 0
        if sent or failed or not loop:
            click.echo(f"Sent {sent}, failed {failed}.")
        if not loop or stopping:
            return
        if sent < batch:
            deadline = time.monotonic() + interval
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(0.2, interval))
