from flask import Blueprint

bp = Blueprint("moderation", __name__)

from app.moderation import panels, retention, routes  # noqa: E402, F401
