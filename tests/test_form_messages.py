"""WTForms' stock validation messages read as correct Polish sentences, with
the plural form the number needs, and in English in the English interface."""

from __future__ import annotations

import pytest
from flask_babel import refresh
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Email, Length, NumberRange

from app.form_messages import PLURAL, SINGLE, FormMessages


class _Form(FlaskForm):
    class Meta:
        csrf = False

    title = StringField("Tytuł", validators=[DataRequired(), Length(5, 200)])
    short = StringField("Krótki", validators=[Length(max=22)])
    long = StringField("Długi", validators=[Length(min=2)])
    email = StringField("E-mail", validators=[Email()])
    number = IntegerField("Liczba", validators=[NumberRange(min=0, max=100)])


def _errors(app, lang: str = "pl", **data) -> dict[str, list[str]]:
    with app.test_request_context(f"/?lang={lang}", method="POST", data=data):
        refresh()
        app.preprocess_request()
        form = _Form()
        form.validate()
        return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


def _limit(app, key: str, n: int, lang: str = "pl") -> str:
    with app.test_request_context(f"/?lang={lang}"):
        refresh()
        return PLURAL[key](n)


AT_MOST = "Field cannot be longer than %(max)d character."
AT_LEAST = "Field must be at least %(min)d character long."


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "Wpisz najwyżej 1 znak."),
        (2, "Wpisz najwyżej 2 znaki."),
        (5, "Wpisz najwyżej 5 znaków."),
        (12, "Wpisz najwyżej 12 znaków."),
        (22, "Wpisz najwyżej 22 znaki."),
        (25, "Wpisz najwyżej 25 znaków."),
    ],
)
def test_at_most_uses_the_three_polish_plural_forms(app, n, expected):
    assert _limit(app, AT_MOST, n) == expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "Wpisz co najmniej 1 znak."),
        (2, "Wpisz co najmniej 2 znaki."),
        (5, "Wpisz co najmniej 5 znaków."),
        (22, "Wpisz co najmniej 22 znaki."),
    ],
)
def test_at_least_uses_the_three_polish_plural_forms(app, n, expected):
    assert _limit(app, AT_LEAST, n) == expected


def test_english_limits_use_english_plurals(app):
    assert _limit(app, AT_MOST, 1, "en") == "Enter at most 1 character."
    assert _limit(app, AT_MOST, 22, "en") == "Enter at most 22 characters."


def test_a_form_reports_full_polish_sentences(app):
    errors = _errors(app, title="abc", short="x" * 23, long="x", email="nie-adres", number="500")
    assert errors["title"] == ["Wpisz od 5 do 200 znaków."]
    assert errors["short"] == ["Wpisz najwyżej 22 znaki."]
    assert errors["long"] == ["Wpisz co najmniej 2 znaki."]
    assert errors["email"][0].startswith("Podaj poprawny adres e-mail")
    assert errors["number"] == ["Podaj liczbę od 0 do 100."]
    assert _errors(app, number="dwa")["title"] == ["Wypełnij to pole."]
    assert _errors(app, number="dwa")["number"][0] == "Wpisz liczbę całkowitą, na przykład 12."
    for messages in errors.values():
        assert "Wartość musi być długa" not in messages[0]


def test_a_form_reports_english_sentences_in_english(app):
    errors = _errors(app, "en", title="abc", short="x" * 23)
    assert errors["title"] == ["Enter between 5 and 200 characters."]
    assert errors["short"] == ["Enter at most 22 characters."]


def test_every_message_keeps_the_placeholders_wtforms_fills(app):
    with app.test_request_context("/"):
        for stock, ours in SINGLE.items():
            for name in ("%(min)", "%(max)", "%(values)"):
                assert (name in stock) == (name in ours()), stock


def test_messages_not_listed_fall_back_to_the_wtforms_catalogue(app):
    with app.test_request_context("/"):
        messages = FormMessages("pl")
        assert messages.ugettext("Invalid UUID.") != ""
        assert messages.ungettext("one %(n)d", "many %(n)d", 3) == "many %(n)d"
