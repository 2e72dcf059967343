"""The consultation report for the summary meeting: an HTML page, the same
report as a PDF, and frozen versions kept at permanent addresses."""

from flask import Blueprint

bp = Blueprint("consultation_report", __name__, url_prefix="/processes")

from app.consultation_report import routes  # noqa: E402, F401
