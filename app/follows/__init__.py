from flask import Blueprint

bp = Blueprint("follows", __name__, url_prefix="/follow")

from app.follows import routes  # noqa: E402, F401
