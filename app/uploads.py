"""Uploaded files: checked by their content, images re-encoded, stored under
random names in ``UPLOAD_DIR`` and served without any chance of a browser
running them.

The pieces are separate so other features (article covers) can reuse them:

* ``read_upload(file_storage, max_bytes)`` reads at most ``max_bytes``;
* ``sniff_type(data)`` tells JPEG, PNG, WebP and PDF apart by their bytes;
* ``process_image(data)`` opens an image safely (decompression bombs,
  corrupt files) and re-encodes it, which drops EXIF (GPS position included)
  and anything appended to the file;
* ``check_pdf(data)`` accepts a plain PDF as it is;
* ``validate_upload(...)`` does all of the above for a form field;
* ``save_file`` / ``delete_file`` / ``send_stored_file`` store, remove and
  serve the result. Files written in a transaction that rolls back are
  removed again; files deleted in a transaction go only once it commits.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import abort, current_app, send_from_directory
from flask.wrappers import Response
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.errors import ServiceError
from app.extensions import db

JPEG, PNG, WEBP, PDF = "image/jpeg", "image/png", "image/webp", "application/pdf"
IMAGE_TYPES = frozenset({JPEG, PNG, WEBP})
ALL_TYPES = frozenset({JPEG, PNG, WEBP, PDF})
EXTENSIONS = {JPEG: "jpg", PNG: "png", WEBP: "webp", PDF: "pdf"}
_PIL_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}

# An image above this many pixels is treated as a decompression bomb: a
# small file that would need gigabytes of memory once decoded. 50 Mpx is far
# more than any phone camera produces.
DEFAULT_MAX_PIXELS = 50_000_000
# Re-encoded images are scaled down to this longest side (plenty for a screen).
DEFAULT_MAX_SIDE = 3000

# Stored names: 32 hex characters and one of our extensions, nothing else.
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(?:jpg|png|webp|pdf)$")

# Markers that have no business in the first bytes of a real PDF but make a
# file a browser could render as a web page.
_PDF_SUSPICIOUS_HEAD = (b"<html", b"<script", b"<svg", b"<!doctype", b"<body", b"<iframe")
# Active content a PDF viewer would run.
_PDF_ACTIVE = (b"/JavaScript", b"/Launch")


class UploadError(ServiceError, ValueError):
    """A file we refuse; ``message`` is for the person who sent it."""

    status = 400

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, status=413 if code == "too_large" else None)
        self.code = code  # "type", "too_large", "corrupt", "bomb", "empty"


@dataclass
class ProcessedFile:
    """A checked file ready to be stored."""

    data: bytes
    content_type: str
    original_name: str = ""
    width: int | None = None
    height: int | None = None

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGE_TYPES


def human_size(size: int) -> str:
    """``10485760`` → ``"10 MB"`` (binary megabytes, as file managers show)."""
    if size >= 1024 * 1024:
        value = size / (1024 * 1024)
        return f"{value:.0f} MB" if value == int(value) else f"{value:.1f} MB"
    if size >= 1024:
        return f"{size // 1024} kB"
    return f"{size} B"


def too_large_error(max_bytes: int) -> UploadError:
    return UploadError(
        "too_large",
        _(
            "Plik jest za duży. Największy dopuszczalny rozmiar to %(size)s.",
            size=human_size(max_bytes),
        ),
    )


def wrong_type_error(allowed: frozenset[str]) -> UploadError:
    if PDF in allowed:
        message = _("Nieobsługiwany rodzaj pliku. Dołącz zdjęcie JPEG, PNG lub WebP albo plik PDF.")
    else:
        message = _("Nieobsługiwany rodzaj pliku. Dołącz zdjęcie JPEG, PNG lub WebP.")
    return UploadError("type", message)


def read_upload(file_storage: Any, max_bytes: int) -> bytes:
    """Read an uploaded file, refusing it as soon as it passes *max_bytes*."""
    stream = getattr(file_storage, "stream", file_storage)
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_large_error(max_bytes)
    return data


def sniff_type(data: bytes) -> str | None:
    """The content type the bytes really are (among the ones we accept)."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"%PDF-"):
        return PDF
    return None


