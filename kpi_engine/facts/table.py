"""Rows and columns to facts: the layouts shared by every tabular source (CSV, workbooks).

A table has a header row and data rows of cells. Two layouts:
- long: a period, a name and a value column (and optionally entity and scenario columns), one fact per row;
- wide: a period column (and optionally entity and scenario columns), then one column per input.
A row without a scenario (no such column, or a blank cell) gives actual figures.
How column names are understood (`Période`, `Boutique`, an input's label) is
`columns`' business; how period cells are read, `period_forms'`. Every row that
cannot be read is reported where it is; the others are read.

A table is read in two passes over its rows, which the source gives again for each
pass (`Table.rows`): the first reads the period cells (the table's rule for them needs
them all) and looks for text columns, the second adds the facts. Nothing is kept per
row between the passes, only per distinct period written; a row is a number and its
cells' values, and a cell's `Location` is made only for a fact or a problem, so a
file of millions of lines is read in the memory of its facts (issue 14, case 22).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from ..errors import Location, Problem
from ..periods import Period
from ..reasons import Reason
from .columns import (
    ENTITY,
    LONG_ROLES,
    NAME,
    NO_PACK,
    PERIOD,
    ROW_ROLES,
    SCENARIO,
    VALUE,
    ColumnNames,
    normal,
)
from .model import ACTUAL, Facts, scenario_problem
from .period_forms import WrittenPeriod, read_period, resolve
from .source import ReadResult
from .values import add_value, is_number

CellValue = str | Decimal | date | bool | None


class Row(NamedTuple):
    """One row: its number in the source (a CSV line, a sheet row) and its cells' values as the source gives
    them (text for CSV, typed for workbooks)."""

    number: int
    values: Sequence[CellValue]

    def is_blank(self) -> bool:
        for value in self.values:  # noqa: SIM110 - the hot path of every reader: a loop, no generator, stops at the first cell
            if value is not None and (value.__class__ is not str or value.strip()):
                return False
        return True


Locate = Callable[[int, int], Location]
"""Where a cell is: (row number, column from 1) -> its location; column 0 is the whole row."""


@dataclass(frozen=True)
class Table:
    """A source's header and data rows; `rows()` gives every data row from the first, each time it is called."""

    header: Row
    rows: Callable[[], Iterable[Row]]
    locate: Locate


def is_blank(value: CellValue) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass(frozen=True)
class _Layout:
    """What each column holds: a role (`period`, `entity`, a long table's `name` and `value`) or an input;
    `skipped` columns are not read (a repeated name, text where the pack reads nothing)."""

    titles: tuple[str, ...]
    keys: tuple[str, ...]
    is_long: bool
    skipped: frozenset[int] = frozenset()

    def column(self, role: str) -> int | None:
        """The index of the column holding `role`, None when there is none (or it is not read)."""
        return next((i for i, key in enumerate(self.keys) if key == role and i not in self.skipped), None)


def is_facts_header(titles: Sequence[str], names: ColumnNames = NO_PACK) -> bool:
    """Whether a row of titles can head a facts table: it names a period column."""
    return any(names.role(title) == PERIOD for title in titles)


def read_table(table: Table, *, decimal_comma: bool, names: ColumnNames = NO_PACK) -> ReadResult:
    """Facts from a table; `decimal_comma` says which mark the source writes decimals with."""
    facts = Facts()
    header = table.header
    titles = tuple(_text(value) for value in header.values)
    roles = [names.role(title) for title in titles]
    if PERIOD not in roles:
        found = ", ".join(titles) or Reason.of("nothing_found")
        return ReadResult(facts, (Problem.of(table.locate(header.number, 0), Reason.of("no_period_column", found=found)),))
    is_long = set(roles) >= LONG_ROLES
    keys = tuple(
        role if role in ROW_ROLES or (is_long and role in LONG_ROLES) else names.input(title) for title, role in zip(titles, roles, strict=True)
    )
    repeats, skipped = _repeated_columns(table, titles, keys)
    if any(keys[index] in ROW_ROLES | LONG_ROLES for index in skipped):
        return ReadResult(facts, tuple(repeats))  # no row can be read without knowing its period, entity or name
    layout = _Layout(titles, keys, is_long, skipped)
    return ReadResult(facts, tuple(repeats + _read_rows(facts, layout, table, decimal_comma, names)))


