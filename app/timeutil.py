"""Times are stored in UTC and entered and shown in Europe/Warsaw."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Europe/Warsaw")


def local_to_utc(value: datetime | None) -> datetime | None:
    """A naive wall-clock time in Warsaw → an aware UTC datetime."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL_TZ)
    return value.astimezone(UTC)


def utc_to_local(value: datetime | None) -> datetime | None:
    """An aware (or naive UTC) datetime → naive Warsaw wall-clock time, for forms."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LOCAL_TZ).replace(tzinfo=None)


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in Warsaw time, with its offset (the API and feeds), or None."""
    return value.astimezone(LOCAL_TZ).isoformat() if value else None


def iso_utc(value: datetime | None) -> str | None:
    """ISO 8601 in UTC (the data exports), or None."""
    return value.isoformat() if value else None
