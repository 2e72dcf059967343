"""What uploads may carry besides their content: active parts of a PDF
(hidden behind name escapes or in compressed object streams) and colour
profiles or metadata in images, which re-encoding must not carry over."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, ImageCms
from werkzeug.datastructures import FileStorage

from app.uploads import PDF, UploadError, validate_upload
from tests.submission_support import minimal_pdf


def check(app, data: bytes, name: str):  # noqa: ANN001, ANN201
    with app.test_request_context():
        return validate_upload(FileStorage(io.BytesIO(data), name))


def refused(app, data: bytes, name: str = "dokument.pdf") -> UploadError:  # noqa: ANN001
    with pytest.raises(UploadError) as caught:
        check(app, data, name)
    return caught.value


def with_catalog(extra: bytes) -> bytes:
    return minimal_pdf().replace(b"/Type /Catalog", b"/Type /Catalog " + extra)


def with_object_stream(body: bytes, dictionary: bytes = b"/Filter /FlateDecode") -> bytes:
    """A PDF with one more object: an object stream holding *body*,
    compressed unless *dictionary* says otherwise."""
    content = zlib.compress(body) if b"FlateDecode" in dictionary else body
    stream = (
        b"4 0 obj\n<< /Type /ObjStm /N 1 /First 4 "
        + dictionary
        + b" /Length %d >>\nstream\n" % len(content)
        + content
        + b"\nendstream\nendobj\n"
    )
    pdf = minimal_pdf()
    at = pdf.index(b"xref\n")
    return pdf[:at] + stream + pdf[at:]


# -- PDF -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>",
        b"/Open#41ction << /S /URI /URI (http://example.org/) >>",
        b"/A#41 << /O << /S /#4c#61unch /F (cmd.exe) >> >>",
        b"/Names << /Embedded#46iles << /Names [(a.exe) 9 0 R] >> >>",
        b"/Names << /EmbeddedFiles << /Names [] >> >>",
        b"/AcroForm << /X#46A 9 0 R >>",
        b"/Extra << /Type /R#69chMedia >>",
        b"/Extra << /Type /EmbeddedFile >>",
        b"/Extra << /S/JavaScript/JS(x) >>",
    ],
    ids=[
        "escaped-javascript",
        "escaped-openaction",
        "escaped-aa-launch",
        "escaped-embeddedfiles",
        "embeddedfiles",
        "escaped-xfa",
        "escaped-richmedia",
        "embeddedfile",
        "no-spaces",
    ],
)
def test_pdf_active_content_is_refused_whatever_its_names_look_like(app, extra):
    error = refused(app, with_catalog(extra))
    assert error.code == "type"
    assert "PDF" in error.message


def test_pdf_active_content_in_a_compressed_object_stream_is_refused(app):
    hidden = with_object_stream(b"5 0 << /OpenAction << /S /J#61vaScript /JS (x) >> >>")
    assert b"OpenAction" not in hidden  # not visible without unpacking
    assert refused(app, hidden).code == "type"


def test_an_object_stream_that_cannot_be_unpacked_is_refused(app):
    hidden = with_object_stream(
        b"3C3C202F4A53202878292E3E3E", dictionary=b"/Filter /ASCIIHexDecode"
    )
    assert refused(app, hidden).code == "type"
    double = with_object_stream(
        zlib.compress(b"<< /JS (x) >>"), dictionary=b"/Filter [/FlateDecode /FlateDecode]"
    )
    assert refused(app, double).code == "type"


def test_plain_pdfs_with_harmless_object_streams_and_words_are_accepted(app):
    harmless = with_object_stream(b"5 0 << /Title (JavaScript and OpenAction, a primer) >>")
    result = check(app, harmless, "poradnik.pdf")
    assert result.content_type == PDF
    assert result.data == harmless


# -- images: colour profiles and metadata ------------------------------------------------

SECRET = b"TAJNY-TEKST-W-PROFILU "


def profile_with_text(size: int = 200_000) -> bytes:
    """A valid sRGB ICC profile with one more (private) tag: *size* bytes of text."""
    base = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    count = struct.unpack(">I", base[128:132])[0]
    table = [struct.unpack(">4sII", base[132 + 12 * i : 144 + 12 * i]) for i in range(count)]
    text = b"text\x00\x00\x00\x00" + (SECRET * (size // len(SECRET) + 1))[:size] + b"\x00"
    shift = 12
    data_start = 132 + 12 * (count + 1)
    body = base[132 + 12 * count :]
    new_offset = data_start + len(body)
    new_offset += (-new_offset) % 4
    entries = b"".join(struct.pack(">4sII", sig, off + shift, length) for sig, off, length in table)
    entries += struct.pack(">4sII", b"zzzz", new_offset, len(text))
    padding = b"\x00" * (new_offset - data_start - len(body))
    profile = bytearray(base[:128] + struct.pack(">I", count + 1) + entries + body + padding + text)
    profile[0:4] = struct.pack(">I", len(profile))
    return bytes(profile)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_text_bearing_colour_profile_does_not_survive_reencoding(app, fmt):
    profile = profile_with_text()
    ImageCms.ImageCmsProfile(io.BytesIO(profile))  # a profile LittleCMS accepts
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (30, 120, 200)).save(buffer, fmt, icc_profile=profile)
    assert SECRET in buffer.getvalue() or fmt == "PNG"  # PNG compresses it
    assert Image.open(io.BytesIO(buffer.getvalue())).info.get("icc_profile") == profile
    result = check(app, buffer.getvalue(), f"zdjecie.{fmt.lower()}")
    reencoded = Image.open(io.BytesIO(result.data))
    assert "icc_profile" not in reencoded.info
    assert SECRET not in result.data
    # The colours were converted to sRGB (here: from sRGB, so kept).
    red, green, blue = reencoded.convert("RGB").getpixel((60, 40))
    assert abs(red - 30) < 8 and abs(green - 120) < 8 and abs(blue - 200) < 8


def test_an_unreadable_profile_is_dropped_too(app):
    buffer = io.BytesIO()
    Image.new("RGB", (50, 40), (10, 20, 30)).save(buffer, "JPEG", icc_profile=b"x" * 5000)
    result = check(app, buffer.getvalue(), "zdjecie.jpg")
    assert "icc_profile" not in Image.open(io.BytesIO(result.data)).info


def test_comments_and_xmp_do_not_survive_reencoding(app):
    buffer = io.BytesIO()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">TAJNE-XMP</x:xmpmeta>'
    Image.new("RGB", (50, 40), (10, 20, 30)).save(
        buffer, "JPEG", comment=b"TAJNY-KOMENTARZ", xmp=xmp
    )
    assert b"TAJNY-KOMENTARZ" in buffer.getvalue() and b"TAJNE-XMP" in buffer.getvalue()
    result = check(app, buffer.getvalue(), "zdjecie.jpg")
    assert b"TAJNY-KOMENTARZ" not in result.data
    assert b"TAJNE-XMP" not in result.data
