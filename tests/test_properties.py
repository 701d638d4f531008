"""Property-based tests (hypothesis): whatever the text, the formula language, the YAML loader, the facts
readers and the message templates answer with the engine's own errors, within a deadline per input; any
formula evaluates to a value in the number policy's range or to undefined with its reason; a value written
by `--format json` reads back as the same fact.

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
from kpi_engine.cli.output import MACHINE_DECIMALS, result_record
from kpi_engine.errors import Problem
from kpi_engine.facts import Facts, read_facts
from kpi_engine.functions import FUNCTIONS
from kpi_engine.limits import Limits
from kpi_engine.nodes import Node
from kpi_engine.numbers import NumberLimits
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


# --- facts readers -------------------------------------------------------------------------------------------
_FACTS_PIECES = [
    "period", "période", "Mois", "entity", "name", "value", "x", "y", "CA", "ca", ",", ";", "\t", "\n", "\r\n", "\r", '"', "'", " ",
    "2025-01", "2025-Q1", "2025-W53", "01/2025", "9999-12", "0001-01", "2025", "２０２５-０１", "1", "-1,5", "1 234,56", "1,500", "(12)",
    "7,5 %", "1e999999999", "0e-999999999", "9" * 5000, "NaN", "Infinity", "{", "}", "[", "]", ": ", '{"2025-01": {"x": ', "- ",
    "period: ", "&a ", "*a", "\x00", "\ufeff", "a" * 11_000, "PK\x03\x04",
]
facts_texts = st.lists(st.sampled_from(_FACTS_PIECES) | st.text(max_size=5), max_size=40).map("".join)
POLICY = NumberLimits()


@given(facts_texts, st.sampled_from(["facts.csv", "facts.json", "facts.yaml", "facts.xlsx", "facts"]), st.sampled_from(["utf-8", "utf-16", "cp1252"]))
def test_reading_any_facts_gives_facts_in_the_policy_or_located_problems(text, name, encoding):
    result = read_facts(text.encode(encoding, errors="replace"), name)
    assert all(isinstance(p, Problem) and p.location.file == name for p in result.problems)
    for problem in result.problems:
        assert problem.text("fr") and str(problem)
    for fact in result.facts.facts():
        assert POLICY.checked(fact.value) == fact.value


# --- evaluation: a value in the number policy's range, or undefined with its reason ------------------------------
_in_range = st.decimals(min_value=Decimal("-9.99E+100"), max_value=Decimal("9.99E+100"), places=None, allow_nan=False, allow_infinity=False).filter(
    lambda d: d == 0 or (-100 <= d.adjusted() <= 100 and len(d.as_tuple().digits) <= 28)
)


@given(well_formed, st.lists(_in_range, min_size=2, max_size=2), st.lists(_in_range, min_size=2, max_size=2))
@example("x * 10 ^ 999999 * 10 ^ 999999 > 1 or x > 0", [Decimal(1), Decimal(1)], [Decimal(1), Decimal(1)])
@example("x * 0.5 ^ 10 ^ 10", [Decimal(1), Decimal(1)], [Decimal(1), Decimal(1)])
def test_evaluating_any_formula_gives_a_value_in_range_or_a_reason(formula, xs, ys):
    pack = refusal(lambda: Pack.from_texts({"pack.yaml": _pack_text(formula)}, bases={}))
    if not isinstance(pack, Pack):
        return
    records = [(None, name, f"2025-0{month}", value) for name, values in (("x", xs), ("y", ys)) for month, value in enumerate(values, 1)]
    evaluation = pack.evaluate(Facts.from_records(records))
    for result in evaluation.results:
        if result.value is None:
            assert result.error and result.cause is not None and result.cause.text("fr")
        else:
            assert result.value == 0 or -100 <= result.value.adjusted() <= 100
            assert len(format(result.value, "f")) <= POLICY.max_text_length
    for alert in evaluation.alerts:
        assert alert.text("fr") and alert.text("en")


# --- round trip: a value written by --format json reads back as facts as the same value ----------------------------
@given(_in_range)
def test_a_value_written_as_json_reads_back_as_the_same_fact(value):
    pack = Pack.from_texts({"pack.yaml": "inputs: {x: {rollup: sum}}\nkpis: {k: {formula: x, frequency: monthly}}\n"}, bases={})
    (result,) = pack.evaluate(Facts.from_records([(None, "x", "2025-01", value)])).results
    written = json.dumps({"2025-01": {"x": json.loads(json.dumps(result_record(result)))["value"]}})
    read = read_facts(written.encode("utf-8"), "back.json")
    assert not read.problems
    (fact,) = read.facts.facts()
    decimals = -int(value.as_tuple().exponent)
    if decimals <= MACHINE_DECIMALS:
        assert fact.value == value
    else:  # rounded half even to the 24 decimals machine outputs keep
        assert abs(fact.value - value) <= Decimal(1).scaleb(-MACHINE_DECIMALS) / 2
