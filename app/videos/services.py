"""The rules of videos: saving what an editor sends, publishing only with
Polish captions, counting plays honestly, and the lists the site shows.

Functions change state, flush and record audit rows; they never commit
(the view does, once).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, delete, func, or_, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app import audit, pagecache
from app.articles.services import insert_once, is_bot
from app.articles.video import parse_video_url, video_for
from app.clients import keyed_hash
from app.database import insert_for
from app.errors import ServiceError
from app.extensions import db
from app.models import (
    Article,
    Idea,
    IdeaStatus,
    Process,
    Video,
    VideoCaption,
    VideoChapter,
    VideoDailyPlays,
    VideoPlay,
    VideoSource,
    VideoStatus,
    Workshop,
    utcnow,
)
from app.text import single_line, slugify
from app.videos import vtt
from app.videos.media import StoredVideo, delete_later

CAPTION_LANGUAGES = ("pl", "en")
RAIL_DAYS = 30
MAX_DURATION_S = 24 * 3600


# Errors the views turn into form messages -------------------------------------


class VideoError(ServiceError):
    """A rule about a video was broken; the message goes next to a field."""


class MissingPolishCaptions(VideoError):
    """No valid Polish track: the video stays a draft."""

    status = 422
    field = "captions_pl"

    def __init__(self) -> None:
        super().__init__(
            _(
                "Nie można opublikować filmu bez napisów: brakuje ścieżki napisów "
                "po polsku (pl, plik WebVTT). Dodaj ją – do tego czasu film zostaje szkicem."
            )
        )


# Editing -------------------------------------------------------------------


@dataclass
class Chapter:
    starts_s: int
    title: str
    idea_id: int | None = None


@dataclass
class VideoData:
    """What the editor sends, already read from the form."""

    title: str
    source: str = VideoSource.UPLOAD
    slug: str = ""
    description: str = ""
    embed_url: str = ""
    duration_s: int | None = None  # typed by the editor; a probed file's wins
    transcript: str = ""
    process_id: int | None = None
    workshop_id: int | None = None
    article_id: int | None = None
    chapters_text: str = ""
    stored: StoredVideo | None = None
    poster_name: str | None = None
    remove_poster: bool = False
    captions: dict[str, bytes] = field(default_factory=dict)  # lang -> VTT bytes
    remove_captions: set[str] = field(default_factory=set)


_CHAPTER = re.compile(
    r"^(?P<time>(?:\d{1,2}:)?\d{1,2}:\d{2})\s+(?P<title>.+?)(?:\s+#(?P<idea>\d{1,9}))?\s*$"
)


def parse_clock(value: str) -> int:
    """``"1:20"`` → 80, ``"1:02:03"`` → 3723; ValueError for anything else."""
    parts = value.strip().split(":")
    if not 2 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
        raise ValueError(value)
    numbers = [int(p) for p in parts]
    if any(n >= 60 for n in numbers[1:]):
        raise ValueError(value)
    seconds = 0
    for number in numbers:
        seconds = seconds * 60 + number
    return seconds


def parse_chapters(raw: str) -> list[Chapter]:
    """One chapter a line: ``00:42 Tytuł`` or ``1:02:03 Tytuł #12`` (#12:
    the idea discussed). Raise VideoError naming the line."""
    chapters: list[Chapter] = []
    for number, line in enumerate((raw or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = _CHAPTER.match(line.strip())
        try:
            seconds = parse_clock(match["time"]) if match else None
        except ValueError:
            seconds = None
        if match is None or seconds is None:
            raise VideoError(
                _(
                    "Wiersz %(line)s: zapisz rozdział jako „mm:ss Tytuł”, a omawiany pomysł "
                    "dopisz na końcu jako „#numer”, np. „01:20 Tramwaj do Bełchatowa #12”.",
                    line=number,
                ),
                status=400,
                field="chapters",
            )
        idea = int(match["idea"]) if match["idea"] else None
        chapters.append(Chapter(seconds, single_line(match["title"], 200), idea))
    chapters.sort(key=lambda chapter: chapter.starts_s)
    return chapters


def chapters_text(video: Video) -> str:
    return "\n".join(
        f"{vtt.clock(c.starts_s)} {c.title}" + (f" #{c.idea_id}" if c.idea_id else "")
        for c in video.chapters
    )


def check_slug(slug: str, video: Video | None) -> None:
    if not slug:
        raise VideoError(_("Adres musi zawierać litery lub cyfry."), status=400, field="slug")
    other = db.session.scalar(select(Video).where(Video.slug == slug))
    if other is not None and other is not video:
        raise VideoError(
            _("Adres „%(slug)s” ma już film „%(title)s”. Wybierz inny.", slug=slug,
              title=other.title),
            status=409,
            field="slug",
        )  # fmt: skip


def _apply(video: Video, data: VideoData) -> None:
    video.title = single_line(data.title, 200)
    video.description = (data.description or "").replace("\r\n", "\n").strip()
    video.transcript = (data.transcript or "").replace("\r\n", "\n").strip()
    video.source = data.source
    if data.source == VideoSource.EMBED:
        try:
            video.embed_url = parse_video_url(data.embed_url).watch_url
        except ServiceError as error:
            raise VideoError(
                _(
                    "Ten adres nie prowadzi do filmu w serwisie z listy dozwolonych "
                    "(YouTube, Vimeo). Wklej link do konkretnego filmu."
                ),
                status=400,
                field="embed_url",
            ) from error
        if video.file_name:
            delete_later(video.file_name)
        video.file_name = video.file_type = video.file_size = None
    else:
        video.embed_url = None
        if data.stored is not None:
            delete_later(video.file_name)
            video.file_name = data.stored.name
            video.file_type = data.stored.content_type
            video.file_size = data.stored.size
        if not video.file_name:
            raise VideoError(
                _("Dołącz plik filmu (MP4 albo WebM) albo wybierz film z serwisu zewnętrznego."),
                status=400,
                field="file",
            )
    _apply_poster(video, data)
    _apply_duration(video, data)
    _apply_links(video, data)
    _apply_captions(video, data)
    _apply_chapters(video, data)


def _apply_poster(video: Video, data: VideoData) -> None:
    """An uploaded poster wins; a new file brings its own frame."""
    new = data.poster_name or (data.stored.poster_name if data.stored else None)
    if new:
        delete_later(video.poster_name)
        video.poster_name = new
    elif data.remove_poster and video.poster_name:
        delete_later(video.poster_name)
        video.poster_name = None


def _apply_duration(video: Video, data: VideoData) -> None:
    probed = data.stored.duration_s if data.stored is not None else None
    if probed:
        video.duration_s = probed
    elif data.duration_s:
        video.duration_s = data.duration_s
    if not video.duration_s or not 0 < video.duration_s <= MAX_DURATION_S:
        raise VideoError(
            _("Podaj czas trwania filmu w formacie mm:ss albo gg:mm:ss, np. 12:30."),
            status=400,
            field="duration",
        )


def _apply_links(video: Video, data: VideoData) -> None:
    video.workshop_id = data.workshop_id
    video.article_id = data.article_id
    process_id = data.process_id
    if process_id is None and data.workshop_id is not None:
        process_id = db.session.scalar(
            select(Workshop.process_id).where(Workshop.id == data.workshop_id)
        )
    if process_id is None and data.article_id is not None:
        process_id = db.session.scalar(
            select(Article.process_id).where(Article.id == data.article_id)
        )
    video.process_id = process_id


def _apply_captions(video: Video, data: VideoData) -> None:
    for lang in CAPTION_LANGUAGES:
        existing = video.caption(lang)
        raw = data.captions.get(lang)
        if raw is not None:
            try:
                checked = vtt.parse(raw, video.duration_s)
            except vtt.CaptionError as error:
                raise _caption_error(lang, str(error), error.status) from error
            if existing is None:
                existing = VideoCaption(lang=lang, content="")
                video.captions.append(existing)
            existing.content = checked.text
            existing.cues = checked.cues
            existing.ends_s = checked.ends_s
            existing.created_at = utcnow()
        elif existing is not None and lang in data.remove_captions and lang != "pl":
            video.captions.remove(existing)
        elif existing is not None and existing.ends_s > video.duration_s:
            raise _caption_error(
                lang,
                _(
                    "ostatnia kwestia kończy się w %(end)s, a film trwa %(duration)s.",
                    end=vtt.clock(existing.ends_s),
                    duration=vtt.clock(video.duration_s),
                ),
                400,
            )


def _caption_error(lang: str, problem: str, status: int) -> VideoError:
    label = _("Napisy po polsku") if lang == "pl" else _("Napisy po angielsku")
    return VideoError(f"{label}: {problem}", status=status, field=f"captions_{lang}")


def _apply_chapters(video: Video, data: VideoData) -> None:
    chapters = parse_chapters(data.chapters_text)
    late = [c for c in chapters if c.starts_s >= video.duration_s]
    if late:
        raise VideoError(
            _(
                "Rozdział „%(title)s” zaczyna się w %(at)s, po końcu filmu (%(duration)s).",
                title=late[0].title,
                at=vtt.clock(late[0].starts_s),
                duration=vtt.clock(video.duration_s),
            ),
            status=400,
            field="chapters",
        )
    wanted = {c.idea_id for c in chapters if c.idea_id}
    if wanted:
        found = set(
            db.session.scalars(
                select(Idea.id).where(Idea.id.in_(wanted), Idea.status == IdeaStatus.PUBLISHED)
            )
        )
        missing = sorted(wanted - found)
        if missing:
            raise VideoError(
                _(
                    "Nie ma opublikowanych pomysłów o numerach: %(ids)s.",
                    ids=", ".join(map(str, missing)),
                ),
                status=400,
                field="chapters",
            )
    video.chapters = [
        VideoChapter(starts_s=c.starts_s, title=c.title, idea_id=c.idea_id) for c in chapters
    ]


def _flush_slug() -> None:
    """Flush; an address taken in the same instant by someone else is a
    field error, like one taken before."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        raise VideoError(
            _("Ten adres jest już zajęty. Wybierz inny."), status=409, field="slug"
        ) from error


