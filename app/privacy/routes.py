"""The privacy notice and the accessibility statement."""

from __future__ import annotations

from flask import render_template

from app.privacy import bp, info


@bp.route("/privacy")
def privacy():
    return render_template(
        "privacy/privacy.html", controller=info.controller(), retention=info.retention()
    )


@bp.route("/accessibility")
def accessibility():
    return render_template(
        "privacy/accessibility.html",
        controller=info.controller(),
        statement=info.accessibility(),
    )
