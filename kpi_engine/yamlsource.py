"""YAML text -> plain data, remembering where every value came from.

PyYAML is used only to *compose* (text -> node graph, with marks); values are
built here, so that:
- nothing but plain data is ever constructed (no tags reach Python objects);
- duplicate keys are reported, not silently overwritten;
- alias expansion is bounded (a "billion laughs" file is refused);
- scalars follow YAML 1.2's core schema: `no`/`on` stay strings, `1.10` is
  the exact decimal 1.10, dates stay text; every number follows the number
  policy (`numbers.NumberLimits`), so a 5,000-digit integer or `1e999999999`
  is a located problem, not a crash or a gigabyte string later;
- lines are counted as YAML counts them (LF, CR LF, CR, U+0085, U+2028,
  U+2029), so positions are right whatever a file's line breaks;
- each value's position is kept, including the exact column of any character
  inside a scalar, so formula errors point at the culprit in the file.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from .errors import Location, Problem, caret_snippet
from .numbers import NumberLimits
from .yamlerrors import diagnose

Path = tuple[str | int, ...]
"""Where a value sits in a document: keys and list indexes, `("kpis", "marge", "alerts", 0)`."""
Spec = dict[str, Any]
"""A mapping of a document as loaded (a KPI's entry, a test's expectation)."""

_NULL = re.compile(r"~|null|Null|NULL|")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9][0-9_]*")
# one way to match each text: `[\d_]*\.?[\d_]*` backtracked quadratically on a long run of digits that is no number
_DECIMAL = re.compile(r"[-+]?(\d[\d_]*(\.[\d_]*)?|\.\d[\d_]*)([eE][-+]?\d+)?")
_STANDARD_TAGS = re.compile(r"tag:yaml\.org,2002:\w+")
# The line breaks of YAML 1.1, which PyYAML's marks count (str.splitlines also splits at \v, \f, \x1c..., YAML does not).
_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


@dataclass(frozen=True)
class SourceFile:
    """A text file kept in memory to turn character offsets into line and column."""

    name: str
    text: str
    _line_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        starts = [0] + [m.end() for m in _LINE_BREAK.finditer(self.text)]
        object.__setattr__(self, "_line_starts", tuple(starts))

    def location(self, index: int) -> Location:
        line = bisect.bisect_right(self._line_starts, index) - 1
        return Location(self.name, line + 1, index - self._line_starts[line] + 1)

    def location_index(self, line: int) -> int:
        """The index of the first character of line `line` (from 1)."""
        return self._line_starts[line - 1]

    def line_text(self, line: int) -> str:
        """The text of line `line` (from 1) without its line break; "" past the last line."""
        if not 1 <= line <= len(self._line_starts):
            return ""
        start = self._line_starts[line - 1]
        end = self._line_starts[line] if line < len(self._line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n\x85\u2028\u2029")


@dataclass(frozen=True)
class Scalar:
    """Where a scalar's text sits in its file, to locate any character of its value."""

    source: SourceFile
    start: int
    end: int

    @property
    def location(self) -> Location:
        return self.source.location(self.start)

    def locate(self, value: str, offset: int) -> Location:
        """File location of character `offset` of the scalar's (parsed) `value`.

        Quoted, folded or block scalars move characters around; their
        non-blank characters keep their order, so walking the raw text and the
        value side by side finds the right spot whatever the YAML style.
        """
        raw = self.source.text
        pointer = self.start
        if raw[pointer : pointer + 1] in {"|", ">"}:
            header_end = _LINE_BREAK.search(raw, pointer)
            pointer = header_end.end() if header_end else self.end
        elif raw[pointer : pointer + 1] in {"'", '"'}:
            pointer += 1
        for index, char in enumerate(value):
            if char.isspace():
                continue
            found = raw.find(char, pointer, self.end)
            if found < 0:
                break
            if index >= offset:
                return self.source.location(found)
            pointer = found + 1
        return self.source.location(min(pointer, max(self.start, self.end - 1)))

    def snippet(self, value: str, offset: int, width: int = 1) -> str:
        location = self.locate(value, offset)
        return caret_snippet(self.source.line_text(location.line), location.column, width)


@dataclass
class Document:
    """A loaded YAML file: its data, and for each path the node's key and value positions."""

    source: SourceFile
    data: Any = None
    values: dict[Path, Scalar] = field(default_factory=dict)
    keys: dict[Path, Scalar] = field(default_factory=dict)

    def location(self, path: Path) -> Location:
        """Best location for a path: the value, else its key, else the closest parent."""
        while True:
            for table in (self.values, self.keys):
                if path in table:
                    return table[path].location
            if not path:
                return Location(self.source.name, 1, 1)
            path = path[:-1]

    def key_location(self, path: Path) -> Location:
        return self.keys[path].location if path in self.keys else self.location(path)