def create_video(data: VideoData, actor: Any) -> Video:
    """A new draft."""
    slug = slugify(data.slug or data.title, 100)
    check_slug(slug, None)
    video = Video(slug=slug, status=VideoStatus.DRAFT, created_by_id=getattr(actor, "id", None))
    _apply(video, data)
    db.session.add(video)
    _flush_slug()
    audit.record("video.create", video, actor=actor, to_state=video.status)
    return video


def update_video(video: Video, data: VideoData, actor: Any) -> Video:
    """Save an edit. A published video keeps its Polish track (it cannot be
    removed, only replaced by another valid one)."""
    slug = slugify(data.slug or data.title, 100)
    check_slug(slug, video)
    video.slug = slug
    _apply(video, data)
    _flush_slug()
    audit.record("video.edit", video, actor=actor)
    return video


def publish_video(video: Video, actor: Any) -> None:
    """Publish now; refused (MissingPolishCaptions) without a valid Polish track."""
    polish = video.caption("pl")
    if polish is None:
        raise MissingPolishCaptions()
    try:
        vtt.parse(polish.content, video.duration_s)
    except vtt.CaptionError as error:
        raise _caption_error("pl", str(error), 422) from error
    before = video.status
    video.status = VideoStatus.PUBLISHED
    if video.published_at is None or video.published_at > utcnow():
        video.published_at = utcnow()
    audit.record("video.publish", video, actor=actor, from_state=before, to_state=video.status)


