"""How a number was obtained, as data: a KPI's formula as a tree, each node with its value.

Every backend can produce this trace (`Backend.trace`, reached through
`Pack.explain`); the CLI prints it. KPIs used by the formula are expanded in
turn, down to the inputs, so a controller can audit every step.
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
    """One step of a computation: `kind` is kpi, input, number, operation or function.

    `scenario` names the scenario a KPI or input was read under (`budget` inside `budget(...)`),
    None for the actual figures."""

    text: str
    kind: str
    observations: tuple[Observation, ...]
    children: tuple[ExplainNode, ...] = ()
    unit: str = ""
    scenario: str | None = None

    @property
    def value(self) -> Decimal | bool | None:
        return self.observations[-1].value if self.observations else None
