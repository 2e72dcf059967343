"""The second sign-in step: a code from the authenticator app, or a
recovery code, after the password was accepted."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_user
from sqlalchemy import func, select

from app import audit
from app.auth.forms import SignInCodeForm
from app.errors import ServiceError
from app.extensions import db
from app.mail import queue_mail
from app.models.audit import AuditEntry
from app.models.base import utcnow
from app.models.user import User
from app.security import twofactor
from app.transaction import committing
from app.web import external_url, safe_next_url


def needs_second_step(user: User) -> bool:
    return bool(user.totp_enabled)


def start(user: User, remember: bool, next_url: str | None):  # noqa: ANN201
    """After a correct password: ask for the code instead of signing in."""
    # Nothing from the password step is kept (a rehash waits for next time).
    db.session.rollback()
    twofactor.begin_pending_sign_in(user, remember, safe_next_url(next_url))
    return redirect(url_for("auth.login_code"), code=303)


def second_step():  # noqa: ANN201
    user = twofactor.pending_user()
    if user is None:
        session.pop(twofactor.PENDING_KEY, None)
        flash(_("Zacznij logowanie od nowa: minęło zbyt wiele czasu."), "info")
        return redirect(url_for("auth.login"), code=303)
    form = SignInCodeForm()
    if form.validate_on_submit():
        with committing(form) as done:
            method = twofactor.verify_second_factor(user, form.code.data)
            if method is None:
                raise ServiceError(
                    _("Nieprawidłowy kod. Spróbuj ponownie."), status=400, field="code"
                )
            pending = twofactor.pending_sign_in() or {}
            # A fresh session on sign-in: nothing from before carries over.
            lang = session.get("lang")
            session.clear()
            if lang:
                session["lang"] = lang
            login_user(user, remember=bool(pending.get("remember")))
            user.last_login_at = utcnow()
            audit.record("auth.login", user, actor=user, data={"second_factor": method})
            left = twofactor.unused_recovery_codes(user) if method == "recovery" else None
        if done.error is not None and done.error.field == "code":
            with committing():
                record_failed_code(user)
        if done:
            flash(_("Zalogowano jako %(name)s.", name=user.name), "success")
            if left is not None:
                flash(
                    ngettext(
                        "Użyto kodu zapasowego. Został Ci %(num)s kod.",
                        "Użyto kodu zapasowego. Zostało Ci %(num)s kodów.",
                        left,
                    )
                    + " "
                    + _("Wygeneruj nowe kody na stronie „Moje konto”."),
                    "warning",
                )
            target = safe_next_url(pending.get("next")) or url_for("staff.dashboard")
            return redirect(target, code=303)
    status = 400 if form.errors else 200
    return render_template("auth/login_code.html", form=form), status


def _audit_rows_since(action: str, user: User, since) -> int:  # noqa: ANN001
    return db.session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(
            AuditEntry.action == action,
            AuditEntry.object_type == User.__tablename__,
            AuditEntry.object_id == user.id,
            AuditEntry.created_at >= since,
        )
    )


def record_failed_code(user: User) -> None:
    """Note a wrong code after a correct password; after
    ``TWO_FACTOR_ALERT_FAILURES`` of them within
    ``TWO_FACTOR_ALERT_WINDOW_MINUTES`` tell the account's owner by mail
    (once per window): someone may know their password."""
    audit.record("auth.2fa_failed", user, actor=None)
    db.session.flush()
    window = timedelta(minutes=current_app.config.get("TWO_FACTOR_ALERT_WINDOW_MINUTES", 60))
    since = utcnow() - window
    if _audit_rows_since("auth.2fa_failed", user, since) < current_app.config.get(
        "TWO_FACTOR_ALERT_FAILURES", 5
    ):
        return
    if _audit_rows_since("auth.2fa_alert", user, since):
        return
    audit.record("auth.2fa_alert", user, actor=None)
    queue_mail(
        user.email,
        "two_factor_failures",
        _("Nieudane próby logowania na Twoje konto"),
        user=user,
        settings_url=external_url("account.settings"),
    )
