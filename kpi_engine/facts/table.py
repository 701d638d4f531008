"""Rows and columns to facts: the layouts shared by every tabular source (CSV, workbooks).

A table has a header row and data rows of located cells. Two layouts:
- long: a period, a name and a value column (and optionally entity and scenario columns), one fact per row;
- wide: a period column (and optionally entity and scenario columns), then one column per input.
A row without a scenario (no such column, or a blank cell) gives actual figures.
How column names are understood (`Période`, `Boutique`, an input's label) is
`columns`' business; how period cells are read, `period_forms`'. Every row that
cannot be read is reported where it is; the others are read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..errors import Location, Problem
from ..periods import Period
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


@dataclass(frozen=True)
class Cell:
    """One cell as the source gives it (text for CSV, typed for workbooks) and where it is."""

    value: CellValue
    location: Location

    def is_blank(self) -> bool:
        return self.value is None or (isinstance(self.value, str) and not self.value.strip())


@dataclass(frozen=True)
class Row:
    """A row's cells, and where problems about the whole row are reported."""

    location: Location
    cells: tuple[Cell, ...]

    def is_blank(self) -> bool:
        return all(cell.is_blank() for cell in self.cells)


@dataclass(frozen=True)
class _Layout:
    """What each column holds: a role (`period`, `entity`, a long table's `name` and `value`) or an input;
    `skipped` columns are not read (a repeated name, text where the pack reads nothing)."""

    titles: tuple[str, ...]
    keys: tuple[str, ...]
    is_long: bool
    skipped: frozenset[int] = frozenset()

    def cells(self, row: Row) -> dict[str, Cell]:
        return {key: cell for i, (key, cell) in enumerate(zip(self.keys, row.cells, strict=True)) if i not in self.skipped}


@dataclass(frozen=True)
class _DatedRow:
    index: int  # among the data rows, to report problems in file order
    cells: dict[str, Cell]
    written: WrittenPeriod
    location: Location


def is_facts_header(titles: Sequence[str], names: ColumnNames = NO_PACK) -> bool:
    """Whether a row of titles can head a facts table: it names a period column."""
    return any(names.role(title) == PERIOD for title in titles)


def read_table(header: Row, rows: Iterable[Row], *, decimal_comma: bool, names: ColumnNames = NO_PACK) -> ReadResult:
    """Facts from a table; `decimal_comma` says which mark the source writes decimals with."""
    facts = Facts()
    titles = tuple(_text(cell.value) for cell in header.cells)
    roles = [names.role(title) for title in titles]
    if PERIOD not in roles:
        found = ", ".join(titles) or "nothing"
        return ReadResult(facts, (Problem(header.location, f"the header must have a 'period' column; found: {found}"),))
    is_long = set(roles) >= LONG_ROLES
    keys = tuple(
        role if role in ROW_ROLES or (is_long and role in LONG_ROLES) else names.input(title) for title, role in zip(titles, roles, strict=True)
    )
    repeats, skipped = _repeated_columns(header, titles, keys)
    if any(keys[index] in ROW_ROLES | LONG_ROLES for index in skipped):
        return ReadResult(facts, tuple(repeats))  # no row can be read without knowing its period, entity or name
    layout = _Layout(titles, keys, is_long, skipped)
    return ReadResult(facts, tuple(repeats + _read_rows(facts, layout, header, list(rows), decimal_comma, names)))


def _repeated_columns(header: Row, titles: tuple[str, ...], keys: tuple[str, ...]) -> tuple[list[Problem], frozenset[int]]:
    """A problem for each column whose name repeats an earlier one (see `columns.normal`), and the columns
    not to read: both, since which of the two holds the figures cannot be known."""
    first: dict[str, int] = {}
    problems: list[Problem] = []
    skipped: set[int] = set()
    for index, key in enumerate(normal(key) for key in keys):
        if key and key in first:
            earlier = first[key]
            problems.append(Problem(
                header.cells[index].location,
                f"column {index + 1} '{titles[index]}' repeats column {earlier + 1} '{titles[earlier]}': "
                "rename or remove one; neither is read",
            ))
            skipped |= {earlier, index}
        first.setdefault(key, index)
    return problems, frozenset(skipped)


