"""Moderation forms. The decision form keeps the contract's field names
(``action``, ``reason``, ``merge_into``, ``public_title``,
``public_description``, ``version``); its rules live in the service, which
names the field each problem belongs to."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from app.ideas.lifecycle import ACTION_LABELS
from app.moderation.services import (
    BULK_ACTIONS,
    MAX_REASON,
    TEMPLATE_ACTIONS,
)


def _action_choices(actions) -> list[tuple[str, str]]:  # noqa: ANN001
    return [(action, ACTION_LABELS[action]) for action in actions]


class DecisionForm(FlaskForm):
    # Choices are set per idea (what its state allows); an unknown value is
    # refused by the service with a clear message, not by WTForms.
    action = RadioField(_l("Co postanawiasz?"), choices=[], validate_choice=False)
    reply_template = SelectField(
        _l("Szablon uzasadnienia"), choices=[], validate_choice=False, validators=[Optional()]
    )
    reason = TextAreaField(
        _l("Uzasadnienie dla autora"), validators=[Optional(), Length(max=MAX_REASON)]
    )
    merge_into = StringField(_l("Numer pomysłu docelowego"), validators=[Optional()])
    public_title = StringField(_l("Tytuł do publikacji"), validators=[Optional()])
    public_description = TextAreaField(_l("Opis do publikacji"), validators=[Optional()])
    version = HiddenField()

    def set_templates(self, templates) -> None:  # noqa: ANN001
        self.reply_template.choices = [("", _l("— bez szablonu —"))] + [
            (str(template.id), template.title) for template in templates
        ]


class BulkDecisionForm(FlaskForm):
    action = RadioField(
        _l("Decyzja dla zaznaczonych"),
        choices=_action_choices(BULK_ACTIONS),
        validate_choice=False,
    )
    reply_template = SelectField(
        _l("Szablon uzasadnienia"), choices=[], validate_choice=False, validators=[Optional()]
    )
    reason = TextAreaField(
        _l("Uzasadnienie (przy odrzuceniu)"), validators=[Optional(), Length(max=MAX_REASON)]
    )

    set_templates = DecisionForm.set_templates


class DismissReportsForm(FlaskForm):
    note = TextAreaField(
        _l("Notatka (opcjonalnie, tylko dla zespołu)"), validators=[Optional(), Length(max=1000)]
    )


class ReplyTemplateForm(FlaskForm):
    title = StringField(
        _l("Nazwa szablonu"),
        validators=[DataRequired(_l("Podaj nazwę szablonu.")), Length(min=3, max=120)],
    )
    action = SelectField(
        _l("Pasuje do decyzji"),
        choices=[("", _l("dowolnej"))] + _action_choices(TEMPLATE_ACTIONS),
        validators=[Optional()],
    )
    body = TextAreaField(
        _l("Treść uzasadnienia"),
        validators=[DataRequired(_l("Wpisz treść szablonu.")), Length(max=MAX_REASON)],
    )
    active = BooleanField(_l("Pokazuj w formularzu decyzji"), default=True)
