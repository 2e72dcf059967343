from flask import abort

from app.catalogue import bp


@bp.route("/ideas")
def index():
    abort(404)


@bp.route("/ideas/<int:idea_id>")
@bp.route("/ideas/<int:idea_id>-<slug>")
def detail(idea_id: int, slug: str | None = None):
    abort(404)
