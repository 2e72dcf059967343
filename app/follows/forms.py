"""Forms of following: the follow forms and the preferences page.

Fields carry ids of their own ("follow-…"): the forms sit on pages that
have other forms with an e-mail field.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField
from wtforms.validators import DataRequired, Email, InputRequired, Length


def cadence_choices() -> list[tuple[str, str]]:
    return [
        ("immediate", _l("od razu – osobna wiadomość o każdej nowości")),
        ("weekly", _l("raz w tygodniu – jedno podsumowanie")),
    ]


class FollowForm(FlaskForm):
    email = EmailField(
        _l("Twój adres e-mail"),
        id="follow-email",
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            InputRequired(_l("Podaj adres e-mail.")),
            Length(max=254, message=_l("Adres e-mail jest za długi.")),
            Email(_l("Podaj poprawny adres e-mail."), check_deliverability=False),
        ],
    )
    cadence = RadioField(
        _l("Jak często pisać?"),
        id="follow-cadence",
        choices=cadence_choices,
        default="immediate",
        validators=[InputRequired(_l("Wybierz, jak często chcesz dostawać wiadomości."))],
    )
    consent = BooleanField(
        _l(
            "Zgadzam się na przetwarzanie mojego adresu e-mail w celu wysyłania tych "
            "powiadomień (zgodnie z informacją o ochronie danych)."
        ),
        id="follow-consent",
        validators=[DataRequired(_l("Bez tej zgody nie możemy wysyłać powiadomień."))],
    )


class FollowIdeaForm(FollowForm):
    comments = BooleanField(
        _l("Powiadamiaj mnie także o nowych komentarzach"), id="follow-comments"
    )


class PreferencesForm(FlaskForm):
    cadence = RadioField(
        _l("Jak często pisać?"),
        choices=cadence_choices,
        validators=[InputRequired(_l("Wybierz, jak często chcesz dostawać wiadomości."))],
    )
    comments = BooleanField(_l("Także o nowych komentarzach"))


class EraseFollowerForm(FlaskForm):
    confirm = BooleanField(
        _l("Rozumiem, że tej operacji nie można cofnąć"),
        validators=[DataRequired(_l("Zaznacz, że rozumiesz skutki usunięcia danych."))],
    )
