"""Forms of the newsletter editor."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields import DateTimeLocalField
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: FlaskForm) -> None:
        known = {value for value, _label in self.choices}
        if any(value not in known for value in self.data or []):
            raise ValidationError(_l("Wybierz odbiorców z listy."))


class NewsletterForm(FlaskForm):
    subject = StringField(
        _l("Temat"),
        validators=[DataRequired(_l("Wpisz temat wiadomości.")), Length(max=200)],
    )
    body = TextAreaField(
        _l("Treść (Markdown)"),
        validators=[DataRequired(_l("Wpisz treść wiadomości.")), Length(max=50000)],
    )
    segments = MultiCheckboxField(_l("Do kogo"), choices=[], validate_choice=True)
    public = BooleanField(_l("Pokaż w publicznym archiwum po wysłaniu"))


class ScheduleForm(FlaskForm):
    send_at = DateTimeLocalField(
        _l("Wyślij (czas polski; puste: teraz)"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )


class ActionForm(FlaskForm):
    """A bare POST with its CSRF token (test send, cancel)."""
