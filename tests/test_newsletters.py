"""Newsletters: the audience (consent only, each address once, bounced
addresses skipped), throttled sending through the outbox, once even when
two runs race, test sends, scheduling rules, the role matrix, one-click
stop without a cookie, counts, the archive and personal data."""

from __future__ import annotations

import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    AuditEntry,
    Follower,
    FollowSubscription,
    Idea,
    Newsletter,
    NewsletterRecipient,
    OutboxMessage,
    Registration,
    Support,
    utcnow,
)
from app.newsletters import services
from tests.factories import Factory

# -- helpers ---------------------------------------------------------------------------


def _follower(app, process_id, email, confirmed=True):  # noqa: ANN001, ANN202
    with app.app_context():
        now = utcnow()
        follower = Follower(email=email, locale="pl", link_salt=secrets.token_hex(8),
                            confirmed_at=now if confirmed else None)  # fmt: skip
        db.session.add(follower)
        db.session.add(
            FollowSubscription(follower=follower, target=f"process:{process_id}",
                               process_id=process_id, cadence="immediate", confirmed_at=now)
        )  # fmt: skip
        db.session.commit()


def _support(app, idea_id, email, notify=True, confirmed=True):  # noqa: ANN001, ANN202
    with app.app_context():
        support = Support(idea_id=idea_id, email=email, notify=notify,
                          confirmed_at=utcnow() if confirmed else None)  # fmt: skip
        db.session.add(support)
        db.session.commit()
        return support.id


def _registration(app, workshop_id, email, status="confirmed", **kwargs):  # noqa: ANN001, ANN202
    with app.app_context():
        registration = Registration(
            workshop_id=workshop_id, name="Osoba", email=email, participant_group="resident",
            status=status, token_hash=secrets.token_hex(32), active_email=email, **kwargs,
        )  # fmt: skip
        db.session.add(registration)
        db.session.commit()
        return registration.id


def _newsletter(app, segments, **kwargs):  # noqa: ANN001, ANN202
    fields = {
        "subject": "Co nowego w konsultacjach",
        "body": "## Warsztaty\n\nZapraszamy **wszystkich**.",
        "segments": segments,
        "status": "scheduled",
        "scheduled_at": utcnow() - timedelta(minutes=1),
    }
    fields.update(kwargs)
    with app.app_context():
        newsletter = Newsletter(**fields)
        db.session.add(newsletter)
        db.session.commit()
        return newsletter.id


def _send(app, now=None):  # noqa: ANN001, ANN202
    with app.test_request_context():
        return services.send_due(now)


