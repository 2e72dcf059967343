"""Official answers: staff publish them, the timeline keeps them all, the
author and the supporters who asked are told by e-mail."""

from __future__ import annotations

import re

import pytest
from flask import render_template
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Idea, IdeaAnswer, IdeaEvent, IdeaStatus, Support, utcnow


def add_support(app, idea, email: str, notify: bool, confirmed: bool = True) -> None:
    with app.app_context():
        db.session.add(Support(idea_id=idea.id, email=email, notify=notify,
                               confirmed_at=utcnow() if confirmed else None))  # fmt: skip
        db.session.commit()


def answer(client, idea, **fields):
    data = {
        "result_status": "in_progress",
        "answer": "Budowa **ruszyła** w marcu.",
        "progress": "40",
    }
    data.update(fields)
    return client.post(f"/staff/ideas/{idea.id}/answer", data=data)


@pytest.fixture
def staff_client(mail_app, make):
    client = mail_app.test_client()
    user = make.user(role="editor")
    from tests.factories import Factory

    response = client.post("/staff/login", data={"email": user.email, "password": Factory.PASSWORD})
    assert response.status_code == 302
    client.user = user
    return client


def test_answer_updates_the_idea_and_is_kept(staff_client, mail_app, make):
    idea = make.idea(title="Zieleń przy dworcu")
    response = answer(staff_client, idea, next=f"/ideas/{idea.id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/ideas/{idea.id}")
    saved = make.get(Idea, idea.id)
    assert (saved.result_status, saved.progress) == ("in_progress", 40)
    with mail_app.app_context():
        [entry] = db.session.scalars(select(IdeaAnswer)).all()
        assert entry.author_id == staff_client.user.id
        assert entry.answer == "Budowa **ruszyła** w marcu."
        event = db.session.scalar(select(IdeaEvent).where(IdeaEvent.kind == "answered"))
        assert (event.from_status, event.to_status) == ("published", "in_progress")
        audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "idea.answer"))
        assert audit.object_id == idea.id and audit.actor_id == staff_client.user.id
        assert (audit.from_state, audit.to_state) == ("published", "in_progress")


def test_every_answer_stays_on_the_public_timeline(staff_client, make):
    idea = make.idea()
    answer(
        staff_client,
        idea,
        result_status="under_analysis",
        answer="Analizujemy koszty.",
        progress="0",
    )
    answer(
        staff_client, idea, result_status="accepted", answer="Wpisaliśmy do programu.", progress="0"
    )
    answer(staff_client, idea, result_status="in_progress", answer="Trwa *budowa*.", progress="65")
    assert make.count(IdeaAnswer, idea_id=idea.id) == 3
    html = staff_client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    positions = [
        html.index(text)
        for text in ("Analizujemy koszty.", "Wpisaliśmy do programu.", "<em>budowa</em>")
    ]
    assert positions == sorted(positions)
    assert 'value="65"' in html and "65%" in html


def test_answer_markdown_is_sanitised(staff_client, make):
    idea = make.idea()
    answer(
        staff_client,
        idea,
        answer="Zobacz <script>alert(1)</script> [to](javascript:alert(1)) <img src=x onerror=alert(1)>",
    )
    html = staff_client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert 'href="javascript' not in html
    assert re.search(r"<img[^>]*onerror", html) is None


def test_author_and_notified_supporters_get_an_email(staff_client, mail_app, make, smtp_server):
    idea = make.idea(title="Nowa ścieżka", email="autorka@example.org")
    add_support(mail_app, idea, "chce@example.org", notify=True)
    add_support(mail_app, idea, "niechce@example.org", notify=False)
    add_support(mail_app, idea, "niepotwierdzony@example.org", notify=True, confirmed=False)
    assert (
        answer(
            staff_client, idea, result_status="accepted", answer="Przyjęte **w całości**."
        ).status_code
        == 302
    )
    messages = smtp_server.wait_for(2)
    recipients = sorted(m["To"] for m in messages)
    assert recipients == ["autorka@example.org", "chce@example.org"]
    author = smtp_server.to("autorka@example.org")[0]
    text = smtp_server.text_of(author)
    assert "Nowa ścieżka" in text and "Przyjęty do programu" in text
    assert f"http://odkrywka.test/ideas/{idea.id}-" in text
    assert "<strong>w całości</strong>" in smtp_server.html_of(author)
    supporter = smtp_server.text_of(smtp_server.to("chce@example.org")[0])
    assert "który popierasz" in supporter
    assert "autorka@example.org" not in supporter


def test_implemented_means_full_progress(staff_client, make):
    idea = make.idea()
    answer(
        staff_client, idea, result_status="implemented", answer="Gotowe, zapraszamy!", progress="70"
    )
    assert make.get(Idea, idea.id).progress == 100


@pytest.mark.parametrize(
    "fields",
    [{"result_status": "published"}, {"result_status": "cudowny"}, {"progress": "150"},
     {"progress": "-1"}, {"progress": "abc"}, {"answer": ""}, {"answer": "krótko"}],
)  # fmt: skip
def test_invalid_answers_are_refused_with_400(staff_client, make, fields):
    idea = make.idea()
    response = answer(staff_client, idea, **fields)
    assert response.status_code == 400
    assert 'id="error-summary"' in response.get_data(as_text=True)
    assert make.count(IdeaAnswer) == 0
    assert make.get(Idea, idea.id).result_status == "published"


@pytest.mark.parametrize(
    "status", [IdeaStatus.AWAITING_REVIEW, IdeaStatus.REJECTED, IdeaStatus.HIDDEN]
)
def test_only_published_ideas_can_be_answered(staff_client, make, status):
    idea = make.idea(status=status)
    assert answer(staff_client, idea).status_code == 409
    assert make.count(IdeaAnswer) == 0


def test_answering_needs_a_staff_sign_in(client, make):
    idea = make.idea()
    response = answer(client, idea)
    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]
    assert make.count(IdeaAnswer) == 0


@pytest.mark.parametrize("role", ["admin", "moderator", "editor"])
def test_every_staff_role_may_answer(client, login, make, role):
    login(role)
    idea = make.idea()
    assert answer(client, idea).status_code == 302


def test_answer_route_only_accepts_post(client, login, make):
    login("editor")
    idea = make.idea()
    assert client.get(f"/staff/ideas/{idea.id}/answer").status_code == 405


def test_staff_answer_partial_renders_with_just_the_idea(app, make):
    idea = make.idea(result_status="accepted", progress=30)
    with app.test_request_context(f"/staff/ideas/{idea.id}"):
        html = render_template("catalogue/_staff_answer.html", idea=make.get(Idea, idea.id))
    assert f'action="/staff/ideas/{idea.id}/answer"' in html
    assert 'name="result_status"' in html and 'name="answer"' in html and 'name="progress"' in html
    assert '<option selected value="accepted">' in html or 'value="accepted" selected' in html
    assert 'value="30"' in html
