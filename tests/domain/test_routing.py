"""Routing suggestions: the built-in rules (Swedish and English) as a table, and configured rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app.config import ConfigError, Settings, load_settings
from bot.domain.routing import suggest

TABLE = Path(__file__).resolve().parent.parent / "data" / "lifecycle" / "routing.csv"
# Two extra rules after the built-ins, for the organisation and portal-category rows of the table.
EXTRA = [{"organisation": "2002", "line": 3}, {"portal_category": "beställning", "category": "ordered_service"}]


def rows() -> list:
    return list(_rows())


def _rows():
    for number, line in enumerate(TABLE.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip() and not line.startswith("#"):
            text, organisation, portal_category, expected_line, expected_category, why = line.split("|")
            yield pytest.param(text, organisation or None, portal_category, int(expected_line) if expected_line else None,
                               expected_category or None, id=f"line{number}-{why or text[:30]}")


@pytest.mark.parametrize(("text", "organisation", "portal_category", "line", "category"), rows())
def test_routing_table(text, organisation, portal_category, line, category):
    defaults = [rule.model_dump() for rule in Settings().routing.rule]
    settings = Settings.model_validate({"routing": {"rule": defaults + EXTRA}})
    suggestion = suggest(settings.routing.rule, text, organisation=organisation, portal_category=portal_category)
    assert (suggestion.line, suggestion.category) == (line, category)


def test_configured_rules_replace_the_built_ins(tmp_path):
    path = tmp_path / "supportbot.toml"
    path.write_text('[[routing.rule]]\nkeywords = ["lönefil", "payroll file"]\ncategory = "payroll"\n', encoding="utf-8")
    rules = load_settings(path, environ={}).routing.rule
    assert suggest(rules, "Lönefilen saknas").category == "payroll"
    assert suggest(rules, "Installera om").line is None  # the built-in list is gone


@pytest.mark.parametrize(("text", "message"), [
    ('[[routing.rule]]\nline = 2\n', "routing.rule.0: Value error, a rule needs keywords, organisation or portal_category"),
    ('[[routing.rule]]\nkeywords = ["x"]\n', "a rule needs a line or a category"),
    ('[[routing.rule]]\nkeywords = ["x"]\nline = 4\n', "routing.rule.0.line: Input should be less than or equal to 3"),
])
def test_a_rule_that_cannot_match_or_suggest_is_a_config_error(tmp_path, text, message):
    path = tmp_path / "supportbot.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_settings(path, environ={})
