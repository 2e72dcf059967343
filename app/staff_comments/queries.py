"""What the comments' moderation pages read."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, func, select

from app.extensions import db
from app.models import Comment, CommentReport, CommentStatus, Idea

S = CommentStatus
TABS = ("held", "review", "reported", "hidden", "all")

_open_report = exists().where(
    CommentReport.comment_id == Comment.id, CommentReport.resolved_at.is_(None)
)


def _condition(tab: str) -> Any:
    if tab == "held":
        return Comment.status == S.HELD
    if tab == "review":
        return (
            (Comment.status == S.PUBLISHED)
            & Comment.reviewed_at.is_(None)
            & Comment.official.is_(False)
        )
    if tab == "reported":
        return _open_report
    if tab == "hidden":
        return Comment.status == S.HIDDEN
    return Comment.status.not_in((S.PENDING, S.DELETED))


def queue_page(tab: str, page: int, per_page: int = 50):  # noqa: ANN201
    order = Comment.id.desc() if tab in ("all", "hidden") else Comment.id.asc()
    stmt = select(Comment).where(_condition(tab)).order_by(order)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def tab_counts() -> dict[str, int]:
    return {
        tab: db.session.scalar(select(func.count(Comment.id)).where(_condition(tab))) or 0
        for tab in TABS
    }


def waiting() -> int:
    """Comments a moderator should look at now (dashboard, the ideas' queue)."""
    return (
        db.session.scalar(
            select(func.count(Comment.id)).where(
                _condition("held") | _condition("review") | _condition("reported")
            )
        )
        or 0
    )


def ideas_of(comments: list[Comment]) -> dict[int, Idea]:
    ids = {c.target_id for c in comments if c.target_type == "idea"}
    if not ids:
        return {}
    return {idea.id: idea for idea in db.session.scalars(select(Idea).where(Idea.id.in_(ids)))}


def open_reports(comment_ids: list[int]) -> dict[int, list[CommentReport]]:
    found: dict[int, list[CommentReport]] = {}
    if not comment_ids:
        return found
    rows = db.session.scalars(
        select(CommentReport)
        .where(CommentReport.comment_id.in_(comment_ids), CommentReport.resolved_at.is_(None))
        .order_by(CommentReport.id)
    )
    for row in rows:
        found.setdefault(row.comment_id, []).append(row)
    return found
