"""SQLite in production-like use: the connection settings that let several
gunicorn workers share one file, and a real multi-worker write test.

These tests always use an SQLite file of their own, also on the suite's
PostgreSQL pass: they are about SQLite."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.database import create_schema
from app.extensions import db
from app.models import Idea, OutboxMessage
from tests.factories import Factory
from tests.production_support import GunicornServer, server_env, submit_idea

pytestmark = [pytest.mark.slow, pytest.mark.network]


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'odkrywka.db'}"


@pytest.fixture
def sqlite_app(make_app, sqlite_url):
    app = make_app(SQLALCHEMY_DATABASE_URI=sqlite_url)
    with app.app_context():
        create_schema(db.engine)
    return app


def pragma(connection, name: str):  # noqa: ANN001, ANN201
    return connection.exec_driver_sql(f"PRAGMA {name}").scalar()


def test_every_sqlite_connection_uses_wal_a_busy_timeout_and_foreign_keys(sqlite_app):
    with sqlite_app.app_context():
        # Two connections open at once: both must have been set up.
        with db.engine.connect() as first, db.engine.connect() as second:
            for connection in (first, second):
                assert pragma(connection, "journal_mode") == "wal"
                assert pragma(connection, "busy_timeout") >= 5000
                assert pragma(connection, "foreign_keys") == 1
                assert pragma(connection, "synchronous") == 1  # NORMAL: safe with WAL


def test_the_session_connection_has_the_settings_too(sqlite_app):
    with sqlite_app.app_context():
        connection = db.session.connection()
        assert pragma(connection, "journal_mode") == "wal"
        assert pragma(connection, "foreign_keys") == 1


def test_foreign_keys_are_enforced_on_sqlite(sqlite_app):
    with sqlite_app.app_context():
        db.session.add(
            Idea(
                process_id=987654,
                category_id=987654,
                title="Pomysł bez konsultacji",
                description="Nie powinien się zapisać, bo nie ma takiej konsultacji.",
            )
        )
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_a_reader_is_not_blocked_by_an_open_write_transaction(sqlite_app):
    # WAL: a worker reading pages is not held up while another one writes.
    with sqlite_app.app_context():
        with db.engine.connect() as writer:
            writer.exec_driver_sql("BEGIN IMMEDIATE")
            writer.exec_driver_sql(
                "CREATE TABLE scratch_table (id INTEGER PRIMARY KEY)"
            )  # uncommitted
            with db.engine.connect() as reader:
                assert reader.exec_driver_sql("SELECT count(*) FROM ideas").scalar() == 0
            writer.exec_driver_sql("ROLLBACK")


@pytest.mark.slow
def test_three_gunicorn_workers_on_one_sqlite_file_lose_no_submission(
    sqlite_app, sqlite_url, tmp_path
):
    make = Factory(sqlite_app)
    make.process(slug="transformacja-regionu")
    category = make.category(slug="energia", name="Energia")
    marker = f"W{uuid.uuid4().hex[:8]}"
    env = server_env(
        sqlite_url,
        UPLOAD_DIR=str(tmp_path / "uploads"),
        # Each simulated resident comes from an address of their own, as
        # behind a reverse proxy; the per-address limits stay on.
        PROXY_FIX_X_FOR=1,
    )
    total = 200
    with GunicornServer(env, tmp_path / "gunicorn.log", workers=3) as server:

        def submit(n: int) -> int:
            return submit_idea(
                server.url,
                n,
                category=category.slug,
                marker=marker,
                forwarded_for=f"10.{n // 250}.{n % 250}.7",
            )

        def read(_: int) -> int:
            return requests.get(server.url + "/healthz", timeout=60).status_code

        with ThreadPoolExecutor(max_workers=24) as pool:
            writes = pool.map(submit, range(total))
            reads = pool.map(read, range(total))
            write_statuses, read_statuses = list(writes), list(reads)
        assert len(server.worker_pids()) == 3
        log = server.log()

    assert all(status == 303 for status in write_statuses), (
        sorted(set(write_statuses)),
        log[-3000:],
    )
    assert set(read_statuses) == {200}
    with sqlite_app.app_context():
        titles = db.session.scalars(select(Idea.title).where(Idea.title.like(f"{marker}%"))).all()
        assert len(titles) == total
        assert len(set(titles)) == total
        # Each submission queued its confirmation mail in the same transaction.
        outbox = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        assert outbox >= total
    assert "database is locked" not in log
    assert "Traceback" not in log
