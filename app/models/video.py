"""Videos: recordings of meetings, videos in articles or on their own in a
consultation, with their captions, chapters and the rows behind honest
play counts."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.article import Article
    from app.models.idea import Idea
    from app.models.process import Process
    from app.models.user import User
    from app.models.workshop import Workshop


class VideoStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class VideoSource(enum.StrEnum):
    UPLOAD = "upload"  # a file stored by Odkrywka (MP4 or WebM)
    EMBED = "embed"  # a player of an allow-listed host, loaded after a click


class Video(TimestampMixin, db.Model):
    __tablename__ = "videos"
    __table_args__ = (Index("ix_videos_status_published_at", "status", "published_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    source: Mapped[str] = mapped_column(String(10), nullable=False, default=VideoSource.UPLOAD)
    # Uploaded file: UPLOAD_DIR/videos/<file_name> (32 hex characters and
    # .mp4 or .webm), its type told from its bytes, never from its name.
    file_name: Mapped[str | None] = mapped_column(String(64))
    file_type: Mapped[str | None] = mapped_column(String(20))
    file_size: Mapped[int | None] = mapped_column(Integer)
    # The poster frame (JPEG): UPLOAD_DIR/videos/<poster_name>.
    poster_name: Mapped[str | None] = mapped_column(String(64))
    # An external video: the address as normalised (app.articles.video).
    embed_url: Mapped[str | None] = mapped_column(String(500))
    duration_s: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    transcript: Mapped[str] = mapped_column(Text, nullable=False, default="")

    status: Mapped[str] = mapped_column(
        String(20), nullable=False, default=VideoStatus.DRAFT, index=True
    )
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Counted plays, raised only by one atomic UPDATE (app.videos.plays).
    plays: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    # Where the video belongs: a meeting (its recording), an article, or
    # only a consultation. The consultation is filled from the meeting or
    # the article when not chosen.
    process_id: Mapped[int | None] = mapped_column(
        ForeignKey("processes.id", ondelete="SET NULL"), index=True
    )
    workshop_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshops.id", ondelete="SET NULL"), index=True
    )
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    process: Mapped[Process | None] = relationship()
    workshop: Mapped[Workshop | None] = relationship()
    article: Mapped[Article | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    captions: Mapped[list[VideoCaption]] = relationship(
        back_populates="video",
        order_by="VideoCaption.lang.desc()",  # "pl" before "en"
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    chapters: Mapped[list[VideoChapter]] = relationship(
        back_populates="video",
        order_by="VideoChapter.starts_s",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"<Video {self.slug} {self.status}>"

    def is_visible(self, now: datetime | None = None) -> bool:
        return (
            self.status == VideoStatus.PUBLISHED
            and self.published_at is not None
            and self.published_at <= (now or utcnow())
        )

    @property
    def is_upload(self) -> bool:
        return self.source == VideoSource.UPLOAD

    def caption(self, lang: str) -> VideoCaption | None:
        return next((c for c in self.captions if c.lang == lang), None)

    @property
    def caption_langs(self) -> list[str]:
        """``["pl", "en"]``: Polish first, then the rest alphabetically."""
        return sorted((c.lang for c in self.captions), key=lambda lang: (lang != "pl", lang))


class VideoCaption(db.Model):
    """One WebVTT track of a video, checked before it was stored."""

    __tablename__ = "video_captions"
    __table_args__ = (UniqueConstraint("video_id", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(
        ForeignKey("videos.id", ondelete="CASCADE"), nullable=False, index=True
    )
    lang: Mapped[str] = mapped_column(String(8), nullable=False)  # "pl", "en"
    content: Mapped[str] = mapped_column(Text, nullable=False)
    cues: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # The last cue's end (rounded): the track must end within the video.
    ends_s: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    video: Mapped[Video] = relationship(back_populates="captions")


class VideoChapter(db.Model):
    """A moment of a video with a title; it may name an idea discussed there."""

    __tablename__ = "video_chapters"

    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(
        ForeignKey("videos.id", ondelete="CASCADE"), nullable=False, index=True
    )
    starts_s: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    idea_id: Mapped[int | None] = mapped_column(
        ForeignKey("ideas.id", ondelete="SET NULL"), index=True
    )

    video: Mapped[Video] = relationship(back_populates="chapters")
    idea: Mapped[Idea | None] = relationship()


class VideoPlay(db.Model):
    """One counted play: a keyed hash of (address, agent, day, video).

    The unique hash is what makes a reader count once a day; rows older than
    two days are purged, as the article view rows are.
    """

    __tablename__ = "video_plays"

    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(
        ForeignKey("videos.id", ondelete="CASCADE"), nullable=False, index=True
    )
    reader_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, index=True
    )


class VideoDailyPlays(db.Model):
    """Plays of one video on one day (UTC): what the rail's "last 30 days"
    is summed from. No reader is named here, so rows are kept."""

    __tablename__ = "video_daily_plays"

    video_id: Mapped[int] = mapped_column(
        ForeignKey("videos.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    plays: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
