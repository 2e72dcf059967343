"""The concurrency part: many people doing the same thing at the same moment
against the real server, then exact counts in the database.

Each simulated person has an address of their own (``X-Forwarded-For``,
trusted through ``PROXY_FIX_X_FOR=1`` as behind a reverse proxy) and a
session of their own; the server runs with the production rate limits. The
e-mailed links (confirmations) are read from a real SMTP server.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests
from sqlalchemy import func, select

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
TOKEN_FORM = re.compile(
    r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)


@dataclass
class Check:
    name: str
    expected: object
    actual: object
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.expected == self.actual


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)

    def add(self, name: str, expected: object, actual: object, detail: str = "") -> None:
        self.checks.append(Check(name, expected, actual, detail))

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)


def csrf(html: str) -> str:
    match = TOKEN_FORM.search(html)
    if not match:
        raise RuntimeError("no csrf_token on the page")
    return match.group(1) or match.group(2)


class Person:
    """One resident: an address, a browser, a session."""

    def __init__(self, base_url: str, number: int) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers.update(
            {
                "X-Forwarded-For": f"10.{100 + number // 62500}.{number // 250 % 250}.{number % 250 + 1}",
                "User-Agent": BROWSER,
            }
        )

    def get(self, path: str) -> requests.Response:
        return self.session.get(self.base_url + path, timeout=120)

    def post_form(self, page: str, action: str, data: dict[str, str]) -> requests.Response:
        token = csrf(self.get(page).text)
        return self.session.post(
            self.base_url + action,
            data={"csrf_token": token, **data},
            allow_redirects=False,
            timeout=120,
        )


def fire(count: int, work: Callable[[int], int], threads: int = 48) -> Counter:
    """Run *work* for 0..count-1 at once (all threads released together)."""
    barrier = threading.Barrier(min(threads, count))

    def start(n: int) -> int:
        if n < threads:
            try:
                barrier.wait(timeout=60)
            except threading.BrokenBarrierError:
                pass
        try:
            return work(n)
        except requests.RequestException as error:
            return f"error: {type(error).__name__}"  # type: ignore[return-value]

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return Counter(pool.map(start, range(count)))


def links(smtp, recipients: set[str], pattern: str) -> dict[str, list[str]]:  # noqa: ANN001
    """Paths matching *pattern* in the mail each recipient got."""
    found: dict[str, list[str]] = {}
    with smtp.lock:
        messages = list(smtp.messages)
    for message in messages:
        to = str(message["To"])
        if to in recipients:
            text = smtp.text_of(message)
            found.setdefault(to, []).extend(re.findall(pattern, text))
    return found


def run(base_url: str, app, smtp, facts: dict, say) -> Report:  # noqa: ANN001
    from app.extensions import db
    from app.models import (
        Idea,
        OutboxMessage,
        Registration,
        RegistrationStatus,
        Support,
        Workshop,
    )
    from app.models.article import Article

    report = Report()
    run_id = uuid.uuid4().hex[:6]

    def scalar(query):  # noqa: ANN001, ANN202
        with app.app_context():
            value = db.session.scalar(query)
            db.session.remove()
            return value

    # --- 200 submissions -------------------------------------------------
    marker = f"Zgłoszenie {run_id}"
    emails = [f"autorka-{run_id}-{n}@example.org" for n in range(200)]

    def submit(n: int) -> int:
        person = Person(base_url, n)
        return person.post_form(
            "/ideas/new",
            "/ideas/new",
            {
                "title": f"{marker} numer {n}",
                "description": "Proponuję park kieszonkowy z ławkami i drzewami owocowymi "
                "w miejscu dawnego parkingu przy kopalni.",
                "category": facts["category"],
                "process": facts["process"],
                "author_name": f"Mieszkanka {n}",
                "email": emails[n],
                "consent": "y",
                "website": "",
            },
        ).status_code

    say("  200 submissions at once …")
    statuses = fire(200, submit)
    report.add("submissions answered 303", {303: 200}, dict(statuses))
    stored = scalar(
        select(func.count()).select_from(Idea).where(Idea.title.like(f"{marker} numer %"))
    )
    report.add("submissions stored", 200, stored)
    queued = scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.recipient.in_(emails), OutboxMessage.template == "idea_confirm")
    )
    report.add("confirmation mails queued (one each)", 200, queued)
    delivered = Counter(str(m["To"]) for m in list(smtp.messages) if str(m["To"]) in set(emails))
    report.add(
        "confirmation mails delivered once each", {1: 200}, dict(Counter(delivered.values()))
    )

    # --- 1,000 supports ----------------------------------------------------
    idea_id = facts["idea_id"]
    before_count = scalar(select(Idea.supports_count).where(Idea.id == idea_id))
    before_rows = scalar(
        select(func.count())
        .select_from(Support)
        .where(Support.idea_id == idea_id, Support.confirmed_at.is_not(None))
    )
    supporters = [f"popiera-{run_id}-{n}@example.org" for n in range(1000)]

    def support(n: int) -> int:
        person = Person(base_url, 1000 + n)
        return person.post_form(
            f"/ideas/{idea_id}", f"/ideas/{idea_id}/support", {"email": supporters[n]}
        ).status_code

    say("  1,000 supports at once …")
    statuses = fire(1000, support)
    report.add("supports answered with a redirect", {302: 1000}, dict(statuses))
    confirm = links(smtp, set(supporters), r"(/supports/confirm/[A-Za-z0-9_-]+)")
    report.add("support confirmation links mailed", 1000, len(confirm))
    paths = [path for found in confirm.values() for path in found[:1]]
    # Every link clicked twice at the same moment: still one support each.
    doubled = paths + paths

    def click(n: int) -> int:
        return Person(base_url, 3000 + n % 1000).get(doubled[n]).status_code

    say("  2,000 confirmation clicks at once (each link twice) …")
    statuses = fire(len(doubled), click)
    report.add("confirmation clicks answered 200", {200: 2000}, dict(statuses))
    after_count = scalar(select(Idea.supports_count).where(Idea.id == idea_id))
    after_rows = scalar(
        select(func.count())
        .select_from(Support)
        .where(Support.idea_id == idea_id, Support.confirmed_at.is_not(None))
    )
    report.add("supports counted (+1000)", 1000, after_count - before_count)
    report.add("confirmed support rows (+1000)", 1000, after_rows - before_rows)

    # --- 1,000 article views -------------------------------------------------
    slug = facts["views_article"]
    before = scalar(select(Article.views).where(Article.slug == slug))

    def read(n: int) -> int:
        # 1,000 readers; the first 200 come back a second time.
        return Person(base_url, 5000 + n % 1000).get(f"/articles/{slug}").status_code

    say("  1,200 article reads by 1,000 readers at once …")
    statuses = fire(1200, read)
    report.add("article reads answered 200", {200: 1200}, dict(statuses))
    after = scalar(select(Article.views).where(Article.slug == slug))
    report.add("article views counted (+1000)", 1000, after - before)

    # --- 50 registrations for 10 places --------------------------------------
    workshop_slug = facts["capacity_workshop"]
    workshop_id = scalar(select(Workshop.id).where(Workshop.slug == workshop_slug))
    people = [f"uczestnik-{run_id}-{n}@example.org" for n in range(50)]

    def register(n: int) -> int:
        return (
            Person(base_url, 7000 + n)
            .post_form(
                f"/workshops/{workshop_slug}",
                f"/workshops/{workshop_slug}/register",
                {
                    "name": f"Uczestnik {n}",
                    "email": people[n],
                    "participant_group": "resident",
                    "needs": "",
                    "consent": "y",
                },
            )
            .status_code
        )

    say("  50 registrations at once …")
    statuses = fire(50, register)
    report.add("registrations answered 303", {303: 50}, dict(statuses))
    tokens = links(smtp, set(people), r"/registrations/([A-Za-z0-9_-]{20,})")
    report.add("registration links mailed", 50, len(tokens))
    # Everyone opens their link first, then all 50 confirm at the same moment.
    pages = []
    for n, address in enumerate(people):
        token = tokens.get(address, [None])[0]
        if token:
            person = Person(base_url, 7000 + n)
            pages.append((person, token, csrf(person.get(f"/registrations/{token}").text)))

    def confirm_place(n: int) -> int:
        person, token, form_token = pages[n]
        return person.session.post(
            f"{base_url}/registrations/{token}/confirm",
            data={"csrf_token": form_token},
            allow_redirects=False,
            timeout=120,
        ).status_code

    say("  50 confirmations for 10 places at once …")
    statuses = fire(len(pages), confirm_place)
    report.add("confirmations answered 303", {303: 50}, dict(statuses))
    with app.app_context():
        counts = dict(
            Counter(
                db.session.scalars(
                    select(Registration.status).where(
                        Registration.workshop_id == workshop_id,
                        Registration.email.in_(people),
                    )
                ).all()
            )
        )
        taken = db.session.scalar(select(Workshop.places_taken).where(Workshop.id == workshop_id))
        db.session.remove()
    report.add(
        "places: 10 confirmed, 40 waiting",
        {RegistrationStatus.CONFIRMED.value: 10, RegistrationStatus.WAITING.value: 40},
        {str(k): v for k, v in counts.items()},
    )
    report.add("workshop places taken", 10, taken)
    return report
