"""The video editor: list, upload or link, captions, chapters, publish."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from app.extensions import db
from app.models import Article, Process, Video, VideoSource, VideoStatus, Workshop
from app.security.permissions import can, permission_required
from app.staff_videos import bp
from app.staff_videos.forms import VideoForm
from app.transaction import attach_error, committing
from app.uploads import UploadError, too_large_error
from app.videos.media import max_video_bytes, max_video_size, store_poster, store_video, tool
from app.videos.services import (
    VideoData,
    chapters_text,
    create_video,
    delete_video,
    parse_clock,
    publish_video,
    unpublish_video,
    update_video,
)
from app.videos.vtt import MAX_VTT_BYTES, clock

PER_PAGE = 25
UPLOAD_FORMS = frozenset({"staff_videos.new", "staff_videos.edit"})
# Room in one request for the captions and a poster besides the video.
FORM_ROOM = 4 * 1024 * 1024


@bp.url_value_preprocessor
def _room_for_a_video(endpoint: str | None, values: dict | None) -> None:
    """The upload forms take a body up to the video limit (spooled to disk
    by the form parser); a larger one is refused from its Content-Length,
    before a byte of it is read, by Werkzeug (413, see _too_large)."""
    if endpoint in UPLOAD_FORMS and request.method == "POST":
        request.max_content_length = (
            max_video_bytes() + current_app.config["MAX_ATTACHMENT_BYTES"] + FORM_ROOM
        )


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge):  # noqa: ANN202
    """The request was refused unread: the form again, the error at the file
    (only for those who may use the form: this runs before the view's check)."""
    if not can("manage_videos"):
        return error
    video_id = (request.view_args or {}).get("video_id")
    video = db.session.get(Video, video_id) if video_id else None
    form = VideoForm(formdata=None)
    _fill_choices(form)
    if video is not None:
        _fill_from(form, video)
    form.file.errors = [str(too_large_error(max_video_bytes()))]
    return _render_form(form, video, 413)


@bp.route("/")
@permission_required("manage_videos")
def index():
    state = request.args.get("state", "")
    query = select(Video).order_by(Video.updated_at.desc(), Video.id.desc())
    if state in (VideoStatus.DRAFT, VideoStatus.PUBLISHED):
        query = query.where(Video.status == state)
    else:
        state = ""
    page = db.paginate(
        query, page=request.args.get("page", 1, type=int), per_page=PER_PAGE, error_out=False
    )
    return render_template("staff_videos/index.html", page=page, state=state)


def _fill_choices(form: VideoForm) -> None:
    none = (None, _("— bez powiązania —"))
    form.consultation.choices = [none] + [
        (p.id, p.title) for p in db.session.scalars(select(Process).order_by(Process.title))
    ]
    form.workshop.choices = [none] + [
        (w.id, f"{w.title} ({w.starts_at:%d.%m.%Y})")
        for w in db.session.scalars(select(Workshop).order_by(Workshop.starts_at.desc()).limit(300))
    ]
    form.article.choices = [none] + [
        (a.id, a.title)
        for a in db.session.scalars(select(Article).order_by(Article.updated_at.desc()).limit(300))
    ]


def _fill_from(form: VideoForm, video: Video) -> None:
    form.title.data = video.title
    form.slug.data = video.slug
    form.description.data = video.description
    form.source.data = video.source
    form.embed_url.data = video.embed_url or ""
    form.duration.data = clock(video.duration_s) if video.duration_s else ""
    form.chapters.data = chapters_text(video)
    form.transcript.data = video.transcript
    form.consultation.data = video.process_id
    form.workshop.data = video.workshop_id
    form.article.data = video.article_id


def _chosen(field: Any) -> bool:
    return field.data is not None and bool(getattr(field.data, "filename", ""))


def _read_form(form: VideoForm) -> VideoData | None:
    """Form → VideoData (files not stored yet); None with field errors."""
    valid = form.validate()
    duration = None
    if form.duration.data:
        try:
            duration = parse_clock(form.duration.data)
        except ValueError:
            form.duration.errors = [
                *form.duration.errors,
                _("Podaj czas trwania w formacie mm:ss albo gg:mm:ss, np. 12:30."),
            ]
            valid = False
    captions: dict[str, bytes] = {}
    for lang, field in (("pl", form.captions_pl), ("en", form.captions_en)):
        if _chosen(field):
            captions[lang] = field.data.stream.read(MAX_VTT_BYTES + 1)
    if not valid:
        if _chosen(form.file):
            form.file.errors = [
                *form.file.errors,
                _(
                    "Popraw błędy i wybierz plik filmu ponownie (przeglądarka nie wyśle go drugi raz)."
                ),
            ]
        return None
    return VideoData(
        title=form.title.data,
        source=form.source.data,
        slug=form.slug.data or "",
        description=form.description.data or "",
        embed_url=form.embed_url.data or "",
        duration_s=duration,
        transcript=form.transcript.data or "",
        process_id=form.consultation.data,
        workshop_id=form.workshop.data,
        article_id=form.article.data,
        chapters_text=form.chapters.data or "",
        captions=captions,
        remove_poster=bool(form.remove_poster.data),
        remove_captions={"en"} if form.remove_captions_en.data else set(),
    )


def _store_files(form: VideoForm, data: VideoData) -> None:
    """Store the chosen video and poster (inside the request's transaction:
    a refusal later removes them again)."""
    if data.source == VideoSource.UPLOAD and _chosen(form.file):
        data.stored = store_video(form.file.data, max_video_bytes())
    if _chosen(form.poster):
        try:
            data.poster_name = store_poster(form.poster.data)
        except UploadError as error:
            error.field = "poster"
            raise


def _render_form(form: VideoForm, video: Video | None, status: int = 200):  # noqa: ANN202
    return (
        render_template(
            "staff_videos/form.html",
            form=form,
            video=video,
            max_size=max_video_size(),
            has_ffmpeg=tool("ffprobe") is not None and tool("ffmpeg") is not None,
        ),
        status,
    )


@bp.route("/new", methods=["GET", "POST"])
@permission_required("manage_videos")
def new():
    form = VideoForm()
    _fill_choices(form)
    if request.method == "GET":
        return _render_form(form, None)
    data = _read_form(form)
    if data is None:
        return _render_form(form, None, 400)
    with committing(form, field="file") as done:
        _store_files(form, data)
        video = create_video(data, current_user)
    if not done:
        return _render_form(form, None, done.status)
    flash(_("Zapisano szkic filmu „%(title)s”.", title=video.title), "success")
    return redirect(url_for("staff_videos.edit", video_id=video.id), code=303)


@bp.route("/<int:video_id>/edit", methods=["GET", "POST"])
@permission_required("manage_videos")
def edit(video_id: int):
    video = db.get_or_404(Video, video_id)
    if request.method == "GET":
        form = VideoForm(formdata=None)
        _fill_choices(form)
        _fill_from(form, video)
        return _render_form(form, video)
    form = VideoForm()
    _fill_choices(form)
    data = _read_form(form)
    if data is None:
        return _render_form(form, video, 400)
    with committing(form, field="file") as done:
        _store_files(form, data)
        update_video(video, data, current_user)
    if not done:
        return _render_form(form, db.get_or_404(Video, video_id), done.status)
    flash(_("Zapisano zmiany."), "success")
    return redirect(url_for("staff_videos.edit", video_id=video_id), code=303)


@bp.route("/<int:video_id>/publish", methods=["POST"])
@permission_required("manage_videos")
def publish(video_id: int):
    video = db.get_or_404(Video, video_id)
    with committing(show=False) as done:
        publish_video(video, current_user)
    if not done:
        # Stays a draft: the editor sees why, at the captions field.
        video = db.get_or_404(Video, video_id)
        form = VideoForm(formdata=None)
        _fill_choices(form)
        _fill_from(form, video)
        attach_error(form, done.error)
        return _render_form(form, video, done.status)
    flash(_("Film jest opublikowany."), "success")
    return redirect(url_for("staff_videos.edit", video_id=video_id), code=303)


@bp.route("/<int:video_id>/unpublish", methods=["POST"])
@permission_required("manage_videos")
def unpublish(video_id: int):
    video = db.get_or_404(Video, video_id)
    with committing():
        unpublish_video(video, current_user)
    flash(_("Film wycofano z publikacji; jest znowu szkicem."), "success")
    return redirect(url_for("staff_videos.edit", video_id=video_id), code=303)


@bp.route("/<int:video_id>/delete", methods=["POST"])
@permission_required("manage_videos")
def delete(video_id: int):
    video = db.get_or_404(Video, video_id)
    title = video.title
    with committing():
        delete_video(video, current_user)
    flash(_("Usunięto film „%(title)s”.", title=title), "success")
    return redirect(url_for("staff_videos.index"), code=303)