def corrupt_image_error() -> UploadError:
    return UploadError(
        "corrupt",
        _("Nie udało się odczytać obrazu: plik jest uszkodzony albo niekompletny."),
    )


def bomb_error() -> UploadError:
    return UploadError(
        "bomb",
        _(
            "Obraz ma zbyt wielkie wymiary, by go bezpiecznie przetworzyć. "
            "Zmniejsz go (np. do 4000 × 3000 pikseli) i spróbuj ponownie."
        ),
    )


def process_image(
    data: bytes,
    *,
    allowed: frozenset[str] = IMAGE_TYPES,
    max_pixels: int | None = None,
    max_side: int | None = DEFAULT_MAX_SIDE,
    output_type: str | None = None,
) -> ProcessedFile:
    """Open an image safely and re-encode it.

    Re-encoding writes only the pixels (and a colour profile), so EXIF and
    XMP metadata such as a GPS position, and any bytes smuggled after the
    image, are gone. The orientation EXIF asked for is applied first, so the
    picture still stands the right way up. *output_type* forces a format
    (e.g. ``image/webp`` for cover variants); by default the input's.
    """
    content_type = sniff_type(data)
    if content_type not in allowed or content_type not in IMAGE_TYPES:
        raise wrong_type_error(frozenset(allowed))
    if max_pixels is None:
        max_pixels = current_app.config.get("MAX_IMAGE_PIXELS", DEFAULT_MAX_PIXELS)
    with warnings.catch_warnings():
        # Pillow only warns between its own limit and twice that; we refuse.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[content_type]])
            width, height = image.size
            if width <= 0 or height <= 0:
                raise corrupt_image_error()
            if width * height > max_pixels:
                raise bomb_error()
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise bomb_error() from error
        except UploadError:
            raise
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
            raise corrupt_image_error() from error
        except (MemoryError, IndexError, TypeError, struct.error) as error:
            raise corrupt_image_error() from error
        try:
            return _reencode(image, output_type or content_type, max_side)
        except (OSError, ValueError, SyntaxError, EOFError) as error:
            raise corrupt_image_error() from error


def _reencode(image: Image.Image, content_type: str, max_side: int | None) -> ProcessedFile:
    icc_profile = image.info.get("icc_profile")
    image = ImageOps.exif_transpose(image)
    if max_side and max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    options: dict[str, Any] = {}
    if icc_profile:
        options["icc_profile"] = icc_profile
    if content_type == JPEG:
        if has_alpha:
            background = Image.new("RGB", image.size, (255, 255, 255))
            background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
            image = background
        elif image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        options.update(quality=85, optimize=True, progressive=True)
    elif content_type == PNG:
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA" if has_alpha else "RGB")
        options.update(optimize=True)
    else:
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if has_alpha else "RGB")
        options.update(quality=85)
    output = io.BytesIO()
    # A fresh save carries no EXIF/XMP unless asked for: we never ask.
    image.save(output, format=_PIL_FORMATS[content_type], **options)
    return ProcessedFile(
        data=output.getvalue(),
        content_type=content_type,
        width=image.size[0],
        height=image.size[1],
    )


