"""The function registry: every entry carries every hook, and a new entry works everywhere.

A function added in a test (on the registry, restored by monkeypatch after each test)
is validated, typed, evaluated, graphed and analysed without any other module knowing
its name. Expected numbers are worked out by hand in the comments.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import MISSING, fields
from decimal import Decimal
from typing import Any

import pytest
import sympy

from kpi_engine import Facts, Pack, PackError, Period
from kpi_engine.analysis.errors import AnalysisError
from kpi_engine.analysis.goal_seek import goal_seek
from kpi_engine.analysis.lint import lint
from kpi_engine.analysis.symbolic import expand, input_symbol
from kpi_engine.backends.sql.expressions import FUNCTION_SQL
from kpi_engine.functions import (
    FUNCTIONS,
    SCENARIOS,
    Count,
    CountBack,
    Function,
    Kind,
    NotSymbolic,
    Offsets,
    PeriodsBack,
    Propagation,
    Symbolic,
    SymbolicScope,
    ThisPeriod,
    UnitRule,
    Window,
    YearBack,
    YearToDate,
)
from kpi_engine.graph import references
from kpi_engine.nodes import Call

D = Decimal
HOOK_TYPES: dict[str, Any] = {
    "arguments": tuple,
    "result": Kind,
    "undefined": Propagation,
    "unit": UnitRule,
    "symbolic": (Symbolic, NotSymbolic),
    "reach": (ThisPeriod, Offsets, Window, YearToDate),
}


# --- every entry is complete ---------------------------------------------------------------
def test_no_field_of_an_entry_has_a_default():
    assert [f.name for f in fields(Function) if f.default is not MISSING or f.default_factory is not MISSING] == []


def test_an_entry_without_a_hook_cannot_be_built():
    complete = {f.name: getattr(FUNCTIONS["abs"], f.name) for f in fields(Function)}
    for hook in ("build", "undefined", "arguments", "result", "unit", "symbolic", "reach"):
        partial = {name: value for name, value in complete.items() if name != hook}
        with pytest.raises(TypeError, match=hook):
            Function(**partial)


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_every_registered_entry_has_every_hook(name):
    function = FUNCTIONS[name]
    assert function.name == name and function.summary and f"{name}(" in function.example
    assert callable(function.build)
    for hook, kind in HOOK_TYPES.items():
        assert isinstance(getattr(function, hook), kind), f"{name}: {hook}"
    assert function.arguments and all(isinstance(a, (Kind, Count)) for a in function.arguments)
    assert function.result in (Kind.NUMBER, Kind.CONDITION) or Kind.BRANCH in function.arguments
    if isinstance(function.symbolic, NotSymbolic):
        assert function.symbolic.reason.startswith(f"{name}()")
    # The SQL rendering lives with the SQL dialects (it is written against their value/reason pairs and
    # window scopes, which the core must not import): every entry still needs one, except the scenario
    # reads, which every SQL scope renders itself (`Scope.scenario`: x on another scenario's row).
    assert name in FUNCTION_SQL or name in SCENARIOS, f"{name}: no SQL rendering in kpi_engine.backends.sql.expressions.FUNCTION_SQL"


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_every_example_is_a_valid_formula(name):
    example = FUNCTIONS[name].example
    inputs = {"ecart_ca", "stocks", "resultat_net", "taux_marge_nette", "tresorerie_initiale", "chiffre_affaires_ht", "tresorerie_nette"}
    text = "inputs:\n" + "".join(f"  {i}: {{rollup: sum}}\n" for i in sorted(inputs))
    text += f"kpis:\n  tresorerie: {{formula: 'tresorerie_initiale', frequency: monthly}}\n  example: {{formula: '{example}', frequency: monthly}}\n"
    Pack.from_texts({"pack.yaml": text})  # raises PackError on any problem


# --- a new function, registered in the test only ----------------------------------------------
def _clamp(args: Sequence[Callable[[Any], Any]], _: Sequence[int | None]) -> Callable[[Any], Any]:
    x, low, high = args
    return lambda frame: min(max(x(frame), low(frame)), high(frame))


def _sym_clamp(scope: SymbolicScope, call: Call) -> Any:
    x, low, high = (scope.value(arg) for arg in call.args)
    return scope.sympy.Min(scope.sympy.Max(x, low), high)


def _two_back(args: Sequence[Callable[[Any], Any]], _: Sequence[int | None]) -> Callable[[Any], Any]:
    (x,) = args
    return lambda frame: x(frame.back(2))


def _floor(args: Sequence[Callable[[Any], Any]], _: Sequence[int | None]) -> Callable[[Any], Any]:
    (x,) = args
    return lambda frame: x(frame).to_integral_value(rounding="ROUND_FLOOR")


FLOOR_REASON = "floor() is a step function: no inverse, derivative 0 almost everywhere"
NEW = (
    Function(
        name="clamp", summary="x kept between low and high", example="clamp(taux, 0, 1)",
        min_args=3, max_args=3, arguments=(Kind.NUMBER,), result=Kind.NUMBER, build=_clamp,
        undefined=Propagation.STRICT, unit=UnitRule.SAME, symbolic=Symbolic(_sym_clamp), reach=ThisPeriod(),
    ),
    Function(
        name="two_back", summary="the value two periods earlier", example="two_back(ca)",
        min_args=1, max_args=1, arguments=(Kind.NUMBER,), result=Kind.NUMBER, build=_two_back,
        undefined=Propagation.STRICT, unit=UnitRule.OF_FIRST, symbolic=Symbolic(lambda scope, call: scope.held(call)),
        reach=Offsets((PeriodsBack(2),)),
    ),
    Function(
        name="floor", summary="the largest whole number not above x", example="floor(ca)",
        min_args=1, max_args=1, arguments=(Kind.NUMBER,), result=Kind.NUMBER, build=_floor,
        undefined=Propagation.STRICT, unit=UnitRule.OF_FIRST, symbolic=NotSymbolic(FLOOR_REASON, exact=None), reach=ThisPeriod(),
    ),
)

PACK = """
inputs:
  ca: {rollup: sum, unit: EUR}
  jours: {rollup: sum, unit: days}
