from flask import render_template

from app.ideas import bp


@bp.route("/new", methods=["GET", "POST"])
def new():
    return render_template("errors/error.html", code=503, title="…", message="…"), 503
