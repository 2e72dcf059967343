"""Database connection settings that must hold on every connection."""

from __future__ import annotations

import sqlite3

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:  # noqa: ANN001
    """WAL, a busy timeout and foreign keys on every SQLite connection.

    WAL lets readers work while one writer writes; the busy timeout makes a
    second writer wait instead of failing at once, so several gunicorn
    workers can share one file.
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def is_sqlite(bind) -> bool:  # noqa: ANN001
    return bind.dialect.name == "sqlite"


def init_app(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("timeout", 15)
        options["connect_args"] = connect_args
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def render_migration_item(type_: str, obj, autogen_context):  # noqa: ANN001, ANN201
    """Write our UTCDateTime as a plain ``sa.DateTime(timezone=True)`` in
    migrations, so they do not import application code."""
    from app.models.base import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# Extra DDL the models cannot express (full-text index and its triggers).
# Features append ``func(connection)``; tests call them after create_all,
# and migrations carry the same statements.
EXTRA_SCHEMA: list = []


def create_schema(engine) -> None:  # noqa: ANN001
    """Create every table and the extra DDL (tests and first-run helpers)."""
    from app.extensions import db

    db.metadata.create_all(engine)
    with engine.begin() as connection:
        for install in EXTRA_SCHEMA:
            install(connection)


def include_in_migrations(obj, name, type_, reflected, compare_to) -> bool:  # noqa: ANN001
    """Alembic autogenerate filter: skip the full-text objects the models
    do not describe (see app.search)."""
    from app.search import include_object

    return include_object(obj, name, type_, reflected, compare_to)
