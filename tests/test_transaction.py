"""The one commit helper: a view's change is committed once, or rolled back
and shown as an error with what the person typed kept."""

from __future__ import annotations

import pytest
from flask import flash, get_flashed_messages, redirect, render_template_string
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import StringField

from app.errors import ServiceError, StaleVersion
from app.extensions import db
from app.mail import queue_mail
from app.models import Category
from app.models.outbox import OutboxMessage
from app.transaction import committing

PAGE = "{{ form.name.data }}|{{ form.name.errors|join(',') }}|{{ flashed|join(',') }}"


class NameForm(FlaskForm):
    name = StringField()


def _save_category(name: str) -> None:
    """A service: adds a row and queues a mail, then may refuse."""
    db.session.add(Category(slug="nowa", name=name))
    queue_mail("osoba@example.org", "test_message", "Test")
    db.session.flush()
    if name == "zajęte":
        raise ServiceError("Ta nazwa jest zajęta.", status=409, field="name")
    if name == "bez pola":
        raise ServiceError("Odmowa bez pola.")
    if name == "awaria":
        raise RuntimeError("boom")


def _view():  # noqa: ANN202
    form = NameForm()
    if form.validate_on_submit():
        with committing(form) as done:
            _save_category(form.name.data)
        if done:
            flash("Zapisano.", "success")
            return redirect("/")
    page = render_template_string(PAGE, form=form, flashed=get_flashed_messages())
    return page, done.status


@pytest.fixture
def page_app(make_app, smtp_server):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    app.add_url_rule("/_transaction", "transaction_test", _view, methods=["POST"])
    return app


def _categories(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(Category.name == name))


def _outbox(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def test_a_change_that_succeeds_is_committed_and_its_mail_sent(page_app, smtp_server):
    response = page_app.test_client().post("/_transaction", data={"name": "Zieleń nowa"})
    assert response.status_code == 302
    assert _categories(page_app, "Zieleń nowa") == 1
    assert len(smtp_server.wait_for(1)) == 1


def test_a_refusal_rolls_back_and_shows_on_the_field_with_the_input_kept(page_app, smtp_server):
    response = page_app.test_client().post("/_transaction", data={"name": "zajęte"})
    assert response.status_code == 409
    value, errors, flashed = response.get_data(as_text=True).split("|")
    assert value == "zajęte"
    assert errors == "Ta nazwa jest zajęta."
    assert flashed == ""
    assert _categories(page_app, "zajęte") == 0
    assert _outbox(page_app) == 0
    assert smtp_server.messages == []


def test_a_refusal_without_a_field_is_flashed_with_its_status(page_app):
    response = page_app.test_client().post("/_transaction", data={"name": "bez pola"})
    assert response.status_code == 422
    value, errors, flashed = response.get_data(as_text=True).split("|")
    assert (value, errors, flashed) == ("bez pola", "", "Odmowa bez pola.")
    assert _categories(page_app, "bez pola") == 0


def test_any_other_error_rolls_back_and_goes_on(page_app, smtp_server):
    with page_app.test_request_context(), pytest.raises(RuntimeError):
        with committing():
            _save_category("awaria")
    response = page_app.test_client().post("/_transaction", data={"name": "awaria"})
    assert response.status_code == 500
    assert _categories(page_app, "awaria") == 0
    assert _outbox(page_app) == 0
    assert smtp_server.messages == []


def test_the_helper_outside_a_form_commits_or_keeps_the_error(app):
    with app.test_request_context():
        with committing() as done:
            db.session.add(Category(slug="a", name="A"))
        assert done and done.error is None and done.status == 200
        with committing(show=False) as refused:
            db.session.add(Category(slug="b", name="B"))
            raise StaleVersion("Ktoś był szybszy.")
        assert not refused
        assert refused.status == 409 and refused.message == "Ktoś był szybszy."
        assert get_flashed_messages() == []
        names = db.session.scalars(select(Category.name).order_by(Category.name)).all()
        assert "A" in names and "B" not in names


def test_an_uncaught_refusal_is_an_error_page_with_its_status(make_app):
    def refuse():  # noqa: ANN202
        raise ServiceError("Nie w tym stanie.", status=409)

    app = make_app()  # an app of its own: this test adds views to it
    app.add_url_rule("/_refuse", "refuse_test", refuse)
    app.add_url_rule("/api/_refuse", "refuse_api_test", refuse)
    page = app.test_client().get("/_refuse")
    assert page.status_code == 409
    assert "Nie w tym stanie." in page.get_data(as_text=True)
    api = app.test_client().get("/api/_refuse")
    assert api.status_code == 409
    assert api.get_json()["message"] == "Nie w tym stanie."
