"""Image uploads that cost more to decode than they weigh: refused from the
header, before any pixel is decoded, with a clear message at the field; the
worker's peak memory stays bounded for every upload, accepted or refused."""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess  # nosec B404 - the test runs its own probe
import sys
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from app.models import Idea, IdeaStatus
from app.uploads import UploadError, validate_upload
from tests.submission_support import form_data, png_chunk

ROOT = Path(__file__).resolve().parent.parent
PEAK_LIMIT_KB = 300 * 1024



def plain_png(width: int, height: int, color_type: int = 6) -> bytes:
    """A valid 8-bit PNG of zero pixels (colour type 6: RGBA, 2: RGB, 0: grey),
    written row block by row block: tiny on disk, huge once decoded."""
    channels = {0: 1, 2: 3, 6: 4}[color_type]
    row = b"\x00" + b"\x00" * (width * channels)
    rows_per_block = max(1, (4 * 1024 * 1024) // len(row))
    compressor = zlib.compressobj(9)
    parts = []
    left = height
    while left:
        count = min(left, rows_per_block)
        parts.append(compressor.compress(row * count))
        left -= count
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", b"".join(parts))
        + png_chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def needle_png() -> bytes:
    """1 × 49,000,000 pixels: under the area limit, absurd in every other way."""
    return plain_png(1, 49_000_000, color_type=0)


@pytest.fixture(scope="module")
def square_rgba_png() -> bytes:
    """7000 × 7000 RGBA: 49 Mpx, 196 MB once decoded, a few hundred kB on disk."""
    return plain_png(7000, 7000, color_type=6)


@pytest.fixture
def category(make):
    make.process(slug="transformacja", title="Transformacja regionu")
    return make.category(slug="srodowisko", name="Środowisko")


def post_with_file(client, category, data: bytes):  # noqa: ANN001, ANN201
    fields = form_data(category.slug, title="Ścieżka z ogromnym zdjęciem")
    fields["attachment"] = (io.BytesIO(data), "zdjecie.png", "image/png")
    started = time.monotonic()
    response = client.post("/ideas/new", data=fields, content_type="multipart/form-data")
    return response, time.monotonic() - started


def test_the_files_are_small_on_disk(needle_png, square_rgba_png):
    assert len(needle_png) < 400_000
    assert len(square_rgba_png) < 400_000


def test_a_one_pixel_wide_png_of_49_million_rows_is_refused_quickly_at_the_field(
    client, app, category, needle_png
):
    response, seconds = post_with_file(client, category, needle_png)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "nietypowe proporcje" in page
    assert "Ścieżka z ogromnym zdjęciem" in page  # what was typed stays
    assert seconds < 2
    with app.app_context():
        from app.extensions import db

        assert db.session.query(Idea).count() == 0


def test_a_7000_by_7000_rgba_png_is_refused_quickly_at_the_field(client, category, square_rgba_png):
    response, seconds = post_with_file(client, category, square_rgba_png)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "zbyt wielkie wymiary" in page
    assert "7\u00a0000 × 7\u00a0000" in page
    assert seconds < 2


@pytest.mark.parametrize(
    ("size", "setting"),
    [
        ((13_000, 2000), {}),  # one side over MAX_IMAGE_SIDE
        ((2000, 100), {"MAX_IMAGE_ASPECT": 10}),  # 20:1
    ],
)
def test_each_side_and_the_proportions_are_capped(make_app, size, setting):
    app = make_app(**setting)
    data = plain_png(*size, color_type=0)
    with app.test_request_context():
        with pytest.raises(UploadError) as caught:
            validate_upload(FileStorage(io.BytesIO(data), "a.png"))
    assert caught.value.code == "bomb"


def test_pillow_keeps_its_own_decompression_bomb_limit(app):
    assert Image.MAX_IMAGE_PIXELS is not None
    assert Image.MAX_IMAGE_PIXELS <= 200_000_000


def test_a_big_jpeg_is_decoded_at_a_reduced_scale(app, monkeypatch):
    buffer = io.BytesIO()
    Image.new("RGB", (8000, 4000), (90, 140, 200)).save(buffer, "JPEG", quality=50)
    decoded = []
    original_load = Image.Image.load

    def load(self):  # noqa: ANN001, ANN202
        decoded.append(self.size)
        return original_load(self)

    monkeypatch.setattr(Image.Image, "load", load)
    with app.test_request_context():
        result = validate_upload(FileStorage(io.BytesIO(buffer.getvalue()), "a.jpg"))
    assert (result.width, result.height) == (3000, 1500)
    assert max(size[0] for size in decoded) == 4000  # decoded at half scale


# -- the tracking page's edit form ----------------------------------------------------


def edit_fields(idea: Idea, category_slug: str, version: int, data: bytes | None = None) -> dict:
    fields = {
        "title": "Poprawiony tytuł pomysłu",
        "description": "Poprawiony opis, z dokładnym miejscem i kosztem realizacji.",
        "category": category_slug,
        "author_name": "Autor",
        "version": str(version),
    }
    if data is not None:
        fields["attachment"] = (io.BytesIO(data), "zdjecie.png", "image/png")
    return fields


def test_a_stale_edit_is_refused_before_its_file_is_read(client, make, monkeypatch):
    idea = make.idea(status=IdeaStatus.AWAITING_REVIEW)
    category = make.get(type(idea).category.property.mapper.class_, idea.category_id)
    read = []
    import app.ideas.forms as forms

    monkeypatch.setattr(forms, "validate_upload", lambda storage: read.append(storage))
    response = client.post(
        f"/ideas/track/{idea.track_token}/edit",
        data=edit_fields(idea, category.slug, idea.version - 1, b"\x89PNG\r\n\x1a\n"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 409
    assert "zmienił się w międzyczasie" in response.get_data(as_text=True)
    assert read == []


def test_an_edit_of_a_decided_idea_is_refused_before_its_file_is_read(client, make, monkeypatch):
    idea = make.idea(status=IdeaStatus.PUBLISHED)
    category = make.get(type(idea).category.property.mapper.class_, idea.category_id)
    read = []
    import app.ideas.forms as forms

    monkeypatch.setattr(forms, "validate_upload", lambda storage: read.append(storage))
    response = client.post(
        f"/ideas/track/{idea.track_token}/edit",
        data=edit_fields(idea, category.slug, idea.version, b"\x89PNG\r\n\x1a\n"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 409
    assert read == []


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_edits_from_one_client_are_rate_limited(client, make):
    idea = make.idea(status=IdeaStatus.AWAITING_REVIEW)
    category = make.get(type(idea).category.property.mapper.class_, idea.category_id)
    statuses = []
    for _attempt in range(25):
        response = client.post(
            f"/ideas/track/{idea.track_token}/edit",
            data=edit_fields(idea, category.slug, idea.version - 1),
        )
        statuses.append(response.status_code)
    assert statuses[0] == 409
    assert 429 in statuses
    assert statuses.count(429) >= 15
    page = response.get_data(as_text=True)
    assert "zbyt wiele zmian" in page
    assert "Poprawiony tytuł pomysłu" in page  # what was typed stays


# -- the worker's memory, measured ------------------------------------------------------


def probe(kind: str, data: bytes, tmp_path: Path) -> dict:
    """Run one upload in a fresh process; its own peak memory and outcome."""
    path = tmp_path / f"upload-{len(list(tmp_path.iterdir()))}.bin"
    path.write_bytes(data)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(  # nosec B603 - our own interpreter and probe
        [
            sys.executable,
            "-m",
            "tests.upload_memory_probe",
            kind,
            str(path),
            f"sqlite:///{tmp_path / 'probe.db'}",
            str(tmp_path / "uploads"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def big_jpeg() -> bytes:
    buffer = io.BytesIO()
    image = Image.linear_gradient("L").resize((8000, 6000)).convert("RGB")
    image.save(buffer, "JPEG", quality=80)
    assert len(buffer.getvalue()) < 10 * 1024 * 1024
    return buffer.getvalue()


def test_peak_memory_stays_bounded_for_every_upload(tmp_path, needle_png, square_rgba_png):
    cases = [
        ("attachment", needle_png, "refused"),
        ("attachment", square_rgba_png, "refused"),
        ("cover", square_rgba_png, "refused"),
        # The largest images still accepted: at the decoded-memory limit,
        # and a 48 Mpx photo (decoded at half scale).
        ("attachment", plain_png(3500, 3500, color_type=6), "accepted"),
        ("cover", plain_png(3500, 3500, color_type=6), "accepted"),
        ("attachment", plain_png(4000, 3000, color_type=2), "accepted"),
        ("attachment", big_jpeg(), "accepted"),
    ]
    for kind, data, expected in cases:
        report = probe(kind, data, tmp_path)
        assert report["outcome"] == expected, report
        assert report["peak_kb"] < PEAK_LIMIT_KB, report
        # What the upload itself added on top of the loaded application.
        assert report["peak_kb"] - report["baseline_kb"] < 200 * 1024, report
        if expected == "refused":
            assert report["seconds"] < 1, report
