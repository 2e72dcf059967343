"""In a real browser: the idea page with a discussion (and the comment
pages) pass axe at phone and desktop widths, and a resident posts a
comment and a reply with the keyboard only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.comments.services import text_hash
from app.extensions import db
from app.models import Comment, CommentStatus, Idea, utcnow
from tests.browser_support import describe_violations, open_browser, require_chromium, run_axe
from tests.comments_support import MANAGE, mailed
from tests.test_keyboard import ALLOWED_KEYS, Keyboard, is_submit

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def discussion(app, make):  # noqa: ANN001, ANN201
    """An idea with comments of every kind: plain, with a link, a reply,
    the organiser's reply, a hidden one with a reply under it."""
    idea = make.idea(title="Ścieżka rowerowa na starej bocznicy")
    now = utcnow()
    rows = [
        ("a", None, "Marta", "Tory leżą aż do parku: https://example.org/mapa", S.PUBLISHED, None),
        ("b", "a", None, "Potwierdzam, chodzę tamtędy.", S.PUBLISHED, None),
        ("c", "a", None, "Sprawdzimy stan torów.", S.PUBLISHED, "Wydział Rozwoju Regionu"),
        ("d", None, None, "Ukryta treść.", S.HIDDEN, None),
        ("e", "d", "Piotr", "Nie zgadzam się z przedmówcą.", S.PUBLISHED, None),
    ]
    made: dict[str, int] = {}
    with app.app_context():
        for key, parent, name, body, status, signature in rows:
            comment = Comment(
                target_type="idea", target_id=idea.id, parent_id=made.get(parent),
                body=body, author_name=name, status=status, official=signature is not None,
                signature=signature, text_hash=text_hash(body), created_at=now,
                confirmed_at=now, published_at=now,
            )  # fmt: skip
            db.session.add(comment)
            db.session.flush()
            made[key] = comment.id
        db.session.get(Idea, idea.id).comments_count = 4
        db.session.commit()
    return idea, made


S = CommentStatus


def test_the_discussion_and_comment_pages_pass_axe(app, make, live_server):
    require_chromium()
    idea, made = discussion(app, make)
    base = live_server.url
    problems = []
    with open_browser(base) as browser:
        page = browser.page
        # A comment with an error: the write page shows the summary and the text.
        browser.goto(f"{base}/ideas/{idea.id}/comments?parent={made['a']}")
        page.fill("#comment-body", "x")
        page.fill("#comment-email", "ola@example.org")
        page.check("#comment-consent")
        with page.expect_navigation():
            page.click("main form[action*='/comments'] button[type=submit]")
        assert "Popraw błędy" in page.content()
        for width, height in ((375, 800), (1366, 900)):
            page.set_viewport_size({"width": width, "height": height})
            page.reload()
            for label, path in (
                ("idea page with a discussion", f"/ideas/{idea.id}"),
                ("reply page", f"/ideas/{idea.id}/comments?parent={made['a']}"),
                ("report page", f"/ideas/{idea.id}/comments/{made['b']}/report"),
            ):
                browser.goto(base + path)
                violations = run_axe(page)
                if violations:
                    problems.append(describe_violations(f"{label} at {width}px", path, violations))
        assert not browser.foreign_requests, browser.foreign_requests
    assert not problems, "\n\n".join(problems)


def test_post_and_reply_with_the_keyboard_only(app, make, live_server):
    require_chromium()
    idea, made = discussion(app, make)
    base = live_server.url
    with open_browser(base) as browser:
        page = browser.page
        keys = Keyboard(page)
        browser.goto(f"{base}/ideas/{idea.id}")

        # A new comment from the form under the discussion.
        keys.tab_to_id("comment-body", limit=300)
        keys.type("Przydałyby się ławki co kilometr.")
        keys.tab_to_id("comment-author-name")
        keys.type("Jan Klawiaturowy")
        keys.tab_to_id("comment-email")
        keys.type("jan@example.org")
        keys.tab_to_id("comment-consent")
        keys.press("Space")
        assert keys.focused()["checked"]
        keys.tab_to(is_submit("Wyślij komentarz"))
        with page.expect_navigation():
            keys.press("Enter")
        assert "Sprawdź skrzynkę" in page.content()

        # Confirming (the mailed link) trusts this browser; the next one is at once.
        with page.expect_navigation():
            page.goto(base + mailed(app, "jan@example.org")[-1])
        browser.goto(f"{base}/ideas/{idea.id}")

        # A reply: Tab to the first comment's "Odpowiedz" link, Enter, write, send.
        keys.tab_to(
            lambda f: f["tag"] == "a" and f["href"].endswith(f"parent={made['a']}"), limit=300
        )
        with page.expect_navigation():
            keys.press("Enter")
        keys.tab_to_id("comment-body")
        keys.type("Odpowiadam z klawiatury: ławki tak, ale i kosze.")
        keys.tab_to_id("comment-email")
        keys.type("jan@example.org")
        keys.tab_to_id("comment-consent")
        keys.press("Space")
        keys.tab_to(is_submit("Wyślij odpowiedź"))
        with page.expect_navigation():
            keys.press("Enter")
        assert "Komentarz został opublikowany" in page.content()
        assert "Odpowiadam z klawiatury" in page.content()
        assert set(keys.pressed) <= ALLOWED_KEYS

    with app.app_context():
        posted = db.session.scalars(
            select(Comment).where(Comment.email == "jan@example.org").order_by(Comment.id)
        ).all()
        assert [(c.parent_id, c.status) for c in posted] == [
            (None, S.PUBLISHED),
            (made["a"], S.PUBLISHED),
        ]
        assert posted[0].author_name == "Jan Klawiaturowy"
    assert len(mailed(app, "jan@example.org", MANAGE)) == 2