def _rows(app, model, *where):  # noqa: ANN001, ANN202
    with app.app_context():
        rows = db.session.scalars(select(model).where(*where).order_by(model.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


@pytest.fixture
def crowd(app, make):
    """One consultation where anna@ is in every segment (follower, author who
    agreed, supporter who asked, registrant) and others are in one each,
    next to people who never agreed."""
    process = make.process()
    workshop = make.workshop(process_id=process.id)
    idea = make.idea(process_id=process.id, email="Anna@Example.org", author_updates=True)
    make.idea(process_id=process.id, email="cichy@example.org")  # no consent to updates
    make.idea(process_id=process.id, email="niepotw@example.org", author_updates=True,
              status="unconfirmed")  # fmt: skip
    _follower(app, process.id, "anna@example.org")
    _follower(app, process.id, "obserwator@example.org")
    _follower(app, process.id, "niepewny@example.org", confirmed=False)
    _support(app, idea.id, "anna@example.org")
    _support(app, idea.id, "bez-powiadomien@example.org", notify=False)
    _support(app, idea.id, "niepotwierdzony@example.org", confirmed=False)
    _registration(app, workshop.id, "anna@example.org")
    _registration(app, workshop.id, "rezerwa@example.org", status="waiting")
    _registration(app, workshop.id, "odwolany@example.org", status="cancelled")
    _registration(app, workshop.id, "wypisany@example.org", newsletters_stopped=True)
    segments = [f"followers:{process.id}", f"authors:{process.id}",
                f"supporters:{process.id}", f"registrants:{workshop.id}"]  # fmt: skip
    return {"process": process, "workshop": workshop, "idea": idea, "segments": segments}


# -- the audience ----------------------------------------------------------------------


def test_each_person_once_and_only_those_who_agreed(app, crowd):
    with app.app_context():
        members = {m.email: m for m in services.audience(crowd["segments"])}
    assert sorted(members) == ["anna@example.org", "obserwator@example.org", "rezerwa@example.org"]
    assert members["anna@example.org"].segments == crowd["segments"]
    _newsletter(app, crowd["segments"])
    assert _send(app) == 3
    mails = _rows(app, OutboxMessage)
    assert sorted(m.recipient for m in mails) == sorted(members)


def test_an_address_that_bounced_for_good_is_skipped(app, make, crowd):
    from app.mail import _mark_undeliverable

    with app.app_context():
        _mark_undeliverable("obserwator@example.org", "follow", "550 5.1.1 unknown", utcnow())
        db.session.commit()
        assert "obserwator@example.org" not in {
            m.email for m in services.audience(crowd["segments"])
        }


def test_a_newsletter_refused_for_good_marks_the_address_and_the_next_skips_it(
    make_app, smtp_server
):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    make = Factory(app)
    process = make.process()
    for email in ("dobry@example.org", "zly@example.org"):
        _follower(app, process.id, email)
    smtp_server.unknown_recipients.add("zly@example.org")
    first = _newsletter(app, [f"followers:{process.id}"])
    _send(app)
    with app.test_request_context():
        from app.mail import deliver_due

        assert deliver_due(now=utcnow() + timedelta(minutes=5)) == (1, 1)
        counts = services.counts(db.session.get(Newsletter, first))
    assert (counts["delivered"], counts["failed"]) == (1, 1)
    (received,) = smtp_server.wait_for(1)
    assert received["List-Unsubscribe"].startswith("<http")
    assert "/newsletters/unsubscribe/" in received["List-Unsubscribe"]
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Zapraszamy" in smtp_server.text_of(received)
    _newsletter(app, [f"followers:{process.id}"], subject="Druga wiadomość")
    assert _send(app) == 1


# -- sending ----------------------------------------------------------------------------


@pytest.mark.app_config(NEWSLETTER_PER_MINUTE=2)
def test_sending_is_spaced_by_the_configured_rate(app, make):
    process = make.process()
    for n in range(5):
        _follower(app, process.id, f"osoba{n}@example.org")
    _newsletter(app, [f"followers:{process.id}"])
    start = utcnow()
    _send(app, start)
    slots = [m.next_attempt_at for m in _rows(app, OutboxMessage)]
    assert [round((b - a).total_seconds()) for a, b in zip(slots, slots[1:], strict=False)] == [
        30
    ] * 4
    # A second newsletter waits behind the first, not beside it.
    _newsletter(app, [f"followers:{process.id}"], subject="Druga")
    _send(app, start)
    later = [m.next_attempt_at for m in _rows(app, OutboxMessage)][5:]
    assert later[0] == slots[-1] + timedelta(seconds=30)
    with app.test_request_context():
        from app.mail import deliver_due

        sent, _ = deliver_due(now=start + timedelta(seconds=45))
    assert sent == 2  # the first minute: 2 per minute, not 10


def test_a_due_newsletter_is_sent_once_when_runs_repeat_or_race(app, make):
    process = make.process()
    for n in range(3):
        _follower(app, process.id, f"osoba{n}@example.org")
    newsletter_id = _newsletter(app, [f"followers:{process.id}"])
    barrier = threading.Barrier(3)

    def worker(_):  # noqa: ANN001, ANN202
        barrier.wait()
        return _send(app)

    with ThreadPoolExecutor(max_workers=3) as pool:
        assert sum(pool.map(worker, range(3))) == 3
    assert _send(app) == 0
    assert len(_rows(app, OutboxMessage)) == 3
    assert len(_rows(app, NewsletterRecipient)) == 3
    newsletter = _rows(app, Newsletter, Newsletter.id == newsletter_id)[0]
    assert newsletter.status == "sent" and newsletter.sent_at is not None


def test_a_newsletter_scheduled_later_waits(app, make):
    process = make.process()
    _follower(app, process.id, "a@example.org")
    _newsletter(app, [f"followers:{process.id}"], scheduled_at=utcnow() + timedelta(hours=2))
    assert _send(app) == 0
    assert _send(app, utcnow() + timedelta(hours=3)) == 1


def test_newsletters_send_command(runner, app, make):
    process = make.process()
    _follower(app, process.id, "a@example.org")
    _newsletter(app, [f"followers:{process.id}"])
    result = runner.invoke(args=["newsletters", "send"])
    assert result.exit_code == 0, result.output
    assert "Queued 1 newsletter mail(s)." in result.output


# -- staff -----------------------------------------------------------------------------


@pytest.mark.parametrize("role, status", [("admin", 200), ("editor", 200), ("moderator", 403)])
def test_role_matrix(client, login, make, role, status):
    login(role)
    newsletter_id = _newsletter(make.app, [], status="draft", scheduled_at=None)
    for url in ("/staff/newsletters", "/staff/newsletters/new",
                f"/staff/newsletters/{newsletter_id}"):  # fmt: skip
        assert client.get(url).status_code == status
    response = client.post(f"/staff/newsletters/{newsletter_id}/test")
    assert response.status_code == (303 if status == 200 else 403)


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/staff/newsletters")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_editor_writes_sees_the_count_tests_and_schedules(client, login, app, crowd):
    editor = login("editor")
    page = client.get("/staff/newsletters/new").get_data(as_text=True)
    assert "Obserwujący konsultację" in page and "data-preview-url" in page
    response = client.post(
        "/staff/newsletters/new",
        data={
            "subject": "Zaproszenie",
            "body": "Przyjdź **jutro**.",
            "segments": crowd["segments"],
        },
    )
    assert response.status_code == 303
    url = response.headers["Location"]
    page = client.get(url).get_data(as_text=True)
    assert "Odbiorcy: 3 osoby" in page
    preview = client.post("/staff/newsletters/preview", data={"body": "**ważne**"}).get_json()
    assert preview["html"].strip() == "<p><strong>ważne</strong></p>"
    client.post(f"{url}/test")
    (test_mail,) = _rows(app, OutboxMessage)
    assert test_mail.recipient == editor.email
    assert test_mail.subject == "[TEST] Zaproszenie"
    assert test_mail.unsubscribe_url is None
    assert _rows(app, NewsletterRecipient) == []
    response = client.post(f"{url}/schedule", data={"send_at": ""})
    assert response.status_code == 303
    assert "trafi do 3 osób" in client.get(url).get_data(as_text=True)
    assert _send(app) == 3
    page = client.get(url).get_data(as_text=True)
    assert "Czekają na wysyłkę" in page
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.action.like("newsletter.%"))
            .order_by(AuditEntry.id)
        ).all()
    assert actions == ["newsletter.created", "newsletter.test_sent", "newsletter.scheduled"]


