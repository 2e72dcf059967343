"""Notices: each event told to a person once, alone or in one digest."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app import notices
from app.extensions import db
from app.mail import deliver_due
from app.models import Notice, OutboxMessage
from app.privacy.services import erase_personal_data, export_personal_data
from tests.smtp import SMTPServer

# Tuesday 1 December 2026, 10:00 in Warsaw (09:00 UTC).
TUESDAY_MORNING = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _notify(address="ola@example.org", event="direction:1:status:2", **extra):
    values = {
        "kind": "direction",
        "title": "Kierunek „Turystyka poprzemysłowa” zgłoszony do finansowania",
        "text": "Pomysł „Opera na odkrywce” jest w tym kierunku.",
        "url": "http://odkrywka.test/directions/turystyka",
        "unsubscribe_url": "http://odkrywka.test/directions/unsubscribe/abc",
        "now": TUESDAY_MORNING,
    }
    values.update(extra)
    return notices.notify(address, event=event, **values)


def _count(model=Notice) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_same_event_is_kept_once_per_person(app):
    with app.app_context():
        assert _notify() is True
        assert _notify(address=" OLA@example.org") is False  # the same person
        assert _notify(event="direction:1:status:3") is True
        assert _notify(address="jan@example.org") is True
        db.session.commit()
        assert _count() == 3


def test_an_immediate_notice_is_one_mail_with_one_click_unsubscribe(mail_app, smtp_server):
    with mail_app.test_request_context():
        _notify()
        db.session.commit()
        assert notices.send_due(now=TUESDAY_MORNING) == 1
        assert notices.send_due(now=TUESDAY_MORNING + timedelta(hours=1)) == 0
        deliver_due()
    [message] = smtp_server.wait_for(1)
    assert message["Subject"] == "Kierunek „Turystyka poprzemysłowa” zgłoszony do finansowania"
    assert message["List-Unsubscribe"] == "<http://odkrywka.test/directions/unsubscribe/abc>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = SMTPServer.text_of(message)
    assert "Opera na odkrywce" in text
    assert "http://odkrywka.test/directions/turystyka" in text
    assert "http://odkrywka.test/directions/unsubscribe/abc" in text


def test_daily_notices_wait_for_the_digest_hour_and_go_out_as_one_mail(mail_app, smtp_server):
    with mail_app.test_request_context():
        for number in range(3):
            _notify(
                event=f"direction:1:status:{number}", title=f"Zmiana {number + 1}", cadence="daily"
            )
        _notify(address="jan@example.org", cadence="daily")
        db.session.commit()
        # Not before 7:00 the next morning in Warsaw (06:00 UTC in winter).
        assert notices.send_due(now=datetime(2026, 12, 2, 5, 59, tzinfo=UTC)) == 0
        assert notices.send_due(now=datetime(2026, 12, 2, 6, 0, tzinfo=UTC)) == 2
        deliver_due()
    messages = smtp_server.wait_for(2)
    [digest] = [m for m in messages if m["To"] == "ola@example.org"]
    assert digest["Subject"] == "Odkrywka: 3 nowe wiadomości"
    text = SMTPServer.text_of(digest)
    assert all(f"Zmiana {number}" in text for number in (1, 2, 3))
    # Jan had one change that day: it comes as that change's own mail.
    [single] = [m for m in messages if m["To"] == "jan@example.org"]
    assert single["Subject"].startswith("Kierunek")


def test_weekly_notices_go_out_on_monday(app):
    with app.test_request_context():
        _notify(cadence="weekly")
        db.session.commit()
        assert notices.send_due(now=datetime(2026, 12, 6, 12, 0, tzinfo=UTC)) == 0  # Sunday
        assert notices.send_due(now=datetime(2026, 12, 7, 6, 0, tzinfo=UTC)) == 1  # Monday 7:00


def test_concurrent_reports_of_one_event_store_one_notice(app):
    barrier = threading.Barrier(8)
    results: list[bool] = []

    def report():
        with app.app_context():
            barrier.wait()
            results.append(_notify())
            db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=report) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]
    with app.app_context():
        assert _count() == 1


def test_two_runs_at_once_mail_each_notice_once(app):
    with app.app_context():
        for number in range(20):
            _notify(address=f"osoba{number}@example.org")
        db.session.commit()
    barrier = threading.Barrier(2)
    queued: list[int] = []

    def run():
        with app.test_request_context():
            barrier.wait()
            queued.append(notices.send_due(now=TUESDAY_MORNING))
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(queued) == 20
    with app.app_context():
        recipients = db.session.scalars(select(OutboxMessage.recipient)).all()
        assert sorted(recipients) == sorted({f"osoba{n}@example.org" for n in range(20)})


def test_an_address_refused_for_good_is_not_told(app):
    from app.mail import _mark_undeliverable

    with app.app_context():
        _mark_undeliverable("ola@example.org", "notice", "550 5.1.1 no such user", TUESDAY_MORNING)
        db.session.commit()
        assert _notify() is False
        assert _count() == 0


def test_notices_are_in_the_data_download_and_go_with_the_erasure(app):
    with app.app_context():
        _notify()
        _notify(address="jan@example.org")
        db.session.commit()
        [kept] = export_personal_data("ola@example.org")["notices"]
        assert kept["title"].startswith("Kierunek")
        assert erase_personal_data("ola@example.org")["notices"] == 1
        db.session.commit()
        assert db.session.scalars(select(Notice.recipient)).all() == ["jan@example.org"]


def test_sent_notices_are_purged_after_their_retention(app):
    with app.test_request_context():
        _notify(event="old")
        _notify(event="recent")
        _notify(event="waiting", cadence="weekly")
        db.session.commit()
        old = db.session.scalar(select(Notice).where(Notice.event == "old"))
        old.sent_at = TUESDAY_MORNING - timedelta(days=91)
        recent = db.session.scalar(select(Notice).where(Notice.event == "recent"))
        recent.sent_at = TUESDAY_MORNING - timedelta(days=89)
        db.session.commit()
        assert notices.purge_sent(now=TUESDAY_MORNING) == 1
        db.session.commit()
        assert sorted(db.session.scalars(select(Notice.event))) == ["recent", "waiting"]
