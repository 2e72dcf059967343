"""Following a consultation or an idea without an account: double opt-in,
the preferences page, one-click unsubscribe and what followers hear."""

from __future__ import annotations

import functools
import json
import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, update

from app import notices
from app.extensions import csrf, db
from app.follows import services
from app.mail import deliver_due
from app.models import (
    Follower,
    FollowSubscription,
    Idea,
    Notice,
    OutboxMessage,
    Process,
    UndeliverableAddress,
    utcnow,
)
from tests.factories import Factory
from tests.smtp import SMTPServer

CSRF_ON = pytest.mark.app_config(WTF_CSRF_ENABLED=True)
# Tuesday 1 December 2026, 10:00 in Warsaw; the weekly digest waits for Monday 7:00.
TUESDAY = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
NEXT_MONDAY = datetime(2026, 12, 7, 6, 30, tzinfo=UTC)


def _follow(client, process=None, idea=None, email="ola@example.org", **extra):  # noqa: ANN001, ANN202
    data = {"email": email, "consent": "y", "cadence": "immediate", **extra}
    if process is not None:
        return client.post(f"/follow/processes/{process.slug}", data=data)
    return client.post(f"/follow/ideas/{idea.id}", data=data)


def _mails(app, template: str | None = None, to: str | None = None) -> list[OutboxMessage]:
    with app.app_context():
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if template:
            query = query.where(OutboxMessage.template == template)
        if to:
            query = query.where(OutboxMessage.recipient == to)
        rows = list(db.session.scalars(query))
        for row in rows:
            db.session.expunge(row)
        return rows


def _link(message: OutboxMessage, path: str) -> str:
    return re.search(rf"http://odkrywka\.test({path}[^\s]+)", message.body_text).group(1)


def _subscriptions(app) -> list[tuple[str, str, str, bool]]:
    with app.app_context():
        return [
            (row.follower.email, row.target, row.cadence, row.confirmed_at is not None)
            for row in db.session.scalars(
                select(FollowSubscription).order_by(FollowSubscription.id)
            )
        ]


def _count(app, model) -> int:  # noqa: ANN001
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _confirmed_follower(app, client, process=None, idea=None, email="ola@example.org", **extra):  # noqa: ANN001, ANN202
    assert _follow(client, process, idea, email=email, **extra).status_code == 303
    confirm = _mails(app, "follow_confirm", to=email)[-1]
    assert client.get(_link(confirm, "/follow/confirm/")).status_code == 200
    with app.app_context():
        follower = db.session.scalar(select(Follower).where(Follower.email == email))
        return services.manage_token(follower)


def _announce(app, **kwargs) -> int:  # noqa: ANN001
    with app.test_request_context():
        process = kwargs.pop("process_id", None)
        idea = kwargs.pop("idea_id", None)
        values = {"title": "Nowy etap", "text": "Zaczyna się etap warsztatów.",
                  "url": "http://odkrywka.test/processes/x"}  # fmt: skip
        values.update(kwargs)
        stored = services.announce(
            process=db.session.get(Process, process) if process else None,
            idea=db.session.get(Idea, idea) if idea else None,
            **values,
        )
        db.session.commit()
        return stored


# --- double opt-in -------------------------------------------------------------------


def test_a_follow_starts_only_when_the_mailed_link_is_clicked(app, client, make):
    process = make.process()
    response = _follow(client, process)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/follow/sent")
    assert _subscriptions(app) == [("ola@example.org", f"process:{process.id}", "immediate", False)]
    assert _announce(app, process_id=process.id, event="phase:1") == 0

    [confirm] = _mails(app, "follow_confirm")
    assert process.title in confirm.body_text
    assert confirm.unsubscribe_url is None  # not a subscription yet
    page = client.get(_link(confirm, "/follow/confirm/"))
    assert page.status_code == 200
    assert "Obserwujesz" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert _subscriptions(app) == [("ola@example.org", f"process:{process.id}", "immediate", True)]
    assert _announce(app, process_id=process.id, event="phase:2") == 1
    # The link used again says so and changes nothing.
    again = client.get(_link(confirm, "/follow/confirm/"))
    assert again.status_code == 200
    assert "już potwierdzone" in again.get_data(as_text=True)