def _repeated_columns(table: Table, titles: tuple[str, ...], keys: tuple[str, ...]) -> tuple[list[Problem], frozenset[int]]:
    """A problem for each column whose name repeats an earlier one (see `columns.normal`), and the columns
    not to read: both, since which of the two holds the figures cannot be known."""
    first: dict[str, int] = {}
    problems: list[Problem] = []
    skipped: set[int] = set()
    for index, key in enumerate(normal(key) for key in keys):
        if key and key in first:
            earlier = first[key]
            cause = Reason.of("repeated_column", column=index + 1, title=titles[index], first_column=earlier + 1, first_title=titles[earlier])
            problems.append(Problem.of(table.locate(table.header.number, index + 1), cause))
            skipped |= {earlier, index}
        first.setdefault(key, index)
    return problems, frozenset(skipped)


def _read_rows(facts: Facts, layout: _Layout, table: Table, decimal_comma: bool, names: ColumnNames) -> list[Problem]:
    """Every row's facts, and the problems in file order (by row, then as found)."""
    found: list[tuple[int, Problem]] = []
    periods = _Periods(layout.keys.index(PERIOD), table.locate)
    texts = _TextColumns.of(layout, names, decimal_comma)
    for index, row in _rows(table, layout, found):
        try:
            periods.see(index, row)
        except ValueError as error:
            found.append((index, Problem.of(periods.location(row), Reason.of("in_period_column", cause=Reason.of_error(error)))))
            continue
        texts.see(row)
    resolved, mixed = periods.resolved()
    found += mixed
    ignored = texts.warnings(table)
    found += [(-1, problem) for problem in ignored.values()]
    values = _Values(facts, layout, table.locate, decimal_comma, names, frozenset(ignored))
    for index, row in _rows(table, layout, None):
        period = resolved.get(periods.key(row))
        if period is not None:
            for problem in values.read(row, period):
                found.append((index, problem))
    return [problem for _, problem in sorted(found, key=lambda item: item[0])]


def _rows(table: Table, layout: _Layout, found: list[tuple[int, Problem]] | None) -> Iterator[tuple[int, Row]]:
    """The data rows to read with their index among the data rows (file order): not blank, as wide as the
    header; a row of another width is reported in `found` (on the first pass only)."""
    width = len(layout.keys)
    for index, row in enumerate(table.rows()):
        if row.is_blank():
            continue
        if len(row.values) != width:
            if found is not None:
                cause = Reason.of("row_width", cells=len(row.values), columns=width)
                found.append((index, Problem.of(table.locate(row.number, 0), cause)))
            continue
        yield index, row


@dataclass
class _Periods:
    """The period cells of a table, each distinct text read once, with where it first appears and how often."""

    column: int
    locate: Locate
    written: dict[str | date, tuple[WrittenPeriod, int, Location, int] | ValueError] = field(default_factory=dict)

    def key(self, row: Row) -> str | date:
        value = row.values[self.column]
        return value.strip() if value.__class__ is str else _period_value(value)  # text, by far the most common, at once

    def location(self, row: Row) -> Location:
        return self.locate(row.number, self.column + 1)

    def see(self, index: int, row: Row) -> None:
        """Count the row's period; ValueError when it is not one (each time it is written so)."""
        key = self.key(row)
        seen = self.written.get(key)
        if seen is None:
            try:
                seen = (read_period(key), index, self.location(row), 0)
            except ValueError as error:
                seen = error
            self.written[key] = seen
        if isinstance(seen, ValueError):
            raise seen
        written, first, location, count = seen
        self.written[key] = (written, first, location, count + 1)

    def resolved(self) -> tuple[dict[str | date, Period], list[tuple[int, Problem]]]:
        """The period each text stands for under the table's rule (texts breaking it left out), and the
        problem if any, with the index of the row it is about."""
        distinct = [(key, seen) for key, seen in self.written.items() if not isinstance(seen, ValueError)]
        periods, mixed = resolve([(location, written, count) for _, (written, _, location, count) in distinct])
        chosen = {key: period for (key, _), period in zip(distinct, periods, strict=True) if period is not None}
        return chosen, [(distinct[cell][1][1], problem) for cell, problem in mixed]


