"""/results: the consultation's results as charts with tables beside them."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.i18n import format_day, format_when
from app.ideas.lifecycle import public_status_label, source_label
from app.models import Process
from app.results import bp
from app.results.services import share
from app.results.stats import ACCEPTED_STATUSES, current
from app.workshops.forms import participant_group_labels


def _week_label(monday) -> str:  # noqa: ANN001
    from flask_babel import format_date

    return _("tydzień od %(date)s", date=format_date(monday, "medium"))


@bp.route("/results")
def index():
    processes = db.session.scalars(
        select(Process).where(Process.published.is_(True)).order_by(Process.opens_at.desc())
    ).all()
    slug = (request.args.get("process") or "").strip()
    process = None
    if slug:
        process = next((p for p in processes if p.slug == slug), None)
        if process is None:
            return render_template(
                "results/index.html",
                processes=processes,
                process=None,
                stats=None,
                error=_("Nie ma takich konsultacji."),
            ), 400
    stats = current(process.id if process else None)
    group_labels = participant_group_labels()
    return render_template(
        "results/index.html",
        processes=processes,
        process=process,
        stats=stats,
        error=None,
        category_rows=[
            (name, n, url_for("catalogue.index", category=slug_, **_p(process)))
            for slug_, name, n in stats.by_category
        ],
        source_rows=[
            (source_label(source), n, url_for("catalogue.index", source=source, **_p(process)))
            for source, n in stats.by_source
        ],
        status_rows=[
            (
                public_status_label(status),
                n,
                url_for("catalogue.index", status=status, **_p(process)),
            )
            for status, n in stats.by_status
        ],
        week_rows=[
            (_week_label(monday), n, format_day(monday, "short")) for monday, n in stats.per_week
        ],
        group_rows=[(group_labels.get(group, group), n) for group, n in stats.by_group],
        answered_share=share(stats.answered, stats.total_ideas),
        workshop_rows=[
            (
                f"{w.title} ({format_when(w.starts_at, 'short')})",
                w.ideas,
                url_for("catalogue.index", workshop=w.slug),
            )
            for w in stats.workshops
            if w.participants is not None or w.ideas
        ],  # fmt: skip
        participant_rows=[
            (
                f"{w.title} ({format_when(w.starts_at, 'short')})",
                w.participants,
                url_for("workshops.detail", slug=w.slug),
            )
            for w in stats.workshops
            if w.participants is not None
        ],  # fmt: skip
        accepted_links=[
            (public_status_label(status), url_for("catalogue.index", status=status, **_p(process)))
            for status in ACCEPTED_STATUSES
        ],
        progress_rows=[
            (row.title, row.progress, url_for("catalogue.detail", idea_id=row.id, slug=row.slug))
            for row in stats.progress
        ],
    )


def _p(process: Process | None) -> dict:
    return {"process": process.slug} if process else {}
