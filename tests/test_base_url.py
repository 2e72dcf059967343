"""BASE_URL follows the address `make run HOST=… PORT=…` serves on unless it
is set: links in mails, feeds and the API lead back to the running server."""

from __future__ import annotations

import subprocess  # nosec B404
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "http://127.0.0.1:5000"),
        ({"FLASK_RUN_PORT": "5301"}, "http://127.0.0.1:5301"),
        ({"FLASK_RUN_HOST": "0.0.0.0", "FLASK_RUN_PORT": "8080"}, "http://127.0.0.1:8080"),
        ({"FLASK_RUN_HOST": "odkrywka.local", "FLASK_RUN_PORT": "5301"}, "http://odkrywka.local:5301"),
    ],
)
def test_base_url_follows_the_run_address_unless_set(monkeypatch, env, expected):
    from config import default_base_url

    for name in ("BASE_URL", "FLASK_RUN_HOST", "FLASK_RUN_PORT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert default_base_url() == expected


def test_make_run_passes_host_and_port_to_flask():
    recipe = subprocess.run(  # noqa: S603 - a fixed command line
        ["make", "-n", "run", "PORT=5301", "HOST=127.0.0.1"],  # noqa: S607
        cwd=ROOT, capture_output=True, text=True, check=False,
    ).stdout  # fmt: skip
    assert "FLASK_RUN_HOST=127.0.0.1 FLASK_RUN_PORT=5301" in recipe, recipe
    assert sys.executable  # the recipe is only printed (-n), nothing runs
