"""Uploaded video files: checked by their bytes, copied under a random name
with the size limit enforced while copying, probed and given a poster frame
by ffmpeg when it is installed, and served with range requests.

The size limit holds at three points: the whole request is refused from its
Content-Length before anything is read (``request.max_content_length``, see
app.staff_videos.routes), the spooled upload is measured before a byte is
copied to UPLOAD_DIR, and the copy itself stops at the limit.

ffmpeg and ffprobe (Debian's ``ffmpeg`` package) are optional: without them
the editor gives the duration and may upload a poster; with them the
duration is read from the file, the file must decode as the video it claims
to be, and the poster is a frame of the video (an uploaded poster still wins).
"""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import shutil
import subprocess  # nosec B404 - fixed argument lists, no shell
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import abort, current_app, send_from_directory
from flask.wrappers import Response
from flask_babel import gettext as _

from app.uploads import (
    UploadError,
    delete_after_commit,
    human_size,
    process_image,
    too_large_error,
    track_written,
)

MP4, WEBM = "video/mp4", "video/webm"
VIDEO_TYPES = {MP4: "mp4", WEBM: "webm"}
# Stored names: 32 hex characters and one of our extensions, nothing else.
STORED_VIDEO = re.compile(r"^[0-9a-f]{32}\.(?:mp4|webm)$")
STORED_POSTER = re.compile(r"^[0-9a-f]{32}\.jpg$")
# ISO base media brands of MP4 video (ftyp box), as ffmpeg and phones write them.
_MP4_BRANDS = frozenset(
    {
        b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1",
        b"dash", b"M4V ", b"MSNV", b"mmp4", b"f4v ",
    }
)  # fmt: skip
_CHUNK = 1024 * 1024
_TOOL_TIMEOUT = 60  # seconds for one probe or one poster frame


def video_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "videos"
    path.mkdir(parents=True, exist_ok=True)
    return path


def sniff_video(head: bytes) -> str | None:
    """``video/mp4`` or ``video/webm`` when the first bytes say so, else None."""
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in _MP4_BRANDS:
        return MP4
    # EBML header, then a DocType element naming "webm" (Matroska's cousin).
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"\x42\x82" in head[:64]:
        doctype_at = head.find(b"\x42\x82", 4, 64)
        if head[doctype_at + 3 : doctype_at + 7] == b"webm":
            return WEBM
    return None


def wrong_video_type() -> UploadError:
    return UploadError(
        "type",
        _(
            "Nieobsługiwany rodzaj pliku. Dołącz film MP4 albo WebM "
            "(rozpoznajemy go po zawartości, nie po nazwie)."
        ),
    )


def corrupt_video() -> UploadError:
    return UploadError(
        "corrupt", _("Nie udało się odczytać filmu: plik jest uszkodzony albo niekompletny.")
    )


def tool(name: str) -> str | None:
    """The full path of ffmpeg or ffprobe, or None when it is not installed
    (``FFMPEG``/``FFPROBE`` set to an empty value switch it off)."""
    configured = current_app.config.get(name.upper(), name)
    return shutil.which(configured) if configured else None


@dataclass
class StoredVideo:
    name: str
    content_type: str
    size: int
    duration_s: int | None  # None when ffprobe is not available
    poster_name: str | None


def _spooled_size(stream: Any) -> int | None:
    """The size of an upload already spooled by the form parser, if known."""
    try:
        position = stream.tell()
        stream.seek(0, os.SEEK_END)
        size = stream.tell()
        stream.seek(position)
    except (AttributeError, OSError, ValueError):
        return None
    return size


def store_video(file_storage: Any, max_bytes: int) -> StoredVideo:
    """Check and store an uploaded video; raise UploadError for the editor.

    Its type is told from its first bytes (a picture renamed to ``.mp4`` is
    refused before anything is written), its size before copying and again
    while copying. The file goes away again if the transaction rolls back.
    """
    stream = getattr(file_storage, "stream", file_storage)
    size = _spooled_size(stream)
    if size is not None and size > max_bytes:
        raise too_large_error(max_bytes)
    head = stream.read(64)
    if not head:
        raise UploadError("empty", _("Przesłany plik jest pusty."))
    content_type = sniff_video(head)
    if content_type is None:
        raise wrong_video_type()
    name = f"{secrets.token_hex(16)}.{VIDEO_TYPES[content_type]}"
    directory = video_dir()
    partial = directory / f".{name}.part"
    written = len(head)
    try:
        with open(partial, "wb") as handle:
            handle.write(head)
            while chunk := stream.read(_CHUNK):
                written += len(chunk)
                if written > max_bytes:
                    raise too_large_error(max_bytes)
                handle.write(chunk)
        final = directory / name
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    track_written(final)
    duration = probe_duration(final, content_type)
    poster = make_poster(final, duration)
    return StoredVideo(name, content_type, written, duration, poster)


