"""flask --app wsgi moderation digest: the moderators' daily summary.

Meant for a scheduler (cron, a systemd timer) once a day, or more often:
each active moderator and administrator gets at most one digest per day
(Europe/Warsaw), and only when something waits.
"""

from __future__ import annotations

from datetime import datetime

import click
from flask import current_app, g
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.mail import deliver_due
from app.moderation import queries, services
from app.timeutil import LOCAL_TZ

# AppGroup: its commands run inside the application context, also when
# invoked through the test runner.
cli = AppGroup("moderation", help="Moderation tasks for a scheduler.")


def send_daily_digest() -> tuple[int, int]:
    """Queue today's digest for everyone who has not had it yet.

    Returns ``(queued, waiting)``. Commits once per recipient: the unique
    (user, day) row is written with the message, so a run that crashes
    half-way, or two runs at once, never mail anyone twice.
    """
    counts = queries.waiting_counts()
    waiting = sum(counts.values())
    if not waiting:
        return 0, 0
    oldest = queries.oldest_waiting()
    today = datetime.now(LOCAL_TZ).date()
    queued = 0
    for user in services.digest_recipients():
        if services.digest_already_sent(user, today):
            continue
        try:
            services.queue_digest(user, today, counts, oldest)
            db.session.commit()
        except IntegrityError:
            # Another run got there first.
            db.session.rollback()
            continue
        queued += 1
    return queued, waiting


@cli.command("digest")
def digest() -> None:
    """Mail moderators one summary a day when ideas or reports wait."""
    base = current_app.config["BASE_URL"]
    with current_app.test_request_context("/", base_url=base):
        queued, waiting = send_daily_digest()
        ids = g.pop("outbox_committed", None)
        # As after a request: send now, or leave it to `flask mail send`.
        if ids and current_app.config.get("MAIL_DELIVER_AFTER_COMMIT"):
            deliver_due(ids)
    if not waiting:
        click.echo("Nothing waits for moderators; no digest sent.")
    else:
        click.echo(f"{waiting} items wait; digest queued for {queued} recipients.")
