"""The follow pages in a real browser: axe-core finds nothing at 375 and
1366 px, the forms folded on an idea's page and shown with errors included."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.follows import services
from app.models import Follower, FollowSubscription, Idea, OutboxMessage, Process, utcnow
from tests.browser_support import describe_violations, open_browser, require_chromium, run_axe

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_follow_pages_pass_axe_on_a_phone_and_a_desktop(app, make, live_server):
    require_chromium()
    process, idea = make.process(), make.idea()
    with app.test_request_context():
        services.subscribe("ola@example.org", process=db.session.get(Process, process.id))
        db.session.commit()
        confirm = re.search(
            r"/follow/confirm/\S+", db.session.scalar(select(OutboxMessage.body_text))
        ).group(0)
        services.subscribe("ola@example.org", idea=db.session.get(Idea, idea.id), comments=True)
        db.session.execute(update(FollowSubscription).values(confirmed_at=utcnow()))
        db.session.commit()
        follower = db.session.scalar(select(Follower))
        manage = services.manage_token(follower)
        stop = services.stop_token(follower.subscriptions[0])
    pages = [
        ("follow form", f"/follow/processes/{process.slug}"),
        ("sent", f"/follow/sent?process={process.slug}"),
        ("confirmed", confirm),
        ("preferences", f"/follow/manage/{manage}"),
        ("erasure", f"/follow/manage/{manage}/erase"),
        ("one-click page", f"/follow/unsubscribe/{stop}"),
    ]
    base = live_server.url
    problems = []
    with open_browser(base) as browser:
        page = browser.page
        for width, height in ((375, 800), (1366, 900)):
            page.set_viewport_size({"width": width, "height": height})
            for label, path in pages:
                browser.goto(base + path)
                problems += [describe_violations(f"{label} at {width}", path, v)
                             for v in [run_axe(page)] if v]  # fmt: skip
            # The folded form on the idea's page, opened and sent empty.
            browser.goto(f"{base}/ideas/{idea.id}")
            page.click("#obserwuj summary")
            problems += [describe_violations(f"idea page, follow open at {width}", page.url, v)
                         for v in [run_axe(page)] if v]  # fmt: skip
            page.click("#obserwuj button[type=submit]")
            page.wait_for_selector("#error-summary")
            assert page.url.endswith(f"/follow/ideas/{idea.id}")
            problems += [describe_violations(f"follow form with errors at {width}", page.url, v)
                         for v in [run_axe(page)] if v]  # fmt: skip
        assert not browser.foreign_requests, browser.foreign_requests
    assert not problems, "\n\n".join(problems)
