from flask import Blueprint

bp = Blueprint("staff_workshops", __name__, url_prefix="/staff/workshops")

from app.staff_workshops import routes  # noqa: E402, F401
