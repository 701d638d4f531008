"""Packs from disk: find the files, follow `extends`, and hand the texts to the pure core.

This is the only module (with `library`, the facts readers and the CLI) that
touches the file system. A pack is a `.yaml`/`.yml` file or a folder of them,
searched recursively; files ending in `.test.yaml` are pack tests, not
definitions; other files are ignored. `extends: standard` names the bundled
library (`library.standard_library_path`).

Files outside the user's intent are never read (a pack may come from someone else):
    - `extends` is `standard` or a path relative to the file that names it; an absolute
      path is refused, and so is a base that resolves (links followed) outside the
      *extends root*: by default the folder holding the pack's folder, so a pack may
      extend packs below it and beside it (`extends: ../base`), never climb further.
      An embedding program may declare another root (`load_pack(..., extends_root=)`).
    - a pack folder is searched at most MAX_PACK_DEPTH folders deep and MAX_PACK_ENTRIES
      entries wide; symbolic links to folders are not followed, and a file linked from
      outside the root is refused without being read, so no foreign file is ever quoted.
    - every file read is a regular file of at most `files.MAX_INPUT_BYTES` (no device, no FIFO).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Location, PackError, Problem
from .files import FileRefusal, check_regular_file, read_bounded
from .formatting import Language
from .library import DEFINITION_SUFFIXES, STANDARD, TEST_SUFFIXES, standard_library_path
from .limits import Limits
from .pack import Pack, build_pack
from .yamlsource import Document, load_document

# code -> (English, French): every problem the loader itself reports, worded in the reader's language.
MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("no such file or folder", "fichier ou dossier introuvable"),
    "not_yaml_file": ("is not a .yaml or .yml file: a pack is written in YAML", "n'est pas un fichier .yaml ou .yml : un pack s'écrit en YAML"),
    "no_yaml_file": (
        "holds no .yaml or .yml definition file: a pack is written in YAML",
        "ne contient aucun fichier de définitions .yaml ou .yml : un pack s'écrit en YAML",
    ),
    "folder_too_large": (
        "the folder is too large for a pack: more than {entries} entries or {depth} levels of folders; a pack folder holds its YAML files",
        "le dossier est trop grand pour un pack : plus de {entries} entrées ou {depth} niveaux de dossiers ; un dossier de pack contient ses fichiers YAML",
    ),
    "linked_outside": ("a symbolic link to a file outside {root}: not read", "un lien symbolique vers un fichier hors de {root} : non lu"),
    "extends_loop": ("'extends' loops back to {base}", "« extends » revient en boucle sur {base}"),
    "extends_missing": ("extended pack {base} does not exist", "le pack étendu {base} n'existe pas"),
    "extends_absolute": (
        "'extends' names an absolute path ({name}); name the pack by a path relative to this file, or 'standard'",
        "« extends » donne un chemin absolu ({name}) ; nommez le pack par un chemin relatif à ce fichier, ou « standard »",
    ),
    "extends_outside": (
        "'extends' leads outside {root} ({name}): a pack extends packs below or beside its folder, never further up",
        "« extends » mène hors de {root} ({name}) : un pack étend des packs sous son dossier ou à côté, jamais plus haut",
    ),
    "not_utf8": ("not UTF-8 text (byte {byte}); save the file as UTF-8", "pas du texte UTF-8 (octet {byte}) ; enregistrez le fichier en UTF-8"),
}


def _problem(location: Location, code: str, lang: Language, **params: object) -> Problem:
    return Problem(location, MESSAGES[code][lang == "fr"].format(**params))


MAX_PACK_DEPTH = 8
"""How many folders deep a pack folder is searched: deeper than any pack is organised, and `extends: /` cannot walk a disk."""
MAX_PACK_ENTRIES = 10_000
"""How many folder entries a pack folder search looks at, files and folders alike, before it stops with a problem."""


def load_pack(path: str | Path, limits: Limits = Limits(), extends_root: Path | None = None, lang: Language = "fr") -> Pack:
    """Load, validate and compile a pack; raises PackError listing every problem, each located.

    `extends_root` is the folder every extended pack must stay within (default: see the module);
    `lang` words the problems of finding and reading files (English is the text of record).
    """
    reading = _Reading([], [], limits, lang)
    _read(Path(path), _boundary(Path(path), extends_root), reading)
    if reading.problems:
        raise PackError(reading.problems + reading.in_files)
    return build_pack(reading.layers, limits, reading.in_files)


def definition_files(root: Path) -> list[Path]:
    """The YAML definition files of a pack (a file, or a folder searched within the bounds), tests excluded."""
    return _search(root)[0]


def _search(root: Path) -> tuple[list[Path], bool]:
    """The definition files of a pack, and whether the folder search was cut short by the bounds."""
    if root.is_file():
        return ([root] if root.suffix in DEFINITION_SUFFIXES else []), False
    files, cut_short = _walk(root)
    return sorted(p for p in files if p.suffix in DEFINITION_SUFFIXES and not p.name.endswith(TEST_SUFFIXES)), cut_short


def test_files(root: Path) -> list[Path]:
    """Pack test files kept beside a pack (`*.test.yaml`, anywhere under it within the bounds)."""
    files, _ = _walk(root if root.is_dir() else root.parent)
    return sorted(p for p in files if p.name.endswith(TEST_SUFFIXES))


def _walk(folder: Path) -> tuple[list[Path], bool]:
    """The files under `folder` (links to files included, links to folders not followed), and whether the search was cut short.

    Bounded by MAX_PACK_DEPTH and MAX_PACK_ENTRIES, breadth first, so the files nearest the top are found first.
    """
    files: list[Path] = []
    level, seen = [folder], 0
    for _ in range(MAX_PACK_DEPTH + 1):
        below: list[Path] = []
        for current in level:
            try:
                with os.scandir(current) as scan:
                    entries = list(scan)
            except OSError:
                continue
            seen += len(entries)
            if seen > MAX_PACK_ENTRIES:
                return files, True
            below += [Path(e.path) for e in entries if e.is_dir(follow_symlinks=False)]
            files += [Path(e.path) for e in entries if e.is_file()]
        if not below:
            return files, False
        level = below
    return files, True


def display_name(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_layers(
    root: Path, limits: Limits = Limits(), extends_root: Path | None = None, lang: Language = "fr"
) -> tuple[list[list[Document]], list[Problem]]:
    """The documents of a pack and of every pack it extends, bases first, and the problems found."""
    reading = _Reading([], [], limits, lang)
    _read(root, _boundary(root, extends_root), reading)
    return reading.layers, reading.problems + reading.in_files


def _boundary(root: Path, extends_root: Path | None) -> Path:
    return (extends_root or (root.resolve() if root.is_dir() else root.resolve().parent).parent).resolve()


@dataclass
class _Reading:
    """What one `read_layers` call gathers as it follows `extends`: layers, problems, and the packs seen.

    `problems` keep the pack from being read whole (a file missing, unreadable); `in_files` are the
    problems inside files that were still read (a YAML mistake, whose line was set aside): the pack
    is checked further with them, so every problem is reported at once.
    """

    layers: list[list[Document]]
    problems: list[Problem]
    limits: Limits
    lang: Language
    in_files: list[Problem] = field(default_factory=list)
    visiting: list[Path] = field(default_factory=list)
    done: set[Path] = field(default_factory=set)


def _read(root: Path, boundary: Path, reading: _Reading) -> None:
    key = root.resolve()
    if key in reading.done:
        return
    if not root.exists():
        reading.problems.append(_problem(Location(display_name(root)), "missing", reading.lang))
        return
    if not root.is_dir() and (refusal := check_regular_file(root)) is not None:
        reading.problems.append(refusal.problem(reading.lang))
        return
    reading.visiting.append(key)
    documents = []
    for file in _pack_files(root, boundary, reading):
        document = _read_layer_file(file, boundary, reading)
        if document is not None:
            documents.append(document)
    if not documents and not reading.problems:
        reading.problems.append(_problem(Location(display_name(root)), "not_yaml_file" if root.is_file() else "no_yaml_file", reading.lang))
    reading.visiting.pop()
    reading.done.add(key)
    reading.layers.append(documents)


def _pack_files(root: Path, boundary: Path, reading: _Reading) -> list[Path]:
    """The definition files of one pack; a search cut short by the bounds, or a file linked from outside `boundary`, is a problem."""
    found, cut_short = _search(root)
    if cut_short:
        reading.problems.append(_problem(Location(display_name(root)), "folder_too_large", reading.lang, entries=MAX_PACK_ENTRIES, depth=MAX_PACK_DEPTH))
        return []
    files = []
    for file in found:
        if file != root and not file.resolve().is_relative_to(boundary):
            reading.problems.append(_problem(Location(display_name(file)), "linked_outside", reading.lang, root=display_name(boundary)))
        else:
            files.append(file)
    return files


def _read_layer_file(file: Path, boundary: Path, reading: _Reading) -> Document | None:
    """One definition file's document, after reading every pack it extends; None when it cannot be read."""
    document = _read_document(file, reading.limits, reading.lang)
    if isinstance(document, list):
        reading.problems.extend(document)
        return None
    if isinstance(document, tuple):
        document, found = document
        reading.in_files.extend(found)
    for base, location, base_boundary in _bases(document, file, boundary, reading):
        if base.resolve() in reading.visiting:
            loop = _problem(location, "extends_loop", reading.lang, base=display_name(base))
            if loop not in reading.problems:
                reading.problems.append(loop)
        elif not base.exists():
            reading.problems.append(_problem(location, "extends_missing", reading.lang, base=display_name(base)))
        else:
            _read(base, base_boundary, reading)
    return document


