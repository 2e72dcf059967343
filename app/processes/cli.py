"""flask --app wsgi phases notify: announce consultation phases that started."""

from __future__ import annotations

import click
from flask import current_app, g
from flask.cli import AppGroup

from app.mail import deliver_due
from app.processes.announcements import announce_started_phases

cli = AppGroup("phases", help="Consultation phases: tasks for a scheduler.")


@cli.command("notify")
def notify() -> None:
    """Announce each phase that started (once ever, however often it runs)."""
    base = current_app.config["BASE_URL"]
    with current_app.test_request_context("/", base_url=base):
        count = announce_started_phases()
        ids = g.pop("outbox_committed", None)
        if ids and current_app.config.get("MAIL_DELIVER_AFTER_COMMIT"):
            deliver_due(ids)
    click.echo(f"Announced {count} phase(s) that started.")
