"""The commands the README and the tutorial show are run, and their outputs compared with the docs' text.

Each ``console`` block of README.md, docs/tutorial.md and docs/reference.md is a transcript:
``$ kpi ...`` lines (continued by a final backslash) and the output they
print. Its commands are run through the CLI, in French (the default), and each
output must read as written, except that a line ``...`` (or ``…``) stands for
any lines the docs leave out. ``$ echo $?`` prints the previous exit code, and
``> FILE`` writes the output to a file.

The tutorial and the reference are followed as a reader follows them, top to bottom, in a fresh
folder (``definitions`` and ``examples`` at hand): its ``file=PATH`` blocks
are written where they appear, and a console block's ``replace=PATH|OLD|NEW``
makes the mistake it shows (the first OLD of PATH becomes NEW) for that block
only. A block marked ``norun=REASON`` is not run (it needs a mail server); the
README's blocks run from the repository's root.
"""

from __future__ import annotations

import ast
import os
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from kpi_engine.cli import main

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "docs" / "tutorial.md"
README = ROOT / "README.md"
_ELIDED = {"...", "…"}


@dataclass
class Step:
    """One command of a transcript and the output the docs show for it."""

    command: str
    expected: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Transcript:
    line: int
    options: dict[str, str]
    steps: list[Step]


def _blocks(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line of the fence, info string, body lines) of every fenced block, in order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks, index = [], 0
    while index < len(lines):
        if lines[index].startswith("```") and lines[index].strip() != "```":
            end = next(i for i in range(index + 1, len(lines)) if lines[i].strip() == "```")
            blocks.append((index + 1, lines[index][3:].strip(), lines[index + 1 : end]))
            index = end
        index += 1
    return blocks


def _transcript(line: int, info: str, body: list[str]) -> Transcript:
    words = info.split()
    options = dict(word.split("=", 1) for word in words[1:] if "=" in word)
    steps: list[Step] = []
    pending = ""
    for text in body:
        if text.startswith("$ ") or pending:
            command = pending + (text[2:] if text.startswith("$ ") else text.strip())
            pending = command[:-1].rstrip() + " " if command.endswith("\\") else ""
            if not pending:
                steps.append(Step(command))
        else:
            steps[-1].expected.append(text.rstrip())
    return Transcript(line, options, steps)


def _matches(expected: list[str], actual: list[str]) -> bool:
    """Whether `actual` reads as `expected`, a line `...` standing for any lines (none included)."""
    if not expected:
        return not actual
    if expected[0] in _ELIDED:
        return any(_matches(expected[1:], actual[start:]) for start in range(len(actual) + 1))
    return bool(actual) and actual[0] == expected[0] and _matches(expected[1:], actual[1:])


