"""Command-line interface: flask --app wsgi <group> <command>."""

from __future__ import annotations

from importlib import import_module

from flask import Flask

# Each module defines a click group named ``cli``.
CLI_MODULES = (
    "app.auth.cli",
    "app.demo.cli",
    "app.mail_cli",
    "app.maintenance",
    "app.moderation.cli",
)


def register_cli(app: Flask) -> None:
    for name in CLI_MODULES:
        app.cli.add_command(import_module(name).cli)
