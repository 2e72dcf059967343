from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from app.moderation.services import REPORT_LIMITS


class ReportForm(FlaskForm):
    reason = TextAreaField(
        _l("Co jest nie tak z tym pomysłem?"),
        validators=[
            DataRequired(_l("Napisz, co jest nie tak.")),
            Length(
                min=REPORT_LIMITS[0],
                max=REPORT_LIMITS[1],
                message=_l(
                    "Opis zgłoszenia musi mieć od %(min)d do %(max)d znaków.",
                ),
            ),
        ],
    )
