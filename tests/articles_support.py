"""Helpers for the article tests: articles in one call, test images."""

from __future__ import annotations

import io
import itertools
from datetime import timedelta
from typing import Any

from PIL import Image, ImageDraw

from app.extensions import db
from app.models import Article, ArticleStatus, Tag, utcnow

_counter = itertools.count(1)


def make_article(
    app, state: str = "published", tags: tuple[str, ...] = (), **fields: Any
) -> Article:  # noqa: ANN001
    """An article: ``state`` is "published", "scheduled" or "draft"."""
    n = next(_counter)
    now = utcnow()
    values: dict[str, Any] = {
        "slug": f"artykul-{n}",
        "title": f"Artykuł numer {n}",
        "lead": f"Wstęp artykułu {n}.",
        "body": f"Treść artykułu **{n}**.",
        "status": ArticleStatus.DRAFT if state == "draft" else ArticleStatus.PUBLISHED,
        "published_at": {
            "published": now - timedelta(hours=n),
            "scheduled": now + timedelta(days=2),
            "draft": None,
        }[state],
    }
    values.update(fields)
    with app.app_context():
        article = Article(**values)
        for name in tags:
            from app.text import slugify

            tag = db.session.query(Tag).filter_by(slug=slugify(name)).one_or_none()
            article.tags.append(tag or Tag(slug=slugify(name), name=name))
        db.session.add(article)
        db.session.commit()
        db.session.refresh(article)
        article.tags  # noqa: B018 - load before detaching
        db.session.expunge(article)
    return article


def image_bytes(
    width: int = 1600,
    height: int = 900,
    fmt: str = "JPEG",
    colour: tuple[int, int, int] = (11, 93, 59),
    exif: Image.Exif | None = None,
) -> bytes:
    image = Image.new("RGB", (width, height), colour)
    # A marker in the top-left corner, to check orientation after rotation.
    ImageDraw.Draw(image).rectangle([0, 0, width // 10, height // 10], fill=(242, 193, 78))
    buffer = io.BytesIO()
    params: dict[str, Any] = {}
    if exif is not None:
        params["exif"] = exif
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def article_form(**overrides: Any) -> dict[str, Any]:
    """A valid editor form, as the browser sends it."""
    data: dict[str, Any] = {
        "title": "Spotkanie w Łęczycy",
        "slug": "",
        "lead": "Krótko o spotkaniu.",
        "body": "## Co się działo\n\nRozmawialiśmy o **przyszłości** regionu.",
        "cover_alt": "",
        "video_url": "",
        "tags": "spotkania, energia",
        "consultation": "None",
        "ideas": "",
        "save": "Zapisz",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
