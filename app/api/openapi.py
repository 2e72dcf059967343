"""The OpenAPI 3.1 document for /api/v1, built from the same constants the
views check, so the description and the behaviour do not drift apart."""

from __future__ import annotations

from typing import Any

from flask import current_app

from app.catalogue.filters import MAX_PER_PAGE, PER_PAGE
from app.models import IdeaSource, ResultStatus, WorkshopKind
from app.search import SORTS

STATUSES = [s.value for s in ResultStatus]
SOURCES = [s.value for s in IdeaSource]
KINDS = [k.value for k in WorkshopKind]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _param(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema}  # fmt: skip


def _errors(*codes: int) -> dict[str, Any]:
    texts = {
        400: "Invalid parameter (unknown filter value, bad page or per_page).",
        404: "Not found (or not published).",
        405: "Method not allowed: the API is read-only.",
        429: "Too many requests; slow down and retry later.",
    }
    return {
        str(code): {
            "description": texts[code],
            "content": {"application/json": {"schema": _ref("Error")}},
        }
        for code in codes
    }


def _page_schema(item: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["items", "page", "per_page", "total"],
        "additionalProperties": False,
        "properties": {
            "items": {"type": "array", "items": _ref(item)},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "total": {"type": "integer", "minimum": 0},
        },
    }


