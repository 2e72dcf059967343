from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp

from app.models.user import Role

SLUG = Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message=_l("Tylko małe litery, cyfry i łączniki."))


def role_choices() -> list[tuple[str, str]]:
    labels = {
        Role.ADMIN: _l("Administrator"),
        Role.MODERATOR: _l("Moderator"),
        Role.EDITOR: _l("Redaktor"),
    }
    return [(role.value, labels[role]) for role in Role]


class UserCreateForm(FlaskForm):
    email = EmailField(_l("Adres e-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Imię i nazwisko"), validators=[DataRequired(), Length(max=100)])
    role = SelectField(_l("Rola"), choices=role_choices)
    password = PasswordField(
        _l("Hasło startowe"), validators=[DataRequired(), Length(min=12, max=128)]
    )
    password_again = PasswordField(
        _l("Powtórz hasło"),
        validators=[DataRequired(), EqualTo("password", _l("Hasła różnią się."))],
    )


class UserEditForm(FlaskForm):
    name = StringField(_l("Imię i nazwisko"), validators=[DataRequired(), Length(max=100)])
    role = SelectField(_l("Rola"), choices=role_choices)


class PasswordResetForm(FlaskForm):
    password = PasswordField(_l("Nowe hasło"), validators=[DataRequired(), Length(min=12, max=128)])
    password_again = PasswordField(
        _l("Powtórz hasło"),
        validators=[DataRequired(), EqualTo("password", _l("Hasła różnią się."))],
    )


class ProcessForm(FlaskForm):
    title = StringField(_l("Tytuł"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(_l("Adres strony"), validators=[Optional(), Length(max=120), SLUG])
    lead = TextAreaField(_l("Wstęp"), validators=[Optional(), Length(max=500)])
    description = TextAreaField(_l("Opis"), validators=[Optional(), Length(max=50000)])
    organiser = StringField(_l("Organizator"), validators=[Optional(), Length(max=200)])
    title_en = StringField(_l("Tytuł po angielsku"), validators=[Optional(), Length(max=200)])
    lead_en = TextAreaField(_l("Wstęp po angielsku"), validators=[Optional(), Length(max=500)])
    description_en = TextAreaField(
        _l("Opis po angielsku"), validators=[Optional(), Length(max=50000)]
    )
    opens_at = DateTimeLocalField(
        _l("Przyjmowanie pomysłów od"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    closes_at = DateTimeLocalField(
        _l("Przyjmowanie pomysłów do"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    published = BooleanField(_l("Opublikowana"))
    comment_moderation = SelectField(
        _l("Komentarze pod pomysłami"),
        choices=[
            ("post", _l("publikowane od razu, przeglądane potem")),
            ("pre", _l("publikowane po zatwierdzeniu przez moderatora")),
        ],
        default="post",
    )


class PhaseForm(FlaskForm):
    title = StringField(_l("Nazwa etapu"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Opis"), validators=[Optional(), Length(max=2000)])
    starts_on = DateField(_l("Początek"), validators=[DataRequired()])
    ends_on = DateField(_l("Koniec"), validators=[Optional()])
    position = IntegerField(_l("Kolejność"), default=0, validators=[Optional()])
    # What the site accepts while the phase runs (app/processes/phases.py).
    accepts_ideas = BooleanField(_l("Przyjmuje pomysły"), default=True)
    accepts_supports = BooleanField(_l("Przyjmuje poparcia"), default=True)
    accepts_comments = BooleanField(_l("Przyjmuje komentarze"), default=True)
    workshop_registration = BooleanField(_l("Prowadzi zapisy na spotkania"), default=True)


class CategoryForm(FlaskForm):
    name = StringField(_l("Nazwa"), validators=[DataRequired(), Length(max=120)])
    name_en = StringField(_l("Nazwa po angielsku"), validators=[Optional(), Length(max=120)])
    slug = StringField(_l("Adres strony"), validators=[Optional(), Length(max=120), SLUG])
    description = TextAreaField(_l("Opis"), validators=[Optional(), Length(max=2000)])
    position = IntegerField(_l("Kolejność"), default=0, validators=[Optional()])
    active = BooleanField(_l("Aktywna (do wyboru w formularzu)"), default=True)
