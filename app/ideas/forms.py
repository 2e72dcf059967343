"""Forms for submitting and revising an idea."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from app import bilingual
from app.uploads import UploadError, validate_upload

# C0/C1 control characters except tab and line feed (kept in descriptions).
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_ANY = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(value: Any) -> Any:
    """Strip a single-line field; control characters become spaces."""
    if not isinstance(value, str):
        return value
    return re.sub(r"\s+", " ", _CONTROL_ANY.sub(" ", value)).strip()


def multi_line(value: Any) -> Any:
    """Normalise line breaks and drop control characters (NUL included,
    which PostgreSQL refuses) from a text area."""
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_MULTILINE.sub("", value).strip()


def raw_email(value: Any) -> Any:
    """Only trim an address: anything odd inside it must fail validation,
    never be silently "fixed" into a different recipient."""
    return value.strip() if isinstance(value, str) else value


def safe_address(form: FlaskForm, field: Any) -> None:
    """Refuse what could turn one recipient into a header or a list of them
    (an apostrophe, as in o'brien@…, is a valid address and stays)."""
    if field.data and (_CONTROL_ANY.search(field.data) or any(ch in field.data for ch in ',;<>"')):
        raise ValidationError(_l("Adres e-mail zawiera niedozwolone znaki."))


class AttachmentCheck:
    """Validate the uploaded file by its content; keeps the processed file
    on ``form.processed_attachment``."""

    def __call__(self, form: FlaskForm, field: Any) -> None:
        storage = field.data
        if storage is None or not getattr(storage, "filename", None):
            return
        try:
            form.processed_attachment = validate_upload(storage)
        except UploadError as error:
            # A file too large is answered with 413, the rest with 400.
            form.refused_status = error.status
            raise ValidationError(error.message) from error


def check_category(form: Any, field: Any) -> None:
    if not field.data:
        raise ValidationError(_l("Wybierz kategorię."))
    if field.data not in form._category_slugs:
        raise ValidationError(_l("Wybierz jedną z kategorii z listy."))


def _title_field() -> StringField:
    return StringField(
        _l("Tytuł pomysłu"),
        filters=[one_line],
        validators=[
            DataRequired(_l("Podaj tytuł.")),
            Length(5, 150, _l("Tytuł musi mieć od %(min)d do %(max)d znaków.")),
        ],
    )


def _description_field() -> TextAreaField:
    return TextAreaField(
        _l("Opis pomysłu"),
        filters=[multi_line],
        validators=[
            DataRequired(_l("Opisz swój pomysł.")),
            Length(30, 5000, _l("Opis musi mieć od %(min)d do %(max)d znaków.")),
        ],
    )


def _category_field() -> SelectField:
    return SelectField(
        _l("Kategoria"),
        choices=[],
        validate_choice=False,
    )


def _author_name_field() -> StringField:
    return StringField(
        _l("Imię i nazwisko lub pseudonim"),
        filters=[one_line],
        validators=[
            DataRequired(_l("Podaj, jak się nazywasz.")),
            Length(2, 100, _l("To pole musi mieć od %(min)d do %(max)d znaków.")),
        ],
    )


def _municipality_field() -> StringField:
    return StringField(
        _l("Gmina, w której mieszkasz"),
        filters=[one_line],
        validators=[Optional(), Length(max=100, message=_l("Najwyżej %(max)d znaków."))],
    )


def _show_author_name_field() -> BooleanField:
    return BooleanField(_l("Pokaż moje imię i nazwisko przy opublikowanym pomyśle"))


def _attachment_field() -> FileField:
    return FileField(_l("Załącznik: zdjęcie lub PDF"), validators=[AttachmentCheck()])


def _email_field() -> EmailField:
    return EmailField(
        _l("Adres e-mail"),
        filters=[raw_email],
        validators=[
            DataRequired(_l("Podaj adres e-mail: wyślemy na niego link potwierdzający.")),
            Length(max=254, message=_l("Adres e-mail jest za długi.")),
            safe_address,
            Email(
                _l("To nie wygląda na poprawny adres e-mail."),
                granular_message=False,
                allow_smtputf8=False,
            ),
        ],
    )


class IdeaForm(FlaskForm):
    """The residents' form (field names are part of the public contract)."""

    title = _title_field()
    description = _description_field()
    category = _category_field()
    # Form.process is WTForms' own method, so the attribute has another name;
    # the submitted field is still called "process".
    process_slug = SelectField(_l("Konsultacja"), choices=[], validate_choice=False, name="process")
    author_name = _author_name_field()
    email = _email_field()
    municipality = _municipality_field()
    show_author_name = _show_author_name_field()
    author_updates = BooleanField(
        _l("Chcę dostawać od organizatora wiadomości o dalszych etapach tej konsultacji")
    )
    consent = BooleanField(
        _l("Zgadzam się na przetwarzanie moich danych osobowych w celu rozpatrzenia pomysłu"),
        validators=[DataRequired(_l("Bez tej zgody nie możemy przyjąć pomysłu."))],
    )
    attachment = _attachment_field()
    # Honeypot: hidden from people, filled by bots.
    website = StringField(_l("Strona internetowa (zostaw puste)"))

    processed_attachment = None
    refused_status = 400

    def __init__(self, *args: Any, categories: list, processes: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.category.choices = [("", _l("— wybierz —"))] + [(c.slug, bilingual.text(c, "name")) for c in categories]
        self._category_slugs = {c.slug for c in categories}
        # The chosen category itself, without another query.
        self.categories_by_slug = {c.slug: c for c in categories}
        self.process_slug.choices = [("", _l("— wybierz —"))] + [
            (p.slug, p.title) for p in processes
        ]
        self._process_slugs = {p.slug for p in processes}
        self._process_required = len(processes) > 1

    def validate_category(self, field: Any) -> None:
        check_category(self, field)

    def validate_process_slug(self, field: Any) -> None:
        if not field.data:
            if self._process_required:
                raise ValidationError(_l("Wybierz konsultację, do której zgłaszasz pomysł."))
            return
        # A known consultation that does not accept ideas now is left to the
        # view, which explains its submission window.


class IdeaEditForm(FlaskForm):
    """The author's edit on the tracking page."""

    title = _title_field()
    description = _description_field()
    category = _category_field()
    author_name = _author_name_field()
    municipality = _municipality_field()
    show_author_name = _show_author_name_field()
    attachment = FileField(_l("Nowy załącznik (zastąpi obecny)"), validators=[AttachmentCheck()])
    remove_attachment = BooleanField(_l("Usuń obecny załącznik"))
    version = HiddenField()

    processed_attachment = None
    refused_status = 400

    def __init__(self, *args: Any, categories: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.category.choices = [("", _l("— wybierz —"))] + [(c.slug, bilingual.text(c, "name")) for c in categories]
        self._category_slugs = {c.slug for c in categories}

    def validate_category(self, field: Any) -> None:
        check_category(self, field)

    def version_number(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


class EmailCorrectionForm(FlaskForm):
    """ "Popraw adres" on the page shown after sending the form."""

    email = _email_field()


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        _l("Dlaczego wycofujesz pomysł?"),
        filters=[multi_line],
        validators=[Optional(), Length(max=1000, message=_l("Najwyżej %(max)d znaków."))],
    )


class EraseForm(FlaskForm):
    confirm = BooleanField(
        _l("Rozumiem, że tej operacji nie można cofnąć"),
        validators=[DataRequired(_l("Zaznacz, że rozumiesz skutki usunięcia danych."))],
    )
