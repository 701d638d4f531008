"""Rows and columns to facts: the layouts shared by every tabular source (CSV, workbooks).

A table has a header row and data rows of located cells. Two layouts:
- long: `period`, `name`, `value` columns (and optionally `entity`), one fact per row;
- wide: a `period` column (and optionally `entity`), then one column per input.
French column names (`période`, `entité`, `valeur`...) are read as the English
ones. Every row that cannot be read is reported where it is; the others are read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..errors import Location, Problem
from ..periods import Period
from .model import Facts
from .period_forms import WrittenPeriod, read_period, resolve
from .source import ReadResult
from .values import add_value

CellValue = str | Decimal | date | bool | None


@dataclass(frozen=True)
class Cell:
    """One cell as the source gives it (text for CSV, typed for workbooks) and where it is."""

    value: CellValue
    location: Location


@dataclass(frozen=True)
class Row:
    """A row's cells, and where problems about the whole row are reported."""

    location: Location
    cells: tuple[Cell, ...]

    def is_blank(self) -> bool:
        return all(cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()) for cell in self.cells)


# Column names of French exports, read as the format's English ones.
_HEADER_ALIASES = {
    "période": "period", "periode": "period", "entité": "entity", "entite": "entity",
    "nom": "name", "indicateur": "name", "donnée": "name", "valeur": "value", "montant": "value",
}
_ROW_KEYS = frozenset({"period", "entity"})
_LAYOUT_KEYS = frozenset({"period", "entity", "name", "value"})


@dataclass(frozen=True)
class _Layout:
    """What each column of a header holds: its title as written and its key (`period`, `entity`,
    `name`, `value`, or an input); `skipped` are columns not read (a repeated name)."""

    titles: tuple[str, ...]
    keys: tuple[str, ...]
    skipped: frozenset[int] = frozenset()

    @property
    def is_long(self) -> bool:
        return {"name", "value"} <= set(self.keys)


def is_facts_header(titles: Sequence[str]) -> bool:
    """Whether a row of titles can head a facts table: it names a period column."""
    return "period" in _keys(titles)


def _keys(titles: Sequence[str]) -> tuple[str, ...]:
    return tuple(_HEADER_ALIASES.get(t.lower(), t.lower()) for t in titles)


def read_table(header: Row, rows: Iterable[Row], *, decimal_comma: bool) -> ReadResult:
    """Facts from a table; `decimal_comma` says which mark the source writes decimals with."""
    titles = tuple(_text(cell.value) for cell in header.cells)
    keys = _keys(titles)
    facts = Facts()
    if "period" not in keys:
        found = ", ".join(titles) or "nothing"
        return ReadResult(facts, (Problem(header.location, f"the header must have a 'period' column; found: {found}"),))
    repeats, skipped = _repeated_columns(header, titles, keys)
    if any(keys[index] in _LAYOUT_KEYS for index in skipped):
        return ReadResult(facts, tuple(repeats))  # no row can be read without knowing its period, entity or name
    layout = _Layout(titles, tuple(key if key in _LAYOUT_KEYS else title for title, key in zip(titles, keys)), skipped)
    return ReadResult(facts, tuple(repeats + _read_rows(facts, layout, rows, decimal_comma)))


def _repeated_columns(header: Row, titles: tuple[str, ...], keys: tuple[str, ...]) -> tuple[list[Problem], frozenset[int]]:
    """A problem for each column whose name repeats an earlier one, and the columns not to read: both,
    since which of the two holds the figures cannot be known."""
    first: dict[str, int] = {}
    problems: list[Problem] = []
    skipped: set[int] = set()
    for index, key in enumerate(keys):
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


def _read_rows(facts: Facts, layout: _Layout, rows: Iterable[Row], decimal_comma: bool) -> list[Problem]:
    """Every row's facts; the periods are read first, since the table's rule for them needs them all."""
    found: list[tuple[int, Problem]] = []
    dated: list[tuple[int, dict[str, Cell], Location, WrittenPeriod]] = []
    for index, row in enumerate(rows):
        if row.is_blank():
            continue
        if len(row.cells) != len(layout.keys):
            found.append((index, Problem(row.location, f"{len(row.cells)} cells but the header has {len(layout.keys)} columns")))
            continue
        cells = {key: cell for i, (key, cell) in enumerate(zip(layout.keys, row.cells)) if i not in layout.skipped}
        period_cell = cells["period"]
        try:
            dated.append((index, cells, period_cell.location, read_period(_period_value(period_cell.value))))
        except ValueError as error:
            found.append((index, Problem(period_cell.location, f"column 'period': {error}")))
    periods, mixed = resolve([(location, written) for _, _, location, written in dated])
    found += [(dated[cell][0], problem) for cell, problem in mixed]
    for (index, cells, _, _), period in zip(dated, periods):
        if period is not None:
            found += [(index, p) for p in _read_values(facts, layout, cells, period, decimal_comma)]
    return [problem for _, problem in sorted(found, key=lambda item: item[0])]


def _read_values(facts: Facts, layout: _Layout, cells: dict[str, Cell], period: Period, decimal_comma: bool) -> Iterator[Problem]:
    entity = _text(cells["entity"].value) or None if "entity" in cells else None
    if layout.is_long:
        pairs = [(_text(cells["name"].value) if "name" in cells else "", cells.get("value"))]
    else:
        pairs = [(key, cell) for key, cell in cells.items() if key not in _ROW_KEYS]
    for name, cell in pairs:
        if cell is not None:
            yield from add_value(facts, entity, name, period, cell.value, cell.location, decimal_comma)


def _period_value(value: CellValue) -> str | date:
    return value if isinstance(value, date) else _text(value)


def _text(value: CellValue) -> str:
    return "" if value is None else str(value).strip()
