"""Demo recordings of the two meetings that have taken place: short
generated videos (ffmpeg's test pattern and a sine tone, a few seconds,
WebM) with their posters, committed in app/demo/media, and Polish (and for
one English) captions, chapters naming ideas, a transcript and play counts.

The files were made with (no download, nothing recorded):

    ffmpeg -f lavfi -i "testsrc=size=320x180:rate=15:duration=6" \\
           -f lavfi -i "sine=frequency=440:duration=6:sample_rate=24000" \\
           -c:v libvpx -b:v 60k -c:a libopus -b:a 16k -ac 1 -shortest spotkanie-otwierajace.webm
    (testsrc2 and 660 Hz for warsztaty-w-grupach.webm; posters: -ss 1 -frames:v 1)
"""

from __future__ import annotations

import secrets
import shutil
from datetime import timedelta
from pathlib import Path

from app.extensions import db
from app.models import (
    Video,
    VideoCaption,
    VideoChapter,
    VideoDailyPlays,
    VideoSource,
    VideoStatus,
)
from app.uploads import track_written
from app.videos import vtt
from app.videos.media import video_dir

MEDIA = Path(__file__).resolve().parent / "media"

OPENING_PL = """WEBVTT

00:00.000 --> 00:02.500
Dzień dobry, witamy na spotkaniu otwierającym konsultacje.

00:02.500 --> 00:06.000
<v Prowadząca>Zaczynamy od diagnozy: region po węglu – co dalej?
"""

OPENING_EN = """WEBVTT

00:00.000 --> 00:02.500
Good evening and welcome to the opening meeting of the consultation.

00:02.500 --> 00:06.000
<v Host>We start with a diagnosis: the region after coal – what next?
"""

WORKSHOP_PL = """WEBVTT

00:00.000 --> 00:02.000
Grupy mieszane przedstawiają wyniki pracy.

00:02.000 --> 00:04.000
Pierwszy pomysł: <i>praca i energia</i> w regionie.

00:04.000 --> 00:06.000
Drugi pomysł: młodzi zostają w regionie.
"""


def _copy(name: str) -> tuple[str, str]:
    """Copy a demo video and its poster under fresh stored names."""
    directory = video_dir()
    stored = []
    for suffix in (".webm", ".jpg"):
        target = f"{secrets.token_hex(16)}{suffix}"
        shutil.copyfile(MEDIA / f"{name}{suffix}", directory / target)
        track_written(directory / target)
        stored.append(target)
    return stored[0], stored[1]


def _caption(lang: str, content: str, duration: int) -> VideoCaption:
    checked = vtt.parse(content, duration)
    return VideoCaption(lang=lang, content=checked.text, cues=checked.cues, ends_s=checked.ends_s)


def _recording(workshop, name: str, title: str, description: str, plays: int) -> Video:  # noqa: ANN001
    file_name, poster = _copy(name)
    return Video(
        slug=f"nagranie-{workshop.slug}"[:120],
        title=title,
        description=description,
        source=VideoSource.UPLOAD,
        file_name=file_name,
        file_type="video/webm",
        file_size=(MEDIA / f"{name}.webm").stat().st_size,
        poster_name=poster,
        duration_s=6,
        status=VideoStatus.PUBLISHED,
        published_at=workshop.ends_at + timedelta(days=1),
        plays=plays,
        process_id=workshop.process_id,
        workshop=workshop,
    )


def load(ctx: dict) -> None:
    workshops = ctx["workshops"]
    now = ctx["now"]
    opening = workshops["spotkanie-otwierajace-z-ekspertami"]
    session = workshops["warsztaty-w-grupach-mieszanych"]
    ideas = [idea for idea in ctx.get("workshop_ideas", []) if idea.workshop is session]

    first = _recording(
        opening,
        "spotkanie-otwierajace",
        "Nagranie: spotkanie otwierające z ekspertami",
        "Eksperci parku pokazują diagnozę regionu po wygaszeniu kopalni i odpowiadają na "
        "pytania mieszkańców.",
        27690,
    )
    first.captions = [_caption("pl", OPENING_PL, 6), _caption("en", OPENING_EN, 6)]
    first.chapters = [
        VideoChapter(starts_s=0, title="Powitanie"),
        VideoChapter(starts_s=3, title="Diagnoza: region po węglu"),
    ]
    first.transcript = (
        "Prowadząca: Dzień dobry, witamy na spotkaniu otwierającym konsultacje.\n\n"
        "Prowadząca: Zaczynamy od diagnozy: region po węglu – co dalej?"
    )
    second = _recording(
        session,
        "warsztaty-w-grupach",
        "Nagranie: warsztaty w grupach mieszanych",
        "Grupy mieszane – samorządowcy, przedsiębiorcy, młodzież i seniorzy – przedstawiają "
        "pomysły, które powstały przy stołach.",
        3,
    )
    second.captions = [_caption("pl", WORKSHOP_PL, 6)]
    second.chapters = [VideoChapter(starts_s=0, title="Wyniki pracy grup")]
    for starts_s, idea in zip((2, 4), ideas, strict=False):
        second.chapters.append(VideoChapter(starts_s=starts_s, title=idea.title[:200], idea=idea))
    db.session.add_all([first, second])
    db.session.flush()
    # Plays of the last 30 days (aggregates only: no reader is recorded).
    today = now.date()
    for days_ago, count in ((0, 140), (3, 260), (9, 410), (20, 430)):
        db.session.add(
            VideoDailyPlays(video_id=first.id, day=today - timedelta(days=days_ago), plays=count)
        )
    db.session.add(VideoDailyPlays(video_id=second.id, day=today, plays=3))
    ctx["videos"] = [first, second]
