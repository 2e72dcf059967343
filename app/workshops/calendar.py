"""iCalendar files for meetings (RFC 5545, built with the ``icalendar`` package).

Times are written with TZID=Europe/Warsaw and the calendar carries the
matching VTIMEZONE, so calendar programs show the right hour on both sides
of a daylight-saving change. Each event's UID is stable (the meeting's id
and the site's host), so re-importing updates the event instead of
duplicating it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from icalendar import Calendar, Event, vText

from app.markdown import plain_text
from app.models.base import utcnow
from app.models.workshop import Workshop
from app.timeutil import LOCAL_TZ
from app.web import external_url

PRODID = "-//Odkrywka//Spotkania konsultacyjne//PL"


def event_uid(workshop: Workshop) -> str:
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "odkrywka"
    return f"workshop-{workshop.id}@{host}"


def _event(workshop: Workshop) -> Event:
    event = Event()
    event.add("uid", event_uid(workshop))
    event.add("dtstamp", utcnow())
    event.add("created", workshop.created_at)
    event.add("last-modified", workshop.updated_at)
    # Whole seconds: a later edit of the meeting bumps the sequence.
    event.add("sequence", max(int((workshop.updated_at - workshop.created_at).total_seconds()), 0))
    event.add("summary", workshop.title)
    event.add("dtstart", workshop.starts_at.astimezone(LOCAL_TZ))
    event.add("dtend", workshop.ends_at.astimezone(LOCAL_TZ))
    url = external_url("workshops.detail", slug=workshop.slug)
    event.add("url", url)
    location = ", ".join(part for part in (workshop.venue, workshop.address) if part)
    if workshop.online_url:
        location = f"{location} – {workshop.online_url}" if location else workshop.online_url
    if location:
        event.add("location", vText(location))
    description = [
        workshop.lead or plain_text(workshop.programme, 600),
        _("Szczegóły i zapisy: %(url)s", url=url),
    ]
    event.add("description", "\n\n".join(part for part in description if part))
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def build_calendar(workshops: Iterable[Workshop], name: str) -> bytes:
    """A VCALENDAR with one VEVENT per meeting and the Warsaw VTIMEZONE."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Warsaw")
    workshops = list(workshops)
    for workshop in workshops:
        calendar.add_component(_event(workshop))
    if workshops:
        # The VTIMEZONE covers the years of the meetings (not 1970–2038), so
        # the file stays small and still correct across DST changes.
        first = min(w.starts_at for w in workshops).date()
        last = max(w.ends_at for w in workshops).date()
        calendar.add_missing_timezones(
            first_date=date(first.year - 1, 1, 1), last_date=date(last.year + 2, 1, 1)
        )
    return calendar.to_ical()
