"""Mistakes in facts files read in the reader's language: every broken file of tests/data/facts_messages/
is read through the CLI with that folder's pack, in English and in French, and its problems must read
exactly as tests/data/facts_messages/cases.yaml says; the French output must hold no English sentence of
the catalogue. Workbooks are written in the test (openpyxl) from the rows the case gives."""

from __future__ import annotations

import pickle
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from test_reasons import FACTS_SAMPLE, SAMPLE
from test_workbook_reader import xlsx

from kpi_engine import Facts, FactsError, Pack
from kpi_engine.cli import main
from kpi_engine.errors import Refusal
from kpi_engine.facts_messages import FACTS_MESSAGES
from kpi_engine.periods import PERIOD_FORMATS, Period
from kpi_engine.reasons import Reason

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "facts_messages"
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


def _problems(case: dict[str, object], lang: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The lines the command prints about the facts: `evaluate`'s errors and count (stderr), or `facts`' checks
    (stdout, after their heading) and count (stderr). Run in `folder`, so files are named as written."""
    facts = str(case["facts"])
    file = facts.partition("#")[0]
    shutil.copy(DATA / "pack.yaml", folder / "pack.yaml")
    if "workbook" in case:
        (folder / file).write_bytes(xlsx(case["workbook"]))  # type: ignore[arg-type]
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


def test_records_an_embedding_tool_passes_are_refused_in_both_languages() -> None:
    records = [("lyon", "ca", "2025-13", 1), ("lyon", "ca", "2025-01", 0.1), (None, "ca"), ("lyon", "ca", "2025-03", 1, "Budget")]
    with pytest.raises(FactsError) as raised:
        Facts.from_records(records)
    assert [problem.text("fr") for problem in raised.value.problems] == [
        "<records>:1: enregistrement 1 : « 2025-13 » n'est pas un mois valide : écrivez 2025, 2025-Q1, 2025-03, 2025-W07 ou 2025-03-15",
        (
            "<records>:2: enregistrement 2 : « 0.1 » pour « ca » n'est pas un nombre exact : passez un Decimal, un int ou une chaîne, "
            'ou Facts.from_records(records, floats="repr") pour lire les floats par leur plus courte forme décimale'
        ),
        "<records>:3: enregistrement 3 : attendu (entité, nom, période, valeur) ou (entité, nom, période, valeur, scénario), reçu 2 éléments",
        (
            "<records>:4: « Budget » n'est pas un nom de scénario : écrivez-le en minuscules, chiffres et « _ », comme « budget » ou « revised_budget »"
            " (vouliez-vous dire « budget » ?)"
        ),
    ]
    assert [str(problem) for problem in raised.value.problems][::3] == [
        "<records>:1: record 1: '2025-13' is not a valid monthly period: write 2025, 2025-Q1, 2025-03, 2025-W07 or 2025-03-15",
        (
            "<records>:4: 'Budget' is not a scenario name: write it in lowercase letters, digits and underscores, as 'budget' or 'revised_budget'"
            " (did you mean 'budget'?)"
        ),
    ]


def test_a_calendar_quarter_in_a_fiscal_pack_is_refused_in_both_languages() -> None:
    pack = Pack.from_texts({"p.yaml": "calendar: {fiscal_year_start: 2}\ninputs:\n  ca: {rollup: sum}\nkpis:\n  k: {formula: ca, frequency: quarterly}\n"})
    with pytest.raises(FactsError) as raised:
        pack.bind(Facts.from_records([(None, "ca", "2025-Q2", 1)]))
    (problem,) = raised.value.problems
    assert problem.text("en") == (
        "<records>:1: '2025-Q2' is a calendar quarter, but this pack's quarters are fiscal, starting in month 2: "
        "write a fiscal period such as FY2026-Q1 (2025-02 to 2025-04)"
    )
    assert problem.text("fr") == (
        "<records>:1: « 2025-Q2 » est un trimestre civil, mais les trimestres de ce pack sont ceux de l'exercice, qui commence au mois 2 : "
        "écrivez une période d'exercice comme FY2026-Q1 (2025-02 à 2025-04)"
    )


def test_a_refused_value_keeps_its_words_through_pickling() -> None:
    """A refusal raised in a worker process reaches the parent whole: its English and its French."""
    with pytest.raises(Refusal) as raised:
        Period.parse("2025-13")
    copy = pickle.loads(pickle.dumps(raised.value))  # noqa: S301 - our own bytes, made on the line
    assert str(copy) == str(raised.value) == "'2025-13' is not a valid monthly period: write 2025, 2025-Q1, 2025-03, 2025-W07 or 2025-03-15"
    assert Reason.of_error(copy).text("fr") == "« 2025-13 » n'est pas un mois valide : écrivez 2025, 2025-Q1, 2025-03, 2025-W07 ou 2025-03-15"


def test_the_period_forms_the_catalogue_names_are_the_engines() -> None:
    assert FACTS_MESSAGES["not_a_period"][0].endswith(PERIOD_FORMATS)


REFUSED = re.compile(r'Refusal\("(\w+)"')
REFUSALS = sorted({code for path in (ROOT / "kpi_engine").rglob("*.py") for code in REFUSED.findall(path.read_text(encoding="utf-8"))})


@pytest.mark.parametrize("code", [*REFUSALS, "calendar_year", "calendar_quarter"])
def test_a_refusal_reads_in_english_as_its_reason_does(code: str) -> None:
    """`periods` and `numbers` word a refusal's English without `reasons` (which they sit below): the same text."""
    params = SAMPLE | FACTS_SAMPLE
    assert str(Refusal(code, **params)) == Reason.of(code, **params).text("en")
