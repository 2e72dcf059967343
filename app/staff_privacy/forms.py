from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField
from wtforms.validators import DataRequired, Email, Length


def _strip(value: str | None) -> str | None:
    return value.strip() if value else value


class LookupForm(FlaskForm):
    email = EmailField(
        _l("Adres e-mail osoby"),
        validators=[DataRequired(), Email(), Length(max=254)],
        filters=[_strip],
    )


class EraseForm(LookupForm):
    confirm = BooleanField(
        _l("Potwierdzam: osoba poprosiła o usunięcie danych, a jej tożsamość została sprawdzona"),
        validators=[DataRequired(_l("Zaznacz potwierdzenie."))],
    )
