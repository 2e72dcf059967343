"""Loads the demo consultation, one part per feature.

Dates are relative to today, so everything can be tried at once: ideas are
accepted now, past meetings have minutes, one upcoming workshop is full.
Each part is idempotent; the whole load is skipped when the demo process
already exists.
"""

from __future__ import annotations

from sqlalchemy import select

from app.comments import demo as comments
from app.demo import articles, core, ideas, videos, workshops
from app.demo.core import DEMO_PROCESS_SLUG
from app.directions import demo as directions
from app.extensions import db
from app.models import Process
from app.moderation import demo as moderation
from app.newsletters import demo as newsletters

# Each part is ``load(ctx: dict) -> None``; later parts use what earlier ones
# put in *ctx*.
DEMO_PARTS = (
    core.load,
    workshops.load,
    ideas.load,
    articles.load,
    moderation.load,
    directions.load,
    videos.load,
    comments.load,
    newsletters.load,
)


def load_demo() -> bool:
    """Load the demo into the session (caller commits). False if present."""
    if db.session.scalar(select(Process).where(Process.slug == DEMO_PROCESS_SLUG)):
        return False
    ctx: dict = {}
    for load in DEMO_PARTS:
        load(ctx)
        db.session.flush()
    return True


def generate_ideas(count: int) -> int:
    from app.demo.generate import generate_ideas as generate

    return generate(count)
