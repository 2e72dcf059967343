"""Articles: news about the consultation, their tags, revisions, old
addresses and the rows that make view counts honest."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.idea import Idea
    from app.models.process import Process
    from app.models.user import User
    from app.models.workshop import Workshop


class ArticleStatus(enum.StrEnum):
    DRAFT = "draft"
    # Published: visible once ``published_at`` has passed (until then: scheduled).
    PUBLISHED = "published"


article_tags = Table(
    "article_tags",
    db.metadata,
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)

article_workshops = Table(
    "article_workshops",
    db.metadata,
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)

article_ideas = Table(
    "article_ideas",
    db.metadata,
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("idea_id", ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Tag(db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(60), nullable=False)

    def __repr__(self) -> str:
        return f"<Tag {self.slug}>"


class Article(TimestampMixin, db.Model):
    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_status_published_at", "status", "published_at"),
        Index("ix_articles_status_views", "status", "views"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    lead: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # English versions (optional): the English interface shows them, else the Polish text.
    title_en: Mapped[str] = mapped_column(String(200), nullable=False, default="", server_default="")
    lead_en: Mapped[str] = mapped_column(String(500), nullable=False, default="", server_default="")
    body_en: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")

    # Cover tile: variants live under UPLOAD_DIR/covers/<cover_key>-<width>.<ext>.
    cover_key: Mapped[str | None] = mapped_column(String(64))
    cover_alt: Mapped[str | None] = mapped_column(String(300))
    # Widths made (ascending); every variant is cropped to 16:9.
    cover_widths: Mapped[list[int] | None] = mapped_column(JSON)

    # As the editor gave it; the embed address is derived (app.articles.video).
    video_url: Mapped[str | None] = mapped_column(String(500))

    status: Mapped[str] = mapped_column(
        String(20), nullable=False, default=ArticleStatus.DRAFT, index=True
    )
    # When it becomes (or became) visible; in the future while scheduled.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    views: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Optimistic lock: bumped on every save, so two editors never overwrite
    # each other's work silently.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    process_id: Mapped[int | None] = mapped_column(
        ForeignKey("processes.id", ondelete="SET NULL"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    process: Mapped[Process | None] = relationship()
    author: Mapped[User | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=article_tags, order_by="Tag.name")
    workshops: Mapped[list[Workshop]] = relationship(
        secondary=article_workshops, order_by="Workshop.starts_at"
    )
    ideas: Mapped[list[Idea]] = relationship(secondary=article_ideas, order_by="Idea.id")
    revisions: Mapped[list[ArticleRevision]] = relationship(
        back_populates="article",
        order_by="ArticleRevision.number.desc()",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    redirects: Mapped[list[ArticleSlugRedirect]] = relationship(
        back_populates="article", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Article {self.slug} {self.status}>"

    def state(self, now: datetime | None = None) -> str:
        """``"draft"``, ``"scheduled"`` or ``"published"`` (visible to readers)."""
        if self.status != ArticleStatus.PUBLISHED or self.published_at is None:
            return "draft"
        if self.published_at > (now or utcnow()):
            return "scheduled"
        return "published"

    def is_visible(self, now: datetime | None = None) -> bool:
        return self.state(now) == "published"

    @property
    def has_video(self) -> bool:
        return bool(self.video_url)

    @property
    def has_cover(self) -> bool:
        return bool(self.cover_key and self.cover_widths)

    @property
    def tag_names(self) -> list[str]:
        return [tag.name for tag in self.tags]


class ArticleRevision(db.Model):
    """The article as it was after one save; any of them can be restored."""

    __tablename__ = "article_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True
    )
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    # Everything the editor controls: slug, lead, body, cover, video, tags, links.
    data: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    # "create", "edit", "restore"
    reason: Mapped[str] = mapped_column(String(40), nullable=False, default="edit")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    article: Mapped[Article] = relationship(back_populates="revisions")
    author: Mapped[User | None] = relationship()


class ArticleSlugRedirect(db.Model):
    """An address an article had before; it answers with a 301 to the current one."""

    __tablename__ = "article_slug_redirects"

    id: Mapped[int] = mapped_column(primary_key=True)
    old_slug: Mapped[str] = mapped_column(String(120), unique=True, nullable=False)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    article: Mapped[Article] = relationship(back_populates="redirects")


class ArticleView(db.Model):
    """One counted reading: a keyed hash of (address, agent, day, article).

    The unique hash is what makes a reader count once a day; rows older than
    two days are purged, so nothing here outlives its use.
    """

    __tablename__ = "article_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True
    )
    reader_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, index=True
    )
