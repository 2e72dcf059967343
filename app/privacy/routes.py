"""The privacy notice, the accessibility statement and the staff page for
residents' data requests."""

from __future__ import annotations

import json

from flask import flash, g, redirect, render_template, url_for
from flask.wrappers import Response
from flask_babel import gettext as _
from flask_login import current_user

from app import audit
from app.extensions import db
from app.privacy import bp, info, services
from app.privacy.forms import EraseForm, LookupForm
from app.security.permissions import permission_required
from app.text import mask_email


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


# --- staff: requests from residents -------------------------------------


def _staff_page(lookup: LookupForm, found=None, erase_form=None, status: int = 200):  # noqa: ANN001, ANN202
    g.no_store = True
    if found is not None and erase_form is None:
        erase_form = EraseForm(formdata=None, email=found.email)
    from app.ideas.lifecycle import STATUS_LABELS

    registration_labels = {
        "unconfirmed": _("niepotwierdzony"),
        "confirmed": _("potwierdzony"),
        "waiting": _("lista rezerwowa"),
        "cancelled": _("anulowany"),
        "expired": _("wygasły"),
    }
    return render_template(
        "privacy/staff.html",
        form=lookup,
        found=found,
        erase_form=erase_form,
        idea_labels=STATUS_LABELS,
        registration_labels=registration_labels,
    ), status


@bp.route("/staff/privacy", methods=["GET", "POST"])
@permission_required("handle_privacy_requests")
def staff():
    form = LookupForm()
    if form.validate_on_submit():
        found = services.find_personal_data(form.email.data)
        # Who looked at whose data is itself worth recording.
        audit.record(
            "privacy.lookup", None, actor=current_user, data={"email": mask_email(found.email)}
        )
        db.session.commit()
        return _staff_page(form, found)
    return _staff_page(form, status=400 if form.errors else 200)


@bp.route("/staff/privacy/export", methods=["POST"])
@permission_required("handle_privacy_requests")
def staff_export():
    form = LookupForm()
    if not form.validate_on_submit():
        return _staff_page(form, status=400)
    data = services.export_personal_data(form.email.data, actor=current_user)
    db.session.commit()
    body = json.dumps(data, ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="dane-osobowe.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/staff/privacy/erase", methods=["POST"])
@permission_required("handle_privacy_requests")
def staff_erase():
    form = EraseForm()
    if not form.validate_on_submit():
        lookup = LookupForm(formdata=None, email=form.email.data)
        found = services.find_personal_data(form.email.data or "")
        return _staff_page(lookup, found, erase_form=form, status=400)
    counts = services.erase_personal_data(form.email.data, actor=current_user)
    db.session.commit()
    flash(
        _(
            "Usunięto dane: pomysły %(ideas)d, poparcia %(supports)d, zapisy %(registrations)d, "
            "wiadomości %(emails)d.",
            **counts,
        ),
        "success",
    )
    return redirect(url_for("privacy.staff"), code=303)
