from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/staff")

from app.auth import routes  # noqa: E402, F401
