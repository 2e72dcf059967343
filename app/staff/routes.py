from __future__ import annotations

from flask import render_template

from app.security.permissions import permission_required
from app.staff import bp
from app.staff.dashboard import alerts, tiles


@bp.route("/")
@permission_required("dashboard")
def dashboard():
    return render_template("staff/dashboard.html", tiles=tiles(), alerts=alerts())
