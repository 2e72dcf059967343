"""Forms of the discussion: a comment or reply, its edit, a report, the
author's notification choice."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from app.comments.services import BODY_LIMITS, REPORT_LIMITS


def _strip(value):  # noqa: ANN001, ANN202
    return value.strip() if isinstance(value, str) else value


def _body_field(label, ident: str = "comment-body") -> TextAreaField:  # noqa: ANN001
    return TextAreaField(
        label,
        id=ident,
        filters=[_strip],
        validators=[
            InputRequired(_l("Napisz komentarz.")),
            Length(
                min=BODY_LIMITS[0],
                max=BODY_LIMITS[1],
                message=_l("Komentarz musi mieć od %(min)d do %(max)d znaków."),
            ),
        ],
    )


class CommentForm(FlaskForm):
    body = _body_field(_l("Twój komentarz"))
    author_name = StringField(
        _l("Podpis"),
        id="comment-author-name",
        filters=[_strip],
        validators=[
            Optional(),
            Length(
                min=2, max=100, message=_l("Podpis musi mieć od 2 do 100 znaków albo zostać pusty.")
            ),
        ],
    )
    email = EmailField(
        _l("Adres e-mail"),
        id="comment-email",
        filters=[_strip],
        validators=[
            InputRequired(_l("Podaj adres e-mail.")),
            Length(max=254, message=_l("Adres e-mail jest za długi.")),
            Email(_l("Podaj poprawny adres e-mail."), check_deliverability=False),
        ],
    )
    consent = BooleanField(
        _l("Zgadzam się na przetwarzanie moich danych w celu opublikowania komentarza"),
        id="comment-consent",
        validators=[DataRequired(_l("Bez tej zgody nie możemy przyjąć komentarza."))],
    )
    follow = BooleanField(
        _l("Powiadamiaj mnie o nowych komentarzach"), id="comment-follow"
    )
    parent_id = HiddenField(id="comment-parent")
    # Honeypot: hidden from people, filled by bots.
    website = StringField(_l("Strona internetowa (zostaw puste)"), id="comment-website")


class EditCommentForm(FlaskForm):
    body = _body_field(_l("Treść komentarza"))


class CommentReportForm(FlaskForm):
    reason = TextAreaField(
        _l("Co jest nie tak z tym komentarzem?"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Napisz, co jest nie tak.")),
            Length(
                min=REPORT_LIMITS[0],
                max=REPORT_LIMITS[1],
                message=_l("Opis zgłoszenia musi mieć od %(min)d do %(max)d znaków."),
            ),
        ],
    )


class ConfirmForm(FlaskForm):
    """A POST with a CSRF token and nothing else (delete, forget browsers)."""


class AlertForm(FlaskForm):
    cadence = RadioField(
        _l("Powiadomienia o nowych komentarzach pod Twoim pomysłem"),
        choices=[
            ("immediate", _l("o każdym komentarzu osobno")),
            ("daily", _l("raz dziennie, w jednym zestawieniu")),
            ("off", _l("nie wysyłaj")),
        ],
        default="off",
    )
