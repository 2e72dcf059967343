"""The OpenAPI 3.1 document for /api/v1, built from the same constants the
views check, so the description and the behaviour do not drift apart.

Schemas are declared once as data (``SCHEMAS``) and every path as one
``Operation`` in ``OPERATIONS``; :func:`build_spec` only assembles them. A new
endpoint is one more ``Operation``, a new field one more line in its schema.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from flask import current_app

from app.catalogue.filters import MAX_PER_PAGE, PER_PAGE
from app.catalogue.paging import MAX_OFFSET, SEARCH_TOTAL_CAP, TOTAL_CAP
from app.models import DirectionStatus, IdeaSource, ResultStatus, WorkshopKind
from app.models.base import MAX_ID
from app.search import SORTS

STATUSES = [s.value for s in ResultStatus]
SOURCES = [s.value for s in IdeaSource]
KINDS = [k.value for k in WorkshopKind]
DIRECTION_STATUSES = [s.value for s in DirectionStatus]

# -- building blocks ---------------------------------------------------------------

STRING = {"type": "string"}
BOOLEAN = {"type": "boolean"}
COUNT = {"type": "integer", "minimum": 0}
DATE_TIME = {"type": "string", "format": "date-time"}
URI = {"type": "string", "format": "uri"}
SLUG = {"type": "string", "pattern": "^[a-z0-9-]+$", "maxLength": 120}
MONEY = {
    "type": "string",
    "pattern": "^[0-9]+\\.[0-9]{2}$",
    "description": 'An amount in PLN as an exact decimal string, e.g. "12500000.00".',
}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def enum(values: list[str], **extra: Any) -> dict[str, Any]:
    return {"type": "string", "enum": values, **extra}


def record(**properties: dict[str, Any]) -> dict[str, Any]:
    """An object with exactly these properties, all of them always present."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(properties),
        "properties": properties,
    }


def counts_by(description: str | None = None, keys: list[str] | None = None) -> dict[str, Any]:
    """An object mapping a key (a slug, a source, a status) to a count."""
    schema: dict[str, Any] = {"type": "object", "additionalProperties": COUNT}
    if description:
        schema["description"] = description
    if keys:
        schema["propertyNames"] = {"enum": keys}
    return schema


