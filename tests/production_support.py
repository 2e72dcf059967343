"""Helpers for the production tests: real gunicorn servers and mail workers
as separate processes, and access to the machine's PostgreSQL and Redis.

Tests that need PostgreSQL or Redis carry ``pytest.mark.postgres`` /
``pytest.mark.redis``. They skip with a reason when the service is not
reachable on a developer's machine, and fail under ``CI=true``, where the
services must be there.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from tests.factories import free_port
from tests.smtp import SMTPServer, _Handler

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SECRET = "production-tests-shared-secret-" + uuid.uuid4().hex
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def unavailable(reason: str) -> None:
    """Skip on a developer's machine; fail in CI, where the service must exist."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: required)")
    pytest.skip(reason)


# --- PostgreSQL ----------------------------------------------------------


def postgres_admin_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if url.startswith("postgresql"):
        return url
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def require_postgres() -> str:
    url = postgres_admin_url()
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:  # noqa: BLE001 - any failure means "not there"
        unavailable(f"PostgreSQL not reachable at {make_url(url).host}: {error}")
    return url


def schema_is_complete(url: str) -> bool:
    """Whether every table of the models exists in the database at *url*."""
    import app.models  # noqa: F401 - every model in the metadata
    from app.extensions import db

    engine = create_engine(url)
    try:
        existing = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    return {table.name for table in db.metadata.sorted_tables} <= existing


def migrations_cover_models() -> bool:
    """Whether the migration scripts create every table the models define
    (a quick look at the scripts, before paying for a real upgrade)."""
    import app.models  # noqa: F401 - every model in the metadata
    from app.extensions import db

    scripts = " ".join(path.read_text() for path in (REPO / "migrations" / "versions").glob("*.py"))
    created = set(re.findall(r"create_table\(\s*['\"](\w+)['\"]", scripts))
    return {table.name for table in db.metadata.sorted_tables} <= created


def create_schema_at(url: str) -> None:
    from app import create_app
    from app.database import create_schema
    from app.extensions import db
    from config import TestConfig

    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        create_schema(db.engine)
        db.engine.dispose()


@contextmanager
def fresh_postgres_database() -> Iterator[tuple[str, str]]:
    """A new, empty PostgreSQL database with the schema; yields (url, how).

    The schema comes from ``flask db upgrade`` when the migrations cover
    every model, otherwise from ``create_schema`` (until the migrations are
    regenerated for the newest models); *how* says which.
    """
    admin_url = make_url(require_postgres())
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")

    def create(name: str) -> str:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        return admin_url.set(database=name).render_as_string(hide_password=False)

    def drop(name: str) -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    name = f"odkrywka_prod_{uuid.uuid4().hex[:10]}"
    url = create(name)
    how = "flask db upgrade"
    try:
        result = None
        if migrations_cover_models():
            result = flask_cli(["db", "upgrade"], server_env(url), timeout=120)
        if result is None or result.returncode != 0 or not schema_is_complete(url):
            drop(name)
            url = create(name)
            create_schema_at(url)
            how = "create_schema"
        yield url, how
    finally:
        drop(name)
        admin.dispose()


# --- Redis ---------------------------------------------------------------


def require_redis(db_number: int = 0):  # noqa: ANN201
    import redis

    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=db_number, socket_timeout=3)
    try:
        client.ping()
    except Exception as error:  # noqa: BLE001
        unavailable(f"Redis not reachable at {REDIS_HOST}:{REDIS_PORT}: {error}")
    return client


def redis_uri(db_number: int = 0) -> str:
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/{db_number}"


def delete_keys(client, prefix: str) -> int:  # noqa: ANN001
    """Delete every Redis key containing *prefix*; return how many."""
    keys = list(client.scan_iter(match=f"*{prefix}*", count=500))
    if keys:
        client.delete(*keys)
    return len(keys)


# --- processes -------------------------------------------------------------


