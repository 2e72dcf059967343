"""Staff side of comments: the moderation queue of comments (beside the
ideas' queue), decisions one by one or in bulk, and the organiser's replies."""

from flask import Blueprint

bp = Blueprint("staff_comments", __name__, url_prefix="/staff")

from app.staff_comments import routes  # noqa: E402, F401
