"""Dashboard tiles: what waits for moderators, and for editors."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from app.moderation import queries
from app.security.permissions import can
from app.staff.dashboard import Tile


def moderation_tiles() -> list[Tile]:
    if not can("moderate"):
        return []
    counts = queries.waiting_counts()
    return [
        Tile(
            _("Nowe zgłoszenia do moderacji"),
            counts["new"],
            url_for("moderation.queue", tab="new"),
            _("Najstarsze na górze listy."),
            urgent=True,
        ),
        Tile(
            _("Poprawione przez autorów"),
            counts["revised"],
            url_for("moderation.queue", tab="revised"),
            _("Autorzy odpowiedzieli na prośbę o zmiany."),
            urgent=True,
        ),
        Tile(
            _("Zgłoszone przez czytelników"),
            counts["reported"],
            url_for("moderation.queue", tab="reported"),
            _("Odrzuć zgłoszenie albo podejmij decyzję."),
            urgent=True,
        ),
    ]


def answer_tiles() -> list[Tile]:
    # Editors answer; moderators and admins see the ideas in their own tiles.
    if not can("answer_ideas") or can("moderate"):
        return []
    url = url_for("moderation.answers", answer="missing")
    return [
        Tile(
            _("Opublikowane pomysły bez oficjalnej odpowiedzi"),
            queries.ideas_without_answer(),
            url,
            _("Odpowiedź organizatora pokaże autorom i czytelnikom, co dalej."),
        )
    ]
