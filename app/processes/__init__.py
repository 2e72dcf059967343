from flask import Blueprint

bp = Blueprint("processes", __name__, url_prefix="/processes")

from app.processes import routes  # noqa: E402, F401
