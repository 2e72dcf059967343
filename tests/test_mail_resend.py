""" "Wyślij ponownie" on the "Sprawdź skrzynkę" page, and the warning where a
resident types an address whose server refused mail before."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.mail import deliver_due
from app.models import Idea, IdeaStatus, OutboxMessage, OutboxStatus, utcnow
from tests.submission_support import form_data, link_in


def _submit(client, make, **overrides):
    make.process(title="Transformacja regionu")
    category = make.category(slug="energia", name="Energia")
    response = client.post("/ideas/new", data=form_data(category.slug, **overrides))
    assert response.status_code == 303
    return client.get("/ideas/sent")


def _age_messages(app, minutes: int) -> None:
    with app.app_context():
        for message in db.session.scalars(select(OutboxMessage)):
            message.created_at = message.created_at - timedelta(minutes=minutes)
            if message.resent_at is not None:
                message.resent_at = message.resent_at - timedelta(minutes=minutes)
        db.session.commit()


def test_resend_is_offered_after_a_few_minutes_and_sends_the_same_link_again(
    mail_app, mail_client, make, smtp_server
):
    page = _submit(mail_client, make).get_data(as_text=True)
    [first] = smtp_server.wait_for(1)
    assert "Wyślij ponownie" not in page
    assert "za 5 min możesz poprosić o ponowną wysyłkę" in page
    # Too soon: refused with the time to wait, nothing queued.
    early = mail_client.post("/ideas/sent/resend")
    assert early.status_code == 429
    assert "za 5 min" in early.get_data(as_text=True)

    _age_messages(mail_app, 6)
    page = mail_client.get("/ideas/sent").get_data(as_text=True)
    assert "Wyślij ponownie" in page
    response = mail_client.post("/ideas/sent/resend")
    assert response.status_code == 303
    assert "Wysłaliśmy wiadomość ponownie" in mail_client.get("/ideas/sent").get_data(as_text=True)
    first, second = smtp_server.wait_for(2)
    path = link_in(smtp_server.text_of(first), "confirm")
    # The same message: the same link, no second token, one outbox row.
    assert link_in(smtp_server.text_of(second), "confirm") == path
    with mail_app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(OutboxMessage)) == 1
    # Right after a resend the button waits again.
    again = mail_client.post("/ideas/sent/resend")
    assert again.status_code == 429
    assert len(smtp_server.messages) == 2
    # The link works.
    assert mail_client.get(path).status_code == 200
    with mail_app.app_context():
        assert db.session.scalar(select(Idea)).status == IdeaStatus.AWAITING_REVIEW


def test_resend_during_an_outage_puts_the_waiting_message_first_in_line(
    mail_app, mail_client, make, smtp_server
):
    smtp_server.stop()
    _submit(mail_client, make)
    _age_messages(mail_app, 10)
    assert mail_client.post("/ideas/sent/resend").status_code == 303
    with mail_app.app_context():
        [message] = db.session.scalars(select(OutboxMessage)).all()
        assert message.status == OutboxStatus.PENDING
        assert message.resent_at is not None
    smtp_server.start()
    with mail_app.app_context():
        assert deliver_due(now=utcnow() + timedelta(minutes=1)) == (1, 0)
    assert len(smtp_server.wait_for(1)) == 1


def test_no_resend_once_the_idea_is_confirmed(mail_app, mail_client, make, smtp_server):
    _submit(mail_client, make)
    [message] = smtp_server.wait_for(1)
    assert mail_client.get(link_in(smtp_server.text_of(message), "confirm")).status_code == 200
    _age_messages(mail_app, 10)
    assert "Wyślij ponownie" not in mail_client.get("/ideas/sent").get_data(as_text=True)
    response = mail_client.post("/ideas/sent/resend")
    assert response.status_code == 409
    assert "już potwierdzone" in response.get_data(as_text=True)


def test_resend_without_a_submission_in_this_browser_is_a_clear_404(client):
    response = client.post("/ideas/sent/resend")
    assert response.status_code == 404
    assert "Nie znaleźliśmy tego zgłoszenia" in response.get_data(as_text=True)


def test_the_form_tells_when_mail_to_that_address_bounced_before(
    mail_app, mail_client, make, smtp_server
):
    smtp_server.unknown_recipients.add("anna@example.org")
    page = _submit(mail_client, make).get_data(as_text=True)
    assert "nie dotarła" not in page  # nothing known yet
    with mail_app.app_context():
        [message] = db.session.scalars(select(OutboxMessage)).all()
        assert message.status == OutboxStatus.FAILED
    category_slug = "energia"
    response = mail_client.post(
        "/ideas/new", data=form_data(category_slug, title="Drugi pomysł o ścieżce")
    )
    assert response.status_code == 303
    page = mail_client.get("/ideas/sent").get_data(as_text=True)
    assert "poprzednia wiadomość na ten adres nie dotarła" in page


def test_the_support_form_tells_when_mail_to_that_address_bounced_before(
    mail_app, mail_client, make, smtp_server
):
    idea = make.idea()
    other = make.idea()
    smtp_server.unknown_recipients.add("ola@example.org")
    mail_client.post(f"/ideas/{idea.id}/support", data={"email": "ola@example.org"})
    response = mail_client.post(
        f"/ideas/{other.id}/support", data={"email": "ola@example.org"}, follow_redirects=True
    )
    assert "poprzednia wiadomość na ten adres nie dotarła" in response.get_data(as_text=True)


def test_the_sent_page_shows_the_typed_address_in_full(client, make):
    page = _submit(client, make, email="jan.kowalski@example.org").get_data(as_text=True)
    assert "jan.kowalski@example.org" in page
    assert "j***@example.org" not in page
    assert 'href="/ideas/sent/email"' in page


def test_popraw_adres_sends_a_new_link_to_the_new_address_and_the_old_one_stops_working(
    mail_app, mail_client, make, smtp_server
):
    _submit(mail_client, make, email="jan@exmaple.org")
    [first] = smtp_server.wait_for(1)
    old_link = link_in(smtp_server.text_of(first), "confirm")
    form = mail_client.get("/ideas/sent/email").get_data(as_text=True)
    assert 'value="jan@exmaple.org"' in form

    response = mail_client.post("/ideas/sent/email", data={"email": "jan@example.org"})
    assert response.status_code == 303
    page = mail_client.get("/ideas/sent").get_data(as_text=True)
    assert "Wysłaliśmy nową wiadomość na adres jan@example.org" in page
    assert "jan@exmaple.org" not in page
    _first, second = smtp_server.wait_for(2)
    assert smtp_server.delivered_to() == ["jan@exmaple.org", "jan@example.org"]
    new_link = link_in(smtp_server.text_of(second), "confirm")
    assert new_link != old_link
    assert mail_client.get(old_link).status_code == 404
    assert mail_client.get(new_link).status_code == 200
    with mail_app.app_context():
        idea = db.session.scalar(select(Idea))
        assert (idea.email, idea.status) == ("jan@example.org", IdeaStatus.AWAITING_REVIEW)
        kinds = [event.kind for event in idea.events]
        assert "email_corrected" in kinds
    # Confirmed: the address can no longer be changed from this page.
    late = mail_client.post("/ideas/sent/email", data={"email": "inny@example.org"})
    assert late.status_code == 303
    assert "Tego zgłoszenia nie można już zmienić" in mail_client.get("/ideas/sent").get_data(
        as_text=True
    )
    assert "Popraw adres" not in mail_client.get("/ideas/sent").get_data(as_text=True)


def test_an_unsent_confirmation_to_the_old_address_is_dropped(
    mail_app, mail_client, make, smtp_server
):
    smtp_server.stop()  # the first message stays queued
    _submit(mail_client, make, email="jan@exmaple.org")
    assert (
        mail_client.post("/ideas/sent/email", data={"email": "jan@example.org"}).status_code == 303
    )
    with mail_app.app_context():
        rows = db.session.scalars(select(OutboxMessage)).all()
        assert [row.recipient for row in rows] == ["jan@example.org"]


def test_a_wrong_new_address_is_refused_at_the_field_with_what_was_typed(client, make):
    _submit(client, make, email="jan@exmaple.org")
    response = client.post("/ideas/sent/email", data={"email": "jan@@example"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="email-error"' in page and 'value="jan@@example"' in page
    with client.application.app_context():
        assert db.session.scalar(select(Idea)).email == "jan@exmaple.org"


def test_popraw_adres_without_a_submission_in_this_browser_goes_back(client):
    response = client.post("/ideas/sent/email", data={"email": "jan@example.org"})
    assert response.status_code == 303
