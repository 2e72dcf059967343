from flask import abort

from app.privacy import bp


@bp.route("/privacy")
def privacy():
    abort(404)


@bp.route("/accessibility")
def accessibility():
    abort(404)
