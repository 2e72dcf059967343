"""Bringing mail back (`mail retry`), its health (`mail status`), a dead
confirmation link re-issued, and the headers every message carries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.mail import deliver_due, health, message_id_domain, queue_mail
from app.models import Idea, OutboxMessage, OutboxStatus, Registration, Support, Workshop, utcnow

SUPPORT_LINK = re.compile(r"http://odkrywka\.test(/supports/confirm/[A-Za-z0-9_\-]+)")


def _queue(app, recipient="anna@example.org"):
    with app.test_request_context():
        message = queue_mail(recipient, "test_message", "Temat", body="Treść")
        db.session.commit()
        return message.id


def _set(app, message_id, **values):
    with app.app_context():
        db.session.execute(
            db.update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values)
        )
        db.session.commit()


def _get(app, message_id) -> OutboxMessage:
    with app.app_context():
        row = db.session.get(OutboxMessage, message_id)
        db.session.expunge(row)
        return row


# --- mail status -------------------------------------------------------------------


def test_mail_status_prints_the_counts_and_the_oldest_pending_age(app, runner):
    old = _queue(app, "a@example.org")
    _queue(app, "b@example.org")
    failed = _queue(app, "c@example.org")
    expired = _queue(app, "d@example.org")
    _set(app, old, queued_at=utcnow() - timedelta(minutes=42))
    _set(app, failed, status=OutboxStatus.FAILED, failed_at=utcnow())
    _set(app, expired, status=OutboxStatus.EXPIRED)
    result = runner.invoke(args=["mail", "status", "--max-age", "60"])
    assert result.exit_code == 0, result.output
    assert "pending: 2" in result.output
    assert "failed: 1" in result.output
    assert "expired: 1" in result.output
    assert "oldest pending: 42 min" in result.output


def test_mail_status_exits_non_zero_when_the_oldest_pending_message_is_too_old(app, runner):
    message = _queue(app)
    _set(app, message, queued_at=utcnow() - timedelta(minutes=20))
    stuck = runner.invoke(args=["mail", "status"])  # default: 15 minutes
    assert stuck.exit_code == 1
    assert "stuck" in stuck.output
    assert runner.invoke(args=["mail", "status", "--max-age", "30"]).exit_code == 0


def test_mail_status_with_an_empty_outbox_is_healthy(runner):
    result = runner.invoke(args=["mail", "status"])
    assert result.exit_code == 0
    assert "oldest pending: -" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["mail", "retry", "--status", "lost"], "'lost' is not one of 'failed', 'expired'"),
        (["mail", "retry", "--since", "2999-01-01"], "is in the future"),
        (["mail", "retry", "--since", "yesterday"], "is not a date"),
        (["mail", "retry", "--since", "2026-13-01"], "is not a date"),
        (["mail", "status", "--max-age", "0"], "0 is not in the range x>=1"),
        (["mail", "status", "--max-age", "soon"], "'soon' is not a valid integer"),
    ],
)
def test_bad_input_to_the_mail_commands_gets_a_clear_message(runner, args, message):
    result = runner.invoke(args=args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


# --- mail retry --------------------------------------------------------------------


def test_mail_retry_brings_back_failed_and_expired_mail_only_as_asked(mail_app, smtp_server):
    failed = _queue(mail_app, "failed@example.org")
    expired = _queue(mail_app, "expired@example.org")
    _set(mail_app, failed, status=OutboxStatus.FAILED, attempts=1)
    _set(mail_app, expired, status=OutboxStatus.EXPIRED, attempts=80)
    runner = mail_app.test_cli_runner()
    result = runner.invoke(args=["mail", "retry", "--failed"])
    assert "Queued again: 1" in result.output
    assert _get(mail_app, failed).status == OutboxStatus.PENDING
    assert _get(mail_app, failed).attempts == 0
    assert _get(mail_app, expired).status == OutboxStatus.EXPIRED
    runner.invoke(args=["mail", "retry", "--status", "expired"])
    assert _get(mail_app, expired).status == OutboxStatus.PENDING
    # A new delivery run: its lifetime starts now.
    assert _get(mail_app, expired).queued_at > utcnow() - timedelta(minutes=1)
    with mail_app.app_context():
        assert deliver_due() == (2, 0)
    assert sorted(smtp_server.delivered_to()) == ["expired@example.org", "failed@example.org"]


def test_mail_retry_since_leaves_older_mail_alone(app, runner):
    old = _queue(app, "old@example.org")
    new = _queue(app, "new@example.org")
    _set(app, old, status=OutboxStatus.EXPIRED, created_at=utcnow() - timedelta(days=10))
    _set(app, new, status=OutboxStatus.EXPIRED)
    since = (utcnow() - timedelta(days=2)).date().isoformat()
    result = runner.invoke(args=["mail", "retry", "--expired", "--since", since])
    assert result.exit_code == 0, result.output
    assert _get(app, new).status == OutboxStatus.PENDING
    assert _get(app, old).status == OutboxStatus.EXPIRED


def test_an_expired_support_link_is_reissued_and_the_new_one_confirms(
    mail_app, mail_client, make, smtp_server
):
    idea = make.idea(title="Ścieżka wokół zbiornika")
    smtp_server.stop()
    assert (
        mail_client.post(f"/ideas/{idea.id}/support", data={"email": "ola@example.org"}).status_code
        == 302
    )
    with mail_app.app_context():
        [message] = db.session.scalars(select(OutboxMessage)).all()
        old_path = SUPPORT_LINK.search(message.body_text).group(1)
        # The relay stays down past the message's lifetime...
        deliver_due(now=utcnow() + timedelta(days=3, hours=1))
        db.session.refresh(message)
        assert message.status == OutboxStatus.EXPIRED
        # ...and past the link's own lifetime (7 days).
        support = db.session.scalar(select(Support))
        support.created_at = utcnow() - timedelta(days=8)
        db.session.commit()
    smtp_server.start()
    runner = mail_app.test_cli_runner()
    result = runner.invoke(args=["mail", "retry", "--expired"])
    assert "Queued again: 1 (1 with a new link)" in result.output
    assert "Sent 1" in runner.invoke(args=["mail", "send"]).output
    [delivered] = smtp_server.wait_for(1)
    new_path = SUPPORT_LINK.search(smtp_server.text_of(delivered)).group(1)
    assert new_path != old_path
    assert new_path in smtp_server.html_of(delivered)
    assert mail_client.get(new_path).status_code == 200
    with mail_app.app_context():
        assert db.session.get(Idea, idea.id).supports_count == 1


def test_mail_for_a_support_confirmed_meanwhile_is_not_sent_again(app, client, make, runner):
    idea = make.idea()
    client.post(f"/ideas/{idea.id}/support", data={"email": "jan@example.org"})
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        path = SUPPORT_LINK.search(message.body_text).group(1)
        message.status = OutboxStatus.EXPIRED
        db.session.commit()
    assert client.get(path).status_code == 200
    result = runner.invoke(args=["mail", "retry"])
    assert "Queued again: 0" in result.output
    assert "no longer needed: 1" in result.output


# --- headers -----------------------------------------------------------------------


def test_every_message_has_a_message_id_of_the_site_and_auto_submitted(make_app, smtp_server):
    app = make_app(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_server.port,
        BASE_URL="https://odkrywka.example.pl",
        MAIL_REPLY_TO="Zespół konsultacji <kontakt@example.pl>",
    )
    _queue(app)
    _queue(app, "ola@example.org")
    with app.app_context():
        deliver_due()
    first, second = smtp_server.wait_for(2)
    assert re.fullmatch(r"<[^@<>\s]+@odkrywka\.example\.pl>", first["Message-ID"].strip())
    assert first["Message-ID"] != second["Message-ID"]
    assert first["Auto-Submitted"] == "auto-generated"
    assert "kontakt@example.pl" in first["Reply-To"]


def test_the_message_id_domain_comes_from_the_sender_when_the_site_has_no_name(make_app):
    app = make_app(
        BASE_URL="http://127.0.0.1:5000", MAIL_DEFAULT_SENDER="Odkrywka <poczta@gmina.example>"
    )
    with app.app_context():
        assert message_id_domain() == "gmina.example"


def test_without_reply_to_set_no_reply_to_header_is_sent(mail_app, smtp_server):
    _queue(mail_app)
    with mail_app.app_context():
        deliver_due()
    [message] = smtp_server.wait_for(1)
    assert message["Reply-To"] is None
    assert "@localhost" not in message["Message-ID"]


def test_health_counts_failures_of_the_last_hour(app):
    message = _queue(app)
    _set(app, message, failed_at=utcnow() - timedelta(minutes=5))
    with app.app_context():
        state = health()
    assert state.failures_last_hour == 1
    assert state.stuck()


# --- personal data -------------------------------------------------------------------


def test_undeliverable_marks_are_in_the_data_download_erased_and_purged(app, make):
    from app.mail import _mark_undeliverable, is_undeliverable
    from app.maintenance import purge_all
    from app.models import UndeliverableAddress
    from app.privacy import services as privacy

    with app.app_context():
        _mark_undeliverable("Ola@Example.org", "support", "550 5.1.1", utcnow())
        _mark_undeliverable("jan@example.org", "idea", "550", utcnow() - timedelta(days=400))
        db.session.commit()
        assert privacy.export_personal_data("ola@example.org")["undeliverable_mail"] == ["support"]
        results = purge_all()
        assert results["undeliverable address marks"] == 1
        assert not is_undeliverable("jan@example.org", "idea")
        privacy.erase_personal_data("ola@example.org")
        db.session.commit()
        assert db.session.scalars(select(UndeliverableAddress)).all() == []


def test_expired_mail_copies_are_purged_like_sent_ones(app, make):
    from app.maintenance import purge_all

    expired = _queue(app, "old@example.org")
    _set(app, expired, status=OutboxStatus.EXPIRED, created_at=utcnow() - timedelta(days=40))
    with app.app_context():
        assert purge_all()["sent mail copies"] == 1
        assert db.session.get(OutboxMessage, expired) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("3d", timedelta(days=3)), ("72h", timedelta(hours=72)), ("90m", timedelta(minutes=90)),
     ("5", timedelta(days=5)), ("1w", timedelta(weeks=1))],
)  # fmt: skip
def test_mail_lifetime_reads_like_a_mail_server_queue_lifetime(text, expected):
    from config import parse_duration

    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["soon", "-1d", "0", "3 days"])
def test_a_bad_mail_lifetime_is_refused_with_a_clear_message(monkeypatch, text):
    from config import env_duration

    monkeypatch.setenv("MAIL_LIFETIME", text)
    with pytest.raises(ValueError, match="is not a duration: use e.g. 3d"):
        env_duration("MAIL_LIFETIME", "3d")


def _dead_registration_mail(mail_app, mail_client, smtp_server, workshop):
    """A registration whose confirmation mail expired in the outbox and whose
    link passed its confirmation deadline; the old link's path."""
    from tests.workshops_support import form, registration_path

    smtp_server.stop()
    response = mail_client.post(f"/workshops/{workshop.slug}/register", data=form())
    assert response.status_code in (200, 302, 303)
    with mail_app.app_context():
        [message] = db.session.scalars(select(OutboxMessage)).all()
        old_path = registration_path(message.body_text)
        message.status = OutboxStatus.EXPIRED
        registration = db.session.scalar(select(Registration))
        registration.created_at = utcnow() - timedelta(days=8)
        db.session.commit()
    smtp_server.start()
    return old_path


