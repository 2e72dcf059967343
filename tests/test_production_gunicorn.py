"""gunicorn.conf.py: everything from the environment, nothing preloaded."""

from __future__ import annotations

import os
import runpy
import subprocess

import pytest

from tests.production_support import BIN, REPO, server_env

pytestmark = [pytest.mark.slow, pytest.mark.network]

CONF = str(REPO / "gunicorn.conf.py")


def load(monkeypatch, **env: str) -> dict:
    for name in list(os.environ):
        if name.startswith("GUNICORN_") or name in {"WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS"}:
            monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(CONF)


def test_workers_bind_and_threads_come_from_the_environment(monkeypatch):
    conf = load(
        monkeypatch,
        WEB_CONCURRENCY="3",
        GUNICORN_BIND="0.0.0.0:8080, unix:/run/odkrywka.sock",
        GUNICORN_THREADS="4",
        FORWARDED_ALLOW_IPS="10.0.0.2",
    )
    assert conf["workers"] == 3
    assert conf["bind"] == ["0.0.0.0:8080", "unix:/run/odkrywka.sock"]
    assert (conf["threads"], conf["worker_class"]) == (4, "gthread")
    assert conf["forwarded_allow_ips"] == "10.0.0.2"


def test_defaults_suit_one_host(monkeypatch):
    conf = load(monkeypatch)
    assert conf["workers"] == (os.cpu_count() or 1) * 2 + 1
    assert conf["bind"] == ["127.0.0.1:8000"]
    assert conf["worker_class"] == "sync"
    assert conf["preload_app"] is False
    assert conf["forwarded_allow_ips"] == "127.0.0.1,::1"
    # No shared control socket unless asked for one.
    assert conf["control_socket_disable"] is True


def test_the_access_log_format_carries_the_request_id_and_no_address(monkeypatch):
    conf = load(monkeypatch)
    assert "%({x-request-id}o)s" in conf["access_log_format"]
    assert "%(h)s" not in conf["access_log_format"]
    assert "%(f)s" not in conf["access_log_format"]


@pytest.mark.slow
def test_gunicorn_accepts_the_configuration(database_url):
    result = subprocess.run(
        [str(BIN / "gunicorn"), "--check-config", "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=REPO,
        env=server_env(database_url, WEB_CONCURRENCY="2"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
