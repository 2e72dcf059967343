"""/results answers the seed's questions: who took part (participant groups
from registrations and attendance), how many ideas the organiser answered,
and when ideas came in (a time chart); the charts stay readable on a phone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Registration, utcnow
from app.results.services import participation_by_group, share


@pytest.fixture
def attended(app, make):
    now = utcnow()
    process = make.process(slug="udzial")
    held = make.workshop(
        process_id=process.id,
        starts_at=now - timedelta(days=4),
        ends_at=now - timedelta(days=4, hours=-3),
    )
    upcoming = make.workshop(process_id=process.id)
    rows = [
        (held.id, "young_person", "confirmed", True),
        (held.id, "young_person", "confirmed", None),  # attendance not taken: counts
        (held.id, "senior", "confirmed", True),
        (held.id, "senior", "confirmed", False),  # marked absent
        (held.id, "company_head", "confirmed", True),
        (held.id, "entrepreneur", "cancelled", None),
        (held.id, "local_government", "waiting", None),
        (upcoming.id, "local_government", "confirmed", None),  # not held yet
    ]
    with app.app_context():
        for n, (workshop_id, group, status, present) in enumerate(rows):
            db.session.add(
                Registration(
                    workshop_id=workshop_id, name="", email="", participant_group=group,
                    status=status, attended=present, token_hash=f"g{n:063d}",
                )
            )  # fmt: skip
        db.session.commit()
    return process


def test_participation_by_group_counts_who_attended_held_meetings(app, attended):
    with app.app_context():
        counts = dict(participation_by_group(attended.id))
    assert counts == {
        "resident": 0,
        "young_person": 2,
        "senior": 1,
        "entrepreneur": 0,
        "local_government": 0,
        "company_head": 1,
        "other": 0,
    }


def test_results_show_participation_by_group(client, attended):
    html = client.get("/results?process=udzial").get_data(as_text=True)
    figure = html.split('id="by-group"', 1)[1].split("</figure>", 1)[0]
    assert re.search(r"Osoba młoda \(do 26 lat\)</th>\s*<td[^>]*>2</td>", figure)
    assert re.search(r"Osoba kierująca firmą</th>\s*<td[^>]*>1</td>", figure)
    assert re.search(r"Senior / seniorka</th>\s*<td[^>]*>1</td>", figure)


def test_share_of_answered_ideas(client, make):
    process = make.process(slug="odpowiedzi")
    for status in ("published", "published", "accepted", "not_pursued"):
        make.idea(process_id=process.id, result_status=status)
    assert (share(2, 4), share(1, 3), share(0, 0)) == (50, 33, 0)
    html = client.get("/results?process=odpowiedzi").get_data(as_text=True)
    assert "50\u00a0%" in html.replace("&nbsp;", "\u00a0")
    assert "z oficjalną odpowiedzią organizatora (2 z 4)" in html


def test_submissions_over_time_are_a_time_chart(client, make):
    process = make.process(slug="w-czasie")
    now = utcnow()
    for weeks_ago in (0, 0, 2, 3):
        make.idea(process_id=process.id, submitted_at=now - timedelta(weeks=weeks_ago))
    html = client.get("/results?process=w-czasie").get_data(as_text=True)
    figure = html.split('id="per-week"', 1)[1].split("</figure>", 1)[0]
    assert 'class="time-chart"' in figure
    assert len(re.findall(r'<rect class="time-column"', figure)) == 4  # a quiet week too
    assert "Najwięcej zgłoszeń: tydzień od" in figure
    assert figure.count("<tr>") == 5  # the header and one row a week
