"""Attachments: checked by content, images re-encoded, served safely."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from app.extensions import db
from app.models import Attachment, IdeaStatus
from app.uploads import (
    JPEG,
    PDF,
    PNG,
    WEBP,
    UploadError,
    delete_file,
    process_image,
    save_file,
    send_stored_file,
    sniff_type,
    validate_upload,
)
from tests.submission_support import (
    HTML_BEFORE_PDF,
    PDF_WITH_HTML,
    SCRIPT,
    SVG,
    gps_of,
    image_bytes,
    jpeg_with_gps,
    minimal_pdf,
    png_bomb,
    truncated_jpeg,
)


def upload(data: bytes, name: str = "plik.bin", content_type: str = "application/octet-stream"):
    return FileStorage(stream=io.BytesIO(data), filename=name, content_type=content_type)


def refused(app, data: bytes, name: str, **kwargs) -> UploadError:
    with app.test_request_context():
        with pytest.raises(UploadError) as caught:
            validate_upload(upload(data, name, "image/jpeg"), **kwargs)
    return caught.value


@pytest.mark.parametrize(("fmt", "content_type"), [("JPEG", JPEG), ("PNG", PNG), ("WEBP", WEBP)])
def test_images_of_each_allowed_type_are_accepted_and_reencoded(app, fmt, content_type):
    with app.test_request_context():
        result = validate_upload(upload(image_bytes(fmt), "zdjecie.dat"))
    assert result.content_type == content_type
    assert (result.width, result.height) == (64, 48)
    assert Image.open(io.BytesIO(result.data)).format == fmt
    # The name follows what the file is, not what it was called.
    assert result.original_name == f"zdjecie.{result.extension}"


def test_pdf_is_accepted_and_stored_byte_for_byte(app):
    pdf = minimal_pdf()
    with app.test_request_context():
        result = validate_upload(upload(pdf, "plan.pdf"))
    assert result.content_type == PDF
    assert result.data == pdf


def test_reencoding_removes_the_gps_position(app):
    original = jpeg_with_gps()
    assert gps_of(original), "the test photo must carry a GPS position"
    with app.test_request_context():
        result = validate_upload(upload(original, "spacer.jpg"))
    assert gps_of(result.data) == {}
    assert not Image.open(io.BytesIO(result.data)).getexif()


def test_bytes_appended_after_an_image_are_dropped(app):
    payload = image_bytes("PNG") + b"<script>alert(1)</script>"
    with app.test_request_context():
        result = validate_upload(upload(payload, "obraz.png"))
    assert b"<script>" not in result.data


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (SCRIPT, "zdjecie.jpg"),
        (SVG, "rysunek.svg"),
        (SVG, "rysunek.png"),
        (HTML_BEFORE_PDF, "dokument.pdf"),
        (PDF_WITH_HTML, "dokument.pdf"),
        (b"GIF89a" + b"\x00" * 40, "animacja.gif"),
        (b"PK\x03\x04" + b"\x00" * 40, "archiwum.pdf"),
    ],
    ids=[
        "script-named-jpg",
        "svg",
        "svg-named-png",
        "html-before-pdf",
        "pdf-with-html",
        "gif",
        "zip",
    ],
)
def test_files_that_are_not_jpeg_png_webp_or_pdf_are_refused_as_wrong_type(app, data, name):
    error = refused(app, data, name)
    assert error.code == "type"
    assert "Nieobsługiwany rodzaj pliku" in error.message


def test_pdf_with_javascript_is_refused(app):
    pdf = minimal_pdf().replace(
        b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"
    )
    assert refused(app, pdf, "a.pdf").code == "type"


def test_truncated_pdf_is_refused_as_corrupt(app):
    pdf = minimal_pdf()
    assert refused(app, pdf[:60], "a.pdf").code == "corrupt"


def test_corrupt_image_gets_its_own_message(app):
    error = refused(app, truncated_jpeg(), "uszkodzone.jpg")
    assert error.code == "corrupt"
    assert "uszkodzony" in error.message


def test_garbage_after_a_png_signature_is_corrupt(app):
    error = refused(app, b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "a.png")
    assert error.code == "corrupt"


def test_decompression_bomb_gets_its_own_message(app):
    bomb = png_bomb(20000, 20000)
    assert len(bomb) < 200_000  # small on disk ...
    error = refused(app, bomb, "bomba.png")  # ... 400 million pixels decoded
    assert error.code == "bomb"
    assert "zbyt wielkie wymiary" in error.message


def test_image_just_over_our_own_pixel_limit_is_a_bomb_too(app):
    # 64 Mpx: under Pillow's hard limit, over ours (50 Mpx).
    error = refused(app, png_bomb(8000, 8000), "duzy.png")
    assert error.code == "bomb"


@pytest.mark.app_config(MAX_ATTACHMENT_BYTES=1000)
def test_file_over_the_limit_is_refused_with_the_limit_in_the_message(app):
    error = refused(app, image_bytes("PNG", (300, 300)) + b"\x00" * 2000, "duze.png")
    assert error.code == "too_large"
    assert "1000 B" in error.message or "kB" in error.message


def test_empty_file_is_refused(app):
    assert refused(app, b"", "pusty.png").code == "empty"


def test_sniffing_ignores_names():
    assert sniff_type(image_bytes("JPEG")) == JPEG
    assert sniff_type(SVG) is None
    assert sniff_type(SCRIPT) is None


def test_process_image_can_convert_for_covers(app):
    with app.app_context():
        result = process_image(image_bytes("JPEG", (5000, 1000)), output_type=WEBP, max_side=1200)
    assert result.content_type == WEBP
    assert (result.width, result.height) == (1200, 240)


def test_saved_files_get_random_names_and_go_away_on_rollback(app):
    with app.test_request_context():
        processed = validate_upload(upload(image_bytes("PNG"), "../../etc/passwd.png"))
        name = save_file(processed)
        path = Path(app.config["UPLOAD_DIR"]) / name
        assert path.exists()
        assert "passwd" not in name and len(name) == 36
        db.session.rollback()
        assert not path.exists()


def test_deleted_files_go_only_when_the_transaction_commits(app):
    with app.test_request_context():
        name = save_file(validate_upload(upload(image_bytes("PNG"), "a.png")))
        db.session.commit()
        path = Path(app.config["UPLOAD_DIR"]) / name
        delete_file(name)
        db.session.rollback()
        assert path.exists()
        delete_file(name)
        db.session.commit()
        assert not path.exists()


@pytest.mark.parametrize(
    "name", ["../secret.png", "..%2Fsecret.png", "/etc/passwd", "a" * 32 + ".svg"]
)
def test_only_well_formed_stored_names_are_served(app, name):
    from werkzeug.exceptions import NotFound

    with app.test_request_context():
        with pytest.raises(NotFound):
            send_stored_file(name, PNG, "x.png", as_attachment=False)


# -- the attachment route ---------------------------------------------------------------


def attach(make, app, data: bytes, name: str, status=IdeaStatus.PUBLISHED, stored_name=None):
    idea = make.idea(status=status)
    with app.test_request_context():
        processed = validate_upload(upload(data, name))
        stored = stored_name or save_file(processed)
        db.session.add(
            Attachment(
                idea_id=idea.id,
                stored_name=stored,
                original_name=processed.original_name,
                content_type=processed.content_type,
                size=processed.size,
            )
        )
        db.session.commit()
    return idea


def test_published_idea_attachment_image_is_served_inline_with_its_type(client, make, app):
    idea = attach(make, app, image_bytes("PNG"), "plan.png")
    response = client.get(f"/ideas/{idea.id}/attachment")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" not in response.headers.get("Content-Disposition", "")
    Image.open(io.BytesIO(response.data)).verify()


def test_pdf_attachment_is_always_a_download(client, make, app):
    idea = attach(make, app, minimal_pdf(), "plan.pdf")
    response = client.get(f"/ideas/{idea.id}/attachment")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "status",
    [
        IdeaStatus.UNCONFIRMED,
        IdeaStatus.AWAITING_REVIEW,
        IdeaStatus.CHANGES_REQUESTED,
        IdeaStatus.REJECTED,
        IdeaStatus.HIDDEN,
        IdeaStatus.WITHDRAWN,
    ],
)
def test_attachment_of_unpublished_idea_is_hidden_from_the_public(client, make, app, status):
    idea = attach(make, app, image_bytes("PNG"), "plan.png", status=status)
    assert client.get(f"/ideas/{idea.id}/attachment").status_code == 404


def test_staff_may_see_the_attachment_of_any_idea(client, make, app, login):
    idea = attach(make, app, image_bytes("PNG"), "plan.png", status=IdeaStatus.AWAITING_REVIEW)
    login("moderator")
    response = client.get(f"/ideas/{idea.id}/attachment")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"


def test_a_bad_stored_name_in_the_database_cannot_reach_other_files(client, make, app):
    idea = attach(make, app, image_bytes("PNG"), "plan.png", stored_name="../../config.py")
    assert client.get(f"/ideas/{idea.id}/attachment").status_code == 404


def test_idea_without_attachment_and_unknown_idea_give_404(client, make):
    idea = make.idea()
    assert client.get(f"/ideas/{idea.id}/attachment").status_code == 404
    assert client.get("/ideas/999999/attachment").status_code == 404
