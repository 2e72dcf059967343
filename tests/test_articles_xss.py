"""Known XSS payloads in an article's Markdown all come out harmless."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from app.articles.content import render_body
from tests.articles_support import make_article

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
    "<iframe srcdoc='<script>alert(1)</script>'></iframe>",
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<a href="javascript:alert(1)">klik</a>',
    "[klik](javascript:alert(1))",
    "[klik](JaVaScRiPt:alert(1))",
    "[klik](javascript&#58;alert(1))",
    "[klik](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))",
    "[klik](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;:alert(1))",
    "[klik](java\tscript:alert(1))",
    "[klik](%6A%61%76%61%73%63%72%69%70%74:alert(1))",
    "[klik]( javascript:alert(1))",
    "[klik](<javascript:alert(1)>)",
    "[klik](vbscript:msgbox(1))",
    "[klik](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![obraz](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![obraz](javascript:alert(1))",
    '![obraz](x" onerror="alert(1))',
    "[klik][ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    '<a href="#" style="background:url(javascript:alert(1))">x</a>',
    '<p style="position:fixed;top:0">nakładka</p>',
    "<style>body{display:none}</style>",
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<form action="https://evil.example"><input name="haslo"></form>',
    '<base href="https://evil.example/">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<div onmouseover="alert(1)">najedź</div>',
    '<details open ontoggle="alert(1)">',
    '"><script>alert(1)</script>',
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
]


class _Collector(HTMLParser):
    """Every tag and attribute the browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        self.tags.append(tag)
        self.attributes.extend((name, value or "") for name, value in attrs)


ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote", "code", "pre",
    "h2", "h3", "h4", "h5", "h6", "a", "hr", "table", "thead", "tbody", "tr", "th", "td",
    "img", "del", "s",
}  # fmt: skip
# What a browser takes as a URL's scheme (WHATWG URL: a letter, then letters,
# digits, "+", "-", "." up to the colon); anything else is a relative address.
SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def assert_harmless(html: str) -> None:
    parser = _Collector()
    parser.feed(html)
    assert set(parser.tags) <= ALLOWED_TAGS, parser.tags
    for name, value in parser.attributes:
        assert not name.startswith("on"), (name, html)
        assert name not in {"style", "srcdoc", "formaction", "action"}, (name, html)
        if name in {"href", "src"}:
            # Browsers drop leading/trailing spaces and tabs/newlines inside.
            cleaned = re.sub(r"[\t\n\r]", "", value.strip("\x00\x20\t\n\r\f"))
            scheme = SCHEME.match(cleaned)
            assert scheme is None or scheme.group(1).lower() in {"http", "https", "mailto"}, (
                value,
                html,
            )


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_is_harmless_once_rendered(app, payload):
    with app.app_context():
        assert_harmless(str(render_body(payload)))


def test_all_payloads_are_harmless_on_the_article_page(app, client):
    make_article(
        app,
        slug="atak",
        title='<script>alert("tytuł")</script>',
        lead='"><img src=x onerror=alert(1)>',
        body="\n\n".join(PAYLOADS),
    )
    response = client.get("/articles/atak", headers={"User-Agent": "pytest-bot"})
    page = response.get_data(as_text=True)
    body = page.split('<div class="prose article-body">')[1].split("</div>")[0]
    assert_harmless(body)
    assert '<script>alert("tytuł")' not in page
    assert "<img src=x onerror" not in page
    # The page's own scripts are ours only; nothing from the article runs.
    scripts = re.findall(r"<script[^>]*>", page)
    assert all(re.match(r'<script src="/(static|bootstrap/static)/', tag) for tag in scripts), (
        scripts
    )


def test_links_that_stay_get_rel_noopener(app):
    with app.app_context():
        html = str(render_body("[strona](https://example.org)"))
    assert 'href="https://example.org"' in html
    assert "noopener" in html and "noreferrer" in html
