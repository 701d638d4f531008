"""Property-based tests (hypothesis): whatever the text, the formula language, the YAML loader and the
message templates answer with the engine's own errors, within a deadline per input.

The strategies mix the pieces a person (or an attacker) writes: real tokens, near misses, huge
numbers, odd line breaks, YAML tags and aliases, format specs with huge widths. The budget comes
from the hypothesis profile (tests/conftest.py): short and fixed in CI, long by hand.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal

from hypothesis import example, given
from hypothesis import strategies as st

from kpi_engine import Pack, PackError
from kpi_engine.alerts import render_message
from kpi_engine.errors import Problem
from kpi_engine.functions import FUNCTIONS
from kpi_engine.limits import Limits
from kpi_engine.nodes import Node
from kpi_engine.parser import FormulaSyntaxError, parse_formula
from kpi_engine.semantics import TEXT_FIELDS, template_problems
from kpi_engine.yamlsource import load_document

# --- formulas ------------------------------------------------------------------------------------------------
_FORMULA_TOKENS = [
    *FUNCTIONS, "x", "y", "k", "value", "target", "unknown", "and", "or", "not", "if",
    "+", "-", "*", "/", "^", "%", "(", ")", ",", "<", "<=", ">", ">=", "==", "!=", "=", " ", "  ",
    "0", "1", "2.5", "0.1", "999999999", "1e5", "9" * 60, "10 ^ 10 ^ 10", "\u2212", "é", "'", '"', ";", "\n", "\t", "_",
]
_numbers = st.from_regex(r"[0-9]{1,30}(\.[0-9]{1,30})?%?", fullmatch=True)
token_soup = st.lists(st.sampled_from(_FORMULA_TOKENS) | _numbers, max_size=40).map("".join)


def _call(args: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(st.sampled_from(sorted(FUNCTIONS)), st.lists(args, max_size=4)).map(lambda c: f"{c[0]}({', '.join(c[1])})")


_leaves = _numbers | st.sampled_from(["x", "y", "k", "value", "-3", "999999999", "0"])
well_formed = st.recursive(
    _leaves,
    lambda inner: st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "^", "<", "==", "and", "or"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})")
    | _call(inner)
    | inner.map(lambda e: f"not {e}"),
    max_leaves=12,
)
formulas = token_soup | well_formed | st.text(max_size=60)


def refusal(build: Callable[[], object]) -> PackError | FormulaSyntaxError | object:
    """What `build` gives, or the engine error it raised; any other exception fails the test."""
    try:
        return build()
    except (PackError, FormulaSyntaxError) as error:
        return error


@given(formulas)
def test_parsing_any_text_gives_a_formula_or_a_located_syntax_error(text):
    outcome = refusal(lambda: parse_formula(text))
    if isinstance(outcome, FormulaSyntaxError):
        assert 0 <= outcome.offset <= max(len(text), Limits().max_formula_length)
        assert outcome.message
    else:
        assert isinstance(outcome, Node)


def _pack_text(formula: str) -> str:
    quoted = json.dumps(formula)  # a JSON string is a YAML double-quoted scalar
    return (
        "inputs: {x: {rollup: sum}, y: {rollup: sum, min: 0}}\n"
        f"kpis:\n  k: {{formula: {quoted}, frequency: monthly, target: 1, direction: higher_is_better,"
        f" alerts: [{{when: {quoted}, severity: warning}}]}}\n"
        f"  m: {{formula: x, frequency: quarterly}}\n"
    )


@given(formulas)
def test_validating_a_pack_with_any_formula_gives_a_pack_or_located_problems(formula):
    outcome = refusal(lambda: Pack.from_texts({"pack.yaml": _pack_text(formula)}, bases={}))
    if isinstance(outcome, PackError):
        assert outcome.problems
        assert all(isinstance(p, Problem) and p.location.file == "pack.yaml" for p in outcome.problems)
    else:
        assert isinstance(outcome, Pack)


# --- YAML ----------------------------------------------------------------------------------------------------
_YAML_PIECES = [
    "inputs:", "kpis:", "tests:", "x:", "k:", "  ", "    ", "\n", "\r\n", "\r", "\x85", "\u2028", "\u2029", "\t", "\ufeff",
    "{", "}", "[", "]", ",", ": ", ":", "- ", "? ", "#", "'", '"', "|", ">", "&a ", "*a", "<<: *a", "!!python/object:os.system ",
    "!!str ", "!custom ", "%YAML 1.1\n", "---\n", "...\n", "rollup: sum", "formula: x", "frequency: monthly", "min: ", "max: ",
    "1e999999999", "1.0e+999999999", "0.0e-999999999", "9" * 5000, "1.0e-99999999999999999999", "0.1", "-1", "0x1F", "1_000",
    "yes", "null", "~", "true", "é", "\x00", "\x1b[31m",
]
yaml_texts = st.lists(st.sampled_from(_YAML_PIECES) | st.text(max_size=5), max_size=50).map("".join)


# found by the long profile: a long run of digits that is no number made a regex backtrack quadratically
LONG_DIGITS_NOT_A_NUMBER = "\n" + "9" * 5000 + ":0.1"


@given(yaml_texts)
@example(LONG_DIGITS_NOT_A_NUMBER)
def test_loading_any_yaml_gives_data_or_located_problems(text):
    _, problems = load_document(text, "f.yaml")
    assert all(isinstance(p, Problem) and p.location.file == "f.yaml" for p in problems)
    for problem in problems:
        str(problem)  # every problem prints, snippet included


@given(yaml_texts)
@example(LONG_DIGITS_NOT_A_NUMBER)
def test_validating_any_yaml_as_a_pack_gives_a_pack_or_located_problems(text):
    outcome = refusal(lambda: Pack.from_texts({"pack.yaml": text}, bases={}))
    if isinstance(outcome, PackError):
        assert outcome.problems
        assert all(isinstance(p, Problem) for p in outcome.problems)
    else:
        assert isinstance(outcome, Pack)


# --- templates -----------------------------------------------------------------------------------------------
_TEMPLATE_PIECES = [
    "{value}", "{label}", "{x}", "{value:", "{label:", "}", "{", "{{", "}}", ":", ".2f", ",.0f", ".1%", ">10", "<20", "^5",
    "999999999", ".999999999f", ">999999999", "100", "101", ".28f", ".29f", "!r", ".attr", "[0]", "e", "%", "#", "0", "_", ",", "z", "é", " ",
]
templates = st.lists(st.sampled_from(_TEMPLATE_PIECES) | st.text(max_size=4), max_size=12).map("".join)
NAMES = frozenset({"value", "label", "x"})
values = st.decimals(min_value=Decimal("-1E+100"), max_value=Decimal("1E+100"), places=None, allow_nan=False, allow_infinity=False).filter(
    lambda d: d == 0 or -100 <= d.adjusted() <= 100
)


@given(templates, values, st.sampled_from(["fr", "en"]))
def test_a_template_validation_accepts_renders_within_bounded_length(template, value, lang):
    problems = list(template_problems(template, NAMES))
    assert all(isinstance(offset, int) and isinstance(message, str) for offset, _, message in problems)
    if problems:
        return
    limits = Limits()

    def lookup(name: str) -> tuple[object, str]:
        return ("Chiffre d'affaires", "") if name in TEXT_FIELDS else (value if name == "value" else None, "EUR")

    message = render_message(template, lookup, lang)
    fields = template.count("{")
    assert len(message) <= len(template) + fields * (limits.max_format_width + limits.numbers.max_exponent + limits.max_format_precision + 60)
