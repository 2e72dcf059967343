"""Phases that act: each phase's switches govern the idea form, supports and
meeting registration (pages, form posts, confirmation links and the API),
closed forms say since when and what comes next, staff edit the switches
(audited), and `phases notify` announces a started phase once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import AuditEntry, Phase, Process, Registration, Support, utcnow
from app.processes import phases
from app.processes.announcements import announce_started_phases
from tests.factories import Factory
from tests.submission_support import form_data
from tests.workshops_support import form as registration_form


def _today():
    return phases.local_today()


def _phase(make, process, start, end, title=None, **switches):
    today = _today()
    return make.phase(
        process.id,
        title=title or f"Etap od {start}",
        starts_on=today + timedelta(days=start),
        ends_on=None if end is None else today + timedelta(days=end),
        position=start,
        **switches,
    )


CLOSED_ALL = {
    "accepts_ideas": False,
    "accepts_supports": False,
    "accepts_comments": False,
    "workshop_registration": False,
}


@pytest.fixture
def closed_process(make):
    """A consultation whose window is open but whose current phase (since
    three days ago) closes everything; an open phase follows in five days."""
    process = make.process()
    _phase(make, process, -20, -4, title="Zbieranie")
    _phase(make, process, -3, 4, title="Analiza", **CLOSED_ALL)
    _phase(make, process, 5, None, title="Głosowanie")
    return process


# -- the rule --------------------------------------------------------------------


def test_no_phase_restricts_nothing_and_a_running_phase_decides(app, make):
    process = make.process()
    with app.app_context():
        loaded = db.session.get(Process, process.id)
        assert all(phases.allows(loaded, action) for action in phases.SWITCHES)
    _phase(make, process, -1, 1, accepts_ideas=False)
    with app.app_context():
        loaded = db.session.get(Process, process.id)
        assert not phases.allows(loaded, "idea")
        assert phases.allows(loaded, "support")
        assert phases.allows(loaded, "comment")
        assert phases.allows(loaded, "register")


def test_overlapping_phases_open_what_either_opens(app, make):
    process = make.process()
    _phase(make, process, -2, 3, accepts_ideas=True, workshop_registration=False)
    _phase(make, process, -1, 1, accepts_ideas=False, workshop_registration=True)
    with app.app_context():
        loaded = db.session.get(Process, process.id)
        assert phases.allows(loaded, "idea") and phases.allows(loaded, "register")


def test_between_phases_the_last_finished_phase_holds_and_before_the_first_nothing(app, make):
    process = make.process()
    _phase(make, process, -9, -2, **CLOSED_ALL)
    _phase(make, process, 3, 9)
    later = make.process()
    _phase(make, later, 2, 9, **CLOSED_ALL)
    with app.app_context():
        assert not phases.allows(db.session.get(Process, process.id), "support")
        assert phases.allows(db.session.get(Process, later.id), "support")


def test_the_consultation_window_still_holds_whatever_the_phase(app, make):
    process = make.process(closes_at=utcnow() - timedelta(hours=1))
    _phase(make, process, -1, 1)
    draft = make.process(published=False)
    with app.app_context():
        assert not phases.allows(db.session.get(Process, process.id), "idea")
        assert not phases.allows(db.session.get(Process, process.id), "support")
        assert not phases.allows(db.session.get(Process, draft.id), "comment")
    with pytest.raises(ValueError), app.app_context():
        phases.allows(db.session.get(Process, process.id), "vote")


def test_closed_message_says_since_when_and_what_comes_next(app, closed_process):
    with app.test_request_context():
        process = db.session.get(Process, closed_process.id)
        message = phases.closed_message(process, "idea")
        since = phases.local_today() - timedelta(days=3)
        assert message.startswith("Zgłaszanie pomysłów zamknięte od ")
        assert f"{since.day} " in message
        assert "Następny etap: „Głosowanie”" in message
        assert "Otwarcie:" in message
        assert phases.closed_message(process, "register").startswith("Zapisy na spotkania")
        assert phases.closed_message(process, "comment").startswith("Komentowanie zamknięte")


def test_closed_message_is_empty_while_open(app, make):
    process = make.process()
    with app.test_request_context():
        assert phases.closed_message(db.session.get(Process, process.id), "idea") == ""


# -- ideas ----------------------------------------------------------------------


def test_idea_form_shows_the_phase_notice_instead_of_the_form(client, make, closed_process):
    make.category(slug="energia")
    body = client.get("/ideas/new").get_data(as_text=True)
    assert "Zgłaszanie pomysłów zamknięte od" in body
    assert "Następny etap: „Głosowanie”" in body
    assert 'name="title"' not in body


def test_idea_post_is_refused_while_the_phase_closes_ideas(client, make, closed_process):
    from app.models import Idea

    make.category(slug="energia")
    response = client.post("/ideas/new", data=form_data("energia", process=closed_process.slug))
    assert response.status_code == 409
    assert "Zgłaszanie pomysłów zamknięte od" in response.get_data(as_text=True)
    assert make.count(Idea) == 0


def test_idea_post_is_accepted_when_the_phase_opens_ideas(client, make):
    from app.models import Idea

    process = make.process()
    _phase(make, process, -1, 1, accepts_supports=False)
    make.category(slug="energia")
    response = client.post("/ideas/new", data=form_data("energia"))
    assert response.status_code == 303
    assert make.count(Idea) == 1


# -- supports -------------------------------------------------------------------


def test_idea_page_says_supports_are_closed_and_a_post_is_refused(client, make, closed_process):
    idea = make.idea(process_id=closed_process.id)
    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Popieranie pomysłów zamknięte od" in html
    assert f'action="/ideas/{idea.id}/support"' not in html
    response = client.post(f"/ideas/{idea.id}/support", data={"email": "a@example.org"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Popieranie pomysłów zamknięte od" in page
    assert make.count(Support) == 0


def test_a_support_link_opened_after_the_phase_closed_supports_does_not_count(app, client, make):
    from app.catalogue import services as catalogue

    process = make.process()
    phase = _phase(make, process, -1, 1)
    idea = make.idea(process_id=process.id)
    with app.test_request_context():
        support = catalogue.request_support(
            db.session.get(type(idea), idea.id), "b@example.org", False, "pl"
        )
        db.session.commit()
        support_id = support.id
    from app.models import OutboxMessage

    with app.app_context():
        body = db.session.scalars(db.select(OutboxMessage.body_text)).first()
        db.session.execute(
            db.update(Phase).where(Phase.id == phase.id).values(accepts_supports=False)
        )
        db.session.commit()
    path = body[body.index("/supports/confirm/") :].split()[0]
    response = client.get(path)
    assert response.status_code == 409
    assert "Popieranie pomysłów zamknięte od" in response.get_data(as_text=True)
    assert make.get(Support, support_id).confirmed_at is None


# -- meeting registration ---------------------------------------------------------


def test_workshop_page_and_post_and_api_follow_the_registration_switch(
    client, make, closed_process
):
    workshop = make.workshop(process_id=closed_process.id)
    html = client.get(f"/workshops/{workshop.slug}").get_data(as_text=True)
    assert "Zapisy na spotkania zamknięte od" in html
    assert 'name="participant_group"' not in html
    response = client.post(f"/workshops/{workshop.slug}/register", data=registration_form())
    assert response.status_code == 409
    assert "Zapisy na spotkania zamknięte od" in response.get_data(as_text=True)
    assert make.count(Registration) == 0
    items = client.get("/api/v1/workshops").get_json()["items"]
    assert [item["registration_open"] for item in items] == [False]


def test_registration_opens_with_the_phase(client, make):
    process = make.process()
    _phase(make, process, -1, 1, accepts_ideas=False)
    workshop = make.workshop(process_id=process.id)
    response = client.post(f"/workshops/{workshop.slug}/register", data=registration_form())
    assert response.status_code in (302, 303)
    assert make.count(Registration) == 1
    items = client.get("/api/v1/workshops").get_json()["items"]
    assert [item["registration_open"] for item in items] == [True]


# -- the consultation page ----------------------------------------------------------


def test_consultation_page_shows_where_the_process_is_now(client, closed_process):
    body = client.get(f"/processes/{closed_process.slug}").get_data(as_text=True)
    now = body[body.index("Gdzie jesteśmy teraz") :]
    assert "Trwa etap:" in now and "„Analiza”" in now
    assert "Zgłaszanie pomysłów zamknięte od" in now
    assert "Popieranie pomysłów zamknięte od" in now
    assert "Następny etap: „Głosowanie”" in now
    # The top notice no longer invites ideas the phase refuses.
    assert "Przyjmujemy pomysły" not in body


# -- staff editor --------------------------------------------------------------------


def _phase_form(**switches):
    data = {"title": "Analiza", "starts_on": "2026-11-01", "ends_on": "", "position": "1"}
    data.update({name: "y" for name, on in switches.items() if on})
    return data


def test_admin_switches_a_phase_off_and_it_is_audited(client, login, make):
    login("admin")
    process = make.process()
    phase = make.phase(process.id, title="Analiza")
    response = client.post(
        f"/staff/processes/{process.id}/phases/{phase.id}",
        data=_phase_form(accepts_ideas=False, accepts_supports=True, accepts_comments=True),
    )
    assert response.status_code in (302, 303)
    saved = make.get(Phase, phase.id)
    assert (saved.accepts_ideas, saved.accepts_supports, saved.workshop_registration) == (
        False,
        True,
        False,
    )
    with make.app.app_context():
        entry = db.session.scalars(
            db.select(AuditEntry).where(AuditEntry.action == "process.phase_saved")
        ).one()
        assert entry.data["accepts_ideas"] is False
        assert entry.data["workshop_registration"] is False
        assert "accepts_supports" not in entry.data  # unchanged
    page = client.get(f"/staff/processes/{process.id}").get_data(as_text=True)
    assert "Zgłaszanie pomysłów: nie" in page


@pytest.mark.parametrize("role", ["editor", "moderator"])
def test_only_admins_edit_phases(client, login, make, role):
    login(role)
    process = make.process()
    phase = make.phase(process.id)
    url = f"/staff/processes/{process.id}/phases/{phase.id}"
    assert client.get(url).status_code == 403
    assert client.post(url, data=_phase_form()).status_code == 403
    assert make.get(Phase, phase.id).accepts_ideas is True


def test_a_new_phase_from_the_consultation_page_keeps_its_ticked_switches(client, login, make):
    login("admin")
    process = make.process()
    page = client.get(f"/staff/processes/{process.id}").get_data(as_text=True)
    assert 'name="accepts_ideas" type="checkbox" value="y" checked' in page or (
        'name="accepts_ideas"' in page and "checked" in page
    )
    client.post(
        f"/staff/processes/{process.id}/phases",
        data=_phase_form(accepts_ideas=True, accepts_supports=True),
    )
    with make.app.app_context():
        phase = db.session.scalars(db.select(Phase)).one()
        assert phase.accepts_ideas and not phase.accepts_comments


# -- phases notify --------------------------------------------------------------------


@pytest.fixture
def announcing_app(make_app):
    app = make_app()
    heard = []
    lock = threading.Lock()

    def announce(**told):
        with lock:
            heard.append(told["event"])

    app.extensions["phase_announcer"] = announce
    app.heard = heard
    return app


def _run(app):
    with app.test_request_context(base_url="https://odkrywka.example"):
        return announce_started_phases()


def test_notify_twice_announces_a_started_phase_once(announcing_app):
    from tests.factories import Factory

    make = Factory(announcing_app)
    process = make.process()
    started = _phase(make, process, 0, 5)
    _phase(make, process, 6, 9)  # not started yet
    _phase(make, process, -30, -10)  # long ago: history, not news
    _phase(make, make.process(published=False), 0, 3)  # a draft consultation
    assert _run(announcing_app) == 1
    assert _run(announcing_app) == 0
    assert announcing_app.heard == [f"phase:{started.id}:started"]
    assert make.get(Phase, started.id).announced_at is not None


def test_notify_run_by_two_workers_at_once_announces_once(announcing_app):
    from tests.factories import Factory

    make = Factory(announcing_app)
    process = make.process()
    ids = [_phase(make, process, -1, 5).id, _phase(make, process, 0, 2).id]
    barrier = threading.Barrier(3)

    def worker():
        barrier.wait()
        return _run(announcing_app)

    with ThreadPoolExecutor(max_workers=3) as pool:
        counts = list(pool.map(lambda _: worker(), range(3)))
    assert sum(counts) == 2
    assert sorted(announcing_app.heard) == sorted(f"phase:{i}:started" for i in ids)


def test_announcement_tells_what_is_open(app, make):
    from app.processes.announcements import describe

    process = make.process()
    phase = _phase(make, process, 0, 5, title="Zbieranie", accepts_ideas=False)
    with app.test_request_context(base_url="https://odkrywka.example"):
        announcement = describe(db.session.get(Phase, phase.id))
        assert str(announcement.title).startswith("Rozpoczął się etap „Zbieranie”")
        text = str(announcement.text)
        assert "Zgłaszanie pomysłów zamknięte od " in text
        assert "Popieranie pomysłów: otwarte." in text
        assert announcement.url.endswith(f"/processes/{process.slug}")


def test_followers_hear_of_a_started_phase_once(app, runner, make):
    from app import notices
    from app.models import Follower, FollowSubscription, Notice

    process = make.process()
    _phase(make, process, 0, 5, title="Warsztaty")
    with app.app_context():
        now = utcnow()
        for email, confirmed in (("fan@example.org", now), ("niepewny@example.org", None)):
            follower = Follower(email=email, locale="pl", link_salt="s" * 16, confirmed_at=now)
            db.session.add(follower)
            db.session.add(
                FollowSubscription(
                    follower=follower,
                    target=f"process:{process.id}",
                    process_id=process.id,
                    cadence="immediate",
                    confirmed_at=confirmed,
                )
            )
        db.session.commit()
    runner.invoke(args=["phases", "notify"])
    runner.invoke(args=["phases", "notify"])
    with app.app_context():
        rows = db.session.scalars(db.select(Notice)).all()
        assert [row.recipient for row in rows] == ["fan@example.org"]
        assert "Rozpoczął się etap „Warsztaty”" in rows[0].title
    with app.test_request_context():
        notices.send_due()
    mails = [m for m in _outbox(app) if m.recipient == "fan@example.org"]
    assert len(mails) == 1
    assert "Warsztaty" in mails[0].subject


def _outbox(app):
    from app.models import OutboxMessage

    with app.app_context():
        rows = db.session.scalars(db.select(OutboxMessage)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def test_phases_notify_command(runner, make):
    process = make.process()
    _phase(make, process, 0, 5)
    result = runner.invoke(args=["phases", "notify"])
    assert result.exit_code == 0, result.output
    assert "Announced 1 phase" in result.output
    assert "Announced 0 phase" in runner.invoke(args=["phases", "notify"]).output


def test_home_page_invites_ideas_only_while_the_phase_accepts_them(client, make):
    process = make.process()
    phase = _phase(make, process, -1, 3)
    assert "Zgłoś swój pomysł" in client.get("/").get_data(as_text=True)
    with make.app.app_context():
        db.session.execute(
            db.update(Phase).where(Phase.id == phase.id).values(accepts_ideas=False)
        )
        db.session.commit()
    assert "Zgłoś swój pomysł" not in client.get("/").get_data(as_text=True)


def test_comments_follow_the_phase_switch(client, make, closed_process):
    from app.models import Comment

    idea = make.idea(process_id=closed_process.id)
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Komentowanie zamknięte od" in page
    assert "Dodaj komentarz" not in page
    response = client.post(
        f"/ideas/{idea.id}/comments",
        data={"body": "Komentarz w zamkniętym etapie.", "email": "k@example.org", "consent": "y"},
    )
    assert response.status_code == 409
    assert "Komentowanie zamknięte od" in response.get_data(as_text=True)
    assert make.count(Comment) == 0
    overview = client.get(f"/processes/{closed_process.slug}").get_data(as_text=True)
    assert "Komentowanie zamknięte od" in overview


# -- kept switches (each worker keeps a phase's days and switches) ----------------


def _phase_rows_read(app, process_id):  # noqa: ANN001, ANN202
    """phases.allows for SUPPORT and the phase rows it read to decide."""
    from sqlalchemy import event

    read = []

    def count(conn, cursor, statement, *args):  # noqa: ANN001, ANN002
        if "FROM process_phases" in statement:
            read.append(statement)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            process = db.session.get(Process, process_id)
            allowed = phases.allows(process, phases.SUPPORT)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    return allowed, len(read)


def test_kept_switches_follow_a_change_made_by_another_worker(make_app, make):
    """A worker reads a consultation's phases once; a staff change made on
    another worker (another host) is obeyed on the very next decision."""
    reader, writer = make_app(), make_app()
    process = make.process()
    phase = make.phase(process.id, title="Zbieranie", starts_on=_today() - timedelta(days=1))
    assert _phase_rows_read(reader, process.id) == (True, 1)
    assert _phase_rows_read(reader, process.id) == (True, 0)  # kept

    staff = writer.test_client()
    admin = make.user(role="admin")
    signed_in = staff.post("/staff/login", data={"email": admin.email, "password": Factory.PASSWORD})
    assert signed_in.status_code == 302
    response = staff.post(
        f"/staff/processes/{process.id}/phases/{phase.id}",
        data={**_phase_form(accepts_ideas=True, accepts_comments=True), "title": "Zbieranie"},
    )
    assert response.status_code in (302, 303)
    assert make.get(Phase, phase.id).accepts_supports is False

    assert _phase_rows_read(reader, process.id) == (False, 1)
    assert _phase_rows_read(reader, process.id) == (False, 0)


def test_a_decision_inside_a_changing_transaction_reads_the_phases_themselves(app, make):
    """Within a transaction that changed a phase (not through the
    consultation's own list of phases), the kept copy — which that change
    drops only at commit — is not used."""
    process = make.process()
    phase = make.phase(process.id, title="Zbieranie", starts_on=_today() - timedelta(days=1))
    assert _phase_rows_read(app, process.id) == (True, 1)  # now kept
    with app.app_context():
        db.session.get(Phase, phase.id).accepts_supports = False
        row = db.session.get(Process, process.id)
        assert "phases" not in row.__dict__  # decided from the switches, not row.phases
        assert phases.allows(row, phases.SUPPORT) is False
        db.session.rollback()
    assert _phase_rows_read(app, process.id) == (True, 0)


def test_a_submission_reads_the_kept_numbers_once_and_the_phases_not_at_all(app, make):
    """The form and the service both ask whether the phases accept ideas:
    the second submission reads the version numbers once and no phase."""
    from sqlalchemy import event

    process = make.process()
    _phase(make, process, -1, 1)
    make.category(slug="energia")
    client = app.test_client()
    assert client.post("/ideas/new", data=form_data("energia")).status_code == 303
    statements: list[str] = []

    def note(conn, cursor, statement, *args):  # noqa: ANN001, ANN002
        statements.append(statement)

    reader = app.extensions["page_cache_reader"]  # where the numbers are read
    original = reader.rows
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", note)
    reader.rows = lambda sql: statements.append(sql) or original(sql)
    try:
        answer = client.post("/ideas/new", data=form_data("energia", email="ola@example.org"))
    finally:
        del reader.rows
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", note)
    assert answer.status_code == 303
    assert sum("content_version" in s and s.lstrip().startswith("SELECT") for s in statements) == 1
    assert not any("FROM process_phases" in s for s in statements)
