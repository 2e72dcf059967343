from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app import audit
from app.auth import bp, signin
from app.auth.forms import LoginForm
from app.auth.services import authenticate
from app.errors import ServiceError
from app.extensions import limiter
from app.security import twofactor
from app.transaction import committing
from app.web import safe_next_url


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("staff.dashboard"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None and signin.needs_second_step(user):
            # Two-factor sign-in: the code comes next, on its own page.
            return signin.start(user, form.remember.data, form.next.data)
        with committing(form) as done:
            if user is None:
                # The same words whether the e-mail is unknown or the password wrong.
                raise ServiceError(
                    _("Nieprawidłowy e-mail lub hasło."), status=400, field="password"
                )
            # A fresh session on sign-in: nothing from before carries over.
            lang = session.get("lang")
            session.clear()
            if lang:
                session["lang"] = lang
            login_user(user, remember=form.remember.data)
            audit.record("auth.login", user, actor=user)
        if done:
            flash(_("Zalogowano jako %(name)s.", name=user.name), "success")
            return redirect(safe_next_url(form.next.data) or url_for("staff.dashboard"))
    status = 400 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    with committing():
        audit.record("auth.logout", current_user, actor=current_user)
        # A copy of this session's cookie dies with it.
        current_user.session_version += 1
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("Wylogowano."), "info")
    return redirect(url_for("core.home"))


def _two_factor_limit() -> str:
    return current_app.config["RATELIMIT_TWO_FACTOR"]


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_two_factor_limit, key_func=twofactor.pending_limit_key, methods=["POST"])
def login_code():
    """Second sign-in step for accounts with two-factor sign-in."""
    return signin.second_step()
