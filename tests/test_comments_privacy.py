"""Commenters' personal data: download, erasure (by the person and by
staff) and retention, checked in the database: no column of any table
keeps the name, the address or the words afterwards."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select, update

from app.extensions import db
from app.maintenance import purge_all
from app.models import Comment, CommentAlert, CommenterBrowser, Idea, Process, utcnow
from tests.comments_support import MANAGE, comments, mailed, post, post_confirmed
from tests.test_privacy_erasure_everywhere import NOT_TEXT, textual

NAME = "Bożydar Qwertyński-Xylofon"
EMAIL = "bozydar.xylofon@poczta-qwerty.example.org"
TEXT = "Na starej bocznicy Qwertyńskiej leżą tory aż do parku."
EDITED = "Na starej bocznicy Qwertyńskiej wciąż leżą tory aż do parku."
REPLIED = "Komentarz Xylofonowy, na który ktoś odpowiedział."
PERSONAL = (NAME, EMAIL, TEXT, EDITED, REPLIED, "Qwertyńsk", "Xylofon")


def leftovers(app) -> list[str]:  # noqa: ANN001
    needles = [value.lower() for value in PERSONAL]
    found = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if not isinstance(c.type, NOT_TEXT)]
            if not columns:
                continue
            for row in db.session.execute(select(*columns)):
                for column, value in zip(columns, row, strict=True):
                    if value is not None and any(n in textual(value).lower() for n in needles):
                        found.append(f"{table.name}.{column.name}: {textual(value)[:80]}")
    return found


def discussion_with_personal_data(app, make):  # noqa: ANN001, ANN201
    """A resident comments twice (one comment gets a reply from someone
    else, one is edited), reports land on it, the author is notified."""
    idea = make.idea()
    with app.app_context():
        db.session.add(CommentAlert(idea_id=idea.id, cadence="immediate"))
        db.session.commit()
    resident = app.test_client()
    first = post_confirmed(resident, app, idea.id, REPLIED, author_name=NAME, email=EMAIL)
    post(resident, idea.id, TEXT, author_name=NAME, email=EMAIL)
    manage = mailed(app, EMAIL, MANAGE)[-1]
    assert resident.post(manage, data={"body": EDITED}).status_code == 303
    other = app.test_client()
    post_confirmed(other, app, idea.id, "Odpowiadam komuś.", parent_id=str(first.id),
                   email="inna@example.org", author_name="Inna")  # fmt: skip
    other.post(f"/ideas/{idea.id}/comments/{first.id}/report",
               data={"reason": "Czy to nie reklama bocznicy?"})  # fmt: skip
    assert leftovers(app)  # the data is there before
    return idea, resident, manage, first


def test_the_resident_erases_everything_from_the_private_link(app, make):
    idea, resident, manage, first = discussion_with_personal_data(app, make)
    assert resident.get(manage + "/erase").status_code == 200
    response = resident.post(manage + "/erase")
    assert response.status_code == 303
    assert "odkrywka_commenter=;" in response.headers["Set-Cookie"]
    assert leftovers(app) == []
    # The replied-to comment stays as an empty marker; the reply is untouched.
    marker = [c for c in comments(app) if c.id == first.id][0]
    assert marker.status == "deleted" and marker.body == ""
    assert [c.body for c in comments(app) if c.parent_id == first.id] == ["Odpowiadam komuś."]
    assert make.count(CommenterBrowser, email=EMAIL) == 0
    assert make.count(CommenterBrowser, email="inna@example.org") == 1
    assert make.get(Idea, idea.id).comments_count == 1
    page = app.test_client().get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "komentarz usunięty przez autora" in page and "Odpowiadam komuś." in page
    assert resident.get(manage).status_code == 404


def test_staff_find_export_and_erase_comments_with_the_other_data(app, make, client, login):
    discussion_with_personal_data(app, make)
    login("moderator")
    found = client.post("/staff/privacy", data={"email": EMAIL}).get_data(as_text=True)
    assert "Komentarze" in found and "Na starej bocznicy" in found
    exported = client.post("/staff/privacy/export", data={"email": EMAIL})
    data = json.loads(exported.get_data(as_text=True))
    assert {c["text"] for c in data["comments"]} == {REPLIED, EDITED}
    assert data["comments"][0]["name"] == NAME
    erased = client.post("/staff/privacy/erase", data={"email": EMAIL, "confirm": "y"})
    assert erased.status_code == 303
    assert leftovers(app) == []


def test_the_private_link_downloads_the_residents_data(app, make):
    _idea, resident, manage, _first = discussion_with_personal_data(app, make)
    response = resident.get(manage + "/data.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["email"] == EMAIL
    assert {c["text"] for c in data["comments"]} == {REPLIED, EDITED}
    assert len(data["trusted_browsers"]) == 1
    assert data["comment_emails"]


def test_retention_after_the_consultation_keeps_the_words_not_the_address(app, make):
    process = make.process(opens_at=utcnow() - timedelta(days=500),
                           closes_at=utcnow() - timedelta(days=10))  # fmt: skip
    idea = make.idea(process_id=process.id)
    with app.app_context():
        db.session.execute(update(Process).where(Process.id == process.id)
                           .values(closes_at=utcnow() + timedelta(days=1)))  # fmt: skip
        db.session.commit()
    post_confirmed(app.test_client(), app, idea.id, TEXT, author_name=NAME, email=EMAIL)
    post(app.test_client(), idea.id, "Niepotwierdzony komentarz.", email="nikt@example.org")
    with app.app_context():
        db.session.execute(update(Process).where(Process.id == process.id)
                           .values(closes_at=utcnow() - timedelta(days=400)))  # fmt: skip
        db.session.execute(update(Comment).where(Comment.status == "pending")
                           .values(created_at=utcnow() - timedelta(days=8)))  # fmt: skip
        db.session.commit()
        purge_all()
        db.session.commit()
    [kept] = comments(app)
    assert (kept.body, kept.author_name, kept.email) == (TEXT, NAME, None)
    assert kept.manage_token_hash is None
    with app.app_context():
        assert db.session.scalar(select(Comment).where(Comment.email == EMAIL)) is None


def test_the_privacy_notice_tells_about_comments(client):
    text = client.get("/privacy").get_data(as_text=True)
    assert "Komentarz pod pomysłem" in text
    assert "odkrywka_commenter" in text
    assert "Po zakończeniu konsultacji komentarze zostają" in text


def test_readers_keys_on_closed_reports_are_forgotten_for_ideas_and_comments(app, make, client):
    """A report keeps its reader's keyed address while it is open and a week
    after it was closed (one reader cannot flag twice), then loses it."""
    from app.models import CommentReport, Report

    idea = make.idea()
    comment = post_confirmed(client, app, idea.id, "Komentarz, który ktoś zgłosi.")
    now = utcnow()
    with app.app_context():
        for model, owner in (
            (Report, {"idea_id": idea.id}),
            (CommentReport, {"comment_id": comment.id}),
        ):
            for label, resolved in (
                ("old", now - timedelta(days=8)),
                ("recent", now - timedelta(days=2)),
                ("open", None),
            ):
                db.session.add(
                    model(
                        reason=f"Zgłoszenie {label}.",
                        reporter_hash=f"{model.__name__}-{label}",
                        resolved_at=resolved,
                        **owner,
                    )
                )
        db.session.commit()
        purge_all()
        db.session.commit()
        for model in (Report, CommentReport):
            kept = dict(db.session.execute(select(model.reason, model.reporter_hash)).all())
            assert kept == {
                "Zgłoszenie old.": None,
                "Zgłoszenie recent.": f"{model.__name__}-recent",
                "Zgłoszenie open.": f"{model.__name__}-open",
            }
