"""Two real app servers (separate gunicorn processes, as on two hosts) on one
PostgreSQL database and one Redis: nothing one of them needs is held in the
other's memory.

Runs against PostgreSQL on every pass of the suite (also the SQLite one);
skips when PostgreSQL or Redis is unreachable, except under CI=true, where
it fails instead.
"""

from __future__ import annotations

import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.mail import queue_mail
from app.models import OutboxMessage, OutboxStatus
from config import TestConfig
from tests.production_support import (
    GunicornServer,
    SlowSMTPServer,
    csrf_token,
    delete_keys,
    flask_cli,
    free_port,
    fresh_postgres_database,
    redis_uri,
    require_redis,
    server_env,
    staff_login,
    start_mail_workers,
    stop_process,
    wait_until_all_sent,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

EMAIL = "koordynatorka@odkrywka.example.org"
PASSWORD = "Długie hasło koordynatorki 2026!"  # noqa: S105 - test-only
WRONG = {"email": EMAIL, "password": "zupełnie nie to hasło"}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """One PostgreSQL database, one Redis, two gunicorn servers (2 workers each)."""
    redis = require_redis()
    prefix = f"odkrywka-two-servers-{uuid.uuid4().hex[:10]}"
    tmp = tmp_path_factory.mktemp("two_servers")
    with fresh_postgres_database() as (url, schema_from):
        env = server_env(
            url,
            RATELIMIT_STORAGE_URI=redis_uri(),
            RATELIMIT_KEY_PREFIX=prefix,
            RATELIMIT_LOGIN="5 per minute",
            # One proxy in front of both hosts, like a load balancer.
            PROXY_FIX_X_FOR=1,
            # Both hosts mount the same upload volume.
            UPLOAD_DIR=str(tmp / "uploads"),
        )
        created = flask_cli(
            ["users", "create", EMAIL, "--role", "admin", "--name", "Koordynatorka"],
            env,
            stdin=f"{PASSWORD}\n{PASSWORD}\n",
        )
        assert created.returncode == 0, created.stdout + created.stderr
        servers = [
            GunicornServer(env, tmp / f"server_{name}.log", workers=2) for name in ("a", "b")
        ]
        try:
            for server in servers:
                server.start()
            yield {
                "url": url,
                "a": servers[0],
                "b": servers[1],
                "schema_from": schema_from,
                "tmp": tmp,
            }
        finally:
            for server in servers:
                server.stop()
            delete_keys(redis, prefix)
            redis.close()


def as_client(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


def test_the_servers_are_separate_processes_on_one_database(cluster):
    a, b = cluster["a"], cluster["b"]
    assert a.port != b.port
    assert a.process.pid != b.process.pid
    assert not (a.worker_pids() & b.worker_pids())
    for server in (a, b):
        assert requests.get(server.url + "/healthz", timeout=10).json() == {
            "status": "ok",
            "database": "ok",
        }
    # Which way the schema was made (migrations once they cover every model).
    print(f"schema from: {cluster['schema_from']}")


def test_a_session_from_one_server_is_valid_on_the_other(cluster):
    a, b = cluster["a"], cluster["b"]
    session = requests.Session()
    headers = as_client("198.51.100.10")
    session.headers.update(headers)
    # The form comes from A, the sign-in goes to B: the CSRF token lives in
    # the signed session cookie, not in A's memory.
    page = session.get(a.url + "/staff/login", timeout=10)
    response = session.post(
        b.url + "/staff/login",
        data={"email": EMAIL, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
        allow_redirects=False,
        timeout=20,
    )
    assert response.status_code == 302, response.text[:500]
    cookie = session.cookies.get("session")
    assert cookie

    for server in (a, b, a, b):
        dashboard = requests.get(
            server.url + "/staff/", cookies={"session": cookie}, headers=headers, timeout=10
        )
        assert dashboard.status_code == 200, server.url
        assert "Koordynatorka" in dashboard.text

    anonymous = requests.get(b.url + "/staff/", allow_redirects=False, timeout=10)
    assert anonymous.status_code == 302
    assert "/staff/login" in anonymous.headers["Location"]


def test_a_session_signed_with_another_secret_is_refused(cluster):
    session = requests.Session()
    assert staff_login(session, cluster["a"].url, EMAIL, PASSWORD).status_code == 302
    cookie = session.cookies.get("session")
    forged = cookie[:-4] + ("AAAA" if not cookie.endswith("AAAA") else "BBBB")
    response = requests.get(
        cluster["b"].url + "/staff/", cookies={"session": forged}, allow_redirects=False, timeout=10
    )
    assert response.status_code == 302


def test_the_login_rate_limit_counts_across_both_servers(cluster):
    a, b = cluster["a"], cluster["b"]
    attacker = as_client("203.0.113.66")
    statuses = []
    for server in (a, b, a, b, a, b, a):
        session = requests.Session()
        page = session.get(server.url + "/staff/login", headers=attacker, timeout=10)
        response = session.post(
            server.url + "/staff/login",
            data={**WRONG, "csrf_token": csrf_token(page.text)},
            headers=attacker,
            allow_redirects=False,
            timeout=20,
        )
        statuses.append(response.status_code)
    # Five attempts a minute in all, however the balancer spreads them over
    # two hosts with two workers each.
    assert statuses == [400, 400, 400, 400, 400, 429, 429]
    # Someone else, behind the same balancer, is not affected.
    session = requests.Session()
    neighbour = as_client("203.0.113.67")
    assert staff_login_with(session, b.url, neighbour).status_code == 302


def staff_login_with(session: requests.Session, url: str, headers: dict[str, str]):  # noqa: ANN201
    page = session.get(url + "/staff/login", headers=headers, timeout=10)
    return session.post(
        url + "/staff/login",
        data={"email": EMAIL, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
        headers=headers,
        allow_redirects=False,
        timeout=20,
    )


def test_two_mail_workers_on_two_hosts_deliver_each_message_once(cluster):
    smtp = SlowSMTPServer(port=free_port())
    smtp.start()
    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": cluster["url"]})
    recipients = [f"mieszkaniec{i}@example.org" for i in range(100)]
    try:
        with app.test_request_context():
            for address in recipients:
                queue_mail(address, "test_message", "Powiadomienie", body=f"Dla {address}")
            db.session.commit()
        workers = start_mail_workers(cluster["url"], smtp.port, 2, cluster["tmp"])
        try:
            # Only count what these workers send (earlier tests queue mail too).
            wait_until_all_sent(app, None, workers)
            smtp.wait_for(len(recipients), timeout=15)
        finally:
            outputs = [stop_process(worker) for worker in workers]
        assert [worker.returncode for worker in workers] == [0, 0], outputs
    finally:
        smtp.stop()
    delivered = Counter(to for _, tos in smtp.envelopes for to in tos)
    assert Counter({k: v for k, v in delivered.items() if k in recipients}) == Counter(
        dict.fromkeys(recipients, 1)
    )
    with app.app_context():
        rows = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient.in_(recipients))
        ).all()
        assert {row.status for row in rows} == {OutboxStatus.SENT}
        assert len({row.claimed_by for row in rows}) == 2
        db.engine.dispose()


def test_a_change_on_another_host_drops_that_ideas_kept_page_only(cluster):
    """Host A keeps two idea pages; an idea changed elsewhere (a third
    process, as another host) shows on A at once, the other stays kept."""
    from app.models import Category, Idea, IdeaStatus, Process, utcnow

    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": cluster["url"]})
    with app.app_context():
        process = Process(slug=f"proces-{uuid.uuid4().hex[:6]}", title="Konsultacja", published=True)
        category = Category(slug=f"kategoria-{uuid.uuid4().hex[:6]}", name="Kategoria")
        db.session.add_all([process, category])
        db.session.flush()
        ideas = [
            Idea(title=title, description="Opis pomysłu wystarczająco długi do pokazania.",
                 process_id=process.id, category_id=category.id, status=IdeaStatus.PUBLISHED,
                 published_at=utcnow(), email="autor@example.org")
            for title in ("Opera na odkrywce", "Kino letnie na zwałowisku")
        ]  # fmt: skip
        db.session.add_all(ideas)
        db.session.commit()
        x, y = (idea.id for idea in ideas)
    a = cluster["a"]

    def kept_everywhere(path: str) -> None:
        # Each of A's workers keeps its own copy. One client asking again and
        # again may be answered by one worker only (the other never wakes),
        # so ask eight at once, until a whole round comes from kept pages.
        with ThreadPoolExecutor(max_workers=8) as pool:
            for _ in range(20):
                states = list(pool.map(
                    lambda _n: requests.get(a.url + path, timeout=10).headers.get("X-Page-Cache"),
                    range(8),
                ))  # fmt: skip
                if states == ["hit"] * 8:
                    return
        raise AssertionError(f"{path} was never kept by every worker")

    kept_everywhere(f"/ideas/{x}")
    kept_everywhere(f"/ideas/{y}")
    with app.app_context():
        db.session.get(Idea, x).title = "Opera w dawnej odkrywce"
        db.session.commit()
        db.engine.dispose()
    for _ in range(4):
        page = requests.get(a.url + f"/ideas/{x}", timeout=10)
        assert "Opera w dawnej odkrywce" in page.text
        other = requests.get(a.url + f"/ideas/{y}", timeout=10)
        assert other.headers.get("X-Page-Cache") == "hit"
