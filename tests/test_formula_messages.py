"""Mistakes in formulas read in the reader's language: every code of `formula_messages` in English and
French, and the broken formulas of tests/data/formula_mistakes.yaml through `kpi validate --lang en|fr`."""

from __future__ import annotations

import re
import string
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kpi_engine.analysis.errors import SymbolicError
from kpi_engine.cli import main
from kpi_engine.formula_messages import FORMULA_MESSAGES
from kpi_engine.reasons import Reason

DATA = Path(__file__).parent / "data" / "formula_mistakes.yaml"
CASES = yaml.safe_load(DATA.read_text(encoding="utf-8"))["cases"]
INPUTS = {"ventes": {"rollup": "sum"}, "achats": {"rollup": "sum"}}

# one value for every parameter a formula message takes; nested reasons are worded in the message's language
SAMPLE = {
    "path": "kpis.marge.formula",
    "cause": Reason.of("formula_empty"),
    "context": Reason.of("context_formula", kpi="marge"),
    "count": 2001,
    "limit": 2000,
    "quoted": "'é'",
    "char": "é",
    "token": "achats",
    "spelling": "cout_matieres",
    "advice": Reason.of("spreadsheet_sum"),
    "hint": "ventes",
    "operator": "and",
    "word": "et",
    "kpi": "marge",
    "number": 1,
    "name": "vente",
    "wanted": Reason.of("type_number"),
    "found": Reason.of("type_true_false"),
    "role": Reason.of("role_sides", op="+"),
    "op": "+",
    "position": 4,
    "function": "lag",
    "ordinal": Reason.of("ordinal_1"),
    "functions": "abs, min, max",
    "arity": Reason.of("arity_range", low=1, high=2),
    "usage": "round(taux_marge_nette, 3)",
    "low": 1,
    "high": 2,
    "what": Reason.of("a_kpi"),
    "audience": "direction",
    "rule": "marge/warning/0560cf2375",
    "rules": Reason.of("no_rules"),
    "detail": "Single '}' encountered in format string",
    "field": "champ",
    "conversion": "r",
    "spec": ">999999",
    "first": "marge",
    "where": "pack.yaml:9:3",
    "formula": "ca",
    "cancelled": Reason.of("lint_cancels", lost="quantite"),
    "lost": "quantite",
    "input": "solde",
    "declared": Reason.of("lint_declared_range", minimum=Decimal("-50000.5"), maximum=Decimal("100")),
    "minimum": Decimal("-50000.5"),
    "maximum": Decimal("100"),
    "verb": Reason.of("lint_adds"),
    "one": Reason.of("lint_operand_unit", formula="ca", unit="EUR"),
    "two": Reason.of("lint_operand_unit", formula="delai", unit=Reason.of("unit_pure_number")),
    "unit": "percent",
}
# the same in both languages: a number of arguments, and a formula with its unit
SAME_IN_BOTH = {"arity_one", "lint_operand_unit"}
# literal braces a message shows on purpose: `{champ}` (the field of a template) and `{value}`, `{{`, `}}`
_LITERAL_BRACES = re.compile(r"\{champ\}|\{value\}|\{\{|\}\}")


@pytest.mark.parametrize("code", sorted(FORMULA_MESSAGES))
def test_every_formula_message_renders_in_both_languages_without_a_placeholder_left(code):
    english, french = (Reason.of(code, **SAMPLE).text(lang) for lang in ("en", "fr"))
    for text in (english, french):
        assert text.strip() and "None" not in text
        assert not re.search(r"[{}]", _LITERAL_BRACES.sub("", text.replace(SAMPLE["detail"], ""))), text
    assert (english == french) == (code in SAME_IN_BOTH), (english, french)


def test_numbers_in_formula_messages_are_written_for_the_reader():
    assert Reason.of("formula_too_long", count=2001, limit=2000).text("fr").startswith("la formule fait 2 001 caractères ; la limite est de 2 000")
    declared = Reason.of("lint_declared_range", minimum=Decimal("-50000.5"), maximum=Decimal("100"))
    assert (declared.text("en"), declared.text("fr")) == ("min -50000.5, max 100", "entre -50 000,5 et 100")


def test_an_analysis_error_in_a_lint_message_is_worded_in_the_same_language():
    error = SymbolicError("10 ^ (10 ^ 10) is too complex", french="10 ^ (10 ^ 10) est trop complexe")
    cause = Reason.of("lint_too_complex", kpi="k", cause=error)
    assert cause.text("en") == "KPI 'k' is not linted: 10 ^ (10 ^ 10) is too complex"
    assert cause.text("fr") == "l'indicateur « k » n'est pas analysé : 10 ^ (10 ^ 10) est trop complexe"


def _english_sentences() -> set[str]:
    """The words of each English message that its French never has: none of them may be left in French output."""
    found = set()
    for english, french in FORMULA_MESSAGES.values():
        for literal, *_ in string.Formatter().parse(english):
            piece = literal.strip(" :;,()'")
            if len(re.findall(r"[a-z]{2,}", piece)) >= 2 and piece not in french:
                found.add(piece)
    return found


ENGLISH = _english_sentences()


def validate(tmp_path: Path, case: dict, lang: str) -> tuple[list[str], list[str], str]:
    """(locations, messages, whole output) of `kpi validate --lang LANG` on the case's pack."""
    pack = {"inputs": INPUTS, **{key: value for key, value in case.items() if key not in ("id", "en", "fr")}}
    (tmp_path / "pack.yaml").write_text(yaml.safe_dump(pack, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "pack.yaml", "--lang", lang], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    located = [re.match(r"(pack\.yaml:\d+:\d+): (.*)", line) for line in result.stdout.splitlines()]
    problems = [match.groups() for match in located if match]
    return [where for where, _ in problems], [message for _, message in problems], result.output


def test_the_broken_formulas_cover_the_catalogue_of_validation_messages():
    """Every message `kpi validate` can print about a formula (all but lint's, the limits' and the analysis') has a case."""
    written = {message for case in CASES for message in case["en"]}
    untested = {  # the limits: tests/test_grammar.py; no standard function has 3 branches
        "formula_too_long", "formula_too_nested", "formula_depth_limit", "branches_all",
    }
    for code, (english, _) in FORMULA_MESSAGES.items():
        if code.startswith(("lint_", "unit_", "context_", "in_", "formula_at", "an_", "a_", "type_", "role_", "ordinal_", "arity_", "token_", "hint_")):
            continue  # a part of other messages, or lint's (tests/test_analysis_cli.py)
        if code.startswith(("spreadsheet_", "function_lowercase", "without_accents")) or code in untested:
            continue  # hints inside unknown_function / template_unknown_name; limits in tests/test_grammar.py
        pattern = "".join(re.escape(literal) + (".*" if field is not None else "") for literal, field, _, _ in string.Formatter().parse(english))
        assert any(re.search(pattern, message) for message in written), f"no case for {code}: {english}"


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_a_broken_formula_reads_the_same_mistake_in_english_and_in_french(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    where_en, english, _ = validate(tmp_path, case, "en")
    where_fr, french, output = validate(tmp_path, case, "fr")
    assert english == case["en"]
    assert french == case["fr"]
    assert where_fr == where_en
    left = sorted(sentence for sentence in ENGLISH if sentence in output)
    assert not left, f"English left in the French output: {left}"
