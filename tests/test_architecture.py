"""The shape of the code: layers import only downwards, nothing imports in
a circle, and staff screens live in staff packages.

Every import in ``app/`` counts, including those inside functions and under
``if TYPE_CHECKING``: an import moved into a function still ties the two
modules together.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"

# Lower layers never import higher ones. A module belongs to its "room": a
# package directly under app/ (app.ideas), a model module (app.models.idea),
# or a top-level module (app.mail).
FOUNDATION, MODELS, PLATFORM, FEATURES, COMPOSITION = range(5)
LAYER_NAMES = ("foundation", "models", "platform", "features", "composition")
LAYERS = {
    FOUNDATION: {
        "app.extensions",
        "app.clients",
        "app.text",
        "app.timeutil",
        "app.markdown",
        "app.i18n",
        "app.form_messages",
        "app.bilingual",
        "app.logging",
        "app.translations",
    },
    MODELS: {"app.models"},  # and every app.models.<aggregate>
    PLATFORM: {
        "app.security",
        "app.audit",
        "app.mail",
        "app.mail_cli",
        "app.database",
        "app.search",
        "app.search_cli",
        "app.uploads",
        "app.pagecache",
        "app.errors",
        "app.web",
        "app.fragments",
        "app.transaction",
        "app.maintenance",
        "app.notices",
        "app.confirm",
    },
    FEATURES: {
        "app.core",
        "app.auth",
        "app.account",
        "app.staff",
        "app.processes",
        "app.ideas",
        "app.moderation",
        "app.reports",
        "app.catalogue",
        "app.results",
        "app.workshops",
        "app.articles",
        "app.feeds",
        "app.api",
        "app.privacy",
        "app.staff_privacy",
        "app.staff_workshops",
        "app.staff_articles",
        "app.comments",
        "app.staff_comments",
        "app.newsletters",
        "app.staff_newsletters",
        "app.follows",
        "app.consultation_report",
        "app.staff_reports",
        "app.directions",
        "app.staff_directions",
        "app.videos",
        "app.staff_videos",
    },
    COMPOSITION: {"app", "app.demo"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(APP.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _room(module: str) -> str:
    parts = module.split(".")
    if len(parts) >= 3 and parts[1] == "models":
        return ".".join(parts[:3])
    return ".".join(parts[:2])


def _layer(room: str) -> int | None:
    if room.startswith("app.models"):
        return MODELS
    for layer, rooms in LAYERS.items():
        if room in rooms:
            return layer
    return None


def _imports(path: Path, module: str, modules: set[str]) -> set[str]:
    """Every app module *path* imports, wherever the import statement is."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                prefix = package[: len(package) - node.level + 1]
                base = ".".join([*prefix, base] if base else prefix)
            names = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            ]
        else:
            continue
        for name in names:
            # ``import app.x.y`` binds app.x.y; the closest known module counts.
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name.startswith("app") and name != module:
                found.add(name)
    return found


def _room_graph() -> dict[str, set[str]]:
    paths = {_module_name(path): path for path in APP.rglob("*.py")}
    modules = set(paths)
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in paths.items():
        graph[_room(module)]
        for target in _imports(path, module, modules):
            if _room(target) != _room(module):
                graph[_room(module)].add(_room(target))
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one room (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return _room_graph()


def test_every_package_has_a_layer(graph):
    unplaced = sorted(room for room in graph if _layer(room) is None)
    assert not unplaced, f"add these to a layer in {__name__}.LAYERS: {unplaced}"


def test_no_import_cycles(graph):
    assert _cycles(graph) == []


def test_no_layer_imports_a_higher_one(graph):
    upward = sorted(
        f"{room} ({LAYER_NAMES[_layer(room)]}) -> {target} ({LAYER_NAMES[_layer(target)]})"
        for room, targets in graph.items()
        for target in targets
        if _layer(room) is not None
        and _layer(target) is not None
        and _layer(target) > _layer(room)
    )
    assert upward == []


# Staff screens live in staff packages, and staff packages serve only staff
# screens. ``moderation`` is the staff package for ideas; ``auth`` and
# ``account`` are the staff's sign-in and own account.
STAFF_BLUEPRINTS = {
    "auth",
    "account",
    "staff",
    "moderation",
    "staff_privacy",
    "staff_workshops",
    "staff_articles",
    "staff_comments",
    "staff_reports",
    "staff_directions",
    "staff_videos",
    "staff_newsletters",
}


def _is_staff_path(rule: str) -> bool:
    return rule == "/staff" or rule.startswith("/staff/")


def test_every_staff_path_belongs_to_a_staff_blueprint(app):
    misplaced = sorted(
        f"{rule.rule} ({rule.endpoint})"
        for rule in app.url_map.iter_rules()
        if _is_staff_path(rule.rule) and rule.endpoint.partition(".")[0] not in STAFF_BLUEPRINTS
    )
    assert misplaced == []


def test_no_staff_blueprint_serves_a_public_path(app):
    public = sorted(
        f"{rule.rule} ({rule.endpoint})"
        for rule in app.url_map.iter_rules()
        if rule.endpoint.partition(".")[0] in STAFF_BLUEPRINTS and not _is_staff_path(rule.rule)
    )
    assert public == []
