"""Dashboard tile for editors: videos that cannot be published yet."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.models import Video, VideoCaption, VideoStatus
from app.security.permissions import can
from app.staff.dashboard import Tile


def video_tiles() -> list[Tile]:
    if not can("manage_videos"):
        return []
    with_polish = select(VideoCaption.video_id).where(VideoCaption.lang == "pl")
    waiting = db.session.scalar(
        select(func.count())
        .select_from(Video)
        .where(Video.status == VideoStatus.DRAFT, Video.id.not_in(with_polish))
    )
    return [
        Tile(
            label=_("Filmy bez napisów po polsku"),
            count=waiting,
            url=url_for("staff_videos.index", state="draft"),
            hint=_("Nie mogą zostać opublikowane, dopóki nie mają napisów."),
        )
    ]
