"""The application factory, configuration and health check."""

from __future__ import annotations

import os
import stat

import pytest

from app import create_app
from config import Config, DevelopmentConfig, ProductionConfig, config_from_env


def test_factory_builds_an_app_in_testing_mode(app):
    assert app.testing
    assert app.config["BABEL_DEFAULT_LOCALE"] == "pl"
    assert app.config["MAIL_SERVER"] is None  # tests never reach a real mail server


def test_factory_fills_instance_defaults(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)

    class Bare(Config):
        SQLALCHEMY_DATABASE_URI = None
        SECRET_KEY = None
        UPLOAD_DIR = None

    app = create_app(Bare)
    # Flask's instance folder sits beside the package by default.
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("odkrywka.db")
    assert app.config["UPLOAD_DIR"].endswith("uploads")
    assert len(app.config["SECRET_KEY"]) >= 32


def test_secret_key_is_generated_once_and_kept_private(tmp_path):
    from app import _load_or_create_secret

    path = tmp_path / "secret_key"
    first = _load_or_create_secret(path)
    second = _load_or_create_secret(path)
    assert first == second
    assert len(first) == 64
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_config_is_chosen_by_environment(monkeypatch):
    monkeypatch.setenv("ODKRYWKA_ENV", "production")
    assert config_from_env() is ProductionConfig
    monkeypatch.setenv("ODKRYWKA_ENV", "nonsense")
    assert config_from_env() is DevelopmentConfig


@pytest.mark.parametrize(
    ("variable", "key", "value", "expected"),
    [
        ("BASE_URL", "BASE_URL", "https://idee.example.pl/", "https://idee.example.pl"),
        ("RATELIMIT_STORAGE_URI", "RATELIMIT_STORAGE_URI", "redis://x:6379/1", "redis://x:6379/1"),
        ("RATELIMIT_ENABLED", "RATELIMIT_ENABLED", "false", False),
        ("MAIL_PORT", "MAIL_PORT", "2525", 2525),
        ("MAIL_USE_TLS", "MAIL_USE_TLS", "true", True),
    ],
)
def test_settings_are_read_from_the_environment(monkeypatch, variable, key, value, expected):
    import importlib

    import config

    monkeypatch.setenv(variable, value)
    reloaded = importlib.reload(config)
    try:
        assert getattr(reloaded.Config, key) == expected
    finally:
        monkeypatch.delenv(variable)
        importlib.reload(config)


def test_health_check_reports_a_reachable_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_health_check_is_503_when_the_database_is_unreachable(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/x.db")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] != "ok"


def test_a_worker_finding_the_secret_file_being_written_waits_for_the_key(tmp_path):
    import threading
    import time

    from app import _load_or_create_secret

    path = tmp_path / "secret_key"
    path.touch(mode=0o600)  # created by another worker, key not written yet

    def write_later() -> None:
        time.sleep(0.1)
        path.write_text("k" * 64)

    writer = threading.Thread(target=write_later)
    writer.start()
    assert _load_or_create_secret(path) == "k" * 64
    writer.join()
