"""How a number was obtained, as data: a KPI's formula as a tree, each node with its value.

Every backend can produce this trace (`Backend.trace`, reached through
`Pack.explain`); the CLI prints it. KPIs used by the formula are expanded in
turn, down to the inputs, so a controller can audit every step; a group's
input down to its members' values and the group's own entries that sum to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .periods import Period
from .reasons import Reason


@dataclass(frozen=True)
class Observation:
    """A node's value at one period, or why it is undefined."""

    period: Period
    value: Decimal | bool | None  # None when undefined
    reason: Reason | None = None  # why the value is undefined


@dataclass(frozen=True)
class ExplainNode:
    """One step of a computation: `kind` is kpi, input, number, operation or function, or what
    makes an input: a ledger's account, or for a group's consolidated input each `member`
    (`entity` names it) and the group's own entries (`group_entries`)."""

    text: str
    kind: str
    observations: tuple[Observation, ...]
    children: tuple[ExplainNode, ...] = ()
    unit: str = ""
    entity: str | None = None  # the member a `member` node is about
    is_group: bool = False  # that member is itself a group

    @property
    def value(self) -> Decimal | bool | None:
        return self.observations[-1].value if self.observations else None
