"""Dashboard tiles for people who run the meetings."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from app.security.permissions import can
from app.staff.dashboard import Tile


def workshop_tiles() -> list[Tile]:
    if not can("manage_workshops"):
        return []
    from app.staff_workshops.services import needing_attention

    figures = needing_attention()
    index = url_for("staff_workshops.index")
    tiles = [
        Tile(
            label=_("Nadchodzące spotkania"),
            count=figures["upcoming"],
            url=index,
            hint=_("Zapisy, listy rezerwowe, wiadomości do uczestników."),
        )
    ]
    if figures["attendance"]:
        tiles.append(
            Tile(
                label=_("Spotkania bez zaznaczonej obecności"),
                count=figures["attendance"],
                url=index + "#odbyte",
                hint=_("Zaznacz, kto przyszedł – liczby trafią do wyników."),
                urgent=True,
            )
        )
    if figures["minutes"]:
        tiles.append(
            Tile(
                label=_("Protokoły do opublikowania"),
                count=figures["minutes"],
                url=index + "#odbyte",
                hint=_("Spotkania, które się odbyły, a nie mają opublikowanego protokołu."),
            )
        )
    return tiles
