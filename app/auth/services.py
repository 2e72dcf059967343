"""Staff sign-in and accounts."""

from __future__ import annotations

from sqlalchemy import func, select

from app.errors import ServiceError
from app.extensions import db
from app.models.base import utcnow
from app.models.user import Role, User
from app.text import normalise_email, single_line

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128


class AccountError(ServiceError):
    """A rule about staff accounts was broken; the message is for the user."""

    status = 400


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None; unknown e-mail and wrong
    password cost the same time and look the same."""
    user = find_user(email)
    if user is None:
        User.burn_password_check(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


def check_password_rules(password: str) -> None:
    from flask_babel import gettext as _

    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("Hasło musi mieć co najmniej %(n)d znaków.", n=MIN_PASSWORD_LENGTH))
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(_("Hasło może mieć najwyżej %(n)d znaków.", n=MAX_PASSWORD_LENGTH))


def create_user(email: str, name: str, role: str, password: str) -> User:
    from flask_babel import gettext as _

    email = normalise_email(email)
    if role not in {r.value for r in Role}:
        raise AccountError(_("Nieznana rola: %(role)s", role=role))
    if "@" not in email or len(email) > 254:
        raise AccountError(_("Podaj poprawny adres e-mail."))
    name = single_line(name)
    if not name:
        raise AccountError(_("Podaj imię i nazwisko."))
    if find_user(email) is not None:
        raise AccountError(_("Konto z tym adresem już istnieje."))
    check_password_rules(password)
    user = User(email=email, name=name, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def deactivate_user(user: User) -> None:
    user.active = False
    user.session_version += 1


def set_password(user: User, password: str) -> None:
    check_password_rules(password)
    user.set_password(password)
    user.session_version += 1
