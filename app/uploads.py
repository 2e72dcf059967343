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
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import abort, current_app, send_from_directory
from flask.wrappers import Response
from flask_babel import gettext as _
from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.errors import ServiceError
from app.extensions import db
from app.i18n import format_number

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
# Each side, the proportions (longer side over shorter) and the memory the
# decoded pixels may take: a PNG of 1 × 49,000,000 or 7000 × 7000 RGBA
# pixels is a few hundred kilobytes on disk and gigabytes of work.
DEFAULT_MAX_IMAGE_SIDE = 12_000
DEFAULT_MAX_ASPECT = 10
DEFAULT_MAX_DECODED_BYTES = 48 * 1024 * 1024
_SRGB = ImageCms.createProfile("sRGB")

# Stored names: 32 hex characters and one of our extensions, nothing else.
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(?:jpg|png|webp|pdf)$")

# Markers that have no business in the first bytes of a real PDF but make a
# file a browser could render as a web page.
_PDF_SUSPICIOUS_HEAD = (b"<html", b"<script", b"<svg", b"<!doctype", b"<body", b"<iframe")
# Names of active content a PDF viewer would run or open (scripts, actions
# on opening a document or a page, launched programs, embedded files, Flash,
# XML forms), compared after "#xx" escapes in names are decoded.
_PDF_ACTIVE = frozenset(
    {
        b"JS",
        b"JavaScript",
        b"OpenAction",
        b"AA",
        b"Launch",
        b"EmbeddedFile",
        b"EmbeddedFiles",
        b"RichMedia",
        b"XFA",
    }
)
# A PDF name: a slash and regular characters (PDF 32000-1, 7.3.5).
_PDF_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]*)")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# An object stream (PDF 1.5) packs dictionaries into a compressed stream.
_PDF_STREAM = re.compile(rb"(?<![A-Za-z])stream\r?\n")
# Stream filters (full and abbreviated names).
_PDF_FILTERS = frozenset(
    {
        b"FlateDecode",
        b"Fl",
        b"ASCIIHexDecode",
        b"AHx",
        b"ASCII85Decode",
        b"A85",
        b"LZWDecode",
        b"LZW",
        b"RunLengthDecode",
        b"RL",
        b"CCITTFaxDecode",
        b"CCF",
        b"JBIG2Decode",
        b"DCTDecode",
        b"DCT",
        b"JPXDecode",
        b"Crypt",
    }
)
# How much the object streams of one file may expand to while checked.
_PDF_MAX_INFLATED = 64 * 1024 * 1024


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


def bomb_error(width: int | None = None, height: int | None = None) -> UploadError:
    if width is None or height is None:
        return UploadError(
            "bomb",
            _(
                "Obraz ma zbyt wielkie wymiary, by go bezpiecznie przetworzyć. "
                "Zmniejsz go (np. do 4000 × 3000 pikseli) i spróbuj ponownie."
            ),
        )
    return UploadError(
        "bomb",
        _(
            "Obraz ma zbyt wielkie wymiary (%(width)s × %(height)s pikseli), by go bezpiecznie "
            "przetworzyć. Zmniejsz go (np. do 4000 × 3000 pikseli) i spróbuj ponownie.",
            width=format_number(width),
            height=format_number(height),
        ),
    )


def proportions_error(width: int, height: int, ratio: int) -> UploadError:
    return UploadError(
        "bomb",
        _(
            "Obraz ma nietypowe proporcje (%(width)s × %(height)s pikseli): dłuższy bok może być "
            "najwyżej %(ratio)s razy dłuższy od krótszego. Przytnij obraz i spróbuj ponownie.",
            width=format_number(width),
            height=format_number(height),
            ratio=ratio,
        ),
    )