def load_document(text: str, name: str, max_nodes: int = 200_000, numbers: NumberLimits = NumberLimits()) -> tuple[Document, list[Problem]]:
    """Parse YAML text safely; returns the document and every problem found.

    `max_nodes` bounds the values the file expands to (`limits.Limits.max_yaml_nodes`); `numbers` is the
    number policy every number of the file must follow (`limits.Limits.numbers`).
    """
    source = SourceFile(name, text)
    document = Document(source)
    try:
        node, problems = _compose(source)
    except RecursionError:
        return document, [Problem(Location(name, 1, 1), "the file is nested too deeply to be a pack or facts file; refused")]
    except yaml.YAMLError as error:
        return document, [Problem(Location(name, 1, 1), f"not valid YAML: {error}")]
    if node is None:
        return document, problems
    builder = _Builder(document, max_nodes, numbers)
    builder.problems.extend(problems)
    try:
        document.data = builder.build(node, ())
    except RecursionError:
        builder.problems.append(Problem(Location(name, 1, 1), "the file is nested too deeply to be a pack or facts file; refused"))
        document.data = None
    except _TooLarge:
        builder.problems.append(
            Problem(
                document.location(()),
                f"file expands to more than {max_nodes} values (an alias bomb?); refused",
            )
        )
        document.data = None
    return document, builder.problems


MAX_SYNTAX_PROBLEMS = 20
"""How many syntax mistakes of one file are reported (each one's line set aside to read on) before the file is given up."""


def _compose(source: SourceFile) -> tuple[yaml.Node | None, list[Problem]]:
    """The node graph of the text and its syntax problems, in words (`yamlerrors`).

    After a syntax error, the text from the mistake's place (or from the first
    bracket before it on its line, whose collection would stay open) to the
    end of its line is blanked (its characters become spaces, so every
    position stays right) and the text is read again, so the rest of the file
    is still checked and every problem reported at once. A line that fails
    again, or too many mistakes, end the reading with no document (None) and
    the problems found so far.
    """
    text, problems, blanked = source.text, list[Problem](), set[int]()
    for _ in range(MAX_SYNTAX_PROBLEMS):
        try:
            return yaml.compose(text, Loader=yaml.SafeLoader), problems
        except yaml.MarkedYAMLError as error:
            problem = diagnose(error, source.name, source.line_text)
            if problem.location.line in blanked:
                break
            problems.append(problem)
            blanked.add(problem.location.line)
            text = _blank_rest_of_line(text, source, problem.location)
    return None, problems


def _blank_rest_of_line(text: str, source: SourceFile, location: Location) -> str:
    """`text` with the characters from `location` (or a bracket before it) to the end of its line replaced by spaces."""
    line = source.line_text(location.line)
    column = max(location.column - 1, 0)
    brackets = [index for index in (line.find("{", 0, column), line.find("[", 0, column)) if index >= 0]
    column = min([column, *brackets])
    start = source.location_index(location.line) + column
    return text[:start] + " " * (len(line) - column) + text[start + len(line) - column :]


class _TooLarge(Exception):
    pass


class _Builder:
    """Node graph -> plain data, counting every value built (aliases included)."""

    def __init__(self, document: Document, max_nodes: int, numbers: NumberLimits) -> None:
        self.document = document
        self.max_nodes = max_nodes
        self.numbers = numbers
        self.count = 0
        self.active: set[int] = set()
        self.problems: list[Problem] = []

    def scalar_ref(self, node: yaml.Node) -> Scalar:
        return Scalar(self.document.source, node.start_mark.index, node.end_mark.index)

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.count += 1
        if self.count > self.max_nodes:
            raise _TooLarge
        if not _STANDARD_TAGS.fullmatch(node.tag) and node.tag not in {"!", "?"}:
            self.problems.append(Problem(self.scalar_ref(node).location, f"YAML tag {node.tag!r} is not allowed here"))
            return None
        self.document.values[path] = self.scalar_ref(node)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if id(node) in self.active:
            self.problems.append(Problem(self.scalar_ref(node).location, "recursive YAML alias refers to itself"))
            return None
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
            if not isinstance(node, yaml.MappingNode):  # the composer makes only scalars, sequences and mappings
                raise TypeError(f"unexpected YAML node {type(node).__name__}")
            return dict(self.mapping(node, path))
        finally:
            self.active.discard(id(node))

    def mapping(self, node: yaml.MappingNode, path: Path) -> Iterator[tuple[str, Any]]:
        seen: dict[str, Scalar] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problems.append(
                    Problem(self.scalar_ref(key_node).location, "YAML merge keys ('<<') are not supported: write the keys")
                )
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(Problem(self.scalar_ref(key_node).location, "a key must be a plain word"))
                continue
            key = str(key_node.value)
            ref = self.scalar_ref(key_node)
            if key in seen:
                first = seen[key].location
                self.problems.append(
                    Problem(ref.location, f"duplicate key {key!r} (first defined at line {first.line}); keep only one")
                )
                continue
            seen[key] = ref
            self.document.keys[(*path, key)] = ref
            yield key, self.build(value_node, (*path, key))


    def scalar(self, node: yaml.ScalarNode) -> Any:
        """A plain value; a number outside the number policy is a problem at its place, and None."""
        text = node.value
        if node.style or node.tag == "tag:yaml.org,2002:str":
            return text
        if _NULL.fullmatch(text):
            return None
        if text in _BOOL:
            return _BOOL[text]
        if not (_INT.fullmatch(text) or _DECIMAL.fullmatch(text)):
            return text
        try:
            number = self.numbers.read_decimal(text)
        except ValueError as error:
            self.problems.append(Problem(self.scalar_ref(node).location, f"{error} (write it in quotes if it is meant as text)"))
            return None
        return int(number) if _INT.fullmatch(text) else number
