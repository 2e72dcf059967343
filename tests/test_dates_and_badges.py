"""One date form per context (prose: long, tables: short, never seconds),
one-day spans as one date, the staff sidebar's current item, and status
badges told apart by colour as well as by their text."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from app.i18n import format_days, format_when
from app.models import ResultStatus

ROOT = Path(__file__).resolve().parent.parent
SECONDS = re.compile(r"\b\d{1,2}:\d{2}:\d{2}\b")


@pytest.fixture
def polish(app):
    with app.test_request_context("/"):
        yield


@pytest.fixture
def english(app):
    with app.test_request_context("/?lang=en"):
        yield


WINTER_EVENING = datetime(2026, 12, 15, 17, 0, 5, tzinfo=UTC)  # 18:00:05 in Warsaw


def test_prose_dates_are_long_and_table_dates_short(polish):
    assert format_when(WINTER_EVENING, "long") == "15 grudnia 2026, 18:00"
    assert format_when(WINTER_EVENING, "short") == "15.12.2026, 18:00"
    assert format_when(WINTER_EVENING) == "15.12.2026, 18:00"


@pytest.mark.parametrize("style", ["short", "medium", "long", "full"])
def test_no_style_shows_seconds(polish, style):
    assert not SECONDS.search(format_when(WINTER_EVENING, style))


def test_a_one_day_span_is_one_date(polish):
    day = date(2026, 12, 9)
    assert format_days(day, day) == "9 grudnia 2026"
    assert format_days(day, None) == "9 grudnia 2026"
    assert format_days(day, date(2026, 12, 11)) == "9–11 grudnia 2026"
    assert format_days(day, day, "short") == "9.12.2026"


def test_spans_in_english(english):
    assert format_days(date(2026, 12, 9), date(2026, 12, 9)) == "December 9, 2026"


def test_process_page_shows_a_one_day_phase_as_one_date(app, client, make):
    process = make.process()
    day = date.today() + timedelta(days=30)
    make.phase(process.id, title="Spotkanie podsumowujące", starts_on=day, ends_on=day)
    html = client.get(f"/processes/{process.slug}").get_data(as_text=True)
    with app.test_request_context("/"):
        shown = format_days(day)
    timeline = html.split('class="timeline"')[1].split("</ol>")[0]
    assert timeline.count(shown) == 1
    assert f"{shown} – {shown}" not in html


def test_staff_tables_show_no_seconds(client, login, make):
    login("admin")
    make.workshop()
    for url in ("/staff/workshops", "/staff/audit", "/staff/articles", "/staff/ideas?answer=all"):
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True).split("<main", 1)[1]
        assert not SECONDS.search(body), url


def test_sidebar_marks_the_current_section_on_its_own_pages(client, login, make):
    login("admin")
    workshop = make.workshop()
    html = client.get(f"/staff/workshops/{workshop.id}").get_data(as_text=True)
    nav = html.split('aria-label="Panel zespołu"', 1)[1].split("</nav>", 1)[0]
    assert re.search(r'class="nav-link active" href="/staff/workshops/?" aria-current="page"', nav)
    assert nav.count('aria-current="page"') == 1


def test_sidebar_current_item_is_in_the_brand_colour():
    css = (ROOT / "app" / "static" / "css" / "site.css").read_text(encoding="utf-8")
    assert re.search(r"\.nav-pills \{[^}]*--bs-nav-pills-link-active-bg: #0b5d3b", css)


def test_catalogue_badges_carry_their_status_class_and_label(client, make):
    make.idea(result_status=ResultStatus.ACCEPTED, title="Zielony rynek")
    make.idea(result_status=ResultStatus.NOT_PURSUED, title="Kolej linowa")
    html = client.get("/ideas").get_data(as_text=True)
    assert re.search(r'class="[^"]*status-badge status-accepted">Przyjęty do programu<', html)
    assert re.search(r'class="[^"]*status-badge status-not_pursued">Niepodjęty<', html)
    css = (ROOT / "app" / "static" / "css" / "site.css").read_text(encoding="utf-8")
    for status in ResultStatus:
        if status != "published":
            assert f".badge.status-{status.value} {{" in css
