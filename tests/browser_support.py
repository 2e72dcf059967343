"""Playwright helpers: headless Chromium from the system, axe-core from
axe-playwright-python (bundled, no network), demo pages to visit.

Locally the browser tests skip with a clear message when Chromium is
missing; with CI=true they fail instead, so CI never silently skips them.

One Chromium serves every browser test of a test process (starting it is
the slow part); each test gets a context of its own (cookies, storage,
settings), closed after it. tests/conftest.py closes the browser at the end.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def require_chromium() -> None:
    in_ci = os.environ.get("CI", "").lower() == "true"
    problem = None
    if not Path(CHROMIUM).exists():
        problem = f"Chromium not found at {CHROMIUM} (Debian package 'chromium')"
    else:
        try:
            import axe_playwright_python  # noqa: F401
            import playwright.sync_api  # noqa: F401
        except ImportError as error:
            problem = f"Python package missing: {error.name}"
    if problem:
        if in_ci:
            pytest.fail(f"Browser tests cannot run in CI: {problem}")
        pytest.skip(f"Browser tests need a browser: {problem}")


@dataclass
class Browser:
    """One page in headless Chromium that records requests to other hosts."""

    page: Any
    allowed_host: str
    foreign_requests: list[str] = field(default_factory=list)

    def goto(self, url: str, *, status: int | None = 200) -> Any:
        response = self.page.goto(url, wait_until="load")
        if status is not None:
            assert response is not None and response.status == status, (
                f"{url}: HTTP {response.status if response else None}"
            )
        return response


_shared: dict[str, Any] = {}


def chromium() -> Any:
    """The test process's headless Chromium, started on first use."""
    require_chromium()
    if "browser" not in _shared or not _shared["browser"].is_connected():
        from playwright.sync_api import sync_playwright

        if "playwright" not in _shared:
            _shared["playwright"] = sync_playwright().start()
        _shared["browser"] = _shared["playwright"].chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
    return _shared["browser"]


def close_chromium() -> None:
    browser = _shared.pop("browser", None)
    if browser is not None and browser.is_connected():
        browser.close()
    playwright = _shared.pop("playwright", None)
    if playwright is not None:
        playwright.stop()


@contextmanager
def new_page(**context_options: Any) -> Iterator[Any]:
    """A page in a fresh browser context with Playwright's default settings."""
    context = chromium().new_context(**context_options)
    try:
        yield context.new_page()
    finally:
        context.close()


@contextmanager
def open_browser(base_url: str, *, javascript: bool = True) -> Iterator[Browser]:
    host = urlsplit(base_url).netloc
    context = chromium().new_context(
        locale="pl-PL",
        viewport={"width": 1280, "height": 900},
        java_script_enabled=javascript,
        service_workers="block",
    )
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        wrapper = Browser(page=page, allowed_host=host)

        def guard(route, request) -> None:  # noqa: ANN001
            if urlsplit(request.url).netloc in (host, "") or request.url.startswith("data:"):
                route.continue_()
            else:
                wrapper.foreign_requests.append(request.url)
                route.abort()

        context.route("**/*", guard)
        yield wrapper
    finally:
        context.close()


def run_axe(page) -> list[dict[str, Any]]:  # noqa: ANN001
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
    )
    return results.response["violations"]


