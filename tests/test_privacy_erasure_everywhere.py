"""Erasure and retention leave no copy behind: after a person's data is
erased (by the person, by staff, or by the retention purge), their name,
e-mail address and municipality appear in no text or JSON column of any
table of the database."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Boolean, Date, DateTime, Float, Integer, Numeric, select, update

from app.extensions import db
from app.maintenance import purge_all
from app.models import Idea, OutboxMessage, utcnow
from tests.moderation_support import decide
from tests.submission_support import form_data, link_in, minimal_pdf
from tests.workshops_support import form as registration_form
from tests.workshops_support import registration_path, upcoming

NAME = "Żywisława Qwertyńska-Brzęczyszczykiewicz"
EDITED_NAME = "Żywisława Q.-Brzęczyszczykiewicz"
EMAIL = "zywislawa.qwertynska@poczta-xylofon.example.org"
MUNICIPALITY = "Gmina Xylofonowo Dolne"
EDITED_MUNICIPALITY = "Gmina Xylofonowo Górne"
PERSONAL = (NAME, EDITED_NAME, EMAIL, MUNICIPALITY, EDITED_MUNICIPALITY)
# Every column of another type (text, JSON, anything of a type of its own)
# is searched.
NOT_TEXT = (Boolean, Date, DateTime, Float, Integer, Numeric)
SUPPORT_CONFIRM = re.compile(r"http://odkrywka\.test(/supports/confirm/[A-Za-z0-9_\-]+)")


def base_type(column):  # noqa: ANN001, ANN201
    """The column's SQL type, seen through our own decorated types."""
    return getattr(column.type, "impl", column.type)


