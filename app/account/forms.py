from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from app.auth.services import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH


def _strip(value: str | None) -> str | None:
    return value.strip() if value else value


class ProfileForm(FlaskForm):
    name = StringField(_l("Imię i nazwisko"), validators=[DataRequired(), Length(max=100)])


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        _l("Obecne hasło"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    password = PasswordField(
        _l("Nowe hasło"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)],
    )
    password_again = PasswordField(
        _l("Powtórz nowe hasło"),
        validators=[DataRequired(), EqualTo("password", _l("Hasła różnią się."))],
    )


class CodeForm(FlaskForm):
    code = StringField(
        _l("Kod z aplikacji"), validators=[DataRequired(), Length(max=20)], filters=[_strip]
    )


class ReauthForm(FlaskForm):
    password = PasswordField(
        _l("Hasło"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    code = StringField(
        _l("Kod z aplikacji lub kod zapasowy"), validators=[Optional(), Length(max=20)]
    )
