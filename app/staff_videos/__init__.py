from flask import Blueprint

bp = Blueprint("staff_videos", __name__, url_prefix="/staff/videos")

from app.staff_videos import routes  # noqa: E402, F401