def _read_rows(
    facts: Facts, layout: _Layout, header: Row, rows: list[Row], decimal_comma: bool, names: ColumnNames
) -> list[Problem]:
    """Every row's facts; the periods are read first, since the table's rule for them needs them all."""
    found: list[tuple[int, Problem]] = []
    dated: list[_DatedRow] = []
    for index, row in enumerate(rows):
        if row.is_blank():
            continue
        if len(row.cells) != len(layout.keys):
            found.append((index, Problem(row.location, f"{len(row.cells)} cells but the header has {len(layout.keys)} columns")))
            continue
        cells = layout.cells(row)
        period_cell = cells[PERIOD]
        try:
            dated.append(_DatedRow(index, cells, read_period(_period_value(period_cell.value)), period_cell.location))
        except ValueError as error:
            found.append((index, Problem(period_cell.location, f"column 'period': {error}")))
    periods, mixed = resolve([(each.location, each.written) for each in dated])
    found += [(dated[cell].index, problem) for cell, problem in mixed]
    text_columns = _text_columns(layout, header, dated, decimal_comma, names)
    found += [(-1, problem) for problem in text_columns.values()]
    for dated_row, period in zip(dated, periods, strict=True):
        if period is not None:
            read = _read_values(facts, layout, dated_row.cells, period, decimal_comma, names, text_columns)
            found += [(dated_row.index, problem) for problem in read]
    return [problem for _, problem in sorted(found, key=lambda item: item[0])]


def _text_columns(
    layout: _Layout, header: Row, rows: list[_DatedRow], decimal_comma: bool, names: ColumnNames
) -> dict[str, Problem]:
    """Wide columns no input of the pack reads and that hold no number at all (a comment, a shop's
    address): one warning each, rather than one error per cell. Without a pack, every column is figures."""
    if layout.is_long or names.known is None:
        return {}
    warnings = {}
    for index, key in enumerate(layout.keys):
        if key in ROW_ROLES or key in names.known or index in layout.skipped:
            continue
        cells = [row.cells[key] for row in rows if not row.cells[key].is_blank()]
        if cells and not any(is_number(cell.value, decimal_comma) for cell in cells):
            message = (f"column '{layout.titles[index]}' is not an input of the pack and holds text "
                       f"({_text(cells[0].value)!r} at {cells[0].location}), not figures: ignored")
            warnings[key] = Problem(header.cells[index].location, message, severity="warning")
    return warnings


def _read_values(
    facts: Facts,
    layout: _Layout,
    cells: dict[str, Cell],
    period: Period,
    decimal_comma: bool,
    names: ColumnNames,
    ignored: dict[str, Problem],
) -> Iterator[Problem]:
    entity = _text(cells[ENTITY].value) or None if ENTITY in cells else None
    scenario = _text(cells[SCENARIO].value) or ACTUAL if SCENARIO in cells else ACTUAL
    problem = scenario_problem(scenario)
    if problem:
        yield Problem(cells[SCENARIO].location, f"column 'scenario': {problem}")
        return
    if layout.is_long:
        name = _text(cells[NAME].value) if NAME in cells else ""
        pairs = [(names.input(name) if name else name, cells.get(VALUE))]
    else:
        pairs = [(key, cell) for key, cell in cells.items() if key not in ROW_ROLES and key not in ignored]
    for input_name, cell in pairs:
        if cell is not None:
            yield from add_value(facts, entity, input_name, period, cell.value, cell.location, decimal_comma, scenario)


def _period_value(value: CellValue) -> str | date:
    return value if isinstance(value, date) else _text(value)


def _text(value: CellValue) -> str:
    return "" if value is None else str(value).strip()
