"""A pack's structural problems and its tests' failures read in the reader's language (issue 13).

Each case of `tests/data/pack_messages/cases.yaml` is a set of files, a command run on them through
the command line (`kpi validate pack`, `kpi test pack`), and the located lines it prints, exactly,
in English (the text of record) and in French. The French lines also carry no English sentence:
what stays in English is what the reader writes (paths, keys and keywords of the format) or quoted.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kpi_engine import Pack, PackError
from kpi_engine.cli import main
from kpi_engine.pack_messages import PACK_MESSAGES
from kpi_engine.packtests import run_test_text

CASES = yaml.safe_load((Path(__file__).parent / "data" / "pack_messages" / "cases.yaml").read_text(encoding="utf-8"))

# Words of English sentences; none of them is a key or keyword of the format, nor a French word.
ENGLISH_WORDS = re.compile(
    r"\b(is|are|the|expected|got|must|should|of|an|and|unknown|required|allowed|found|defined|cannot|be|with|"
    r"rounded|did|you|mean|not|it|its|which|neither|nor|but|no|at|to|there|fired|written|write|file|line)\b"
)


def _run(case: dict, lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    for name, text in case["files"].items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, [case["command"], "pack", "--lang", lang])
    assert result.exit_code == 1, result.output
    return [line for line in result.output.splitlines() if line.startswith(("pack/", "pack:"))]


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_broken_pack_is_told_in_the_readers_language(name: str, lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _run(CASES[name], lang, tmp_path, monkeypatch) == CASES[name][lang]


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_english_sentence_is_left_in_french(name: str) -> None:
    for line in CASES[name]["fr"]:
        words = re.sub(r"« [^»]* »", "", line.split(": ", 1)[1])  # quoted text is the user's
        assert not ENGLISH_WORDS.findall(words.removeprefix("test ")), line


def test_every_pack_message_has_its_own_french() -> None:
    """Codes are rendered with every field in tests/test_reasons.py; here, each one whose English is a phrase
    (not one word such as `info`, nor only fields, quotes and keywords in brackets) has a French text of its own."""
    for code, (english, french) in PACK_MESSAGES.items():
        if re.search(r"[a-z]{2,} [a-z]{2,}", re.sub(r"\{\w+\}|'[^']*'|\([^)]*\)", "", english)):
            assert english != french, code


def test_numbers_in_a_failure_are_written_for_the_reader() -> None:
    pack = Pack.from_texts({"p.yaml": "inputs:\n  ca: {rollup: sum}\nkpis:\n  k: {formula: ca * 1000, frequency: monthly}\n"})
    test = 'tests:\n  - name: t\n    facts: {"2025-01": {ca: 1234.5678}}\n    expect:\n      - {kpi: k, period: "2025-01", value: 1234000}\n'
    (failure,) = run_test_text(pack, test, "t.test.yaml").failures
    assert failure.text("en") == "t.test.yaml:5:44: test 't': k at 2025-01: value expected 1234000, got 1234567.8000 (rounded to the decimals written: 1234568)"
    assert failure.text("fr") == (
        "t.test.yaml:5:44: test « t » : k en 2025-01 : valeur : attendu 1 234 000 ; obtenu 1 234 567,8000 (arrondi aux décimales écrites : 1 234 568)"
    )
    assert failure.message == "k at 2025-01: value expected 1234000, got 1234567.8000 (rounded to the decimals written: 1234568)"  # the record
    assert str(failure) == failure.text("en")


def test_problems_are_data_whatever_language_the_pack_was_loaded_in() -> None:
    with pytest.raises(PackError) as caught:
        Pack.from_texts({"p.yaml": "inputs:\n  ca: {rollup: somme}\n"})
    (problem,) = caught.value.problems
    assert problem.message == "inputs.ca.rollup: 'somme' is not one of sum, last, avg (in English: 'sum')"
    assert problem.text("fr") == "p.yaml:2:16: inputs.ca.rollup : « somme » n'est pas l'une des valeurs sum, last, avg (s'écrit en anglais : « sum »)"
