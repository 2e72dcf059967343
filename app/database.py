"""Database connection settings that must hold on every connection."""

from __future__ import annotations

import sqlite3
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.extensions import db
from app.models.base import UTCDateTime
from app.search import install_search_schema


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


def insert_for(target: Any) -> Any:
    """An INSERT into *target* (a model or a table) that knows ``ON CONFLICT``
    on the database in use: PostgreSQL or SQLite, the two Odkrywka runs on."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(target)


def init_app(app: Flask) -> None:
    """Before ``db.init_app``: SQLite waits for a busy file, and every
    SQLite connection gets the pragmas above."""
    if not event.contains(Engine, "connect", _sqlite_pragmas):
        event.listen(Engine, "connect", _sqlite_pragmas)
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
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def create_schema(engine) -> None:  # noqa: ANN001
    """Create every table and the DDL the models cannot express: the
    full-text index and its triggers (tests and first-run helpers; the
    migrations carry the same statements)."""
    db.metadata.create_all(engine)
    with engine.begin() as connection:
        install_search_schema(connection)
