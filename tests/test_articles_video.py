"""Video: only YouTube and Vimeo, through their privacy-enhanced players,
loaded only when the reader clicks."""

from __future__ import annotations

import re
import time

import pytest

from app.articles.video import UnsupportedVideo, parse_video_url
from tests.articles_support import make_article

NOCOOKIE = "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"


@pytest.mark.parametrize(
    ("url", "embed"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", NOCOOKIE),
        ("https://youtube.com/watch?v=dQw4w9WgXcQ&t=42s&list=PL1", NOCOOKIE),
        ("http://m.youtube.com/watch?feature=share&v=dQw4w9WgXcQ", NOCOOKIE),
        ("youtube.com/watch?v=dQw4w9WgXcQ", NOCOOKIE),
        ("https://youtu.be/dQw4w9WgXcQ", NOCOOKIE),
        ("https://youtu.be/dQw4w9WgXcQ?si=abc", NOCOOKIE),
        ("https://www.youtube.com/embed/dQw4w9WgXcQ", NOCOOKIE),
        ("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", NOCOOKIE),
        ("https://www.youtube.com/shorts/dQw4w9WgXcQ", NOCOOKIE),
        ("https://www.youtube.com/live/dQw4w9WgXcQ", NOCOOKIE),
        ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871?dnt=1"),
        ("https://www.vimeo.com/76979871", "https://player.vimeo.com/video/76979871?dnt=1"),
        (
            "https://player.vimeo.com/video/76979871",
            "https://player.vimeo.com/video/76979871?dnt=1",
        ),
    ],
)
def test_youtube_and_vimeo_links_become_privacy_enhanced_players(url, embed):
    assert parse_video_url(url).embed_url == embed


@pytest.mark.parametrize(
    "url",
    [
        "",
        "https://evil.example/watch?v=dQw4w9WgXcQ",
        "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        "https://evil.example/?u=https://youtu.be/dQw4w9WgXcQ",
        "https://youtube.com@evil.example/watch?v=dQw4w9WgXcQ",
        "https://user:pass@youtube.com/watch?v=dQw4w9WgXcQ",
        "https://youtube.com:8443/watch?v=dQw4w9WgXcQ",
        "javascript:alert(1)//youtu.be/dQw4w9WgXcQ",
        "ftp://youtu.be/dQw4w9WgXcQ",
        "https://www.youtube.com/watch?v=short",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ&v=aaaaaaaaaaa",
        "https://www.youtube.com/watch?v=<script>",
        "https://www.youtube.com/channel/UC38IQsAvIsxxjztdMZQtwHA",
        "https://www.youtube.com/embed/dQw4w9WgXcQ/../../evil",
        "https://youtu.be/dQw4w9WgXcQ/extra",
        "https://vimeo.com/channels/staffpicks",
        "https://vimeo.com/76979871abc",
        "https://player.vimeo.com/video/abc",
        "https://dailymotion.com/video/x7tgad0",
        "https://youtu.be/dQw4w9WgXcQ extra",
    ],
)
def test_other_links_are_refused(url):
    with pytest.raises(UnsupportedVideo):
        parse_video_url(url)


def test_the_page_shows_a_placeholder_and_asks_nothing_of_youtube(app, client):
    make_article(app, slug="film", video_url="https://youtu.be/dQw4w9WgXcQ")
    response = client.get("/articles/film", headers={"User-Agent": "pytest-bot"})
    page = response.get_data(as_text=True)
    assert "<iframe" not in page
    # The only mention of the player is data for the script; no src, no preload.
    assert f'data-embed-src="{NOCOOKIE}?autoplay=1"' in page
    sources = re.findall(r'\s(?:src|srcset|poster|data)="([^"]+)"', page)
    assert all("youtube" not in source and "ytimg" not in source for source in sources)
    assert not re.search(r"<link[^>]+(youtube|ytimg|vimeo)", page)
    # Without JavaScript the button is a plain link to the video.
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in page
    assert "Odtwórz wideo (YouTube)" in page
    assert (
        "frame-src https://www.youtube-nocookie.com https://player.vimeo.com"
        in (response.headers["Content-Security-Policy"])
    )


def test_a_stored_link_that_is_no_longer_allowed_shows_no_player(app, client):
    make_article(app, slug="stary-film", video_url="https://evil.example/v/1")
    page = client.get("/articles/stary-film", headers={"User-Agent": "pytest-bot"}).get_data(
        as_text=True
    )
    assert "evil.example" not in page
    assert "video-placeholder" not in page


@pytest.mark.browser
def test_the_player_loads_only_after_the_click(app, live_server, browser_page):
    make_article(app, slug="film", video_url="https://youtu.be/dQw4w9WgXcQ")
    outside: list[str] = []
    page = browser_page

    def guard(route):  # noqa: ANN001
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.goto(f"{live_server.url}/articles/film")
    page.wait_for_load_state("networkidle")
    assert outside == []
    assert page.locator("iframe").count() == 0
    page.get_by_role("button", name=re.compile("Odtwórz wideo")).click()
    frame = page.locator("iframe")
    frame.wait_for(state="attached")
    assert frame.get_attribute("src") == f"{NOCOOKIE}?autoplay=1"
    assert frame.get_attribute("title")
    # The player's first request leaves once the frame loads (and is stopped).
    deadline = time.monotonic() + 10
    while not outside and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert outside and all(url.startswith(NOCOOKIE) for url in outside), outside
    assert page.url.endswith("/articles/film")  # stayed on the page
