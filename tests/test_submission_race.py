"""Double clicks and parallel requests against a real threaded server."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import func, select

from app.extensions import db
from app.models import Idea, IdeaEvent, IdeaStatus, OutboxMessage
from tests.submission_support import form_data, link_in

CLICKS = 8


def _all_at_once(method: str, urls: list[str], data: dict | None = None) -> list[int]:
    barrier = threading.Barrier(len(urls))

    def call(url: str) -> int:
        with requests.Session() as session:
            barrier.wait()
            response = session.request(method, url, data=data, allow_redirects=False, timeout=60)
            return response.status_code

    with ThreadPoolExecutor(max_workers=len(urls)) as pool:
        return list(pool.map(call, urls))


def _count(app, model, *conditions) -> int:  # noqa: ANN001
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def test_many_clicks_on_the_confirmation_link_confirm_once(app, client, make, live_server):
    make.process()
    category = make.category()
    assert client.post("/ideas/new", data=form_data(category.slug)).status_code == 303
    with app.app_context():
        body = db.session.scalar(select(OutboxMessage.body_text))
    url = live_server.url + link_in(body, "confirm")

    codes = _all_at_once("GET", [url] * CLICKS)

    assert codes == [200] * CLICKS
    assert _count(app, IdeaEvent, IdeaEvent.kind == "confirmed") == 1
    assert _count(app, OutboxMessage, OutboxMessage.template == "idea_tracking") == 1
    assert _count(app, Idea, Idea.status == IdeaStatus.AWAITING_REVIEW) == 1


def test_parallel_withdrawals_withdraw_once_and_mail_once(app, make, live_server):
    idea = make.idea(status=IdeaStatus.AWAITING_REVIEW)
    url = f"{live_server.url}/ideas/track/{idea.track_token}/withdraw"

    codes = _all_at_once("POST", [url] * CLICKS)

    assert sorted(codes) == [303] + [409] * (CLICKS - 1)
    assert _count(app, IdeaEvent, IdeaEvent.kind == "withdrawn") == 1
    assert _count(app, OutboxMessage, OutboxMessage.template == "idea_withdrawn") == 1
