"""Formulas, templates and YAML cannot reach Python objects; the engine never evals text."""

from __future__ import annotations

import ast
import io
import itertools
import tokenize
from decimal import Decimal
from pathlib import Path

import pytest

import kpi_engine
from kpi_engine import Facts, Pack, PackError
from kpi_engine.templates import render_message

SOURCE = Path(kpi_engine.__file__).parent
PY_FILES = sorted(SOURCE.rglob("*.py"))


def pack_problems(formula: str, message: str = "") -> list[str]:
    alert = f"\n    alerts:\n      - when: value < 0\n        severity: info\n        message: {message!r}" if message else ""
    text = f"inputs:\n  ca: {{rollup: sum}}\nkpis:\n  k:\n    formula: {formula!r}\n    frequency: monthly{alert}\n"
    with pytest.raises(PackError) as caught:
        Pack.from_texts({"evil.yaml": text})
    return [str(p).splitlines()[0] for p in caught.value.problems]


FUNCTIONS = "abs, min, max, round, coalesce, if, prev, lag, year_ago, rolling_sum, rolling_avg, ytd, growth, budget, forecast"


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("__import__('os').system('true')", 'evil.yaml:5:26: kpis.k.formula: unexpected character "\'" (names are written without quotes)'),
        (
            "__import__(ca)",
            f"evil.yaml:5:15: KPI 'k': formula: unknown function '__import__'; functions are {FUNCTIONS}",
        ),
        ("ca.__class__", "evil.yaml:5:17: kpis.k.formula: unexpected character '.'"),
        ("__builtins__", "evil.yaml:5:15: KPI 'k': formula: unknown name '__builtins__'"),
        (
            "eval(ca)",
            f"evil.yaml:5:15: KPI 'k': formula: unknown function 'eval'; functions are {FUNCTIONS}",
        ),
        ("ca[0]", "evil.yaml:5:17: kpis.k.formula: unexpected character '['"),
        ("lambda: 1", "evil.yaml:5:21: kpis.k.formula: unexpected character ':'"),
    ],
    ids=["import-call", "import-name", "dunder-attribute", "builtins", "eval", "subscript", "lambda"],
)
def test_formula_cannot_reach_python(formula, expected):
    assert pack_problems(formula) == [expected]


@pytest.mark.parametrize(
    "template",
    ["{value.__class__}", "{value.__class__.__mro__}", "{ca.__init__.__globals__}", "{value[0]}", "{value!r}", "{value!s}", "{0}", "{}"],
)
def test_template_cannot_reach_python_at_load(template):
    problems = pack_problems("ca", template)
    assert problems and all(": KPI 'k': alert 1 message: " in p for p in problems)


@pytest.mark.parametrize("template", ["{value.__class__}", "{value[0]}", "{value!r}", "{0.__class__}"])
def test_template_cannot_reach_python_at_render(template):
    """Even a template that skipped validation is refused by the renderer itself."""
    with pytest.raises(ValueError):
        render_message(template, lambda name: (Decimal(1), ""), "en")


def test_template_renders_plain_names_only():
    assert render_message("{value:.1%} {kpi}", lambda name: {"value": (Decimal("0.125"), ""), "kpi": ("marge", "")}[name]) == "12.5% marge"


def test_evaluation_of_a_valid_pack_exposes_no_object():
    pack = Pack.from_texts(
        {
            "p.yaml": "inputs:\n  ca: {rollup: sum}\nkpis:\n  k:\n    formula: ca\n    frequency: monthly\n    alerts:\n"
            "      - {when: value > 0, severity: info, message: '{{value.__class__}} {value}'}\n"
        }
    )
    (alert,) = pack.evaluate(Facts.from_records([(None, "ca", "2025-01", 1)]), lang="en").alerts
    assert alert.message == "{value.__class__} 1"


def _dangerous_calls(path: Path) -> list[str]:
    """Calls of the builtins eval/exec/compile/__import__, and of any `.eval(`/`.exec(` attribute."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in {"eval", "exec", "compile", "__import__"}:
                found.append(f"{func.id}() at line {node.lineno}")
            elif isinstance(func, ast.Attribute) and func.attr in {"eval", "exec"}:
                found.append(f".{func.attr}() at line {node.lineno}")
    return found


@pytest.mark.parametrize("path", PY_FILES, ids=lambda p: str(p.relative_to(SOURCE)))
def test_source_never_calls_eval_or_exec(path):
    assert _dangerous_calls(path) == []
    # grep-style, on code tokens only (docstrings may say that nothing is eval'd)
    tokens = list(tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline))
    for token, following in itertools.pairwise(tokens):
        if token.type == tokenize.NAME and token.string in {"eval", "exec"}:
            assert following.string != "(", f"{path.name}:{token.start[0]} calls {token.string}()"


@pytest.mark.parametrize("path", PY_FILES, ids=lambda p: str(p.relative_to(SOURCE)))
def test_source_never_uses_an_unsafe_yaml_loader(path):
    text = path.read_text(encoding="utf-8")
    for name in ("yaml.load(", "yaml.unsafe_load", "yaml.full_load", "UnsafeLoader", "yaml.Loader", "pickle"):
        assert name not in text, f"{path.name} uses {name}"


def test_a_currency_written_before_a_negative_number_takes_the_sign_in_front():
    lookup = {"value": (Decimal("-8145.3"), "EUR"), "period": ("2025-04", "")}
    assert render_message("Net cash €{value:,.0f} at {period}", lambda name: lookup[name], "en") == "Net cash -€8,145 at 2025-04"
    assert render_message("€{value:,.0f}", lambda name: (Decimal("8145.3"), "EUR"), "en") == "€8,145"
