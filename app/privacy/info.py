"""Who is responsible: details shown on the privacy notice and the
accessibility statement, from configuration with sensible fallbacks."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import Process


def _parse_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


def organiser_name() -> str:
    """The controller: configured, else the organiser of the latest consultation."""
    configured = (current_app.config.get("PRIVACY_CONTROLLER_NAME") or "").strip()
    if configured:
        return configured
    organiser = db.session.scalar(
        select(Process.organiser)
        .where(Process.published.is_(True), Process.organiser != "")
        .order_by(Process.opens_at.desc().nulls_last(), Process.id.desc())
        .limit(1)
    )
    return organiser or _("Organizator konsultacji")


def controller() -> dict[str, str]:
    config = current_app.config
    return {
        "name": organiser_name(),
        "address": config.get("PRIVACY_CONTROLLER_ADDRESS", ""),
        "email": config.get("PRIVACY_CONTROLLER_EMAIL", ""),
        "dpo_email": config.get("PRIVACY_DPO_EMAIL", ""),
    }


def retention() -> dict[str, int]:
    config = current_app.config
    return {
        "unconfirmed": config.get("RETENTION_UNCONFIRMED_DAYS", 7),
        "personal": config.get("RETENTION_PERSONAL_DATA_DAYS", 365),
        "outbox": config.get("RETENTION_OUTBOX_DAYS", 30),
        "notices": config.get("NOTICE_RETENTION_DAYS", 90),
    }


def accessibility() -> dict[str, Any]:
    config = current_app.config
    return {
        "contact_name": config.get("ACCESSIBILITY_CONTACT_NAME", ""),
        "contact_email": config.get("ACCESSIBILITY_CONTACT_EMAIL", ""),
        "contact_phone": config.get("ACCESSIBILITY_CONTACT_PHONE", ""),
        "published_on": _parse_date(config.get("ACCESSIBILITY_PUBLISHED_ON")),
        "updated_on": _parse_date(config.get("ACCESSIBILITY_UPDATED_ON")),
        "architecture": (config.get("ACCESSIBILITY_ARCHITECTURE") or "").strip(),
    }
