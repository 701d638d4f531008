"""Evaluation backends: each turns a pack's `Plan` and facts into results, alerts, values and explain traces.

A backend is a class made from a plan (`Backend` below); making it does the
work done once per pack (the Python backend compiles closures). One module
per backend and one entry in `BACKENDS`, imported only when used, so a
backend with heavy dependencies (DuckDB, Spark) costs nothing to a user who
does not ask for it. Every backend is judged by the same evaluation fixtures
(`tests/data/evaluation/`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..explain import ExplainNode
    from ..facts import Entity, Facts
    from ..formatting import Language
    from ..periods import Period
    from ..plan import Plan
    from ..results import EntityEvaluation, Evaluation, Selection

# name -> "module:class" of a class made from a Plan that follows `Backend`.
BACKENDS: dict[str, str] = {
    "python": "kpi_engine.backends.python:PythonBackend",
    "duckdb": "kpi_engine.backends.duckdb:DuckDBBackend",
    "spark": "kpi_engine.backends.spark:SparkBackend",
}


class Backend(Protocol):
    """The contract between the library and an evaluation engine, for one plan."""

    name: str

    def evaluate(self, facts: Facts, selection: Selection, lang: Language) -> Evaluation:
        """Every KPI at its frequency for every covered period, for the selected entities; alerts worded in `lang`."""

    def evaluate_iter(self, facts: Facts, selection: Selection, lang: Language) -> Iterator[EntityEvaluation]:
        """The same, one entity at a time, keeping nothing of an entity once it is yielded (for streaming)."""

    def value(self, facts: Facts, kpi: str, period: Period, entity: Entity) -> Decimal | bool | None:
        """One KPI at one covered period of any frequency, None when undefined; KeyError when not covered."""

    def trace(self, facts: Facts, kpi: str, period: Period, entity: Entity, max_depth: int) -> ExplainNode:
        """How `kpi` was obtained at `period`, as a tree of values; KeyError when not covered."""


def backend(name: str) -> Callable[[Plan], Backend]:
    """The backend class named `name`; ValueError naming the known ones otherwise."""
    target = BACKENDS.get(name)
    if target is None:
        raise ValueError(f"unknown backend {name!r}: choose one of {', '.join(BACKENDS)}")
    module, _, attribute = target.partition(":")
    made: Callable[[Plan], Backend] = getattr(importlib.import_module(module), attribute)
    return made


def available() -> list[str]:
    """Backends whose dependencies are installed here (the fixtures run on each)."""
    names = []
    for name in BACKENDS:
        try:
            backend(name)
        except ImportError:
            continue
        names.append(name)
    return names