@dataclass(frozen=True)
class ImageLimits:
    """What an image may be, told from its header before any pixel is decoded."""

    max_pixels: int = DEFAULT_MAX_PIXELS
    max_side: int = DEFAULT_MAX_IMAGE_SIDE
    max_aspect: int = DEFAULT_MAX_ASPECT
    max_decoded_bytes: int = DEFAULT_MAX_DECODED_BYTES

    @classmethod
    def from_config(cls, max_pixels: int | None = None) -> ImageLimits:
        config = current_app.config
        return cls(
            max_pixels=max_pixels or config.get("MAX_IMAGE_PIXELS", DEFAULT_MAX_PIXELS),
            max_side=config.get("MAX_IMAGE_SIDE", DEFAULT_MAX_IMAGE_SIDE),
            max_aspect=config.get("MAX_IMAGE_ASPECT", DEFAULT_MAX_ASPECT),
            max_decoded_bytes=config.get("MAX_IMAGE_DECODED_BYTES", DEFAULT_MAX_DECODED_BYTES),
        )


def _bytes_per_pixel(mode: str) -> int:
    """How much memory Pillow takes per pixel of *mode* once decoded (every
    mode with more than one band is stored in four bytes)."""
    if mode in ("1", "L", "P"):
        return 1
    if mode.startswith("I;16"):
        return 2
    return 4


def _fitted(size: tuple[int, int], max_side: int | None) -> tuple[int, int]:
    """*size* scaled down (proportions kept) so its longer side is at most *max_side*."""
    width, height = size
    if not max_side or max(width, height) <= max_side:
        return size
    scale = max_side / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _check_header(image: Image.Image, limits: ImageLimits) -> None:
    """Refuse what the header alone rules out: an empty, absurdly narrow
    or huge picture."""
    width, height = image.size
    if width <= 0 or height <= 0:
        raise corrupt_image_error()
    if max(width, height) > limits.max_aspect * min(width, height):
        raise proportions_error(width, height, limits.max_aspect)
    if width * height > limits.max_pixels or max(width, height) > limits.max_side:
        raise bomb_error(width, height)


def _check_decoding_cost(
    image: Image.Image, content_type: str, limits: ImageLimits, size: tuple[int, int]
) -> None:
    """Refuse a picture whose decoded pixels (at the scale it will be
    decoded, see ``Image.draft``) would take too much memory."""
    width, height = image.size
    cost = width * height * _bytes_per_pixel(image.mode)
    if content_type == WEBP:
        cost *= 2  # the decoder hands over a copy of the whole frame
    if cost > limits.max_decoded_bytes:
        raise bomb_error(*size)


def process_image(
    data: bytes,
    *,
    allowed: frozenset[str] = IMAGE_TYPES,
    max_pixels: int | None = None,
    max_side: int | None = DEFAULT_MAX_SIDE,
    output_type: str | None = None,
) -> ProcessedFile:
    """Open an image safely and re-encode it.

    Everything the header tells (size, proportions, the memory its pixels
    would take) is checked before a single pixel is decoded; a JPEG larger
    than needed is decoded at a reduced scale (``Image.draft``), which is
    also what makes big photos cheap. Pillow's own limit
    (``Image.MAX_IMAGE_PIXELS``) stays on underneath.

    Re-encoding writes only the pixels, converted to sRGB when they came with
    a colour profile, so EXIF and XMP metadata such as a GPS position,
    comments, colour profiles (which can carry any text) and any bytes
    smuggled after the image are gone. The orientation EXIF asked for is
    applied first, so the picture still stands the right way up.
    *output_type* forces a format (e.g. ``image/png`` for cover sources);
    by default the input's.
    """
    content_type = sniff_type(data)
    if content_type not in allowed or content_type not in IMAGE_TYPES:
        raise wrong_type_error(frozenset(allowed))
    limits = ImageLimits.from_config(max_pixels)
    with warnings.catch_warnings():
        # Pillow only warns between its own limit and twice that; we refuse.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            # Image.open reads the header only; nothing is decoded yet.
            image = Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[content_type]])
            size = image.size
            _check_header(image, limits)
            if content_type == JPEG and max_side:
                # Decode at 1/2, 1/4 or 1/8 scale when that still covers max_side.
                image.draft(None, _fitted(size, max_side))
            _check_decoding_cost(image, content_type, limits, size)
            # A truncated file is refused, whatever another library set for
            # the whole process (WeasyPrint turns this on when imported).
            ImageFile.LOAD_TRUNCATED_IMAGES = False
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
        except (OSError, ValueError, SyntaxError, EOFError, ImageCms.PyCMSError) as error:
            raise corrupt_image_error() from error


