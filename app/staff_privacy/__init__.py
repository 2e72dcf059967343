from flask import Blueprint

bp = Blueprint("staff_privacy", __name__, url_prefix="/staff/privacy")

from app.staff_privacy import routes  # noqa: E402, F401
