"""What followers hear from the rest of the site: a meeting announced, its
registration opening, an article of the consultation, a moderation decision
and an official answer on an idea — each once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from app.articles import services as articles
from app.catalogue import services as catalogue
from app.extensions import db
from app.follows import services
from app.models import (
    Article,
    Follower,
    FollowSubscription,
    Idea,
    Notice,
    Process,
    User,
    Workshop,
    utcnow,
)
from app.moderation import services as moderation
from app.staff_workshops import services as staff_workshops
from app.timeutil import utc_to_local


def _followers(app, process_id=None, idea_id=None, emails=("ola@example.org",), **extra):  # noqa: ANN001, ANN202
    with app.test_request_context():
        for email in emails:
            services.subscribe(
                email,
                process=db.session.get(Process, process_id) if process_id else None,
                idea=db.session.get(Idea, idea_id) if idea_id else None,
                **extra,
            )
        db.session.execute(update(FollowSubscription).values(confirmed_at=utcnow()))
        db.session.execute(update(Follower).values(confirmed_at=utcnow()))
        db.session.commit()


def _notices(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [
            (row.recipient, row.event, row.title)
            for row in db.session.scalars(select(Notice).order_by(Notice.id))
        ]


def _workshop_data(process_id: int, **extra) -> dict:  # noqa: ANN003
    now = utcnow()
    data = {
        "title": "Warsztaty o rewitalizacji",
        "slug": "",
        "process_id": process_id,
        "kind": "workshop",
        "lead": "",
        "starts_at": utc_to_local(now + timedelta(days=10)).replace(tzinfo=None),
        "ends_at": utc_to_local(now + timedelta(days=10, hours=2)).replace(tzinfo=None),
        "registration_opens_at": None,
        "registration_closes_at": None,
        "venue": "Dom Kultury",
        "address": "",
        "online_url": "",
        "programme": "",
        "capacity": 20,
        "participants_count": None,
        "published": True,
    }
    data.update(extra)
    return data


def test_a_meeting_published_with_open_registration_is_one_notice(app, make):
    process = make.process()
    admin = make.user(role="admin")
    _followers(app, process.id)
    with app.test_request_context():
        actor = db.session.get(User, admin.id)
        workshop = staff_workshops.save_workshop(actor, None, _workshop_data(process.id))
        db.session.commit()
        workshop_id = workshop.id
        # Saved again (a typo fixed): nothing new to tell.
        staff_workshops.save_workshop(actor, workshop, _workshop_data(process.id, lead="Wstęp"))
        db.session.commit()
    [(recipient, event, title)] = _notices(app)
    assert recipient == "ola@example.org"
    assert event == f"follow:workshop:{workshop_id}:registration:open"
    assert title == "Nowe spotkanie: Warsztaty o rewitalizacji – zapisy otwarte"


def test_registration_opening_later_is_told_by_the_job_once(app, make):
    process = make.process()
    admin = make.user(role="admin")
    _followers(app, process.id)
    opens = utc_to_local(utcnow() + timedelta(hours=2)).replace(tzinfo=None, second=0)
    with app.test_request_context():
        actor = db.session.get(User, admin.id)
        data = _workshop_data(process.id, registration_opens_at=opens)
        workshop = staff_workshops.save_workshop(actor, None, data)
        db.session.commit()
        workshop_id = workshop.id
        assert services.announce_due() == 0  # not open yet
    assert [event for _r, event, _t in _notices(app)] == [
        f"follow:workshop:{workshop_id}:announced"
    ]
    with app.app_context():
        db.session.execute(
            update(Workshop)
            .where(Workshop.id == workshop_id)
            .values(registration_opens_at=utcnow() - timedelta(minutes=5))
        )
        db.session.commit()
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["follows", "announce"])
        assert result.exit_code == 0, result.output
    events = [event for _r, event, _t in _notices(app)]
    assert len(events) == 2
    assert events[1].startswith(f"follow:workshop:{workshop_id}:registration:")
    assert _notices(app)[1][2] == "Zapisy otwarte: Warsztaty o rewitalizacji"


def test_an_article_of_the_consultation_is_told_once(app, make):
    process, other = make.process(), make.process()
    admin = make.user(role="editor")
    _followers(app, process.id)
    with app.test_request_context():
        actor = db.session.get(User, admin.id)
        article = Article(slug="nowy-etap", title="Ruszył nowy etap", lead="Co dalej.",
                          process_id=process.id)  # fmt: skip
        elsewhere = Article(slug="gdzie-indziej", title="Inne", process_id=other.id)
        db.session.add_all([article, elsewhere])
        db.session.flush()
        articles.publish_article(article, actor)
        articles.publish_article(elsewhere, actor)
        articles.unpublish_article(article, actor)
        articles.publish_article(article, actor)
        db.session.commit()
    [(recipient, event, title)] = _notices(app)
    assert (recipient, title) == ("ola@example.org", "Nowy artykuł: Ruszył nowy etap")
    assert event.startswith("follow:article:") and event.endswith(":published")


def test_a_scheduled_article_is_told_when_it_comes_out(app, make):
    process = make.process()
    admin = make.user(role="editor")
    _followers(app, process.id)
    with app.test_request_context():
        actor = db.session.get(User, admin.id)
        article = Article(slug="zapowiedz", title="Zapowiedź", process_id=process.id)
        db.session.add(article)
        db.session.flush()
        articles.publish_article(article, actor, when=utcnow() + timedelta(hours=1))
        db.session.commit()
        assert services.announce_due() == 0
        assert services.announce_due(now=utcnow() + timedelta(hours=2)) == 1
        db.session.commit()
    assert len(_notices(app)) == 1


def test_an_official_answer_and_a_moderation_decision_reach_idea_followers(app, make):
    idea, target = make.idea(), make.idea()
    moderator = make.user(role="moderator")
    _followers(app, idea_id=idea.id, emails=("ola@example.org", "jan@example.org"))
    with app.test_request_context():
        actor = db.session.get(User, moderator.id)
        row = db.session.get(Idea, idea.id)
        catalogue.answer_idea(row, "in_progress", "Zaczynamy prace **w maju**.", 30, actor)
        db.session.commit()
        row = db.session.get(Idea, idea.id)
        moderation.decide(row, "merge", actor, "To samo co inny pomysł.", row.version,
                          merge_into=target.id)  # fmt: skip
        db.session.commit()
    told = _notices(app)
    assert len(told) == 4
    answer = [t for t in told if ":answer:" in t[1]]
    assert {t[0] for t in answer} == {"ola@example.org", "jan@example.org"}
    assert answer[0][2] == f"Odpowiedź organizatora: {idea.title}"
    with app.app_context():
        text = db.session.scalar(select(Notice.text).where(Notice.event.like("%:answer:%")))
    assert "W realizacji" in text and "30%" in text and "Zaczynamy prace w maju." in text
    assert "/follow/manage/" in text
    merged = [t for t in told if ":decision:" in t[1]]
    assert merged[0][2] == f"Pomysł połączony z innym: {idea.title}"


def test_followers_read_in_their_own_language(app, make):
    idea = make.idea()
    editor = make.user(role="editor")
    _followers(app, idea_id=idea.id, emails=("en@example.org",), locale="en")
    with app.test_request_context():
        row = db.session.get(Idea, idea.id)
        catalogue.answer_idea(row, "accepted", "", 0, db.session.get(User, editor.id))
        db.session.commit()
    [(_recipient, _event, title)] = _notices(app)
    assert title == f"Answer from the organiser: {idea.title}"


def test_a_new_direction_and_its_status_changes_reach_the_consultations_followers(app, make):
    from app.directions import services as directions

    process = make.process()
    _followers(app, process.id, emails=("ola@example.org", "jan@example.org"))
    with app.test_request_context():
        direction = directions.create_direction(
            directions.DirectionData(
                process_id=process.id,
                title="Turystyka na odkrywce",
                slug="",
                summary="Scena i kemping.",
                responsible_unit="Wydział Promocji",
            ),
            None,
        )
        db.session.commit()
        directions.change_status(
            direction, "submitted", "Wniosek złożony w naborze.", direction.version, None
        )
        db.session.commit()
        direction_id = direction.id
    seen = _notices(app)
    for email in ("ola@example.org", "jan@example.org"):
        mine = [(event, title) for recipient, event, title in seen if recipient == email]
        assert [event for event, _title in mine] == [
            f"follow:direction:{direction_id}:published",
            f"follow:direction:{direction_id}:status:{_status_event_id(app, direction_id)}",
        ]
        assert mine[0][1] == "Nowy kierunek rozwojowy: Turystyka na odkrywce"
        assert mine[1][1] == "Kierunek „Turystyka na odkrywce”: zgłoszony do finansowania"


def _status_event_id(app, direction_id: int) -> int:  # noqa: ANN001
    from app.models import DirectionEvent

    with app.app_context():
        return db.session.scalar(
            select(DirectionEvent.id).where(
                DirectionEvent.direction_id == direction_id, DirectionEvent.kind == "status"
            )
        )


def test_a_frozen_report_is_told_to_followers_once_per_version(app, make):
    from app.consultation_report import services as report

    process = make.process()
    _followers(app, process.id)
    with app.test_request_context():
        report.freeze(db.session.get(Process, process.id), note="Na spotkanie")
        db.session.commit()
    [(recipient, event, title)] = _notices(app)
    assert recipient == "ola@example.org"
    assert event == f"follow:report:{process.id}:1"
    assert title.startswith("Raport z konsultacji") and title.endswith("wersja 1")