def check_pdf(data: bytes) -> ProcessedFile:
    """Accept a PDF as it is, if it looks like one from start to end.

    It must begin with the PDF header (no polyglot with something else in
    front), end with an end-of-file marker, carry no HTML near the start and
    no active content. It is always served as a download, never shown inline.
    """
    if not data.startswith(b"%PDF-"):
        raise wrong_type_error(ALL_TYPES)
    head = data[:1024].lower()
    if any(marker in head for marker in _PDF_SUSPICIOUS_HEAD):
        raise wrong_type_error(ALL_TYPES)
    tail = data[-2048:]
    if b"%%EOF" not in tail or b"startxref" not in data[-4096:]:
        raise UploadError(
            "corrupt", _("Nie udało się odczytać pliku PDF: jest uszkodzony albo niekompletny.")
        )
    if any(marker in data for marker in _PDF_ACTIVE):
        raise UploadError(
            "type",
            _(
                "Pliki PDF z wbudowanymi skryptami nie są przyjmowane. Zapisz dokument ponownie bez nich."
            ),
        )
    return ProcessedFile(data=data, content_type=PDF)


def validate_upload(
    file_storage: Any,
    *,
    max_bytes: int | None = None,
    allowed: frozenset[str] = ALL_TYPES,
) -> ProcessedFile:
    """Check an uploaded file by its content and return what to store.

    Raises ``UploadError`` with a message for the sender: wrong type, too
    large, corrupt image, decompression bomb.
    """
    if max_bytes is None:
        max_bytes = current_app.config["MAX_ATTACHMENT_BYTES"]
    data = read_upload(file_storage, max_bytes)
    if not data:
        raise UploadError("empty", _("Przesłany plik jest pusty."))
    content_type = sniff_type(data)
    if content_type is None or content_type not in allowed:
        raise wrong_type_error(allowed)
    if content_type == PDF:
        processed = check_pdf(data)
    else:
        processed = process_image(data, allowed=allowed)
    processed.original_name = clean_filename(getattr(file_storage, "filename", "") or "")
    processed.original_name = _with_extension(processed.original_name, processed.extension)
    return processed


def clean_filename(name: str) -> str:
    """A file name safe to show and to offer as a download name."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>:|?*')
    return name.strip(" .")[:200]


def _with_extension(name: str, extension: str) -> str:
    """The original name, but with the extension the content really has."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem or 'plik'}.{extension}"


# -- storage -------------------------------------------------------------------


def upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def is_stored_name(name: str) -> bool:
    return bool(STORED_NAME.match(name or ""))


def save_file(processed: ProcessedFile) -> str:
    """Write *processed* under a random name; returns the stored name.

    If the current transaction rolls back, the file is removed again.
    """
    name = f"{secrets.token_hex(16)}.{processed.extension}"
    directory = upload_dir()
    temporary = directory / f".{name}.part"
    with open(temporary, "wb") as handle:
        handle.write(processed.data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, directory / name)
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so a rollback (and its clean-up) surely follows
    session.info.setdefault("uploads_written", []).append(str(directory / name))
    return name


def delete_file(stored_name: str | None) -> None:
    """Remove a stored file once the current transaction commits."""
    if stored_name and is_stored_name(stored_name):
        path = str(upload_dir() / stored_name)
        db.session().info.setdefault("uploads_deleted", []).append(path)


def _unlink(paths: list[str]) -> None:
    for path in paths:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop("uploads_written", None)
    _unlink(session.info.pop("uploads_deleted", []))


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:
        session.info.pop("uploads_deleted", None)
        _unlink(session.info.pop("uploads_written", []))


def send_stored_file(
    stored_name: str,
    content_type: str,
    download_name: str,
    *,
    as_attachment: bool,
    cache_control: str = "private, no-store",
) -> Response:
    """Serve a stored file. Only well-formed stored names are looked up
    (no path can be smuggled in); the type is ours, never sniffed."""
    if not is_stored_name(stored_name) or content_type not in ALL_TYPES:
        abort(404)
    if content_type == PDF:
        as_attachment = True
    response = send_from_directory(
        upload_dir(),
        stored_name,
        mimetype=content_type,
        as_attachment=as_attachment,
        download_name=download_name or stored_name,
        max_age=None,
        conditional=True,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = cache_control
    # Nothing served from here may run anything, even if opened directly.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
