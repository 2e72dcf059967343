"""The public registration form (field names fixed by the contract)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from app.models.workshop import ParticipantGroup
from app.text import single_line


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def participant_group_labels() -> dict[str, str]:
    return {
        ParticipantGroup.RESIDENT: _l("Mieszkaniec / mieszkanka"),
        ParticipantGroup.YOUNG_PERSON: _l("Osoba młoda (do 26 lat)"),
        ParticipantGroup.SENIOR: _l("Senior / seniorka"),
        ParticipantGroup.ENTREPRENEUR: _l("Przedsiębiorca / przedsiębiorczyni"),
        ParticipantGroup.LOCAL_GOVERNMENT: _l("Samorząd lokalny"),
        ParticipantGroup.COMPANY_HEAD: _l("Osoba kierująca firmą"),
        ParticipantGroup.OTHER: _l("Inna"),
    }


def participant_group_choices() -> list[tuple[str, str]]:
    labels = participant_group_labels()
    # An empty first option, so nobody is counted as a resident by default.
    return [("", _l("— wybierz —"))] + [(group.value, labels[group]) for group in ParticipantGroup]


class RegistrationForm(FlaskForm):
    name = StringField(
        _l("Imię i nazwisko"),
        filters=[single_line],
        validators=[
            DataRequired(_l("Podaj imię i nazwisko.")),
            Length(min=2, max=100, message=_l("Od 2 do 100 znaków.")),
        ],
    )
    email = EmailField(
        _l("Adres e-mail"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Podaj adres e-mail.")),
            Email(_l("To nie wygląda na adres e-mail."), check_deliverability=False),
            Length(max=254),
        ],
    )
    participant_group = SelectField(
        _l("Kogo reprezentujesz?"),
        choices=participant_group_choices,
        validators=[DataRequired(_l("Wybierz grupę z listy."))],
        validate_choice=True,
    )
    needs = TextAreaField(
        _l("Potrzeby dotyczące dostępności lub inne uwagi"),
        validators=[Optional(), Length(max=1000, message=_l("Najwyżej 1000 znaków."))],
    )
    consent = BooleanField(
        _l(
            "Zgadzam się na przetwarzanie moich danych w celu organizacji spotkania "
            "(zgodnie z informacją o ochronie danych)."
        ),
        validators=[DataRequired(_l("Bez tej zgody nie możemy przyjąć zapisu."))],
    )
