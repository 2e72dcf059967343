from flask import abort

from app.results import bp


@bp.route("/results")
def index():
    abort(404)
