"""Symbolic analysis checked against independent hand calculations.

Every expected number below is worked out by hand in the comment next to it,
never by the code under test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import sympy

from kpi_engine import Facts, Pack, Period, load_pack, standard_library_path
from kpi_engine.analysis.algebra import solve_general
from kpi_engine.analysis.bridge import explain_change, shapley
from kpi_engine.analysis.errors import AnalysisError, SymbolicError
from kpi_engine.analysis.goal_seek import goal_seek, with_input
from kpi_engine.analysis.lint import lint
from kpi_engine.analysis.printing import expanded_formula
from kpi_engine.analysis.sensitivity import sensitivity
from kpi_engine.analysis.symbolic import expand, input_symbol
from kpi_engine.facts import read_facts_text

DATA = Path(__file__).parent / "data" / "symbolic"
ROOT = Path(__file__).parent.parent
M1, M2, M3, Q1 = (Period.parse(p) for p in ("2025-01", "2025-02", "2025-03", "2025-Q1"))


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack(str(DATA / "good"))


@pytest.fixture(scope="module")
def facts() -> Facts:
    return read_facts_text((DATA / "facts.yaml").read_text(), "facts.yaml")


# --- expansion ------------------------------------------------------------------------
def test_expansion_goes_through_kpis_down_to_inputs(pack):
    # bonus = if(resultat > 0, resultat * 10%, 0), resultat = ca * taux_mcv - charges_fixes
    expansion = expand(pack.definitions, "bonus")
    ca, t, cf = (input_symbol(n) for n in ("ca", "taux_mcv", "charges_fixes"))
    expected = sympy.Piecewise((sympy.Rational(1, 10) * (ca * t - cf), ca * t - cf > 0), (0, True))
    assert sympy.simplify(expansion.expr - expected) == 0
    assert set(expansion.inputs) == {"ca", "taux_mcv", "charges_fixes"}


def test_time_functions_become_held_symbols(pack):
    assert [h.name for h in expand(pack.definitions, "progression").held] == ["prev(ca)"]
    growth = expand(pack.definitions, "croissance")
    assert str(growth.expr) == "ca/prev(ca) - 1"


def test_round_and_coalesce_are_opaque_without_a_frame(pack):
    assert "round" in expand(pack.definitions, "arrondi").opaque


def test_expanded_formula_text_and_latex(pack):
    text, latex = expanded_formula(pack, "capped")
    assert text == "max(0, cost - 500) + min(1000, ca)"
    assert r"\mathrm{cost}" in latex and r"\min" in latex


def test_expanded_formula_of_the_standard_library_break_even():
    standard = load_pack(str(standard_library_path()))
    text, _ = expanded_formula(standard, "seuil_rentabilite")
    # seuil = charges_fixes / ((ca - cv) / ca), ca = ventes_marchandises + production_vendue
    ca = input_symbol("ventes_marchandises") + input_symbol("production_vendue")
    expected = input_symbol("charges_fixes") * ca / (ca - input_symbol("charges_variables"))
    assert sympy.simplify(expand(standard.definitions, "seuil_rentabilite").expr - expected) == 0
    assert "charges_fixes" in text


# --- goal seek --------------------------------------------------------------------------
def test_break_even_revenue_by_hand(pack, facts):
    # resultat = ca * 0.4 - 120000 = 0  =>  ca = 120000 / 0.4 = 300000
    result = goal_seek(pack, facts, "resultat", "ca", M1, target=Decimal(0))
    assert result.status == "solved"
    (solution,) = result.solutions
    assert solution.value == Decimal(300000)
    assert solution.check_ok and solution.checked_value == 0


def test_break_even_matches_the_seed_formula(pack, facts):
    # solved symbolically for ca, resultat = 0 gives charges_fixes / taux_mcv: the seuil_rentabilite formula
    (general,) = solve_general(expand(pack.definitions, "resultat"), "ca", Decimal(0))
    assert sympy.simplify(general - expand(pack.definitions, "seuil_rentabilite").expr) == 0
    # and at 2025-01 the solved value equals the evaluated seuil_rentabilite
    assert pack.evaluate(facts).value("seuil_rentabilite", M1) == Decimal(300000)


def test_target_defaults_to_the_kpis_own(pack, facts):
    assert goal_seek(pack, facts, "resultat", "ca", M1).target == 0


def test_no_solution(pack, facts):
    # capped = min(ca, 1000) + max(cost - 500, 0) with cost = 600: at most 1000 + 100 = 1100
    result = goal_seek(pack, facts, "capped", "ca", M1, target=Decimal(5000))
    assert result.status == "no_solution" and not result.found


def test_several_solutions(pack, facts):
    # (ca - 100)^2 = 100  =>  ca = 90 or 110, both >= the declared min 0
    result = goal_seek(pack, facts, "carre", "ca", M1, target=Decimal(100))
    assert result.status == "several"
    assert [s.value for s in result.solutions] == [90, 110]
    assert all(s.check_ok for s in result.solutions)


def test_solution_outside_the_declared_min(pack, facts):
    # resultat = ca * 0.4 - 120000 = -200000  =>  ca = -80000 / 0.4 = -200000 < min 0
    result = goal_seek(pack, facts, "resultat", "ca", M1, target=Decimal(-200000))
    assert result.status == "out_of_bounds"
    assert result.solutions[0].value == -200000
    assert "below the declared min 0" in str(result.solutions[0].bound_note)


def test_a_flat_min_gives_a_range(pack, facts):
    # min(ca, 1000) + 100 = 1100 for every ca >= 1000
    result = goal_seek(pack, facts, "capped", "ca", M1, target=Decimal(1100))
    assert result.status == "range" and "Interval(1000, oo)" in result.solution_set


def test_if_is_solved_on_the_right_branch(pack, facts):
    # bonus = 10% * (0.4 ca - 120000) = 100  =>  0.4 ca = 121000  =>  ca = 302500
    result = goal_seek(pack, facts, "bonus", "ca", M1, target=Decimal(100))
    assert [s.value for s in result.solutions] == [302500]


def test_quarterly_kpi_scales_the_months(pack, facts):
    # revenue_q = price (last month: 11) * volume (100 + 110 + 90 = 300) = 3300; 3600 / 11 = 327.27...
    result = goal_seek(pack, facts, "revenue_q", "volume", Q1, target=Decimal(3600))
    (solution,) = result.solutions
    assert Fraction(solution.exact) == Fraction(3600, 11)
    assert solution.check_ok and "scaled proportionally" in str(result.distribution)


def test_proportional_spread_keeps_the_month_mix_and_the_exact_sum(pack, facts):
    changed, _ = with_input(facts, pack.definitions, None, "volume", Q1, Decimal(600), Decimal(300))
    months = changed.entity(None).by_period
    assert [months[p]["volume"] for p in (M1, M2, M3)] == [200, 220, 180]  # each doubled


def test_round_cannot_be_solved_and_says_why(pack, facts):
    with pytest.raises(AnalysisError, match="round\\(\\) is a step function"):
        goal_seek(pack, facts, "arrondi", "ca", M1, target=Decimal(10))


def test_a_kpi_cannot_be_asked_at_a_finer_period(pack, facts):
    with pytest.raises(AnalysisError, match="quarterly: give a quarter or a longer period made of quarters"):
        goal_seek(pack, facts, "revenue_q", "volume", M1, target=Decimal(1))


def test_a_monthly_kpi_is_asked_at_a_quarter_on_its_inputs_rolled_up():
    # Q2 2024: ca 3000, cost 1800 -> margin 0.4; Q2 2025: ca 4000, cost 2800 -> margin 0.3 (as Evaluation.result_at computes it)
    # Shapley on 1 - cost/ca: ca ½((1 - 1800/4000 - 0.4) + (0.3 - (1 - 2800/3000))) = ½(0.15 + 7/30) = 23/120; cost -1/10 - 23/120 = -7/24
    pack = load_pack(str(DATA / "good"))
    quarters = read_facts_text((DATA / "quarters.yaml").read_text(), "quarters.yaml")
    q2_2024, q2_2025 = Period.parse("2024-Q2"), Period.parse("2025-Q2")
    bridge = explain_change(pack, quarters, "margin", q2_2024, q2_2025)
    assert (bridge.before, bridge.after) == (Fraction(2, 5), Fraction(3, 10))
    assert [(c.name, c.exact) for c in bridge.contributions] == [("ca", Fraction(23, 120)), ("cost", Fraction(-7, 24))]
    result = pack.evaluate(quarters).result_at("margin", q2_2025)
    assert result is not None and result.value == Decimal("0.3")
    # sensitivity at the quarter: d/dca = cost/ca^2 = 2800/16e6 = 0.000175; elasticity 0.000175 * 4000 / 0.3 = 7/3
    ca_lever = next(lever for lever in sensitivity(pack, quarters, "margin", q2_2025).levers if lever.name == "ca")
    assert ca_lever.derivative == Decimal("0.000175") and ca_lever.elasticity is not None and abs(ca_lever.elasticity - Decimal(7) / 3) < Decimal("1e-20")


# --- sensitivity ------------------------------------------------------------------------
def test_elasticity_by_hand(pack, facts):
    # margin = (ca - cost) / ca at ca = 1000, cost = 600: margin = 0.4
    # d/dca = cost / ca^2 = 600 / 1e6 = 0.0006; elasticity = 0.0006 * 1000 / 0.4 = 1.5
    # d/dcost = -1 / ca = -0.001; elasticity = -0.001 * 600 / 0.4 = -1.5
    result = sensitivity(pack, facts, "margin", M1)
    assert result.value == Decimal("0.4")
    levers = {lever.name: lever for lever in result.levers}
    assert levers["ca"].derivative == Decimal("0.0006") and levers["ca"].elasticity == Decimal("1.5")
    assert levers["cost"].derivative == Decimal("-0.001") and levers["cost"].elasticity == Decimal("-1.5")


def test_sensitivity_is_ranked_by_elasticity(pack, facts):
    # resultat = ca * t - cf at ca 1000, t 0.4, cf 120000: K = -119600
    # elasticities: cf: -1 * 120000 / -119600 = 1.0033..; ca and t: 400 / -119600 = -0.00334..
    names = [lever.name for lever in sensitivity(pack, facts, "resultat", M1).levers]
    assert names[0] == "charges_fixes"


def test_sensitivity_through_min_and_max_is_one_sided(pack, facts):
    # capped at ca = 1000 (the kink of min(ca, 1000)), cost = 600: d/dcost = 1 (cost - 500 > 0)
    levers = {lever.name: lever for lever in sensitivity(pack, facts, "capped", M1).levers}
    assert levers["cost"].derivative == 1
    assert levers["ca"].derivative in (0, 1)


def test_sensitivity_to_a_held_earlier_value(pack, facts):
    # progression = ca - prev(ca) at 2025-02: 1200 - 1000 = 200; d/dprev = -1, elasticity = -1 * 1000 / 200 = -5
    levers = {lever.name: lever for lever in sensitivity(pack, facts, "progression", M2).levers}
    assert levers["prev(ca)"].kind == "earlier period"
    assert levers["prev(ca)"].elasticity == -5


# --- variance bridge ----------------------------------------------------------------------
def test_price_volume_bridge_by_hand(pack, facts):
    # revenue = price * volume from (10, 100) to (12, 110): 1000 -> 1320, change 320
    # Shapley: price = 2 * (100 + 110) / 2 = 210; volume = 10 * (10 + 12) / 2 = 110
    bridge = explain_change(pack, facts, "revenue", M1, M2)
    shares = {c.name: c.exact for c in bridge.contributions}
    assert bridge.change == 320
    assert shares == {"price": 210, "volume": 110}


def test_bridge_with_min_and_max(pack, facts):
    # capped: min(ca, 1000) + max(cost - 500, 0): (1000, 600) -> 1100, (1200, 900) -> 1400
    # min(ca, 1000) does not move (1000 -> 1000): ca 0; max(cost - 500, 0): 100 -> 400: cost 300
    shares = {c.name: c.exact for c in explain_change(pack, facts, "capped", M1, M2).contributions}
    assert shares == {"ca": 0, "cost": 300}


def test_bridge_with_if(pack, facts):
    # bonus = if(0.4 ca... ) : resultat is -119600 then 1200*0.5 - 120000 = -119400: both branches 0
    bridge = explain_change(pack, facts, "bonus", M1, M2)
    assert bridge.change == 0 and all(c.exact == 0 for c in bridge.contributions)


def test_bridge_with_a_time_function(pack, facts):
    # croissance = ca / prev(ca) - 1: at 2025-02: 1200/1000 - 1 = 1/5; at 2025-03: 800/1200 - 1 = -1/3
    # v(ca moves) = 800/1000 - 1 = -1/5; v(prev moves) = 1200/1200 - 1 = 0
    # ca:   ((-1/5 - 1/5) + (-1/3 - 0)) / 2 = -11/30
    # prev: ((0 - 1/5) + (-1/3 + 1/5)) / 2 = -1/6
    shares = {c.name: c.exact for c in explain_change(pack, facts, "croissance", M2, M3).contributions}
    assert shares == {"ca": Fraction(-11, 30), "prev(ca)": Fraction(-1, 6)}
    assert sum(shares.values()) == Fraction(-1, 3) - Fraction(1, 5)


def test_bridge_with_round_is_exact(pack, facts):
    # arrondi = round(ca / 3, 2): 333.33 at 2025-01 -> 400 at 2025-02; one input takes all
    bridge = explain_change(pack, facts, "arrondi", M1, M2)
    assert bridge.change == Fraction(6667, 100)
    assert bridge.contributions[0].exact == Fraction(6667, 100)


def test_shapley_three_way_product_sums_exactly():
    # a*b*c from (1, 2, 3) to (2, 3, 5): 6 -> 30. Contributions with thirds must still sum to 24 exactly.
    a, b, c = (sympy.Symbol(n, real=True) for n in "abc")
    shares = shapley(a * b * c, (a, b, c), [Fraction(1), Fraction(2), Fraction(3)], [Fraction(2), Fraction(3), Fraction(5)])
    # a: orders average of Δa times b*c at mixed values: (1/3)(6) + (1/6)(9) + (1/6)(10) + (1/3)(15) = 2+1.5+5/3+5 = 61/6
    assert shares[0] == Fraction(61, 6)
    assert sum(shares) == 24


def test_shapley_of_many_inputs_uses_the_subset_formula():
    # a sum of 30 products x_i * y: each term is attributed on its own (linearity), still exact
    xs = [sympy.Symbol(f"x{i}", real=True) for i in range(30)]
    y = sympy.Symbol("y", real=True)
    expr = y * sum(xs)
    before = [Fraction(1)] * 30 + [Fraction(2)]
    after = [Fraction(2)] * 30 + [Fraction(3)]
    shares = shapley(expr, (*xs, y), before, after)
    # total: 30*2*3 - 30*1*2 = 120; per x: 1 * (2 + 3) / 2 = 5/2 (x 30 = 75); y: 1 * (30 + 60) / 2 = 45
    assert shares[0] == Fraction(5, 2) and shares[-1] == 45 and sum(shares) == 120


def test_bridge_on_the_example_company_adds_up_exactly():
    company = load_pack(str(ROOT / "examples" / "company"))
    facts = read_facts_text((ROOT / "examples" / "facts" / "monthly.csv").read_text(), "monthly.csv")
    bridge = explain_change(company, facts, "taux_marge_nette", Period.parse("2025-09"), Period.parse("2025-10"), "lyon")
    assert sum((c.exact for c in bridge.contributions), Fraction(0)) == bridge.change
    evaluation = company.evaluate(facts, entity="lyon")
    change = evaluation.value("taux_marge_nette", Period.parse("2025-10"), "lyon") - evaluation.value("taux_marge_nette", Period.parse("2025-09"), "lyon")
    assert abs(Decimal(bridge.change.numerator) / bridge.change.denominator - change) < Decimal("1e-20")


# --- lint ----------------------------------------------------------------------------------
def test_lint_reports_every_rule_once():
    found = [(p.location.line, p.message) for p in lint(load_pack(str(DATA / "lint")))]
    messages = " | ".join(m for _, m in found)
    assert "'marge_bis' is algebraically the same as 'marge'" in messages
    assert "formula of 'redondant' simplifies to ca (quantite cancels out)" in messages
    assert "'par_solde' divides by solde, declared min -50000" in messages
    assert "unit mismatch: adds ca (EUR) and delai (days)" in messages
    assert "'taux_faux' is declared in percent but its formula yields EUR" in messages
    assert not any("propre" in m or "divides by ca" in m for m in messages.split(" | "))


def test_lint_points_at_the_denominator():
    problem = next(p for p in lint(load_pack(str(DATA / "lint"))) if "par_solde" in p.message)
    assert (problem.location.line, problem.location.column) == (22, 19)
    assert problem.severity == "warning" and "warning: " in str(problem)


def test_lint_is_quiet_on_the_standard_library():
    assert lint(load_pack(str(standard_library_path()))) == ()


def test_expansion_lists_variables_in_the_same_order_whatever_the_string_hashing():
    code = (
        "from kpi_engine import load_pack; from kpi_engine.analysis.symbolic import expand; "
        f"print(expand(load_pack({str(ROOT / 'examples' / 'company')!r}).definitions, 'taux_marge_nette').inputs)"
    )
    orders = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2", "3")
    }
    assert len(orders) == 1


# --- import cost ------------------------------------------------------------------------------
def test_the_cli_does_not_import_sympy():
    code = "import sys, kpi_engine.cli, kpi_engine.cli.analysis; print('sympy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


def test_symbolic_errors_carry_a_reason():
    assert issubclass(AnalysisError, SymbolicError)
