"""Problems as data.

The core never prints and never raises on a user's mistake while there is
more to check: each check yields `Problem` values, the caller collects all of
them, and only the edge (the CLI, or an embedding tool) turns them into text.
`PackError` is the single exception that carries a list of problems across an
API boundary, so a caller gets every problem at once.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

from .facts_messages import FACTS_MESSAGES


class Worded(Protocol):
    """A message as data (`reasons.Reason`): a code and parameters, worded in any language at the edge."""

    def text(self, lang: Any = ...) -> str: ...


@dataclass(frozen=True)
class Location:
    """A place in a source file; lines and columns start at 1, as editors show them."""

    file: str
    line: int = 0
    column: int = 0
    sheet: str = ""  # a workbook's sheet: then line and column are its row and column, shown as `Sheet!B12`

    def __str__(self) -> str:
        if self.sheet:
            return f"{self.file}:{_sheet_cell(self.sheet, self.line, self.column)}"
        if self.line <= 0:
            return self.file
        if self.column <= 0:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"


def _sheet_cell(sheet: str, row: int, column: int) -> str:
    """`Ventes!B12`, `'Budget 2025'!A1` (quoted as spreadsheets do when the name has spaces), or `Ventes`."""
    name = sheet if sheet.replace("_", "").isalnum() else "'" + sheet.replace("'", "''") + "'"
    if row <= 0:
        return name
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{name}!{letters}{row}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a pack or a facts file, with where it is.

    `snippet` is the offending source line with a caret under the culprit,
    printed under the message (like a compiler does) when there is one.
    `severity` is "error" (the pack cannot be used) or "warning". `message`
    is English, the text of record; a problem made `of` a `reasons.Reason`
    keeps it as `cause` and is worded in any language by `text(lang)`.
    """

    location: Location
    message: str
    snippet: str = ""
    severity: str = "error"
    cause: Worded | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, location: Location, cause: Worded, severity: str = "error", snippet: str = "") -> Problem:
        """A problem whose message is data: English in `message`, any language through `text(lang)`."""
        return cls(location, cause.text("en"), snippet, severity, cause)

    def text(self, lang: str = "en") -> str:
        """`FILE:LINE:COL: message` (and the caret lines) in `lang` when the problem is data, else in English."""
        lang = lang if self.cause is not None else "en"  # a message not yet data stays English, its prefix too
        message = self.cause.text(lang) if self.cause is not None else self.message
        prefix = ("attention : " if lang == "fr" else "warning: ") if self.severity == "warning" else ""
        text = f"{self.location}: {prefix}{message}"
        return f"{text}\n{self.snippet}" if self.snippet else text

    def __str__(self) -> str:
        return self.text("en")



class KpiError(Exception):
    """Root of every exception the engine raises on purpose."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        super().__init__(problems)
        self.problems: tuple[Problem, ...] = tuple(problems)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class PackError(KpiError):
    """A pack could not be loaded: its `problems` say every reason, each located."""


class FactsError(KpiError):
    """Facts could not be read: its `problems` say every reason, each located."""


def caret_snippet(source_line: str, column: int, width: int = 1) -> str:
    """The source line and a caret line under `column` (1-based) spanning `width` characters."""
    width = max(1, min(width, 80))
    start = max(0, column - 1 - 60) if len(source_line) > 120 else 0  # a window around the culprit
    shown = source_line[start : start + 120]
    prefix, suffix = ("..." if start else ""), ("..." if start + 120 < len(source_line) else "")
    pad = "".join(ch if ch == "\t" else " " for ch in source_line[start : max(start, column - 1)])
    return f"    {prefix}{shown}{suffix}\n    {' ' * len(prefix)}{pad}{'^' * width}"


class WordedError(Exception):
    """A failure around the engine (a delivery channel, the alert store, a report option, a duration) whose message
    is data: `cause` (a `reasons.Reason`) is worded in the reader's language by `text(lang)`; `message` and `str()`
    are the English, the text of record (what the store keeps, what JSON prints)."""

    def __init__(self, cause: Worded) -> None:
        self.cause = cause
        self.message = cause.text("en")
        super().__init__(self.message)

    def text(self, lang: Any = "en") -> str:
        return self.cause.text(lang)

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.cause,)  # copied whole, to another process, with its cause


class Refusal(ValueError):
    """A value refused where it is read (a period, a number, a cell of a ledger), as data: a code of
    `facts_messages` and its parameters, so the problem a reader builds from it (`reasons.Reason.of_error`) reads
    in the reader's language. `str()` is the English, as for any ValueError.

    `periods` and `numbers` raise it, below `reasons` in the pipeline (which words numbers and periods),
    so the English is filled in here from the catalogue alone: a `written` value quoted as Python does,
    a nested message (a `Worded`) in English, anything else as `str()` gives it, as `reasons` words them."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code, params)
        self.code, self.params = code, params

    def __str__(self) -> str:
        english = FACTS_MESSAGES[self.code][0]
        return english.format(**{key: _english(key, value) for key, value in self.params.items()})

    def __reduce__(self) -> tuple[Any, ...]:
        return partial(Refusal, self.code, **self.params), ()  # copied whole, parameters included (to another process)


def _english(key: str, value: Any) -> str:
    if hasattr(value, "text"):
        return str(value.text("en"))
    if key == "names":
        return ", ".join(repr(name) for name in value)
    if key == "hint":
        return did_you_mean_word(value)
    return repr(value) if key == "written" else str(value)


class Undefined(Exception):
    """Raised inside evaluation when a value cannot be computed; `cause` says why (a `reasons.Reason`).

    It never escapes the evaluator: the KPI being computed becomes undefined
    with this cause and every other KPI is still evaluated.
    """

    def __init__(self, cause: Any) -> None:
        super().__init__(cause)
        self.cause = cause

    @property
    def reason(self) -> str:
        """The cause in English, the text of record."""
        return str(self.cause)


def path_text(path: Iterable[str | int]) -> str:
    """`kpis.marge.alerts[1].severity`: the one notation of a place in a YAML document in every message,
    list items counted from 1 as people count them ("" for the document itself)."""
    text = ""
    for part in path:
        text += f"[{part + 1}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text


def name_without_accents(name: str) -> str:
    """`coût_matières` -> `cout_matieres`: the name to write, since names are ASCII letters, digits and '_'.

    Accents are dropped (`é` -> `e`, `œ` -> `oe`); any other character that cannot be in a name becomes '_'."""
    spelled = unicodedata.normalize("NFKD", name.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE"))
    letters = "".join(char for char in spelled if not unicodedata.combining(char))
    written = "".join(char if char.isascii() and (char.isalnum() or char == "_") else "_" for char in letters)
    return "_" + written if written[:1].isdigit() else written


def accent_hint(name: str) -> str:
    """` (names are written without accents: write 'cout_matieres')` for a name with accents, else ""."""
    if name.isascii():
        return ""
    return f" (names are written without accents: write '{name_without_accents(name)}')"


def closest(word: str, choices: Iterable[str]) -> str:
    """The known word closest to `word`, or "" when none is close: a message's `hint` (`reasons`)."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else ""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the closest known word, or nothing when none is close."""
    return did_you_mean_word(closest(word, choices))


def did_you_mean_word(near: str) -> str:
    """` (did you mean 'x'?)` for a `closest` word, "" for none: a message's `hint` in English (`reasons` words it
    in French)."""
    return f" (did you mean '{near}'?)" if near else ""
