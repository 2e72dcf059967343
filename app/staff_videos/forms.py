"""Forms of the video editor."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.models import VideoSource


def _optional_int(value: object) -> int | None:
    try:
        return int(value) if value not in (None, "", "None") else None
    except (TypeError, ValueError):
        return None


class VideoForm(FlaskForm):
    title = StringField(_l("Tytuł"), validators=[DataRequired(_l("Podaj tytuł.")), Length(3, 200)])
    slug = StringField(
        _l("Adres (slug)"),
        validators=[Optional(), Length(max=100)],
        description=_l("Zostaw puste, a utworzymy go z tytułu."),
    )
    description = TextAreaField(_l("Opis"), validators=[Optional(), Length(max=5000)])
    source = RadioField(
        _l("Źródło filmu"),
        choices=[
            (VideoSource.UPLOAD.value, _l("Plik przesłany do Odkrywki (MP4 albo WebM)")),
            (VideoSource.EMBED.value, _l("Film w serwisie YouTube albo Vimeo")),
        ],
        default=VideoSource.UPLOAD.value,
        validators=[DataRequired(_l("Wybierz źródło filmu."))],
    )
    file = FileField(_l("Plik filmu"))
    embed_url = StringField(
        _l("Adres filmu w serwisie"),
        validators=[Optional(), Length(max=500)],
        description=_l("Link do filmu w serwisie YouTube albo Vimeo."),
    )
    duration = StringField(
        _l("Czas trwania"),
        validators=[Optional(), Length(max=10)],
        description=_l(
            "mm:ss albo gg:mm:ss. Dla przesłanego pliku odczytamy go sami, gdy serwer ma ffmpeg."
        ),
    )
    poster = FileField(_l("Kadr tytułowy (plakat)"))
    remove_poster = BooleanField(_l("Usuń obecny kadr tytułowy"))
    captions_pl = FileField(_l("Napisy po polsku (WebVTT)"))
    captions_en = FileField(_l("Napisy po angielsku (WebVTT)"))
    remove_captions_en = BooleanField(_l("Usuń napisy po angielsku"))
    chapters = TextAreaField(
        _l("Rozdziały"),
        validators=[Optional(), Length(max=10000)],
        description=_l(
            "Jeden w wierszu: „mm:ss Tytuł”. Omawiany pomysł dopisz na końcu jako „#numer”, "
            "np. „01:20 Tramwaj do Bełchatowa #12”."
        ),
    )
    transcript = TextAreaField(_l("Transkrypcja"), validators=[Optional(), Length(max=200_000)])
    consultation = SelectField(_l("Konsultacje"), coerce=_optional_int, validators=[Optional()])
    workshop = SelectField(
        _l("Nagranie spotkania"), coerce=_optional_int, validators=[Optional()]
    )
    article = SelectField(_l("Film do artykułu"), coerce=_optional_int, validators=[Optional()])
