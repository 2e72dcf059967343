from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import current_app, jsonify, redirect, render_template, request, session, url_for
from sqlalchemy import text

from app.core import bp
from app.core.home import home_page_context
from app.extensions import csrf, db, limiter
from app.web import safe_next_url


@bp.route("/")
def home():
    return render_template("core/home.html", **home_page_context())


@bp.route("/language", methods=["POST"])
def set_language():
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    target = safe_next_url(request.form.get("next")) or url_for("core.home")
    return redirect(_without_lang(target), code=303)


def _without_lang(target: str) -> str:
    """Drop a ``?lang=`` from *target*, so the choice just made wins."""
    parts = urlsplit(target)
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    )
    return urlunsplit(parts._replace(query=query))


@bp.route("/healthz")
@limiter.exempt
@csrf.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
