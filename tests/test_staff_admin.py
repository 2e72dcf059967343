"""Administrator pages: staff accounts, consultations and their phases, categories."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Category, Phase, Process, User


def test_admin_creates_a_staff_account(app, client, login, make):
    login("admin")
    response = client.post(
        "/staff/users/new",
        data={
            "email": "nowa@example.org",
            "name": "Nowa Osoba",
            "role": "moderator",
            "password": "a very good password",
            "password_again": "a very good password",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(email="nowa@example.org"))
        assert user.role == "moderator"
        assert user.check_password("a very good password")
    assert "user.created" in make.audit_actions()


def test_account_form_errors_are_summarised_and_values_kept(client, login):
    login("admin")
    response = client.post(
        "/staff/users/new",
        data={"email": "zly-adres", "name": "Ktoś", "role": "editor", "password": "short",
              "password_again": "other"},
    )  # fmt: skip
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="error-summary"' in body
    assert 'href="#email"' in body
    assert 'value="Ktoś"' in body


def test_duplicate_staff_email_is_a_form_error(client, login, make):
    login("admin")
    other = make.user()
    response = client.post(
        "/staff/users/new",
        data={"email": other.email, "name": "X", "role": "editor",
              "password": "a very good password", "password_again": "a very good password"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "Konto z tym adresem już istnieje." in response.get_data(as_text=True)


def test_role_change_is_audited_and_signs_the_person_out(app, client, login, make):
    login("admin")
    user = make.user(role="editor")
    response = client.post(f"/staff/users/{user.id}", data={"name": user.name, "role": "moderator"})
    assert response.status_code == 302
    with app.app_context():
        row = db.session.get(User, user.id)
        assert row.role == "moderator"
        assert row.session_version == user.session_version + 1
        entry = db.session.scalar(select(AuditEntry).filter_by(action="user.role_changed"))
        assert (entry.from_state, entry.to_state, entry.object_id) == (
            "editor",
            "moderator",
            user.id,
        )


def test_admin_cannot_change_their_own_role_or_deactivate_themselves(app, client, login):
    me = login("admin")
    response = client.post(f"/staff/users/{me.id}", data={"name": me.name, "role": "editor"})
    assert response.status_code == 400
    client.post(f"/staff/users/{me.id}/active", data={"active": "0"})
    with app.app_context():
        row = db.session.get(User, me.id)
        assert (row.role, row.active) == ("admin", True)


def test_admin_deactivates_and_reactivates_an_account(app, client, login, make):
    login("admin")
    user = make.user(role="editor")
    client.post(f"/staff/users/{user.id}/active", data={"active": "0"})
    assert make.get(User, user.id).active is False
    client.post(f"/staff/users/{user.id}/active", data={"active": "1"})
    assert make.get(User, user.id).active is True
    assert {"user.deactivated", "user.activated"} <= set(make.audit_actions())


def test_admin_resets_a_password(app, client, login, make):
    login("admin")
    user = make.user(role="editor")
    response = client.post(
        f"/staff/users/{user.id}/password",
        data={"pw-password": "brand new password!", "pw-password_again": "brand new password!"},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, user.id).check_password("brand new password!")
    assert "user.password_reset" in make.audit_actions()


def test_unknown_account_is_404(client, login):
    login("admin")
    assert client.get("/staff/users/99999").status_code == 404


def test_admin_creates_a_consultation_with_times_entered_in_warsaw(app, client, login):
    login("admin")
    response = client.post(
        "/staff/processes/new",
        data={"title": "Łódź przyszłości", "lead": "Krótko", "description": "Opis",
              "opens_at": "2027-01-10T09:00", "closes_at": "2027-02-10T18:00", "published": "y"},
    )  # fmt: skip
    assert response.status_code == 302
    with app.app_context():
        process = db.session.scalar(select(Process))
        assert process.slug == "lodz-przyszlosci"
        # 09:00 in Warsaw in January is 08:00 UTC.
        assert process.opens_at == datetime(2027, 1, 10, 8, 0, tzinfo=UTC)
        assert process.published is True


def test_consultation_window_must_end_after_it_starts(client, login):
    login("admin")
    response = client.post(
        "/staff/processes/new",
        data={"title": "Zła data", "opens_at": "2027-02-10T09:00", "closes_at": "2027-01-10T09:00"},
    )
    assert response.status_code == 400
    assert "Koniec musi być później niż początek." in response.get_data(as_text=True)


def test_duplicate_consultation_slug_is_a_form_error(client, login, make):
    login("admin")
    existing = make.process()
    response = client.post("/staff/processes/new", data={"title": "Inna", "slug": existing.slug})
    assert response.status_code == 400
    assert "Ten adres jest już zajęty." in response.get_data(as_text=True)


def test_admin_adds_and_removes_a_phase(app, client, login, make):
    login("admin")
    process = make.process()
    response = client.post(
        f"/staff/processes/{process.id}/phases",
        data={"title": "Warsztaty", "starts_on": "2027-01-10", "ends_on": "2027-01-20",
              "position": "1"},
    )  # fmt: skip
    assert response.status_code == 302
    with app.app_context():
        phase = db.session.scalar(select(Phase))
        assert (phase.title, phase.starts_on) == ("Warsztaty", date(2027, 1, 10))
        phase_id = phase.id
    client.post(f"/staff/processes/{process.id}/phases/{phase_id}/delete", data={"confirm": "y"})
    assert make.count(Phase) == 0


def test_admin_manages_categories(app, client, login, make):
    login("admin")
    client.post("/staff/categories/new", data={"name": "Żółta energia", "active": "y"})
    with app.app_context():
        category = db.session.scalar(select(Category))
        assert (category.slug, category.active) == ("zolta-energia", True)
        category_id = category.id
    client.post(f"/staff/categories/{category_id}", data={"name": "Żółta energia", "slug": "zolta"})
    with app.app_context():
        category = db.session.get(Category, category_id)
        assert (category.slug, category.active) == ("zolta", False)
    assert {"category.created", "category.updated"} <= set(make.audit_actions())


def test_admin_pages_render(client, login, make):
    login("admin")
    process = make.process()
    make.phase(process.id)
    category = make.category()
    for path in ("/staff/users", "/staff/users/new", "/staff/processes",
                 f"/staff/processes/{process.id}", "/staff/processes/new",
                 "/staff/categories", f"/staff/categories/{category.id}", "/staff/"):  # fmt: skip
        assert client.get(path).status_code == 200, path
