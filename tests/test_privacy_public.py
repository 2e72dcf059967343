"""Nothing personal leaks: with the demo loaded, no public page, feed,
export, calendar or API answer contains any e-mail address held by the
site, the name of an author who did not agree to show it, or the name of
anyone registered for a meeting."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (
    Article,
    Idea,
    IdeaStatus,
    OutboxMessage,
    Registration,
    Support,
    Tag,
    Workshop,
    utcnow,
)
from tests.browser_support import demo_targets, load_demo

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def personal_data(app) -> tuple[set[str], set[str]]:  # noqa: ANN001
    """(e-mail addresses, names that must stay private) held after the demo."""
    with app.app_context():
        emails = {e.lower() for e in db.session.scalars(select(Idea.email)) if e}
        emails |= {e.lower() for e in db.session.scalars(select(Support.email)) if e}
        emails |= {e.lower() for e in db.session.scalars(select(Registration.email)) if e}
        emails |= {e.lower() for e in db.session.scalars(select(OutboxMessage.recipient)) if e}
        shown = {
            idea.author_name
            for idea in db.session.scalars(select(Idea).where(Idea.show_author_name.is_(True)))
            if idea.author_name
        }
        hidden = {
            idea.author_name
            for idea in db.session.scalars(select(Idea).where(Idea.show_author_name.is_(False)))
            if idea.author_name
        }
        hidden |= {name for name in db.session.scalars(select(Registration.name)) if name}
    # A name that some author agreed to show is public for that idea.
    return emails, {name for name in hidden - shown if len(name) >= 5}


def public_urls(app, targets) -> list[str]:  # noqa: ANN001
    with app.app_context():
        ideas = db.session.scalars(select(Idea.id).where(Idea.status == IdeaStatus.PUBLISHED))
        workshops = db.session.scalars(select(Workshop.slug).where(Workshop.published.is_(True)))
        articles = db.session.scalars(select(Article.slug).where(Article.published_at <= utcnow()))
        tags = db.session.scalars(select(Tag.slug))
        urls = [
            "/",
            "/processes",
            f"/processes/{targets['process']}",
            "/ideas",
            "/ideas?sort=supports",
            "/ideas?source=workshop",
            "/results",
            f"/results?process={targets['process']}",
            "/workshops",
            "/workshops.ics",
            "/articles",
            "/feeds/articles.atom",
            "/feeds/ideas.atom",
            "/sitemap.xml",
            "/export/ideas.csv",
            "/api/v1/",
            "/api/v1/openapi.json",
            "/api/v1/ideas?per_page=100",
            "/api/v1/workshops?when=all&per_page=100",
            "/api/v1/articles?per_page=100",
            "/api/v1/stats",
            "/privacy",
            "/accessibility",
        ]
        for idea_id in ideas:
            urls += [f"/ideas/{idea_id}", f"/api/v1/ideas/{idea_id}"]
        for slug in workshops:
            urls += [f"/workshops/{slug}", f"/workshops/{slug}.ics"]
        urls += [f"/articles/{slug}" for slug in articles]
        urls += [f"/tags/{slug}" for slug in tags]
    return urls


@pytest.mark.slow
def test_no_personal_data_on_any_public_page_feed_export_or_api(app, client, make):
    load_demo(app)
    targets = demo_targets(app, make)  # adds a registration and a tracked idea
    emails, names = personal_data(app)
    assert emails and names, "the demo should hold personal data to protect"
    seen: set[str] = set()
    queue = public_urls(app, targets)
    leaks = []
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        body = response.get_data(as_text=True)
        lowered = body.lower()
        leaks += [f"{url}: e-mail {e}" for e in emails if e in lowered]
        leaks += [f"{url}: name {n}" for n in names if n in body]
        # Follow pagination and sitemap links within the site.
        for link in re.findall(r'(?:href="|<loc>)([^"<]+)', body):
            parts = urlsplit(link.replace("&amp;", "&"))
            if parts.netloc not in ("", "odkrywka.test"):
                continue
            if "page=" in (parts.query or "") or link.startswith("http://odkrywka.test/sitemap"):
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    assert len(seen) > 40
    assert not leaks, "\n".join(sorted(set(leaks)))
    # No address of any kind shows up either (the organiser's are config).
    for url in ("/", "/ideas", "/api/v1/ideas?per_page=100", "/export/ideas.csv"):
        assert not EMAIL.findall(client.get(url).get_data(as_text=True)), url
