"""An article's Markdown body as HTML for its page, feed and preview."""

from __future__ import annotations

import re

from markupsafe import Markup

from app.markdown import render_markdown

_HEADING_LEVEL = re.compile(r"<h([1-6])>")


def render_body(text: str | None) -> Markup:
    """Sanitised HTML whose highest heading is an h2, under the page's h1.

    Editors may start sections with ``#`` or ``##``; either way the outline
    goes h1 (the title) → h2 → h3 without skipping a level.
    """
    html = render_markdown(text, top_level=2)  # "#" → h2, "##" → h3
    levels = [int(level) for level in _HEADING_LEVEL.findall(str(html))]
    if levels and min(levels) >= 3:
        # No "#" in the text: its "##" sections become the h2s.
        return render_markdown(text, top_level=1)
    return html
