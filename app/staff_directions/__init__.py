"""Staff screens of development directions (/staff/directions)."""

from flask import Blueprint

bp = Blueprint("staff_directions", __name__, url_prefix="/staff/directions")

from app.staff_directions import routes  # noqa: E402, F401
