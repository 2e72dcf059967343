"""Public video pages: all videos, one video with its player, the stored
files (with range requests), the captions, and the play counter."""

from __future__ import annotations

from flask import Response, abort, current_app, render_template, request

from app.clients import client_address
from app.extensions import db, limiter
from app.models import IdeaStatus, Video
from app.security.permissions import can
from app.transaction import counted_apart
from app.videos import bp
from app.videos.media import send_media
from app.videos.services import (
    already_played,
    embed_for,
    find_by_slug,
    is_visible,
    record_play,
    visible_videos,
)
from app.web import mark_private

PER_PAGE = 24
# Seconds of playback before the player reports a play (app/static/js/videos.js).
PLAY_AFTER_SECONDS = 3


def _page() -> int:
    return min(max(request.args.get("page", 1, type=int) or 1, 1), 1_000_000)


def _staff_may_preview() -> bool:
    return can("manage_videos")


def _video_or_404(slug: str) -> tuple[Video, bool]:
    """The video and whether readers see it; staff may see drafts too."""
    video = find_by_slug(slug)
    if video is None:
        abort(404)
    visible = is_visible(video)
    if not visible and not _staff_may_preview():
        abort(404)
    return video, visible


@bp.route("/videos")
def index():
    page = db.paginate(visible_videos(), page=_page(), per_page=PER_PAGE, error_out=False)
    if page.page > 1 and not page.items:
        abort(404)
    return render_template("videos/index.html", page=page)


@bp.route("/videos/<slug>")
def detail(slug: str):
    video, visible = _video_or_404(slug)
    if not visible:
        mark_private()  # a staff preview: never kept, never indexed
    response = current_app.make_response(_render_detail(video, visible))
    if not visible:
        response.headers["X-Robots-Tag"] = "noindex"
    return response


def _render_detail(video: Video, visible: bool) -> str:
    chapters = [
        (chapter, chapter.idea if chapter.idea and chapter.idea.status == IdeaStatus.PUBLISHED
         else None)
        for chapter in video.chapters
    ]  # fmt: skip
    workshop = video.workshop if video.workshop and video.workshop.published else None
    article = video.article if video.article and video.article.is_visible() else None
    process = video.process if video.process and video.process.published else None
    return render_template(
        "videos/detail.html",
        video=video,
        visible=visible,
        embed=embed_for(video),
        chapters=chapters,
        workshop=workshop,
        article=article,
        process=process,
        play_after=PLAY_AFTER_SECONDS,
    )


@bp.route("/videos/<slug>/media/<name>")
def media(slug: str, name: str):
    video, visible = _video_or_404(slug)
    if name and name == video.file_name and video.file_type:
        return send_media(name, video.file_type, public=visible)
    if name and name == video.poster_name:
        return send_media(name, "image/jpeg", public=visible)
    abort(404)


@bp.route("/videos/<slug>/captions/<lang>.vtt")
def captions(slug: str, lang: str):
    video, visible = _video_or_404(slug)
    track = video.caption(lang)
    if track is None:
        abort(404)
    response = Response(track.content, mimetype="text/vtt")
    response.headers["Content-Type"] = "text/vtt; charset=utf-8"
    response.headers["Cache-Control"] = "public, max-age=300" if visible else "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _play_limit() -> str:
    return current_app.config.get("RATELIMIT_VIDEO_PLAY", "300 per hour")


@bp.route("/videos/<slug>/play", methods=["POST"])
@limiter.limit(_play_limit)
def play(slug: str):
    """The player's report that a reader started watching: counted at most
    once per reader and day, never for bots or staff previews (204 always)."""
    video = find_by_slug(slug)
    if video is None or not is_visible(video):
        abort(404)
    address, agent = client_address(), request.headers.get("User-Agent")
    if not _staff_may_preview() and not already_played(video.id, address, agent):
        video_id = video.id
        counted_apart(lambda: record_play(video_id, address, agent))
    return Response(status=204)