def unpublish_video(video: Video, actor: Any) -> None:
    before = video.status
    video.status = VideoStatus.DRAFT
    audit.record("video.unpublish", video, actor=actor, from_state=before, to_state=video.status)


def delete_video(video: Video, actor: Any) -> None:
    audit.record("video.delete", video, actor=actor, data={"title": video.title})
    delete_later(video.file_name)
    delete_later(video.poster_name)
    db.session.delete(video)


# Plays -----------------------------------------------------------------------


def _play_hash(video_id: int, address: str, user_agent: str | None, now: datetime) -> str | None:
    """The hash that counts this reader once a day (as article readings do);
    None for a bot."""
    if is_bot(user_agent):
        return None
    day = now.strftime("%Y-%m-%d")
    return keyed_hash(f"{address}\n{user_agent or ''}\n{day}\n{video_id}", "video-play")


def already_played(
    video_id: int, address: str, user_agent: str | None, now: datetime | None = None
) -> bool:
    """Whether a play would not count (a bot, or counted today): a plain read."""
    digest = _play_hash(video_id, address, user_agent, now or utcnow())
    if digest is None:
        return True
    return (
        db.session.scalar(select(VideoPlay.id).where(VideoPlay.reader_hash == digest)) is not None
    )


def record_play(
    video_id: int, address: str, user_agent: str | None, now: datetime | None = None
) -> bool:
    """Count one play, at most once per reader, video and day.

    The play row's unique hash decides (one insert that skips a duplicate);
    only then are the total and the day's count raised, each by one atomic
    statement in the same transaction, so concurrent readers never lose a
    count. Call it at the start of a transaction.
    """
    now = now or utcnow()
    digest = _play_hash(video_id, address, user_agent, now)
    if digest is None:
        return False
    values = {"video_id": video_id, "reader_hash": digest, "created_at": now}
    if not insert_once(VideoPlay.__table__, values):
        return False
    # Plain SQL: the counter must not touch ``updated_at`` (the sitemap's "edited").
    db.session.execute(text("UPDATE videos SET plays = plays + 1 WHERE id = :id"), {"id": video_id})
    _count_day(video_id, now)
    return True


def _count_day(video_id: int, now: datetime) -> None:
    table = VideoDailyPlays.__table__
    statement = insert_for(table).values(video_id=video_id, day=now.date(), plays=1)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["video_id", "day"], set_={"plays": table.c.plays + 1}
        )
    )


def purge_video_plays() -> int:
    """Play rows older than two days: they have done their job (the counts stay)."""
    cutoff = utcnow() - timedelta(days=2)
    result = db.session.execute(delete(VideoPlay).where(VideoPlay.created_at < cutoff))
    return result.rowcount or 0


