"""Reading articles: what readers may see, and the lists the site shows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Article, ArticleSlugRedirect, ArticleStatus, Process, Tag, utcnow


def visible(now: datetime | None = None) -> Any:
    """The SQL condition for "readers can see it": published and its time has come."""
    now = now or utcnow()
    return (Article.status == ArticleStatus.PUBLISHED) & (Article.published_at <= now)


def visible_articles(now: datetime | None = None) -> Select:
    """Visible articles, newest first, with their tags loaded."""
    return (
        select(Article)
        .where(visible(now))
        .options(selectinload(Article.tags))
        .order_by(Article.published_at.desc(), Article.id.desc())
    )


def latest_published(limit: int, process: Process | None = None) -> list[Article]:
    """The newest visible articles (of one consultation when *process* is given)."""
    query = visible_articles()
    if process is not None:
        query = query.where(Article.process_id == process.id)
    return list(db.session.scalars(query.limit(limit)))


def most_read(limit: int = 5) -> list[Article]:
    query = (
        select(Article)
        .where(visible(), Article.views > 0)
        .order_by(Article.views.desc(), Article.published_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def tagged(tag: Tag) -> Select:
    return visible_articles().where(Article.tags.any(Tag.id == tag.id))


def find_by_slug(slug: str) -> Article | None:
    return db.session.scalar(select(Article).where(Article.slug == slug))


def find_redirect(slug: str) -> Article | None:
    """The article that used to live at *slug*, if any."""
    redirect = db.session.scalar(
        select(ArticleSlugRedirect).where(ArticleSlugRedirect.old_slug == slug)
    )
    return redirect.article if redirect else None


def used_tags() -> list[Tag]:
    """Tags with at least one visible article, by name."""
    query = select(Tag).where(Tag.id.in_(_visible_tag_ids())).order_by(Tag.name)
    return list(db.session.scalars(query))


def _visible_tag_ids() -> Select:
    from app.models.article import article_tags

    return (
        select(article_tags.c.tag_id)
        .join(Article, Article.id == article_tags.c.article_id)
        .where(visible())
    )