def _to_srgb(image: Image.Image, icc_profile: bytes) -> Image.Image:
    """The pixels converted from their embedded profile to sRGB; if the
    profile cannot be read, the pixels as they are (the profile is dropped
    either way)."""
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    target_mode = {"RGB": "RGB", "RGBA": "RGBA", "CMYK": "RGB", "L": "L", "LA": "LA"}.get(
        image.mode
    )
    if target_mode is None:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode=target_mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image
    return converted if converted is not None else image


def _reencode(image: Image.Image, content_type: str, max_side: int | None) -> ProcessedFile:
    icc_profile = image.info.get("icc_profile")
    transparency = image.info.get("transparency")
    if max_side and max(image.size) > max_side:
        # Shrink first (in place; Pillow reduces by whole factors before
        # resampling), so later steps work on the small picture.
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    ImageOps.exif_transpose(image, in_place=True)
    if icc_profile:
        image = _to_srgb(image, icc_profile)
    # Only the pixels go out: no profile, EXIF, XMP or comment is carried
    # over from the upload (some formats would copy them from ``info``).
    image.info = {"transparency": transparency} if transparency is not None else {}
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    options: dict[str, Any] = {}
    if content_type == JPEG:
        if has_alpha:
            rgba = image.convert("RGBA")
            background = Image.new("RGB", image.size, (255, 255, 255))
            background.paste(rgba, mask=rgba.getchannel("A"))
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
    if _pdf_has_active_content(data):
        raise UploadError(
            "type",
            _(
                "Pliki PDF ze skryptami, automatycznymi akcjami albo osadzonymi plikami nie są "
                "przyjmowane. Zapisz dokument ponownie bez nich (np. drukując go do PDF)."
            ),
        )
    return ProcessedFile(data=data, content_type=PDF)


def _pdf_name_list(data: bytes) -> list[bytes]:
    """The names in *data*, in order, with "#xx" escapes decoded
    (``/J#61vaScript`` is ``/JavaScript`` to a viewer)."""
    return [
        _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        for match in _PDF_NAME.finditer(data)
    ]


def _pdf_names(data: bytes) -> set[bytes]:
    return set(_pdf_name_list(data))


def _pdf_has_active_content(data: bytes) -> bool:
    """Whether the file, or any object stream packed in it, names active
    content. An object stream that cannot be unpacked here (a filter other
    than Flate, or more data than we unpack) counts as active: what is
    inside cannot be checked."""
    if _pdf_names(data) & _PDF_ACTIVE:
        return True
    budget = _PDF_MAX_INFLATED
    for match in _PDF_STREAM.finditer(data):
        # The stream's dictionary: from its object's start to the keyword.
        names = _pdf_name_list(data[data.rfind(b"obj", 0, match.start()) : match.start()])
        if b"ObjStm" not in names:
            continue
        end = data.find(b"endstream", match.end())
        if end < 0:
            return True
        filters = [name for name in names if name in _PDF_FILTERS]
        if filters not in ([], [b"FlateDecode"], [b"Fl"]) or {b"DecodeParms", b"DP"} & set(names):
            return True  # packed in a way not unpacked here
        raw = data[match.end() : end]
        if filters:
            inflater = zlib.decompressobj()
            try:
                raw = inflater.decompress(raw, budget + 1)
            except zlib.error:
                return True
            if len(raw) > budget or inflater.unconsumed_tail:
                return True
            budget -= len(raw)
        if _pdf_names(raw) & _PDF_ACTIVE:
            return True
    return False


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
    track_written(directory / name)
    return name


def track_written(path: str | Path) -> None:
    """Remove the file at *path* again if the current transaction rolls back
    (for files a feature writes itself, e.g. videos)."""
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so a rollback (and its clean-up) surely follows
    session.info.setdefault("uploads_written", []).append(str(path))


def delete_after_commit(path: str | Path) -> None:
    """Remove the file at *path* once the current transaction commits."""
    db.session().info.setdefault("uploads_deleted", []).append(str(path))


def delete_file(stored_name: str | None) -> None:
    """Remove a stored file once the current transaction commits."""
    if stored_name and is_stored_name(stored_name):
        delete_after_commit(upload_dir() / stored_name)


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
