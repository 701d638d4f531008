"""The FEC reader: the *Fichier des Écritures Comptables* every French company must be able to export.

The norm (LPF art. A47 A-1) fixes 18 columns; real files vary in the rest:
tab or `|` separator, UTF-8 or ISO-8859-15, decimal comma or point, CR, LF
or CRLF line ends, a `Montant`/`Sens` pair instead of `Debit`/`Credit`,
extra columns after the legal ones. The file is recognised by its header
line, whatever its extension.

Reading checks what an accountant checks: every entry (`EcritureNum` within
its journal) balances, and debits equal credits over the file. Each problem is
located `FILE:LINE`; a line that cannot be read is reported and the rest is
still read. Lines are aggregated per account and month as they are read (see
`model.Ledger`), so a million-line file is read in bounded memory.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from ..errors import Location, Problem, Refusal, Worded
from ..periods import Frequency, Period
from ..reasons import Reason
from .model import ZERO, Ledger, Movements

LEGAL_COLUMNS = (
    "JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib", "CompAuxNum", "CompAuxLib",
    "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit", "EcritureLet", "DateLet", "ValidDate",
    "Montantdevise", "Idevise",
)
_READ_COLUMNS = ("JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib")
_AMOUNT_PAIRS = (("Debit", "Credit"), ("Montant", "Sens"))  # the norm allows either
_SEPARATORS = ("\t", "|")

# Opening entries (à-nouveaux) are recognised by their journal, never by their date:
# reversals are booked on the first day of the year too.
_OPENING_CODES = frozenset({"AN", "AN0", "ANO", "ANX", "ANOUV", "RAN"})
_OPENING_WORDS = ("a nouveau", "anouveau", "ouverture")
_LEGAL_NAME = re.compile(r"(\d{9})FEC(\d{8})", re.IGNORECASE)  # <SIREN>FEC<closing date AAAAMMJJ>
_SENS = {"D": True, "DEBIT": True, "DÉBIT": True, "+1": True, "1": True,
         "C": False, "CREDIT": False, "CRÉDIT": False, "-1": False}
_ZEROS = {"": ZERO, "0": ZERO, "0,00": ZERO, "0.00": ZERO, "0,0": ZERO, "0.0": ZERO}
MAX_LINE_PROBLEMS = 100  # a wholly unreadable file is summed up, not listed line by line


def is_fec(data: bytes) -> bool:
    """Whether `data` starts with an FEC header line (its extension does not matter)."""
    names = {name.lower() for name in _header_cells(data)[0]}
    return {"journalcode", "ecrituredate", "comptenum"} <= names


def read_fec(data: bytes, name: str, entity: str | None = None) -> tuple[Ledger, list[Problem]]:
    """One FEC file as a `Ledger`, and every problem found in it, each located `name:LINE`.

    The entity is `entity` when given, else the SIREN that starts a legal file name
    (`<SIREN>FEC<AAAAMMJJ>.txt`), else none.
    """
    legal = _LEGAL_NAME.match(PurePath(name).name)
    owner = entity if entity is not None else legal.group(1) if legal else None
    layout, problems = _layout(data, name)
    if layout is None:
        return Ledger(name, owner, ()), problems
    scan = _scan_decoded(data, layout, name)
    problems += scan.problems
    closing = legal.group(2) if legal else ""
    problems += _closing_problems(scan, closing, name)
    return _ledger(scan, name, owner, closing if _valid_date(closing) else ""), problems


# --- the header ---------------------------------------------------------------------
@dataclass(frozen=True)
class _Layout:
    """Where the columns the reader needs sit, and how a line gives its debit and credit."""

    separator: str
    width: int  # cells a line needs, at least
    columns: dict[str, int]
    amounts: Callable[[list[str]], tuple[Decimal, Decimal]]


def _header_cells(data: bytes) -> tuple[list[str], str]:
    first = re.split(rb"\r\n|\r|\n", data[:4096], maxsplit=1)[0].decode("utf-8", "replace").removeprefix("\ufeff")
    separator = next((s for s in _SEPARATORS if s in first), "\t")
    return [cell.strip() for cell in first.split(separator)], separator


def _layout(data: bytes, name: str) -> tuple[_Layout | None, list[Problem]]:
    cells, separator = _header_cells(data)
    found = {cell.lower(): index for index, cell in enumerate(cells)}
    header = Location(name, 1)
    pair = next((p for p in _AMOUNT_PAIRS if all(c.lower() in found for c in p)), None)
    missing = [c for c in _READ_COLUMNS if c.lower() not in found] + ([] if pair else ["Debit", "Credit"])
    if missing:
        shown = ", ".join(c for c in cells[:20] if c) or Reason.of("nothing_found")
        cause = Reason.of("not_a_fec", missing=", ".join(missing), legal=", ".join(LEGAL_COLUMNS), found=shown)
        return None, [Problem.of(header, cause)]
    problems = []
    absent = [c for c in LEGAL_COLUMNS if c.lower() not in found and c not in ("Debit", "Credit")]
    if absent:
        code = "fec_column_absent" if len(absent) == 1 else "fec_columns_absent"
        problems.append(Problem.of(header, Reason.of(code, absent=", ".join(absent)), "warning"))
    if pair is None:  # the header check above returns when neither Debit/Credit nor Montant/Sens is there
        raise TypeError("an FEC layout needs its amount columns")
    columns = {c: found[c.lower()] for c in (*_READ_COLUMNS, *pair)}
    amounts = _debit_credit(columns["Debit"], columns["Credit"]) if pair[0] == "Debit" else _montant_sens(columns["Montant"], columns["Sens"])
    return _Layout(separator, max(columns.values()) + 1, columns, amounts), problems


def _amount(text: str, column: str) -> Decimal:
    value = _ZEROS.get(text)
    if value is not None:
        return value
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise Refusal("not_an_amount", column=column, written=text)
    return value


def _debit_credit(debit: int, credit: int) -> Callable[[list[str]], tuple[Decimal, Decimal]]:
    return lambda cells: (_amount(cells[debit], "Debit"), _amount(cells[credit], "Credit"))


def _montant_sens(montant: int, sens: int) -> Callable[[list[str]], tuple[Decimal, Decimal]]:
    def amounts(cells: list[str]) -> tuple[Decimal, Decimal]:
        amount = _amount(cells[montant], "Montant")
        is_debit = _SENS.get(cells[sens].strip().upper())
        if is_debit is None:
            raise Refusal("bad_sens", written=cells[sens])
        return (amount, ZERO) if is_debit else (ZERO, amount)

    return amounts


# --- the lines ----------------------------------------------------------------------
def _scan_decoded(data: bytes, layout: _Layout, name: str) -> _Scan:
    """Read as UTF-8, or as ISO-8859-15 when it is not (the norm allows both)."""
    try:
        return _scan(_lines(data, "utf-8-sig"), layout, name)
    except UnicodeDecodeError:
        return _scan(_lines(data, "iso-8859-15"), layout, name)


def _lines(data: bytes, encoding: str) -> Iterator[str]:
    """The lines after the header; CR, LF and CRLF all end a line (universal newlines)."""
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline=None)
    next(stream, None)
    return stream


class _Entry:
    """The running sums of one entry (EcritureNum within its journal) and its first line."""

    __slots__ = ("credit", "debit", "line")

    def __init__(self, line: int) -> None:
        self.debit, self.credit, self.line = ZERO, ZERO, line


@dataclass
class _Scan:
    """What reading the lines gathers: the aggregates, the date range and the problems."""

    movements: dict[tuple[str, str], list[Decimal]] = field(default_factory=dict)  # (account, AAAAMM) -> [debit, credit]
    opening: dict[str, Decimal] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    months: dict[str, str] = field(default_factory=dict)  # EcritureDate as written -> its AAAAMM
    first: str = "99999999"
    last: str = "00000000"
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    lines: int = 0
    problems: list[Problem] = field(default_factory=list)
    unread: int = 0  # lines with a problem
    unbalanced: dict[tuple[str, str], _Entry] = field(default_factory=dict)  # entries that do not balance so far
    spoiled: set[tuple[str, str]] = field(default_factory=set)  # entries with an unread line: not checked

    def month_of(self, text: str) -> str:
        """The AAAAMM of an EcritureDate, remembered per spelling (a year has few distinct dates)."""
        month = self.months.get(text)
        if month is None:
            if not _valid_date(text):
                raise Refusal("bad_entry_date", written=text)
            month = self.months[text] = text[:6]
            self.first, self.last = min(self.first, text), max(self.last, text)
        return month

    def report(self, location: Location, cause: Worded) -> None:
        self.unread += 1
        if self.unread <= MAX_LINE_PROBLEMS:
            self.problems.append(Problem.of(location, cause))


def _valid_date(text: str) -> bool:
    if len(text) != 8 or not text.isdigit():
        return False
    try:
        date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return False
    return True


def _scan(lines: Iterator[str], layout: _Layout, name: str) -> _Scan:
    """Aggregate every line. One loop with local names: it runs once per line of large files."""
    scan = _Scan()
    journal_at, number_at, date_at = layout.columns["JournalCode"], layout.columns["EcritureNum"], layout.columns["EcritureDate"]
    account_at, label_at, journal_label_at = layout.columns["CompteNum"], layout.columns["CompteLib"], layout.columns["JournalLib"]
    separator, width, amounts, movements, labels = layout.separator, layout.width, layout.amounts, scan.movements, scan.labels
    openings: dict[str, bool] = {}
    entry: tuple[str, str] = ("", "")
    entry_sums = _Entry(0)
    for number, line in enumerate(lines, 2):
        cells = line.rstrip("\n").split(separator)
        if len(cells) < width:
            if line.strip():
                scan.report(Location(name, number), Reason.of("fec_row_width", cells=len(cells), columns=width))
                if len(cells) > max(journal_at, number_at):
                    scan.spoiled.add((cells[journal_at], cells[number_at]))
            continue
        journal, entry_number = cells[journal_at], cells[number_at]
        if entry_number != entry[1] or journal != entry[0]:
            _close_entry(scan, entry, entry_sums)
            entry = (journal, entry_number)
            entry_sums = _open_entry(scan, entry, number)
        account = cells[account_at].strip()
        try:
            if not account:
                raise Refusal("empty_account")
            month = scan.month_of(cells[date_at])
            debit, credit = amounts(cells)
        except Refusal as error:  # a cell that cannot be read: the line is reported
            scan.report(Location(name, number), Reason.of_error(error))
            scan.spoiled.add(entry)
            continue
        scan.lines += 1
        entry_sums.debit += debit
        entry_sums.credit += credit
        if account not in labels:
            labels[account] = cells[label_at].strip()
        is_opening = openings.get(journal)
        if is_opening is None:
            is_opening = openings[journal] = _is_opening_journal(journal, cells[journal_label_at])
        if is_opening:
            scan.opening[account] = scan.opening.get(account, ZERO) + debit - credit
            continue
        sums = movements.get((account, month))
        if sums is None:
            movements[(account, month)] = [debit, credit]
        else:
            sums[0] += debit
            sums[1] += credit
    _close_entry(scan, entry, entry_sums)
    return scan


def _open_entry(scan: _Scan, entry: tuple[str, str], line: int) -> _Entry:
    """The running sums of an entry: zero, or what its earlier lines left unbalanced (taken back
    from the file's totals, which `_close_entry` adds again)."""
    sums = scan.unbalanced.pop(entry, None)
    if sums is None:
        return _Entry(line)
    scan.debit -= sums.debit
    scan.credit -= sums.credit
    return sums


def _close_entry(scan: _Scan, entry: tuple[str, str], sums: _Entry) -> None:
    """Keep an entry that does not balance so far: its other lines may come later in the file."""
    scan.debit += sums.debit
    scan.credit += sums.credit
    if sums.debit != sums.credit:
        scan.unbalanced[entry] = sums


def _is_opening_journal(code: str, label: str) -> bool:
    words = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower().replace("-", " ").replace("'", " ")
    return code.strip().upper() in _OPENING_CODES or any(word in " ".join(words.split()) for word in _OPENING_WORDS)


# --- the checks and the result ---------------------------------------------------------
def _closing_problems(scan: _Scan, closing: str, name: str) -> list[Problem]:
    problems = []
    for (journal, number), sums in scan.unbalanced.items():
        if (journal, number) not in scan.spoiled:
            cause = Reason.of("unbalanced_entry", entry=number, journal=journal, debit=sums.debit, credit=sums.credit, difference=sums.debit - sums.credit)
            problems.append(Problem.of(Location(name, sums.line), cause))
    if scan.debit != scan.credit and not scan.unread:
        cause = Reason.of("unbalanced_file", debit=scan.debit, credit=scan.credit, difference=scan.debit - scan.credit)
        problems.append(Problem.of(Location(name), cause))
    if scan.unread > MAX_LINE_PROBLEMS:
        problems.append(Problem.of(Location(name), Reason.of("more_unread_lines", count=scan.unread - MAX_LINE_PROBLEMS, limit=MAX_LINE_PROBLEMS)))
    if not scan.lines and not scan.unread:
        problems.append(Problem.of(Location(name, 2), Reason.of("fec_no_entry")))
    if _valid_date(closing) and scan.lines and scan.last > closing:
        problems.append(Problem.of(Location(name), Reason.of("after_closing", last=scan.last, closing=closing), "warning"))
    return problems


def _ledger(scan: _Scan, name: str, entity: str | None, closing: str) -> Ledger:
    """The fiscal year runs from its first entry (the opening entries, when there are some) to the
    closing date of the file name, or else to its last entry."""
    if not scan.lines:
        return Ledger(name, entity, ())
    first, last = _month(scan.first), _month(max(scan.last, closing))
    months = tuple(Period(Frequency.MONTHLY, ordinal) for ordinal in range(first.ordinal, last.ordinal + 1))
    by_text = {f"{p.start.year:04d}{p.start.month:02d}": p for p in months}
    movements = {(account, by_text[month]): Movements(*sums) for (account, month), sums in scan.movements.items()}
    return Ledger(name, entity, months, scan.labels, scan.opening, movements, scan.lines)


def _month(text: str) -> Period:
    return Period(Frequency.MONTHLY, int(text[:4]) * 12 + int(text[4:6]) - 1)
