"""Evaluation backends: each turns a pack's plan and facts into results and alerts.

One module per backend and one entry in `BACKENDS`, imported only when used,
so a backend with heavy dependencies (DuckDB, Spark) costs nothing to a user
who does not ask for it. Every backend is judged by the same evaluation
fixtures (`tests/data/evaluation/`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

# name -> "module:function" evaluating (program, facts, selection, lang) into an Evaluation.
BACKENDS: dict[str, str] = {
    "python": "kpi_engine.evaluator:evaluate",
    "duckdb": "kpi_engine.backends.duckdb:evaluate",
}


def backend(name: str) -> Callable[..., Any]:
    """The evaluation function of backend `name`; ValueError naming the known ones otherwise."""
    target = BACKENDS.get(name)
    if target is None:
        raise ValueError(f"unknown backend {name!r}: choose one of {', '.join(BACKENDS)}")
    module, _, function = target.partition(":")
    return getattr(importlib.import_module(module), function)  # type: ignore[no-any-return]


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
