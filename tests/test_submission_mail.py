"""The whole submission path against a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.mail import deliver_due
from app.models import Idea, IdeaStatus, OutboxMessage, OutboxStatus
from tests.submission_support import form_data, link_in


def test_submit_confirm_track_edit_withdraw_by_mail(mail_app, mail_client, smtp_server, make):
    make.process(title="Transformacja regionu")
    category = make.category(slug="energia", name="Energia")

    response = mail_client.post("/ideas/new", data=form_data(category.slug))
    assert response.status_code == 303

    [confirmation] = smtp_server.wait_for(1)
    assert confirmation["To"] == "anna@example.org"
    assert confirmation["Subject"] == "Potwierdź zgłoszenie pomysłu"
    text = smtp_server.text_of(confirmation)
    html = smtp_server.html_of(confirmation)
    assert "Ścieżka rowerowa wokół jeziora" in text
    confirm_path = link_in(text, "confirm")
    assert confirm_path in html
    assert "http://odkrywka.test/ideas/confirm/" in text  # absolute link under BASE_URL

    assert mail_client.get(confirm_path).status_code == 200
    messages = smtp_server.wait_for(2)
    tracking = messages[1]
    assert tracking["Subject"] == "Twój pomysł czeka na moderację"
    track_path = link_in(smtp_server.text_of(tracking), "track")
    assert track_path in smtp_server.html_of(tracking)

    page = mail_client.get(track_path).get_data(as_text=True)
    assert "Czeka na moderację" in page

    with mail_app.app_context():
        idea = db.session.scalar(select(Idea))
        version = idea.version
    response = mail_client.post(
        f"{track_path}/edit",
        data={
            "title": "Ścieżka rowerowa i plaża przy jeziorze",
            "description": form_data(category.slug)["description"],
            "category": category.slug,
            "author_name": "Anna Kowalska",
            "show_author_name": "y",
            "version": str(version),
        },
    )
    assert response.status_code == 303
    assert "Ścieżka rowerowa i plaża przy jeziorze" in mail_client.get(track_path).get_data(
        as_text=True
    )

    assert mail_client.post(f"{track_path}/withdraw").status_code == 303
    messages = smtp_server.wait_for(3)
    withdrawn = messages[2]
    assert withdrawn["Subject"] == "Pomysł został wycofany"
    assert "Ścieżka rowerowa i plaża przy jeziorze" in smtp_server.text_of(withdrawn)
    assert smtp_server.html_of(withdrawn)
    with mail_app.app_context():
        assert db.session.scalar(select(Idea.status)) == IdeaStatus.WITHDRAWN
        statuses = db.session.scalars(select(OutboxMessage.status)).all()
    assert statuses == [OutboxStatus.SENT] * 3


def test_mail_server_down_loses_nothing_and_blocks_nothing(
    mail_app, mail_client, smtp_server, make
):
    make.process()
    category = make.category()
    smtp_server.stop()

    response = mail_client.post("/ideas/new", data=form_data(category.slug))
    assert response.status_code == 303  # the resident is not kept waiting
    with mail_app.app_context():
        idea = db.session.scalar(select(Idea))
        assert idea.status == IdeaStatus.UNCONFIRMED
        message = db.session.scalar(select(OutboxMessage))
        assert message.status == OutboxStatus.PENDING
        assert message.attempts == 1
        assert message.last_error

    smtp_server.start()
    with mail_app.app_context():
        # The retry is due after its backoff; a worker run later sends it.
        db.session.execute(
            OutboxMessage.__table__.update().values(next_attempt_at=message.created_at)
        )
        db.session.commit()
    runner = mail_app.test_cli_runner()
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "Sent 1" in result.output
    [delivered] = smtp_server.wait_for(1)
    confirm_path = link_in(smtp_server.text_of(delivered), "confirm")
    assert mail_client.get(confirm_path).status_code == 200
    smtp_server.wait_for(2)
    with mail_app.app_context():
        assert db.session.scalar(select(Idea.status)) == IdeaStatus.AWAITING_REVIEW


def test_confirmation_mail_waits_in_the_outbox_when_no_immediate_delivery(
    make_app, smtp_server, make
):
    app = make_app(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_DELIVER_AFTER_COMMIT=False
    )
    from tests.factories import Factory

    factory = Factory(app)
    factory.process()
    category = factory.category()
    client = app.test_client()
    assert client.post("/ideas/new", data=form_data(category.slug)).status_code == 303
    assert smtp_server.messages == []
    with app.app_context():
        assert deliver_due() == (1, 0)
    [message] = smtp_server.wait_for(1)
    assert "/ideas/confirm/" in smtp_server.text_of(message)
