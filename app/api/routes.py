from flask import abort

from app.api import bp


@bp.route("/")
def docs():
    abort(404)
