"""In a real browser: the video pages pass axe-core at phone and desktop
widths, and a video can be played, its captions switched off and on and a
chapter reached with the keyboard alone; a few seconds of playing count
one play."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import VideoDailyPlays, utcnow
from tests.browser_support import describe_violations, open_browser, require_chromium, run_axe
from tests.test_keyboard import Keyboard
from tests.videos_support import make_video, plays_of

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_video_pages_pass_axe_at_both_widths(app, live_server, make):
    require_chromium()
    now = utcnow()
    meeting = make.workshop(starts_at=now.replace(year=now.year - 1), ends_at=now.replace(year=now.year - 1))
    video = make_video(app, captions=("pl", "en"), workshop_id=meeting.id,
                       chapters=((0, "Powitanie", None), (3, "Diagnoza", make.idea().id)),
                       transcript="Dzień dobry.\n\nZaczynamy.")  # fmt: skip
    embed = make_video(app, with_file=False, source="embed",
                       embed_url="https://vimeo.com/76979871")  # fmt: skip
    with app.app_context():
        db.session.add(VideoDailyPlays(video_id=video.id, day=now.date(), plays=27690))
        db.session.commit()
    pages = ["/videos", f"/videos/{video.slug}", f"/videos/{embed.slug}", "/",
             f"/workshops/{meeting.slug}"]  # fmt: skip
    problems = []
    with open_browser(live_server.url) as browser:
        for width, height in ((375, 800), (1366, 900)):
            browser.page.set_viewport_size({"width": width, "height": height})
            for path in pages:
                browser.goto(live_server.url + path)
                violations = run_axe(browser.page)
                if violations:
                    problems.append(describe_violations(f"{width} px", path, violations))
        assert not browser.foreign_requests, browser.foreign_requests
    assert not problems, "\n\n".join(problems)


def test_play_captions_and_chapters_with_the_keyboard_alone(app, live_server):
    require_chromium()
    video = make_video(app, captions=("pl", "en"), chapters=((0, "Powitanie", None), (3, "Diagnoza", None)))
    with open_browser(live_server.url) as browser:
        page = browser.page
        # Headless Chromium names itself in its user agent and is not counted
        # (a bot); this reader's browser says what a desktop browser says.
        page.set_extra_http_headers({"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0"})
        browser.goto(f"{live_server.url}/videos/{video.slug}")
        keys = Keyboard(page)
        state = "() => { const v = document.querySelector('video'); return {time: v.currentTime, paused: v.paused, tracks: Array.from(v.textTracks).map(t => t.language + ':' + t.mode)}; }"

        keys.tab_to(lambda f: f["tag"] == "button" and f["text"] == "Odtwórz")
        keys.press("Enter")
        page.wait_for_function("() => document.querySelector('video').currentTime > 0.5")
        assert page.evaluate(state)["paused"] is False
        assert "pl:showing" in page.evaluate(state)["tracks"]

        captions = keys.tab_to(lambda f: f["tag"] == "button" and f["text"] == "Napisy")
        assert captions["tag"] == "button"
        keys.press("Enter")
        assert page.evaluate(state)["tracks"] == ["pl:hidden", "en:hidden"]
        assert page.get_attribute("[data-action=captions]", "aria-pressed") == "false"
        keys.press("Space")
        assert page.evaluate(state)["tracks"] == ["pl:showing", "en:hidden"]
        assert page.get_attribute("[data-action=captions]", "aria-pressed") == "true"

        # Three seconds of playing report one play.
        page.wait_for_function("() => document.querySelector('[data-play-reported]') !== null",
                               timeout=15_000)  # fmt: skip
        page.wait_for_timeout(300)
        assert plays_of(app, video.id) == 1

        keys.tab_to(lambda f: f["href"] == "#t=3s")
        keys.press("Enter")
        page.wait_for_function(
            "() => { const v = document.querySelector('video'); return v.currentTime >= 3 && v.currentTime < 4.5; }"
        )
        assert page.evaluate("() => location.hash") == "#t=3s"
        assert not browser.foreign_requests
    assert keys.pressed and set(keys.pressed) <= {"Tab", "Shift+Tab", "Space", "Enter"}


def test_an_external_video_loads_and_counts_only_after_the_click(app, live_server):
    require_chromium()
    video = make_video(app, with_file=False, source="embed", embed_url="https://vimeo.com/76979871")
    with open_browser(live_server.url) as browser:
        page = browser.page
        page.set_extra_http_headers({"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0"})
        browser.goto(f"{live_server.url}/videos/{video.slug}")
        assert browser.foreign_requests == []
        assert plays_of(app, video.id) == 0
        keys = Keyboard(page)
        keys.tab_to(lambda f: f["href"] == "https://vimeo.com/76979871")
        keys.press("Enter")
        page.wait_for_selector("iframe[src^='https://player.vimeo.com/video/76979871?dnt=1']")
        page.wait_for_function("() => document.querySelector('[data-play-reported]') !== null")
        page.wait_for_timeout(300)
    assert plays_of(app, video.id) == 1
