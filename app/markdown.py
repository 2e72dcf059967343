"""Markdown from staff and residents, rendered to HTML that is safe to show.

markdown-it-py's ``js-default`` preset leaves raw HTML out; nh3 then keeps
only an explicit allowlist of tags, attributes and link schemes.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

import nh3
from flask import current_app, has_app_context
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote",
    "code", "pre", "h2", "h3", "h4", "h5", "h6", "a", "hr", "table", "thead",
    "tbody", "tr", "th", "td", "img", "del", "s",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


def image_hosts() -> frozenset[str]:
    """Hosts images may come from besides this site (``MARKDOWN_IMAGE_HOSTS``)."""
    if not has_app_context():
        return frozenset()
    hosts = current_app.config.get("MARKDOWN_IMAGE_HOSTS") or ()
    if isinstance(hosts, str):
        hosts = hosts.split(",")
    own = urlsplit(current_app.config.get("BASE_URL") or "").hostname
    return frozenset(h.strip().lower() for h in (*hosts, own or "") if h and h.strip())


def image_allowed(src: str, hosts: frozenset[str]) -> bool:
    """A relative address (this site) or one on an allowed host. Anything
    else would let its owner see who read the page, the feed or the mail."""
    parts = urlsplit(src.strip())
    if not parts.scheme and not parts.netloc:
        return True
    return parts.scheme in ("http", "https") and (parts.hostname or "") in hosts


def _image(self, tokens, idx, options, env):  # noqa: ANN001, ANN202
    """An allowed image as usual; any other one becomes its alt text."""
    token = tokens[idx]
    hosts = env.get("image_hosts")
    if hosts is None or image_allowed(str(token.attrGet("src") or ""), hosts):
        return self.image(tokens, idx, options, env)
    return str(escape(self.renderInlineAsText(token.children or [], options, env)))


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt("js-default").enable("table").enable("strikethrough")
    parser.add_render_rule("image", _image)
    return parser


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


_HEADING = re.compile(r"<(/?)h([1-6])>")


def render_markdown(text: str | None, top_level: int = 2) -> Markup:
    """Markdown → sanitised HTML, marked safe for templates.

    Headings are shifted so the content's highest heading is ``top_level``
    (the page owns its h1; content inside an h2 section starts at h3).
    """
    if not text:
        return Markup("")
    shift = max(top_level - 1, 0)

    def demote(match: re.Match[str]) -> str:
        return f"<{match.group(1)}h{min(int(match.group(2)) + shift, 6)}>"

    html = _HEADING.sub(demote, _parser().render(text, {"image_hosts": image_hosts()}))
    return Markup(sanitise_html(html))  # noqa: S704  # nosec B704 - sanitised just above


def plain_text(text: str | None, length: int = 200) -> str:
    """Markdown reduced to plain text (for leads, meta descriptions)."""
    if not text:
        return ""
    html = _parser().render(text)
    plain = nh3.clean(html, tags=set())
    plain = " ".join(plain.split())
    import html as html_lib

    plain = html_lib.unescape(plain)
    if len(plain) > length:
        plain = plain[: length - 1].rsplit(" ", 1)[0] + "…"
    return plain


def markdown_text(text: str | None) -> str:
    """Markdown as readable plain text, for the text part of a mail.

    Paragraphs and headings stay apart, list items keep a dash (or their
    number), quotes a "> ", a link shows its address after the words, and
    the marks of emphasis and code go. An image is its alt text.
    """
    if not text:
        return ""
    tokens = _parser().parse(text)
    blocks: list[str] = []
    prefixes: list[str] = []  # one entry per open list or quote
    counters: list[int] = []
    item_start = False
    for token in tokens:
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            counters.append(int(token.attrGet("start") or 1) if kind == "ordered_list_open" else 0)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            counters.pop()
        elif kind == "list_item_open":
            item_start = True
        elif kind == "blockquote_open":
            prefixes.append("> ")
        elif kind == "blockquote_close":
            prefixes.pop()
        elif kind == "hr":
            blocks.append("".join(prefixes) + "* * *")
        elif kind in ("inline", "code_block", "fence"):
            body = _inline_text(token) if kind == "inline" else token.content.rstrip("\n")
            indent = "   " * max(len(counters) - 1, 0)
            if item_start and counters:
                number = counters[-1]
                marker = f"{number}. " if number else "- "
                if number:
                    counters[-1] += 1
                body = indent + marker + body.replace("\n", "\n" + indent + " " * len(marker))
                item_start = False
            quote = "".join(prefixes)
            blocks.append("\n".join(quote + line for line in body.split("\n")))
    # Items of one list follow each other; other blocks are paragraphs.
    out: list[str] = []
    for block in blocks:
        tight = out and _is_item(block) and _is_item(out[-1])
        out.append(("\n" if tight else "\n\n") + block if out else block)
    return "".join(out).strip()


_ITEM = re.compile(r"^(?:> )*\s*(?:- |\d+\. )")


def _is_item(block: str) -> bool:
    return bool(_ITEM.match(block))


def _inline_text(token) -> str:  # noqa: ANN001
    parts: list[str] = []
    href_stack: list[str] = []
    for child in token.children or []:
        kind = child.type
        if kind in ("text", "code_inline"):
            parts.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif kind == "image":
            parts.append("".join(c.content for c in child.children or []))
        elif kind == "link_open":
            href_stack.append(str(child.attrGet("href") or ""))
            parts.append("")
        elif kind == "link_close":
            href = href_stack.pop() if href_stack else ""
            # The words and then the address, unless the words are the address.
            if href and not parts[-1:] == [href]:
                parts.append(f" ({href.removeprefix('mailto:')})")
    return "".join(parts)