def test_a_dead_registration_link_is_reissued_while_the_meeting_is_ahead(
    mail_app, mail_client, make, smtp_server
):
    from tests.workshops_support import registration_path, upcoming

    workshop = upcoming(make, starts_at=utcnow() + timedelta(days=20))
    old_path = _dead_registration_mail(mail_app, mail_client, smtp_server, workshop)
    assert mail_client.get(old_path).status_code in (404, 410)
    runner = mail_app.test_cli_runner()
    result = runner.invoke(args=["mail", "retry", "--expired"])
    assert "Queued again: 1 (1 with a new link)" in result.output
    assert "Sent 1" in runner.invoke(args=["mail", "send"]).output
    [delivered] = smtp_server.wait_for(1)
    new_path = registration_path(smtp_server.text_of(delivered))
    assert new_path != old_path
    page = mail_client.get(new_path)
    assert page.status_code == 200
    assert workshop.title in page.get_data(as_text=True)


def test_no_registration_link_is_reissued_once_the_meeting_has_begun(
    mail_app, mail_client, make, smtp_server
):
    from tests.workshops_support import upcoming

    workshop = upcoming(make, starts_at=utcnow() + timedelta(days=20))
    _dead_registration_mail(mail_app, mail_client, smtp_server, workshop)
    with mail_app.app_context():
        db.session.execute(
            db.update(Workshop)
            .where(Workshop.id == workshop.id)
            .values(starts_at=utcnow() - timedelta(hours=1))
        )
        db.session.commit()
    result = mail_app.test_cli_runner().invoke(args=["mail", "retry", "--expired"])
    assert "Queued again: 0" in result.output
    assert "no longer needed: 1" in result.output
