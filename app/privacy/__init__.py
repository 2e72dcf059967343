from flask import Blueprint

bp = Blueprint("privacy", __name__)

from app.privacy import retention, routes  # noqa: E402, F401
