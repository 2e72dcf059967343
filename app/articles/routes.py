from flask import abort

from app.articles import bp


@bp.route("/articles")
def index():
    abort(404)


@bp.route("/articles/<slug>")
def detail(slug: str):
    abort(404)
