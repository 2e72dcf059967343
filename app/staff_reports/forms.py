"""The form that freezes a version of a report."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional


class FreezeForm(FlaskForm):
    note = StringField(
        _l("Opis wersji"),
        validators=[Optional(), Length(max=200)],
        description=_l("Na przykład: na spotkanie podsumowujące 15 grudnia."),
    )
