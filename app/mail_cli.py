"""flask mail send [--loop] | retry [--failed] [--expired] [--since DATE] | status"""

from __future__ import annotations

import logging
import signal
import sys
import time
from datetime import UTC, datetime, timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db
from app.mail import _worker_name as worker_name
from app.mail import deliver_due, health, retry
from app.models.base import utcnow
from app.models.outbox import OutboxStatus
from app.timeutil import LOCAL_TZ

logger = logging.getLogger("odkrywka.mail")


cli = AppGroup("mail", help="Deliver queued e-mail, bring failed mail back, report its health.")


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


class _Moment(click.ParamType):
    """A date (YYYY-MM-DD, midnight in Warsaw) or a date and time
    (YYYY-MM-DDTHH:MM, Warsaw time unless it carries an offset), not in the
    future."""

    name = "DATE"

    def convert(self, value, param, ctx):  # noqa: ANN001, ANN201
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            self.fail(
                f"{text!r} is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM "
                "(e.g. 2026-11-27 or 2026-11-27T08:00).",
                param,
                ctx,
            )
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=LOCAL_TZ)
        moment = moment.astimezone(UTC)
        if moment > utcnow():
            self.fail(f"{text} is in the future: nothing was queued after it yet.", param, ctx)
        return moment


@cli.command("retry")
@click.option("--failed", "want_failed", is_flag=True, help="Refused by the recipient's server.")
@click.option("--expired", "want_expired", is_flag=True, help="Past MAIL_LIFETIME.")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice([OutboxStatus.FAILED.value, OutboxStatus.EXPIRED.value]),
    help="The same as --failed / --expired (repeatable).",
)
@click.option("--since", type=_Moment(), help="Only mail queued since DATE (Warsaw time).")
def retry_command(
    want_failed: bool, want_expired: bool, statuses: tuple[str, ...], since: datetime | None
) -> None:
    """Queue failed and/or expired messages again (both when neither is
    named). A confirmation link that died meanwhile gets a new one."""
    chosen = set(statuses)
    if want_failed:
        chosen.add(OutboxStatus.FAILED.value)
    if want_expired:
        chosen.add(OutboxStatus.EXPIRED.value)
    if not chosen:
        chosen = {OutboxStatus.FAILED.value, OutboxStatus.EXPIRED.value}
    # A re-issued link is rendered with url_for: give it a request under BASE_URL.
    with current_app.test_request_context("/", base_url=current_app.config["BASE_URL"]):
        outcome = retry(sorted(chosen), since=since)
        db.session.commit()
    click.echo(
        f"Queued again: {outcome.requeued} ({outcome.reissued} with a new link); "
        f"no longer needed: {outcome.dropped}."
    )


def _age(delta: timedelta | None) -> str:
    if delta is None:
        return "-"
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min"
    return f"{hours // 24} d {hours % 24} h"


@cli.command("status")
@click.option(
    "--max-age",
    type=click.IntRange(min=1),
    default=15,
    show_default=True,
    help="Exit 1 when the oldest pending message waits longer (minutes).",
)
def status(max_age: int) -> None:
    """Print pending, failed and expired counts and the oldest pending
    message's age; exit 1 when it is older than --max-age (for monitoring)."""
    state = health()
    age = state.oldest_pending_age
    click.echo(f"pending: {state.pending}")
    click.echo(f"failed: {state.failed}")
    click.echo(f"expired: {state.expired}")
    click.echo(f"failures in the last hour: {state.failures_last_hour}")
    click.echo(f"oldest pending: {_age(age)}")
    if age is not None and age > timedelta(minutes=max_age):
        click.echo(f"Mail is stuck: the oldest pending message waits over {max_age} min.", err=True)
        sys.exit(1)
