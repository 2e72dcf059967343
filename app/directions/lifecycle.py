"""A direction's statuses and an application's: the steps between them and
how every one is named (one label per status, used on every page, mail, feed
and in the API's documentation), and how an amount of money is written."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from app.models.direction import ApplicationStatus, DirectionStatus

D = DirectionStatus
A = ApplicationStatus

# The main line, in order; a direction moves along it, or stops with a reason.
MAIN_LINE = (D.PREPARING, D.SUBMITTED, D.FUNDED, D.IN_PROGRESS, D.COMPLETED)
STOPPED = (D.SUSPENDED, D.REJECTED)

# status -> the statuses a direction may move to from it
TRANSITIONS: dict[str, tuple[str, ...]] = {
    D.PREPARING: (D.SUBMITTED, D.SUSPENDED, D.REJECTED),
    # Back to preparing: the application was withdrawn to be reworked.
    D.SUBMITTED: (D.FUNDED, D.PREPARING, D.SUSPENDED, D.REJECTED),
    D.FUNDED: (D.IN_PROGRESS, D.SUSPENDED),
    D.IN_PROGRESS: (D.COMPLETED, D.SUSPENDED),
    D.COMPLETED: (),
    D.SUSPENDED: (D.PREPARING, D.SUBMITTED, D.FUNDED, D.IN_PROGRESS, D.REJECTED),
    D.REJECTED: (D.PREPARING,),
}

STATUS_LABELS = {
    D.PREPARING: _l("w przygotowaniu"),
    D.SUBMITTED: _l("zgłoszony do finansowania"),
    D.FUNDED: _l("przyznano finansowanie"),
    D.IN_PROGRESS: _l("w realizacji"),
    D.COMPLETED: _l("zakończony"),
    D.SUSPENDED: _l("wstrzymany"),
    D.REJECTED: _l("odrzucony"),
}

APPLICATION_LABELS = {
    A.PLANNED: _l("w przygotowaniu"),
    A.SUBMITTED: _l("złożony"),
    A.GRANTED: _l("przyznano dofinansowanie"),
    A.REJECTED: _l("odrzucony"),
    A.WITHDRAWN: _l("wycofany"),
}

# Which application statuses need which dates.
NEEDS_SUBMITTED_ON = (A.SUBMITTED, A.GRANTED, A.REJECTED)
NEEDS_DECIDED_ON = (A.GRANTED, A.REJECTED)

EVENT_LABELS = {
    "created": _l("Utworzono kierunek"),
    "edited": _l("Zmieniono opis kierunku"),
    "status": _l("Zmiana statusu"),
    "idea_linked": _l("Kierunek wykorzystuje nowy pomysł"),
    "idea_unlinked": _l("Pomysł odłączony od kierunku"),
    "application": _l("Wniosek o dofinansowanie"),
    "milestone": _l("Kamień milowy"),
    "archived": _l("Kierunek przeniesiony do archiwum"),
    "restored": _l("Kierunek przywrócony z archiwum"),
}


def status_label(status: str | None) -> str:
    return str(STATUS_LABELS.get(status, status or ""))


def application_label(status: str | None) -> str:
    return str(APPLICATION_LABELS.get(status, status or ""))


def event_label(kind: str) -> str:
    return str(EVENT_LABELS.get(kind, kind))


def can_move(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, ())


def timeline_steps(status: str) -> list[tuple[str, str]]:
    """The main line as (status, "past"|"current"|"future") for the public
    timeline; a stopped direction shows its stop as the current step."""
    if status in STOPPED:
        return [(status, "current")]
    index = MAIN_LINE.index(status) if status in MAIN_LINE else 0
    return [
        (step, "past" if i < index else "current" if i == index else "future")
        for i, step in enumerate(MAIN_LINE)
    ]


# -- money ------------------------------------------------------------------------

GROSZ = Decimal("0.01")
# The largest amount the form takes: 100 mld zł is more than any programme.
MAX_AMOUNT = Decimal("100000000000.00")
_DOT_THOUSANDS = re.compile(r"[+-]?[0-9]{1,3}(?:\.[0-9]{3})+")


def parse_amount(text: str | None) -> Decimal | None:
    """ "12 500 000", "12500000,50" or "1.250,5" → Decimal, exact to the
    grosz; None when empty. ValueError when it is not an amount (more than
    two decimal places included: nothing is silently rounded)."""
    raw = (text or "").strip()
    for space in (" ", "\u00a0", "\u202f", "\t"):
        raw = raw.replace(space, "")
    raw = raw.removesuffix("zł").removesuffix("PLN").strip()
    if not raw:
        return None
    if "," in raw:
        # Polish: comma for decimals, dots (if any) group thousands.
        raw = raw.replace(".", "").replace(",", ".")
    elif _DOT_THOUSANDS.fullmatch(raw):
        # "1.250" or "12.500.000": dots grouping thousands, no decimals.
        raw = raw.replace(".", "")
    if not all(ch.isdigit() or ch in ".-+" for ch in raw):
        raise ValueError(raw)
    try:
        value = Decimal(raw)
    except InvalidOperation as error:
        raise ValueError(raw) from error
    if not value.is_finite() or value != value.quantize(GROSZ, rounding=ROUND_HALF_UP):
        raise ValueError(raw)
    return value.quantize(GROSZ)


def format_money(value: Decimal | int | None) -> str:
    """``Decimal("12500000")`` → "12 500 000 zł"; with grosze when there are
    any ("1 250,50 zł"). Thousands grouped the Polish way (a no-break space)."""
    if value is None:
        return ""
    amount = Decimal(value).quantize(GROSZ)
    pattern = "#,##0" if amount == amount.to_integral_value() else "#,##0.00"
    return f"{format_decimal(amount, format=pattern)}\u00a0zł"


def money_text(value: Decimal | None) -> str | None:
    """The decimal string the API gives (``"12500000.00"``), or None."""
    return None if value is None else str(Decimal(value).quantize(GROSZ))
