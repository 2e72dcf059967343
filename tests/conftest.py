"""Test fixtures: a fresh database per test on SQLite or PostgreSQL, a real
SMTP server, a live server in a thread, and object factories.

Set TEST_DATABASE_URL=postgresql+psycopg://user@host/postgres to run the
suite on PostgreSQL: a database of its own is created for the run and
dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from app import create_app
from app.extensions import db
from config import TestConfig
from tests.factories import Factory, free_port
from tests.smtp import SMTPServer

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")


def pytest_report_header(config) -> str:  # noqa: ANN001
    return f"database: {'PostgreSQL' if ON_POSTGRES else 'SQLite'}"


# Tests using these fixtures (or needing a browser, PostgreSQL server or
# Redis) start servers of their own: they are marked ``network``.
SERVER_FIXTURES = {"live_server", "smtp_server", "mail_app", "mail_client"}
SERVER_MARKERS = ("browser", "postgres", "redis")


def pytest_collection_modifyitems(items) -> None:  # noqa: ANN001
    for item in items:
        if SERVER_FIXTURES.intersection(item.fixturenames) or any(
            item.get_closest_marker(name) for name in SERVER_MARKERS
        ):
            item.add_marker(pytest.mark.network)


def pytest_sessionfinish(session, exitstatus) -> None:  # noqa: ANN001
    from tests.browser_support import close_chromium

    close_chromium()


@pytest.fixture
def browser_page():
    """A page in headless Chromium (fresh context, Playwright's defaults)."""
    from tests.browser_support import new_page

    with new_page() as page:
        yield page


@pytest.fixture(scope="session")
def database_template(tmp_path_factory) -> Iterator[str]:
    """Build the schema once per run; yield the URL (PG) or template file (SQLite)."""
    from app.database import create_schema

    if ON_POSTGRES:
        admin_url = make_url(TEST_DATABASE_URL)
        name = f"odkrywka_test_{uuid.uuid4().hex[:10]}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = admin_url.set(database=name).render_as_string(hide_password=False)
        app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            create_schema(db.engine)
            db.engine.dispose()
        yield url
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("schema") / "template.db"
        app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
        with app.app_context():
            create_schema(db.engine)
            db.engine.dispose()
        yield str(path)


@pytest.fixture(scope="session")
def worker_database_path(tmp_path_factory) -> Path:
    """SQLite: the one database file this worker's tests use, refilled per test."""
    return tmp_path_factory.mktemp("database") / "test.db"


@pytest.fixture
def database_url(database_template: str, worker_database_path: Path) -> Iterator[str]:
    """A clean database for one test: the template copied afresh (SQLite) or
    every table emptied afterwards (PostgreSQL). The URL is the same for every
    test of a worker, so an app built for one test can serve the next."""
    if ON_POSTGRES:
        yield database_template
        _empty_postgres_database(database_template)
    else:
        for leftover in worker_database_path.parent.glob(worker_database_path.name + "-*"):
            leftover.unlink()  # a journal left by a test that stopped mid-transaction
        shutil.copyfile(database_template, worker_database_path)
        yield f"sqlite:///{worker_database_path}"


_postgres_engines: dict[str, Any] = {}


def _empty_postgres_database(url: str) -> None:
    """Delete every row and restart every id sequence, as a fresh database.

    DELETE on a nearly empty table costs about a millisecond; TRUNCATE of the
    same tables several hundred (it rewrites every table file)."""
    engine = _postgres_engines.get(url)
    if engine is None:
        engine = _postgres_engines[url] = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())
        sequences = connection.scalars(
            text(
                "SELECT quote_ident(sequence_schema) || '.' || quote_ident(sequence_name)"
                " FROM information_schema.sequences"
            )
        ).all()
        if sequences:
            restarts = ", ".join(f"setval('{name}', 1, false)" for name in sequences)
            connection.execute(text(f"SELECT {restarts}"))


