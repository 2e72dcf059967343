"""Reading the catalogue's query string (shared by /ideas and /api/v1/ideas).

Slugs become ids here, unknown values are refused with a clear message
(a 400, never an SQL error), and the page number is checked.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.errors import ServiceError
from app.extensions import db
from app.models import Category, IdeaSource, Process, ResultStatus, Workshop
from app.search import SORTS, IdeaSearch

PER_PAGE = 20
MAX_PER_PAGE = 100
# No one pages this far; larger numbers are refused rather than computed.
MAX_PAGE = 1_000_000
FILTER_NAMES = ("q", "category", "status", "source", "workshop", "process", "sort")
SORT_LABELS = {
    "relevance": _l("Najtrafniejsze"),
    "newest": _l("Najnowsze"),
    "oldest": _l("Najstarsze"),
    "supports": _l("Najczęściej popierane"),
}


class FilterError(ServiceError, ValueError):
    """A query parameter the catalogue cannot answer."""

    status = 400

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field=field)


def _value(args: Mapping[str, str], name: str) -> str:
    return (args.get(name) or "").strip()


def parse_int(args: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = _value(args, name)
    if not raw:
        return default
    # Only ASCII digits: str.isdigit() also accepts "²" or "①", which int() then refuses.
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise FilterError(
            name,
            _("Parametr „%(name)s” musi być liczbą całkowitą zapisaną cyframi 0–9.", name=name),
        )
    value = int(raw)
    if not low <= value <= high:
        raise FilterError(
            name,
            _("Parametr „%(name)s” musi mieścić się w zakresie %(low)s–%(high)s.",
              name=name, low=low, high=high),
        )  # fmt: skip
    return value


def parse_search(args: Mapping[str, str]) -> IdeaSearch:
    """An :class:`IdeaSearch` from request arguments; raises FilterError."""
    fields: dict = {"q": (args.get("q") or "")[:1000].strip()}
    if slug := _value(args, "category"):
        fields["category_id"] = db.session.scalar(select(Category.id).where(Category.slug == slug))
        if fields["category_id"] is None:
            raise FilterError("category", _("Nie ma takiej kategorii."))
    if status := _value(args, "status"):
        if status not in set(ResultStatus):
            raise FilterError("status", _("Nieznany status pomysłu."))
        fields["result_status"] = status
    if source := _value(args, "source"):
        if source not in set(IdeaSource):
            raise FilterError("source", _("Nieznane źródło pomysłu."))
        fields["source"] = source
    if slug := _value(args, "workshop"):
        fields["workshop_id"] = db.session.scalar(
            select(Workshop.id).where(Workshop.slug == slug, Workshop.published.is_(True))
        )
        if fields["workshop_id"] is None:
            raise FilterError("workshop", _("Nie ma takiego spotkania."))
    if slug := _value(args, "process"):
        fields["process_id"] = db.session.scalar(
            select(Process.id).where(Process.slug == slug, Process.published.is_(True))
        )
        if fields["process_id"] is None:
            raise FilterError("process", _("Nie ma takich konsultacji."))
    if sort := _value(args, "sort"):
        if sort not in SORTS:
            raise FilterError("sort", _("Nieznany porządek sortowania."))
        fields["sort"] = sort
    return IdeaSearch(**fields)


def active_args(args: Mapping[str, str]) -> dict[str, str]:
    """The non-empty catalogue filters of *args* (for links that keep them)."""
    return {name: value for name in FILTER_NAMES if (value := _value(args, name))}


@dataclass
class Page:
    """One page of results, with what the ``pagination`` macro needs."""

    items: list
    page: int
    per_page: int
    total: int
    # False: ``total`` is a lower bound ("more than 10 000").
    total_exact: bool = True
    # The deepest page offered by number (None: no bound).
    max_pages: int | None = None

    @property
    def pages(self) -> int:
        pages = max(math.ceil(self.total / self.per_page), 1) if self.per_page else 1
        if not self.total_exact and self.max_pages:
            return self.max_pages
        return min(pages, self.max_pages) if self.max_pages else pages

    @property
    def beyond(self) -> bool:
        """Whether more ideas match than the numbered pages reach."""
        if not self.max_pages:
            return False
        return not self.total_exact or self.total > self.max_pages * self.per_page

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return min(self.page - 1, self.pages)

    @property
    def next_num(self) -> int:
        return self.page + 1

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0

    def iter_pages(
        self, left_edge: int = 1, right_edge: int = 1, left_current: int = 2, right_current: int = 2
    ) -> Iterator[int | None]:
        # Only the numbers shown, not a walk over every page (5,000 of them
        # with 100,000 ideas, on every catalogue request).
        pages, page = self.pages, self.page
        numbers = sorted(
            {
                *range(1, min(left_edge, pages) + 1),
                *range(max(1, page - left_current), min(pages, page + right_current) + 1),
                *range(max(1, pages - right_edge + 1), pages + 1),
            }
        )
        last = 0
        for number in numbers:
            if last + 1 != number:
                yield None
            yield number
            last = number
