"""flask --app wsgi newsletters send: send the newsletters whose time came."""

from __future__ import annotations

import click
from flask import current_app, g
from flask.cli import AppGroup

from app.mail import deliver_due
from app.newsletters.services import send_due

cli = AppGroup("newsletters", help="Newsletters: tasks for a scheduler.")


@cli.command("send")
def send() -> None:
    """Queue every due newsletter (once, however many runs), spaced by
    NEWSLETTER_PER_MINUTE; `mail send` delivers each in its turn."""
    base = current_app.config["BASE_URL"]
    with current_app.test_request_context("/", base_url=base):
        queued = send_due()
        ids = g.pop("outbox_committed", None)
        if ids and current_app.config.get("MAIL_DELIVER_AFTER_COMMIT"):
            deliver_due(ids)  # only those whose turn has come
    click.echo(f"Queued {queued} newsletter mail(s).")