class Reader:
    """Runs a transcript's commands as a reader at a terminal would: in `folder`, exit codes remembered."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.environment = {"KPI_LANG": "", "LANG": "fr_FR.UTF-8", "LC_ALL": "", "LC_MESSAGES": "", "COLUMNS": "200"}
        self.code = 0

    def run(self, command: str) -> list[str]:
        words = shlex.split(command)
        if words[:2] == ["echo", "$?"]:
            return [str(self.code)]
        if words[0] == "export":
            self.environment.update(dict(word.split("=", 1) for word in words[1:]))
            return []
        assert words[0] == "kpi", f"a transcript runs kpi commands: {command}"
        target = None
        if ">" in words:
            words, target = words[: words.index(">")], words[words.index(">") + 1]
        previous = os.getcwd()
        os.chdir(self.folder)
        try:
            result = CliRunner().invoke(main, words[1:], env=self.environment, catch_exceptions=False)
        finally:
            os.chdir(previous)
        self.code = result.exit_code
        if target:
            (self.folder / target).write_text(result.stdout, encoding="utf-8")
            return result.stderr.splitlines()
        return [line.rstrip() for line in result.output.splitlines()]

    def check(self, transcript: Transcript, where: str) -> list[str]:
        """The differences between what the transcript shows and what its commands print."""
        differences = []
        for step in transcript.steps:
            actual = self.run(step.command)
            if not _matches(step.expected, actual):
                differences.append(f"{where}:{transcript.line}: $ {step.command}\n--- docs\n" + "\n".join(step.expected) + "\n--- real\n" + "\n".join(actual))
        return differences


def _replace(folder: Path, option: str) -> tuple[Path, str]:
    path, old, new = option.split("|")
    file = folder / path
    text = file.read_text(encoding="utf-8")
    assert old in text, f"replace={option}: {old!r} is not in {path}"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    return file, text


def _follow(doc: Path, folder: Path) -> tuple[int, list[str]]:
    """Follow `doc` top to bottom in `folder` as a reader does: how many transcripts ran, and their differences."""
    reader, differences, ran = Reader(folder), [], 0
    for line, info, body in _blocks(doc):
        words = info.split()
        path = next((word.removeprefix("file=") for word in words if word.startswith("file=")), None)
        if path:
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_text("\n".join(body) + "\n", encoding="utf-8")
        if words[:1] != ["console"]:
            continue
        transcript = _transcript(line, info, body)
        if "norun" in transcript.options:
            continue
        restore = _replace(folder, transcript.options["replace"]) if "replace" in transcript.options else None
        differences += reader.check(transcript, str(doc.relative_to(ROOT)))
        ran += 1
        if restore:
            restore[0].write_text(restore[1], encoding="utf-8")
    return ran, differences


@pytest.mark.parametrize(("doc", "transcripts"), [(TUTORIAL, 12), (ROOT / "docs" / "reference.md", 6)], ids=["tutorial", "reference"])
def test_the_docs_read_as_their_commands_print(doc: Path, transcripts: int, tmp_path: Path) -> None:
    ran, differences = _follow(doc, _workspace(tmp_path))
    assert ran >= transcripts, "the doc shows its commands in console blocks"
    assert not differences, "\n\n".join(differences)


def _workspace(folder: Path) -> Path:
    """A fresh folder where the docs' relative paths (`definitions`, `examples`) lead to the repository's."""
    for name in ("definitions", "examples"):
        (folder / name).symlink_to(ROOT / name)
    return folder


@pytest.mark.parametrize("line", [line for line, info, _ in _blocks(README) if info.split()[:1] == ["console"]])
def test_the_readme_reads_as_its_commands_print(line: int, tmp_path: Path) -> None:
    (transcript,) = [_transcript(n, info, body) for n, info, body in _blocks(README) if n == line]
    if "norun" in transcript.options:
        pytest.skip(transcript.options["norun"])
    differences = Reader(_workspace(tmp_path)).check(transcript, "README.md")
    assert not differences, "\n\n".join(differences)


def test_a_transcript_elides_only_where_it_says_so() -> None:
    assert _matches(["a", "...", "d"], ["a", "b", "c", "d"]) and _matches(["a", "...", "b"], ["a", "b"])
    assert not _matches(["a", "d"], ["a", "b", "d"]) and not _matches(["a", "..."], ["b"])


def test_no_doc_installs_the_engine_from_an_index_it_is_not_on() -> None:
    """`pip install kpi-rules` cannot work: the engine is installed from its folder, a wheel or its repository."""
    for path in (README, *sorted((ROOT / "docs").glob("*.md"))):
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "pip install" in text and "kpi-rules" in text:
                assert "kpi-rules @ " in text, f"{path.name}:{number}: {text.strip()}"


# --- every message the reference quotes exists ------------------------------------------------------
REFERENCE = ROOT / "docs" / "reference.md"
_LOCATED = re.compile(r"^(?:[\w./-]+\.(?:yaml|yml|csv|txt|json|xlsx)|FILE)(?::(?:\d+|LINE|COL))*: (?P<message>.+)$")
_QUOTED_PARTS = re.compile(r"'(?:[^']|'(?=\w))*'|\"[^\"]*\"|«[^»]*»|[-+]?\d[\d.,:E+-]*")
_WILD = "\x00"


def quoted_messages(text: str) -> list[str]:
    """The problem messages the reference quotes: located lines of its blocks, and inline `FILE:LINE: ...` quotes."""
    inline = re.findall(r"`(FILE:LINE(?::COL)?: [^`]+)`", text.replace("\n> ", " ").replace("\n", " "))
    lines = [line for line in text.splitlines() if not line.startswith(("$ ", "> ", "|"))]
    found = [match["message"] for line in (*lines, *inline) if (match := _LOCATED.match(line.strip())) and match["message"] != "message"]
    return [message.removeprefix("warning: ") for message in found]


def _words(text: str) -> list[str]:
    """The words of a text, each quoted value or number one wildcard (they vary from one message to the next)."""
    spaced = re.sub(r"([()])", r" \1 ", _QUOTED_PARTS.sub(f" {_WILD} ", text))
    return [word for word in spaced.split(" ") if word]


def _engine_texts() -> list[list[str]]:
    """Every string the engine's code holds, as words, each `{field}` of a template or an f-string a wildcard."""
    texts = []
    for file in (ROOT / "kpi_engine").rglob("*.py"):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                text = "".join(part.value if isinstance(part, ast.Constant) else f" {_WILD} " for part in node.values)  # type: ignore[misc]
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = re.sub(r"\{[^{}]*\}", f" {_WILD} ", node.value)
            else:
                continue
            texts.append(_words(text))
    return texts


def _within(fragment: list[str], text: list[str]) -> bool:
    """Whether the words of `fragment` appear in `text` in a row, a wildcard of `text` standing for up to 2 words,
    and most of them literally (a template of wildcards alone matches nothing)."""

    def literal(i: int, j: int) -> int:
        """The most words of fragment[i:] matched literally from text[j] on, or -1 when they do not match."""
        if i == len(fragment):
            return 0
        if j == len(text):
            return -1
        if text[j] == _WILD:
            return max(literal(i + taken, j + 1) for taken in range(min(2, len(fragment) - i) + 1))
        if fragment[i] != text[j]:
            return -1
        rest = literal(i + 1, j + 1)
        return rest + 1 if rest >= 0 else -1

    return any(2 * literal(0, start) > len(fragment) for start in range(len(text)))


def _missing(message: str, texts: list[list[str]]) -> list[str]:
    """The words of `message` outside its quoted values, when fewer than 60 % of them are in engine strings.

    A word counts as found when a run of three words around it is in one engine string (wildcards for its
    fields): a message may be built from several strings and quote data (account labels), never mostly."""
    words = [word for fragment in " ".join(_words(message)).split(_WILD) if len(fragment.split()) >= 3 for word in fragment.split()]
    found: set[int] = set()
    for start in range(len(words) - 2):
        if any(_within(words[start : start + 3], text) for text in texts):
            found.update(range(start, start + 3))
    return [] if len(found) >= 0.6 * len(words) else [" ".join(words)]


def test_every_message_the_reference_quotes_exists() -> None:
    texts = [text for text in _engine_texts() if len(text) > 1]
    messages = quoted_messages(REFERENCE.read_text(encoding="utf-8"))
    assert len(messages) >= 8, messages
    unknown = [f"{message!r}: {missing}" for message in messages if (missing := _missing(message, texts))]
    assert not unknown, "the reference quotes messages the engine no longer prints:\n" + "\n".join(unknown)
    assert _missing("'1,500' cannot be frobnicated: write it as a wombat", texts)
