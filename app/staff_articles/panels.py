"""Dashboard tiles for editors: drafts and scheduled articles."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.models import Article, ArticleStatus, utcnow
from app.security.permissions import can
from app.staff.dashboard import Tile


def article_tiles() -> list[Tile]:
    if not can("manage_articles"):
        return []
    now = utcnow()
    drafts = db.session.scalar(
        select(func.count()).select_from(Article).where(Article.status == ArticleStatus.DRAFT)
    )
    scheduled = db.session.scalar(
        select(func.count())
        .select_from(Article)
        .where(Article.status == ArticleStatus.PUBLISHED, Article.published_at > now)
    )
    return [
        Tile(
            label=_("Szkice artykułów"),
            count=drafts,
            url=url_for("staff_articles.index", state="draft"),
            hint=_("Czekają na dokończenie i publikację."),
        ),
        Tile(
            label=_("Zaplanowane artykuły"),
            count=scheduled,
            url=url_for("staff_articles.index", state="scheduled"),
            hint=_("Ukażą się same o wyznaczonej godzinie."),
        ),
    ]
