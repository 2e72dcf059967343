"""flask --app wsgi report build --process SLUG [--freeze] [--output FILE]"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app, url_for
from flask.cli import AppGroup

from app.consultation_report import services
from app.extensions import db
from app.models import utcnow
from app.timeutil import LOCAL_TZ

cli = AppGroup("report", help="The consultation report (HTML and PDF).")


@cli.command("build")
@click.option("--process", "slug", required=True, help="The consultation's address (slug).")
@click.option("--freeze", is_flag=True, help="Also keep it as the next frozen version.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the PDF (default: instance/reports/).")  # fmt: skip
def build(slug: str, freeze: bool, output: Path | None) -> None:
    """Write the report of a consultation as a PDF and print where; with
    --freeze, keep it as a frozen version (as staff do on the report page)."""
    # Links in the document are absolute, under BASE_URL.
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        process = services.published_process(slug)
        if process is None:
            raise click.ClickException(f"No published consultation at {slug!r}.")
        if freeze:
            version = services.freeze(process)
            db.session.commit()
            pdf, name = version.pdf, f"raport-{process.slug}-wersja-{version.number}.pdf"
        else:
            day = utcnow().astimezone(LOCAL_TZ).date().isoformat()
            pdf, name = services.build_files(process).pdf, f"raport-{process.slug}-{day}.pdf"
        path = output or Path(current_app.instance_path) / "reports" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pdf)
        click.echo(f"Wrote {path} ({len(pdf)} bytes, SHA-256 {services.sha256(pdf)})")
        if freeze:
            address = current_app.config["BASE_URL"] + url_for(
                "consultation_report.frozen_pdf", slug=process.slug, number=version.number
            )
            click.echo(f"Frozen as version {version.number}: {address}")
