"""The mail outbox: queued in the transaction, delivered after commit, retried."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.mail import InvalidRecipient, deliver_due, queue_mail
from app.models import OutboxMessage, OutboxStatus, utcnow


def _queue(app: Flask, recipient="anna@example.org", subject="Temat", body="Treść", commit=True):
    with app.test_request_context():
        queue_mail(recipient, "test_message", subject, body=body)
        if commit:
            db.session.commit()
        else:
            db.session.rollback()


def _messages(app):
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def test_mail_is_only_queued_when_the_transaction_commits(app):
    _queue(app, commit=False)
    assert _messages(app) == []
    _queue(app)
    [message] = _messages(app)
    assert message.status == OutboxStatus.PENDING


def test_without_mail_server_the_message_and_its_links_go_to_the_log(app, caplog):
    _queue(app, body="Kliknij: http://odkrywka.test/ideas/confirm/abc")
    with caplog.at_level(logging.INFO, logger="odkrywka.mail"), app.app_context():
        assert deliver_due() == (1, 0)
    assert "http://odkrywka.test/ideas/confirm/abc" in caplog.text
    assert "anna@example.org" not in caplog.text  # the address is masked
    assert _messages(app)[0].status == OutboxStatus.SENT


def test_a_request_delivers_what_it_committed_right_after_commit(mail_app, smtp_server):
    @mail_app.route("/send-test", methods=["POST"])
    def send_test():
        queue_mail("ola@example.org", "test_message", "Cześć", body="Wiadomość")
        db.session.commit()
        return "ok"

    assert mail_app.test_client().post("/send-test").status_code == 200
    [message] = smtp_server.wait_for(1)
    assert message["Subject"] == "Cześć"
    assert _messages(mail_app)[0].status == OutboxStatus.SENT


def test_mail_server_down_then_up_loses_nothing(mail_app, smtp_server):
    smtp_server.stop()
    _queue(mail_app, recipient="a@example.org")
    _queue(mail_app, recipient="b@example.org")
    with mail_app.app_context():
        assert deliver_due() == (0, 2)
    for message in _messages(mail_app):
        assert message.status == OutboxStatus.PENDING
        assert message.attempts == 1
        assert message.last_error
        assert message.next_attempt_at > utcnow()
    # Not due yet: nothing is tried again before the backoff passes.
    smtp_server.start()
    with mail_app.app_context():
        assert deliver_due() == (0, 0)
        db.session.execute(
            db.update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
        assert deliver_due() == (2, 0)
    assert sorted(str(m["To"]) for m in smtp_server.wait_for(2)) == [
        "a@example.org",
        "b@example.org",
    ]


def test_a_set_maximum_of_attempts_expires_a_message_before_its_lifetime(make_app, smtp_server):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_MAX_ATTEMPTS=2)
    smtp_server.stop()
    _queue(app)
    with app.app_context():
        for _ in range(2):
            db.session.execute(
                db.update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1))
            )
            db.session.commit()
            deliver_due()
    [message] = _messages(app)
    # Temporary failures: given up on as "expired" (retry brings it back),
    # never "failed", which means the recipient's server refused it.
    assert message.status == OutboxStatus.EXPIRED
    assert message.attempts == 2


def test_mail_send_command_delivers_queued_messages(mail_app, smtp_server):
    _queue(mail_app, recipient="cli@example.org")
    result = mail_app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0
    assert "Sent 1, failed 0." in result.output
    assert smtp_server.wait_for(1)[0]["To"] == "cli@example.org"


def test_a_delivered_message_is_never_sent_twice(mail_app, smtp_server):
    _queue(mail_app)
    with mail_app.app_context():
        assert deliver_due() == (1, 0)
        assert deliver_due() == (0, 0)
    assert len(smtp_server.wait_for(1)) == 1


@pytest.mark.parametrize(
    "recipient",
    ["a@example.org\r\nBcc: victim@example.org", "a@example.org, b@example.org", "", "no-at-sign"],
)
def test_recipients_that_could_inject_headers_are_refused(app, recipient):
    with app.test_request_context(), pytest.raises(InvalidRecipient):
        queue_mail(recipient, "test_message", "Temat", body="x")


def test_line_breaks_never_reach_the_subject_header(mail_app, smtp_server):
    _queue(mail_app, subject="Pomysł\r\nBcc: victim@example.org")
    with mail_app.app_context():
        deliver_due()
    [message] = smtp_server.wait_for(1)
    assert message["Bcc"] is None
    assert "\n" not in message["Subject"]
    assert [rcpt for _, rcpts in smtp_server.envelopes for rcpt in rcpts] == ["anna@example.org"]
