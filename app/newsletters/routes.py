"""The public side of newsletters: the archive and the one-click stop."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _

from app.extensions import csrf
from app.models import NewsletterStatus
from app.newsletters import bp, services
from app.transaction import committing
from app.web import private_page


@bp.route("")
def index():
    return render_template("newsletters/index.html", newsletters=services.archived())


@bp.route("/<int:newsletter_id>")
def detail(newsletter_id: int):
    newsletter = services.newsletter_or_404(newsletter_id)
    if not newsletter.public or newsletter.status != NewsletterStatus.SENT:
        abort(404)
    return render_template("newsletters/detail.html", newsletter=newsletter)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: the mail client POSTs with no cookie and no token
@private_page
def unsubscribe(token: str):
    """GET: one button. POST (that button, or a mail client's one-click):
    stop what brought the newsletter to this address, and nothing else.

    No rate limit: a mail provider sends its users' one-clicks from a few
    addresses, and the link carries a 256-bit keyed hash nobody can guess."""
    recipient = services.find_by_stop_token(token)
    if recipient is None:
        message = _(
            "Ten link jest nieprawidłowy albo wygasł. Wiadomości możesz wyłączyć też na "
            "prywatnej stronie obserwowania, pomysłu, poparcia lub zapisu."
        )
        return render_template("newsletters/unsubscribe.html", problem=message), 404
    if request.method == "GET":
        return render_template(
            "newsletters/unsubscribe.html",
            recipient=recipient,
            token=token,
            done=False,
            reasons=services.reasons(recipient.segments.split()),
        )
    with committing():
        services.unsubscribe(recipient)
    return render_template("newsletters/unsubscribe.html", recipient=recipient, done=True)