def test_a_confirmed_address_is_not_asked_again_and_the_page_tells_nobody(app, client, make):
    first, second = make.process(), make.process()
    _confirmed_follower(app, client, process=first)
    known = _follow(client, second, email="ola@example.org")
    unknown = _follow(client, second, email="nowy@example.org")
    assert known.status_code == unknown.status_code == 303
    assert known.headers["Location"] == unknown.headers["Location"]
    assert (
        client.get(known.headers["Location"]).get_data()
        == client.get(unknown.headers["Location"]).get_data()
    )
    # The known address follows at once and is told so; the new one must confirm.
    assert ("ola@example.org", f"process:{second.id}", "immediate", True) in _subscriptions(app)
    assert ("nowy@example.org", f"process:{second.id}", "immediate", False) in _subscriptions(app)
    [started] = _mails(app, "follow_started")
    assert started.recipient == "ola@example.org"
    assert started.unsubscribe_url and "/follow/unsubscribe/" in started.unsubscribe_url
    assert "/follow/manage/" in started.body_text
    assert len(_mails(app, "follow_confirm", to="nowy@example.org")) == 1


def test_a_stranger_cannot_change_a_confirmed_follow(app, client, make):
    idea = make.idea()
    _confirmed_follower(app, client, idea=idea, cadence="weekly")
    assert _follow(client, idea=idea, cadence="immediate", comments="y").status_code == 303
    with app.app_context():
        row = db.session.scalar(select(FollowSubscription))
        assert (row.cadence, row.comments) == ("weekly", False)
    [note] = _mails(app, "follow_already")
    assert "Niczego nie zmieniliśmy" in note.body_text


def test_bad_input_gets_a_clear_message_and_nothing_is_stored(app, client, make):
    process = make.process()
    no_consent = client.post(
        f"/follow/processes/{process.slug}", data={"email": "ola@example.org", "cadence": "weekly"}
    )
    assert no_consent.status_code == 400
    assert "Bez tej zgody" in no_consent.get_data(as_text=True)
    bad_email = _follow(client, process, email="nie-adres")
    assert bad_email.status_code == 400
    assert "Podaj poprawny adres e-mail." in bad_email.get_data(as_text=True)
    bad_cadence = _follow(client, process, cadence="hourly")
    assert bad_cadence.status_code == 400
    assert _follow(client, make.process(published=False)).status_code == 404
    assert _follow(client, idea=make.idea(status="hidden")).status_code == 404
    assert client.post("/follow/ideas/99999999999", data={}).status_code == 404
    assert _count(app, FollowSubscription) == 0
    assert _mails(app) == []


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/follow/confirm/nie-ma-takiego", 404, "nieprawidłowy"),
        ("/follow/manage/nie-ma-takiego", 404, "nieprawidłowy"),
        ("/follow/manage/AQAAAAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 404, "nieprawidłowy"),
        ("/follow/unsubscribe/nie-ma-takiego", 404, "nie działa"),
        ("/follow/manage/" + "x" * 300, 404, "nieprawidłowy"),
    ],
)
def test_unknown_links_get_a_clear_page(client, path, status, words):
    response = client.get(path)
    assert response.status_code == status
    assert words in response.get_data(as_text=True)


def test_an_expired_confirmation_link_says_so(app, client, make):
    process = make.process()
    _follow(client, process)
    [confirm] = _mails(app, "follow_confirm")
    with app.app_context():
        db.session.execute(
            update(FollowSubscription).values(created_at=utcnow() - timedelta(days=8))
        )
        db.session.commit()
    response = client.get(_link(confirm, "/follow/confirm/"))
    assert response.status_code == 410
    assert "wygasł" in response.get_data(as_text=True)
    assert _subscriptions(app)[0][3] is False


# --- one-click unsubscribe --------------------------------------------------------------


