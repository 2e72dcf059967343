"""Helpers for the video tests: videos in one call, sample captions, and
the demo's tiny generated WebM files (app/demo/media)."""

from __future__ import annotations

import itertools
import secrets
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

from app.extensions import db
from app.models import Video, VideoCaption, VideoChapter, VideoSource, VideoStatus, utcnow
from app.videos import vtt

MEDIA = Path(__file__).resolve().parent.parent / "app" / "demo" / "media"
WEBM = MEDIA / "spotkanie-otwierajace.webm"  # 6 s, 320×180, VP8 + Opus
POSTER = MEDIA / "spotkanie-otwierajace.jpg"
READER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"}

POLISH = """WEBVTT

00:00.000 --> 00:02.500
Dzień dobry, witamy na spotkaniu.

00:02.500 --> 00:05.000
<v Prowadząca>Zaczynamy od <b>diagnozy</b> &amp; pytań.
"""
ENGLISH = """WEBVTT

00:00.000 --> 00:05.000
Good evening and welcome.
"""

_counter = itertools.count(1)


def make_video(
    app,  # noqa: ANN001
    state: str = "published",
    captions: tuple[str, ...] = ("pl",),
    chapters: tuple[tuple[int, str, int | None], ...] = (),
    with_file: bool = True,
    **fields: Any,
) -> Video:
    """A video (6 s): ``state`` "published" or "draft"; the demo file is
    copied into UPLOAD_DIR when *with_file*."""
    n = next(_counter)
    values: dict[str, Any] = {
        "slug": f"film-{n}",
        "title": f"Film numer {n}",
        "description": f"Opis filmu {n}.",
        "source": VideoSource.UPLOAD,
        "duration_s": 6,
        "status": VideoStatus.PUBLISHED if state == "published" else VideoStatus.DRAFT,
        "published_at": utcnow() - timedelta(hours=n) if state == "published" else None,
    }
    values.update(fields)
    with app.app_context():
        if with_file and "file_name" not in fields:
            from app.videos.media import video_dir

            name = f"{secrets.token_hex(16)}.webm"
            poster = f"{secrets.token_hex(16)}.jpg"
            shutil.copyfile(WEBM, video_dir() / name)
            shutil.copyfile(POSTER, video_dir() / poster)
            values.update(
                file_name=name,
                file_type="video/webm",
                file_size=WEBM.stat().st_size,
                poster_name=poster,
            )
        video = Video(**values)
        for lang in captions:
            checked = vtt.parse(POLISH if lang == "pl" else ENGLISH, None)
            video.captions.append(
                VideoCaption(lang=lang, content=checked.text, cues=checked.cues,
                             ends_s=checked.ends_s)
            )  # fmt: skip
        for starts_s, title, idea_id in chapters:
            video.chapters.append(VideoChapter(starts_s=starts_s, title=title, idea_id=idea_id))
        db.session.add(video)
        db.session.commit()
        db.session.refresh(video)
        video.captions  # noqa: B018 - load before detaching
        video.chapters  # noqa: B018
        db.session.expunge(video)
    return video


def plays_of(app, video_id: int) -> int:  # noqa: ANN001
    with app.app_context():
        return db.session.get(Video, video_id).plays
