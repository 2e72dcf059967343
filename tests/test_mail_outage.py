"""A long outage of the SMTP relay, with a real SMTP server that refuses
connections, then answers 4xx, then accepts, and the clock of the delivery
rounds moved forward by hours and days (``deliver_due(now=...)``)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.mail import backoff, deliver_due, is_undeliverable, queue_mail
from app.models import OutboxMessage, OutboxStatus, UndeliverableAddress, utcnow

RECIPIENTS = [f"mieszkanka{i}@example.org" for i in range(5)]


@pytest.fixture
def outage_app(make_app, smtp_server):
    return make_app(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_server.port,
        MAIL_LIFETIME=timedelta(days=3),
        MAIL_TIMEOUT=5,
    )


def _queue(app, recipients, template="test_message"):
    with app.test_request_context():
        for address in recipients:
            queue_mail(address, template, "Potwierdź zgłoszenie", body=f"Dla {address}")
        db.session.commit()


def _rows(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def _rounds(app, start, end, step):
    """Run delivery rounds every *step* from *start* to *end* (moved clock)."""
    moment = start
    with app.app_context():
        while moment <= end:
            deliver_due(now=moment)
            moment += step
    return moment


def test_the_retry_interval_doubles_from_30_seconds_up_to_an_hour():
    assert [backoff(n).total_seconds() for n in range(1, 10)] == [
        30, 60, 120, 240, 480, 960, 1920, 3600, 3600,
    ]  # fmt: skip


def test_an_outage_inside_the_lifetime_loses_nothing_and_sends_each_message_once(
    outage_app, smtp_server
):
    start = utcnow()
    smtp_server.stop()  # connections refused
    _queue(outage_app, RECIPIENTS)
    # Refused for 40 hours, a round every 10 minutes.
    _rounds(outage_app, start, start + timedelta(hours=40), timedelta(minutes=10))
    rows = _rows(outage_app)
    assert {row.status for row in rows} == {OutboxStatus.PENDING}
    assert all("Connection refused" in row.last_error for row in rows)
    # 30 s doubling, then hourly: about 7 tries in the first hour, then 1 an hour.
    assert all(40 <= row.attempts <= 50 for row in rows), [row.attempts for row in rows]
    moment = start + timedelta(hours=40)
    assert all(row.next_attempt_at <= moment + timedelta(hours=1) for row in rows)

    # The relay is back but answers 451 for a day.
    smtp_server.start()
    smtp_server.temporary_failure = True
    moment = _rounds(outage_app, moment, start + timedelta(hours=64), timedelta(minutes=30))
    rows = _rows(outage_app)
    assert {row.status for row in rows} == {OutboxStatus.PENDING}
    assert all("451" in row.last_error for row in rows)
    assert smtp_server.refusals > 0
    assert smtp_server.delivered_to() == []

    # Accepts again, two and a half days after the messages were queued.
    smtp_server.temporary_failure = False
    _rounds(outage_app, moment, start + timedelta(hours=68), timedelta(minutes=30))
    smtp_server.wait_for(len(RECIPIENTS))
    assert Counter(smtp_server.delivered_to()) == Counter(RECIPIENTS)
    rows = _rows(outage_app)
    assert {row.status for row in rows} == {OutboxStatus.SENT}
    assert all(row.last_error is None for row in rows)


def test_past_its_lifetime_a_message_expires_and_mail_retry_expired_sends_it(
    outage_app, smtp_server
):
    start = utcnow()
    smtp_server.stop()
    _queue(outage_app, RECIPIENTS)
    _rounds(outage_app, start, start + timedelta(days=3, hours=2), timedelta(minutes=20))
    rows = _rows(outage_app)
    assert {row.status for row in rows} == {OutboxStatus.EXPIRED}
    # The last try was made at the end of the lifetime, not an hour before it.
    assert all(row.failed_at >= start + timedelta(days=3) for row in rows)
    with outage_app.app_context():
        # An expired message is never tried again on its own.
        assert deliver_due(now=start + timedelta(days=5)) == (0, 0)

    smtp_server.start()
    runner = outage_app.test_cli_runner()
    status = runner.invoke(args=["mail", "status"])
    assert status.exit_code == 0, status.output
    assert "expired: 5" in status.output
    result = runner.invoke(args=["mail", "retry", "--expired"])
    assert result.exit_code == 0, result.output
    assert "Queued again: 5" in result.output
    assert {row.status for row in _rows(outage_app)} == {OutboxStatus.PENDING}
    sent = runner.invoke(args=["mail", "send"])
    assert "Sent 5, failed 0." in sent.output
    # Sending again sends nothing twice.
    assert "Sent 0, failed 0." in runner.invoke(args=["mail", "send"]).output
    assert Counter(smtp_server.delivered_to()) == Counter(RECIPIENTS)


def test_a_recipient_refused_for_good_fails_at_once_and_is_skipped_afterwards(
    outage_app, smtp_server
):
    bad = "nie-ma-takiej@example.org"
    smtp_server.unknown_recipients.add(bad)
    _queue(outage_app, [bad, "ola@example.org"], template="support_test_message")
    with outage_app.app_context():
        assert deliver_due() == (1, 1)
    rows = {row.recipient: row for row in _rows(outage_app)}
    assert rows[bad].status == OutboxStatus.FAILED
    assert rows[bad].attempts == 1
    assert "550" in rows[bad].last_error
    assert bad not in rows[bad].last_error  # the address is masked in the error
    assert rows["ola@example.org"].status == OutboxStatus.SENT
    with outage_app.app_context():
        assert is_undeliverable(bad, "support")
        assert not is_undeliverable(bad, "idea")
        assert not is_undeliverable("ola@example.org", "support")
        [mark] = db.session.scalars(select(UndeliverableAddress)).all()
        assert "@" not in mark.address_hash and bad not in (mark.reason or "")
        # A failed message is never tried again on its own.
        assert deliver_due(now=utcnow() + timedelta(days=1)) == (0, 0)

    # Notifications to supporters skip the address from now on.
    with outage_app.test_request_context():
        assert queue_mail(bad, "support_test_message", "Odpowiedź", body="x") is None
        assert queue_mail("ola@example.org", "support_test_message", "Odpowiedź", body="x")
        # Other kinds of mail still go out.
        assert queue_mail(bad, "idea_test_message", "Pomysł", body="x") is not None
        db.session.commit()
    assert [row.recipient for row in _rows(outage_app)].count(bad) == 2
