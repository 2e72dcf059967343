"""Retention: a report keeps its reader's keyed address only while it is
open and for a short while after, to stop one reader flagging twice."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import update

from app.extensions import db
from app.models import Report, utcnow


def forget_closed_report_keys() -> int:
    days = current_app.config.get("RETENTION_UNCONFIRMED_DAYS", 7)
    result = db.session.execute(
        update(Report)
        .where(
            Report.resolved_at.is_not(None),
            Report.resolved_at < utcnow() - timedelta(days=days),
            Report.reporter_hash.is_not(None),
        )
        .values(reporter_hash=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