def probe_duration(path: Path, content_type: str) -> int | None:
    """The video's length in whole seconds (rounded), read by ffprobe;
    None without ffprobe. A file ffprobe cannot read as that kind of video
    (or with no picture in it) is refused."""
    ffprobe = tool("ffprobe")
    if ffprobe is None:
        return None
    command = [
        ffprobe, "-v", "error", "-print_format", "json",
        "-show_entries", "format=format_name,duration:stream=codec_type", str(path),
    ]  # fmt: skip
    try:
        done = subprocess.run(  # noqa: S603  # nosec B603 - our own argument list
            command, capture_output=True, timeout=_TOOL_TIMEOUT, check=False
        )
        info = json.loads(done.stdout or b"{}")
    except (OSError, subprocess.TimeoutExpired, ValueError) as error:
        raise corrupt_video() from error
    formats = str(info.get("format", {}).get("format_name", "")).split(",")
    expected = "mp4" if content_type == MP4 else "webm"
    streams = [s.get("codec_type") for s in info.get("streams", [])]
    if done.returncode != 0 or expected not in formats or "video" not in streams:
        raise corrupt_video()
    try:
        seconds = float(info["format"]["duration"])
    except (KeyError, TypeError, ValueError) as error:
        raise corrupt_video() from error
    if not math.isfinite(seconds) or seconds <= 0:
        raise corrupt_video()
    return max(1, math.floor(seconds + 0.5))


def make_poster(path: Path, duration_s: int | None) -> str | None:
    """A poster frame (JPEG, at most 1280 px wide) from a second in, or
    None without ffmpeg or when no frame could be taken."""
    ffmpeg = tool("ffmpeg")
    if ffmpeg is None:
        return None
    moment = min(1.0, (duration_s or 2) / 2)
    name = f"{secrets.token_hex(16)}.jpg"
    target = video_dir() / name
    command = [
        ffmpeg, "-nostdin", "-v", "error", "-ss", f"{moment:.2f}", "-i", str(path),
        "-frames:v", "1", "-vf", "scale='min(1280,iw)':-2", "-q:v", "4", "-y", str(target),
    ]  # fmt: skip
    try:
        done = subprocess.run(  # noqa: S603  # nosec B603 - our own argument list
            command, capture_output=True, timeout=_TOOL_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        target.unlink(missing_ok=True)
        return None
    if done.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
        target.unlink(missing_ok=True)
        return None
    track_written(target)
    return name


def store_poster(file_storage: Any) -> str:
    """An uploaded poster: checked and re-encoded as JPEG like any picture."""
    max_bytes = current_app.config["MAX_ATTACHMENT_BYTES"]
    stream = getattr(file_storage, "stream", file_storage)
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_large_error(max_bytes)
    if not data:
        raise UploadError("empty", _("Przesłany plik jest pusty."))
    processed = process_image(data, output_type="image/jpeg", max_side=1920)
    name = f"{secrets.token_hex(16)}.jpg"
    target = video_dir() / name
    target.write_bytes(processed.data)
    track_written(target)
    return name


def delete_later(name: str | None) -> None:
    """Remove a stored video or poster once the transaction commits."""
    if name and (STORED_VIDEO.match(name) or STORED_POSTER.match(name)):
        delete_after_commit(video_dir() / name)


def max_video_bytes() -> int:
    return int(current_app.config["MAX_VIDEO_BYTES"])


def max_video_size() -> str:
    return human_size(max_video_bytes())


def send_media(name: str, content_type: str, *, public: bool) -> Response:
    """Serve a stored video or poster; Range requests get 206 and
    Content-Range (Werkzeug's conditional responses)."""
    if content_type in VIDEO_TYPES:
        if not STORED_VIDEO.match(name or ""):
            abort(404)
    elif content_type != "image/jpeg" or not STORED_POSTER.match(name or ""):
        abort(404)
    response = send_from_directory(
        video_dir(), name, mimetype=content_type, conditional=True, max_age=None
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # Stored names are new for every upload, so a public file never changes.
    response.headers["Cache-Control"] = (
        "public, max-age=86400" if public else "private, no-store"
    )
    return response
