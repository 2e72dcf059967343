"""`workshops remind`: confirmed participants hear the day before (with the
online link), the waiting list hears after the meeting; each person once,
also when the job runs twice or on two hosts at once."""

from __future__ import annotations

import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage, Registration, RegistrationStatus, utcnow
from app.timeutil import LOCAL_TZ
from app.workshops.reminders import send_reminders


def _tomorrow_at(hour: int) -> datetime:
    local = datetime.now(LOCAL_TZ) + timedelta(days=1)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0).astimezone(utcnow().tzinfo)


def _register(app, workshop_id: int, email: str, status: str) -> int:  # noqa: ANN001
    with app.app_context():
        registration = Registration(
            workshop_id=workshop_id,
            name=f"Osoba {email.split('@')[0]}",
            email=email,
            participant_group="resident",
            status=status,
            token_hash=secrets.token_hex(32),
            token_nonce=secrets.token_urlsafe(24),
            active_email=email if status != RegistrationStatus.CANCELLED else None,
            confirmed_at=utcnow(),
        )
        db.session.add(registration)
        db.session.commit()
        return registration.id


def _mails(app) -> list[OutboxMessage]:  # noqa: ANN001
    with app.app_context():
        messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        for message in messages:
            db.session.expunge(message)
        return messages


def _run(app, now: datetime | None = None) -> tuple[int, int]:  # noqa: ANN001
    with app.test_request_context():
        return send_reminders(now)


def test_confirmed_participants_are_reminded_the_day_before_once(app, make):
    online = make.workshop(
        kind="online",
        online_url="https://meet.example.org/abc-defg",
        starts_at=_tomorrow_at(18),
        ends_at=_tomorrow_at(20),
    )
    later = make.workshop(starts_at=_tomorrow_at(18) + timedelta(days=2),
                          ends_at=_tomorrow_at(20) + timedelta(days=2))  # fmt: skip
    _register(app, online.id, "jest@example.org", RegistrationStatus.CONFIRMED)
    for status in ("waiting", "unconfirmed", "cancelled"):
        _register(app, online.id, f"{status}@example.org", status)
    _register(app, later.id, "pozniej@example.org", RegistrationStatus.CONFIRMED)
    assert _run(app) == (1, 0)
    assert _run(app) == (0, 0)
    mails = _mails(app)
    assert [m.recipient for m in mails] == ["jest@example.org"]
    assert mails[0].template == "registration_day_before"
    assert "Jutro spotkanie" in mails[0].subject
    assert "https://meet.example.org/abc-defg" in mails[0].body_text
    assert "/registrations/" in mails[0].body_text


def test_a_meeting_in_a_room_has_no_online_link_in_the_reminder(app, make):
    room = make.workshop(starts_at=_tomorrow_at(10), ends_at=_tomorrow_at(12))
    _register(app, room.id, "sala@example.org", RegistrationStatus.CONFIRMED)
    _run(app)
    (mail,) = _mails(app)
    assert "Link do spotkania online" not in mail.body_text


def test_reminders_run_on_two_hosts_at_once_go_out_once(app, make):
    workshop = make.workshop(starts_at=_tomorrow_at(17), ends_at=_tomorrow_at(19))
    for n in range(4):
        _register(app, workshop.id, f"osoba{n}@example.org", RegistrationStatus.CONFIRMED)
    barrier = threading.Barrier(3)

    def worker(_):  # noqa: ANN001
        barrier.wait()
        return _run(app)[0]

    with ThreadPoolExecutor(max_workers=3) as pool:
        assert sum(pool.map(worker, range(3))) == 4
    assert sorted(m.recipient for m in _mails(app)) == [f"osoba{n}@example.org" for n in range(4)]


def test_waiting_list_hears_once_that_the_meeting_took_place(app, make):
    now = utcnow()
    held = make.workshop(starts_at=now - timedelta(hours=5), ends_at=now - timedelta(hours=2))
    long_ago = make.workshop(starts_at=now - timedelta(days=40),
                             ends_at=now - timedelta(days=40, hours=-2))  # fmt: skip
    waiting = _register(app, held.id, "rezerwa@example.org", RegistrationStatus.WAITING)
    _register(app, held.id, "byla@example.org", RegistrationStatus.CONFIRMED)
    _register(app, long_ago.id, "dawno@example.org", RegistrationStatus.WAITING)
    assert _run(app) == (0, 1)
    assert _run(app) == (0, 0)
    (mail,) = _mails(app)
    assert mail.recipient == "rezerwa@example.org"
    assert mail.template == "registration_missed"
    assert f"/workshops/{held.slug}" in mail.body_text
    assert make.get(Registration, waiting).waiting_told_at is not None
    # The person's data download lists the mail about their registration.
    from app.workshops.services import registration_mails

    with app.app_context():
        registration = db.session.get(Registration, waiting)
        assert [m.template for m in registration_mails(registration)] == ["registration_missed"]


def test_workshops_remind_command(runner, app, make):
    workshop = make.workshop(starts_at=_tomorrow_at(9), ends_at=_tomorrow_at(11))
    _register(app, workshop.id, "cli@example.org", RegistrationStatus.CONFIRMED)
    result = runner.invoke(args=["workshops", "remind"])
    assert result.exit_code == 0, result.output
    assert "Reminded 1 participant(s)" in result.output
    assert "Reminded 0 participant(s)" in runner.invoke(args=["workshops", "remind"]).output
