"""The report as a document: the HTML page body, the standalone HTML file
(what is printed, turned into the PDF and kept when frozen) and the PDF."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import current_app, render_template, url_for

from app.consultation_report.content import Report
from app.i18n import current_language
from app.ideas.lifecycle import source_label
from app.web import external_url

CSS_PATH = Path(__file__).resolve().parent.parent / "static" / "css" / "report.css"


@lru_cache(maxsize=1)
def _css() -> str:
    return CSS_PATH.read_text(encoding="utf-8")


def page_context(report: Report) -> dict[str, Any]:
    """What ``_body.html`` needs on the site's own page (links on this site)."""
    return {"report": report, "href": url_for, "source_label": source_label}


def render_document(report: Report, frozen: Any = None) -> str:
    """The report as one standalone HTML file: styles inside, every link
    absolute (under BASE_URL), nothing loaded from anywhere. *frozen*
    (number, frozen_at, note) adds the frozen version's note at the top."""
    return render_template(
        "consultation_report/document.html",
        report=report,
        frozen=frozen,
        href=external_url,
        source_label=source_label,
        css=_css(),
        lang=current_language(),
    )


def render_pdf(html: str) -> bytes:
    """*html* (from ``render_document``) as a PDF, with WeasyPrint.

    Nothing is fetched while rendering: the document holds its styles and
    its charts are inline SVG, so any other URL (an image in a text, say)
    is refused rather than loaded from the network or the disk."""
    from PIL import ImageFile
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Importing WeasyPrint makes Pillow accept truncated images in the whole
    # process; the report embeds no bitmap, and uploads must refuse them.
    ImageFile.LOAD_TRUNCATED_IMAGES = False

    fetcher = URLFetcher(allowed_protocols={"data"}, timeout=1)
    return HTML(
        string=html, base_url=current_app.config["BASE_URL"], url_fetcher=fetcher
    ).write_pdf(pdf_tags=True)
