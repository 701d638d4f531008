"""The `kpi` group: each command's module is imported only when that command is run or its help shown.

A command's module brings its dependencies: `kpi serve` the web server,
`kpi notify` the delivery channels and Jinja, `kpi report` the scorecard
builder. Importing them all to run `kpi evaluate` cost most of its start-up,
so the group knows its commands by name (`COMMANDS`: where each is declared
and the first sentence of its help, what `kpi --help` lists) and imports one
when click asks for it (`get_command`). `tests/test_cli_language.py` checks
that each summary is the first sentence of its command's help, in English
and in French (`help_fr.FRENCH`).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, get_args

import click

from ..formatting import Language
from .common import EXIT_INTERNAL, Exit, echo_text
from .language import LocalizedGroup, environment_language, translated

_INTERNAL = {
    "en": "kpi: internal error: {error} (set KPI_DEBUG=1 for details, and please report it)",
    "fr": "kpi : erreur interne : {error} (KPI_DEBUG=1 donne le détail ; merci de la signaler)",
}


@dataclass(frozen=True)
class LazyCommand:
    """A command known by where it is declared, imported when used."""

    target: str
    """`module:attribute`, the module relative to this package."""
    summary: str
    """The first sentence of the command's help, in English (its French in `help_fr.FRENCH`)."""

    def load(self) -> click.Command:
        module, _, attribute = self.target.partition(":")
        command: click.Command = getattr(importlib.import_module(f".{module}", __package__), attribute)
        return command


COMMANDS: dict[str, LazyCommand] = {
    "alerts": LazyCommand("notify:alerts_command", "List the alerts the store remembers, or acknowledge one (`kpi alerts ack`)"),
    "evaluate": LazyCommand("commands:evaluate", "Evaluate every KPI for every period and entity the facts cover"),
    "explain": LazyCommand("commands:explain_command", "Show how a KPI's value was obtained: its formula as a tree, each node with its value"),
    "explain-change": LazyCommand("analysis:explain_change_command", "Why a KPI moved: its change split into one contribution per input (a bridge)"),
    "facts": LazyCommand("facts:facts_command", "Show what facts sources give: entities x periods x inputs, totals, and every check"),
    "graph": LazyCommand("commands:graph", "Print the dependency graph of a pack: inputs -> KPIs -> KPIs"),
    "init": LazyCommand("commands:init_command", "Create a starter company pack that extends the standard library"),
    "lint": LazyCommand(
        "analysis:lint_command", "Algebraic checks: duplicate KPIs, formulas that simplify, risky divisions, unit mismatches, `* 100` in a percent KPI"
    ),
    "notify": LazyCommand("notify:notify_command", "Evaluate, remember, and send each owner one message with their new and resolved alerts"),
    "report": LazyCommand(
        "report:report", "Write a scorecard: summary and alerts, a table per theme with trends, charts per KPI, a status heatmap"
    ),
    "run": LazyCommand("notify:run_command", "Do what a job file says: evaluate, deliver the alerts, write the reports"),
    "sensitivity": LazyCommand("analysis:sensitivity_command", "Which lever matters most: the effect of a 1 % rise of each input on the KPI, ranked"),
    "serve": LazyCommand("serve:serve_command", "Serve the pack's dashboards to the people of the users file"),
    "solve": LazyCommand("analysis:solve_command", "Goal seek: the value of an input that makes a KPI reach a target"),
    "sql": LazyCommand("sql:sql_command", "Print the SQL that evaluates a pack: roll-ups, then one named step per KPI layer"),
    "test": LazyCommand("commands:test_command", "Run the tests kept beside a pack (files ending in .test.yaml)"),
    "users": LazyCommand("serve:users_command", "Manage the users file of kpi serve"),
    "validate": LazyCommand("commands:validate", "Check a pack and print every problem as FILE:LINE:COL: message"),
}


class KpiGroup(LocalizedGroup):
    """The `kpi` group: commands added as usual or known by name (`lazy`) and imported when asked for; `Exit`
    turned into the exit code, and any unexpected error into one line instead of a traceback."""

    def __init__(self, *args: Any, lazy: Mapping[str, LazyCommand] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.commands.keys() | self.lazy.keys())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            self.add_command(self.lazy[cmd_name].load(), cmd_name)
        return super().get_command(ctx, cmd_name)

    def command_summary(self, ctx: click.Context, name: str, lang: Language) -> str | None:
        """A command not imported yet is summarised from `lazy`, without importing it."""
        if name in self.commands or name not in self.lazy:
            return super().command_summary(ctx, name, lang)
        return translated(self.lazy[name].summary, lang)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exit as stop:
            ctx.exit(stop.code)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:  # `kpi evaluate ... | head`: the reader has what it wanted; stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so that flushing at exit fails no more
            ctx.exit(0)
        except Exception as error:  # a bug of ours: one line for the user, the traceback on request
            if os.environ.get("KPI_DEBUG"):
                raise
            echo_text(_INTERNAL[environment_language()].format(error=f"{type(error).__name__}: {error}"), err=True)
            ctx.exit(EXIT_INTERNAL)


@click.group(cls=KpiGroup, lazy=COMMANDS)
@click.version_option(package_name="kpi-rules")
@click.option("--lang", type=click.Choice(get_args(Language)), expose_value=False, help="Language of labels, messages and number formats.")
def main() -> None:
    """Declarative financial KPIs: validate, test and evaluate KPI packs.

    \b
    Example:
      kpi validate definitions/
      kpi evaluate examples/company --facts examples/facts/monthly.csv --period 2025-Q4
    """
