"""Words and formats shared by the catalogue, results, API and e-mails."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from app.models import IdeaSource, ResultStatus
from app.timeutil import LOCAL_TZ

STATUS_LABELS = {
    ResultStatus.PUBLISHED: _l("Opublikowany"),
    ResultStatus.UNDER_ANALYSIS: _l("W analizie"),
    ResultStatus.ACCEPTED: _l("Przyjęty do programu"),
    ResultStatus.IN_PROGRESS: _l("W realizacji"),
    ResultStatus.IMPLEMENTED: _l("Zrealizowany"),
    ResultStatus.NOT_PURSUED: _l("Niepodjęty"),
}
SOURCE_LABELS = {
    IdeaSource.FORM: _l("Formularz"),
    IdeaSource.WORKSHOP: _l("Warsztaty"),
    IdeaSource.STAFF: _l("Organizator"),
}
SORT_LABELS = {
    "relevance": _l("Najtrafniejsze"),
    "newest": _l("Najnowsze"),
    "oldest": _l("Najstarsze"),
    "supports": _l("Najczęściej popierane"),
}


def idea_status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def idea_source_label(source: str) -> str:
    return str(SOURCE_LABELS.get(source, source))


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in Warsaw time, with its offset."""
    return value.astimezone(LOCAL_TZ).isoformat() if value else None
