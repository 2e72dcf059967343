"""What lists of ideas show of each idea's category, consultation and meeting.

A page of twenty ideas that loaded the three rows beside every idea (joined
eager loads) spent longer building those objects than on the rest of its
query, though they come from a handful of rows that rarely change. Each
worker keeps their names and addresses as plain values instead
(:func:`app.pagecache.kept_rows`: their tables are ones ``PAGES_SHOWING``
does not name, so any change to them drops the copies on every worker), read
once per request; lists load the ideas' own columns only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import g
from sqlalchemy import literal, select

from app import pagecache
from app.models import Category, Idea, Process, Workshop


@dataclass(frozen=True, slots=True)
class CategoryRef:
    id: int
    slug: str
    name: str
    name_en: str


@dataclass(frozen=True, slots=True)
class ProcessRef:
    id: int
    slug: str
    title: str
    title_en: str


@dataclass(frozen=True, slots=True)
class WorkshopRef:
    id: int
    slug: str
    title: str
    title_en: str


@dataclass(frozen=True, slots=True)
class References:
    categories: dict[int, CategoryRef]
    processes: dict[int, ProcessRef]
    workshops: dict[int, WorkshopRef]


# One statement, so a request looks the kept value up once.
_REFERENCES = select(
    literal("c"), Category.id, Category.slug, Category.name, Category.name_en
).union_all(
    select(literal("p"), Process.id, Process.slug, Process.title, Process.title_en),
    select(literal("w"), Workshop.id, Workshop.slug, Workshop.title, Workshop.title_en),
)
_KINDS = {"c": CategoryRef, "p": ProcessRef, "w": WorkshopRef}


def _build(rows: Iterable[Any]) -> References:
    found: dict[str, dict[int, Any]] = {kind: {} for kind in _KINDS}
    for kind, row_id, slug, name, name_en in rows:
        found[kind][row_id] = _KINDS[kind](row_id, slug, name, name_en or "")
    return References(found["c"], found["p"], found["w"])


def current() -> References:
    """The references as this worker keeps them, looked up once per request."""
    found = g.get("idea_references")
    if found is None:
        found = g.idea_references = pagecache.kept_rows("references", _REFERENCES, build=_build)
    return found


def category_of(idea: Idea) -> CategoryRef:
    return current().categories[idea.category_id]


def process_of(idea: Idea) -> ProcessRef:
    return current().processes[idea.process_id]


def workshop_of(idea: Idea) -> WorkshopRef | None:
    return current().workshops.get(idea.workshop_id) if idea.workshop_id else None
