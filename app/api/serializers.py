"""JSON shapes of the open-data API (CONTRACT: IDEA, WORKSHOP, ARTICLE, videos).

Built field by field from public attributes only: no e-mail, no municipality,
the author's name only with consent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.articles.covers import cover_url
from app.catalogue.references import category_of, process_of, workshop_of
from app.models import Idea, Workshop
from app.processes import phases
from app.timeutil import iso
from app.web import external_url


def idea_json(idea: Idea) -> dict[str, Any]:
    # Names and addresses of the category, consultation and meeting from the
    # worker's kept references: a page of ideas joins none of them.
    category, process = category_of(idea), process_of(idea)
    workshop = workshop_of(idea)
    return {
        "id": idea.id,
        "title": idea.title,
        "description": idea.description,
        "category": {"slug": category.slug, "name": category.name},
        "process": {"slug": process.slug, "title": process.title},
        "source": idea.source,
        "workshop": {"slug": workshop.slug, "title": workshop.title} if workshop else None,
        "author_name": idea.public_author_name,
        "status": idea.result_status,
        "progress": idea.progress,
        "supports": idea.supports_count,
        "comments": idea.comments_count,
        "published_at": iso(idea.published_at),
        "url": external_url("catalogue.detail", idea_id=idea.id, slug=idea.slug),
    }


def workshop_json(workshop: Workshop, now: datetime) -> dict[str, Any]:
    return {
        "slug": workshop.slug,
        "title": workshop.title,
        "kind": workshop.kind,
        "starts_at": iso(workshop.starts_at),
        "ends_at": iso(workshop.ends_at),
        "venue": workshop.venue,
        "capacity": workshop.capacity,
        "places_left": workshop.places_left,
        "registration_open": workshop.registration_open(now)
        and phases.allows(workshop.process, phases.REGISTER, now),
        "url": external_url("workshops.detail", slug=workshop.slug),
    }


def article_json(article: Any) -> dict[str, Any]:
    cover = cover_url(article, external=True)
    return {
        "slug": article.slug,
        "title": article.title,
        "lead": article.lead,
        "published_at": iso(article.published_at),
        "tags": [tag.slug for tag in article.tags],
        "views": int(article.views or 0),
        "has_video": bool(article.video_url),
        "cover_url": cover,
        "url": external_url("articles.detail", slug=article.slug),
    }


def video_json(video: Any) -> dict[str, Any]:
    return {
        "slug": video.slug,
        "title": video.title,
        "duration_s": int(video.duration_s or 0),
        "plays": int(video.plays or 0),
        "captions": video.caption_langs,
        "url": external_url("videos.detail", slug=video.slug),
    }
