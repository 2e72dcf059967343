"""Staff: residents' requests about their personal data (look up, export,
erase)."""

from __future__ import annotations

import json

from flask import flash, redirect, render_template, url_for
from flask.wrappers import Response
from flask_babel import gettext as _
from flask_login import current_user

from app import audit
from app.ideas.lifecycle import STATUS_LABELS
from app.privacy import services
from app.security.permissions import permission_required
from app.staff_privacy import bp
from app.staff_privacy.forms import EraseForm, LookupForm
from app.text import mask_email
from app.transaction import committing
from app.web import private_page


def _staff_page(lookup: LookupForm, found=None, erase_form=None, status: int = 200):  # noqa: ANN001, ANN202
    if found is not None and erase_form is None:
        erase_form = EraseForm(formdata=None, email=found.email)
    registration_labels = {
        "unconfirmed": _("niepotwierdzony"),
        "confirmed": _("potwierdzony"),
        "waiting": _("lista rezerwowa"),
        "cancelled": _("anulowany"),
        "expired": _("wygasły"),
    }
    return render_template(
        "staff_privacy/requests.html",
        form=lookup,
        found=found,
        erase_form=erase_form,
        idea_labels=STATUS_LABELS,
        registration_labels=registration_labels,
    ), status


@bp.route("", methods=["GET", "POST"])
@private_page
@permission_required("handle_privacy_requests")
def requests():
    form = LookupForm()
    if form.validate_on_submit():
        with committing():
            found = services.find_personal_data(form.email.data)
            # Who looked at whose data is itself worth recording.
            audit.record(
                "privacy.lookup", None, actor=current_user, data={"email": mask_email(found.email)}
            )
        return _staff_page(form, found)
    return _staff_page(form, status=400 if form.errors else 200)


@bp.route("/export", methods=["POST"])
@private_page
@permission_required("handle_privacy_requests")
def export():
    form = LookupForm()
    if not form.validate_on_submit():
        return _staff_page(form, status=400)
    with committing():
        data = services.export_personal_data(form.email.data, actor=current_user)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="dane-osobowe.json"'
    return response


@bp.route("/erase", methods=["POST"])
@private_page
@permission_required("handle_privacy_requests")
def erase():
    form = EraseForm()
    if not form.validate_on_submit():
        lookup = LookupForm(formdata=None, email=form.email.data)
        found = services.find_personal_data(form.email.data or "")
        return _staff_page(lookup, found, erase_form=form, status=400)
    with committing():
        counts = services.erase_personal_data(form.email.data, actor=current_user)
    flash(
        _(
            "Usunięto dane: pomysły %(ideas)d, poparcia %(supports)d, zapisy %(registrations)d, "
            "wiadomości %(emails)d.",
            **counts,
        ),
        "success",
    )
    return redirect(url_for("staff_privacy.requests"), code=303)