PAGING = [
    _param("page", "Page number, from 1. A page past the last one returns no items. "
           "Not a whole number ≥ 1: 400.",
           {"type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 1}),
    _param("per_page", f"Items per page, 1–{MAX_PER_PAGE} (default {PER_PAGE}). "
           "Outside that range: 400 (it is not clamped).",
           {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": PER_PAGE}),
]  # fmt: skip

SLUG = {"type": "string", "pattern": "^[a-z0-9-]+$", "maxLength": 120}


def build_spec() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    base = current_app.config["BASE_URL"]
    nullable_ref = lambda name: {"oneOf": [_ref(name), {"type": "null"}]}  # noqa: E731
    idea_filters = [
        _param("q", "Full text. Words match with or without Polish letters, by their "
               "beginning (\"lodz\" finds \"Łódź\", \"odkryw\" finds \"odkrywce\"); every "
               "word must match. Operators and punctuation are plain text.",
               {"type": "string", "maxLength": 1000}),
        _param("category", "Category slug; unknown: 400.", SLUG),
        _param("status", "Public status; unknown: 400.", {"type": "string", "enum": STATUSES}),
        _param("source", "Where the idea came from; unknown: 400.",
               {"type": "string", "enum": SOURCES}),
        _param("workshop", "Slug of the meeting the idea came from; unknown: 400.", SLUG),
        _param("process", "Consultation slug; unknown: 400.", SLUG),
        _param("sort", "Order. Default: relevance with q, else newest.",
               {"type": "string", "enum": list(SORTS)}),
    ]  # fmt: skip
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "Odkrywka – open data API",
            "version": "1.0.0",
            "summary": "Published ideas, meetings, articles and results of the consultation.",
            "description": (
                "Read-only, public and free to reuse. It never contains personal data: "
                "no e-mail addresses, and an author's name only when they agreed to "
                "show it. Times are ISO 8601 in Europe/Warsaw with their offset. "
                'Errors are JSON objects `{"error": code, "message": text}`.'
            ),
            "license": {"name": "CC BY 4.0", "identifier": "CC-BY-4.0"},
        },
        "servers": [{"url": f"{base}/api/v1"}],
        "paths": {
            "/ideas": {
                "get": {
                    "operationId": "listIdeas",
                    "summary": "Published ideas, filtered and paged like the /ideas catalogue",
                    "parameters": idea_filters + PAGING,
                    "responses": {
                        "200": {
                            "description": "One page of ideas.",
                            "content": {"application/json": {"schema": _ref("IdeaPage")}},
                        },
                        **_errors(400, 405, 429),
                    },
                }
            },
            "/ideas/{id}": {
                "get": {
                    "operationId": "getIdea",
                    "summary": "One published idea",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                        },
                    ],  # fmt: skip
                    "responses": {
                        "200": {
                            "description": "The idea.",
                            "content": {"application/json": {"schema": _ref("Idea")}},
                        },
                        **_errors(404, 405, 429),
                    },
                }
            },
            "/workshops": {
                "get": {
                    "operationId": "listWorkshops",
                    "summary": "Meetings of the consultation",
                    "parameters": [
                        _param(
                            "when",
                            "upcoming (not yet ended), past or all (default).",
                            {
                                "type": "string",
                                "enum": ["upcoming", "past", "all"],
                                "default": "all",
                            },
                        ),
                        _param("process", "Consultation slug; unknown: 400.", SLUG),
                        *PAGING,
                    ],  # fmt: skip
                    "responses": {
                        "200": {
                            "description": "One page of meetings.",
                            "content": {"application/json": {"schema": _ref("WorkshopPage")}},
                        },
                        **_errors(400, 405, 429),
                    },
                }
            },
            "/articles": {
                "get": {
                    "operationId": "listArticles",
                    "summary": "Published articles, newest first",
                    "parameters": [_param("tag", "Tag slug; unknown: 400.", SLUG), *PAGING],
                    "responses": {
                        "200": {
                            "description": "One page of articles.",
                            "content": {"application/json": {"schema": _ref("ArticlePage")}},
                        },
                        **_errors(400, 405, 429),
                    },
                }
            },
            "/stats": {
                "get": {
                    "operationId": "getStats",
                    "summary": "The numbers behind /results",
                    "parameters": [_param("process", "Consultation slug; unknown: 400.", SLUG)],
                    "responses": {
                        "200": {
                            "description": "Counts of published ideas, meetings and supports.",
                            "content": {"application/json": {"schema": _ref("Stats")}},
                        },
                        **_errors(400, 405, 429),
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "getOpenApi",
                    "summary": "This document",
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.1 document.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        **_errors(405, 429),
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error", "message"],
                    "properties": {
                        "error": {"type": "string", "examples": ["not_found", "bad_request"]},
                        "message": {"type": "string"},
                    },
                },
                "Idea": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": [
                        "id",
                        "title",
                        "description",
                        "category",
                        "process",
                        "source",
                        "workshop",
                        "author_name",
                        "status",
                        "progress",
                        "supports",
                        "published_at",
                        "url",
                    ],  # fmt: skip
                    "properties": {
                        "id": {"type": "integer", "minimum": 1},
                        "title": {"type": "string"},
                        "description": {"type": "string"},
                        "category": _ref("CategoryRef"),
                        "process": _ref("ProcessRef"),
                        "source": {"type": "string", "enum": SOURCES},
                        "workshop": nullable_ref("WorkshopRef"),
                        "author_name": {
                            "type": ["string", "null"],
                            "description": "Only when the author agreed to show it.",
                        },
                        "status": {"type": "string", "enum": STATUSES},
                        "progress": {"type": "integer", "minimum": 0, "maximum": 100},
                        "supports": {"type": "integer", "minimum": 0},
                        "published_at": {"type": "string", "format": "date-time"},
                        "url": {"type": "string", "format": "uri"},
                    },
                },
                "CategoryRef": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["slug", "name"],
                    "properties": {"slug": {"type": "string"}, "name": {"type": "string"}},
                },
                "ProcessRef": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["slug", "title"],
                    "properties": {"slug": {"type": "string"}, "title": {"type": "string"}},
                },
                "WorkshopRef": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["slug", "title"],
                    "properties": {"slug": {"type": "string"}, "title": {"type": "string"}},
                },
                "Workshop": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": [
                        "slug",
                        "title",
                        "kind",
                        "starts_at",
                        "ends_at",
                        "venue",
                        "capacity",
                        "places_left",
                        "registration_open",
                        "url",
                    ],  # fmt: skip
                    "properties": {
                        "slug": {"type": "string"},
                        "title": {"type": "string"},
                        "kind": {"type": "string", "enum": KINDS},
                        "starts_at": {"type": "string", "format": "date-time"},
                        "ends_at": {"type": "string", "format": "date-time"},
                        "venue": {"type": "string"},
                        "capacity": {"type": ["integer", "null"], "minimum": 0},
                        "places_left": {"type": ["integer", "null"], "minimum": 0},
                        "registration_open": {"type": "boolean"},
                        "url": {"type": "string", "format": "uri"},
                    },
                },
                "Article": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": [
                        "slug",
                        "title",
                        "lead",
                        "published_at",
                        "tags",
                        "views",
                        "has_video",
                        "cover_url",
                        "url",
                    ],  # fmt: skip
                    "properties": {
                        "slug": {"type": "string"},
                        "title": {"type": "string"},
                        "lead": {"type": "string"},
                        "published_at": {"type": "string", "format": "date-time"},
                        "tags": {
                            "type": "array",
                            "items": {"type": "string"},
                            "description": "Tag slugs (each usable as the tag filter).",
                        },
                        "views": {"type": "integer", "minimum": 0},
                        "has_video": {"type": "boolean"},
                        "cover_url": {"type": ["string", "null"], "format": "uri"},
                        "url": {"type": "string", "format": "uri"},
                    },
                },
                "IdeaPage": _page_schema("Idea"),
                "WorkshopPage": _page_schema("Workshop"),
                "ArticlePage": _page_schema("Article"),
                "Stats": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["ideas", "workshops", "supports"],
                    "properties": {
                        "ideas": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["total", "by_category", "by_source", "by_status"],
                            "properties": {
                                "total": {"type": "integer", "minimum": 0},
                                "by_category": {
                                    "type": "object",
                                    "description": "Category slug → published ideas.",
                                    "additionalProperties": {"type": "integer", "minimum": 0},
                                },
                                "by_source": {
                                    "type": "object",
                                    "propertyNames": {"enum": SOURCES},
                                    "additionalProperties": {"type": "integer", "minimum": 0},
                                },
                                "by_status": {
                                    "type": "object",
                                    "propertyNames": {"enum": STATUSES},
                                    "additionalProperties": {"type": "integer", "minimum": 0},
                                },
                            },
                        },
                        "workshops": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["held", "upcoming", "participants"],
                            "properties": {
                                "held": {"type": "integer", "minimum": 0},
                                "upcoming": {"type": "integer", "minimum": 0},
                                "participants": {"type": "integer", "minimum": 0},
                            },
                        },
                        "supports": {
                            "type": "integer",
                            "minimum": 0,
                            "description": "Confirmed supports of published ideas.",
                        },
                    },
                },
            }
        },
    }