def axe_violations(page) -> list[str]:  # noqa: ANN001
    """Every axe-core rule (not only the WCAG tags of ``run_axe``): id and targets."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{item['id']}: {[node['target'] for node in item['nodes']]}"
        for item in results.response["violations"]
    ]


def describe_violations(label: str, url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{label} ({url}): {len(violations)} violation(s)"]
    for violation in violations:
        lines.append(
            f"  [{violation.get('impact')}] {violation['id']}: {violation['help']}"
            f" – {violation.get('helpUrl', '')}"
        )
        for node in violation.get("nodes", [])[:5]:
            target = " ".join(str(t) for t in node.get("target", []))
            lines.append(f"      at {target}")
            lines.append(f"         {node.get('html', '')[:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " / ")
            lines.append(f"         {summary[:300]}")
    return "\n".join(lines)


def sign_in(browser: Browser, base_url: str, email: str, password: str) -> None:
    page = browser.page
    browser.goto(f"{base_url}/staff/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("load")
    assert "/staff/login" not in page.url, "sign-in failed"


# --- the demo, and the pages to visit ----------------------------------------


def load_demo(app) -> None:  # noqa: ANN001
    from app.demo.loader import load_demo as load
    from app.extensions import db

    with app.app_context():
        load()
        db.session.commit()


def demo_targets(app, make) -> dict[str, Any]:  # noqa: ANN001
    """Ids, slugs and private tokens of demo objects worth visiting."""
    from sqlalchemy import select

    from app.catalogue.services import support_link_token
    from app.demo.core import DEMO_PROCESS_SLUG
    from app.extensions import db
    from app.models import (
        Article,
        Category,
        Idea,
        IdeaStatus,
        Process,
        Support,
        Tag,
        Video,
        Workshop,
        utcnow,
    )
    from app.workshops import services as workshops

    targets: dict[str, Any] = {"process": DEMO_PROCESS_SLUG}
    with app.test_request_context():
        now = utcnow()
        process = db.session.scalar(select(Process).where(Process.slug == DEMO_PROCESS_SLUG))
        idea = db.session.scalars(
            select(Idea)
            .where(Idea.status == IdeaStatus.PUBLISHED)
            .order_by(Idea.supports_count.desc(), Idea.id)
        ).first()
        if idea is not None:
            targets["idea"] = idea.id
            support = db.session.scalars(
                select(Support).where(Support.idea_id == idea.id).order_by(Support.id)
            ).first()
            if support is not None:
                targets["support"] = support_link_token(support)
        waiting = db.session.scalars(
            select(Idea).where(Idea.status == IdeaStatus.AWAITING_REVIEW).order_by(Idea.id)
        ).first()
        if waiting is not None:
            targets["review_idea"] = waiting.id
        category = db.session.scalars(select(Category).order_by(Category.position)).first()
        targets["category"] = category.slug if category else None
        upcoming = db.session.scalars(
            select(Workshop)
            .where(Workshop.published.is_(True), Workshop.starts_at > now)
            .order_by(Workshop.starts_at)
        ).all()
        for workshop in upcoming:
            if workshop.capacity is not None and workshop.places_left == 0:
                targets.setdefault("full_workshop", workshop.slug)
            elif workshop.registration_open(now):
                targets.setdefault("open_workshop", workshop.slug)
                targets.setdefault("open_workshop_id", workshop.id)
        past = db.session.scalars(
            select(Workshop)
            .where(Workshop.published.is_(True), Workshop.ends_at < now)
            .order_by(Workshop.starts_at.desc())
        ).first()
        if past is not None:
            targets["past_workshop"] = past.slug
        if "open_workshop_id" in targets:
            workshop = db.session.get(Workshop, targets["open_workshop_id"])
            registration, _resent = workshops.register(
                workshop,
                name="Maria Zielińska",
                email="maria.zielinska@example.org",
                participant_group="senior",
                needs="Miejsce blisko wejścia",
            )
            db.session.flush()
            targets["registration"] = workshops.link_token(registration)
        article = db.session.scalars(
            select(Article).where(Article.published_at.is_not(None)).order_by(Article.id)
        ).first()
        if article is not None:
            targets["article"] = article.slug
            targets["article_id"] = article.id
        tag = db.session.scalars(select(Tag).order_by(Tag.id)).first()
        if tag is not None:
            targets["tag"] = tag.slug
        targets.update(_direction_targets())
        video = db.session.scalars(select(Video).order_by(Video.plays.desc())).first()
        if video is not None:
            targets["video"] = video.slug
            targets["video_id"] = video.id
        from app.models import Newsletter

        sent = Newsletter(subject="Zaproszenie na warsztaty", body="## Warsztaty\n\nZapraszamy.",
                          segments=[], status="sent", sent_at=now, public=True)  # fmt: skip
        draft = Newsletter(subject="Szkic", body="Treść **szkicu**.",
                           segments=[f"followers:{process.id}"] if process else [])  # fmt: skip
        db.session.add_all([sent, draft])
        db.session.flush()
        targets["newsletter"], targets["newsletter_draft"] = sent.id, draft.id
        if process is not None and process.phases:
            targets["process_id"], targets["phase_id"] = process.id, process.phases[0].id
        db.session.commit()
        process_id = process.id if process else None
        category_id = category.id if category else None
    if process_id and category_id:
        tracked = make.idea(
            status=IdeaStatus.AWAITING_REVIEW, process_id=process_id, category_id=category_id
        )
        targets["track"] = tracked.track_token
    return targets


def _direction_targets() -> dict[str, Any]:
    """The demo's funded direction (applications, milestones, ideas), its
    staff page, and a link that stops mail about directions."""
    from sqlalchemy import select

    from app.directions.mail import unsubscribe_token
    from app.extensions import db
    from app.models import Direction, DirectionStatus

    direction = db.session.scalars(
        select(Direction).where(Direction.status == DirectionStatus.FUNDED)
    ).first()
    if direction is None:
        return {}
    return {
        "direction": direction.slug,
        "direction_id": direction.id,
        "unsubscribe": unsubscribe_token("axe@example.org"),
    }


def public_pages(t: dict[str, Any]) -> tuple[list[tuple[str, str]], list[str]]:
    """(label, path) of every public page, and what could not be built."""
    wanted: list[tuple[str, str | None]] = [
        ("home", "/"),
        ("consultations", "/processes"),
        ("consultation", f"/processes/{t['process']}"),
        ("catalogue", "/ideas"),
        (
            "catalogue filtered",
            f"/ideas?category={t['category']}&sort=supports&q=energia"
            if t.get("category")
            else None,
        ),
        ("catalogue empty result", "/ideas?q=zzzzzzzzzz"),
        ("idea", f"/ideas/{t['idea']}" if t.get("idea") else None),
        ("submission form", "/ideas/new"),
        ("tracking page", f"/ideas/track/{t['track']}" if t.get("track") else None),
        ("workshops", "/workshops"),
        ("workshop open", f"/workshops/{t['open_workshop']}" if t.get("open_workshop") else None),
        ("workshop full", f"/workshops/{t['full_workshop']}" if t.get("full_workshop") else None),
        ("workshop past", f"/workshops/{t['past_workshop']}" if t.get("past_workshop") else None),
        ("registration", f"/registrations/{t['registration']}" if t.get("registration") else None),
        (
            "registration data erasure",
            f"/registrations/{t['registration']}/erase" if t.get("registration") else None,
        ),
        ("support page", f"/supports/{t['support']}" if t.get("support") else None),
        (
            "support withdrawal",
            f"/supports/{t['support']}/erase" if t.get("support") else None,
        ),
        ("results", "/results"),
        ("consultation report", f"/processes/{t['process']}/report"),
        ("directions", "/directions"),
        ("direction", f"/directions/{t['direction']}" if t.get("direction") else None),
        (
            "direction mail stop",
            f"/directions/unsubscribe/{t['unsubscribe']}" if t.get("unsubscribe") else None,
        ),
        ("articles", "/articles"),
        ("article", f"/articles/{t['article']}" if t.get("article") else None),
        ("tag", f"/tags/{t['tag']}" if t.get("tag") else None),
        ("videos", "/videos"),
        ("video", f"/videos/{t['video']}" if t.get("video") else None),
        ("privacy", "/privacy"),
        ("newsletter archive", "/newsletters"),
        ("newsletter", f"/newsletters/{t['newsletter']}" if t.get("newsletter") else None),
        ("accessibility statement", "/accessibility"),
        ("API documentation", "/api/v1/"),
        ("sign-in", "/staff/login"),
    ]
    pages = [(label, path) for label, path in wanted if path]
    missing = [label for label, path in wanted if not path]
    return pages, missing


def staff_pages(t: dict[str, Any]) -> tuple[list[tuple[str, str]], list[str]]:
    wanted: list[tuple[str, str | None]] = [
        ("dashboard", "/staff/"),
        ("moderation queue", "/staff/moderation"),
        ("review page", f"/staff/ideas/{t['review_idea']}" if t.get("review_idea") else None),
        ("workshops admin", "/staff/workshops/"),
        (
            "workshop admin detail",
            f"/staff/workshops/{t['open_workshop_id']}" if t.get("open_workshop_id") else None,
        ),
        ("new workshop", "/staff/workshops/new"),
        ("articles admin", "/staff/articles/"),
        ("new article", "/staff/articles/new"),
        (
            "article editor",
            f"/staff/articles/{t['article_id']}/edit" if t.get("article_id") else None,
        ),
        ("directions admin", "/staff/directions/"),
        (
            "direction editor",
            f"/staff/directions/{t['direction_id']}" if t.get("direction_id") else None,
        ),
        ("videos admin", "/staff/videos/"),
        ("new video", "/staff/videos/new"),
        ("video editor", f"/staff/videos/{t['video_id']}/edit" if t.get("video_id") else None),
        ("users", "/staff/users"),
        ("new user", "/staff/users/new"),
        ("consultations admin", "/staff/processes"),
        ("categories", "/staff/categories"),
        ("audit log", "/staff/audit"),
        ("my account", "/staff/account"),
        ("two-factor set-up", "/staff/account/two-factor"),
        ("privacy requests", "/staff/privacy"),
        ("mail outbox", "/staff/mail"),
        ("consultation reports", "/staff/consultation-reports/"),
        ("newsletters", "/staff/newsletters"),
        ("new newsletter", "/staff/newsletters/new"),
        (
            "newsletter editor",
            f"/staff/newsletters/{t['newsletter_draft']}" if t.get("newsletter_draft") else None,
        ),
        (
            "consultation editor with phases",
            f"/staff/processes/{t['process_id']}" if t.get("process_id") else None,
        ),
        (
            "phase editor",
            f"/staff/processes/{t['process_id']}/phases/{t['phase_id']}"
            if t.get("phase_id")
            else None,
        ),
    ]
    pages = [(label, path) for label, path in wanted if path]
    missing = [label for label, path in wanted if not path]
    return pages, missing
