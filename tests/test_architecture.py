"""The dependency direction of STYLE.md, checked: the core imports no transport or framework."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TRANSPORTS = {"slack_sdk", "slack_bolt", "aiosmtpd", "imapclient", "smtplib", "imaplib", "aiohttp"}
FRAMEWORKS = TRANSPORTS | {"sqlalchemy", "click", "jinja2"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def is_under(module: str, names: set[str]) -> bool:
    return any(module == name or module.startswith(name + ".") for name in names)


@pytest.mark.parametrize(("package", "forbidden"), [
    ("bot/domain", FRAMEWORKS | {"storage", "handlers"}),
    ("handlers", TRANSPORTS | {"bot.mail", "bot.slack", "bot.web"}),
    ("storage", TRANSPORTS | {"handlers"}),
])
def test_core_does_not_import_transports(package, forbidden):
    offenders = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        bad = {module for module in imported_modules(path) if is_under(module, forbidden)}
        if bad:
            offenders[str(path.relative_to(ROOT))] = sorted(bad)
    assert offenders == {}


def test_slack_listeners_hold_no_sql():
    """A listener acks, finds the agent, makes one desk call: its reads live in bot/desk (reads, home, chat_desk)."""
    forbidden = {"sqlalchemy", "storage.repositories", "storage.models"}
    offenders = {}
    for path in sorted((ROOT / "bot/slack/listeners").rglob("*.py")):
        bad = {module for module in imported_modules(path) if is_under(module, forbidden)}
        if bad:
            offenders[str(path.relative_to(ROOT))] = sorted(bad)
    assert offenders == {}
