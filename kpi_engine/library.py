"""The bundled standard KPI library, and the file naming rule every pack follows.

The library is package data (`kpi_engine/standard`, a link to the source
tree's `definitions/` folder, copied into the wheel), so it is found with
`importlib.resources` whether the package runs from the source tree or from
an installed wheel. This module and `loader` read files; the pure pipeline
(`pack.build_pack`, `Pack.from_texts`) only ever receives texts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType

STANDARD = "standard"
DEFINITION_SUFFIXES = (".yaml", ".yml")
TEST_SUFFIXES = (".test.yaml", ".test.yml")


def is_definition_name(name: str) -> bool:
    """Definitions are written in `.yaml`/`.yml` files; `*.test.yaml` files are pack tests."""
    return name.endswith(DEFINITION_SUFFIXES) and not name.endswith(TEST_SUFFIXES)


def standard_library_path() -> Path:
    """The folder of the bundled standard library (`definitions/` in the source tree)."""
    return Path(str(files(__package__).joinpath(STANDARD)))


@cache
def standard_library_texts() -> Mapping[str, str]:
    """`{"standard/FILE": YAML text}` for every definition file of the bundled library, read once."""
    entries = sorted(_definition_entries(files(__package__).joinpath(STANDARD), ()))
    return MappingProxyType({"/".join((STANDARD, *parts)): entry.read_text(encoding="utf-8-sig") for parts, entry in entries})


def _definition_entries(folder: Traversable, parts: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Traversable]]:
    for entry in folder.iterdir():
        if entry.is_dir():
            yield from _definition_entries(entry, (*parts, entry.name))
        elif is_definition_name(entry.name):
            yield (*parts, entry.name), entry


class _StandardTexts(Mapping[str, str]):
    """The standard library's texts, read from the package when first looked at."""

    def __getitem__(self, name: str) -> str:
        return standard_library_texts()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(standard_library_texts())

    def __len__(self) -> int:
        return len(standard_library_texts())


BUNDLED: Mapping[str, Mapping[str, str]] = MappingProxyType({STANDARD: _StandardTexts()})
"""The packs `Pack.from_texts` may extend by default: `standard`, the bundled library."""
