"""The FEC (Fichier des Écritures Comptables, LPF art. A47 A-1): a French company's ledger, read as ledger lines.

Recognised by its header line, whatever the file's name: the legal column
names from JournalCode to Idevise, separated by tabs or `|`. What real files
contain is accepted: UTF-8 or ISO-8859-15, CR, LF or CRLF line ends, dates
written AAAAMMJJ, a decimal comma, the Montant/Sens variant instead of
Debit/Credit, extra columns after the legal ones. What accountants check is
checked: each entry (EcritureNum within its JournalCode) balances, and debits
equal credits overall. Every problem is located as FILE:LINE and the other
lines are still read.

Opening entries (à-nouveaux) are recognised by their journal, a code such as
AN, RAN or ANO, or a journal label saying so; never by date, since reversals
are also booked on the first day of the year.

`read_ledger` gives the lines; turning accounts into inputs (account rules in
the pack) is the next step, so the registry entry reports that an FEC gives
no facts yet.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from ..errors import Location, Problem
from ..numbers import parse_number
from .columns import normal
from .decoding import decode, first_line
from .model import Facts
from .source import Reader, ReadOptions, ReadResult

FEC_COLUMNS = (
    "JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib", "CompAuxNum", "CompAuxLib",
    "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit", "EcritureLet", "DateLet", "ValidDate", "Montantdevise",
    "Idevise",
)
_AMOUNT_VARIANT = ("Montant", "Sens")  # in place of Debit and Credit
_REQUIRED = ("JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum")
_SIGNATURE = frozenset(c.casefold() for c in _REQUIRED)
OPENING_JOURNALS = frozenset({"AN", "RAN", "ANO"})
_OPENING_LABEL = re.compile(r"(^|_)(a_?nouveaux?|reports?_a_nouveau|ouverture|opening)(_|$)")
_FILE_NAME = re.compile(r"(\d{9})FEC(\d{8})", re.IGNORECASE)
_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SENS = {"d": 1, "c": -1, "+1": 1, "1": 1, "-1": -1}


class LedgerLine(NamedTuple):
    """One line of an entry: an amount debited or credited to an account on a date, and the line it was read
    from. A named tuple: a large company's year is a million of them."""

    line: int
    journal: str
    entry: str
    date: date
    account: str
    auxiliary: str
    label: str
    debit: Decimal
    credit: Decimal
    opening: bool


@dataclass(frozen=True)
class Ledger:
    """The lines of an FEC, and the company and closing date its legal file name gives (`<SIREN>FEC<AAAAMMJJ>`)."""

    name: str
    lines: tuple[LedgerLine, ...]
    siren: str | None = None
    closing: date | None = None


@dataclass(frozen=True)
class LedgerResult:
    ledger: Ledger
    problems: tuple[Problem, ...]


# The columns a line is read from, in this order; an absent optional one reads as empty.
_FIELDS = ("JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompAuxNum", "EcritureLib")


@dataclass(frozen=True)
class _Columns:
    """The position of each column read (None: absent), amounts last, and how many a line must have."""

    positions: tuple[int, ...]  # _FIELDS, then Debit and Credit or Montant and Sens; -1: absent
    signed: bool  # Montant and Sens in place of Debit and Credit
    width: int  # up to the last column read; more (extra trailing columns) is fine

    def cells(self, cells: list[str]) -> list[str]:
        cells.append("")  # what an absent column (position -1) reads
        return [cells[p].strip() for p in self.positions]


@dataclass
class _Entry:
    """Running totals of one entry, for the balance check without keeping its lines."""

    first_line: int
    debit: Decimal = Decimal(0)
    credit: Decimal = Decimal(0)
    lines: int = 0


def is_fec(data: bytes, name: str = "") -> bool:
    """Whether a file starts with an FEC header line (tab or `|` separated)."""
    return _SIGNATURE <= {cell.strip().casefold() for cell in re.split(r"[\t|]", first_line(data))}


def read_ledger(data: bytes, name: str) -> LedgerResult:
    """Every readable line of an FEC, and every problem found, each located as FILE:LINE."""
    text = decode(data, fallback="iso-8859-15")
    header = first_line(data)
    separator = "\t" if header.count("\t") >= header.count("|") else "|"
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=separator, quoting=csv.QUOTE_NONE)  # CR, LF, CRLF alike
    columns, problem = _header(next(rows, []), name)
    if columns is None:
        return LedgerResult(Ledger(name, ()), (problem,) if problem else ())
    read: list[LedgerLine] = []
    problems: list[Problem] = []
    entries: dict[tuple[str, str], _Entry] = {}
    for cells in rows:
        number = rows.line_num
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue
        outcome = _line(cells, columns, number)
        if isinstance(outcome, str):
            problems.append(Problem(Location(name, number), outcome))
            continue
        read.append(outcome)
        entry = entries.setdefault((outcome.journal, outcome.entry), _Entry(number))
        entry.debit += outcome.debit
        entry.credit += outcome.credit
        entry.lines += 1
    problems += _balance_problems(entries, name)
    return LedgerResult(Ledger(name, tuple(read), *_legal_name(name)), tuple(problems))


