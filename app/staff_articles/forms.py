"""Forms of the article editor."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields import DateTimeLocalField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _optional_int(value: object) -> int | None:
    try:
        return int(value) if value not in (None, "", "None") else None
    except (TypeError, ValueError):
        return None


class ArticleForm(FlaskForm):
    title = StringField(_l("Tytuł"), validators=[DataRequired(_l("Podaj tytuł.")), Length(5, 200)])
    slug = StringField(
        _l("Adres strony"),
        validators=[Optional(), Length(max=100)],
        description=_l(
            "Zostaw puste, a utworzymy go z tytułu. Polskie litery zamienimy na łacińskie."
        ),
    )
    lead = TextAreaField(
        _l("Wstęp"),
        validators=[DataRequired(_l("Napisz krótki wstęp.")), Length(max=500)],
        description=_l(
            "Jedno–dwa zdania: pokażemy je na kafelku, w kanale Atom i w podglądzie linku."
        ),
    )
    body = TextAreaField(
        _l("Treść"), validators=[DataRequired(_l("Napisz treść artykułu."))]
    )
    title_en = StringField(_l("Tytuł po angielsku"), validators=[Optional(), Length(max=200)])
    lead_en = TextAreaField(_l("Wstęp po angielsku"), validators=[Optional(), Length(max=500)])
    body_en = TextAreaField(_l("Treść po angielsku"), validators=[Optional()])
    cover = FileField(_l("Okładka"))
    pending_cover = HiddenField()
    cover_alt = StringField(
        _l("Tekst alternatywny okładki"),
        validators=[Optional(), Length(max=300)],
        description=_l(
            "Opisz, co widać na obrazie – dla osób, które go nie widzą. Wymagany, gdy jest okładka."
        ),
    )
    remove_cover = BooleanField(_l("Usuń obecną okładkę"))
    video_url = StringField(
        _l("Adres filmu"),
        validators=[Optional(), Length(max=500)],
        description=_l("Link do filmu w serwisie YouTube lub Vimeo."),
    )
    tags = StringField(
        _l("Tematy"),
        validators=[Optional(), Length(max=500)],
        description=_l("Oddziel przecinkami, np. „warsztaty, energia”. Najwyżej 10."),
    )
    consultation = SelectField(_l("Konsultacje"), coerce=_optional_int, validators=[Optional()])
    workshops = MultiCheckboxField(_l("Powiązane spotkania"), coerce=int, validators=[Optional()])
    ideas = StringField(
        _l("Powiązane pomysły"),
        validators=[Optional(), Length(max=500)],
        description=_l("Numery wybranych pomysłów (uzupełniają się, gdy wybierasz pomysły z wyszukiwania)."),
    )
    idea_query = StringField(_l("Szukaj pomysłu po tytule"), validators=[Optional(), Length(max=200)])
    find_ideas = SubmitField(_l("Szukaj pomysłów"))
    version = HiddenField()
    save = SubmitField(_l("Zapisz"))
    preview = SubmitField(_l("Podgląd"))


class PublishForm(FlaskForm):
    publish_at = DateTimeLocalField(
        _l("Termin publikacji (czas polski)"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
        description=_l("Zostaw puste, by opublikować od razu."),
    )
