"""Dashboard panels: each feature registers what waits for whom.

A panel is a function returning a list of ``Tile`` for the current user
(empty when the user's role has nothing to do there).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Tile:
    label: str
    count: int | None
    url: str
    hint: str = ""
    urgent: bool = False


PANELS: list[tuple[int, Callable[[], list[Tile]]]] = []


def panel(order: int = 50) -> Callable[[Callable[[], list[Tile]]], Callable[[], list[Tile]]]:
    def register(func: Callable[[], list[Tile]]) -> Callable[[], list[Tile]]:
        PANELS.append((order, func))
        return func

    return register


def tiles() -> list[Tile]:
    result: list[Tile] = []
    for _, func in sorted(PANELS, key=lambda item: item[0]):
        result.extend(func())
    return result
