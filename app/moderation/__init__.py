from flask import Blueprint

bp = Blueprint("moderation", __name__)

from app.moderation import panels, routes  # noqa: E402, F401
