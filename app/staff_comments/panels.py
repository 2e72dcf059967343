"""Dashboard tile: comments waiting for moderators."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from app.security.permissions import can
from app.staff.dashboard import Tile
from app.staff_comments import queries


def comment_tiles() -> list[Tile]:
    if not can("moderate_comments"):
        return []
    return [
        Tile(
            _("Komentarze do moderacji"),
            queries.waiting(),
            url_for("staff_comments.queue"),
            _("Wstrzymane, nowe do przejrzenia i zgłoszone przez czytelników."),
            urgent=True,
        )
    ]
