from flask import Blueprint

bp = Blueprint("workshops", __name__)

from app.workshops import routes  # noqa: E402, F401