def server_env(database_url: str, **settings: str | int) -> dict[str, str]:
    """Environment for a production-like app process on *database_url*."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MAIL_", "RATELIMIT_", "PROXY_FIX_", "GUNICORN_"))
        and key not in {"TEST_DATABASE_URL", "WEB_CONCURRENCY", "FLASK_APP"}
    }
    env.update(
        {
            "ODKRYWKA_ENV": "production",
            "DATABASE_URL": database_url,
            "SECRET_KEY": SECRET,
            "BASE_URL": "http://odkrywka.test",
            # Plain HTTP on localhost: the cookie must come back without TLS.
            "SESSION_COOKIE_SECURE": "false",
            "PYTHONUNBUFFERED": "1",
            "LOG_LEVEL": "INFO",
        }
    )
    env.update({key: str(value) for key, value in settings.items()})
    return env


def flask_cli(
    args: list[str], env: dict[str, str], timeout: float = 60, stdin: str | None = None
) -> subprocess.CompletedProcess:
    """Run ``flask --app wsgi ARGS`` in a process of its own."""
    return subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=REPO,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class GunicornServer:
    """``gunicorn -c gunicorn.conf.py wsgi:app`` on a free port, as in production."""

    def __init__(self, env: dict[str, str], log_path: Path, workers: int = 2) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(env)
        self.env.update(
            {
                "GUNICORN_BIND": f"127.0.0.1:{self.port}",
                "WEB_CONCURRENCY": str(workers),
                "GUNICORN_THREADS": self.env.get("GUNICORN_THREADS", "1"),
            }
        )
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 40) -> GunicornServer:
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=REPO,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited early:\n{self.log()}")
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise AssertionError(f"gunicorn did not become healthy:\n{self.log()}")

    def worker_pids(self) -> set[int]:
        return {int(pid) for pid in re.findall(r"Booting worker with pid: (\d+)", self.log())}

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if getattr(self, "_log", None) is not None:
            self._log.close()

    def __enter__(self) -> GunicornServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "no csrf_token in the form"
    return match.group(1)


def staff_login(session: requests.Session, base_url: str, email: str, password: str):  # noqa: ANN201
    """Sign in through the real form (with its CSRF token); return the response."""
    page = session.get(base_url + "/staff/login", timeout=10)
    return session.post(
        base_url + "/staff/login",
        data={"email": email, "password": password, "csrf_token": csrf_token(page.text)},
        allow_redirects=False,
        timeout=20,
    )


def submit_idea(
    base_url: str,
    number: int,
    *,
    category: str,
    marker: str,
    forwarded_for: str | None = None,
) -> int:
    """Send the public idea form as a resident would (its page first, for the
    CSRF cookie and token); return the status of the POST."""
    session = requests.Session()
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    page = session.get(base_url + "/ideas/new", headers=headers, timeout=60)
    if page.status_code != 200:
        return page.status_code
    response = session.post(
        base_url + "/ideas/new",
        data={
            "csrf_token": csrf_token(page.text),
            "title": f"{marker} pomysł {number}",
            "description": f"Pomysł numer {number}: ścieżka rowerowa wokół dawnej odkrywki, "
            "z ławkami i punktami widokowymi.",
            "category": category,
            "author_name": f"Mieszkanka {number}",
            "email": f"mieszkanka{number}@example.org",
            "municipality": "Bogatynia",
            "consent": "y",
            "website": "",
        },
        headers=headers,
        allow_redirects=False,
        timeout=60,
    )
    return response.status_code


# --- mail ------------------------------------------------------------------


class _SlowHandler(_Handler):
    async def handle_DATA(self, smtp, session, envelope):  # noqa: ANN001, ANN201, N802
        # A little latency per message, like a real relay, so the workers'
        # rounds overlap instead of one worker finishing before the rest start.
        await asyncio.sleep(0.01)
        return await super().handle_DATA(smtp, session, envelope)


class SlowSMTPServer(SMTPServer):
    def start(self) -> None:
        self.controller = Controller(_SlowHandler(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()


def start_mail_workers(
    database_url: str, smtp_port: int, count: int, log_dir: Path
) -> list[subprocess.Popen]:
    """Start *count* ``flask mail send --loop`` processes and wait until each
    has started its loop, so they really compete for the same messages."""
    env = server_env(database_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_port)
    workers = []
    for n in range(count):
        log_path = log_dir / f"mail_worker_{n}_{uuid.uuid4().hex[:6]}.log"
        with open(log_path, "w") as log:
            worker = subprocess.Popen(
                [str(BIN / "flask"), "--app", "wsgi", "mail", "send", "--loop"]
                + ["--interval", "0.2", "--batch", "5"],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                text=True,
            )
        worker.log_path = log_path  # type: ignore[attr-defined]
        workers.append(worker)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if all("Mail worker" in worker.log_path.read_text() for worker in workers):
            return workers
        if any(worker.poll() is not None for worker in workers):
            break
        time.sleep(0.1)
    outputs = [stop_process(worker) for worker in workers]
    raise AssertionError(f"mail workers did not start: {outputs}")


def wait_until_all_sent(app, total: int | None, workers, timeout: float = 90) -> None:  # noqa: ANN001
    """Poll the outbox until every message (*total* of them, if given) is
    sent, or a worker dies."""
    from app.extensions import db
    from app.models import OutboxMessage, OutboxStatus

    deadline = time.monotonic() + timeout
    statuses: list[str] = []
    while time.monotonic() < deadline:
        with app.app_context():
            statuses = db.session.scalars(select(OutboxMessage.status)).all()
            db.session.remove()
        if (total is None or len(statuses) == total) and all(
            s == OutboxStatus.SENT for s in statuses
        ):
            return
        if any(worker.poll() is not None for worker in workers):
            break
        time.sleep(0.2)
    outputs = [stop_process(worker) for worker in workers]
    raise AssertionError(f"not all messages sent: {Counter(statuses)}\n{outputs}")


def stop_process(worker: subprocess.Popen) -> str:
    """Stop a worker with SIGTERM (as a service manager would); its output."""
    if worker.poll() is None:
        worker.terminate()
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
    log_path = getattr(worker, "log_path", None)
    return log_path.read_text(errors="replace") if log_path else ""
