"""A click group whose subcommands are imported only when one of them runs.

`supportbot hours status` must answer a calendar question without importing
SQLAlchemy, Bolt, aiohttp or pydantic (issue 21): importing every command module
at start took 1.2–1.5 s. Each subcommand is named here with the module that
builds it and the first paragraph of its help, so `supportbot --help` lists
them all without importing any (tests/cli/test_cli_lazy.py checks that the
summaries match the commands).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import click


@dataclass(frozen=True)
class LazyCommand:
    target: str  # "module:attribute" of the click command
    summary: str  # the first paragraph of its help, for the command list
    extras: tuple[str, ...] = ()  # "module:attribute" commands added to it, or modules that add themselves

    def short_help(self, limit: int) -> str:
        """The one-line summary as click shortens a command's help to ``limit`` characters."""
        return click.Command(None, help=self.summary).get_short_help_str(limit)

    def load(self) -> click.Command:
        command = _resolve(self.target)
        for extra in self.extras:
            module, _, attribute = extra.partition(":")
            if attribute:
                command.add_command(_resolve(extra))  # type: ignore[attr-defined]
            else:
                importlib.import_module(module)  # registers its commands on import
        return command


def _resolve(target: str) -> click.Command:
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute)


class LazyGroup(click.Group):
    """A group with eager commands (``commands``) and lazy ones (``lazy``), listed together."""

    def __init__(self, *args, lazy: dict[str, LazyCommand] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            self.add_command(self.lazy[cmd_name].load(), cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # click's own version loads every command for its one-line summary; the
        # lazy ones give theirs from the table, shortened exactly as click does.
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            if name in self.commands:
                command = self.commands[name]
                if command.hidden:
                    continue
                rows.append((name, command.get_short_help_str(limit)))
            else:
                rows.append((name, self.lazy[name].short_help(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)
