"""The contract between the facts loader and each reader: bytes and a name in, facts and located problems out.

A reader is one module that exposes one `Reader`: how to recognise its format
from the file's content, and how to read it. Readers never raise on a user's
mistake: every problem (errors, and warnings such as a line given twice) comes
back in `ReadResult.problems`, each located, while the rest of the file is
still read. A reader may use the pack (a ledger mapped to inputs by account
rules, column names matched to input labels) and may read one named part of
the file (a workbook's sheet).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from ..errors import Problem
from ..limits import Limits
from .model import Facts

if TYPE_CHECKING:
    from ..model import InputDef


class PackView(Protocol):
    """What facts readers need of a pack (a `Pack` is one): its inputs, with their names, labels and
    account rules, and its own checks of facts. Readers depend on this, not on the pack, so the facts
    layer stays below the pack in the pipeline."""

    @property
    def inputs(self) -> Mapping[str, InputDef]: ...

    @property
    def groups(self) -> Collection[str]:
        """The entities the pack declares as groups: their own facts (eliminations, group costs) come only in
        the months that have some, so a month they lack is no gap."""

    def fact_warnings(self, facts: Facts) -> list[Problem]: ...


@dataclass(frozen=True)
class ReadResult:
    """What a reader found: the facts it could read and every problem, errors and warnings, in file order."""

    facts: Facts
    problems: tuple[Problem, ...] = ()

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity != "warning")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")


@dataclass(frozen=True)
class ReadOptions:
    """What a reader may be told besides the file: the pack (input names and labels, account rules), the
    part to read (a sheet; never given to a reader whose `Reader.part` is None), and the caller's column
    renames (header as written -> `period`, `entity`, `name`, `value` or an input), and the limits of what a
    file may hold (`limits.Limits`: the size of a cell)."""

    pack: PackView | None = None
    part: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)


class ReadFunction(Protocol):
    """Read a whole file; `name` is how locations name it."""

    def __call__(self, data: bytes, name: str, options: ReadOptions) -> ReadResult: ...


@dataclass(frozen=True)
class Reader:
    """One facts format: its name, how its content is recognised, and how it is read.

    `detect(data, name)` looks at the content first (a header line, a JSON
    start, a zip signature); the name may only settle what the content leaves
    open (an empty file). `part` is the word for a named part of such a file
    (`"sheet"`), or None when the format has none.
    """

    format: str
    detect: Callable[[bytes, str], bool]
    read: ReadFunction
    part: str | None = None
