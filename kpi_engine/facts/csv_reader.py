"""CSV facts, long or wide (see `table`), comma, semicolon or tab separated.

French Excel exports use `;` and write decimals with a comma (`1 234,56`):
the separator of the header line decides both. This reader is the catch-all
for text that no other reader recognises, so that a file with a wrong header
gets the message about the header.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator

from ..errors import Location, Problem
from ..reasons import Reason
from .columns import ColumnNames
from .decoding import decode, first_line, text_encoding
from .source import Reader, ReadOptions, ReadResult
from .table import Row, Table, read_table

# A CR not followed by LF, in a file whose lines end with LF or CRLF.
_BARE_CR = re.compile(r"\r(?!\n)")
_BARE_CR_BYTE = re.compile(rb"\r(?!\n)")
# A line with its end, as a file opened with newline="" gives it: LF (CRLF included) or CR in a file without LF.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def read_csv(data: bytes, name: str, options: ReadOptions) -> ReadResult:
    lines = _lines(data)
    delimiter = _delimiter(first_line(data))
    max_cell = options.limits.max_cell_length
    refused: dict[int, Problem] = {}  # by line: the table's passes meet each record again
    header = next(_rows(lines(), delimiter, max_cell, name, refused), Row(1, ()))

    def data_rows() -> Iterator[Row]:
        rows = _rows(lines(), delimiter, max_cell, name, refused)
        next(rows, None)
        return rows

    table = Table(header, data_rows, lambda line, _column: Location(name, line))  # a cell is located by its line
    result = read_table(table, decimal_comma=delimiter == ";", names=ColumnNames.of(options.pack, options.columns))
    if not refused:
        return result
    return ReadResult(result.facts, tuple(sorted((*refused.values(), *result.problems), key=lambda problem: problem.location.line)))


def _delimiter(header_line: str) -> str:
    if header_line.count(";") > header_line.count(","):
        return ";"
    return "\t" if "\t" in header_line else ","


def _lines(data: bytes) -> Callable[[], Iterator[str]]:
    """The file's lines, each decoded as it is read (a file of millions of lines is never held as one text),
    every time the function returned is called.

    Which CR ends a line: in a file with LF line ends (Unix, or CRLF from Windows), a CR alone is a
    line break typed inside a cell (old Mac Excel) and reads as a space; in a file with no LF at all
    (CR-only line ends, classic Mac OS), every CR ends a line. UTF-16 (two bytes a character) is decoded
    whole first."""
    encoding = text_encoding(data)
    if encoding == "utf-16":
        whole = decode(data)
        text = _BARE_CR.sub(" ", whole) if "\n" in whole else whole
        return lambda: (match.group() for match in _LINE.finditer(text))
    has_lf = b"\n" in data
    bare_cr = has_lf and _BARE_CR_BYTE.search(data) is not None
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    encoding = "utf-8" if encoding == "utf-8-sig" else encoding

    def lines() -> Iterator[str]:
        source = io.BytesIO(data)  # shares `data`, copies nothing
        source.seek(start)
        text = io.TextIOWrapper(source, encoding=encoding, errors="replace", newline="\n" if has_lf else "\r")  # lines kept whole
        return (_BARE_CR.sub(" ", line) for line in text) if bare_cr else text

    return lines


def _rows(lines: Iterator[str], delimiter: str, max_cell: int, name: str, refused: dict[int, Problem]) -> Iterator[Row]:
    """Each record with the line it starts on (a quoted cell may span lines), its cells stripped; a record with a
    cell over `max_cell` characters is left out, with a problem in `refused`, and reading goes on after it."""
    if csv.field_size_limit() <= max_cell:  # the module's own limit (process-wide) only ever raised, to ours
        csv.field_size_limit(max_cell + 1)
    reader = csv.reader(lines, delimiter=delimiter)
    line = 1
    while True:
        try:
            record: list[str] | None = next(reader)
        except StopIteration:
            return
        except csv.Error:  # a cell beyond the module's limit, which is beyond ours
            record = None
        if record is None or max(map(len, record), default=0) > max_cell:  # map, not a generator: run twice per line
            refused[line] = Problem.of(Location(name, line), Reason.of("cell_too_long", limit=max_cell))
        else:
            yield Row(line, list(map(str.strip, record)))
        line = reader.line_num + 1


def _is_text(data: bytes, name: str) -> bool:
    return True  # the last resort: any text is read as CSV, and a wrong header is reported as such


READER = Reader("csv", _is_text, read_csv)
