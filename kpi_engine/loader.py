"""Packs from disk: find the files, follow `extends`, and hand the texts to the pure core.

This is the only module (with `library`, the facts readers and the CLI) that
touches the file system. A pack is a `.yaml`/`.yml` file or a folder of them,
searched recursively; files ending in `.test.yaml` are pack tests, not
definitions; other files are ignored. `extends: standard` names the bundled
library (`library.standard_library_path`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .errors import Location, PackError, Problem
from .library import DEFINITION_SUFFIXES, STANDARD, TEST_SUFFIXES, standard_library_path
from .pack import Pack, build_pack
from .parser import Limits
from .yamlsource import Document, load_document


def load_pack(path: str | Path, limits: Limits = Limits()) -> Pack:
    """Load, validate and compile a pack; raises PackError listing every problem, each located."""
    layers, problems = read_layers(Path(path), limits)
    if problems:
        raise PackError(problems)
    return build_pack(layers, limits)


def definition_files(root: Path) -> list[Path]:
    """The YAML definition files of a pack (a file, or a folder searched recursively), tests excluded."""
    if root.is_file():
        return [root] if root.suffix in DEFINITION_SUFFIXES else []
    files = [p for p in root.rglob("*") if p.suffix in DEFINITION_SUFFIXES and p.is_file()]
    return sorted(p for p in files if not p.name.endswith(TEST_SUFFIXES))


def test_files(root: Path) -> list[Path]:
    """Pack test files kept beside a pack (`*.test.yaml`, anywhere under it)."""
    base = root if root.is_dir() else root.parent
    return sorted(p for p in base.rglob("*") if p.name.endswith(TEST_SUFFIXES) and p.is_file())


def display_name(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_layers(root: Path, limits: Limits = Limits()) -> tuple[list[list[Document]], list[Problem]]:
    """The documents of a pack and of every pack it extends, bases first, and the problems found."""
    layers: list[list[Document]] = []
    problems: list[Problem] = []
    _read(root, layers, problems, limits, visiting=[], done=set())
    return layers, problems


def _read(root: Path, layers: list[list[Document]], problems: list[Problem], limits: Limits, visiting: list[Path], done: set[Path]) -> None:
    key = root.resolve()
    if key in done:
        return
    if not root.exists():
        problems.append(Problem(Location(display_name(root)), "no such file or folder"))
        return
    visiting.append(key)
    documents: list[Document] = []
    for file in definition_files(root):
        document = _read_document(file, limits)
        if isinstance(document, list):
            problems.extend(document)
            continue
        documents.append(document)
        for base, location in _bases(document, file):
            if base.resolve() in visiting:
                loop = Problem(location, f"'extends' loops back to {display_name(base)}")
                if loop not in problems:
                    problems.append(loop)
                continue
            if not base.exists():
                problems.append(Problem(location, f"extended pack {display_name(base)} does not exist"))
                continue
            _read(base, layers, problems, limits, visiting, done)
    if not documents and not problems:
        what = "is not a .yaml or .yml file" if root.is_file() else "holds no .yaml or .yml definition file"
        problems.append(Problem(Location(display_name(root)), f"{what}: a pack is written in YAML"))
    visiting.pop()
    done.add(key)
    layers.append(documents)


def read_text(file: Path) -> str | Problem:
    """A file's text (UTF-8, byte-order mark dropped), or the located problem that prevents reading it.

    Facts files, which come from spreadsheets in other encodings, are decoded by their readers (`facts.decoding`).
    """
    location = Location(display_name(file))
    try:
        data = file.read_bytes()
    except OSError as error:
        return Problem(location, f"cannot be read: {error.strerror}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return Problem(location, f"not UTF-8 text (byte {error.start}); save the file as UTF-8")


def _read_document(file: Path, limits: Limits) -> Document | list[Problem]:
    """A definition file's document, or the problems that spoil it (unreadable, not YAML...)."""
    text = read_text(file)
    if isinstance(text, Problem):
        return [text]
    document, problems = load_document(text, display_name(file), limits.max_yaml_nodes)
    return problems or document


def _bases(document: Document, file: Path) -> Iterator[tuple[Path, Location]]:
    data = document.data if isinstance(document.data, dict) else {}
    extends = data.get("extends")
    names = [extends] if isinstance(extends, str) else extends if isinstance(extends, list) else []
    for index, name in enumerate(names):
        if not isinstance(name, str):
            continue
        path = ("extends",) if isinstance(extends, str) else ("extends", index)
        location = document.location(path)
        yield (standard_library_path() if name == STANDARD else (file.parent / name)), location
