"""flask --app wsgi workshops remind: reminders the day before a meeting."""

from __future__ import annotations

import click
from flask import current_app, g
from flask.cli import AppGroup

from app.mail import deliver_due
from app.workshops.reminders import send_reminders

cli = AppGroup("workshops", help="Meetings: tasks for a scheduler.")


@cli.command("remind")
def remind() -> None:
    """Remind confirmed participants the day before; tell the waiting list
    after the meeting. Each person once, however often it runs."""
    base = current_app.config["BASE_URL"]
    with current_app.test_request_context("/", base_url=base):
        reminded, told = send_reminders()
        ids = g.pop("outbox_committed", None)
        if ids and current_app.config.get("MAIL_DELIVER_AFTER_COMMIT"):
            deliver_due(ids)
    click.echo(f"Reminded {reminded} participant(s); told {told} on waiting lists.")
