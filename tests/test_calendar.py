"""iCalendar files: parsed back with the icalendar package, times in Warsaw."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar

WARSAW = ZoneInfo("Europe/Warsaw")


def _events(response) -> list:  # noqa: ANN001
    calendar = Calendar.from_ical(response.data)
    return [component for component in calendar.walk("VEVENT")]


def test_one_meeting_calendar_has_the_right_times_in_winter(client, make):
    # 17:00 in Warsaw in January is 16:00 UTC (CET, +01:00).
    workshop = make.workshop(
        title="Warsztaty zimowe",
        starts_at=datetime(2031, 1, 15, 16, 0, tzinfo=UTC),
        ends_at=datetime(2031, 1, 15, 19, 30, tzinfo=UTC),
        venue="Dom Kultury",
        address="ul. Górnicza 1",
    )
    response = client.get(f"/workshops/{workshop.slug}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert f"{workshop.slug}.ics" in response.headers["Content-Disposition"]
    [event] = _events(response)
    start = event.decoded("dtstart")
    end = event.decoded("dtend")
    assert str(start.tzinfo) == "Europe/Warsaw"
    assert (start.hour, start.minute) == (17, 0)
    assert (end.hour, end.minute) == (20, 30)
    assert start.astimezone(UTC) == datetime(2031, 1, 15, 16, 0, tzinfo=UTC)
    assert event["dtstart"].params["TZID"] == "Europe/Warsaw"
    assert str(event["summary"]) == "Warsztaty zimowe"
    assert "Dom Kultury, ul. Górnicza 1" in str(event["location"])
    assert str(event["url"]).endswith(f"/workshops/{workshop.slug}")


def test_summer_times_use_daylight_saving(client, make):
    # 17:00 in Warsaw in July is 15:00 UTC (CEST, +02:00).
    workshop = make.workshop(
        starts_at=datetime(2031, 7, 15, 15, 0, tzinfo=UTC),
        ends_at=datetime(2031, 7, 15, 17, 0, tzinfo=UTC),
    )
    [event] = _events(client.get(f"/workshops/{workshop.slug}.ics"))
    start = event.decoded("dtstart")
    assert (start.hour, start.utcoffset().total_seconds()) == (17, 7200)


def test_calendar_carries_the_warsaw_timezone_definition(client, make):
    workshop = make.workshop()
    calendar = Calendar.from_ical(client.get(f"/workshops/{workshop.slug}.ics").data)
    [timezone] = calendar.walk("VTIMEZONE")
    assert str(timezone["tzid"]) == "Europe/Warsaw"
    assert calendar["version"] == "2.0"
    assert "Odkrywka" in str(calendar["prodid"])


def test_uid_is_stable_and_distinct_per_meeting(client, make):
    first = make.workshop()
    second = make.workshop()
    uid = lambda slug: str(_events(client.get(f"/workshops/{slug}.ics"))[0]["uid"])  # noqa: E731
    assert uid(first.slug) == uid(first.slug)
    assert uid(first.slug) != uid(second.slug)
    assert uid(first.slug) == f"workshop-{first.id}@odkrywka.test"
    everything = {str(e["uid"]) for e in _events(client.get("/workshops.ics"))}
    assert {uid(first.slug), uid(second.slug)} <= everything


def test_all_meetings_calendar_lists_published_meetings_only(client, make):
    process = make.process()
    shown = [make.workshop(process_id=process.id, title=f"Spotkanie {n}") for n in range(3)]
    hidden = make.workshop(process_id=process.id, published=False, title="Ukryte")
    response = client.get("/workshops.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    titles = {str(event["summary"]) for event in _events(response)}
    assert titles == {w.title for w in shown}
    assert hidden.title not in titles
    for event in _events(response):
        assert str(event.decoded("dtstart").tzinfo) == "Europe/Warsaw"


def test_calendar_for_unknown_or_unpublished_meeting_is_404(client, make):
    hidden = make.workshop(published=False)
    assert client.get("/workshops/nie-ma.ics").status_code == 404
    assert client.get(f"/workshops/{hidden.slug}.ics").status_code == 404


def test_meeting_page_links_to_its_calendar_file(client, make):
    workshop = make.workshop()
    html = client.get(f"/workshops/{workshop.slug}").get_data(as_text=True)
    assert f'href="/workshops/{workshop.slug}.ics"' in html
