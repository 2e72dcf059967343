"""Names arrive as one trimmed line wherever a name is accepted: a line break
typed into a name never reaches a stored row, a mail body or a header."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.auth.services import create_user
from app.extensions import db
from app.models import Idea, OutboxMessage, User
from app.models.workshop import Registration
from tests.factories import Factory
from tests.submission_support import form_data
from tests.workshops_support import form, upcoming

BROKEN = "  Anna\r\nBcc: ofiara@example.org\n\x0bNowak\u2028 "
ONE_LINE = "Anna Bcc: ofiara@example.org Nowak"


def _mail_bodies(app) -> list[str]:  # noqa: ANN001
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage.body_text)))


def _assert_one_line_everywhere(app, stored: str) -> None:  # noqa: ANN001
    assert stored == ONE_LINE
    for body in _mail_bodies(app):
        assert "\nBcc" not in body and "\rBcc" not in body


def test_a_registrations_name_is_one_line_in_the_row_and_the_mail(app, client, make):
    workshop = upcoming(make)
    response = client.post(f"/workshops/{workshop.slug}/register", data=form(name=BROKEN))
    assert response.status_code == 303
    with app.app_context():
        stored = db.session.scalar(select(Registration.name))
    _assert_one_line_everywhere(app, stored)
    # Every mail opens with the one greeting, without the name.
    assert all(body.startswith("Dzień dobry,\n") for body in _mail_bodies(app))


def test_an_idea_authors_name_is_one_line(app, client, make):
    make.process(slug="transformacja")
    category = make.category(slug="srodowisko")
    response = client.post("/ideas/new", data=form_data(category.slug, author_name=BROKEN))
    assert response.status_code in (302, 303)
    with app.app_context():
        stored = db.session.scalar(select(Idea.author_name))
    _assert_one_line_everywhere(app, stored)


def test_a_staff_members_name_is_one_line_when_created_renamed_or_edited(app, client, login):
    admin = login("admin")
    password = "a long enough passphrase"  # noqa: S105
    created = client.post(
        "/staff/users/new",
        data={"email": "nowa@example.org", "name": BROKEN, "role": "editor",
              "password": password, "password_again": password},
    )  # fmt: skip
    assert created.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "nowa@example.org"))
        assert user.name == ONE_LINE
        user_id = user.id
    client.post(f"/staff/users/{user_id}", data={"name": BROKEN + "x", "role": "editor"})
    client.post("/staff/account/profile", data={"name": "\nAdam\r\nAdmin\t"})
    with app.app_context():
        assert db.session.get(User, user_id).name == ONE_LINE + " x"
        assert db.session.get(User, admin.id).name == "Adam Admin"


def test_the_command_line_account_gets_a_one_line_name(app):
    with app.app_context():
        user = create_user("cli@example.org", BROKEN, "editor", Factory.PASSWORD)
        assert user.name == ONE_LINE


@pytest.mark.parametrize("name", ["\r\n", "\x00\x07"])
def test_a_name_of_only_breaks_is_refused_not_stored_empty(app, name):
    from app.auth.services import AccountError

    with app.app_context(), pytest.raises(AccountError):
        create_user("pusta@example.org", name, "editor", Factory.PASSWORD)