kpis:
  borne: {formula: 'clamp(ca, 0, 100)', frequency: monthly, unit: EUR}
  recul: {formula: 'two_back(ca)', frequency: monthly}
  cumul: {formula: 'coalesce(two_back(cumul), 0) + ca', frequency: monthly}
  plancher: {formula: 'floor(ca / 3)', frequency: monthly}
  melange: {formula: 'clamp(ca, jours, 10)', frequency: monthly}
"""


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> Pack:
    for function in NEW:
        monkeypatch.setitem(FUNCTIONS, function.name, function)
    return Pack.from_texts({"pack.yaml": PACK})


def test_a_new_function_is_validated_and_typed(monkeypatch):
    monkeypatch.setitem(FUNCTIONS, "clamp", NEW[0])
    bad = "inputs:\n  ca: {rollup: sum}\nkpis:\n  a: {formula: 'clamp(ca > 0, 0, 1)', frequency: monthly}\n  b: {formula: 'clamp(ca)', frequency: monthly}\n"
    with pytest.raises(PackError) as error:
        Pack.from_texts({"pack.yaml": bad})
    messages = [p.message for p in error.value.problems]
    assert "KPI 'a': formula: argument 1 of clamp() must be a number" in messages
    assert "KPI 'b': formula: clamp() takes 3 arguments, not 1 (example: clamp(taux, 0, 1))" in messages


def test_a_new_function_is_evaluated(registered):
    facts = Facts.from_records([("lyon", "ca", f"2025-0{m}", v) for m, v in ((1, 150), (2, -5), (3, 40), (4, 7))])
    evaluation = registered.evaluate(facts)

    def at(kpi: str, month: int) -> Decimal | None:
        return evaluation.value(kpi, f"2025-0{month}", "lyon")

    assert [at("borne", m) for m in (1, 2, 3)] == [D(100), D(0), D(40)]  # 150 -> 100, -5 -> 0, 40 stays
    assert at("recul", 1) is None and at("recul", 3) == D(150) and at("recul", 4) == D(-5)  # ca two months back
    # cumul: 150; -5; 150 + 40 = 190; -5 + 7 = 2
    assert [at("cumul", m) for m in (1, 2, 3, 4)] == [D(150), D(-5), D(190), D(2)]
    assert [at("plancher", m) for m in (1, 2, 3)] == [D(50), D(-2), D(13)]  # 150/3 = 50, -5/3 -> -2, 40/3 -> 13


def test_a_new_function_is_graphed_by_its_reach(registered):
    kpis = registered.definitions.kpis
    assert [(r.name, r.same_period) for r in references(kpis["cumul"].formula.node)] == [("cumul", False), ("ca", True)]
    assert [(r.name, r.same_period) for r in references(kpis["borne"].formula.node)] == [("ca", True)]


def test_a_new_function_is_analysed_symbolically_or_refused_with_its_reason(registered):
    ca = input_symbol("ca")
    assert expand(registered.definitions, "borne").expr == sympy.Min(sympy.Max(ca, 0), 100)
    assert [h.name for h in expand(registered.definitions, "recul").held] == ["two_back(ca)"]
    assert expand(registered.definitions, "plancher").opaque == {"floor": FLOOR_REASON}
    facts = Facts.from_records([("lyon", "ca", "2025-01", 30)])
    with pytest.raises(AnalysisError, match="floor\\(\\) is a step function"):
        goal_seek(registered, facts, "plancher", "ca", Period.parse("2025-01"), "lyon", D(20))


def test_a_new_function_follows_its_unit_rule_in_lint(registered):
    warnings = [p.message for p in lint(registered)]
    assert "unit mismatch: mixes ca (EUR) and jours (days)" in warnings
    assert not [w for w in warnings if "'borne'" in w]  # clamp(EUR, 0, 100) is EUR, as declared


def test_reach_kinds_cover_every_registered_time_function():
    reaches = {name: f.reach for name, f in FUNCTIONS.items() if not isinstance(f.reach, ThisPeriod)}
    assert reaches == {
        "prev": Offsets((PeriodsBack(1),)),
        "lag": Offsets((CountBack(1),)),
        "year_ago": Offsets((YearBack(),)),
        "rolling_sum": Window(1),
        "rolling_avg": Window(1),
        "ytd": YearToDate(),
        "growth": Offsets((PeriodsBack(0), PeriodsBack(1))),
    }
