from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Adres e-mail"),
        validators=[DataRequired(), Email(), Length(max=254)],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )
    password = PasswordField(_l("Hasło"), validators=[DataRequired(), Length(max=128)])
    remember = BooleanField(_l("Zapamiętaj mnie na tym urządzeniu"))
    next = HiddenField()


class SignInCodeForm(FlaskForm):
    code = StringField(
        _l("Kod z aplikacji lub kod zapasowy"),
        validators=[DataRequired(), Length(max=20)],
        filters=[lambda value: value.strip() if value else value],
    )
