"""CSV facts, long or wide (see `table`), comma, semicolon or tab separated.

French Excel exports use `;` and write decimals with a comma (`1 234,56`):
the separator of the header line decides both. This reader is the catch-all
for text that no other reader recognises, so that a file with a wrong header
gets the message about the header.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from ..errors import Location, Problem
from ..reasons import Reason
from .columns import ColumnNames
from .decoding import decode, first_line
from .source import Reader, ReadOptions, ReadResult
from .table import Cell, Row, read_table

# A CR not followed by LF, in a file whose lines end with LF or CRLF.
_BARE_CR = re.compile(r"\r(?!\n)")


def read_csv(data: bytes, name: str, options: ReadOptions) -> ReadResult:
    text = _line_breaks_in_cells_as_spaces(decode(data))
    delimiter = _delimiter(first_line(data))
    refused: list[Problem] = []
    rows = _rows(text, name, delimiter, options.limits.max_cell_length, refused)
    header = next(rows, Row(Location(name, 1), ()))
    result = read_table(header, rows, decimal_comma=delimiter == ";", names=ColumnNames.of(options.pack, options.columns))
    if not refused:
        return result
    return ReadResult(result.facts, tuple(sorted((*refused, *result.problems), key=lambda problem: problem.location.line)))


def _delimiter(header_line: str) -> str:
    if header_line.count(";") > header_line.count(","):
        return ";"
    return "\t" if "\t" in header_line else ","


def _line_breaks_in_cells_as_spaces(text: str) -> str:
    """Which CR ends a line: in a file with LF line ends (Unix, or CRLF from Windows), a CR alone is a
    line break typed inside a cell (old Mac Excel) and reads as a space; in a file with no LF at all
    (CR-only line ends, classic Mac OS), every CR ends a line."""
    return _BARE_CR.sub(" ", text) if "\n" in text else text


def _rows(text: str, name: str, delimiter: str, max_cell: int, refused: list[Problem]) -> Iterator[Row]:
    """Each record with the line it starts on (a quoted cell may span lines); a record with a cell over
    `max_cell` characters is left out, with a problem added to `refused`, and reading goes on after it."""
    if csv.field_size_limit() <= max_cell:  # the module's own limit (process-wide) only ever raised, to ours
        csv.field_size_limit(max_cell + 1)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    while True:
        location = Location(name, line)
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error:  # a cell beyond the module's limit, which is beyond ours
            record = None
        if record is None or any(len(value) > max_cell for value in record):
            refused.append(Problem.of(location, Reason.of("cell_too_long", limit=max_cell)))
        else:
            yield Row(location, tuple(Cell(value.strip(), location) for value in record))
        line = reader.line_num + 1


def _is_text(data: bytes, name: str) -> bool:
    return True  # the last resort: any text is read as CSV, and a wrong header is reported as such


READER = Reader("csv", _is_text, read_csv)
