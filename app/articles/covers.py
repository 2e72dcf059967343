"""Cover tiles: checked by their content, re-encoded, served forever.

An upload goes through the same checks as every upload (app.uploads: the
type told by the bytes, not the name; decompression bombs and corrupt files
refused; turned upright by its EXIF orientation), is cropped to 16:9 and
written in a few widths as WebP and JPEG. Re-encoding drops every bit of
metadata (EXIF with its GPS position, comments, thumbnails) and anything
that is not pixels. Names carry a hash of the image, so a name never changes
meaning and the files can be cached for a year.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps

from app import uploads
from app.errors import ServiceError

WIDTHS = (480, 960, 1440)
ASPECT = (16, 9)
MIN_WIDTH, MIN_HEIGHT = 480, 270
# Larger sources are scaled down first: the biggest variant is 1440 wide.
MAX_SIDE = 2880
NAME_PATTERN = re.compile(r"^(?P<key>[0-9a-f]{32})-(?P<width>[0-9]{2,4})\.(?P<ext>webp|jpg)$")


class CoverError(ServiceError):
    """The upload is not an image we can use; ``message`` says why, for the form."""

    status = 400
    field = "cover"


@dataclass(frozen=True)
class StoredCover:
    key: str
    widths: list[int]


def cover_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "covers"


def variant_name(key: str, width: int, ext: str) -> str:
    return f"{key}-{width}.{ext}"


def height_for(width: int) -> int:
    return round(width * ASPECT[1] / ASPECT[0])


def _max_bytes() -> int:
    return int(current_app.config.get("MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024))


def read_upload(stream: IO[bytes]) -> bytes:
    """The uploaded bytes, refusing anything over the size limit."""
    try:
        data = uploads.read_upload(stream, _max_bytes())
    except uploads.UploadError as error:
        raise CoverError(error.message) from error
    if not data:
        raise CoverError(_l("Plik jest pusty."))
    return data


def open_image(data: bytes) -> Image.Image:
    """Decode *data* as a JPEG, PNG or WebP image, or raise CoverError.

    The checks are the ones every upload passes (app.uploads): the type is
    told by the bytes, decompression bombs and corrupt files are refused,
    and the image is re-encoded upright without any metadata. A lossless
    PNG in between keeps the quality for the variants made from it.
    """
    try:
        processed = uploads.process_image(
            data, allowed=uploads.IMAGE_TYPES, max_side=MAX_SIDE, output_type=uploads.PNG
        )
    except uploads.UploadError as error:
        raise CoverError(error.message) from error
    if (processed.width or 0) < MIN_WIDTH or (processed.height or 0) < MIN_HEIGHT:
        raise CoverError(
            _l(
                "Obraz jest za mały: potrzeba co najmniej %(w)s × %(h)s pikseli.",
                w=MIN_WIDTH,
                h=MIN_HEIGHT,
            )
        )
    image = Image.open(io.BytesIO(processed.data), formats=["PNG"])
    image.load()
    return image


def _flatten(image: Image.Image) -> Image.Image:
    """Upright, RGB, transparency laid on white."""
    # Already upright (app.uploads applied the EXIF orientation).
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def _write_atomically(path: Path, image: Image.Image, image_format: str, **params: object) -> None:
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            image.save(handle, image_format, **params)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def store_cover_bytes(data: bytes) -> StoredCover:
    """Validate and re-encode an image; returns its key and the widths written."""
    image = open_image(data)
    key = hashlib.sha256(data).hexdigest()[:32]
    flat = _flatten(image)
    # Crop to the tile's proportions around the centre, as large as possible.
    width = flat.width
    if height_for(width) > flat.height:
        width = flat.height * ASPECT[0] // ASPECT[1]
    cropped = ImageOps.fit(flat, (width, height_for(width)), Image.Resampling.LANCZOS)
    widths = [w for w in WIDTHS if w <= cropped.width] or [cropped.width]
    directory = cover_dir()
    directory.mkdir(parents=True, exist_ok=True)
    for target in widths:
        resized = (
            cropped
            if target == cropped.width
            else cropped.resize((target, height_for(target)), Image.Resampling.LANCZOS)
        )
        webp = directory / variant_name(key, target, "webp")
        if not webp.exists():
            _write_atomically(webp, resized, "WEBP", quality=80, method=4)
        jpeg = directory / variant_name(key, target, "jpg")
        if not jpeg.exists():
            _write_atomically(jpeg, resized, "JPEG", quality=82, optimize=True, progressive=True)
    return StoredCover(key=key, widths=widths)


def store_cover(stream: IO[bytes]) -> StoredCover:
    return store_cover_bytes(read_upload(stream))


# Template helpers ----------------------------------------------------------


def cover_url(
    article: object, width: int | None = None, ext: str = "jpg", external: bool = False
) -> str | None:
    """The address of one variant (the largest unless *width* is given)."""
    key = getattr(article, "cover_key", None)
    widths = getattr(article, "cover_widths", None) or []
    if not key or not widths:
        return None
    chosen = max(widths) if width is None else min(widths, key=lambda w: abs(w - width))
    name = variant_name(key, chosen, ext)
    if external:
        from app.web import external_url

        return external_url("articles.cover", name=name)
    return url_for("articles.cover", name=name)


def cover_srcset(article: object, ext: str) -> str:
    key = getattr(article, "cover_key", None)
    widths = getattr(article, "cover_widths", None) or []
    if not key:
        return ""
    return ", ".join(
        f"{url_for('articles.cover', name=variant_name(key, w, ext))} {w}w" for w in widths
    )
