"""Test fixtures: a fresh database per test on SQLite or PostgreSQL, a real
SMTP server, a live server in a thread, and object factories.

Set TEST_DATABASE_URL=postgresql+psycopg://user@host/postgres to run the
suite on PostgreSQL: a database of its own is created for the run and
dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from config import TestConfig
from tests.factories import Factory
from tests.smtp import SMTPServer

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")


def pytest_report_header(config) -> str:  # noqa: ANN001
    return f"database: {'PostgreSQL' if ON_POSTGRES else 'SQLite'}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


@pytest.fixture
def database_url(database_template: str, tmp_path: Path) -> Iterator[str]:
    """A clean database for one test."""
    if ON_POSTGRES:
        yield database_template
        engine = create_engine(database_template)
        tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
    else:
        path = tmp_path / "test.db"
        shutil.copyfile(database_template, path)
        yield f"sqlite:///{path}"


@pytest.fixture
def make_app(database_url: str, tmp_path: Path):
    """Build an app on this test's database, with extra settings."""
    apps = []

    def build(**overrides):
        settings = {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "UPLOAD_DIR": str(tmp_path / "uploads"),
        }
        settings.update(overrides)
        app = create_app(TestConfig, settings)
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app, request):
    marker = request.node.get_closest_marker("app_config")
    return make_app(**(marker.kwargs if marker else {}))


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
