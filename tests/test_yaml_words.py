"""YAML structure errors in words, in French and English, located at their cause (issue 13).

PyYAML says `expected <block end>, but found '<block mapping start>'`; the
reader is told "ligne 4 : indentée plus que la ligne au-dessus". Each case of
`tests/data/yaml_mistakes.yaml` is a text and its first problem in both
languages; the rest of a file is still read (`tests/data/bad/yaml_*.yaml`
show the other problems of the same file reported next to the mistake).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kpi_engine.yamlsource import load_document

CASES = yaml.safe_load((Path(__file__).parent / "data" / "yaml_mistakes.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_yaml_mistake_is_worded_in_both_languages_at_its_cause(name: str) -> None:
    case = CASES[name]
    _, problems = load_document(case["text"], "pack.yaml")
    assert [problems[0].text("en").splitlines()[0], problems[0].text("fr").splitlines()[0]] == [case["en"], case["fr"]]
    assert all("<block" not in problem.text(lang) for problem in problems for lang in ("en", "fr"))


def test_the_rest_of_the_file_is_read_after_a_mistake() -> None:
    text = "inputs:\n  ca: {rollup: sum\n  achats: {rollup: sum}\nkpis:\n  marge:\n    formula: ca - achats\n      owner: daf\n    frequency: monthly\n"
    document, problems = load_document(text, "pack.yaml")
    assert [str(problem).splitlines()[0] for problem in problems] == [
        "pack.yaml:2:7: line 2: the '{' opened here is not closed where expected (found ':' at line 3); close it with '}'",
        "pack.yaml:7:7: line 7 is indented more than the line above; indent it like the keys it belongs with",
    ]
    assert document.data == {"inputs": {"ca": None, "achats": {"rollup": "sum"}}, "kpis": {"marge": {"formula": "ca - achats", "frequency": "monthly"}}}
    assert document.location(("kpis", "marge", "frequency")).line == 8  # positions are those of the file as written


def test_a_mistake_that_cannot_be_set_aside_ends_the_reading_with_its_problem() -> None:
    document, problems = load_document('a: "never closed\n', "pack.yaml")
    assert document.data == {"a": None}
    assert [str(problem).splitlines()[0] for problem in problems] == [
        'pack.yaml:1:4: line 1: the quote " opened here is never closed; close it at the end of the value'
    ]


def test_an_unknown_mistake_keeps_pyyaml_words_in_both_languages() -> None:
    _, problems = load_document("a: 1\nb: *\n", "pack.yaml")
    assert [problem.text(lang).splitlines()[0] for problem in problems for lang in ("en", "fr")] == [
        "pack.yaml:2:5: YAML syntax error: expected alphabetic or numeric character, but found '\\n' (while scanning an alias)",
        "pack.yaml:2:5: erreur de syntaxe YAML : expected alphabetic or numeric character, but found '\\n' (while scanning an alias)",
    ]