@dataclass
class _TextColumns:
    """Wide columns no input of the pack reads and that hold no number at all (a comment, a shop's
    address): one warning each, rather than one error per cell. Without a pack, every column is figures.

    `first` holds each candidate column's first non-blank cell (value and row number); a column leaves
    `undecided` at its first number."""

    layout: _Layout
    decimal_comma: bool
    undecided: list[int]
    first: dict[int, tuple[CellValue, int]] = field(default_factory=dict)

    @classmethod
    def of(cls, layout: _Layout, names: ColumnNames, decimal_comma: bool) -> _TextColumns:
        known = names.known
        if layout.is_long or known is None:
            return cls(layout, decimal_comma, [])
        candidates = [i for i, key in enumerate(layout.keys) if key not in ROW_ROLES and key not in known and i not in layout.skipped]
        return cls(layout, decimal_comma, candidates)

    def see(self, row: Row) -> None:
        numbers = []
        for index in self.undecided:
            value = row.values[index]
            if is_blank(value):
                continue
            self.first.setdefault(index, (value, row.number))
            if is_number(value, self.decimal_comma):
                numbers.append(index)
        if numbers:
            self.undecided = [index for index in self.undecided if index not in numbers]

    def warnings(self, table: Table) -> dict[str, Problem]:
        """Each text column's warning, by the column's key."""
        warnings = {}
        for index in self.undecided:
            if index not in self.first:
                continue
            value, number = self.first[index]
            cause = Reason.of("text_column", title=self.layout.titles[index], written=_text(value), at=table.locate(number, index + 1))
            warnings[self.layout.keys[index]] = Problem.of(table.locate(table.header.number, index + 1), cause, "warning")
        return warnings


class _Values:
    """The second pass: each row's figures added to the facts, names and entities read once per distinct text."""

    def __init__(
        self, facts: Facts, layout: _Layout, locate: Locate, decimal_comma: bool, names: ColumnNames, ignored: frozenset[str]
    ) -> None:
        self.facts, self.locate, self.decimal_comma, self.names = facts, locate, decimal_comma, names
        self.entity, self.scenario = layout.column(ENTITY), layout.column(SCENARIO)
        self.long = layout.is_long
        self.name, self.value = layout.column(NAME), layout.column(VALUE)
        self.inputs = [(key, i) for i, key in enumerate(layout.keys) if key not in ROW_ROLES and key not in ignored and i not in layout.skipped]
        self.input_names: dict[str, str] = {}

    def read(self, row: Row, period: Period) -> list[Problem]:
        """Add the row's figures; what is wrong with them (nothing, for nearly every row)."""
        values = row.values
        entity = sys.intern(_text(values[self.entity])) or None if self.entity is not None else None
        column, scenario = self.scenario, ACTUAL
        if column is not None:
            scenario = sys.intern(_text(values[column])) or ACTUAL
            problem = scenario_problem(scenario)
            if problem:
                return [Problem.of(self.locate(row.number, column + 1), Reason.of("in_scenario_column", cause=problem))]
        if self.long:
            name = _text(values[self.name]) if self.name is not None else ""
            cells: Sequence[tuple[str, int | None]] = ((self._input(name) if name else name, self.value),)
        else:
            cells = self.inputs
        problems = []
        for input_name, index in cells:
            if index is not None:
                location = self.locate(row.number, index + 1)
                found = add_value(self.facts, entity, input_name, period, values[index], location, self.decimal_comma, scenario)
                if found is not None:
                    problems.append(found)
        return problems

    def _input(self, written: str) -> str:
        name = self.input_names.get(written)
        if name is None:
            name = self.input_names[written] = sys.intern(self.names.input(written))
        return name


def _period_value(value: CellValue) -> str | date:
    return value if isinstance(value, date) else _text(value)


def _text(value: CellValue) -> str:
    if value.__class__ is str:
        return value.strip()
    return "" if value is None else str(value).strip()
