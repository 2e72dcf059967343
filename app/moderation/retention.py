"""Retention: a reader's report (on an idea or a comment) keeps the reader's
keyed address only while it is open and for a short while after, to stop one
reader flagging twice."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import update

from app.extensions import db
from app.models import CommentReport, Report, utcnow


def forget_closed_report_keys() -> int:
    days = current_app.config.get("RETENTION_UNCONFIRMED_DAYS", 7)
    before = utcnow() - timedelta(days=days)
    forgotten = 0
    for model in (Report, CommentReport):
        result = db.session.execute(
            update(model)
            .where(
                model.resolved_at.is_not(None),
                model.resolved_at < before,
                model.reporter_hash.is_not(None),
            )
            .values(reporter_hash=None)
            .execution_options(synchronize_session=False)
        )
        forgotten += result.rowcount or 0
    return forgotten
