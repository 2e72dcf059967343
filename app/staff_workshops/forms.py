"""Staff forms for meetings: the meeting, its groups, minutes, messages, ideas."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional, Regexp

from app.workshops.display import kind_labels

SLUG = Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message=_l("Tylko małe litery, cyfry i łączniki."))
WHEN = "%Y-%m-%dT%H:%M"


def kind_choices() -> list[tuple[str, str]]:
    return [(kind.value, label) for kind, label in kind_labels().items()]


class WorkshopForm(FlaskForm):
    process_id = SelectField(_l("Konsultacje"), coerce=int, validators=[DataRequired()])
    kind = SelectField(_l("Rodzaj spotkania"), choices=kind_choices)
    title = StringField(_l("Tytuł"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(_l("Adres strony"), validators=[Optional(), Length(max=120), SLUG])
    lead = TextAreaField(
        _l("Zapowiedź"), validators=[Optional(), Length(max=500)]
    )
    starts_at = DateTimeLocalField(_l("Początek"), format=WHEN, validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("Koniec"), format=WHEN, validators=[DataRequired()])
    venue = StringField(
        _l("Miejsce"), validators=[Optional(), Length(max=200)]
    )
    address = StringField(_l("Adres"), validators=[Optional(), Length(max=300)])
    online_url = URLField(
        _l("Link do spotkania online"),
        validators=[
            Optional(),
            URL(message=_l("Podaj pełny adres, np. https://…")),
            Length(max=500),
        ],
    )
    programme = TextAreaField(_l("Program"), validators=[Optional(), Length(max=20000)])
    title_en = StringField(_l("Tytuł po angielsku"), validators=[Optional(), Length(max=200)])
    lead_en = TextAreaField(_l("Wstęp po angielsku"), validators=[Optional(), Length(max=500)])
    programme_en = TextAreaField(
        _l("Program po angielsku"), validators=[Optional(), Length(max=20000)]
    )
    capacity = IntegerField(
        _l("Liczba miejsc"),
        validators=[Optional(), NumberRange(min=1, max=100000, message=_l("Od 1 do 100 000."))],
    )
    registration_opens_at = DateTimeLocalField(
        _l("Zapisy od"), format=WHEN, validators=[Optional()]
    )
    registration_closes_at = DateTimeLocalField(
        _l("Zapisy do"), format=WHEN, validators=[Optional()]
    )
    participants_count = IntegerField(
        _l("Liczba uczestników"),
        validators=[Optional(), NumberRange(min=0, max=100000)],
    )
    published = BooleanField(_l("Opublikowane (widoczne na stronie)"), default=True)


class GroupForm(FlaskForm):
    name = StringField(_l("Nazwa grupy"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(
        _l("Kto pracuje w grupie, nad czym"), validators=[Optional(), Length(max=2000)]
    )
    participants_count = IntegerField(
        _l("Liczba uczestników"), validators=[Optional(), NumberRange(min=0, max=10000)]
    )
    position = IntegerField(_l("Kolejność"), default=0, validators=[Optional()])


class MinutesForm(FlaskForm):
    minutes = TextAreaField(_l("Protokół"), validators=[Optional(), Length(max=100000)])
    minutes_published = BooleanField(_l("Opublikuj protokół na stronie spotkania"))


class MessageForm(FlaskForm):
    audience = RadioField(
        _l("Do kogo"),
        choices=[
            ("confirmed", _l("Osoby z potwierdzonym miejscem")),
            ("confirmed_waiting", _l("Osoby z miejscem i z listy rezerwowej")),
        ],
        default="confirmed",
    )
    subject = StringField(_l("Temat"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Treść"), validators=[DataRequired(), Length(max=10000)])


class IdeaForm(FlaskForm):
    title = StringField(_l("Tytuł pomysłu"), validators=[DataRequired(), Length(min=5, max=150)])
    description = TextAreaField(_l("Opis"), validators=[DataRequired(), Length(min=30, max=5000)])
    category = SelectField(_l("Kategoria"), coerce=int, validators=[DataRequired()])
    group = SelectField(_l("Grupa, w której powstał"), coerce=int, validators=[Optional()])
    mode = RadioField(
        _l("Co dalej"),
        choices=[
            ("publish", _l("Opublikuj od razu w katalogu")),
            ("review", _l("Wyślij do moderacji")),
        ],
        default="publish",
        validators=[DataRequired()],
    )