def _legal_name(name: str) -> tuple[str | None, date | None]:
    """The SIREN and closing date of a file named `<SIREN>FEC<AAAAMMJJ>...`, when it is."""
    found = _FILE_NAME.match(name.replace("\\", "/").rsplit("/", 1)[-1])
    if found is None:
        return None, None
    try:
        return found.group(1), _date(found.group(2), "closing date")
    except ValueError:
        return found.group(1), None


def _header(cells: list[str], name: str) -> tuple[_Columns | None, Problem | None]:
    index: dict[str, int] = {}
    for position, cell in enumerate(cells):
        index.setdefault(cell.strip().casefold(), position)
    signed = {"montant", "sens"} <= set(index)
    amounts = _AMOUNT_VARIANT if signed else ("Debit", "Credit")
    missing = [column for column in (*_REQUIRED, *amounts) if column.casefold() not in index]
    if missing:
        return None, Problem(Location(name, 1), f"the FEC header lacks {', '.join(missing)} (or Montant and Sens in place of Debit and Credit)")
    positions = tuple(index.get(column.casefold(), -1) for column in (*_FIELDS, *amounts))
    return _Columns(positions, signed, max(positions) + 1), None


def _line(cells: list[str], columns: _Columns, number: int) -> LedgerLine | str:
    """One ledger line, or what is wrong with it."""
    if len(cells) < columns.width:
        return f"{len(cells)} cells but the FEC header has {columns.width} columns up to the last one read"
    journal, journal_label, entry, written_date, account, auxiliary, label, first, second = columns.cells(cells)
    empty = [c for c, v in (("JournalCode", journal), ("EcritureNum", entry), ("CompteNum", account)) if not v]
    if empty:
        return f"{', '.join(empty)} {'is' if len(empty) == 1 else 'are'} empty"
    try:
        day = _date(written_date, "EcritureDate")
        debit, credit = _signed(first, second) if columns.signed else (_amount(first, "Debit"), _amount(second, "Credit"))
    except ValueError as error:
        return str(error)
    return LedgerLine(number, journal, entry, day, account, auxiliary, label, debit, credit, _is_opening(journal, journal_label))


@functools.lru_cache(maxsize=4096)  # a ledger has few distinct dates and a million lines
def _date(text: str, column: str) -> date:
    try:
        if len(text) != 8 or not text.isdigit():
            raise ValueError
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise ValueError(f"{column} {text!r} is not a date written AAAAMMJJ") from None


def _signed(amount: str, sens: str) -> tuple[Decimal, Decimal]:
    value = _amount(amount, "Montant")
    if sens.casefold() not in _SENS:
        raise ValueError(f"Sens {sens!r} is neither D (debit) nor C (credit)")
    return (value, Decimal(0)) if _SENS[sens.casefold()] > 0 else (Decimal(0), value)


def _amount(text: str, column: str) -> Decimal:
    if not text:
        return Decimal(0)
    try:  # most amounts are plain (`1234,56`): read without the general number parser
        value = Decimal(text.replace(",", "."))
        if value.is_finite():
            return value
    except InvalidOperation:
        pass
    try:
        return parse_number(text, decimal_comma=True)
    except (ValueError, InvalidOperation):
        raise ValueError(f"{column} {text!r} is not an amount") from None


@functools.lru_cache(maxsize=1024)
def _is_opening(journal: str, journal_label: str) -> bool:
    return journal.upper() in OPENING_JOURNALS or _OPENING_LABEL.search(normal(journal_label)) is not None


def _balance_problems(entries: dict[tuple[str, str], _Entry], name: str) -> Iterator[Problem]:
    """Each entry that does not balance, at its first line, then the whole ledger if it does not."""
    for (journal, number), entry in entries.items():
        if entry.debit != entry.credit:
            yield Problem(
                Location(name, entry.first_line),
                f"entry {number} of journal {journal} does not balance: debits {entry.debit}, credits {entry.credit} "
                f"({entry.lines} line{'s' if entry.lines > 1 else ''})",
            )
    debit, credit = sum(e.debit for e in entries.values()), sum(e.credit for e in entries.values())
    if debit != credit:
        yield Problem(Location(name), f"the ledger does not balance: debits {debit}, credits {credit}")


def read_fec(data: bytes, name: str, options: ReadOptions) -> ReadResult:
    """The registry's view of an FEC: its problems, and since no account rules map it to inputs yet, an error saying so."""
    result = read_ledger(data, name)
    lines = result.ledger.lines
    span = f", {min(line.date for line in lines)} to {max(line.date for line in lines)}" if lines else ""
    message = (f"an FEC ledger ({len(lines)} lines{span}): reading inputs from accounts is not supported yet; "
               "give the inputs as a CSV, workbook, YAML or JSON file")
    return ReadResult(Facts(), (*result.problems, Problem(Location(name), message)))


READER = Reader("fec", is_fec, read_fec)