@CSRF_ON
def test_one_click_unsubscribe_needs_no_cookie_nor_token(app, make):
    first, second = make.process(), make.process()
    with app.test_request_context():
        for process in (first, second):
            services.subscribe("ola@example.org", process=db.session.get(Process, process.id))
        db.session.execute(update(FollowSubscription).values(confirmed_at=utcnow()))
        db.session.execute(update(Follower).values(confirmed_at=utcnow()))
        db.session.commit()
        row = db.session.scalar(select(FollowSubscription).order_by(FollowSubscription.id))
        one = services.unsubscribe_url(row).removeprefix("http://odkrywka.test")
    mail_program = app.test_client(use_cookies=False)
    # GET only shows the button.
    assert mail_program.get(one).status_code == 200
    assert len(_subscriptions(app)) == 2
    response = mail_program.post(
        one,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert _subscriptions(app) == [("ola@example.org", f"process:{second.id}", "immediate", True)]
    assert _count(app, Follower) == 1  # only that follow stopped
    again = mail_program.post(one, data="List-Unsubscribe=One-Click")
    assert again.status_code == 404
    assert "nie działa" in again.get_data(as_text=True)


@CSRF_ON
def test_nothing_else_is_reachable_without_a_csrf_token(app, make):
    """The one-click endpoint is the only exemption; every other follow
    action refuses a request without a token, with real links."""
    process, idea = make.process(), make.process()
    with app.test_request_context():
        services.subscribe("ola@example.org", process=db.session.get(Process, process.id))
        db.session.execute(update(FollowSubscription).values(confirmed_at=utcnow()))
        db.session.execute(update(Follower).values(confirmed_at=utcnow()))
        db.session.commit()
        follower = db.session.scalar(select(Follower))
        row = follower.subscriptions[0]
        manage = services.manage_token(follower)
    assert {name for name in csrf._exempt_views if "follows" in name} == {
        "app.follows.routes.unsubscribe"
    }
    client = app.test_client(use_cookies=False)
    before = (_subscriptions(app), _count(app, Follower), len(_mails(app)))
    for path, data in (
        (f"/follow/processes/{idea.slug}", {"email": "x@example.org", "consent": "y"}),
        (f"/follow/manage/{manage}/{row.id}", {f"s{row.id}-cadence": "weekly"}),
        (f"/follow/manage/{manage}/{row.id}/stop", {}),
        (f"/follow/manage/{manage}/stop-all", {}),
        (f"/follow/manage/{manage}/erase", {"confirm": "y"}),
    ):
        assert client.post(path, data=data).status_code == 400, path
    # The manage link is not a stop link: the exempt endpoint refuses it.
    assert client.post(f"/follow/unsubscribe/{manage}").status_code == 404
    assert client.post(f"/follow/unsubscribe/{manage}x").status_code == 404
    assert (_subscriptions(app), _count(app, Follower), len(_mails(app))) == before


# --- the preferences page ------------------------------------------------------------


def test_preferences_change_frequency_stop_one_and_stop_all(app, client, make):
    process, idea = make.process(), make.idea()
    token = _confirmed_follower(app, client, process=process)
    _follow(client, idea=idea)  # confirmed address: starts at once
    page = client.get(f"/follow/manage/{token}")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    body = page.get_data(as_text=True)
    assert process.title in body and idea.title in body
    with app.app_context():
        by_target = {row.target: row.id for row in db.session.scalars(select(FollowSubscription))}
    idea_row = by_target[f"idea:{idea.id}"]
    changed = client.post(
        f"/follow/manage/{token}/{idea_row}",
        data={f"s{idea_row}-cadence": "weekly", f"s{idea_row}-comments": "y"},
    )
    assert changed.status_code == 303
    with app.app_context():
        row = db.session.get(FollowSubscription, idea_row)
        assert (row.cadence, row.comments) == ("weekly", True)
    bad = client.post(f"/follow/manage/{token}/{idea_row}", data={f"s{idea_row}-cadence": "x"})
    assert bad.status_code == 400
    # Someone else's subscription cannot be reached with this link.
    other = make.process()
    _follow(client, other, email="jan@example.org")
    with app.app_context():
        foreign = db.session.scalar(
            select(FollowSubscription.id).where(FollowSubscription.target == f"process:{other.id}")
        )
    client.post(f"/follow/manage/{token}/{foreign}/stop")
    assert _count(app, FollowSubscription) == 3

    assert client.post(f"/follow/manage/{token}/{idea_row}/stop").status_code == 303
    with app.app_context():
        assert db.session.get(FollowSubscription, idea_row) is None
        assert db.session.get(FollowSubscription, by_target[f"process:{process.id}"]) is not None
    assert client.post(f"/follow/manage/{token}/stop-all").status_code == 303
    assert _subscriptions(app) == [("jan@example.org", f"process:{other.id}", "immediate", False)]
    assert "Nie obserwujesz niczego" in client.get(f"/follow/manage/{token}").get_data(as_text=True)


def test_preferences_download_and_erase(app, client, make):
    process = make.process()
    token = _confirmed_follower(app, client, process=process)
    _confirmed_follower(app, client, process=process, email="jan@example.org")
    _announce(app, process_id=process.id, event="phase:9")
    download = client.get(f"/follow/manage/{token}/data.json")
    assert download.status_code == 200
    assert download.headers["Cache-Control"] == "no-store"
    data = json.loads(download.get_data(as_text=True))
    assert data["email"] == "ola@example.org"
    assert data["subscriptions"][0]["title"] == process.title
    assert data["subscriptions"][0]["cadence"] == "immediate"
    assert data["subscriptions"][0]["consent_version"]
    assert [mail["subject"] for mail in data["emails"]]  # the confirmation

    assert client.get(f"/follow/manage/{token}/erase").status_code == 200
    refused = client.post(f"/follow/manage/{token}/erase", data={})
    assert refused.status_code == 400
    erased = client.post(f"/follow/manage/{token}/erase", data={"confirm": "y"})
    assert erased.status_code == 303
    assert client.get(erased.headers["Location"]).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Follower.email)) == "jan@example.org"
        assert db.session.scalars(select(Notice.recipient)).all() == ["jan@example.org"]
        assert {m.recipient for m in db.session.scalars(select(OutboxMessage))} == {
            "jan@example.org"
        }
    assert [row[0] for row in _subscriptions(app)] == ["jan@example.org"]
    assert client.get(f"/follow/manage/{token}").status_code == 404


