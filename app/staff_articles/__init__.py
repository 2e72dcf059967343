from flask import Blueprint

bp = Blueprint("staff_articles", __name__, url_prefix="/staff/articles")

from app.staff_articles import routes  # noqa: E402, F401
