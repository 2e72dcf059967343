"""The moderation queue, the review page, readers' reports and the
dashboard tiles, as staff and readers see them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Attachment, IdeaStatus, Report, utcnow
from tests.moderation_support import add_event, add_report, snapshot

S = IdeaStatus


def _queue_titles(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return re.findall(r'<a href="/staff/ideas/\d+[^"]*">([^<]+)</a>', body)


# --- the queue ----------------------------------------------------------


def test_new_submissions_come_oldest_first(client, make, moderator):
    now = utcnow()
    make.idea(status=S.AWAITING_REVIEW, title="Środkowy", confirmed_at=now - timedelta(days=2))
    make.idea(status=S.AWAITING_REVIEW, title="Najstarszy", confirmed_at=now - timedelta(days=5))
    make.idea(status=S.AWAITING_REVIEW, title="Najnowszy", confirmed_at=now - timedelta(hours=1))
    make.idea(status=S.PUBLISHED, title="Opublikowany")
    make.idea(status=S.UNCONFIRMED, title="Niepotwierdzony")
    response = client.get("/staff/moderation")
    assert response.status_code == 200
    assert _queue_titles(response.get_data(as_text=True)) == [
        "Najstarszy",
        "Środkowy",
        "Najnowszy",
    ]


def test_revised_and_reported_ideas_have_their_own_tabs(app, client, make, moderator):
    make.idea(status=S.AWAITING_REVIEW, title="Zwykły nowy")
    revised = make.idea(status=S.AWAITING_REVIEW, title="Poprawiony przez autora")
    add_event(app, revised.id, "changes_requested", message="Dopisz gminę.")
    add_event(app, revised.id, "author_revised", actor_label="author")
    reported = make.idea(status=S.PUBLISHED, title="Zgłoszony przez czytelnika")
    add_report(app, reported.id)
    dismissed = make.idea(status=S.PUBLISHED, title="Zgłoszenie zamknięte")
    add_report(app, dismissed.id, resolved_at=utcnow(), resolution="dismissed")
    make.idea(status=S.CHANGES_REQUESTED, title="Czeka na autora")

    def titles(tab: str) -> list[str]:
        return _queue_titles(client.get(f"/staff/moderation?tab={tab}").get_data(as_text=True))

    assert titles("new") == ["Zwykły nowy"]
    assert titles("revised") == ["Poprawiony przez autora"]
    assert titles("reported") == ["Zgłoszony przez czytelnika"]
    assert titles("waiting") == ["Czeka na autora"]
    assert len(titles("all")) == 5


def test_queue_filters_by_state_category_process_and_source(app, client, make, moderator):
    process = make.process(slug="transformacja")
    energy = make.category(slug="energia")
    make.idea(
        status=S.AWAITING_REVIEW,
        title="Pasuje",
        process_id=process.id,
        category_id=energy.id,
        source="workshop",
    )
    make.idea(status=S.AWAITING_REVIEW, title="Inna kategoria", process_id=process.id)
    make.idea(
        status=S.AWAITING_REVIEW,
        title="Z formularza",
        process_id=process.id,
        category_id=energy.id,
    )
    make.idea(status=S.REJECTED, title="Odrzucony", process_id=process.id, category_id=energy.id)
    base = "/staff/moderation?tab=all&process=transformacja&category=energia"
    page = client.get(base + "&source=workshop").get_data(as_text=True)
    assert _queue_titles(page) == ["Pasuje"]
    page = client.get(base + "&state=rejected").get_data(as_text=True)
    assert _queue_titles(page) == ["Odrzucony"]
    page = client.get(base).get_data(as_text=True)
    assert sorted(_queue_titles(page)) == ["Odrzucony", "Pasuje", "Z formularza"]


def test_unknown_filter_values_are_ignored_not_an_error(client, make, moderator):
    make.idea(status=S.AWAITING_REVIEW, title="Jedyny")
    response = client.get("/staff/moderation?tab=x&state=zly&source=%00&page=abc&category=")
    assert response.status_code == 200
    assert _queue_titles(response.get_data(as_text=True)) == ["Jedyny"]


def test_queue_is_paged(client, make, moderator):
    process = make.process()
    category = make.category()
    now = utcnow()
    for n in range(27):
        make.idea(
            status=S.AWAITING_REVIEW,
            title=f"Pomysł {n:02d}",
            process_id=process.id,
            category_id=category.id,
            confirmed_at=now - timedelta(hours=100 - n),
        )
    first = client.get("/staff/moderation").get_data(as_text=True)
    second = client.get("/staff/moderation?page=2").get_data(as_text=True)
    assert len(_queue_titles(first)) == 25
    assert _queue_titles(second) == ["Pomysł 25", "Pomysł 26"]
    assert 'rel="next"' in first
    assert client.get("/staff/moderation?page=99").status_code == 200


# --- the review page ----------------------------------------------------


def test_review_page_shows_everything_a_moderator_needs(app, client, make, moderator):
    idea = make.idea(
        status=S.AWAITING_REVIEW,
        title="Farma fotowoltaiczna na zwałowisku",
        description="Panele słoneczne na zwałowisku zewnętrznym, zysk dla mieszkańców gminy.",
        author_name="Tomasz Kaczmarek",
        email="tomasz@example.org",
        municipality="Szczerców",
        version=4,
    )
    add_event(
        app,
        idea.id,
        "submitted",
        actor_label="author",
        data={"title": "farma PV", "description": "Pierwotny opis autora, zanim go poprawił."},
    )
    make.idea(
        status=S.PUBLISHED,
        title="Fotowoltaika na zwałowisku dla gminy",
        description="Spółdzielnia energetyczna mieszkańców i panele na zwałowisku.",
    )
    with app.app_context():
        db.session.add(
            Attachment(
                idea_id=idea.id,
                stored_name="abc123.pdf",
                original_name="mapa-terenu.pdf",
                content_type="application/pdf",
                size=20480,
            )
        )
        db.session.commit()
    response = client.get(f"/staff/ideas/{idea.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Pierwotny opis autora" in html  # the submission as sent
    assert "tomasz@example.org" in html and "Szczerców" in html  # contact
    assert "mapa-terenu.pdf" in html
    if "ideas.attachment" in app.view_functions:
        assert f'href="/ideas/{idea.id}/attachment"' in html
    assert "Fotowoltaika na zwałowisku dla gminy" in html  # a similar published idea
    assert 'name="version" value="4"' in html
    for action in ("publish", "reject", "request_changes", "merge"):
        assert f'value="{action}"' in html
    assert 'value="hide"' not in html  # not allowed from awaiting_review
    assert "Wysłany przez autora" in html  # history


def test_editor_may_open_only_published_ideas_and_sees_no_contact_or_decision(client, make, login):
    login("editor")
    published = make.idea(status=S.PUBLISHED, email="ukryty@example.org")
    waiting = make.idea(status=S.AWAITING_REVIEW)
    response = client.get(f"/staff/ideas/{published.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "ukryty@example.org" not in html
    assert "/decision" not in html
    assert client.get(f"/staff/ideas/{waiting.id}").status_code == 403


def test_review_of_a_missing_idea_is_404(client, moderator):
    assert client.get("/staff/ideas/987654").status_code == 404


# --- readers' reports ---------------------------------------------------


def test_a_reader_reports_a_published_idea_and_it_reaches_the_queue(app, make, login):
    idea = make.idea(status=S.PUBLISHED, title="Reklama zamiast pomysłu")
    reader = app.test_client()
    response = reader.post(
        f"/ideas/{idea.id}/report", data={"reason": "To jest reklama jednej firmy."}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/ideas/{idea.id}-{idea.slug}")
    with app.app_context():
        report = db.session.scalar(select(Report))
        assert report.reason == "To jest reklama jednej firmy."
        assert report.reporter_hash and len(report.reporter_hash) == 64
    follow = reader.get(response.headers["Location"])
    if follow.status_code == 200:
        assert "Dziękujemy" in follow.get_data(as_text=True)

    staff = app.test_client()
    user = make.user(role="moderator")
    staff.post("/staff/login", data={"email": user.email, "password": make.PASSWORD})
    page = staff.get("/staff/moderation?tab=reported").get_data(as_text=True)
    assert "Reklama zamiast pomysłu" in page
    assert "1 zgłoszenie" in page
    assert "To jest reklama jednej firmy." in staff.get(f"/staff/ideas/{idea.id}").get_data(
        as_text=True
    )


def test_the_report_form_page_works_without_the_idea_page(client, make):
    idea = make.idea(status=S.PUBLISHED)
    response = client.get(f"/ideas/{idea.id}/report")
    assert response.status_code == 200
    assert 'name="reason"' in response.get_data(as_text=True)


@pytest.mark.parametrize("status", [S.AWAITING_REVIEW, S.HIDDEN, S.REJECTED, S.MERGED])
def test_only_published_ideas_can_be_reported(app, client, make, status):
    idea = make.idea(status=status)
    response = client.post(f"/ideas/{idea.id}/report", data={"reason": "Coś tu jest nie tak."})
    assert response.status_code == 404
    assert make.count(Report) == 0


def test_reporting_a_missing_idea_is_404(client):
    assert (
        client.post("/ideas/55555/report", data={"reason": "Coś jest nie tak."}).status_code == 404
    )


@pytest.mark.parametrize("reason", ["", "krótko", "x" * 1001])
def test_a_report_needs_a_reason_of_sensible_length(client, make, reason):
    idea = make.idea(status=S.PUBLISHED)
    response = client.post(f"/ideas/{idea.id}/report", data={"reason": reason})
    assert response.status_code == 400
    assert "error-summary" in response.get_data(as_text=True)
    assert make.count(Report) == 0


def test_the_same_reader_reporting_twice_adds_one_report(client, make):
    idea = make.idea(status=S.PUBLISHED)
    for _ in range(2):
        response = client.post(f"/ideas/{idea.id}/report", data={"reason": "Dane osobowe sąsiada."})
        assert response.status_code == 303
    assert make.count(Report) == 1


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_REPORT="2 per hour")
def test_reports_are_rate_limited(client, make):
    ideas = [make.idea(status=S.PUBLISHED) for _ in range(3)]
    codes = [
        client.post(
            f"/ideas/{idea.id}/report", data={"reason": "Treść narusza regulamin."}
        ).status_code
        for idea in ideas
    ]
    assert codes == [303, 303, 429]
    assert make.count(Report) == 2


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_report_without_csrf_token_is_refused(app, client, make):
    idea = make.idea(status=S.PUBLISHED)
    before = snapshot(app, idea.id)
    response = client.post(f"/ideas/{idea.id}/report", data={"reason": "Podrobione zgłoszenie."})
    assert response.status_code == 400
    assert snapshot(app, idea.id) == before


# --- dashboard ----------------------------------------------------------


def test_dashboard_counts_what_waits_for_moderators(app, client, make, moderator):
    make.idea(status=S.AWAITING_REVIEW)
    make.idea(status=S.AWAITING_REVIEW)
    revised = make.idea(status=S.AWAITING_REVIEW)
    add_event(app, revised.id, "author_revised", actor_label="author")
    reported = make.idea(status=S.PUBLISHED)
    add_report(app, reported.id)
    html = client.get("/staff/").get_data(as_text=True)
    tiles = dict(
        (label.strip(), int(count))
        for count, label in re.findall(
            r'stat-number d-block">(\d+)</span>\s*<span class="d-block fw-semibold">([^<]+)<', html
        )
    )
    assert tiles["Nowe zgłoszenia do moderacji"] == 2
    assert tiles["Poprawione przez autorów"] == 1
    assert tiles["Zgłoszone przez czytelników"] == 1
    assert "/staff/moderation?tab=reported" in html


def test_editors_see_published_ideas_without_an_answer(app, client, make, login):
    login("editor")
    make.idea(status=S.PUBLISHED)
    make.idea(status=S.AWAITING_REVIEW)
    html = client.get("/staff/").get_data(as_text=True)
    assert "Opublikowane pomysły bez oficjalnej odpowiedzi" in html
    assert "Nowe zgłoszenia do moderacji" not in html


def test_editors_list_published_ideas_still_waiting_for_an_answer(app, client, make, login):
    from app.models import IdeaAnswer

    login("editor")
    answered = make.idea(status=S.PUBLISHED, title="Z odpowiedzią")
    make.idea(status=S.PUBLISHED, title="Czeka na odpowiedź")
    make.idea(status=S.AWAITING_REVIEW, title="Jeszcze nieopublikowany")
    with app.app_context():
        db.session.add(IdeaAnswer(idea_id=answered.id, result_status="accepted", answer="Tak."))
        db.session.commit()
    dashboard = client.get("/staff/").get_data(as_text=True)
    assert "/staff/ideas?answer=missing" in dashboard
    missing = client.get("/staff/ideas?answer=missing").get_data(as_text=True)
    assert "Czeka na odpowiedź" in missing
    assert "Z odpowiedzią" not in missing
    assert "Jeszcze nieopublikowany" not in missing
    every = client.get("/staff/ideas?answer=all").get_data(as_text=True)
    assert "Czeka na odpowiedź" in every and "Z odpowiedzią" in every


def test_maintenance_forgets_readers_keys_on_long_closed_reports(app, make, runner):
    idea = make.idea(status=S.PUBLISHED)
    add_report(app, idea.id, reporter_hash="a" * 64)
    add_report(
        app,
        idea.id,
        reporter_hash="b" * 64,
        resolved_at=utcnow() - timedelta(days=1),
        resolution="dismissed",
    )
    add_report(
        app,
        idea.id,
        reporter_hash="c" * 64,
        resolved_at=utcnow() - timedelta(days=30),
        resolution="dismissed",
    )
    result = runner.invoke(args=["maintenance", "purge"])
    assert result.exit_code == 0, result.output
    assert "readers' keys on closed reports: 1" in result.output
    with app.app_context():
        keys = sorted(k or "-" for k in db.session.scalars(select(Report.reporter_hash)))
    assert keys == ["-", "a" * 64, "b" * 64]


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_the_report_form_on_the_public_idea_page_reaches_moderators(app, client, make):
    idea = make.idea(status=S.PUBLISHED)
    page = client.get(f"/ideas/{idea.id}-{idea.slug}")
    if page.status_code != 200 or f"/ideas/{idea.id}/report" not in page.get_data(as_text=True):
        pytest.skip("the public idea page has no report form")
    html = page.get_data(as_text=True)
    form = html.split(f'action="/ideas/{idea.id}/report"', 1)[1]
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    response = client.post(
        f"/ideas/{idea.id}/report",
        data={"reason": "Opis zawiera czyjś numer telefonu.", "csrf_token": token},
    )
    assert response.status_code == 303
    assert make.count(Report) == 1
