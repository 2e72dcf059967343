"""Template helpers for directions: status names, amounts of money, the
directions an idea feeds (the idea page) and the figures /results shows."""

from __future__ import annotations

from typing import Any

from flask import Flask, url_for

from app.directions import lifecycle, services
from app.models import Idea


def idea_directions(idea: Idea) -> list[Any]:
    """The public directions that take up *idea* (for its page)."""
    return services.directions_of_idea(idea)


def direction_results(process_id: int | None = None) -> dict[str, Any]:
    """Rows for the /results charts: ideas per direction, money per programme."""
    directions = services.load_public(process_id)
    idea_rows = [
        (d.title, len(services.public_links(d)), url_for("directions.detail", slug=d.slug))
        for d in directions
    ]
    programmes = services.money_by_programme(process_id)
    return {
        "ideas": idea_rows,
        "requested": [(name, requested) for name, requested, _ in programmes],
        "granted": [(name, granted) for name, _, granted in programmes if granted],
        "totals": services.totals([a for d in directions for a in d.applications]),
    }


def init_app(app: Flask) -> None:
    app.jinja_env.filters["money"] = lifecycle.format_money
    app.jinja_env.globals["direction_status_label"] = lifecycle.status_label
    app.jinja_env.globals["application_status_label"] = lifecycle.application_label
    app.jinja_env.globals["direction_event_label"] = lifecycle.event_label
    app.jinja_env.globals["idea_directions"] = idea_directions
    app.jinja_env.globals["direction_results"] = direction_results
