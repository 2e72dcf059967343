"""Forms of the idea page: a support, and (for staff) an official answer."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, SelectField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from app.models import ResultStatus


class SupportForm(FlaskForm):
    email = EmailField(
        _l("Twój adres e-mail"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            InputRequired(_l("Podaj adres e-mail.")),
            Length(max=254, message=_l("Adres e-mail jest za długi.")),
            Email(_l("Podaj poprawny adres e-mail."), check_deliverability=False),
        ],
    )
    notify = BooleanField(_l("Powiadom mnie o oficjalnych odpowiedziach na ten pomysł"))


def result_status_choices() -> list[tuple[str, str]]:
    return [
        (ResultStatus.UNDER_ANALYSIS.value, _l("W analizie")),
        (ResultStatus.ACCEPTED.value, _l("Przyjęty do programu")),
        (ResultStatus.IN_PROGRESS.value, _l("W realizacji")),
        (ResultStatus.IMPLEMENTED.value, _l("Zrealizowany")),
        (ResultStatus.NOT_PURSUED.value, _l("Niepodjęty")),
    ]


class AnswerForm(FlaskForm):
    result_status = SelectField(
        _l("Status pomysłu"),
        choices=result_status_choices,
        validators=[InputRequired(_l("Wybierz status."))],
    )
    answer = TextAreaField(
        _l("Odpowiedź (Markdown)"),
        validators=[
            InputRequired(_l("Napisz odpowiedź.")),
            Length(min=10, max=10000, message=_l("Odpowiedź musi mieć od 10 do 10 000 znaków.")),
        ],
    )
    progress = IntegerField(
        _l("Postęp realizacji (%)"),
        default=0,
        validators=[Optional(), NumberRange(0, 100, message=_l("Podaj liczbę od 0 do 100."))],
    )
