"""Comments under published ideas: the discussion, the author's private
link, readers' reports, the Atom feed (staff moderation: app.staff_comments)."""

from flask import Blueprint

bp = Blueprint("comments", __name__)

from app.comments import routes  # noqa: E402, F401
