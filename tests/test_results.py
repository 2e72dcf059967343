"""/results and /api/v1/stats against counted fixtures."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from app.extensions import db
from app.models import IdeaStatus, Registration, utcnow
from app.results.stats import collect

MONDAY = datetime(2026, 10, 5, 10, 0).astimezone()  # any Monday


@pytest.fixture
def counted(app, make):
    """A consultation with known numbers, and another one to leave out."""
    now = utcnow()
    process = make.process(slug="glowne")
    other = make.process(slug="inne")
    energy = make.category(slug="energia", name="Energia")
    culture = make.category(slug="kultura", name="Kultura")
    held = make.workshop(
        process_id=process.id,
        slug="odbyty",
        starts_at=now - timedelta(days=10),
        ends_at=now - timedelta(days=10) + timedelta(hours=3),
        participants_count=25,
    )
    grouped = make.workshop(
        process_id=process.id,
        slug="w-grupach",
        starts_at=now - timedelta(days=5),
        ends_at=now - timedelta(days=5) + timedelta(hours=3),
    )
    make.workshop_group(grouped.id, participants_count=8)
    make.workshop_group(grouped.id, participants_count=7)
    registered = make.workshop(
        process_id=process.id,
        slug="z-zapisami",
        starts_at=now - timedelta(days=3),
        ends_at=now - timedelta(days=3) + timedelta(hours=2),
    )
    with app.app_context():
        for n, (status, attended) in enumerate(
            [
                ("confirmed", True),
                ("confirmed", None),
                ("confirmed", False),
                ("cancelled", None),
                ("unconfirmed", None),
            ]
        ):
            db.session.add(
                Registration(
                    workshop_id=registered.id,
                    name=f"Osoba {n}",
                    email=f"r{n}@example.org",
                    participant_group="resident",
                    status=status,
                    attended=attended,
                    token_hash=f"{n:064d}",
                )
            )
        db.session.commit()
    make.workshop(process_id=process.id, slug="przyszly")  # upcoming
    make.workshop(
        process_id=other.id,
        slug="cudzy",
        starts_at=now - timedelta(days=2),
        ends_at=now - timedelta(days=2) + timedelta(hours=1),
        participants_count=100,
    )
    week1, week3 = MONDAY, MONDAY + timedelta(days=14)
    common = {"process_id": process.id}
    make.idea(category_id=energy.id, supports_count=10, submitted_at=week1, **common)
    make.idea(
        category_id=energy.id,
        supports_count=5,
        result_status="accepted",
        submitted_at=week1,
        **common,
    )
    make.idea(
        category_id=energy.id,
        source="workshop",
        workshop_id=held.id,
        result_status="in_progress",
        progress=40,
        submitted_at=week3,
        title="Farma na hałdzie",
        **common,
    )
    make.idea(
        category_id=culture.id,
        source="staff",
        result_status="implemented",
        progress=100,
        supports_count=1,
        submitted_at=week3 + timedelta(days=2),
        **common,
    )
    # Sent but not published: counted as submissions only.
    make.idea(
        status=IdeaStatus.AWAITING_REVIEW, category_id=culture.id, submitted_at=week3, **common
    )
    make.idea(status=IdeaStatus.UNCONFIRMED, category_id=culture.id, submitted_at=week3, **common)
    make.idea(process_id=other.id, category_id=culture.id, supports_count=50, submitted_at=week1)
    return {"process": process, "other": other}  # fmt: skip


def test_statistics_count_the_fixture(app, counted):
    with app.app_context():
        stats = collect(counted["process"].id)
    assert stats.total_ideas == 4
    assert stats.supports == 16
    assert [(slug, n) for slug, _name, n in stats.by_category] == [("energia", 3), ("kultura", 1)]
    assert dict(stats.by_source) == {"form": 2, "workshop": 1, "staff": 1}
    assert dict(stats.by_status) == {"published": 1, "under_analysis": 0, "accepted": 1,
                                     "in_progress": 1, "implemented": 1, "not_pursued": 0}  # fmt: skip
    assert [n for _monday, n in stats.per_week] == [2, 0, 3]
    assert stats.per_week[0][0].weekday() == 0
    participants = {w.slug: w.participants for w in stats.workshops}
    assert participants == {"odbyty": 25, "w-grupach": 15, "z-zapisami": 2, "przyszly": None}
    assert (stats.workshops_held, stats.workshops_upcoming, stats.participants) == (3, 1, 42)
    assert {w.slug: w.ideas for w in stats.workshops}["odbyty"] == 1
    assert [(row.title, row.progress) for row in stats.progress][0][1] == 100
    assert sorted(row.status for row in stats.progress) == [
        "accepted",
        "implemented",
        "in_progress",
    ]


def test_statistics_without_a_process_cover_everything(app, counted):
    with app.app_context():
        stats = collect()
    assert stats.total_ideas == 5
    assert stats.supports == 66
    assert stats.participants == 142


def test_stats_api_has_the_contract_shape(client, counted):
    data = client.get("/api/v1/stats?process=glowne").get_json()
    assert data == {
        "ideas": {
            "total": 4,
            "by_category": {"energia": 3, "kultura": 1},
            "by_source": {"form": 2, "workshop": 1, "staff": 1},
            "by_status": {"published": 1, "under_analysis": 0, "accepted": 1, "in_progress": 1,
                          "implemented": 1, "not_pursued": 0},
        },
        "workshops": {"held": 3, "upcoming": 1, "participants": 42},
        "supports": 16,
    }  # fmt: skip


def test_results_page_draws_charts_each_with_a_table(client, counted):
    response = client.get("/results?process=glowne")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    charts = re.findall(r'<figure class="chart[^"]*" id="([^"]+)"', html)
    assert charts == ["by-category", "by-source", "by-status", "per-week", "per-workshop",
                      "participants", "by-group", "progress"]  # fmt: skip
    for chart in charts:
        figure = html.split(f'id="{chart}"', 1)[1].split("</figure>", 1)[0]
        assert 'class="bar-chart' in figure or 'class="time-chart"' in figure
        assert '<details class="chart-table mt-2">' in figure  # folded by default
        assert "<table" in figure and "<caption" in figure and 'scope="col"' in figure
    category = html.split('id="by-category"', 1)[1].split("</figure>", 1)[0]
    assert re.search(r"Energia</a></th>\s*<td[^>]*>3</td>", category)
    participants = html.split('id="participants"', 1)[1].split("</figure>", 1)[0]
    assert re.search(r">25</td>", participants) and re.search(r">15</td>", participants)
    progress = html.split('id="progress"', 1)[1].split("</figure>", 1)[0]
    assert "Farma na hałdzie" in progress and ">40%</td>" in progress
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_results_without_process_show_all_consultations(client, counted):
    html = client.get("/results").get_data(as_text=True)
    assert re.search(r'stat-number mb-1">5<', html)


def test_unknown_process_on_results_is_400(client, counted):
    assert client.get("/results?process=nie-ma").status_code == 400
    assert client.get("/api/v1/stats?process=nie-ma").status_code == 400


def test_results_of_an_empty_site_render(client, app):
    response = client.get("/results")
    assert response.status_code == 200
    assert "Brak danych." in response.get_data(as_text=True)


def test_results_never_show_personal_data(client, counted):
    html = client.get("/results").get_data(as_text=True)
    assert "@example.org" not in html
    assert "Osoba 0" not in html
    assert "Autor" not in html


def test_progress_chart_shows_the_furthest_accepted_ideas_and_says_how_many_more(client, app, make):
    from app.results.stats import PROGRESS_ROWS

    total = PROGRESS_ROWS + 5
    for n in range(total):
        make.idea(title=f"Przyjęty pomysł {n:02d}", result_status="in_progress", progress=n)
    with app.app_context():
        stats = collect()
    assert stats.accepted == total
    assert len(stats.progress) == PROGRESS_ROWS
    assert stats.progress[0].progress == total - 1  # the furthest first
    html = client.get("/results").get_data(as_text=True)
    chart = html.split('id="progress"', 1)[1].split("</figure>", 1)[0]
    assert chart.count("Przyjęty pomysł") == 2 * PROGRESS_ROWS  # the bars and the table
    assert "Przyjęty pomysł 00" not in chart  # the least advanced are left out
    assert f"{PROGRESS_ROWS} najbardziej zaawansowanych z {total}" in html
    assert "/ideas?status=in_progress" in html


@pytest.mark.app_config(RESULTS_MIN_SECONDS=30)
def test_statistics_are_recomputed_at_most_every_few_seconds(app, client, make, monkeypatch):
    import app.results.stats as stats_module

    make.idea(title="Pierwszy")
    calls = []
    real = stats_module.collect
    monkeypatch.setattr(stats_module, "collect", lambda *a, **k: calls.append(1) or real(*a, **k))

    def total() -> int:
        return client.get("/api/v1/stats").get_json()["ideas"]["total"]

    assert total() == 1
    assert total() == 1
    assert len(calls) == 1  # nothing changed: computed once
    make.idea(title="Drugi")
    # Changed a moment ago: the numbers computed a moment ago stand, and the
    # page showing them is not kept as if it were current.
    assert total() == 1
    page = client.get("/results")
    assert page.headers.get("X-Page-Cache") is None
    assert len(calls) == 1
    clock = stats_module.time.monotonic() + 31
    monkeypatch.setattr(stats_module.time, "monotonic", lambda: clock)
    assert total() == 2
    assert len(calls) == 2


@pytest.mark.app_config(RESULTS_MIN_SECONDS=0)
def test_statistics_without_a_minimum_age_follow_every_change(client, make):
    make.idea()
    assert client.get("/api/v1/stats").get_json()["ideas"]["total"] == 1
    make.idea()
    assert client.get("/api/v1/stats").get_json()["ideas"]["total"] == 2


def test_summary_tiles_use_polish_plural_forms(client, make):
    make.idea()
    make.idea()
    html = client.get("/results").get_data(as_text=True)
    assert "opublikowane pomysły" in html  # 2
    assert "potwierdzonych poparć" in html  # 0
    english = client.get("/results?lang=en").get_data(as_text=True)
    assert "published ideas" in english
