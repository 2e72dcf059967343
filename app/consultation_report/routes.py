"""/processes/<slug>/report: the consultation report, live and frozen."""

from __future__ import annotations

import base64
from datetime import datetime

from flask import Response, abort, current_app, render_template, request

from app.consultation_report import bp, content, services
from app.consultation_report.document import page_context, render_document, render_pdf
from app.extensions import limiter
from app.models import FrozenReport, Process
from app.timeutil import LOCAL_TZ

# A kept version never changes: browsers and proxies may keep it for a year.
IMMUTABLE = "public, max-age=31536000, immutable"
# The frozen HTML file holds its own styles and no script at all.
FROZEN_HTML_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def _pdf_limit() -> str:
    return current_app.config["RATELIMIT_REPORT_PDF"]


def _process_or_404(slug: str) -> Process:
    process = services.published_process(slug)
    if process is None:
        abort(404)
    return process


@bp.route("/<slug>/report")
def live(slug: str):
    process = _process_or_404(slug)
    report = content.build(process)
    return render_template(
        "consultation_report/page.html",
        versions=services.frozen_versions(process),
        **page_context(report),
    )


@bp.route("/<slug>/report.pdf")
@limiter.limit(_pdf_limit)
def live_pdf(slug: str):
    process = _process_or_404(slug)
    report = content.build(process)
    pdf = render_pdf(render_document(report))
    return _pdf_response(pdf, f"raport-{process.slug}-{_day(report.generated_at)}.pdf")


@bp.route("/<slug>/report/<int:number>")
def frozen(slug: str, number: int):
    version = _frozen_or_404(slug, number)
    response = Response(version.html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = FROZEN_HTML_CSP
    return _immutable(response, version.html_sha256)


@bp.route("/<slug>/report/<int:number>.pdf")
def frozen_pdf(slug: str, number: int):
    version = _frozen_or_404(slug, number)
    response = _pdf_response(version.pdf, f"raport-{version.process_slug}-wersja-{number}.pdf")
    return _immutable(response, version.pdf_sha256)


def _frozen_or_404(slug: str, number: int) -> FrozenReport:
    version = services.frozen_version(slug, number)
    if version is None:
        abort(404)
    return version


def _pdf_response(pdf: bytes, filename: str) -> Response:
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _immutable(response: Response, digest: str) -> Response:
    """The kept bytes, with their SHA-256 (RFC 9530) and an ETag from it."""
    response.headers["Cache-Control"] = IMMUTABLE
    encoded = base64.b64encode(bytes.fromhex(digest)).decode("ascii")
    response.headers["Repr-Digest"] = f"sha-256=:{encoded}:"
    response.set_etag(digest)
    return response.make_conditional(request)


def _day(value: datetime) -> str:
    return value.astimezone(LOCAL_TZ).date().isoformat()
