"""The outbox for administrators and the dashboard warning when mail is stuck."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.mail import queue_mail
from app.models import AuditEntry, OutboxMessage, OutboxStatus, utcnow


def _queue(app, recipient, **values) -> int:
    with app.test_request_context():
        message = queue_mail(recipient, "test_message", "Potwierdź zgłoszenie", body="x")
        db.session.flush()
        for key, value in values.items():
            setattr(message, key, value)
        db.session.commit()
        return message.id


def _status(app, message_id) -> str:
    with app.app_context():
        return db.session.get(OutboxMessage, message_id).status


def test_the_dashboard_is_quiet_while_mail_flows(client, login, app):
    _queue(app, "ok@example.org", status=OutboxStatus.SENT)
    login("moderator")
    page = client.get("/staff/").get_data(as_text=True)
    assert "Poczta nie wychodzi" not in page


@pytest.mark.parametrize("role", ["admin", "moderator", "editor"])
def test_the_dashboard_warns_when_the_oldest_pending_mail_waits_over_15_minutes(
    client, login, app, role
):
    _queue(app, "a@example.org", queued_at=utcnow() - timedelta(minutes=20))
    _queue(app, "b@example.org")
    login(role)
    page = client.get("/staff/").get_data(as_text=True)
    assert "Poczta nie wychodzi" in page
    assert "Czekają 2 wiadomości" in page or "Czeka 2 wiadomości" in page
    assert "20 minut" in page
    assert ('href="/staff/mail"' in page) == (role == "admin")


def test_the_dashboard_warns_about_failures_in_the_last_hour(client, login, app):
    _queue(app, "x@example.org", status=OutboxStatus.FAILED, failed_at=utcnow(), attempts=1)
    login("admin")
    page = client.get("/staff/").get_data(as_text=True)
    assert "Poczta nie wychodzi" in page
    assert "Odrzucone: 1, przeterminowane: 0." in page


@pytest.mark.parametrize(("role", "status"), [("moderator", 403), ("editor", 403), ("admin", 200)])
def test_only_admins_see_the_outbox(client, login, role, status):
    login(role)
    assert client.get("/staff/mail").status_code == status
    assert client.post("/staff/mail/retry").status_code in (status, 302)


def test_the_outbox_lists_messages_with_masked_recipients_and_errors(client, login, app):
    _queue(
        app,
        "katarzyna@example.org",
        status=OutboxStatus.EXPIRED,
        attempts=74,
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
    )
    login("admin")
    page = client.get("/staff/mail").get_data(as_text=True)
    assert "k***@example.org" in page
    assert "katarzyna@example.org" not in page
    assert "Potwierdź zgłoszenie" in page
    assert "przeterminowana" in page
    assert "74" in page
    assert "Connection refused" in page
    assert client.get("/staff/mail?status=failed").get_data(as_text=True).count("k***@") == 0


def test_an_admin_retries_one_message_and_it_is_audited(client, login, app):
    one = _queue(app, "one@example.org", status=OutboxStatus.FAILED, attempts=1)
    other = _queue(app, "other@example.org", status=OutboxStatus.EXPIRED, attempts=70)
    admin = login("admin")
    response = client.post(f"/staff/mail/{one}/retry")
    assert response.status_code == 302
    assert _status(app, one) == OutboxStatus.SENT  # delivered right after the commit
    assert _status(app, other) == OutboxStatus.EXPIRED
    with app.app_context():
        [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "mail.retry"))
        assert entry.actor_id == admin.id
        assert entry.object_id == one
        assert entry.data["requeued"] == 1


def test_an_admin_retries_all_failed_and_expired_mail(client, login, app):
    ids = [
        _queue(app, "a@example.org", status=OutboxStatus.FAILED),
        _queue(app, "b@example.org", status=OutboxStatus.EXPIRED),
    ]
    sent = _queue(app, "c@example.org", status=OutboxStatus.SENT)
    login("admin")
    response = client.post("/staff/mail/retry", follow_redirects=True)
    assert "Ponownie w kolejce: 2 wiadomości." in response.get_data(as_text=True)
    assert {_status(app, i) for i in ids} <= {OutboxStatus.PENDING, OutboxStatus.SENT}
    with app.app_context():
        assert db.session.get(OutboxMessage, sent).attempts == 0  # untouched


def test_retrying_needs_the_csrf_token(make_app, make, client):
    from tests.factories import Factory

    app = make_app(WTF_CSRF_ENABLED=True)
    factory = Factory(app)
    user = factory.user(role="admin")
    test_client = app.test_client()
    page = test_client.get("/staff/login").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    test_client.post(
        "/staff/login",
        data={"email": user.email, "password": Factory.PASSWORD, "csrf_token": token},
    )
    assert test_client.post("/staff/mail/retry").status_code == 400
