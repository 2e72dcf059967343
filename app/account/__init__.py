from flask import Blueprint

bp = Blueprint("account", __name__, url_prefix="/staff/account")

from app.account import routes  # noqa: E402, F401
