"""A staff member's own account: profile, password, two-factor sign-in,
sessions. Functions change state and write the audit row; views commit."""

from __future__ import annotations

from flask_babel import gettext as _

from app import audit
from app.auth.services import AccountError, set_password
from app.errors import ServiceError
from app.models.user import User
from app.security import twofactor
from app.text import single_line


class TwoFactorError(ServiceError):
    """A two-factor rule was broken; the message is for the user."""

    status = 400


def update_profile(user: User, name: str) -> None:
    name = single_line(name)
    if not name:
        raise AccountError(_("Podaj imię i nazwisko."), field="name")
    if name != user.name:
        audit.record("account.renamed", user, actor=user)
        user.name = name


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Set a new password after checking the current one; ends other sessions."""
    if not user.check_password(current_password):
        raise AccountError(_("Obecne hasło jest nieprawidłowe."), field="current_password")
    if current_password == new_password:
        raise AccountError(_("Nowe hasło musi być inne niż obecne."), field="password")
    try:
        set_password(user, new_password)  # also bumps the session version
    except AccountError as err:
        err.field = "password"
        raise
    audit.record("account.password_changed", user, actor=user)


def end_all_sessions(user: User) -> None:
    user.session_version += 1
    audit.record("account.sessions_ended", user, actor=user)


def start_two_factor(user: User) -> str:
    if user.totp_enabled:
        raise TwoFactorError(_("Logowanie dwuetapowe jest już włączone."))
    return twofactor.start_setup(user)


def confirm_two_factor(user: User, code: str) -> list[str]:
    codes = twofactor.confirm_setup(user, code)
    if codes is None:
        raise TwoFactorError(
            _("Kod się nie zgadza. Sprawdź, czy zegar w telefonie jest ustawiony poprawnie."),
            field="code",
        )
    audit.record("account.2fa_enabled", user, actor=user)
    return codes


def regenerate_recovery_codes(user: User) -> list[str]:
    if not user.totp_enabled:
        raise TwoFactorError(_("Najpierw włącz logowanie dwuetapowe."))
    codes = twofactor.make_recovery_codes(user)
    audit.record("account.2fa_recovery_codes", user, actor=user)
    return codes


def disable_two_factor(user: User) -> None:
    if twofactor.is_required_for(user):
        raise TwoFactorError(_("W Twojej roli logowanie dwuetapowe jest obowiązkowe."))
    if not user.totp_enabled and not user.totp_secret:
        return
    twofactor.disable(user)
    audit.record("account.2fa_disabled", user, actor=user)


def reset_two_factor(actor: User, user: User) -> None:
    """An administrator turns off someone's 2FA (a lost phone); the person
    is signed out everywhere and sets it up again at the next sign-in."""
    if actor.id == user.id:
        raise TwoFactorError(_("Własne logowanie dwuetapowe zmieniasz na stronie „Moje konto”."))
    twofactor.disable(user)
    user.session_version += 1
    audit.record("user.2fa_reset", user, actor=actor)
