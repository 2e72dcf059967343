"""Staff sign-in and sign-out."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import AuditEntry, User
from tests.factories import Factory


def _sign_in(client, email, password=Factory.PASSWORD, **extra):
    return client.post("/staff/login", data={"email": email, "password": password, **extra})


def test_staff_member_signs_in_and_reaches_the_dashboard(client, make):
    user = make.user(role="moderator")
    response = _sign_in(client, user.email)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/staff/")
    assert client.get("/staff/").status_code == 200


def test_sign_in_ignores_case_and_spaces_in_the_email(client, make):
    make.user(role="editor", email="Ewa.Nowak@example.org")
    response = _sign_in(client, "  ewa.nowak@EXAMPLE.org ")
    assert response.status_code == 302


def test_unknown_email_and_wrong_password_get_the_same_message(client, make):
    user = make.user()
    unknown = _sign_in(client, "nobody@example.org")
    wrong = _sign_in(client, user.email, "not the right password")
    assert unknown.status_code == wrong.status_code == 400
    message = "Nieprawidłowy e-mail lub hasło."
    assert message in unknown.get_data(as_text=True)
    assert message in wrong.get_data(as_text=True)
    assert client.get("/staff/").status_code == 302


def test_deactivated_account_cannot_sign_in(client, make):
    user = make.user(active=False)
    response = _sign_in(client, user.email)
    assert response.status_code == 400
    assert "Nieprawidłowy e-mail lub hasło." in response.get_data(as_text=True)


def test_deactivated_account_is_signed_out_on_its_next_request(app, client, login):
    user = login("moderator")
    assert client.get("/staff/").status_code == 200
    with app.app_context():
        row = db.session.get(User, user.id)
        row.active = False
        db.session.commit()
    response = client.get("/staff/")
    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]


def test_changing_the_session_version_ends_every_copy_of_the_cookie(app, client, login):
    user = login("admin")
    with app.app_context():
        row = db.session.get(User, user.id)
        row.session_version += 1
        db.session.commit()
    assert client.get("/staff/").status_code == 302


def test_sign_out_is_a_post_and_ends_the_session(client, login):
    login("editor")
    assert client.get("/staff/logout").status_code == 405
    response = client.post("/staff/logout")
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 302


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        ("/staff/users", "/staff/users"),
        ("/processes?x=1", "/processes?x=1"),
        ("https://evil.example.com/", "/staff/"),
        ("//evil.example.com/", "/staff/"),
        ("/\\evil.example.com", "/staff/"),
        ("javascript:alert(1)", "/staff/"),
        ("https:evil.example.com", "/staff/"),
        ("", "/staff/"),
    ],
)
def test_next_redirect_never_leaves_the_site(client, make, next_url, lands_on):
    user = make.user()
    response = _sign_in(client, user.email, next=next_url)
    assert response.status_code == 302
    assert response.headers["Location"] == lands_on


def test_anonymous_staff_page_sends_to_sign_in_with_next(client):
    response = client.get("/staff/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login?next=")


def test_sign_in_is_recorded_in_the_audit_log(app, client, make):
    user = make.user()
    _sign_in(client, user.email)
    with app.app_context():
        entry = db.session.scalars(db.select(AuditEntry).filter_by(action="auth.login")).one()
        assert entry.actor_id == user.id


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        ("editor", "/staff/users", 403),
        ("moderator", "/staff/users", 403),
        ("admin", "/staff/users", 200),
        ("editor", "/staff/processes", 403),
        ("admin", "/staff/processes", 200),
        ("moderator", "/staff/categories", 403),
        ("admin", "/staff/categories", 200),
        ("editor", "/staff/", 200),
    ],
)
def test_admin_pages_are_for_admins_only(client, login, role, path, status):
    login(role)
    assert client.get(path).status_code == status