def test_a_schedule_in_the_past_is_refused(client, login, app, crowd):
    login("editor")
    newsletter_id = _newsletter(app, crowd["segments"], status="draft", scheduled_at=None)
    response = client.post(
        f"/staff/newsletters/{newsletter_id}/schedule", data={"send_at": "2020-01-01T10:00"}
    )
    assert response.status_code == 422
    assert "Ten termin już minął" in response.get_data(as_text=True)
    assert _rows(app, Newsletter)[0].status == "draft"


def test_an_empty_newsletter_is_refused(client, login, app, crowd):
    login("editor")
    response = client.post("/staff/newsletters/new", data={"subject": "", "body": "  "})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Wpisz temat wiadomości." in body and "Wpisz treść wiadomości." in body
    assert _rows(app, Newsletter) == []
    empty = _newsletter(app, crowd["segments"], body="", status="draft", scheduled_at=None)
    response = client.post(f"/staff/newsletters/{empty}/schedule", data={"send_at": ""})
    assert response.status_code == 422
    assert "Wpisz treść wiadomości." in response.get_data(as_text=True)


def test_no_audience_is_refused(client, login, app, make):
    login("editor")
    process = make.process()
    nobody = _newsletter(app, [f"followers:{process.id}"], status="draft", scheduled_at=None)
    response = client.post(f"/staff/newsletters/{nobody}/schedule", data={"send_at": ""})
    assert response.status_code == 422
    assert "nie obejmują nikogo" in response.get_data(as_text=True)


