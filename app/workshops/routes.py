from flask import abort

from app.workshops import bp


@bp.route("/workshops")
def index():
    abort(404)


@bp.route("/workshops/<slug>")
def detail(slug: str):
    abort(404)
