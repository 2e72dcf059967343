"""Development directions: the public pages, the rules staff changes go
through, the mail to people whose ideas a direction takes up, the API data."""

from flask import Blueprint

bp = Blueprint("directions", __name__)

from app.directions import routes  # noqa: E402, F401
