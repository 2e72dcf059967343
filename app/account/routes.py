"""Own account: profile, password, two-factor sign-in, sessions."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from app.account import bp, services
from app.account.forms import CodeForm, PasswordChangeForm, ProfileForm, ReauthForm
from app.auth.services import AccountError
from app.extensions import db, limiter
from app.models.user import User
from app.security import reauth, sessions, twofactor
from app.security.permissions import permission_required
from app.web import get_or_404, safe_next_url


def _reauth_limit() -> str:
    return current_app.config["RATELIMIT_TWO_FACTOR"]


def _reauth_key() -> str:
    return f"reauth-user:{getattr(current_user, 'id', None)}"


def _settings_page(profile_form=None, password_form=None, status=200):  # noqa: ANN001, ANN202
    user = current_user
    return render_template(
        "account/settings.html",
        profile_form=profile_form or ProfileForm(obj=user),
        password_form=password_form or PasswordChangeForm(prefix="pw"),
        recovery_left=twofactor.unused_recovery_codes(user) if user.totp_enabled else None,
        two_factor_required=twofactor.is_required_for(user),
    ), status


@bp.route("")
@permission_required("own_account")
def settings():
    return _settings_page()


@bp.route("/profile", methods=["POST"])
@permission_required("own_account")
def profile():
    form = ProfileForm()
    if form.validate_on_submit():
        try:
            services.update_profile(current_user, form.name.data)
        except AccountError as error:
            db.session.rollback()
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Zapisano dane konta."), "success")
            return redirect(url_for("account.settings"))
    return _settings_page(profile_form=form, status=400)


@bp.route("/password", methods=["POST"])
@permission_required("own_account")
@reauth.reauth_required
def password():
    form = PasswordChangeForm(prefix="pw")
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_password(user, form.current_password.data, form.password.data)
        except AccountError as error:
            db.session.rollback()
            field = getattr(error, "field", "password")
            form[field].errors.append(str(error))
        else:
            db.session.commit()
            # Other browsers are signed out; this one carries on.
            sessions.relogin(user)
            reauth.mark_authenticated()
            flash(_("Hasło zostało zmienione. Pozostałe sesje zakończono."), "success")
            return redirect(url_for("account.settings"))
    return _settings_page(password_form=form, status=400)


@bp.route("/sessions/end", methods=["POST"])
@permission_required("own_account")
def end_sessions():
    form = FlaskForm()
    if not form.validate_on_submit():
        return redirect(url_for("account.settings"))
    services.end_all_sessions(current_user)
    db.session.commit()
    sessions.clear_session()
    flash(_("Wylogowano ze wszystkich urządzeń. Zaloguj się ponownie."), "info")
    return redirect(url_for("auth.login"), code=303)


# --- two-factor sign-in ---------------------------------------------------


def _two_factor_page(form=None, status=200):  # noqa: ANN001, ANN202
    user = current_user
    pending = bool(user.totp_secret) and not user.totp_enabled
    context = {"form": form or CodeForm(), "pending": pending}
    if pending:
        uri = twofactor.provisioning_uri(user, user.totp_secret)
        context["qr"] = twofactor.qr_svg(
            uri, _("Kod QR do zeskanowania aplikacją uwierzytelniającą")
        )
        context["secret"] = twofactor.format_secret(user.totp_secret)
    context["required"] = twofactor.is_required_for(user)
    return render_template("account/two_factor.html", **context), status


@bp.route("/two-factor")
@permission_required("own_account")
def two_factor():
    return _two_factor_page()


@bp.route("/two-factor/start", methods=["POST"])
@permission_required("own_account")
@reauth.reauth_required
def two_factor_start():
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            services.start_two_factor(current_user)
        except services.TwoFactorError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
    return redirect(url_for("account.two_factor"), code=303)


def _show_recovery_codes(codes: list[str]):  # noqa: ANN202
    g.no_store = True
    return render_template("account/recovery_codes.html", codes=codes)


@bp.route("/two-factor/confirm", methods=["POST"])
@permission_required("own_account")
@reauth.reauth_required
def two_factor_confirm():
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = services.confirm_two_factor(current_user, form.code.data)
        except services.TwoFactorError as error:
            db.session.rollback()
            form.code.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Logowanie dwuetapowe jest włączone."), "success")
            return _show_recovery_codes(codes)
    return _two_factor_page(form, status=400)


@bp.route("/two-factor/recovery-codes", methods=["POST"])
@permission_required("own_account")
@reauth.reauth_required
def recovery_codes():
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            codes = services.regenerate_recovery_codes(current_user)
        except services.TwoFactorError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Utworzono nowe kody zapasowe. Poprzednie przestały działać."), "success")
            return _show_recovery_codes(codes)
    return redirect(url_for("account.two_factor"), code=303)


@bp.route("/two-factor/disable", methods=["POST"])
@permission_required("own_account")
@reauth.reauth_required
def two_factor_disable():
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            services.disable_two_factor(current_user)
        except services.TwoFactorError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for("account.two_factor"), code=303)
        db.session.commit()
        flash(_("Logowanie dwuetapowe jest wyłączone."), "info")
    return redirect(url_for("account.settings"), code=303)


@bp.route("/users/<int:user_id>/two-factor/reset", methods=["POST"])
@permission_required("manage_users")
@reauth.reauth_required
def reset_user_two_factor(user_id: int):
    user = get_or_404(User, user_id)
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            services.reset_two_factor(current_user, user)
        except services.TwoFactorError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Wyłączono logowanie dwuetapowe konta %(email)s.", email=user.email), "success")
    return redirect(url_for("staff.user_edit", user_id=user.id), code=303)


# --- re-authentication --------------------------------------------------


@bp.route("/confirm", methods=["GET", "POST"], endpoint="reauth")
@permission_required("own_account")
@limiter.limit(_reauth_limit, key_func=_reauth_key, methods=["POST"])
def reauth_page():
    form = ReauthForm()
    user = current_user._get_current_object()
    if request.method == "GET":
        form.code.data = ""
    if form.validate_on_submit():
        ok = user.check_password(form.password.data)
        if ok and user.totp_enabled:
            ok = twofactor.verify_second_factor(user, form.code.data) is not None
        if ok:
            reauth.mark_authenticated()
            db.session.commit()
            target = safe_next_url(request.args.get("next")) or url_for("account.settings")
            return redirect(target, code=303)
        db.session.rollback()
        form.password.errors.append(
            _("Hasło lub kod są nieprawidłowe.") if user.totp_enabled else _("Nieprawidłowe hasło.")
        )
    status = 400 if form.errors else 200
    return render_template("account/reauth.html", form=form), status