# --- what followers hear ----------------------------------------------------------


def test_weekly_followers_get_one_digest_and_immediate_ones_one_mail_each(
    mail_app, smtp_server, monkeypatch
):
    process = Factory(mail_app).process()
    # Notices stored on a Tuesday; the weekly digest goes out on Monday.
    monkeypatch.setattr(notices, "notify", functools.partial(notices.notify, now=TUESDAY))
    with mail_app.test_request_context():
        for email, cadence in (
            ("od-razu@example.org", "immediate"),
            ("tydzien@example.org", "weekly"),
        ):
            services.subscribe(email, process=db.session.get(Process, process.id), cadence=cadence)
        db.session.execute(update(FollowSubscription).values(confirmed_at=utcnow()))
        db.session.execute(update(Follower).values(confirmed_at=utcnow()))
        db.session.execute(delete(OutboxMessage))
        db.session.commit()
        target = db.session.get(Process, process.id)
        for number in (1, 2):
            services.announce(
                process=target,
                event=f"article:{number}:published",
                title=f"Nowy artykuł {number}",
                text="Tekst.",
                url=f"http://odkrywka.test/articles/{number}",
            )
        db.session.commit()
        assert notices.send_due(now=TUESDAY) == 2  # immediate: one mail each
        assert notices.send_due(now=TUESDAY + timedelta(days=3)) == 0  # the digest waits
        assert notices.send_due(now=NEXT_MONDAY) == 1  # both items, one digest
        deliver_due()
    messages = smtp_server.wait_for(3)
    by_recipient: dict[str, list] = {}
    for message in messages:
        by_recipient.setdefault(message["To"], []).append(message)
    assert len(by_recipient["od-razu@example.org"]) == 2
    [digest] = by_recipient["tydzien@example.org"]
    text = SMTPServer.text_of(digest)
    assert "Nowy artykuł 1" in text and "Nowy artykuł 2" in text
    assert "/follow/manage/" in text
    for message in messages:
        assert message["List-Unsubscribe"].startswith("<http://odkrywka.test/follow/unsubscribe/")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_each_event_is_announced_once_even_twice_or_at_once(app, make):
    process = make.process()
    with app.test_request_context():
        for n in range(3):
            services.subscribe(f"osoba{n}@example.org", process=db.session.get(Process, process.id))
        db.session.execute(update(FollowSubscription).values(confirmed_at=utcnow()))
        db.session.execute(update(Follower).values(confirmed_at=utcnow()))
        db.session.commit()
    assert _announce(app, process_id=process.id, event="workshop:5:announced") == 3
    assert _announce(app, process_id=process.id, event="workshop:5:announced") == 0

    results: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def worker() -> None:
        try:
            with app.test_request_context():
                barrier.wait(timeout=10)
                target = db.session.get(Process, process.id)
                stored = services.announce(process=target, event="phase:7", title="Etap",
                                           text="Tekst", url="http://odkrywka.test/")  # fmt: skip
                db.session.commit()
                results.append(stored)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
            with app.app_context():
                db.session.rollback()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    # A worker may lose a race on SQLite's single writer; none may double.
    assert sum(results) == 3 or (errors and sum(results) <= 3)
    with app.app_context():
        count = db.session.scalar(
            select(func.count()).select_from(Notice).where(Notice.event == "follow:phase:7")
        )
    assert count == 3


