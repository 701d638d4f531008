"""Workbooks as facts: `.xlsx`, `.xlsm`, `.xls`, `.ods`, read with python-calamine.

One sheet is read, laid out long or wide as a CSV file (see `table`): the one
named after `#` (`budget.xlsx#Ventes`), or else the first sheet with a header
row naming a period column among its first rows (rows above it, such as a
title, are skipped). Cells keep their types: a date cell is a date, a number
is read as the spreadsheet displays it at full precision: 15 significant
digits, trailing zeros dropped (0.1 stays 0.1, 3.0 is 3). Problems
are located as `FILE:Sheet!B12`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from ..errors import Location, Problem, did_you_mean
from .columns import ColumnNames
from .model import Facts
from .source import Reader, ReadOptions, ReadResult
from .table import CellValue, Row, Table, is_blank, is_facts_header, read_table

if TYPE_CHECKING:
    from python_calamine import CalamineWorkbook

# Zip (xlsx, xlsm, ods) and OLE2 compound file (xls) signatures.
_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
HEADER_SEARCH_ROWS = 20
# Spreadsheets store binary floats and display at most 15 significant digits: the 16th and 17th are
# binary noise (0.1 + 0.2 is stored as 0.30000000000000004 and shown as 0.3), so a number is read as shown.
DISPLAYED_DIGITS = 15

Grid = Sequence[Sequence[object]]


def read_workbook(data: bytes, name: str, options: ReadOptions) -> ReadResult:
    from python_calamine import CalamineError, CalamineWorkbook

    names = ColumnNames.of(options.pack, options.columns)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = list(book.sheet_names)
        if options.part is not None:
            if options.part not in sheets:
                message = f"no sheet '{options.part}'{did_you_mean(options.part, sheets)}; sheets: {', '.join(sheets)}"
                return _failed(Location(name), message)
            return _read_sheet(name, options.part, _grid(book, options.part), names)
        for sheet in sheets:  # read one sheet at a time, up to the first that holds facts
            grid = _grid(book, sheet)
            if _header_index(grid, names) is not None:
                return _read_sheet(name, sheet, grid, names)
    except CalamineError as error:
        return _failed(Location(name), f"cannot be read as a workbook: {error}")
    return _failed(
        Location(name),
        f"no sheet has a header row naming a period column in its first {HEADER_SEARCH_ROWS} rows "
        f"(sheets: {', '.join(sheets)}); name the sheet to read as {name}#Sheet",
    )


def _grid(book: CalamineWorkbook, sheet: str) -> Grid:
    return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def _read_sheet(name: str, sheet: str, grid: Grid, names: ColumnNames) -> ReadResult:
    rows = [Row(number, [_cell_value(value) for value in values]) for number, values in enumerate(grid, 1)]

    def locate(row: int, column: int) -> Location:
        return Location(name, row, column or 1, sheet)

    start = _header_index(grid, names)
    if start is None:  # a named sheet without a facts header: the table says what its first row lacks
        start = next((i for i, row in enumerate(rows) if not row.is_blank()), 0)
    if not rows:
        return read_table(Table(Row(1, ()), list, locate), decimal_comma=False, names=names)
    header = _trimmed(rows[start])
    data_rows = [_trimmed(row, len(header.values)) for row in rows[start + 1 :]]
    return read_table(Table(header, lambda: data_rows, locate), decimal_comma=False, names=names)


def _header_index(grid: Grid, names: ColumnNames) -> int | None:
    for index, values in enumerate(grid[:HEADER_SEARCH_ROWS]):
        if is_facts_header([v if isinstance(v, str) else "" for v in values], names):
            return index
    return None


def _trimmed(row: Row, width: int | None = None) -> Row:
    """The row without its empty cells on the right (a sheet is a rectangle), keeping at least `width` cells."""
    values = list(row.values)
    while values and len(values) > (width or 0) and is_blank(values[-1]):
        values.pop()
    return Row(row.number, values)


def _cell_value(value: object) -> CellValue:
    """A calamine value in the table's terms; empty cells come as ''."""
    match value:
        case bool() | str() | date():
            return value
        case int():
            return Decimal(value)
        case float():
            return Decimal(format(value, f".{DISPLAYED_DIGITS}g")) if value else Decimal(0)  # -0.0 is shown as 0
        case time() | timedelta():
            return str(value)
        case _:
            return None


def _failed(location: Location, message: str) -> ReadResult:
    return ReadResult(Facts(), (Problem(location, message),))


def _is_workbook(data: bytes, name: str) -> bool:
    return data.startswith(_SIGNATURES)


READER = Reader("workbook", _is_workbook, read_workbook, part="sheet")
