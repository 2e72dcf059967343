"""The submission's confirmation mail is rendered by the mail worker, not in
the request, and reads exactly as when it was rendered in the request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import mail
from app.extensions import db
from app.models import Idea, OutboxMessage, OutboxStatus
from tests.factories import Factory
from tests.submission_support import form_data, link_in


@pytest.fixture
def worker_app(make_app, smtp_server):
    """Requests only queue; the worker (``flask mail send``) delivers."""
    return make_app(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_DELIVER_AFTER_COMMIT=False
    )


def submit(app, lang: str = "pl") -> int:  # noqa: ANN001
    factory = Factory(app)
    factory.process()
    category = factory.category()
    client = app.test_client()
    if lang != "pl":
        client.post("/language", data={"lang": lang, "next": "/"})
    assert client.post("/ideas/new", data=form_data(category.slug)).status_code == 303
    with app.app_context():
        return db.session.scalar(select(Idea.id))


def as_rendered_in_the_request(app, idea_id: int, confirm_url: str):  # noqa: ANN001, ANN201
    """The message as queue_mail rendered it before: the same template, the
    idea object itself in the context."""
    with app.app_context():
        idea = db.session.get(Idea, idea_id)
        return mail._render(
            "idea_confirm",
            idea.locale,
            _l("Potwierdź zgłoszenie pomysłu"),
            {"idea": idea, "confirm_url": confirm_url,
             "retention_days": app.config["RETENTION_UNCONFIRMED_DAYS"]},
        )  # fmt: skip


def lines(text: str) -> list[str]:
    # As the mail travels: CRLF line ends.
    return [line.rstrip() for line in text.replace("\r\n", "\n").strip().split("\n")]


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_the_worker_renders_the_same_message_the_request_used_to(
    worker_app, smtp_server, lang
):
    idea_id = submit(worker_app, lang)
    with worker_app.app_context():
        waiting = db.session.scalar(select(OutboxMessage))
        # The request stored the subject and the context, not the body.
        assert waiting.body_text == "" and waiting.body_html is None
        assert waiting.render_context["idea"]["title"] == "Ścieżka rowerowa wokół jeziora"
        confirm_url = waiting.render_context["confirm_url"]
        subject = waiting.subject
    before = as_rendered_in_the_request(worker_app, idea_id, confirm_url)
    assert subject == before[0]

    result = worker_app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    [delivered] = smtp_server.wait_for(1)
    assert delivered["Subject"] == before[0]
    assert lines(smtp_server.text_of(delivered)) == lines(before[1])
    assert lines(smtp_server.html_of(delivered)) == lines(before[2])
    if lang == "en":
        assert "Confirm" in delivered["Subject"]
    with worker_app.app_context():
        stored = db.session.scalar(select(OutboxMessage))
        assert stored.status == OutboxStatus.SENT
        assert stored.render_context is None
        assert (stored.body_text, stored.body_html) == (before[1], before[2])


def test_resend_and_address_correction_work_before_the_worker_ran(worker_app, smtp_server):
    idea_id = submit(worker_app)
    client = worker_app.test_client()
    with client.session_transaction() as session:
        session["idea_sent_id"] = idea_id
        session["idea_sent_to"] = "anna@example.org"
    # "Popraw adres" drops the unsent message and queues a new one.
    response = client.post("/ideas/sent/email", data={"email": "anna.nowa@example.org"})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    with worker_app.app_context():
        [message] = db.session.scalars(select(OutboxMessage)).all()
        assert message.recipient == "anna.nowa@example.org"
        assert message.render_context is not None
        # The resident asks again later: still the same, waiting message.
        db.session.execute(
            OutboxMessage.__table__.update().values(
                created_at=message.created_at - timedelta(hours=1)
            )
        )
        db.session.commit()
    assert client.post("/ideas/sent/resend").status_code in (302, 303)
    worker_app.test_cli_runner().invoke(args=["mail", "send"])
    [delivered] = smtp_server.wait_for(1)
    assert delivered["To"] == "anna.nowa@example.org"
    assert "/ideas/confirm/" in link_in(smtp_server.text_of(delivered), "confirm")


def test_rerender_replaces_a_waiting_context(worker_app):
    submit(worker_app)
    with worker_app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        mail.rerender(
            message, "Nowy temat", idea={"title": "Inny tytuł", "locale": "pl"},
            confirm_url="http://odkrywka.test/ideas/confirm/nowy", retention_days=7,
        )  # fmt: skip
        db.session.commit()
        assert message.render_context is None
        assert "Inny tytuł" in message.body_text
        mail.render_waiting(message)  # nothing left to render
        assert "Inny tytuł" in message.body_text