def test_an_address_refused_for_good_is_skipped(app, make):
    process = make.process()
    with app.test_request_context():
        for email in ("ok@example.org", "odbija@example.org"):
            services.subscribe(email, process=db.session.get(Process, process.id))
        db.session.execute(update(FollowSubscription).values(confirmed_at=utcnow()))
        db.session.execute(update(Follower).values(confirmed_at=utcnow()))
        from app.mail import _address_hash

        db.session.add(
            UndeliverableAddress(
                address_hash=_address_hash("odbija@example.org"), kind="follow", reason="550"
            )
        )
        db.session.commit()
    assert _announce(app, process_id=process.id, event="phase:3") == 1
    with app.app_context():
        assert db.session.scalars(select(Notice.recipient)).all() == ["ok@example.org"]


def test_comments_reach_only_idea_followers_who_asked(app, make):
    idea = make.idea()
    with app.test_request_context():
        target = db.session.get(Idea, idea.id)
        services.subscribe("komentarze@example.org", idea=target, comments=True)
        services.subscribe("bez@example.org", idea=target)
        db.session.execute(update(FollowSubscription).values(confirmed_at=utcnow()))
        db.session.execute(update(Follower).values(confirmed_at=utcnow()))
        db.session.commit()
    assert _announce(app, idea_id=idea.id, event="comment:1", comments=True) == 1
    assert _announce(app, idea_id=idea.id, event="answer:1") == 2


def test_retention_removes_unconfirmed_follows_only(app, client, make):
    process = make.process()
    _confirmed_follower(app, client, process=process)
    _follow(client, process, email="czeka@example.org")
    with app.app_context():
        db.session.execute(
            update(FollowSubscription).values(created_at=utcnow() - timedelta(days=30))
        )
        db.session.execute(update(Follower).values(created_at=utcnow() - timedelta(days=30)))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["maintenance", "purge"])
    assert result.exit_code == 0, result.output
    assert _subscriptions(app) == [("ola@example.org", f"process:{process.id}", "immediate", True)]
    with app.app_context():
        assert db.session.scalars(select(Follower.email)).all() == ["ola@example.org"]


def test_the_privacy_download_and_erasure_cover_follows(app, client, make):
    from app.privacy.services import erase_personal_data, export_personal_data

    process = make.process()
    _confirmed_follower(app, client, process=process)
    with app.test_request_context():
        data = export_personal_data("OLA@example.org")
        assert data["follows"]["subscriptions"][0]["title"] == process.title
        counts = erase_personal_data("ola@example.org")
        db.session.commit()
        assert counts["follows"] == 1
    assert _count(app, Follower) == _count(app, FollowSubscription) == 0


def test_the_forms_are_on_the_consultation_and_idea_pages(client, make):
    idea = make.idea()
    process = make.process()
    page = client.get(f"/processes/{process.slug}").get_data(as_text=True)
    assert f'action="/follow/processes/{process.slug}"' in page
    assert "Obserwuj konsultację" in page
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert f'action="/follow/ideas/{idea.id}"' in page
    assert 'name="comments"' in page
    assert client.get(f"/follow/ideas/{idea.id}").status_code == 200
    assert client.get(f"/follow/processes/{process.slug}").status_code == 200


def test_a_weekly_digest_link_stops_every_follow_and_a_single_mail_link_one(app, make):
    weekly, immediate = make.process(), make.process()
    with app.test_request_context():
        services.subscribe("ola@example.org", process=db.session.get(Process, weekly.id),
                           cadence="weekly")  # fmt: skip
        services.subscribe("ola@example.org", process=db.session.get(Process, immediate.id))
        db.session.execute(update(FollowSubscription).values(confirmed_at=utcnow()))
        db.session.execute(update(Follower).values(confirmed_at=utcnow()))
        db.session.commit()
    _announce(app, process_id=immediate.id, event="phase:1")
    _announce(app, process_id=weekly.id, event="phase:2")
    with app.app_context():
        links = dict(db.session.execute(select(Notice.event, Notice.unsubscribe_url)).all())
    mail_program = app.test_client(use_cookies=False)
    one = links["follow:phase:1"].removeprefix("http://odkrywka.test")
    assert mail_program.post(one, data="List-Unsubscribe=One-Click").status_code == 200
    assert [row[1] for row in _subscriptions(app)] == [f"process:{weekly.id}"]
    every = links["follow:phase:2"].removeprefix("http://odkrywka.test")
    assert mail_program.post(every, data="List-Unsubscribe=One-Click").status_code == 200
    assert _subscriptions(app) == []
