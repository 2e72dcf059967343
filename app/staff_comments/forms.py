"""Staff forms for comments: a decision, a bulk decision, an official reply."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.comments.services import BODY_LIMITS


def decision_choices() -> list[tuple[str, str]]:
    return [
        ("approve", _l("Zatwierdź")),
        ("hide", _l("Ukryj")),
        ("restore", _l("Przywróć")),
    ]


class CommentDecisionForm(FlaskForm):
    action = RadioField(_l("Co postanawiasz?"), choices=decision_choices, validate_choice=False)
    reply_template = SelectField(
        _l("Szablon uzasadnienia"), choices=[], validate_choice=False, validators=[Optional()]
    )
    reason = TextAreaField(
        _l("Powód ukrycia (dla autora)"), validators=[Optional(), Length(max=5000)]
    )
    version = HiddenField()


class BulkCommentForm(FlaskForm):
    action = RadioField(
        _l("Decyzja dla zaznaczonych"),
        choices=lambda: decision_choices()[:2],
        validate_choice=False,
    )
    reply_template = SelectField(
        _l("Szablon uzasadnienia"), choices=[], validate_choice=False, validators=[Optional()]
    )
    reason = TextAreaField(
        _l("Powód ukrycia (przy ukrywaniu)"), validators=[Optional(), Length(max=5000)]
    )


class OfficialReplyForm(FlaskForm):
    body = TextAreaField(
        _l("Odpowiedź organizatora"),
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        validators=[
            InputRequired(_l("Napisz odpowiedź.")),
            Length(
                min=BODY_LIMITS[0],
                max=BODY_LIMITS[1],
                message=_l("Komentarz musi mieć od %(min)d do %(max)d znaków."),
            ),
        ],
    )
    unit = StringField(_l("Nazwa jednostki"), validators=[Optional(), Length(max=200)])
    show_name = BooleanField(_l("Podpisz także moim imieniem i nazwiskiem"))
    parent_id = HiddenField()
