"""Helpers for the comments tests: post, read the mailed links, count rows."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import Comment, OutboxMessage

CONFIRM = re.compile(r"http://odkrywka\.test(/comments/confirm/[A-Za-z0-9_\-]+)")
MANAGE = re.compile(r"http://odkrywka\.test(/comments/manage/[A-Za-z0-9_\-]+)")


def post(client, idea_id: int, body: str = "Świetny pomysł, popieram.", **fields):  # noqa: ANN001, ANN201
    data = {"body": body, "email": "ola@example.org", "consent": "y", "author_name": "Ola"}
    data.update(fields)
    data = {key: value for key, value in data.items() if value is not None}
    return client.post(f"/ideas/{idea_id}/comments", data=data)


def mailed(app, recipient: str, pattern: re.Pattern = CONFIRM) -> list[str]:  # noqa: ANN001
    with app.app_context():
        bodies = db.session.scalars(
            select(OutboxMessage.body_text)
            .where(OutboxMessage.recipient == recipient)
            .order_by(OutboxMessage.id)
        ).all()
    return [m.group(1) for body in bodies for m in pattern.finditer(body)]


def comments(app, **filters) -> list[Comment]:  # noqa: ANN001, ANN003
    with app.app_context():
        rows = db.session.scalars(select(Comment).filter_by(**filters).order_by(Comment.id)).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def post_confirmed(client, app, idea_id: int, body: str = "Świetny pomysł, popieram.", **fields):  # noqa: ANN001, ANN003, ANN201
    """Post and open the confirmation link (the client then holds the browser token)."""
    email = fields.get("email", "ola@example.org")
    before = len(mailed(app, email))
    response = post(client, idea_id, body, **fields)
    assert response.status_code == 303, response.get_data(as_text=True)
    links = mailed(app, email)
    if len(links) > before:
        confirmed = client.get(links[-1])
        assert confirmed.status_code == 200, confirmed.get_data(as_text=True)
    return comments(app)[-1]