class _TemplateBytecode(BytecodeCache):
    """Compiled templates kept in memory for every app of a worker: each new
    app otherwise compiles every template it renders again."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:  # noqa: ANN001
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:  # noqa: ANN001
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_BYTECODE = _TemplateBytecode()


class _SharedApp:
    """The app with the test settings and nothing else, built once per worker
    and handed to every test that asks for no extra settings.

    Building an app (routing rules, extensions) is the largest fixed cost of a
    test, so it is reused, but only while nothing could have changed it: the
    database is refilled before each test, the uploads folder, the page cache
    and the rate-limit counters are emptied; after a test the app's settings,
    hooks, rules, template globals, extensions and loggers must be as they were
    built, or it is thrown away. Any other app built in between (extensions
    such as the rate limiter and the log handler are set up per process by the
    last app built) also throws it away."""

    def __init__(self) -> None:
        self.app = None
        self.fingerprint = None
        self.builds = 0  # apps built by this worker
        self.built_at = -1

    @staticmethod
    def take_fingerprint(app) -> tuple:  # noqa: ANN001
        import logging

        from app.extensions import limiter

        hooks = (
            app.before_request_funcs,
            app.after_request_funcs,
            app.teardown_request_funcs,
            app.teardown_appcontext_funcs,
            app.url_value_preprocessors,
            app.url_default_functions,
            app.template_context_processors,
            app.error_handler_spec,
        )
        from _pytest.logging import LogCaptureHandler

        def captured(handler) -> bool:  # noqa: ANN001 - pytest's own, added per test phase
            return isinstance(handler, LogCaptureHandler)

        loggers = (app.logger, logging.getLogger("odkrywka"))
        return (
            dict(app.config),
            repr(hooks),
            sorted(str(rule) + repr(rule.methods) for rule in app.url_map.iter_rules()),
            dict(app.view_functions),
            dict(app.jinja_env.globals),
            dict(app.jinja_env.filters),
            dict(app.jinja_env.tests),
            {k: v for k, v in app.extensions.items() if k not in {"page_cache", "page_cache_values"}},
            [
                (lg.level, lg.disabled, lg.propagate, [h for h in lg.handlers if not captured(h)])
                for lg in loggers
            ],
            (limiter.enabled, limiter._storage),
            (app.debug, app.testing, app.secret_key),
        )

    def take(self, build):  # noqa: ANN001, ANN201
        if self.app is None or self.built_at != self.builds:
            self.app = build()
            self.built_at = self.builds
            self.fingerprint = self.take_fingerprint(self.app)
        return self.app

    def reset(self, upload_dir: Path) -> None:
        """Make the shared app fit for the next test, or drop it."""
        from app.extensions import limiter
        from app.pagecache import PageStore, ValueStore

        app = self.app
        if app is None:
            return
        if self.built_at != self.builds:  # another app has set up the extensions since
            self.app = None
            return
        try:
            unchanged = self.take_fingerprint(app) == self.fingerprint
        except Exception:  # noqa: BLE001 - anything odd: build a fresh one
            unchanged = False
        if not unchanged:
            self.app = None
            return
        store = app.extensions.get("page_cache")
        if store is not None:
            app.extensions["page_cache"] = PageStore(store.max_entries, store.max_bytes)
        # Kept values too: the next test's database numbers its changes from
        # the start again, so a value kept here could match its numbers.
        values = app.extensions.get("page_cache_values")
        if values is not None:
            app.extensions["page_cache_values"] = ValueStore(values.max_entries)
        if app.config.get("RATELIMIT_ENABLED") and limiter._storage is not None:
            with app.app_context():
                limiter.reset()
        shutil.rmtree(upload_dir, ignore_errors=True)


_SHARED_APP = _SharedApp()


@pytest.fixture
def make_app(database_url: str, tmp_path: Path, tmp_path_factory):
    """Build a new app on this test's database, with extra settings.

    ``make_app.shared()`` returns the worker's shared app instead (see
    ``_SharedApp``); the ``app`` fixture uses it when a test asks for no
    extra settings."""
    apps = []
    shared_uploads = tmp_path_factory.getbasetemp() / "shared-app-uploads"

    def new_app(**settings):
        app = create_app(TestConfig, settings)
        app.jinja_env.bytecode_cache = _TEMPLATE_BYTECODE
        _SHARED_APP.builds += 1
        apps.append(app)
        return app

    def build(**overrides):
        settings = {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "UPLOAD_DIR": str(tmp_path / "uploads"),
        }
        settings.update(overrides)
        return new_app(**settings)

    def shared():
        return _SHARED_APP.take(
            lambda: new_app(SQLALCHEMY_DATABASE_URI=database_url, UPLOAD_DIR=str(shared_uploads))
        )

    build.shared = shared
    yield build
    shared_app = _SHARED_APP.app
    for app in [*apps, shared_app] if shared_app is not None else apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    _SHARED_APP.reset(shared_uploads)


@pytest.fixture
def app(make_app, request):
    marker = request.node.get_closest_marker("app_config")
    if marker and marker.kwargs:
        return make_app(**marker.kwargs)
    return make_app.shared()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make(app) -> Factory:
    return Factory(app)


@pytest.fixture
def login(client, make):
    """Sign the test client in as a new staff member of *role*; returns the user."""

    def sign_in(role: str = "admin", **kwargs):
        user = make.user(role=role, **kwargs)
        response = client.post(
            "/staff/login", data={"email": user.email, "password": Factory.PASSWORD}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return sign_in


@pytest.fixture
def moderator(login):
    """The test client signed in as a moderator; returns the user."""
    return login("moderator")


@pytest.fixture
def smtp_server() -> Iterator[SMTPServer]:
    server = SMTPServer(port=free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(make_app, smtp_server):
    """An app that really sends mail to the test's SMTP server."""
    return make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)


@pytest.fixture
def mail_client(mail_app):
    return mail_app.test_client()


class LiveServer:
    def __init__(self, app) -> None:  # noqa: ANN001
        from werkzeug.serving import make_server

        self.app = app
        self.port = free_port()
        self.server = make_server("127.0.0.1", self.port, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(app) -> Iterator[LiveServer]:
    """The app served by a real threaded HTTP server on a free port."""
    server = LiveServer(app).start()
    yield server
    server.stop()
