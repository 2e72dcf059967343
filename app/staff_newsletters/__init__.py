from flask import Blueprint

bp = Blueprint("staff_newsletters", __name__, url_prefix="/staff/newsletters")

from app.staff_newsletters import routes  # noqa: E402, F401