def read_text(file: Path, lang: Language = "fr") -> str | Problem:
    """A file's text (UTF-8, byte-order mark dropped), or the located problem that prevents reading it.

    Only regular files of at most `files.MAX_INPUT_BYTES` are read (`files.read_bounded`). Facts
    files, which come from spreadsheets in other encodings, are decoded by their readers (`facts.decoding`).
    """
    data = read_bounded(file)
    if isinstance(data, FileRefusal):
        return FileRefusal(display_name(file), data.code, data.params).problem(lang)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return _problem(Location(display_name(file)), "not_utf8", lang, byte=error.start)


def _read_document(file: Path, limits: Limits, lang: Language) -> Document | tuple[Document, list[Problem]] | list[Problem]:
    """A definition file's document; with the problems inside it when it could still be read; or the problems that spoil it."""
    text = read_text(file, lang=lang)
    if isinstance(text, Problem):
        return [text]
    document, problems = load_document(text, display_name(file), limits.max_yaml_nodes, limits.numbers)
    if not problems:
        return document
    return (document, problems) if document.data is not None else problems


def _bases(document: Document, file: Path, boundary: Path, reading: _Reading) -> Iterator[tuple[Path, Location, Path]]:
    """The packs a document extends, each with the boundary it is read within (the bundled library is its own).

    An absolute path, or one leading outside `boundary`, is a problem and is not followed.
    """
    data = document.data if isinstance(document.data, dict) else {}
    extends = data.get("extends")
    names = [extends] if isinstance(extends, str) else extends if isinstance(extends, list) else []
    for index, name in enumerate(names):
        if not isinstance(name, str):
            continue
        location = document.location(("extends",) if isinstance(extends, str) else ("extends", index))
        if name == STANDARD:
            yield standard_library_path(), location, standard_library_path().resolve()
        elif Path(name).is_absolute() or name.startswith("~"):
            reading.problems.append(_problem(location, "extends_absolute", reading.lang, name=name))
        elif not (file.parent / name).resolve().is_relative_to(boundary):
            reading.problems.append(_problem(location, "extends_outside", reading.lang, root=display_name(boundary), name=name))
        else:
            yield file.parent / name, location, boundary
