from app.models import Idea


def test_fixtures_give_a_working_app(client, make):
    idea = make.idea(title="Opera na odkrywce")
    assert make.get(Idea, idea.id).title == "Opera na odkrywce"
    assert client.get("/healthz").json == {"status": "ok", "database": "ok"}


def test_each_test_starts_with_an_empty_database(make):
    assert make.count(Idea) == 0


def test_real_smtp_server_receives_queued_mail(mail_app, smtp_server):
    from app.extensions import db
    from app.mail import deliver_due, queue_mail

    with mail_app.test_request_context():
        queue_mail("anna@example.org", "test_message", "Temat", body="Treść")
        db.session.commit()
        assert deliver_due() == (1, 0)
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "anna@example.org"
    assert "Treść" in smtp_server.text_of(message)
