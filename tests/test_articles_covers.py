"""Cover tiles: checked by content, re-encoded in widths and formats,
stripped of metadata, served with long cache headers."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from app.articles.covers import CoverError, store_cover_bytes
from tests.articles_support import image_bytes

AMBER = (242, 193, 78)


def _store(app, data: bytes):
    with app.test_request_context():
        return store_cover_bytes(data)


def _open(app, key: str, width: int, ext: str) -> Image.Image:
    path = Path(app.config["UPLOAD_DIR"]) / "covers" / f"{key}-{width}.{ext}"
    image = Image.open(path)
    image.load()
    return image


def _gps_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Aparat Testowy"  # Make
    exif[0x0131] = "Edytor 1.0"  # Software
    gps = {1: "N", 2: (51.0, 21.0, 36.0), 3: "E", 4: (19.0, 20.0, 0.0)}
    exif[0x8825] = gps  # GPSInfo
    if orientation:
        exif[0x0112] = orientation
    return exif


def test_a_cover_is_written_in_three_widths_as_webp_and_jpeg(app):
    cover = _store(app, image_bytes(2000, 1500, "PNG"))
    assert cover.widths == [480, 960, 1440]
    for width in cover.widths:
        webp = _open(app, cover.key, width, "webp")
        jpeg = _open(app, cover.key, width, "jpg")
        assert webp.format == "WEBP" and jpeg.format == "JPEG"
        # Cropped to 16:9 around the centre.
        assert webp.size == jpeg.size == (width, round(width * 9 / 16))


def test_a_smaller_image_gets_only_the_widths_it_can_fill(app):
    cover = _store(app, image_bytes(1000, 600))
    assert cover.widths == [480, 960]


def test_exif_and_gps_are_removed_and_orientation_applied(app):
    # Stored sideways (portrait pixels) with "rotate 90° clockwise to view".
    sideways = Image.new("RGB", (900, 1600), (11, 93, 59))
    for x in range(90):
        for y in range(1510, 1600):
            sideways.putpixel((x, y), AMBER)  # bottom-left: top-left once rotated
    buffer = io.BytesIO()
    sideways.save(buffer, "JPEG", exif=_gps_exif(orientation=6))
    data = buffer.getvalue()
    assert b"Aparat Testowy" in data
    cover = _store(app, data)
    assert cover.widths == [480, 960, 1440]  # landscape once turned upright
    for width in cover.widths:
        for ext in ("jpg", "webp"):
            image = _open(app, cover.key, width, ext)
            assert not image.getexif(), (width, ext)
            assert "exif" not in image.info
            raw = (
                Path(app.config["UPLOAD_DIR"]) / "covers" / f"{cover.key}-{width}.{ext}"
            ).read_bytes()
            assert b"Aparat Testowy" not in raw and b"Edytor 1.0" not in raw
    # The marker stored bottom-left stands top-left once upright.
    corner = _open(app, cover.key, 480, "jpg").convert("RGB").getpixel((4, 4))
    assert all(abs(a - b) < 30 for a, b in zip(corner, AMBER, strict=True)), corner


def test_a_text_file_named_like_an_image_is_refused(app):
    with pytest.raises(CoverError):
        _store(app, b"<?php system($_GET['c']); ?> udaje obraz")


def test_an_image_with_a_script_appended_loses_it(app):
    data = image_bytes() + b"<script>alert(1)</script>"
    cover = _store(app, data)
    for ext in ("jpg", "webp"):
        raw = (Path(app.config["UPLOAD_DIR"]) / "covers" / f"{cover.key}-480.{ext}").read_bytes()
        assert b"<script>" not in raw


def test_a_truncated_image_is_refused(app):
    with pytest.raises(CoverError):
        _store(app, image_bytes()[:300])


def test_a_too_small_image_is_refused_with_the_minimum_size(app):
    with pytest.raises(CoverError) as caught:
        _store(app, image_bytes(300, 200))
    assert "480" in str(caught.value.message)


@pytest.mark.app_config(MAX_IMAGE_PIXELS=1_000_000)
def test_a_decompression_bomb_is_refused(app):
    with pytest.raises(CoverError):
        _store(app, image_bytes(2000, 1000, "PNG"))


def test_the_same_image_twice_gives_the_same_content_hashed_names(app):
    first = _store(app, image_bytes())
    second = _store(app, image_bytes())
    other = _store(app, image_bytes(colour=(0, 0, 0)))
    assert first.key == second.key
    assert first.key != other.key


def test_variants_are_served_with_long_immutable_cache_headers(app, client):
    cover = _store(app, image_bytes())
    for ext, mime in (("webp", "image/webp"), ("jpg", "image/jpeg")):
        response = client.get(f"/media/covers/{cover.key}-960.{ext}")
        assert response.status_code == 200
        assert response.mimetype == mime
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "name",
    [
        "../secret_key",
        "..%2F..%2Fsecret_key",
        "0123456789abcdef0123456789abcdef-960.png",
        "0123456789abcdef0123456789abcdef-960.jpg",  # well-formed but absent
        "x-960.jpg",
    ],
)
def test_anything_else_under_covers_is_404(client, name):
    assert client.get(f"/media/covers/{name}").status_code == 404
