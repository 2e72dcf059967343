"""Dashboard panels: what waits for whom.

A panel is a function returning a list of ``Tile`` for the current user
(empty when the user's role has nothing to do there). ``create_app``
passes the panels, in the order they are shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask import Flask, current_app


@dataclass(frozen=True)
class Tile:
    label: str
    count: int | None
    url: str
    hint: str = ""
    urgent: bool = False


@dataclass(frozen=True)
class Alert:
    """Something wrong with the platform itself, shown above the tiles."""

    message: str
    url: str | None = None
    link_label: str = ""


Panel = Callable[[], list[Tile]]
AlertSource = Callable[[], list[Alert]]


def init_app(app: Flask, panels: Sequence[Panel], alerts: Sequence[AlertSource] = ()) -> None:
    app.extensions["staff_panels"] = tuple(panels)
    app.extensions["staff_alerts"] = tuple(alerts)


def alerts() -> list[Alert]:
    result: list[Alert] = []
    for source in current_app.extensions.get("staff_alerts", ()):
        result.extend(source())
    return result


def tiles() -> list[Tile]:
    result: list[Tile] = []
    for panel in current_app.extensions["staff_panels"]:
        result.extend(panel())
    return result
