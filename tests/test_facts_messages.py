"""Mistakes in facts files read in the reader's language: every broken file of tests/data/facts_messages/
is read through the CLI with that folder's pack, in English and in French, and its problems must read
exactly as tests/data/facts_messages/cases.yaml says; the French output must hold no English sentence of
the catalogue. Workbooks are written in the test (openpyxl) from the rows the case gives."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from kpi_engine.cli import main
from kpi_engine.facts_messages import FACTS_MESSAGES

DATA = Path(__file__).parent / "data" / "facts_messages"
CASES = yaml.safe_load((DATA / "cases.yaml").read_text(encoding="utf-8"))
LANGUAGES = ("en", "fr")


def _english_fragments() -> set[str]:
    """The words of every English message of the catalogue between its fields, the ones long enough to be a
    sentence's (`is not a number`, `cells but the header has`): none may be left in a French output."""
    fragments = set()
    for english, _ in FACTS_MESSAGES.values():
        for between in re.split(r"\{\w*\}", english):
            fragment = between.strip(" :;,.()'")
            if len(fragment) >= 8 and " " in fragment:
                fragments.add(fragment)
    return fragments


ENGLISH = _english_fragments()
ENGLISH_WORDS = re.compile(r"\b(the|is|not|for|and|but|with|cells|column|columns|entry|header|given|here|more|warning)\b")


def _write_workbook(path: Path, sheets: dict[str, list[list[object]]]) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)


def _problems(case: dict[str, object], lang: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The lines the command prints about the facts: `evaluate`'s errors and count (stderr), or `facts`' checks
    (stdout, after their heading) and count (stderr). Run in `folder`, so files are named as written."""
    facts = str(case["facts"])
    file = facts.partition("#")[0]
    shutil.copy(DATA / "pack.yaml", folder / "pack.yaml")
    if "workbook" in case:
        _write_workbook(folder / file, case["workbook"])  # type: ignore[arg-type]
    else:
        shutil.copy(DATA / file, folder / file)
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(main, [str(case["command"]), "pack.yaml", "--facts", facts, "--lang", lang])
    assert result.exit_code == 3, result.output
    if case["command"] == "facts":
        lines = result.stdout.splitlines()
        heading = next(i for i, line in enumerate(lines) if line.startswith(("Checks (", "Contrôles (")))
        return [*lines[heading + 1 :], *result.stderr.splitlines()]
    return result.stderr.splitlines()


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", sorted(CASES))
def test_a_broken_facts_file_reads_in_the_readers_language(name: str, lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = CASES[name]
    assert _problems(case, lang, tmp_path, monkeypatch) == case[lang]


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_english_sentence_is_left_in_french(name: str) -> None:
    for line in CASES[name]["fr"]:
        words = re.sub(r"«[^»]*»|\S+\.(csv|json|yaml|txt|xlsx)\S*", "", line)  # what the user wrote, and file names
        assert not [fragment for fragment in ENGLISH if fragment in line], line
        assert not ENGLISH_WORDS.search(words), line


def test_every_file_of_the_folder_has_a_case() -> None:
    files = {path.name for path in DATA.iterdir()} - {"cases.yaml", "pack.yaml"}
    assert files == {str(case["facts"]).partition("#")[0] for case in CASES.values() if "workbook" not in case}
