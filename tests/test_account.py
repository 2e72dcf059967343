"""A staff member's own account: profile, password, sessions, re-authentication."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, User
from app.security import sessions
from tests.factories import Factory
from tests.security_support import (
    enable_two_factor,
    is_signed_in,
    password_step,
    shift_session_times,
    totp_code,
)

NEW_PASSWORD = "a brand new passphrase"  # noqa: S105


def audit_actions(app, user_id: int) -> list[str]:  # noqa: ANN001
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEntry).where(AuditEntry.object_id == user_id).order_by(AuditEntry.id)
        ).all()
        return [row.action for row in rows]


@pytest.mark.parametrize("role", ["admin", "moderator", "editor"])
def test_every_staff_role_has_an_account_page(client, login, role):
    user = login(role)
    response = client.get("/staff/account")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count("<h1") == 1
    assert user.email in html
    assert 'href="/staff/account"' in html  # the staff menu links to it


def test_account_page_needs_sign_in(client):
    response = client.get("/staff/account")
    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]


def test_changing_own_name(client, login, make, app):
    user = login("editor")
    response = client.post("/staff/account/profile", data={"name": "  Ewa Nowak  "})
    assert response.status_code == 302
    assert make.get(User, user.id).name == "Ewa Nowak"
    assert "account.renamed" in audit_actions(app, user.id)


def test_empty_name_is_refused(client, login, make):
    user = login("editor")
    response = client.post("/staff/account/profile", data={"name": "   "})
    assert response.status_code == 400
    assert make.get(User, user.id).name == user.name


def test_password_change_needs_the_current_password(client, login, make):
    user = login("moderator")
    before = make.get(User, user.id).password_hash
    response = client.post(
        "/staff/account/password",
        data={
            "pw-current_password": "not my password at all",
            "pw-password": NEW_PASSWORD,
            "pw-password_again": NEW_PASSWORD,
        },
    )
    assert response.status_code == 400
    assert "Obecne hasło jest nieprawidłowe" in response.get_data(as_text=True)
    assert make.get(User, user.id).password_hash == before


def test_password_change_keeps_this_session_and_ends_the_others(app, client, login, make):
    user = login("moderator")
    other = app.test_client()
    assert password_step(other, user.email).status_code == 302
    assert is_signed_in(other)

    response = client.post(
        "/staff/account/password",
        data={
            "pw-current_password": Factory.PASSWORD,
            "pw-password": NEW_PASSWORD,
            "pw-password_again": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert is_signed_in(client)
    assert not is_signed_in(other)
    assert "account.password_changed" in audit_actions(app, user.id)

    fresh = app.test_client()
    assert password_step(fresh, user.email).status_code == 400  # old password
    assert password_step(fresh, user.email, NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("length", "accepted"), [(11, False), (12, True), (128, True), (129, False)]
)
def test_new_password_length_limits(client, login, make, length, accepted):
    user = login("editor")
    password = "x" * length
    response = client.post(
        "/staff/account/password",
        data={
            "pw-current_password": Factory.PASSWORD,
            "pw-password": password,
            "pw-password_again": password,
        },
    )
    assert response.status_code == (302 if accepted else 400)
    assert make.get(User, user.id).check_password(password) is accepted


def test_password_change_needs_recent_authentication(client, login, make):
    user = login("editor")
    shift_session_times(client, 301, sessions.AUTH_AT)
    response = client.post(
        "/staff/account/password",
        data={
            "pw-current_password": Factory.PASSWORD,
            "pw-password": NEW_PASSWORD,
            "pw-password_again": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/account/confirm")
    assert not make.get(User, user.id).check_password(NEW_PASSWORD)


def test_confirming_identity_opens_the_window_again(client, login):
    login("editor")
    shift_session_times(client, 600, sessions.AUTH_AT)
    page = client.get("/staff/account/confirm?next=/staff/account")
    assert page.status_code == 200
    wrong = client.post(
        "/staff/account/confirm?next=/staff/account", data={"password": "wrong password!!"}
    )
    assert wrong.status_code == 400
    right = client.post(
        "/staff/account/confirm?next=/staff/account", data={"password": Factory.PASSWORD}
    )
    assert right.status_code == 303
    assert right.headers["Location"] == "/staff/account"
    with client.session_transaction() as sess:
        assert sessions.now_ts() - sess[sessions.AUTH_AT] < 5


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_confirmation_never_redirects_off_site(client, login, target):
    login("editor")
    response = client.post(
        "/staff/account/confirm", query_string={"next": target}, data={"password": Factory.PASSWORD}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/account"


def test_confirmation_with_two_factor_needs_the_code_too(app, client, make):
    user = make.user(role="moderator")
    secret, _codes = enable_two_factor(app, user.id)
    password_step(client, user.email)
    client.post("/staff/login/code", data={"code": totp_code(secret)})
    shift_session_times(client, 600, sessions.AUTH_AT)
    without_code = client.post("/staff/account/confirm", data={"password": Factory.PASSWORD})
    assert without_code.status_code == 400
    with_code = client.post(
        "/staff/account/confirm",
        data={"password": Factory.PASSWORD, "code": totp_code(secret, 1)},
    )
    assert with_code.status_code == 303


def test_signing_out_everywhere_ends_every_session(app, client, login, make):
    user = login("editor")
    other = app.test_client()
    password_step(other, user.email)
    assert is_signed_in(other)
    response = client.post("/staff/account/sessions/end")
    assert response.status_code == 303
    assert not is_signed_in(client)
    assert not is_signed_in(other)
    assert make.get(User, user.id).session_version == user.session_version + 1
    assert "account.sessions_ended" in audit_actions(app, user.id)


def test_admin_role_change_needs_recent_authentication(client, login, make):
    login("admin")
    target = make.user(role="editor")
    shift_session_times(client, 301, sessions.AUTH_AT)
    response = client.post(
        f"/staff/users/{target.id}", data={"name": target.name, "role": "moderator"}
    )
    assert response.status_code == 302
    assert "/staff/account/confirm" in response.headers["Location"]
    assert f"next=/staff/users/{target.id}" in response.headers["Location"]
    assert make.get(User, target.id).role == "editor"

    client.post("/staff/account/confirm", data={"password": Factory.PASSWORD})
    done = client.post(f"/staff/users/{target.id}", data={"name": target.name, "role": "moderator"})
    assert done.status_code == 302
    assert make.get(User, target.id).role == "moderator"


def test_admin_can_open_the_edit_form_without_confirming(client, login, make):
    login("admin")
    target = make.user(role="editor")
    shift_session_times(client, 301, sessions.AUTH_AT)
    assert client.get(f"/staff/users/{target.id}").status_code == 200


def test_admin_password_reset_needs_recent_authentication(client, login, make):
    login("admin")
    target = make.user(role="editor")
    shift_session_times(client, 301, sessions.AUTH_AT)
    data = {"pw-password": NEW_PASSWORD, "pw-password_again": NEW_PASSWORD}
    response = client.post(f"/staff/users/{target.id}/password", data=data)
    assert response.status_code == 302
    assert "/staff/account/confirm" in response.headers["Location"]
    assert not make.get(User, target.id).check_password(NEW_PASSWORD)

    client.post("/staff/account/confirm", data={"password": Factory.PASSWORD})
    assert client.post(f"/staff/users/{target.id}/password", data=data).status_code == 302
    assert make.get(User, target.id).check_password(NEW_PASSWORD)


def test_admin_resets_a_colleagues_two_factor(app, client, login, make):
    login("admin")
    target = make.user(role="moderator")
    enable_two_factor(app, target.id)
    response = client.post(f"/staff/account/users/{target.id}/two-factor/reset")
    assert response.status_code == 303
    after = make.get(User, target.id)
    assert not after.totp_enabled and after.totp_secret is None
    assert after.session_version == target.session_version + 1
    assert "user.2fa_reset" in audit_actions(app, target.id)


def test_only_admins_reset_two_factor(client, login, make, app):
    login("moderator")
    target = make.user(role="editor")
    enable_two_factor(app, target.id)
    response = client.post(f"/staff/account/users/{target.id}/two-factor/reset")
    assert response.status_code == 403
    assert make.get(User, target.id).totp_enabled


def test_the_user_page_offers_the_two_factor_reset(app, client, login, make):
    login("admin")
    target = make.user(role="moderator")
    enable_two_factor(app, target.id)
    html = client.get(f"/staff/users/{target.id}").get_data(as_text=True)
    assert f'action="/staff/account/users/{target.id}/two-factor/reset"' in html


def _user_management_actions(make) -> dict:  # noqa: ANN001
    """Every user-management POST: (path, form data, how to tell it happened)."""
    target = make.user(role="editor", email="kolega@example.org")
    off = make.user(role="editor", email="wylaczony@example.org", active=False)
    data = {"pw-password": NEW_PASSWORD, "pw-password_again": NEW_PASSWORD}
    new = {
        "email": "nowa@example.org",
        "name": "Nowa Osoba",
        "role": "editor",
        "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD,
    }
    return {
        "create": ("/staff/users/new", new, lambda: make.count(User, email="nowa@example.org")),
        "role": (
            f"/staff/users/{target.id}",
            {"name": target.name, "role": "moderator"},
            lambda: make.get(User, target.id).role == "moderator",
        ),
        "password": (
            f"/staff/users/{target.id}/password",
            data,
            lambda: make.get(User, target.id).check_password(NEW_PASSWORD),
        ),
        "deactivate": (
            f"/staff/users/{target.id}/active",
            {"active": "0"},
            lambda: not make.get(User, target.id).active,
        ),
        "reactivate": (
            f"/staff/users/{off.id}/active",
            {"active": "1"},
            lambda: make.get(User, off.id).active,
        ),
        "two_factor_reset": (
            f"/staff/account/users/{target.id}/two-factor/reset",
            {},
            lambda: "user.2fa_reset" in audit_actions(make.app, target.id),
        ),
    }


@pytest.mark.parametrize(
    "action", ["create", "role", "password", "deactivate", "reactivate", "two_factor_reset"]
)
def test_every_user_management_action_needs_recent_authentication(client, login, make, action):
    login("admin")
    path, data, happened = _user_management_actions(make)[action]
    shift_session_times(client, 301, sessions.AUTH_AT)
    response = client.post(path, data=data)
    assert response.status_code in (302, 303)
    assert "/staff/account/confirm" in response.headers["Location"]
    assert not happened()

    client.post("/staff/account/confirm", data={"password": Factory.PASSWORD})
    assert client.post(path, data=data).status_code in (302, 303)
    assert happened()


def test_every_user_management_route_is_guarded_by_reauthentication(app):
    """No user-management POST in the URL map escapes the decorator."""
    for rule in app.url_map.iter_rules():
        if "/users" in rule.rule and "POST" in (rule.methods or ()):
            view = app.view_functions[rule.endpoint]
            assert getattr(view, "reauth_required", False), rule.rule
