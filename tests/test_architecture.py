"""The dependency direction of STYLE.md and the map of issue 17, checked.

The core imports no transport or framework; the pipeline's steps are all that
``handlers/`` holds; the packages import each other without a cycle, so each
room can be read (and tested) with only the rooms below it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.intake.pipeline import HANDLERS, PIPELINES

ROOT = Path(__file__).resolve().parent.parent
TRANSPORTS = {"slack_sdk", "slack_bolt", "aiosmtpd", "imapclient", "smtplib", "imaplib", "aiohttp"}
FRAMEWORKS = TRANSPORTS | {"sqlalchemy", "click", "jinja2"}
OURS = ("bot", "handlers", "storage")


def _type_checking_only(tree: ast.Module) -> set[int]:
    """The nodes under ``if TYPE_CHECKING:``: annotations, not imports that run."""
    return {id(node) for block in ast.walk(tree)
            if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
            for node in ast.walk(block)}


def imported_modules(path: Path, *, runtime_only: bool = False) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_only(tree) if runtime_only else set()
    modules = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def is_under(module: str, names: set[str]) -> bool:
    return any(module == name or module.startswith(name + ".") for name in names)


def offenders(package: str, forbidden: set[str]) -> dict[str, list[str]]:
    found = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        bad = {module for module in imported_modules(path) if is_under(module, forbidden)}
        if bad:
            found[str(path.relative_to(ROOT))] = sorted(bad)
    return found


@pytest.mark.parametrize(("package", "forbidden"), [
    ("bot/domain", FRAMEWORKS | {"storage", "handlers", "bot.app"}),
    ("handlers", TRANSPORTS | {"bot.mail", "bot.slack", "bot.web", "bot.intake", "bot.jobs"}),
    ("storage", TRANSPORTS | {"handlers", "bot.app"}),
])
def test_core_does_not_import_transports_or_the_shell(package, forbidden):
    assert offenders(package, forbidden) == {}


def test_the_domain_imports_no_slack_library_of_any_name():
    slack_libraries = {module for path in (ROOT / "bot/domain").rglob("*.py") for module in imported_modules(path)
                       if module.split(".")[0].startswith("slack")}
    assert slack_libraries == set()


def test_slack_listeners_hold_no_sql():
    """A listener acks, finds the agent, makes one desk call: its reads live in bot/desk (reads, home, chat_desk)."""
    assert offenders("bot/slack/listeners", {"sqlalchemy", "storage.repositories", "storage.models"}) == {}


def test_handlers_holds_exactly_the_pipeline_steps():
    """``ls handlers/`` matches PIPELINES: a use case that is not a step lives in bot/desk."""
    steps = {name for pipeline in PIPELINES.values() for name in pipeline}
    modules = {path.stem for path in (ROOT / "handlers").glob("*.py")} - {"__init__", "base"}
    assert modules == {HANDLERS[name].__name__.rsplit(".", 1)[1] for name in steps}
    assert set(HANDLERS) == steps


def test_at_most_three_loose_modules_at_the_top_of_bot():
    loose = sorted(path.name for path in (ROOT / "bot").glob("*.py") if path.name != "__init__.py")
    assert len(loose) <= 3, loose


# The settings are values every room reads (they import only bot.domain): a node of their own,
# so that reading a setting is not a dependency on the shell that composes the process.
SETTINGS = ("bot.app.config", "bot.app.config_rules")
# Edges allowed while a move is under way (none now: CardView lives in bot/desk/card_view.py).
PENDING: dict[tuple[str, str], set[str]] = {}


def package_of(module: str) -> str:
    """``bot.<room>`` for bot's packages, the settings apart; ``handlers`` and ``storage`` whole."""
    if is_under(module, set(SETTINGS)):
        return "bot.app.config"
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "bot" and len(parts) > 1 else parts[0]


def module_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_edges() -> Iterator[tuple[str, str, str]]:
    """(importing package, imported package, file) for every import that runs, between our packages."""
    for top in OURS:
        for path in sorted((ROOT / top).rglob("*.py")):
            source = package_of(module_of(path))
            for module in imported_modules(path, runtime_only=True):
                target = package_of(module)
                if module.split(".")[0] in OURS and target not in (source, "bot"):
                    yield source, target, str(path.relative_to(ROOT))


def package_graph() -> dict[str, set[str]]:
    files: dict[tuple[str, str], set[str]] = {}
    for source, target, path in import_edges():
        files.setdefault((source, target), set()).add(path)
    graph: dict[str, set[str]] = {}
    for (source, target), paths in files.items():
        if not paths <= PENDING.get((source, target), set()):
            graph.setdefault(source, set()).add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles_between_packages():
    assert cycles(package_graph()) == []


def test_the_cycle_check_sees_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_knows_the_rooms_and_their_direction():
    graph = package_graph()
    assert "bot.domain" in graph["storage"] and "bot.desk" in graph["handlers"]
    assert not {"bot.app", "bot.cli", "bot.demo"} & set().union(*(graph.get(p, set()) for p in (
        "bot.domain", "storage", "handlers", "bot.desk", "bot.mail", "bot.slack", "bot.web", "bot.jobs", "bot.intake")))
