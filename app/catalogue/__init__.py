from flask import Blueprint

from app import search  # noqa: F401  (full-text DDL and search field events)

bp = Blueprint("catalogue", __name__)

from app.catalogue import routes  # noqa: E402, F401