def page_of(item: str) -> dict[str, Any]:
    return record(
        items={"type": "array", "items": ref(item)},
        page={"type": "integer", "minimum": 1},
        per_page={"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
        total=COUNT,
    )


# -- schemas (the CONTRACT.md shapes) ------------------------------------------------

SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "examples": ["not_found", "bad_request"]},
            "message": STRING,
        },
    },
    "Idea": record(
        id={"type": "integer", "minimum": 1},
        title=STRING,
        description=STRING,
        category=ref("CategoryRef"),
        process=ref("ProcessRef"),
        source=enum(SOURCES),
        workshop={"oneOf": [ref("WorkshopRef"), {"type": "null"}]},
        author_name={
            "type": ["string", "null"],
            "description": "Only when the author agreed to show it.",
        },
        status=enum(STATUSES),
        progress={"type": "integer", "minimum": 0, "maximum": 100},
        supports=COUNT,
        comments={**COUNT, "description": "Comments shown in full under the idea."},
        published_at=DATE_TIME,
        url=URI,
    ),
    "CategoryRef": record(slug=STRING, name=STRING),
    "ProcessRef": record(slug=STRING, title=STRING),
    "WorkshopRef": record(slug=STRING, title=STRING),
    "Workshop": record(
        slug=STRING,
        title=STRING,
        kind=enum(KINDS),
        starts_at=DATE_TIME,
        ends_at=DATE_TIME,
        venue=STRING,
        capacity={"type": ["integer", "null"], "minimum": 0},
        places_left={"type": ["integer", "null"], "minimum": 0},
        registration_open=BOOLEAN,
        url=URI,
    ),
    "Article": record(
        slug=STRING,
        title=STRING,
        lead=STRING,
        published_at=DATE_TIME,
        tags={
            "type": "array",
            "items": STRING,
            "description": "Tag slugs (each usable as the tag filter).",
        },
        views=COUNT,
        has_video=BOOLEAN,
        cover_url={"type": ["string", "null"], "format": "uri"},
        url=URI,
    ),
    "Direction": record(
        slug=STRING,
        title=STRING,
        status=enum(DIRECTION_STATUSES),
        summary={**STRING, "description": "Markdown."},
        ideas={
            "type": "array",
            "items": record(id={"type": "integer", "minimum": 1}, title=STRING, url=URI),
        },
        applications={"type": "array", "items": ref("FundingApplication")},
        url=URI,
    ),
    "FundingApplication": record(
        programme=STRING,
        call={**STRING, "description": "The call (nabór) identifier; may be empty."},
        amount_requested=MONEY,
        amount_granted={**MONEY, "type": ["string", "null"]},
        status=enum(["planned", "submitted", "granted", "rejected", "withdrawn"]),
    ),
    "Video": record(
        slug=STRING,
        title=STRING,
        duration_s={"type": "integer", "minimum": 1, "description": "Length in seconds."},
        plays={**COUNT, "description": "Plays counted once per reader and day, bots excluded."},
        captions={
            "type": "array",
            "items": STRING,
            "description": 'Caption languages (WebVTT); always starts with "pl".',
        },
        url=URI,
    ),
    "IdeaPage": record(
        items={"type": "array", "items": ref("Idea")},
        page={
            "type": ["integer", "null"],
            "minimum": 1,
            "description": "The page number asked for; null for a page asked by cursor.",
        },
        per_page={"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
        total={
            **COUNT,
            "maximum": TOTAL_CAP,
            "description": f"Matching ideas, counted up to {TOTAL_CAP} "
            f"({SEARCH_TOTAL_CAP} when q is given): when total_exact is false "
            "there are more than this.",
        },
        total_exact=BOOLEAN,
        next={
            "type": ["string", "null"],
            "format": "uri",
            "description": "The next page (by cursor, same filters); null on the last page.",
        },
    ),
    "DirectionPage": page_of("Direction"),
    "WorkshopPage": page_of("Workshop"),
    "ArticlePage": page_of("Article"),
    "VideoPage": page_of("Video"),
    "Stats": record(
        ideas=record(
            total=COUNT,
            by_category=counts_by("Category slug → published ideas."),
            by_source=counts_by(keys=SOURCES),
            by_status=counts_by(keys=STATUSES),
        ),
        workshops=record(held=COUNT, upcoming=COUNT, participants=COUNT),
        supports={**COUNT, "description": "Confirmed supports of published ideas."},
    ),
}

# -- query parameters ----------------------------------------------------------------


def query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema}  # fmt: skip


