"""The formula language: canonical text, exact values and syntax errors.

Golden cases live in tests/data/formulas.yaml; this module only runs them.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from pathlib import Path

import pytest
import yaml

from kpi_engine.backends.python.compiler import compile_node
from kpi_engine.errors import Undefined
from kpi_engine.nodes import Call, Name, Number, children, to_text
from kpi_engine.numbers import DECIMAL_CONTEXT
from kpi_engine.parser import FormulaSyntaxError, Limits, parse_formula

CASES = yaml.safe_load((Path(__file__).parent / "data" / "formulas.yaml").read_text(encoding="utf-8"))


def _params(section: str) -> list:
    params = []
    for case in CASES[section]:
        marks = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if "xfail" in case else []
        params.append(pytest.param(case, id=case["id"], marks=marks))
    return params


def evaluate(formula: str, inputs: dict | None = None):
    """Compile a formula with the engine's compiler and run it on plain inputs.

    Returns a Decimal or bool, or ("undefined", reason)."""
    env = {name: (value if isinstance(value, bool) else Decimal(value)) for name, value in (inputs or {}).items()}

    def names(name: str):
        def read(frame):
            if name not in frame:
                raise Undefined(f"missing {name}")
            return frame[name]

        return read

    compiled = compile_node(parse_formula(formula), names)
    with localcontext(DECIMAL_CONTEXT):
        try:
            return compiled(env)
        except Undefined as undefined:
            return ("undefined", undefined.reason)


@pytest.mark.parametrize("case", _params("canonical"))
def test_canonical_text(case):
    assert to_text(parse_formula(case["formula"])) == case["text"]


@pytest.mark.parametrize("case", _params("canonical"))
def test_canonical_text_parses_back_to_the_same_tree(case):
    tree = parse_formula(case["formula"])
    reparsed = parse_formula(to_text(tree))
    assert to_text(reparsed) == to_text(tree)
    assert _shape(reparsed) == _shape(tree)


def _shape(node):
    """The tree without positions or source spellings, to compare two parses."""
    if isinstance(node, Number):
        return ("Number", node.value)
    if isinstance(node, Name):
        return ("Name", node.id)
    if isinstance(node, Call):
        return ("Call", node.func, tuple(_shape(arg) for arg in node.args))
    return (type(node).__name__, node.op, *(_shape(child) for child in children(node)))


@pytest.mark.parametrize("case", _params("values"))
def test_value(case):
    result = evaluate(case["formula"], case.get("inputs"))
    if "undefined" in case:
        assert result == ("undefined", case["undefined"])
    elif isinstance(case["value"], bool):
        assert result is case["value"]
    else:
        assert isinstance(result, Decimal)
        assert result == Decimal(case["value"])
        # exact, not merely equal: 0.1 + 0.2 is 0.3, never 0.30000000000000004
        assert str(result.normalize()) == str(Decimal(case["value"]).normalize())


@pytest.mark.parametrize("case", _params("errors"))
def test_syntax_error(case):
    with pytest.raises(FormulaSyntaxError) as caught:
        parse_formula(case["formula"])
    assert (caught.value.message, caught.value.offset) == (case["message"], case["offset"])


def test_formula_length_limit():
    text = "a + " * 500 + "a"
    with pytest.raises(FormulaSyntaxError) as caught:
        parse_formula(text)
    assert caught.value.message == (
        f"formula is {len(text)} characters long; the limit is 2000: split it into intermediate KPIs"
    )
    assert caught.value.offset == 2000
    long_number = "1" * 2001
    assert parse_formula(long_number, Limits(max_formula_length=2001)).value == Decimal(long_number)


def test_long_left_associative_chain_is_refused_cleanly():
    text = "a + " * 300 + "a"  # 300 levels deep, under the length limit
    with pytest.raises(FormulaSyntaxError) as caught:
        parse_formula(text)
    assert caught.value.message.startswith("formula is nested")


def test_formula_depth_limit():
    text = "abs(" * 120 + "a" + ")" * 120
    with pytest.raises(FormulaSyntaxError) as caught:
        parse_formula(text)
    assert caught.value.message == "formula is nested more than 100 levels deep: split it into intermediate KPIs"


def test_parentheses_do_not_count_as_depth():
    assert to_text(parse_formula("(" * 150 + "a" + ")" * 150)) == "a"


def test_percent_literal_is_an_exact_fraction():
    node = parse_formula("8%")
    assert node.value == Decimal("0.08") and node.text == "8%"


def test_spans_point_at_the_source_characters():
    node = parse_formula("ca - cout")
    assert (node.right.id, node.right.span.start, node.right.span.end) == ("cout", 5, 9)
