from flask import abort

from app.feeds import bp


@bp.route("/feeds/articles.atom")
def articles_atom():
    abort(404)


@bp.route("/feeds/ideas.atom")
def ideas_atom():
    abort(404)
