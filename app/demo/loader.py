"""Loads the demo consultation, one part per feature.

Dates are relative to today, so everything can be tried at once: ideas are
accepted now, past meetings have minutes, one upcoming workshop is full.
Each part is idempotent; the whole load is skipped when the demo process
already exists.
"""

from __future__ import annotations

from importlib import import_module

from sqlalchemy import select

from app.demo.core import DEMO_PROCESS_SLUG
from app.extensions import db
from app.models import Process

# Modules with ``load(ctx: dict) -> None``, run in this order.
DEMO_PARTS = (
    "app.demo.core",
    "app.demo.workshops",
    "app.demo.ideas",
    "app.demo.articles",
    "app.moderation.demo",
)


def load_demo() -> bool:
    """Load the demo into the session (caller commits). False if present."""
    if db.session.scalar(select(Process).where(Process.slug == DEMO_PROCESS_SLUG)):
        return False
    ctx: dict = {}
    for name in DEMO_PARTS:
        try:
            module = import_module(name)
        except ModuleNotFoundError as error:
            if error.name == name:
                continue
            raise
        module.load(ctx)
        db.session.flush()
    return True


def generate_ideas(count: int) -> int:
    from app.demo.generate import generate_ideas as generate

    return generate(count)
