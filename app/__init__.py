"""Odkrywka: a citizen idea platform for a regional consultation."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from config import Config, config_from_env

# Feature blueprints, registered in this order.
BLUEPRINTS = (
    "app.core",
    "app.auth",
    "app.staff",
    "app.processes",
    "app.ideas",
    "app.moderation",
    "app.catalogue",
    "app.results",
    "app.workshops",
    "app.articles",
    "app.feeds",
    "app.api",
    "app.privacy",
    "app.staff_workshops",
    "app.staff_articles",
    "app.account",
)


def create_app(
    config_class: type[Config] | None = None, overrides: dict[str, Any] | None = None
) -> Flask:
    """Build the application: configuration, extensions, blueprints, CLI."""
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="static",
        instance_relative_config=True,
    )
    app.config.from_object(config_class or config_from_env())
    if overrides:
        app.config.update(overrides)
    _fill_instance_defaults(app)

    from app import database, i18n, mail, pagecache, web
    from app import logging as app_logging
    from app.extensions import bootstrap, csrf, db, limiter, login_manager, migrate
    from app.extensions import mail as flask_mail

    app_logging.init_app(app)
    database.init_app(app)  # engine options must be set before db.init_app
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(Path(app.root_path).parent / "migrations"),
        render_as_batch=True,
        compare_type=True,
        render_item=database.render_migration_item,
        include_object=database.include_in_migrations,
    )
    flask_mail.init_app(app)
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    mail.init_app(app)
    web.init_app(app)

    from importlib import import_module

    for name in BLUEPRINTS:
        module = import_module(name)
        app.register_blueprint(module.bp)
    pagecache.init_app(app)

    from app import errors
    from app.cli import register_cli

    errors.init_app(app)
    register_cli(app)
    return app


def _fill_instance_defaults(app: Flask) -> None:
    """Defaults that live in the instance folder: database, secret, uploads."""
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'odkrywka.db'}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _load_or_create_secret(instance / "secret_key")
    if not app.config.get("UPLOAD_DIR"):
        app.config["UPLOAD_DIR"] = str(instance / "uploads")


def _load_or_create_secret(path: Path) -> str:
    """Read the install's secret key, creating it (0600) on first start."""
    import secrets

    try:
        return path.read_text().strip() or _read_when_written(path)
    except FileNotFoundError:
        pass
    key = secrets.token_hex(32)
    # O_EXCL: when several workers start at once only one writes the key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_when_written(path)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _read_when_written(path: Path) -> str:
    """Another worker created the file a moment ago: wait for its key."""
    import time

    for _ in range(50):
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.02)
    raise RuntimeError(f"{path} exists but stays empty; delete it and start again")
