"""The bounds that keep hostile or accidental input from exhausting the machine, as one settings object.

Every limit is a field of the frozen `Limits`, passed in by the caller (the
CLI, an embedding tool, a test) and never read from a module global, so a
test or a larger installation changes a limit by building another `Limits`,
not by patching. Each field says why its number was chosen; the user-facing
list is the "Limits" section of docs/reference.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .numbers import NumberLimits


@dataclass(frozen=True)
class Limits:
    """Bounds on what a pack, its tests and the analyses built on them may cost."""

    max_formula_length: int = 2_000
    """Characters in one formula. The longest formula of the standard library is under 200; a formula
    longer than a screen is better split into intermediate KPIs, and the bound keeps the parser's work
    (and its error messages) small."""

    max_formula_depth: int = 100
    """Nesting levels of one formula: far above what a person writes, far below Python's recursion limit,
    which every stage walking the formula (checks, compilation, analysis) must stay under."""

    max_yaml_nodes: int = 200_000
    """Values a YAML file may expand to, aliases included: a "billion laughs" file of a few hundred bytes is
    refused, while the largest real pack (a few thousand KPIs) stays two orders of magnitude below."""

    max_format_width: int = 100
    """Width of a message template field (`{label:>30}`): a message is a line of a notification, and a
    width of 999999999 made about 1 GB at validation and at every firing."""

    max_format_precision: int = 28
    """Decimals of a message template field (`{value:.2f}`): the engine computes with 28 significant
    digits, so more decimals show no more information, only a longer line (`.999999999f` made 1 GB)."""

    analysis_seconds: float = 10.0
    """Processor time of one analysis (lint, solve, sensitivity, explain --expanded, explain-change):
    every analysis of the standard library takes well under a second; past this budget the question is
    answered "too complex" rather than left running (a product of 14 sums ran for minutes)."""

    analysis_max_digits: int = 1_000
    """Digits of an exact number an analysis may build (`10 ^ 5000`, `x ^ 1000000`): no finance figure needs
    more than a few dozen, and the exact arithmetic and printing of a huge integer cannot be interrupted
    once started (`10 ^ 10 ^ 10` ran for minutes in one multiplication), so this is checked before."""

    analysis_max_terms: int = 2_000
    """Terms an analysis may expand a formula into (a product of sums multiplies out): the largest formula
    of the standard library expands to a few dozen terms; 14 factors of two terms make 16,384."""

    max_cell_length: int = 10_000
    """Characters in one cell of a CSV facts file. A cell holds a period, an entity, an input's name or label, or
    a number (under 300 characters by the number policy); the longest text real exports put in a cell, an
    accounting entry's label or a comment in a column the pack does not read, is a few hundred. A longer cell
    is refused with its line and the rest of the file is still read: it is most often an unclosed quote that
    swallowed the lines after it. It was `csv`'s own limit, 131,072, raised as a crash."""

    numbers: NumberLimits = field(default_factory=NumberLimits)
    """What a number read from a pack, a pack test or facts may be: see `numbers.NumberLimits`."""
