"""CSV facts, long or wide (see `table`), comma, semicolon or tab separated.

French Excel exports use `;` and write decimals with a comma (`1 234,56`):
the separator of the header line decides both. This reader is the catch-all
for text that no other reader recognises, so that a file with a wrong header
gets the message about the header.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator

from ..errors import Location
from .columns import ColumnNames
from .decoding import decode, first_line
from .source import Reader, ReadOptions, ReadResult
from .table import Row, Table, read_table

# A CR not followed by LF, in a file whose lines end with LF or CRLF.
_BARE_CR = re.compile(r"\r(?!\n)")
# A line with its end, as a file opened with newline="" gives it: LF, CRLF or CR.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def read_csv(data: bytes, name: str, options: ReadOptions) -> ReadResult:
    text = _line_breaks_in_cells_as_spaces(decode(data))
    delimiter = _delimiter(first_line(data))
    header = next(_rows(text, delimiter), Row(1, ()))

    def data_rows() -> Iterator[Row]:
        rows = _rows(text, delimiter)
        next(rows, None)
        return rows

    table = Table(header, data_rows, lambda line, _column: Location(name, line))  # a cell is located by its line
    return read_table(table, decimal_comma=delimiter == ";", names=ColumnNames.of(options.pack, options.columns))


def _delimiter(header_line: str) -> str:
    if header_line.count(";") > header_line.count(","):
        return ";"
    return "\t" if "\t" in header_line else ","


def _line_breaks_in_cells_as_spaces(text: str) -> str:
    """Which CR ends a line: in a file with LF line ends (Unix, or CRLF from Windows), a CR alone is a
    line break typed inside a cell (old Mac Excel) and reads as a space; in a file with no LF at all
    (CR-only line ends, classic Mac OS), every CR ends a line."""
    return _BARE_CR.sub(" ", text) if "\n" in text else text


def _rows(text: str, delimiter: str) -> Iterator[Row]:
    """Each record with the line it starts on (a quoted cell may span lines), its cells stripped; the
    lines are cut from the text one at a time, so no copy of the whole text is made."""
    reader = csv.reader((match.group() for match in _LINE.finditer(text)), delimiter=delimiter)
    line = 1
    for record in reader:
        yield Row(line, [value.strip() for value in record])
        line = reader.line_num + 1


def _is_text(data: bytes, name: str) -> bool:
    return True  # the last resort: any text is read as CSV, and a wrong header is reported as such


READER = Reader("csv", _is_text, read_csv)
