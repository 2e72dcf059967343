"""Staff: freezing a version of a consultation's report for a meeting."""

from flask import Blueprint

bp = Blueprint("staff_reports", __name__, url_prefix="/staff/consultation-reports")

from app.staff_reports import routes  # noqa: E402, F401
