"""The report's rules: which consultation, building it, freezing a version.

Nothing here commits: the view (or the CLI command) does, once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from app import audit
from app.consultation_report import content
from app.consultation_report.document import render_document, render_pdf
from app.errors import ServiceError
from app.extensions import db
from app.follows.services import announce
from app.models import FrozenReport, Process, utcnow
from app.web import external_url

# Frozen versions are made in the consultation's language.
FROZEN_LOCALE = "pl"
NOTE_MAX = 200


class FreezeConflict(ServiceError):
    """Someone froze a version of the same report at the same moment."""

    status = 409


def published_process(slug: str) -> Process | None:
    return db.session.scalar(
        select(Process).where(Process.slug == slug, Process.published.is_(True))
    )


def frozen_versions(process: Process) -> list[FrozenReport]:
    """The consultation's frozen versions, newest first (without their bytes)."""
    from sqlalchemy.orm import defer

    return list(
        db.session.scalars(
            select(FrozenReport)
            .options(defer(FrozenReport.html), defer(FrozenReport.pdf))
            .where(FrozenReport.process_id == process.id)
            .order_by(FrozenReport.number.desc())
        )
    )


def frozen_version(slug: str, number: int) -> FrozenReport | None:
    """Version *number* of the report of the consultation at *slug*, whether
    *slug* is its address today or was when the version was frozen."""
    return db.session.scalar(
        select(FrozenReport)
        .join(Process, Process.id == FrozenReport.process_id)
        .where(
            FrozenReport.number == number,
            Process.published.is_(True),
            or_(Process.slug == slug, FrozenReport.process_slug == slug),
        )
        .order_by((Process.slug == slug).desc())
        .limit(1)
    )


def sha256(data: str | bytes) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


@dataclass(frozen=True)
class BuiltReport:
    html: str
    pdf: bytes


def build_files(process: Process, now: datetime | None = None, frozen: Any = None) -> BuiltReport:
    """The standalone HTML and the PDF of *process*'s report as of *now*."""
    report = content.build(process, now)
    html = render_document(report, frozen=frozen)
    return BuiltReport(html=html, pdf=render_pdf(html))


@dataclass(frozen=True)
class _FrozenHeading:
    number: int
    frozen_at: datetime
    note: str


def freeze(process: Process, actor: Any = None, note: str = "") -> FrozenReport:
    """Keep today's report of *process* as its next numbered version: the
    HTML file and the PDF as made now, each with its SHA-256, and an audit
    row. A version is never changed afterwards."""
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX:
        raise ServiceError(
            _("Opis wersji może mieć najwyżej %(max)s znaków.", max=NOTE_MAX), field="note"
        )
    number = (
        db.session.scalar(
            select(func.max(FrozenReport.number)).where(FrozenReport.process_id == process.id)
        )
        or 0
    ) + 1
    now = utcnow()
    with force_locale(FROZEN_LOCALE):
        files = build_files(process, now, frozen=_FrozenHeading(number, now, note))
    version = FrozenReport(
        process_id=process.id,
        process_slug=process.slug,
        number=number,
        frozen_at=now,
        frozen_by_id=getattr(actor, "id", None),
        note=note,
        locale=FROZEN_LOCALE,
        html=files.html,
        html_sha256=sha256(files.html),
        pdf=files.pdf,
        pdf_sha256=sha256(files.pdf),
    )
    try:
        with db.session.begin_nested():
            db.session.add(version)
    except IntegrityError as error:
        raise FreezeConflict(
            _("W tej chwili ktoś inny zamroził wersję tego raportu. Spróbuj ponownie."),
        ) from error
    audit.record(
        "report.frozen",
        version,
        actor=actor,
        data={
            "process": process.slug,
            "number": number,
            "pdf_sha256": version.pdf_sha256,
            "html_sha256": version.html_sha256,
        },
    )
    # The consultation's followers hear of each frozen version once.
    announce(
        process=process,
        event=f"report:{process.id}:{number}",
        title=_l(
            "Raport z konsultacji „%(title)s”, wersja %(number)s",
            title=process.title,
            number=number,
        ),
        text=_l(
            "Organizator opublikował wersję raportu z konsultacji. Pod tym adresem "
            "pozostanie taka sama, nawet gdy dane później się zmienią."
        ),
        url=external_url("consultation_report.frozen", slug=process.slug, number=number),
    )
    return version