def test_a_scheduled_newsletter_can_be_held_back_but_not_edited(client, login, app, crowd):
    login("admin")
    newsletter_id = _newsletter(app, crowd["segments"], scheduled_at=utcnow() + timedelta(days=1))
    response = client.post(
        f"/staff/newsletters/{newsletter_id}", data={"subject": "Zmiana", "body": "Nowa treść"}
    )
    assert response.status_code == 409
    client.post(f"/staff/newsletters/{newsletter_id}/cancel")
    assert _rows(app, Newsletter)[0].status == "draft"


# -- stopping ---------------------------------------------------------------------------


def test_one_click_stop_without_cookie_stops_each_segment_and_nothing_else(app, make, crowd):
    other = make.process()
    _follower(app, other.id, "anna2@example.org")
    _newsletter(app, crowd["segments"])
    _send(app)
    with app.app_context():
        anna = db.session.scalars(
            select(NewsletterRecipient).where(NewsletterRecipient.email == "anna@example.org")
        ).one()
        token = services.stop_token(anna)
    fresh = app.test_client()  # no cookie, no CSRF token: a mail client's POST
    page = fresh.get(f"/newsletters/unsubscribe/{token}")
    assert page.status_code == 200
    assert "obserwujesz konsultację" in page.get_data(as_text=True)
    response = fresh.post(
        f"/newsletters/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert "Gotowe" in response.get_data(as_text=True)
    with app.app_context():
        targets = db.session.scalars(
            select(FollowSubscription.target)
            .join(Follower)
            .where(Follower.email == "anna@example.org")
        ).all()
        assert targets == []
        assert (
            db.session.scalar(select(Support.notify).where(Support.email == "anna@example.org"))
            is False
        )
        assert db.session.get(Idea, crowd["idea"].id).author_updates is False
        assert (
            db.session.scalar(
                select(Registration.newsletters_stopped).where(
                    Registration.email == "anna@example.org"
                )
            )
            is True
        )
        # Others keep theirs.
        assert db.session.scalar(select(func.count()).select_from(FollowSubscription)) == 3
        counts = services.counts(db.session.scalars(select(Newsletter)).one())
        assert counts["unsubscribed"] == 1
        assert "anna@example.org" not in {m.email for m in services.audience(crowd["segments"])}
    # Twice is fine.
    assert fresh.post(f"/newsletters/unsubscribe/{token}").status_code == 200


# "x" * 48 decodes to an id past PostgreSQL's INTEGER: refused before the query.
@pytest.mark.parametrize("token", ["nie-ma-takiego", "A" * 48, "x" * 48, "_" * 48, "x" * 200])
def test_an_unknown_or_forged_link_gets_a_clear_message(client, token):
    for method in (client.get, client.post):
        response = method(f"/newsletters/unsubscribe/{token}")
        assert response.status_code == 404
        assert "Ten link jest nieprawidłowy albo wygasł" in response.get_data(as_text=True)


def test_a_link_whose_recipient_was_purged_has_expired(app, make, crowd):
    _newsletter(app, crowd["segments"])
    _send(app)
    with app.app_context():
        token = services.stop_token(db.session.scalars(select(NewsletterRecipient)).first())
    with app.test_request_context():
        assert services.purge_old_recipients(utcnow() + timedelta(days=91)) == 3
        db.session.commit()
    response = app.test_client().post(f"/newsletters/unsubscribe/{token}")
    assert response.status_code == 404
    assert _rows(app, NewsletterRecipient) == []
    final = _rows(app, Newsletter)[0].final_counts
    assert final["recipients"] == 3


# -- the archive ----------------------------------------------------------------------


def test_public_archive_shows_only_public_sent_newsletters(client, app, make):
    shown = _newsletter(app, [], status="sent", public=True, sent_at=utcnow(), subject="Jawny")
    hidden = _newsletter(app, [], status="sent", public=False, sent_at=utcnow(), subject="Ukryty")
    draft = _newsletter(app, [], status="draft", public=True, subject="Szkic jawny")
    page = client.get("/newsletters").get_data(as_text=True)
    assert "Jawny" in page and "Ukryty" not in page and "Szkic jawny" not in page
    detail = client.get(f"/newsletters/{shown}")
    assert detail.status_code == 200
    assert "<strong>wszystkich</strong>" in detail.get_data(as_text=True)
    assert client.get(f"/newsletters/{hidden}").status_code == 404
    assert client.get(f"/newsletters/{draft}").status_code == 404


# -- personal data ----------------------------------------------------------------------


def test_data_download_and_erasure_cover_newsletter_recipients(app, make, crowd):
    from app.privacy.services import erase_personal_data, export_personal_data

    _newsletter(app, crowd["segments"])
    _send(app)
    with app.test_request_context():
        exported = export_personal_data("anna@example.org")
        (row,) = exported["newsletters"]
        assert row["newsletter"] == "Co nowego w konsultacjach"
        assert row["segments"] == crowd["segments"]
        counts = erase_personal_data("anna@example.org")
        db.session.commit()
        assert counts["newsletters"] == 1
    assert [r.email for r in _rows(app, NewsletterRecipient)] == [
        "obserwator@example.org",
        "rezerwa@example.org",
    ]
    with app.app_context():
        assert not db.session.scalar(
            select(func.count())
            .select_from(NewsletterRecipient)
            .where(NewsletterRecipient.email.ilike("%anna%"))
        )


def test_privacy_notice_mentions_newsletters(client):
    assert "newsletter" in client.get("/privacy").get_data(as_text=True).lower()


# -- authors' consent ---------------------------------------------------------------------


def test_author_agrees_on_the_form_and_stops_on_the_tracking_page(client, app, make):
    from tests.submission_support import form_data

    make.process()
    make.category(slug="energia")
    client.post("/ideas/new", data=form_data("energia", author_updates="y"))
    (idea,) = _rows(app, Idea)
    assert idea.author_updates is True
    tracked = make.idea(author_updates=True)
    page = client.get(f"/ideas/track/{tracked.track_token}").get_data(as_text=True)
    assert "Nie wysyłaj mi już wiadomości" in page
    response = client.post(f"/ideas/track/{tracked.track_token}/updates")
    assert response.status_code == 303
    assert make.get(Idea, tracked.id).author_updates is False


def test_bad_input_gets_a_clear_answer_never_a_500(client, login, app, crowd):
    login("editor")
    response = client.post(
        "/staff/newsletters/new",
        data={"subject": "Temat", "body": "Treść", "segments": ["followers:999999", "x"]},
    )
    assert response.status_code == 422
    assert "Wybierz odbiorców z listy." in response.get_data(as_text=True)
    assert _rows(app, Newsletter) == []
    draft = _newsletter(app, crowd["segments"], status="draft", scheduled_at=None)
    response = client.post(f"/staff/newsletters/{draft}/schedule", data={"send_at": "jutro"})
    assert response.status_code == 422
    assert "Podaj datę i godzinę." in response.get_data(as_text=True)
    assert _rows(app, Newsletter)[0].status == "draft"
    assert client.get("/staff/newsletters/999999").status_code == 404
    assert client.post("/staff/newsletters/999999/schedule").status_code == 404
    assert client.get("/newsletters/999999").status_code == 404
    # Past PostgreSQL's INTEGER: still a plain 404.
    assert client.get("/newsletters/99999999999").status_code == 404
    assert client.get("/staff/newsletters/99999999999").status_code == 404


def test_the_count_follows_the_ticked_segments_each_person_once(client, login, crowd):
    login("editor")
    answer = client.post("/staff/newsletters/count", data={"segments": crowd["segments"]})
    assert answer.get_json() == {"count": 3, "text": "Odbiorcy: 3 osoby"}
    one = client.post(
        "/staff/newsletters/count", data={"segments": [crowd["segments"][0], "followers:999"]}
    )
    assert one.get_json()["count"] == 2  # anna and the follower; an unknown segment counts none