PROCESS = query("process", "Consultation slug; unknown: 400.", SLUG)
PAGING = (
    query("page", "Page number, from 1. A page past the last one returns no items. "
          "Not a whole number ≥ 1: 400.",
          {"type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 1}),
    query("per_page", f"Items per page, 1–{MAX_PER_PAGE} (default {PER_PAGE}). "
          "Outside that range: 400 (it is not clamped).",
          {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": PER_PAGE}),
)  # fmt: skip
IDEA_PAGING = (
    query("after", "Cursor: the page after the one whose `next` link carried it "
          "(keep the same filters and sort). Any depth costs what the first page "
          "costs, and ideas published meanwhile shift nothing. Not with `page`; "
          "invalid, or made for another sort: 400.",
          {"type": "string", "maxLength": 120}),
    query("page", f"Page number, from 1, reaching at most {MAX_OFFSET} ideas deep "
          "(deeper: 400, follow `next` instead). A page past the last one returns no items.",
          {"type": "integer", "minimum": 1, "default": 1}),
    PAGING[1],
)  # fmt: skip
IDEA_FILTERS = (
    query("q", "Full text. Words match with or without Polish letters, by their "
          "beginning (\"lodz\" finds \"Łódź\", \"odkryw\" finds \"odkrywce\"); every "
          "word must match. Operators and punctuation are plain text.",
          {"type": "string", "maxLength": 1000}),
    query("category", "Category slug; unknown: 400.", SLUG),
    query("status", "Public status; unknown: 400.", enum(STATUSES)),
    query("source", "Where the idea came from; unknown: 400.", enum(SOURCES)),
    query("workshop", "Slug of the meeting the idea came from; unknown: 400.", SLUG),
    PROCESS,
    query(
        "sort",
        "Order. Default: relevance with q, else newest. A q matching more ideas than are "
        "counted (total_exact false) is too broad to rank: relevance then lists its "
        "matches newest first.",
        enum(list(SORTS)),
    ),
)  # fmt: skip
IDEA_ID = {
    "name": "id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
}

# -- paths ---------------------------------------------------------------------------

ERRORS = {
    400: "Invalid parameter (unknown filter value, bad page or per_page).",
    404: "Not found (or not published).",
    405: "Method not allowed: the API is read-only.",
    429: "Too many requests; slow down and retry later.",
}


@dataclass(frozen=True)
class Operation:
    """One GET endpoint: what it is, what it takes, what it answers."""

    path: str
    operation_id: str
    summary: str
    answer: str  # the 200 description
    schema: str | dict[str, Any]  # a name in SCHEMAS, or an inline schema
    parameters: tuple[dict[str, Any], ...] = ()
    errors: tuple[int, ...] = (400, 405, 429)


OPERATIONS = (
    Operation("/ideas", "listIdeas",
              "Published ideas, filtered like the /ideas catalogue, paged by cursor",
              "One page of ideas.", "IdeaPage", (*IDEA_FILTERS, *IDEA_PAGING)),
    Operation("/ideas/{id}", "getIdea", "One published idea", "The idea.", "Idea",
              (IDEA_ID,), errors=(404, 405, 429)),
    Operation("/workshops", "listWorkshops", "Meetings of the consultation",
              "One page of meetings.", "WorkshopPage",
              (query("when", "upcoming (not yet ended), past or all (default).",
                     enum(["upcoming", "past", "all"], default="all")),
               PROCESS, *PAGING)),
    Operation("/articles", "listArticles", "Published articles, newest first",
              "One page of articles.", "ArticlePage",
              (query("tag", "Tag slug; unknown: 400.", SLUG), *PAGING)),
    Operation("/directions", "listDirections",
              "Development directions, in the organiser's order",
              "One page of directions.", "DirectionPage", (PROCESS, *PAGING)),
    Operation("/directions/{slug}", "getDirection", "One development direction",
              "The direction.", "Direction",
              ({"name": "slug", "in": "path", "required": True, "schema": SLUG},),
              errors=(404, 405, 429)),
    Operation("/videos", "listVideos", "Published videos (recordings of meetings and others), "
              "newest first", "One page of videos.", "VideoPage", (PROCESS, *PAGING)),
    Operation("/stats", "getStats", "The numbers behind /results",
              "Counts of published ideas, meetings and supports.", "Stats", (PROCESS,)),
    Operation("/openapi.json", "getOpenApi", "This document", "OpenAPI 3.1 document.",
              {"type": "object"}, errors=(405, 429)),
)  # fmt: skip

INFO = {
    "title": "Odkrywka – open data API",
    "version": "1.0.0",
    "summary": "Published ideas, meetings, articles, videos and results of the consultation.",
    "description": (
        "Read-only, public and free to reuse. It never contains personal data: "
        "no e-mail addresses, and an author's name only when they agreed to "
        "show it. Times are ISO 8601 in Europe/Warsaw with their offset. "
        'Errors are JSON objects `{"error": code, "message": text}`.'
    ),
    "license": {"name": "CC BY 4.0", "identifier": "CC-BY-4.0"},
}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _path_item(op: Operation) -> dict[str, Any]:
    schema = ref(op.schema) if isinstance(op.schema, str) else op.schema
    responses = {"200": {"description": op.answer, "content": _json(schema)}}
    for code in op.errors:
        responses[str(code)] = {"description": ERRORS[code], "content": _json(ref("Error"))}
    get: dict[str, Any] = {"operationId": op.operation_id, "summary": op.summary}
    if op.parameters:
        get["parameters"] = list(op.parameters)
    get["responses"] = responses
    return {"get": get}


def build_spec() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document (a fresh copy: callers may change it)."""
    return copy.deepcopy(
        {
            "openapi": "3.1.0",
            "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
            "info": INFO,
            "servers": [{"url": f"{current_app.config['BASE_URL']}/api/v1"}],
            "paths": {op.path: _path_item(op) for op in OPERATIONS},
            "components": {"schemas": SCHEMAS},
        }
    )