# Reading ---------------------------------------------------------------------


def visible(now: datetime | None = None) -> Any:
    """Readers see a published video; a recording once its meeting has ended."""
    now = now or utcnow()
    ended = select(Workshop.id).where(Workshop.ends_at <= now, Workshop.published.is_(True))
    return (
        (Video.status == VideoStatus.PUBLISHED)
        & (Video.published_at <= now)
        & or_(Video.workshop_id.is_(None), Video.workshop_id.in_(ended))
    )


def is_visible(video: Video, now: datetime | None = None) -> bool:
    now = now or utcnow()
    if not video.is_visible(now):
        return False
    workshop = video.workshop
    return workshop is None or (workshop.published and workshop.ends_at <= now)


def visible_videos() -> Select:
    return (
        select(Video)
        .where(visible())
        .options(selectinload(Video.captions))
        .order_by(Video.published_at.desc(), Video.id.desc())
    )


def find_by_slug(slug: str) -> Video | None:
    return db.session.scalar(select(Video).where(Video.slug == slug))


@dataclass(frozen=True)
class RailItem:
    video: Video
    recent_plays: int


def most_played(limit: int = 5, process: Process | None = None) -> list[RailItem]:
    """The rail: videos played most in the last 30 days (only those played),
    ties by all-time plays, then the newest."""
    since = (utcnow() - timedelta(days=RAIL_DAYS - 1)).date()
    recent = (
        select(
            VideoDailyPlays.video_id.label("video_id"),
            func.sum(VideoDailyPlays.plays).label("recent"),
        )
        .where(VideoDailyPlays.day >= since)
        .group_by(VideoDailyPlays.video_id)
        .subquery()
    )
    query = (
        select(Video, recent.c.recent)
        .join(recent, recent.c.video_id == Video.id)
        .where(visible(), recent.c.recent > 0)
        .order_by(
            recent.c.recent.desc(),
            Video.plays.desc(),
            Video.published_at.desc(),
            Video.id.desc(),
        )
        .limit(limit)
    )
    if process is not None:
        query = query.where(Video.process_id == process.id)
    return [RailItem(video, int(count)) for video, count in db.session.execute(query)]


def recordings_for_process(process: Process) -> list[Video]:
    """Published recordings of the consultation's meetings that have taken
    place, in the meetings' order (for the consultation report)."""
    return list(
        db.session.scalars(
            select(Video)
            .join(Workshop, Workshop.id == Video.workshop_id)
            .where(visible(), Workshop.process_id == process.id)
            .options(selectinload(Video.captions), selectinload(Video.chapters))
            .order_by(Workshop.starts_at, Video.id)
        )
    )


def recordings_for_workshop(workshop: Workshop) -> list[Video]:
    return list(
        db.session.scalars(
            select(Video).where(visible(), Video.workshop_id == workshop.id).order_by(Video.id)
        )
    )


def videos_for_article(article: Any) -> list[Video]:
    return list(
        db.session.scalars(
            select(Video).where(visible(), Video.article_id == article.id).order_by(Video.id)
        )
    )


@dataclass(frozen=True)
class Moment:
    video: Video
    starts_s: int
    title: str


# The ideas any chapter names (most ideas are discussed in no recording).
_IDEAS_IN_CHAPTERS = select(VideoChapter.idea_id).where(VideoChapter.idea_id.is_not(None)).distinct()


def _ideas_in_chapters() -> frozenset[int]:
    """Every idea some chapter names, kept by each worker."""
    return pagecache.kept_rows("ideas-in-chapters", _IDEAS_IN_CHAPTERS)


def moments_for_idea(idea: Idea) -> list[Moment]:
    """Where visible videos discuss the idea: "omawiany od 00:42"."""
    if idea.id not in _ideas_in_chapters():
        return []
    rows = db.session.execute(
        select(Video, VideoChapter.starts_s, VideoChapter.title)
        .join(VideoChapter, VideoChapter.video_id == Video.id)
        .where(visible(), VideoChapter.idea_id == idea.id)
        .order_by(Video.published_at, VideoChapter.starts_s)
    )
    return [Moment(video, starts_s, title) for video, starts_s, title in rows]


def fragment(seconds: int) -> str:
    """The linkable moment: ``80`` → ``"t=1m20s"``, ``42`` → ``"t=42s"``."""
    hours, rest = divmod(max(int(seconds), 0), 3600)
    minutes, secs = divmod(rest, 60)
    out = "t="
    if hours:
        out += f"{hours}h"
    if hours or minutes:
        out += f"{minutes}m"
    return f"{out}{secs}s"


def embed_for(video: Video) -> Any:
    return video_for(video.embed_url) if video.source == VideoSource.EMBED else None
