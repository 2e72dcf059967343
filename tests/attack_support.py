"""Payloads and checks for the attack tests."""

from __future__ import annotations

import io
import re
import struct
import zlib
from html.parser import HTMLParser

from PIL import Image

# Every payload carries "xss" so a successful injection is easy to spot.
XSS_PAYLOADS = [
    "<script>xss(1)</script>",
    '"><img src=x onerror=xss(2)>',
    "'><svg/onload=xss(3)>",
    "<iframe src=javascript:xss(4)></iframe>",
    '<a href="javascript:xss(5)">klik</a>',
    "</textarea><script>xss(6)</script>",
    "</title><script>xss(7)</script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=xss(8)>",
    "{{ 7*'7' }}{% raw %}xss9{% endraw %}",
    "<body onload=xss(10)>",
    "javascript:xss(11)",
    "<scr<script>ipt>xss(12)</script>",
    "\u2028<script>xss(13)</script>",
]

MARKDOWN_PAYLOADS = [
    "[klik](javascript:xss(21))",
    "[klik](JaVaScRiPt:xss(22))",
    "[klik](data:text/html;base64,PHNjcmlwdD54c3MoMjMpPC9zY3JpcHQ+)",
    '![obraz](x "onerror=xss(24)")',
    '<img src=x onerror="xss(25)">',
    "<script>xss(26)</script>",
    '<a href="javascript:xss(27)">link</a>',
    '<iframe src="https://evil.example/xss28"></iframe>',
    "[a](vbscript:xss(29))",
    '<div style="background:url(javascript:xss(30))">x</div>',
    "<svg><script>xss(31)</script></svg>",
    "<details open ontoggle=xss(32)>",
]


class InjectionScanner(HTMLParser):
    """Finds markup that could run a payload: a script, a handler, a
    javascript: URL or an embedded frame carrying the marker."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            value = (value or "").strip()
            lowered = value.lower().replace("\t", "").replace("\n", "")
            if name.startswith("on") and "xss" in value:
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction", "data", "xlink:href") and (
                lowered.startswith(("javascript:", "vbscript:", "data:text/html"))
            ):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name == "style" and "xss" in value:
                self.found.append(f"<{tag} style={value!r}>")
        if tag in ("iframe", "object", "embed") and any("xss" in (v or "") for _, v in attrs):
            self.found.append(f"<{tag}>")
        if tag == "script":
            self._in_script = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and "xss" in data:
            self.found.append(f"<script>{data[:60]}</script>")


def injections(html: str) -> list[str]:
    scanner = InjectionScanner()
    scanner.feed(html)
    scanner.close()
    return scanner.found


def jpeg_bytes(size: tuple[int, int] = (40, 30), colour: str = "teal") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return buffer.getvalue()


def png_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A tiny PNG whose header claims a huge image (900 Mpx)."""
    buffer = io.BytesIO()
    Image.new("L", (1, 1)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    ihdr = data.index(b"IHDR")
    data[ihdr + 4 : ihdr + 12] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr : ihdr + 17])) & 0xFFFFFFFF
    data[ihdr + 17 : ihdr + 21] = struct.pack(">I", crc)
    return bytes(data)


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="xss(41)">'
    b"<script>xss(42)</script><rect width='10' height='10'/></svg>"
)
HTML_AS_JPEG = b"<html><body><script>xss(43)</script></body></html>"
GIF_JS_POLYGLOT = b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=1;xss(44);"
HTML_AS_PDF = b"%PDF-1.4\n<html><script>xss(45)</script></html>\n%%EOF"
PDF_WITH_JAVASCRIPT = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (xss46) >> >>"
    b"\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF"
)


def link_from(text: str, path: str) -> str:
    """The private token from a link in a mail body (``/ideas/track/<token>``)."""
    match = re.search(re.escape(path) + r"([A-Za-z0-9_-]{20,})", text)
    assert match, f"no {path} link in: {text[:500]}"
    return match.group(1)
