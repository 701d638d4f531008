"""Facts from files: open each, let the registry recognise its format, merge, and check the whole.

`load_facts` is what the CLI calls and what an embedding tool calls with
paths; `read_facts` does the same for bytes already in memory. Files are
named in locations as the caller wrote them. `book.xlsx#Ventes` names a part
(a sheet) of a file, for the formats that have parts.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import FactsError, Location, Problem
from ..files import FileRefusal, read_bounded
from .checks import consistency_warnings
from .model import Facts
from .registry import READERS, detect_format
from .source import ReadOptions, ReadResult

if TYPE_CHECKING:
    from ..formatting import Language
    from .source import PackView

PathLike = str | os.PathLike[str]


def load_facts(
    paths: Iterable[PathLike], pack: PackView | None = None, *, columns: Mapping[str, str] | None = None, lang: Language = "fr"
) -> Facts:
    """The facts of every file merged; raises FactsError with every error of every file at once.

    With a pack, readers use it (columns named by an input's label, account
    rules), and the pack's own warnings (a fact no input reads...) join the
    facts' `warnings`, which hold every warning of the sources. `columns`
    renames headers: `{"CA boutique": "chiffre_affaires_ht", "Magasin": "entity"}`.
    Only regular files of at most `files.MAX_INPUT_BYTES` are read (a FIFO or
    `/dev/zero` is refused at once); `lang` words that refusal.
    """
    facts, errors = survey_facts(paths, pack, columns=columns, lang=lang)
    if errors:
        raise FactsError(errors)
    return facts


def survey_facts(
    paths: Iterable[PathLike], pack: PackView | None = None, *, columns: Mapping[str, str] | None = None, lang: Language = "en"
) -> tuple[Facts, list[Problem]]:
    """As `load_facts`, but never raising: the facts that could be read (with every warning, the
    checks of the whole included) and the errors, for a command that shows all of it (`kpi facts`)."""
    facts: Facts | None = None
    errors: list[Problem] = []
    for path in paths:
        result = read_file(path, pack, columns=columns, lang=lang)
        errors.extend(result.errors)
        if facts is None:
            facts = result.facts  # the first file's facts are the start: not copied, which would hold them twice
        else:
            errors.extend(facts.merge(result.facts))
        facts.warn(result.warnings)
    facts = Facts() if facts is None else facts
    facts.warn(consistency_warnings(facts, pack.groups if pack is not None else ()))
    if pack is not None:
        facts.warn(pack.fact_warnings(facts))
    return facts, errors


def read_file(
    path: PathLike, pack: PackView | None = None, *, columns: Mapping[str, str] | None = None, lang: Language = "fr"
) -> ReadResult:
    """One file's facts and problems, never an exception for a file that cannot be read."""
    file, part = _split_part(path)
    name = str(file)
    data = read_bounded(file)
    if isinstance(data, FileRefusal):
        return ReadResult(Facts(), (data.problem(lang),))
    return read_facts(data, name, pack=pack, part=part, columns=columns)


def read_facts(
    data: bytes, name: str, *, pack: PackView | None = None, part: str | None = None, columns: Mapping[str, str] | None = None
) -> ReadResult:
    """Facts from a file's bytes, by the reader its content calls for; `name` is for locations."""
    reader = READERS[detect_format(data, name)]
    if part is not None and reader.part is None:
        message = f"a {reader.format} file has no parts: '#{part}' only names a sheet of a workbook"
        return ReadResult(Facts(), (Problem(Location(name), message),))
    return reader.read(data, name, ReadOptions(pack, part, columns or {}))


def read_facts_text(text: str, name: str) -> Facts:
    """Facts from the text of a file (its format recognised by its content); raises FactsError on errors."""
    result = read_facts(text.encode("utf-8"), name)
    if result.errors:
        raise FactsError(result.errors)
    result.facts.warn(result.warnings)
    return result.facts


def _split_part(path: PathLike) -> tuple[Path, str | None]:
    """`book.xlsx#Ventes` -> (book.xlsx, Ventes), unless a file is really named so."""
    file = Path(path)
    if "#" not in file.name or file.exists():
        return file, None
    base, _, part = os.fspath(path).rpartition("#")
    return Path(base), part or None
