"""The author's private page shows the organiser's official answer."""

from __future__ import annotations

import html

import pytest

from tests.factories import Factory
from tests.moderation_support import decide
from tests.test_submission import submit_and_confirm


@pytest.fixture
def category(make):
    make.process(slug="transformacja", title="Transformacja regionu")
    return make.category(slug="srodowisko", name="Środowisko")


def staff(app, make, role: str):
    client = app.test_client()
    user = make.user(role=role)
    response = client.post("/staff/login", data={"email": user.email, "password": Factory.PASSWORD})
    assert response.status_code == 302
    return client


def test_tracking_page_shows_the_answer_status_progress_and_supports(client, app, make, category):
    idea, track = submit_and_confirm(client, app, category)
    assert decide(staff(app, make, "moderator"), idea, "publish").status_code in (302, 303)
    before = client.get(track).get_data(as_text=True)
    assert "Odpowiedź organizatora konsultacji" not in before

    response = staff(app, make, "editor").post(
        f"/staff/ideas/{idea.id}/answer",
        data={
            "result_status": "accepted",
            "answer": "Wpisaliśmy pomysł do **programu** regionalnego.",
            "progress": "10",
        },
    )
    assert response.status_code in (302, 303)

    page = html.unescape(client.get(track).get_data(as_text=True))
    answer = page[page.index("Odpowiedź organizatora konsultacji") : page.index("Treść pomysłu")]
    assert "Przyjęty do programu" in answer
    assert "Wpisaliśmy pomysł do <strong>programu</strong> regionalnego." in answer
    assert 'value="10"' in answer and "10%" in answer
    assert "0 osób popiera ten pomysł" in answer
    assert "Status w katalogu:" in page

    history = page[page.index("Historia i wiadomości") :]
    entry = history[history.index("Organizator udzielił odpowiedzi") :]
    entry = entry[: entry.index("</li>")]
    assert "Organizator konsultacji" in entry
    assert "Przyjęty do programu" in entry
    assert "postęp realizacji: 10%" in entry
    assert "<strong>programu</strong>" in entry
    assert "Zespół moderatorów" not in entry


def test_every_answer_sits_at_its_own_history_entry(client, app, make, category):
    idea, track = submit_and_confirm(client, app, category)
    decide(staff(app, make, "moderator"), idea, "publish")
    editor = staff(app, make, "editor")
    for status, text in (
        ("under_analysis", "Analizujemy koszty."),
        ("in_progress", "Trwa budowa."),
    ):
        editor.post(
            f"/staff/ideas/{idea.id}/answer",
            data={"result_status": status, "answer": text, "progress": "40"},
        )
    page = html.unescape(client.get(track).get_data(as_text=True))
    history = page[page.index("Historia i wiadomości") :]
    # Newest first, each text under its own entry.
    assert history.index("Trwa budowa.") < history.index("Analizujemy koszty.")
    assert history.count("Organizator udzielił odpowiedzi") == 2
    top = page[page.index("Odpowiedź organizatora konsultacji") : page.index("Treść pomysłu")]
    assert "Trwa budowa." in top and "Analizujemy koszty." not in top
    assert "W realizacji" in top
