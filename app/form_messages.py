"""WTForms' stock validation messages in our own words.

WTForms asks its translations for each stock message ("This field is
required.", "Field cannot be longer than %(max)d characters.", …). Its own
Polish catalogue reads badly ("Wartość musi być długa na od 5 do 200
znaków") and has one plural form where Polish needs three. Here each stock
message is answered from the app's catalogue as a full Polish sentence
(English in the English interface), with ``ngettext`` where a number
decides the form; messages not listed fall back to WTForms' catalogue.

:func:`init_app` puts these translations in place for every form of every
request (Flask-WTF looks for them on ``request.wtforms_translations``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from babel import support
from flask import Flask, request
from flask_babel import get_locale, gettext, ngettext
from wtforms.i18n import messages_path

# WTForms' message -> our sentence, still with WTForms' placeholders.
SINGLE: dict[str, Callable[[], str]] = {
    "This field is required.": lambda: gettext("Wypełnij to pole."),
    "Field must be between %(min)d and %(max)d characters long.": lambda: gettext(
        "Wpisz od %(min)d do %(max)d znaków."
    ),
    "Number must be at least %(min)s.": lambda: gettext("Podaj liczbę nie mniejszą niż %(min)s."),
    "Number must be at most %(max)s.": lambda: gettext("Podaj liczbę nie większą niż %(max)s."),
    "Number must be between %(min)s and %(max)s.": lambda: gettext(
        "Podaj liczbę od %(min)s do %(max)s."
    ),
    "Invalid email address.": lambda: gettext(
        "Podaj poprawny adres e-mail, na przykład imie.nazwisko@example.pl."
    ),
    "Field must be equal to %(other_name)s.": lambda: gettext(
        "Wartość musi być taka sama jak w polu „%(other_label)s”."
    ),
    "Invalid input.": lambda: gettext("Ta wartość ma niepoprawną postać."),
    "Invalid URL.": lambda: gettext("Podaj pełny adres strony, zaczynający się od https://."),
    "Not a valid choice.": lambda: gettext("Wybierz jedną z podanych możliwości."),
    "Not a valid integer value.": lambda: gettext("Wpisz liczbę całkowitą, na przykład 12."),
    "Not a valid decimal value.": lambda: gettext("Wpisz liczbę, na przykład 12,5."),
    "Not a valid float value.": lambda: gettext("Wpisz liczbę, na przykład 12,5."),
    "Not a valid datetime value.": lambda: gettext("Podaj datę i godzinę."),
    "Not a valid date value.": lambda: gettext("Podaj datę."),
    "Not a valid time value.": lambda: gettext("Podaj godzinę."),
    "Invalid value, must be one of: %(values)s.": lambda: gettext(
        "Wybierz jedną z wartości: %(values)s."
    ),
}

# WTForms' singular message -> our sentence for *n*, formatted already
# (the number is the limit WTForms passes: %(min)d or %(max)d).
PLURAL: dict[str, Callable[[int], str]] = {
    "Field cannot be longer than %(max)d character.": lambda n: ngettext(
        "Wpisz najwyżej %(max)d znak.", "Wpisz najwyżej %(max)d znaków.", n, max=n
    ),
    "Field must be exactly %(max)d character long.": lambda n: ngettext(
        "Wpisz dokładnie %(max)d znak.", "Wpisz dokładnie %(max)d znaków.", n, max=n
    ),
    "Field must be at least %(min)d character long.": lambda n: ngettext(
        "Wpisz co najmniej %(min)d znak.", "Wpisz co najmniej %(min)d znaków.", n, min=n
    ),
}


@lru_cache(maxsize=8)
def _stock_catalogue(locale: str) -> support.Translations | support.NullTranslations:
    """WTForms' own catalogue for *locale*, read from disk once per worker
    (not once per request: parsing it cost more than a page's queries)."""
    return support.Translations.load(messages_path(), [locale], "wtforms")


class FormMessages:
    """The translations object Flask-WTF asks (``ugettext``/``ungettext``).

    Without *locale*, the request's locale is looked up when a message is
    first needed: most requests build no form and ask nothing."""

    def __init__(self, locale: str | None = None) -> None:
        self._locale = locale
        self._stock: support.Translations | support.NullTranslations | None = None

    @property
    def locale(self) -> str:
        if self._locale is None:
            self._locale = str(get_locale() or "pl")
        return self._locale

    @property
    def stock(self) -> support.Translations | support.NullTranslations:
        if self._stock is None:
            self._stock = _stock_catalogue(self.locale)
        return self._stock

    def ugettext(self, string: str) -> str:
        ours = SINGLE.get(string)
        return ours() if ours else self.stock.ugettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        ours = PLURAL.get(singular)
        return ours(n) if ours else self.stock.ungettext(singular, plural, n)

    gettext = ugettext
    ngettext = ungettext


def _use_form_messages() -> None:
    request.wtforms_translations = FormMessages()


def init_app(app: Flask) -> None:
    app.before_request(_use_form_messages)