def textual(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def leftovers(app) -> list[str]:  # noqa: ANN001
    """Every (table.column, value) of the whole database that still holds
    one of the person's values (case-insensitive)."""
    needles = [value.lower() for value in PERSONAL]
    found = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            columns = [column for column in table.columns if not isinstance(column.type, NOT_TEXT)]
            if not columns:
                continue
            for row in db.session.execute(select(*columns)):
                for column, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    text = textual(value).lower()
                    for needle in needles:
                        if needle in text:
                            found.append(
                                f"{table.name}.{column.name}: {needle!r} in {text[:200]!r}"
                            )
    return found


def outbox_text(app, template: str, recipient: str = EMAIL) -> str:  # noqa: ANN001
    with app.app_context():
        return db.session.scalars(
            select(OutboxMessage.body_text)
            .where(OutboxMessage.template == template, OutboxMessage.recipient == recipient)
            .order_by(OutboxMessage.id.desc())
        ).first()


def a_person_takes_part(  # noqa: ANN001
    app, client, make, login, *, show_name: bool = True, everything: bool = True
) -> dict:
    """The person submits an idea, confirms it, edits it (so its history
    holds old values), has it published, supports another idea and
    registers for a workshop, receiving mail at each step."""
    process = make.process(slug="transformacja", title="Transformacja regionu")
    category = make.category(slug="srodowisko", name="Środowisko")
    other = make.idea(process_id=process.id, category_id=category.id)
    workshop = upcoming(make, capacity=10, process_id=process.id)

    fields = form_data(
        category.slug,
        author_name=NAME,
        email=EMAIL,
        municipality=MUNICIPALITY,
        show_author_name="y" if show_name else None,
    )
    # The file's name carries the person's name too.
    fields["attachment"] = (io.BytesIO(minimal_pdf()), f"{NAME} plan.pdf", "application/pdf")
    response = client.post("/ideas/new", data=fields, content_type="multipart/form-data")
    assert response.status_code == 303
    assert client.get(link_in(outbox_text(app, "idea_confirm"), "confirm")).status_code in (
        200,
        302,
        303,
    )
    track = link_in(outbox_text(app, "idea_tracking"), "track")
    with app.app_context():
        idea = db.session.scalar(select(Idea).where(Idea.email == EMAIL))
        idea_id, version = idea.id, idea.version
    edit = {
        "title": fields["title"],
        "description": fields["description"] + " Z ławkami.",
        "category": category.slug,
        "author_name": EDITED_NAME,
        "municipality": EDITED_MUNICIPALITY,
        "version": str(version),
    }
    if show_name:
        edit["show_author_name"] = "y"
    assert client.post(f"{track}/edit", data=edit).status_code == 303

    login("moderator")
    with app.app_context():
        version = db.session.get(Idea, idea_id).version
    assert decide(client, idea_id, "publish", version=version).status_code in (302, 303)
    client.post("/staff/logout")
    if not everything:
        assert {"ideas", "idea_events", "outbox_messages", "attachments"} <= _tables(leftovers(app))
        return {"idea_id": idea_id, "track": track}

    assert client.post(f"/ideas/{other.id}/support", data={"email": EMAIL}).status_code in (
        200,
        302,
        303,
    )
    confirm = SUPPORT_CONFIRM.search(outbox_text(app, "support_confirm"))
    assert confirm is not None
    client.get(confirm.group(1))
    client.post(confirm.group(1))

    response = client.post(
        f"/workshops/{workshop.slug}/register",
        data=registration_form(name=NAME, email=EMAIL, needs=f"Dojazd z: {MUNICIPALITY}"),
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    path = registration_path(outbox_text(app, "registration_confirm"))
    assert client.post(f"{path}/confirm").status_code == 303

    # And follows the consultation, which has news for followers since.
    data = {"email": EMAIL, "consent": "y", "cadence": "weekly"}
    assert client.post(f"/follow/processes/{process.slug}", data=data).status_code == 303
    follow = re.search(
        r"http://odkrywka\.test(/follow/confirm/\S+)", outbox_text(app, "follow_confirm")
    )
    assert client.get(follow.group(1)).status_code == 200
    with app.test_request_context():
        from app.follows.services import announce
        from app.models import Process

        announce(process=db.session.get(Process, process.id), event="phase:1", title="Etap",
                 text="Nowy etap.", url="http://odkrywka.test/")  # fmt: skip
        db.session.commit()

    # Everything above really left copies in several tables.
    tables = _tables(leftovers(app))
    assert {
        "ideas",
        "idea_events",
        "outbox_messages",
        "registrations",
        "supports",
        "followers",
        "notices",
    } <= tables, tables
    return {"idea_id": idea_id, "track": track, "process": process, "workshop": workshop}


def _tables(found: list[str]) -> set[str]:
    return {entry.split(".")[0] for entry in found}


def test_staff_erasure_leaves_no_copy_anywhere(app, client, make, login):
    a_person_takes_part(app, client, make, login)
    login("admin")
    response = client.post("/staff/privacy/erase", data={"email": EMAIL, "confirm": "y"})
    assert response.status_code == 303
    found = leftovers(app)
    assert found == [], "\n".join(found)


def test_self_service_erasure_leaves_no_copy_of_the_author_anywhere(app, client, make, login):
    made = a_person_takes_part(app, client, make, login, everything=False)
    response = client.post(f"{made['track']}/erase", data={"confirm": "y"})
    assert response.status_code == 303
    found = leftovers(app)
    assert found == [], "\n".join(found)
    with app.app_context():
        idea = db.session.get(Idea, made["idea_id"])
        assert idea.author_name is None and idea.email is None and idea.municipality is None


def travel_in_time(app, days: int) -> None:  # noqa: ANN001
    """Move every moment stored in the database *days* into the past: the
    same, to the purge, as the clock moving forward."""
    shift = timedelta(days=days)
    with app.app_context():
        for table in db.metadata.sorted_tables:
            stamps = [c for c in table.columns if isinstance(base_type(c), DateTime)]
            if not stamps or not table.primary_key.columns:
                continue
            keys = list(table.primary_key.columns)
            for row in db.session.execute(select(*keys, *stamps)).all():
                values = {
                    column.name: value - shift
                    for column, value in zip(stamps, row[len(keys) :], strict=True)
                    if isinstance(value, datetime)
                }
                if values:
                    condition = [key == row[i] for i, key in enumerate(keys)]
                    db.session.execute(update(table).where(*condition).values(**values))
        db.session.commit()


@pytest.mark.parametrize("show_name", [False, True])
def test_the_retention_purge_leaves_no_copy_anywhere(app, client, make, login, show_name):
    a_person_takes_part(app, client, make, login, show_name=show_name)
    with app.app_context():
        from app.models import Process

        db.session.execute(update(Process).values(closes_at=utcnow()))
        db.session.commit()
    travel_in_time(app, app.config["RETENTION_PERSONAL_DATA_DAYS"] + 60)
    with app.app_context():
        purge_all()
    found = leftovers(app)
    if show_name:
        # Shown with the author's consent, the current name stays public on
        # the idea (and only there).
        assert all(
            entry.startswith(("ideas.author_name", "ideas.search")) and EDITED_NAME.lower() in entry
            for entry in found
        ), found
    else:
        assert found == [], "\n".join(found)
