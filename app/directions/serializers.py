"""A direction as the open-data API gives it (CONTRACT.md: DIRECTION).
Amounts are decimal strings in PLN, exact to the grosz; no personal data."""

from __future__ import annotations

from typing import Any

from app.directions import lifecycle, services
from app.models import Direction
from app.web import external_url


def direction_json(direction: Direction) -> dict[str, Any]:
    return {
        "slug": direction.slug,
        "title": direction.title,
        "status": direction.status,
        "summary": direction.summary,
        "ideas": [
            {
                "id": link.idea.id,
                "title": link.idea.title,
                "url": external_url("catalogue.detail", idea_id=link.idea.id, slug=link.idea.slug),
            }
            for link in services.public_links(direction)
        ],
        "applications": [
            {
                "programme": application.programme,
                "call": application.call_number,
                "amount_requested": lifecycle.money_text(application.amount_requested),
                "amount_granted": lifecycle.money_text(application.amount_granted),
                "status": application.status,
            }
            for application in direction.applications
        ],
        "url": external_url("directions.detail", slug=direction.slug),
    }
