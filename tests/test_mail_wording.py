"""What residents read in their mail: one greeting and one signature, the
author's private link in every mail about their idea, wording that does not
assume a gender, and answers' Markdown as plain text and as HTML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.markdown import markdown_text
from app.models import IdeaStatus
from tests.factories import Factory
from tests.moderation_support import decide

S = IdeaStatus
EMAIL_TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "email"
# Masculine-only past forms and slashed endings ("zapisany(-a)", "dostałeś").
GENDERED = re.compile(r"\w+(?:łeś|łaś)\b|\(-a\)|\(-aś\)|/-aś|\w+\(a\)", re.IGNORECASE)


@pytest.fixture
def mail_make(mail_app):
    return Factory(mail_app)


@pytest.fixture
def mail_staff(mail_client, mail_make):
    user = mail_make.user(role="admin")
    response = mail_client.post(
        "/staff/login", data={"email": user.email, "password": Factory.PASSWORD}
    )
    assert response.status_code == 302
    return user


def test_markdown_text_keeps_structure_and_drops_the_marks():
    text = markdown_text(
        "## Decyzja\n\nPomysł **przyjęty**, zob. [plan](https://example.org/plan).\n\n"
        "- pierwszy\n- drugi *ważny*\n\n> cytat\n\n1. raz\n2. dwa"
    )
    assert text == (
        "Decyzja\n\nPomysł przyjęty, zob. plan (https://example.org/plan).\n\n"
        "- pierwszy\n- drugi ważny\n\n> cytat\n\n1. raz\n2. dwa"
    )
    assert markdown_text("") == ""
    assert markdown_text("<https://example.org>") == "https://example.org"


def test_no_mail_template_assumes_a_gender():
    found = {
        path.name: GENDERED.findall(path.read_text(encoding="utf-8"))
        for path in EMAIL_TEMPLATES.iterdir()
    }
    assert {name: words for name, words in found.items() if words} == {}


def test_every_mail_to_an_author_carries_the_tracking_link_greeting_and_signature(
    mail_app, mail_client, mail_make, mail_staff, smtp_server
):
    process = mail_make.process()
    category = mail_make.category()
    ideas = {
        action: mail_make.idea(
            status=S.PUBLISHED if action in ("hide", "answer") else S.AWAITING_REVIEW,
            process_id=process.id,
            category_id=category.id,
            email=f"{action}@example.org",
        )
        for action in ("publish", "reject", "request_changes", "merge", "hide", "answer")
    }
    target = mail_make.idea(status=S.PUBLISHED, process_id=process.id, category_id=category.id)
    reason = "Uzasadnienie decyzji moderatora."
    assert decide(mail_client, ideas["publish"], "publish").status_code == 303
    for action in ("reject", "request_changes", "hide"):
        assert decide(mail_client, ideas[action], action, reason=reason).status_code == 303
    merged = decide(mail_client, ideas["merge"], "merge", reason=reason, merge_into=target.id)
    assert merged.status_code == 303
    answered = mail_client.post(
        f"/staff/ideas/{ideas['answer'].id}/answer",
        data={
            "result_status": "accepted",
            "progress": "10",
            "answer": "Pomysł **przyjęty** do programu.\n\n- etap pierwszy\n- etap drugi\n\n"
            "Szczegóły: [harmonogram](https://example.org/plan).",
        },
    )
    assert answered.status_code in (302, 303)
    withdrawn = mail_make.idea(status=S.AWAITING_REVIEW, email="withdraw@example.org")
    ideas["withdraw"] = withdrawn
    assert mail_client.post(f"/ideas/track/{withdrawn.track_token}/withdraw").status_code in (
        302,
        303,
    )

    smtp_server.wait_for(len(ideas))
    for action, idea in ideas.items():
        [message] = smtp_server.to(idea.email)
        text = smtp_server.text_of(message).replace("\r\n", "\n")
        html = smtp_server.html_of(message)
        link = f"http://odkrywka.test/ideas/track/{idea.track_token}"
        assert link in text, action
        assert f'href="{link}"' in html, action
        assert text.startswith("Dzień dobry,\n"), action
        assert text.count("Dzień dobry") == 1, action
        assert "Pozdrawiamy\nZespół konsultacji Odkrywka" in text, action
        assert "Zespół konsultacji Odkrywka" in html, action
        assert not GENDERED.search(text), action

    [answer] = smtp_server.to("answer@example.org")
    text = smtp_server.text_of(answer).replace("\r\n", "\n")
    html = smtp_server.html_of(answer)
    assert "Pomysł przyjęty do programu." in text and "**" not in text
    assert "- etap pierwszy\n- etap drugi" in text
    assert "harmonogram (https://example.org/plan)" in text
    assert "<strong>przyjęty</strong>" in html and "<li>etap drugi</li>" in html


def test_a_registration_cancelled_by_staff_is_mailed_as_the_organisers_doing(
    mail_app, mail_client, mail_make, mail_staff, smtp_server
):
    from tests.workshops_support import confirm_direct, register_direct, registration_by_token

    workshop = mail_make.workshop()
    [token] = register_direct(mail_app, workshop.id, 1, email_pattern="ola{}@example.org")
    confirm_direct(mail_app, token)
    registration = registration_by_token(mail_app, token)
    response = mail_client.post(
        f"/staff/workshops/{workshop.id}/registrations/{registration.id}/cancel",
        data={"confirm": "y"},
    )
    assert response.status_code in (302, 303)
    smtp_server.wait_for(1)
    [cancelled] = [
        message
        for message in smtp_server.to("ola0@example.org")
        if message["Subject"].startswith("Zapis anulowany")
    ]
    text = smtp_server.text_of(cancelled)
    assert "Organizator spotkania" in text and "anulował Twój zapis" in text
    assert "Dziękujemy, że dajesz znać" not in text
    assert "Zespół konsultacji Odkrywka" in text
