"""The author hears about every decision by e-mail (a real SMTP server),
and moderators get one digest a day when something waits."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import DigestDelivery, IdeaStatus, Report
from app.timeutil import LOCAL_TZ
from tests.factories import Factory
from tests.moderation_support import add_event, decide, snapshot

S = IdeaStatus


@pytest.fixture
def mail_make(mail_app):
    return Factory(mail_app)


@pytest.fixture
def mail_moderator(mail_client, mail_make):
    user = mail_make.user(role="moderator")
    response = mail_client.post(
        "/staff/login", data={"email": user.email, "password": Factory.PASSWORD}
    )
    assert response.status_code == 302
    return user


def _only_message_to(smtp_server, address):  # noqa: ANN001, ANN202
    smtp_server.wait_for(1)
    [message] = smtp_server.to(address)
    return message, smtp_server.text_of(message), smtp_server.html_of(message)


def test_publish_mail_has_the_link_to_the_public_page(
    mail_client, mail_make, mail_moderator, smtp_server
):
    idea = mail_make.idea(status=S.AWAITING_REVIEW, title="Sad społeczny na hałdzie")
    assert decide(mail_client, idea, "publish").status_code == 303
    message, text, html = _only_message_to(smtp_server, idea.email)
    assert message["Subject"] == "Twój pomysł został opublikowany"
    link = f"http://odkrywka.test/ideas/{idea.id}-sad-spoleczny-na-haldzie"
    assert link in text
    assert f'href="{link}"' in html
    assert "„Sad społeczny na hałdzie”" in text


def test_reject_mail_gives_the_reason(mail_client, mail_make, mail_moderator, smtp_server):
    idea = mail_make.idea(status=S.AWAITING_REVIEW)
    reason = "Pomysł dotyczy innego województwa."
    assert decide(mail_client, idea, "reject", reason=reason).status_code == 303
    message, text, html = _only_message_to(smtp_server, idea.email)
    assert message["Subject"] == "Twój pomysł nie został opublikowany"
    assert reason in text
    assert reason in html


def test_changes_requested_mail_gives_the_reason_and_points_to_the_tracking_page(
    mail_client, mail_make, mail_moderator, smtp_server
):
    idea = mail_make.idea(status=S.AWAITING_REVIEW)
    reason = "Prosimy dopisać, w której gminie miałby powstać sad."
    assert decide(mail_client, idea, "request_changes", reason=reason).status_code == 303
    message, text, html = _only_message_to(smtp_server, idea.email)
    assert message["Subject"] == "Prosimy o poprawki w Twoim pomyśle"
    assert reason in text and reason in html
    # The author's own tracking link is in the mail itself, not "in an earlier one".
    link = f"/ideas/track/{idea.track_token}"
    assert link in text and f'href="http://odkrywka.test{link}"' in html
    assert "prywatną stronę pomysłu" in text and "dostałeś" not in text


def test_merge_mail_links_to_the_target(mail_client, mail_make, mail_moderator, smtp_server):
    target = mail_make.idea(status=S.PUBLISHED, title="Jezioro w wyrobisku")
    idea = mail_make.idea(status=S.AWAITING_REVIEW)
    response = decide(
        mail_client, idea, "merge", reason="Ten sam pomysł już jest.", merge_into=target.id
    )
    assert response.status_code == 303
    message, text, html = _only_message_to(smtp_server, idea.email)
    assert message["Subject"] == "Twój pomysł połączyliśmy z podobnym"
    link = f"http://odkrywka.test/ideas/{target.id}-jezioro-w-wyrobisku"
    assert link in text and f'href="{link}"' in html
    assert "Ten sam pomysł już jest." in text


def test_hide_mail_gives_the_reason(mail_client, mail_make, mail_moderator, smtp_server):
    idea = mail_make.idea(status=S.PUBLISHED)
    reason = "Opis zawiera numer telefonu sąsiada."
    assert decide(mail_client, idea, "hide", reason=reason).status_code == 303
    message, text, html = _only_message_to(smtp_server, idea.email)
    assert message["Subject"] == "Twój pomysł został ukryty"
    assert reason in text and reason in html


def test_publishing_a_hidden_idea_again_says_it_is_visible_again(
    mail_client, mail_make, mail_moderator, smtp_server
):
    idea = mail_make.idea(status=S.HIDDEN)
    assert decide(mail_client, idea, "publish").status_code == 303
    message, text, _html = _only_message_to(smtp_server, idea.email)
    assert message["Subject"] == "Twój pomysł jest znowu widoczny"


def test_an_idea_without_an_address_is_decided_without_mail(
    mail_app, mail_client, mail_make, mail_moderator, smtp_server
):
    idea = mail_make.idea(status=S.AWAITING_REVIEW, email=None, source="workshop")
    assert decide(mail_client, idea, "publish").status_code == 303
    assert snapshot(mail_app, idea.id).outbox == 0


@pytest.mark.parametrize(
    ("status", "action", "fields"),
    [
        (S.AWAITING_REVIEW, "reject", {"reason": ""}),
        (S.AWAITING_REVIEW, "unknown", {"reason": "Powód"}),
        (S.REJECTED, "publish", {}),
        (S.AWAITING_REVIEW, "merge", {"reason": "Duplikat", "merge_into": "999999"}),
    ],
)
def test_a_refused_decision_sends_no_mail(
    mail_app, mail_client, mail_make, mail_moderator, smtp_server, status, action, fields
):
    idea = mail_make.idea(status=status)
    response = decide(mail_client, idea, action, **fields)
    assert response.status_code in (400, 409)
    # A later, valid decision's mail is the only one that arrives.
    other = mail_make.idea(status=S.AWAITING_REVIEW)
    assert decide(mail_client, other, "publish").status_code == 303
    smtp_server.wait_for(1)
    assert [m["To"] for m in smtp_server.messages] == [other.email]


# --- the daily digest ---------------------------------------------------


@pytest.fixture
def digest_runner(mail_app):
    return mail_app.test_cli_runner()


def test_digest_goes_to_each_active_moderator_and_admin_once_a_day(
    mail_app, mail_make, digest_runner, smtp_server
):
    moderator = mail_make.user(role="moderator")
    admin = mail_make.user(role="admin")
    mail_make.user(role="editor")
    mail_make.user(role="moderator", active=False)
    mail_make.idea(status=S.AWAITING_REVIEW)
    revised = mail_make.idea(status=S.AWAITING_REVIEW)
    add_event(mail_app, revised.id, "author_revised", actor_label="author")
    reported = mail_make.idea(status=S.PUBLISHED)
    with mail_app.app_context():
        db.session.add(Report(idea_id=reported.id, reason="Wulgaryzmy w opisie pomysłu."))
        db.session.commit()

    result = digest_runner.invoke(args=["moderation", "digest"])
    assert result.exit_code == 0, result.output
    messages = smtp_server.wait_for(2)
    assert sorted(m["To"] for m in messages) == sorted([moderator.email, admin.email])
    text = smtp_server.text_of(smtp_server.to(moderator.email)[0])
    assert "nowe zgłoszenia: 1" in text
    assert "poprawione przez autorów: 1" in text
    assert "zgłoszone przez czytelników: 1" in text
    assert "http://odkrywka.test/staff/moderation" in text

    again = digest_runner.invoke(args=["moderation", "digest"])
    assert again.exit_code == 0, again.output
    assert "queued for 0" in again.output
    assert len(smtp_server.messages) == 2
    with mail_app.app_context():
        days = db.session.scalars(select(DigestDelivery.day)).all()
    assert days == [datetime.now(LOCAL_TZ).date()] * 2


def test_no_digest_when_nothing_waits(mail_app, mail_make, digest_runner, smtp_server):
    mail_make.user(role="moderator")
    mail_make.idea(status=S.PUBLISHED)
    mail_make.idea(status=S.CHANGES_REQUESTED)  # waits for the author, not for us
    result = digest_runner.invoke(args=["moderation", "digest"])
    assert result.exit_code == 0
    assert "Nothing waits" in result.output
    assert smtp_server.messages == []
    with mail_app.app_context():
        assert db.session.scalars(select(DigestDelivery)).all() == []


def test_a_moderator_added_later_in_the_day_still_gets_the_digest(
    mail_app, mail_make, digest_runner, smtp_server
):
    first = mail_make.user(role="moderator")
    mail_make.idea(status=S.AWAITING_REVIEW)
    digest_runner.invoke(args=["moderation", "digest"])
    smtp_server.wait_for(1)
    second = mail_make.user(role="moderator")
    digest_runner.invoke(args=["moderation", "digest"])
    smtp_server.wait_for(2)
    assert [m["To"] for m in smtp_server.messages] == [first.email, second.email]
