"""What templates use to show videos: labels, moments and the parts other
pages include (the rail, a meeting's recording, an article's videos, the
moments on an idea page)."""

from __future__ import annotations

from typing import Any

from flask import Flask, url_for
from flask_babel import get_translations

from app.extensions import db
from app.i18n import current_language, format_number
from app.models import Video
from app.videos import services, vtt
from app.web import external_url

NARROW_NO_BREAK_SPACE = "\u202f"


def format_plays(count: int) -> str:
    """``27690`` → ``"27 690"`` with a narrow no-break space in Polish."""
    shown = format_number(count)
    if current_language() == "pl":
        shown = shown.replace("\xa0", NARROW_NO_BREAK_SPACE).replace(" ", NARROW_NO_BREAK_SPACE)
    return shown


def plays_label(count: int) -> str:
    """``1 wyświetlenie``, ``3 wyświetlenia``, ``27 690 wyświetleń``."""
    count = int(count or 0)
    # The translations' own ngettext: Flask-Babel's would put the bare
    # number in %(num)s, without the grouping.
    template = get_translations().ngettext("%(num)s wyświetlenie", "%(num)s wyświetleń", count)
    return template % {"num": format_plays(count)}


def poster_url(video: Video, external: bool = False) -> str | None:
    if not video.poster_name:
        return None
    return url_for("videos.media", slug=video.slug, name=video.poster_name, _external=external)


def iso_duration(seconds: int) -> str:
    """``80`` → ``"PT1M20S"`` (ISO 8601, for machines)."""
    hours, rest = divmod(int(seconds or 0), 3600)
    minutes, secs = divmod(rest, 60)
    return f"PT{hours}H{minutes}M{secs}S" if hours else f"PT{minutes}M{secs}S"


def sitemap_videos() -> list[tuple[str, Any, dict[str, Any]]]:
    """(page address, last change, <video:video> fields) of every visible
    video; the extension needs a poster, so one without gets none."""
    entries = []
    for video in db.session.scalars(services.visible_videos()):
        info = None
        if video.poster_name:
            embed = services.embed_for(video)
            info = {
                "thumbnail_loc": external_url("videos.media", slug=video.slug, name=video.poster_name),
                "title": video.title,
                "description": (video.description or video.title)[:2048],
                "content_loc": (
                    external_url("videos.media", slug=video.slug, name=video.file_name)
                    if video.file_name
                    else None
                ),
                "player_loc": embed.embed_url if embed else None,
                "duration": max(1, min(int(video.duration_s or 1), 28800)),
                "view_count": int(video.plays or 0),
                "publication_date": video.published_at.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
            }
        entries.append((external_url("videos.detail", slug=video.slug), video.updated_at, info))
    return entries


def init_app(app: Flask) -> None:
    """Template helpers, so a page shows videos with one include line."""
    globals_: dict[str, Any] = {
        "video_rail": services.most_played,
        "video_recordings": services.recordings_for_workshop,
        "article_videos": services.videos_for_article,
        "idea_video_moments": services.moments_for_idea,
        "video_fragment": services.fragment,
        "video_poster_url": poster_url,
        "video_embed": services.embed_for,
        "plays_label": plays_label,
    }
    app.jinja_env.globals.update(globals_)
    app.jinja_env.filters["clock"] = vtt.clock
    app.jinja_env.filters["iso_duration"] = iso_duration
