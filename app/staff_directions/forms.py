"""Forms of the directions editor. The rules (lengths, amounts, dates in
order) live in app.directions.services; these forms carry the fields."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import NumberRange, Optional

from app.directions.lifecycle import APPLICATION_LABELS


def _optional_int(value: object) -> int | None:
    try:
        return int(value) if value not in (None, "", "None") else None
    except (TypeError, ValueError):
        return None


class DirectionForm(FlaskForm):
    title = StringField(_l("Tytuł"))
    slug = StringField(
        _l("Adres (slug)"),
        description=_l("Zostaw puste, a utworzymy go z tytułu."),
    )
    # Form.process is WTForms' own name space; the field is process_id.
    process_id = SelectField(_l("Konsultacje"), coerce=_optional_int, validate_choice=False)
    responsible_unit = StringField(_l("Jednostka odpowiedzialna"))
    summary = TextAreaField(_l("Opis (Markdown)"), render_kw={"rows": 10})
    version = HiddenField()


class StatusForm(FlaskForm):
    status = SelectField(_l("Nowy status"), validate_choice=False)
    reason = TextAreaField(
        _l("Powód zmiany"),
        description=_l("Zobaczą go mieszkańcy w historii kierunku i w wiadomościach."),
        render_kw={"rows": 3},
    )
    version = HiddenField()


class LinkForm(FlaskForm):
    """Chosen from the search results: the id is never typed."""

    idea_id = HiddenField(filters=[_optional_int])
    note = StringField(_l("Jak kierunek wykorzystuje pomysł"))


class NoteForm(FlaskForm):
    note = StringField(_l("Jak kierunek wykorzystuje pomysł"))


class MilestoneForm(FlaskForm):
    title = StringField(_l("Nazwa"))
    due_on = DateField(_l("Termin"), validators=[Optional()])
    done_on = DateField(_l("Osiągnięty dnia"), validators=[Optional()])
    progress = IntegerField(
        _l("Postęp (%)"),
        default=0,
        validators=[
            Optional(),
            NumberRange(0, 100, message=_l("Postęp to liczba od 0 do 100.")),
        ],
    )


class ApplicationForm(FlaskForm):
    programme = StringField(
        _l("Program"), description=_l("Na przykład: Fundusze Europejskie dla Łódzkiego 2021–2027.")
    )
    call_number = StringField(_l("Nabór (numer)"), name="call")
    applicant = StringField(_l("Wnioskodawca"))
    amount_requested = StringField(
        _l("Wnioskowana kwota (zł)"), description=_l("Na przykład 12 500 000 albo 1 250,50.")
    )
    amount_granted = StringField(_l("Przyznana kwota (zł)"))
    submitted_on = DateField(_l("Data złożenia"), validators=[Optional()])
    decided_on = DateField(_l("Data decyzji"), validators=[Optional()])
    status = SelectField(
        _l("Status wniosku"), choices=list(APPLICATION_LABELS.items()), validate_choice=False
    )
    public_note = TextAreaField(_l("Notatka publiczna"), render_kw={"rows": 3})
