"""Hostile and unlucky inputs (issue 14): a located message or an undefined value with its reason, never a crash.

The cases whose input is readable as a file live in tests/data/bad (`numbers_out_of_range`,
`input_bounds_not_numbers`, `template_format_limits`, `round_digits`); here are those built
from characters a file would hide (line breaks, 5,000 digits), pack tests, periods and the
analyses. Case numbers are the issue's.
"""

from __future__ import annotations

import gc
import re
import sys
import time
from datetime import date, timedelta
from decimal import Decimal

import pytest

from kpi_engine import FactsError, Pack, PackError
from kpi_engine.analysis.bridge import explain_change
from kpi_engine.analysis.errors import AnalysisError
from kpi_engine.analysis.goal_seek import goal_seek
from kpi_engine.analysis.lint import lint
from kpi_engine.analysis.printing import expanded_formula
from kpi_engine.analysis.sensitivity import sensitivity
from kpi_engine.facts import Fact, Facts, read_facts
from kpi_engine.limits import Limits
from kpi_engine.numbers import NumberLimits, parse_number
from kpi_engine.packtests import run_test_text
from kpi_engine.periods import Period

OUT_OF_RANGE = "is out of range: numbers are read from 1E-100 to 9.99E+100 in size"
AS_TEXT = " (write it in quotes if it is meant as text)"
SPLIT = "split the formula into intermediate KPIs"
S = "inputs: {x: {rollup: sum}}\nkpis: {k: {formula: x, frequency: monthly}}\n"


def problems(text: str, name: str = "pack.yaml") -> list[str]:
    with pytest.raises(PackError) as caught:
        Pack.from_texts({name: text}, bases={})
    return [str(problem) for problem in caught.value.problems]


def pack_of(formula: str, inputs: str = "x") -> Pack:
    declared = ", ".join(f"{name}: {{rollup: sum}}" for name in inputs.split(","))
    return Pack.from_texts({"pack.yaml": f"inputs: {{{declared}}}\nkpis:\n  k: {{formula: '{formula}', frequency: monthly}}\n"}, bases={})


# --- case 8: line breaks YAML knows and str.splitlines does not agree on ------------------------------------
@pytest.mark.parametrize("newline", ["\r", "\x85", "\u2028", "\u2029", "\r\n"], ids=["CR", "NEL", "LS", "PS", "CRLF"])
def test_a_syntax_error_in_yaml_with_any_line_break_is_located(newline):
    text = newline.join(["inputs:", "  x: {rollup: sum}", "kpis:", "  k: {formula: x, frequency: [monthly}", ""])
    (problem,) = problems(text)
    assert problem.splitlines()[0] == "pack.yaml:4:30: line 4: the '[' opened here is not closed where expected (found '}' at line 4); close it with ']'"
    assert problem.splitlines()[1] == "      k: {formula: x, frequency: [monthly}"


@pytest.mark.parametrize("newline", ["\r", "\x85", "\u2028"], ids=["CR", "NEL", "LS"])
def test_a_valid_pack_with_other_line_breaks_gets_the_right_locations(newline):
    text = newline.join(["inputs:", "  x: {rollup: sum}", "kpis:", "  k: {formula: x + y, frequency: monthly}", ""])
    assert problems(text) == ["pack.yaml:4:20: KPI 'k': formula: unknown name 'y'\n      k: {formula: x + y, frequency: monthly}\n                       ^"]


@pytest.mark.parametrize(
    ("newline", "problem"),
    [
        ("\r", "pack.yaml:8:11: KPI 'k': formula: unknown name 'y'\n            + y\n              ^"),
        ("\x85", "pack.yaml:8:11: KPI 'k': formula: unknown name 'y'\n            + y\n              ^"),
        # YAML keeps a line separator inside a block scalar as a character of its text
        ("\u2028", "pack.yaml:8:9: kpis.k.formula: unexpected character '\\u2028'\n            + y\n            ^"),
    ],
    ids=["CR", "NEL", "LS"],
)
def test_a_block_formula_with_other_line_breaks_is_located_inside(newline, problem):
    text = newline.join(["inputs:", "  x: {rollup: sum}", "kpis:", "  k:", "    frequency: monthly", "    formula: |", "      x", "        + y", ""])
    assert problems(text) == [problem]


# --- case 9: integers beyond Python's 4,300-digit conversion limit -----------------------------------------
HUGE = "9" * 5000
HUGE_SHOWN = "'99999999999999999999...9999999999' is 5000 characters long: too long to be a number the engine reads"


def test_a_huge_integer_in_a_yaml_pack_is_a_located_problem():
    assert problems(S.replace("rollup: sum", f"rollup: sum, max: {HUGE}")) == [f"pack.yaml:1:32: {HUGE_SHOWN} (write it in quotes if it is meant as text)"]


def test_a_huge_integer_in_a_json_pack_is_a_located_problem():
    text = '{"inputs": {"x": {"rollup": "sum", "min": ' + HUGE + '}}, "kpis": {"k": {"formula": "x", "frequency": "monthly"}}}'
    assert problems(text, "pack.json") == [f"pack.json:1:43: {HUGE_SHOWN} (write it in quotes if it is meant as text)"]


def test_a_huge_integer_in_a_pack_test_is_a_located_problem():
    text = f'tests:\n  - name: t\n    facts: {{"2025-01": {{x: 1}}}}\n    expect:\n      - {{kpi: k, period: "2025-01", value: {HUGE}}}\n'
    report = run_test_text(Pack.from_texts({"pack.yaml": S}, bases={}), text, "k.test.yaml")
    assert [str(p) for p in report.problems] == [f"k.test.yaml:5:44: {HUGE_SHOWN} (write it in quotes if it is meant as text)"]


# --- case 13: pack-test expectations beyond what `decimal` holds -----------------------------------------------
@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("1.0e-99999999999999999999", f"k.test.yaml:5:44: '1.0e-99999999999999999999' {OUT_OF_RANGE}{AS_TEXT}"),
        ("1.0e-999999999", f"k.test.yaml:5:44: '1.0e-999999999' {OUT_OF_RANGE}{AS_TEXT}"),
    ],
)
def test_an_expectation_out_of_range_is_a_located_problem(written, message):
    text = f'tests:\n  - name: t\n    facts: {{"2025-01": {{x: 1}}}}\n    expect:\n      - {{kpi: k, period: "2025-01", value: {written}}}\n'
    report = run_test_text(Pack.from_texts({"pack.yaml": S}, bases={}), text, "k.test.yaml")
    assert [str(p) for p in report.problems] == [message]


def test_an_expectation_out_of_range_written_as_text_is_a_located_failure():
    text = 'tests:\n  - name: t\n    facts: {"2025-01": {x: 1}}\n    expect:\n      - {kpi: k, period: "2025-01", value: "1e-99999999999999999999"}\n'
    report = run_test_text(Pack.from_texts({"pack.yaml": S}, bases={}), text, "k.test.yaml")
    assert [str(f) for f in report.failures] == [
        "k.test.yaml:5:44: test 't': k at 2025-01: value expected '1e-99999999999999999999', which is neither a number nor 'undefined'"
    ]


# --- the number policy itself --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1e999999999", f"'1e999999999' {OUT_OF_RANGE}"),
        ("0e-999999999", f"'0e-999999999' {OUT_OF_RANGE}"),
        ("1.0e-99999999999999999999", f"'1.0e-99999999999999999999' {OUT_OF_RANGE}"),
        ("12345678901234567890123456789", "'12345678901234567890123456789' has 29 digits; at most 28 are read, the precision the engine computes with"),
        ("1" * 300, "'11111111111111111111...1111111111' is 300 characters long: too long to be a number the engine reads"),
        ("Infinity", "'Infinity' is not a number"),
    ],
)
def test_parse_number_follows_the_number_policy(text, message):
    with pytest.raises(ValueError) as caught:
        parse_number(text)
    assert str(caught.value) == message


def test_the_number_policy_accepts_its_bounds_and_the_engine_s_own_results():
    policy = NumberLimits()
    for text in ("9.99e100", "1e-100", "0.3333333333333333333333333333", "-1 234,56", "7,5 %"):
        assert parse_number(text, decimal_comma=True) if "," in text else parse_number(text)
    assert policy.checked(Decimal("1E+100")) == Decimal("1E+100")
    assert NumberLimits(max_exponent=3).read_decimal("999") == 999
    with pytest.raises(ValueError, match=r"from 1E-3 to 9\.99E\+3"):
        NumberLimits(max_exponent=3).read_decimal("12345")


# --- case 11: the ends of the calendar --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "end"), [("9999-12", "9999-12-31"), ("9999", "9999-12-31"), ("9999-Q4", "9999-12-31"), ("9999-W51", "9999-12-26"), ("9999-12-31", "9999-12-31")]
)
def test_the_last_periods_of_the_calendar_have_an_end(text, end):
    period = Period.parse(text)
    assert str(period.end) == end
    assert period.sort_key()[0].isoformat() == end


def test_a_week_ending_after_the_calendar_is_refused_with_a_reason():
    with pytest.raises(ValueError) as caught:
        Period.parse("9999-W52")
    assert str(caught.value) == "'9999-W52' ends after 9999-12-31, the last day periods can reach"


def test_kpis_in_year_9999_evaluate():
    text = "inputs: {x: {rollup: sum}}\nkpis:\n  t: {formula: x, frequency: quarterly}\n  a: {formula: x, frequency: yearly}\n"
    pack = Pack.from_texts({"p.yaml": text}, bases={})
    evaluation = pack.evaluate(Facts.from_records([(None, "x", f"9999-{month:02d}", Decimal(month)) for month in range(1, 13)]))
    values = {(r.kpi, str(r.period)): r.value for r in evaluation.results}
    assert values[("t", "9999-Q4")] == 33
    assert values[("a", "9999")] == 78


@pytest.mark.parametrize(("frequency", "period"), [("daily", "0001-01-05"), ("weekly", "0001-W01")])
def test_year_ago_in_year_1_is_undefined_with_a_reason(frequency, period):
    pack = Pack.from_texts({"p.yaml": f"inputs: {{x: {{rollup: sum}}}}\nkpis:\n  k: {{formula: year_ago(x), frequency: {frequency}}}\n"}, bases={})
    evaluation = pack.evaluate(Facts.from_records([(None, "x", f"0001-01-{day:02d}", Decimal(day)) for day in range(1, 15)]))
    result = next(r for r in evaluation.results if str(r.period) == period)
    assert result.value is None
    first = period if frequency == "weekly" else "0001-01-01"
    assert result.error == f"a {frequency} period before year 1 is before the first period of data (data starts at {first})"


# --- case 18: nested time functions are memoised per period, so they cost linear time -------------------------
@pytest.mark.parametrize(("levels", "days"), [(2, 2_100), (3, 3_000)])
def test_nested_rolling_sums_over_years_of_days_finish(levels, days):
    """The issue's cases (40 s for two levels, three never finished): every value, each window full of ones."""
    formula = "x"
    for _ in range(levels):
        formula = f"rolling_sum({formula}, 1000)"
    pack = Pack.from_texts({"p.yaml": f"inputs: {{x: {{rollup: sum}}}}\nkpis:\n  k: {{formula: '{formula}', frequency: daily}}\n"}, bases={})
    first = date(2015, 1, 1)
    evaluation = pack.evaluate(Facts.from_records([(None, "x", (first + timedelta(day)).isoformat(), 1) for day in range(days)]))
    values = [result.value for result in evaluation.results]
    full = levels * 999  # the first day whose innermost windows all lie within the data
    assert len(values) == days
    assert values[:full] == [None] * full
    assert values[full:] == [Decimal(1000) ** levels] * (days - full)


# --- cases 14 and 21: analyses answer "too complex" within a budget ------------------------------------------
FACTS = Facts.from_records([(None, "x", "2025-01", Decimal(2)), (None, "x", "2025-02", Decimal(3))])
JANUARY, FEBRUARY = Period.parse("2025-01"), Period.parse("2025-02")
POWER_TOO_LARGE = "10 ^ 5000 is too complex to analyse: its exponent 5000 is beyond 1000, the limit of exact analysis"


@pytest.mark.parametrize(
    "question",
    [
        lambda pack: goal_seek(pack, FACTS, "k", "x", JANUARY, target=Decimal(5)),
        lambda pack: sensitivity(pack, FACTS, "k", JANUARY),
        lambda pack: expanded_formula(pack, "k"),
        lambda pack: explain_change(pack, FACTS, "k", JANUARY, FEBRUARY),
    ],
    ids=["solve", "sensitivity", "explain --expanded", "explain-change"],
)
def test_a_power_too_large_to_build_is_refused_before_it_is_built(question):
    with pytest.raises(AnalysisError) as caught:
        question(pack_of("x * 10 ^ 5000"))
    assert caught.value.reason == POWER_TOO_LARGE


@pytest.mark.parametrize(
    ("formula", "reason"),
    [
        ("x * 10 ^ 5000", POWER_TOO_LARGE),
        ("x + 10 ^ 10 ^ 10", "10 ^ (10 ^ 10) is too complex to analyse: its exponent 10000000000 is beyond 1000, the limit of exact analysis"),
        ("x ^ 1000000", "x ^ 1000000 is too complex to analyse: its exponent 1000000 is beyond 1000, the limit of exact analysis"),
        ("x * 123456789 ^ 200", "123456789 ^ 200 is too complex to analyse: it has about 1,618 digits, beyond 1000, the limit of exact analysis"),
    ],
)
def test_lint_reports_a_kpi_too_complex_to_analyse_as_a_warning(formula, reason):
    (warning,) = lint(pack_of(formula))
    assert str(warning).splitlines()[0] == f"pack.yaml:3:17: warning: KPI 'k' is not linted: {reason}"


def test_explain_change_on_a_product_of_sums_is_refused_by_its_size():
    factors = " * ".join(f"(x{i} + y{i})" for i in range(12))
    pack = pack_of(factors, ",".join(f"x{i},y{i}" for i in range(12)))
    facts = Facts.from_records([(None, f"{n}{i}", m, Decimal(i + v)) for i in range(12) for n in "xy" for m, v in (("2025-01", 1), ("2025-02", 2))])
    with pytest.raises(AnalysisError) as caught:
        explain_change(pack, facts, "k", JANUARY, FEBRUARY)
    assert caught.value.reason == f"the change of k is too complex: it multiplies out into 4,096 terms, beyond the limit of 2000; {SPLIT}"
    assert caught.value.text("fr") == (
        "la variation de k est trop complexe : son développement compte 4\u202f096 termes, au-delà de la limite de 2000 ; "
        "découpez la formule en indicateurs intermédiaires"
    )


def test_a_goal_seek_answer_beyond_the_range_of_numbers_is_refused_with_a_reason():
    with pytest.raises(AnalysisError) as caught:
        goal_seek(pack_of("x * 10 ^ -99"), FACTS, "k", "x", JANUARY, target=Decimal("1E+60"))
    assert caught.value.reason == "the exact answer is beyond the numbers the engine computes with, from 1E-100 to 9.99E+100 in size"
    assert caught.value.text("fr") == "la réponse exacte sort des nombres que le moteur calcule, de 1E-100 à 9,99E+100 en valeur absolue"


def test_an_analysis_past_its_time_budget_answers_too_complex():
    pack = pack_of("x ^ 999 + x ^ 998 + x ^ 3")
    with pytest.raises(AnalysisError) as caught:
        goal_seek(pack, FACTS, "k", "x", JANUARY, target=Decimal(5), limits=Limits(analysis_seconds=0.2))
    assert caught.value.reason == f"solving k for x is too complex: no answer within 0.2 s; {SPLIT} or ask about fewer variables"


def test_lint_past_its_time_budget_keeps_its_warnings_and_says_where_it_stopped():
    pack = pack_of(" * ".join(f"(x{i} + y{i})" for i in range(12)), ",".join(f"x{i},y{i}" for i in range(12)))
    (warning,) = lint(pack, limits=Limits(analysis_seconds=0.2))
    assert str(warning).splitlines()[0] == (
        "pack.yaml:3:17: warning: lint stopped at KPI 'k', the KPIs after it are not linted: "
        f"lint is too complex: no answer within 0.2 s; {SPLIT} or ask about fewer variables"
    )


def test_the_time_budget_never_expires_inside_a_garbage_collector_callback(monkeypatch):
    """It raised there now and then (hypothesis times the collector with one): Python printed "Exception ignored
    in gc_callback" and dropped it. Here a slow callback and a collection every 50 allocations make it certain."""

    def slow_callback(_phase: str, _info: dict[str, int]) -> None:
        end = time.process_time() + 0.01
        while time.process_time() < end:
            pass

    lost: list[type[BaseException]] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda unraisable: lost.append(unraisable.exc_type))
    threshold = gc.get_threshold()
    gc.callbacks.append(slow_callback)
    gc.set_threshold(50)
    try:
        pack = pack_of(" * ".join(f"(x{i} + y{i})" for i in range(12)), ",".join(f"x{i},y{i}" for i in range(12)))
        (warning,) = lint(pack, limits=Limits(analysis_seconds=0.2))
    finally:
        gc.callbacks.remove(slow_callback)
        gc.set_threshold(*threshold)
    assert "lint is too complex: no answer within 0.2 s" in str(warning)
    assert lost == []


def test_the_analysis_commands_answer_too_complex_with_their_usual_exit_codes(tmp_path):
    from click.testing import CliRunner

    from kpi_engine.cli import main
    from kpi_engine.cli.analysis import EXIT_NO_ANSWER, lint_command, solve_command

    for command in (solve_command, lint_command):
        main.commands.setdefault(command.name or "", command)
    (tmp_path / "pack.yaml").write_text("inputs: {x: {rollup: sum}}\nkpis:\n  k: {formula: 'x + 10 ^ 10 ^ 10', frequency: monthly}\n", encoding="utf-8")
    (tmp_path / "facts.csv").write_text("period,name,value\n2025-01,x,2\n", encoding="utf-8")
    facts = str(tmp_path / "facts.csv")
    solve = ["solve", str(tmp_path), "k", "--vary", "x", "--facts", facts, "--period", "2025-01", "--target", "5"]
    solved = CliRunner().invoke(main, [*solve, "--lang", "en"])
    assert solved.exit_code == EXIT_NO_ANSWER
    assert "no answer: 10 ^ (10 ^ 10) is too complex to analyse: its exponent 10000000000 is beyond 1000, the limit of exact analysis" in solved.output
    resolu = CliRunner().invoke(main, solve)
    assert resolu.exit_code == EXIT_NO_ANSWER
    refused = "10 ^ (10 ^ 10) est trop complexe à analyser : son exposant 10000000000 dépasse 1000, la limite de l'analyse exacte"
    assert f"pas de réponse : {refused}" in resolu.output
    explained = CliRunner().invoke(main, ["explain", str(tmp_path), "k", "--facts", facts, "--period", "2025-01", "--expanded", "text"])
    assert explained.exit_code == EXIT_NO_ANSWER
    assert "pas de réponse : 10 ^ (10 ^ 10) est trop complexe à analyser" in explained.output
    linted = CliRunner().invoke(main, ["lint", str(tmp_path), "--lang", "en"])
    assert linted.exit_code == 1
    assert "warning: KPI 'k' is not linted: 10 ^ (10 ^ 10) is too complex to analyse" in linted.output
    analyse = CliRunner().invoke(main, ["lint", str(tmp_path)])
    assert analyse.exit_code == 1
    assert "l'indicateur 'k' n'est pas analysé : 10 ^ (10 ^ 10) est trop complexe à analyser" in analyse.output


# --- the number policy of the Limits given is the one the YAML loader applies, from files or from texts ------
def test_a_pack_read_from_files_or_texts_follows_the_number_policy_of_its_limits(tmp_path):
    from kpi_engine.loader import load_pack

    text = "inputs: {x: {rollup: sum, max: 12345}}\nkpis:\n  k: {formula: x, frequency: monthly}\n"
    (tmp_path / "pack.yaml").write_text(text, encoding="utf-8")
    tight = Limits(numbers=NumberLimits(max_exponent=3))
    for read in (lambda: load_pack(tmp_path, tight), lambda: Pack.from_texts({"pack.yaml": text}, tight, bases={})):
        with pytest.raises(PackError) as caught:
            read()
        (problem,) = caught.value.problems
        assert (problem.location.line, problem.location.column) == (1, 32)
        assert "'12345' is out of range: numbers are read from 1E-3 to 9.99E+3 in size" in problem.message
    assert load_pack(tmp_path).kpis["k"].name == "k"


# --- cases 4 and 16: facts follow the number policy, whatever the reader or the type of the number -------------
@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (Decimal("Infinity"), "'Infinity' is not a finite number"),
        (Decimal("NaN"), "'NaN' is not a finite number"),
        ("1e999999999", f"'1e999999999' {OUT_OF_RANGE}"),
        (10**30 + 1, f"'{10**30 + 1}' has 31 digits; at most 28 are read, the precision the engine computes with"),
    ],
)
def test_facts_from_records_refuse_a_number_outside_the_policy_at_its_record(value, reason):
    records = [(None, "x", "2025-01", Decimal(1)), (None, "x", "2025-02", value)]
    with pytest.raises(FactsError) as caught:
        Facts.from_records(records)
    (problem,) = caught.value.problems
    assert str(problem) == f"<records>:2: record 2: {reason}"


def test_facts_from_records_check_the_value_of_a_fact_given_whole():
    with pytest.raises(FactsError) as caught:
        Facts.from_records([Fact(None, "x", JANUARY, Decimal("-Infinity"))])
    assert str(caught.value.problems[0]) == "<records>:1: record 1: '-Infinity' is not a finite number"


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("facts.csv", "period,name,value\n2025-01,x,1e999999999\n", "facts.csv:2"),
        ("facts.json", '{"2025-01": {"x": 1e999999999}}', "facts.json:1:19"),
    ],
)
def test_facts_read_from_a_file_refuse_a_number_out_of_range_at_its_place(name, text, where):
    result = read_facts(text.encode("utf-8"), name)
    (problem,) = result.errors
    assert str(problem) == f"{where}: 'x' for 2025-01: '1e999999999' {OUT_OF_RANGE}"


# --- cases 2 and 3: a result out of the number policy's range is undefined where it arises ---------------------
# (the formula-level cases, Kleene logic, coalesce, if, comparisons and min/max, are in tests/data/formulas.yaml)
TOO_LARGE = "cannot be computed: the result is too large"
TOO_SMALL = "power cannot be computed: the result is too small (under 1E-100 in size), not rounded to 0"


def test_an_overflow_on_the_undecided_side_of_or_lets_the_alert_fire_as_a_division_by_zero_does():
    text = (
        "inputs: {x: {rollup: sum}, y: {rollup: sum}}\nkpis:\n  k:\n    formula: x\n    frequency: monthly\n    alerts:\n"
        "      - {when: 'y * 10^999999 * 10^999999 > 1 or value > 0', severity: warning, message: overflow, inhibit: false}\n"
        "      - {when: 'y / 0 > 1 or value > 0', severity: warning, message: by zero, inhibit: false}\n"
    )
    pack = Pack.from_texts({"pack.yaml": text}, bases={})
    evaluation = pack.evaluate(Facts.from_records([(None, "x", "2025-01", Decimal(1)), (None, "y", "2025-01", Decimal(1))]))
    assert sorted(alert.message for alert in evaluation.alerts) == ["by zero", "overflow"]


ONE_MONTH = Facts.from_records([(None, "x", "2025-01", Decimal(2))])


def test_coalesce_falls_back_on_an_overflow_as_on_a_division_by_zero():
    for formula in ("coalesce(x * 10 ^ 999999, 7)", "coalesce(x / 0, 7)", "coalesce(x * 0.5 ^ 10 ^ 10, 7)"):
        (result,) = pack_of(formula).evaluate(ONE_MONTH).results
        assert result.value == 7, formula


@pytest.mark.parametrize(
    ("formula", "english", "french"),
    [
        ("x * 10 ^ 60 * 10 ^ 60", TOO_LARGE, "incalculable : le résultat est trop grand"),
        ("x * 0.5 ^ 10 ^ 10", TOO_SMALL, "puissance incalculable : le résultat est trop petit (moins de 1E-100 en valeur absolue), non arrondi à 0"),
        ("if(0.1 ^ 999999 * 0.1 ^ 999999 == 0, 1, 0)", TOO_SMALL, None),
    ],
)
def test_a_result_out_of_range_is_undefined_with_its_reason_in_both_languages(formula, english, french):
    (result,) = pack_of(formula).evaluate(ONE_MONTH).results
    assert (result.value, result.error) == (None, english)
    if french:
        assert result.cause is not None and result.cause.text("fr") == french


def test_a_roll_up_beyond_the_range_is_undefined_and_the_months_keep_their_values():
    text = "inputs: {x: {rollup: sum}}\nkpis:\n  m: {formula: x, frequency: monthly}\n  q: {formula: x, frequency: quarterly}\n"
    big = Decimal("9E+100")
    evaluation = Pack.from_texts({"pack.yaml": text}, bases={}).evaluate(Facts.from_records([(None, "x", f"2025-0{m}", big) for m in (1, 2, 3)]))
    values = {(r.kpi, str(r.period)): (r.value, r.error) for r in evaluation.results}
    assert values[("m", "2025-03")] == (big, None)
    assert values[("q", "2025-Q1")] == (None, TOO_LARGE)


def test_a_gap_beyond_the_range_is_not_shown_and_the_status_still_is():
    text = "inputs: {x: {rollup: sum}}\nkpis:\n  k: {formula: x, frequency: monthly, target: '-9 * 10 ^ 100', direction: higher_is_better}\n"
    evaluation = Pack.from_texts({"pack.yaml": text}, bases={}).evaluate(Facts.from_records([(None, "x", "2025-01", Decimal("9E+100"))]))
    (result,) = evaluation.results
    assert (result.value, result.target, result.gap, result.status) == (Decimal("9E+100"), Decimal("-9E+100"), None, "met")


EXTREMES = (
    "inputs: {x: {rollup: sum}, y: {rollup: sum}}\nkpis:\n"
    "  big: {formula: x, frequency: monthly, target: '-9.99 * 10 ^ 100', direction: higher_is_better}\n"
    "  tiny: {formula: y / 10 ^ 27, frequency: monthly}\n"
    "  over: {formula: x * 10, frequency: monthly}\n"
    "  under: {formula: 'x * 0.5 ^ 10 ^ 10', frequency: monthly}\n"
)
EXTREME_FACTS = "period,name,value\n2025-01,x,9.99e100\n2025-01,y,-1.234567890123456789012345678e-73\n"


@pytest.mark.parametrize(
    "command",
    [
        ["evaluate", "--format", "table"],
        ["evaluate", "--format", "json"],
        ["evaluate", "--format", "jsonl"],
        ["evaluate", "--format", "csv"],
        ["evaluate", "--format", "csv", "--lang", "en"],
        ["report", "--format", "markdown", "-o", "-"],
        ["report", "--format", "html", "-o", "-"],
    ],
    ids=lambda command: "-".join(command[:3]),
)
def test_no_output_format_writes_a_value_longer_than_the_number_policy_allows(tmp_path, command):
    """The largest and the most precise smallest results print whole (no exponent), within the policy's text length."""
    from click.testing import CliRunner

    from kpi_engine.cli import main

    (tmp_path / "pack.yaml").write_text(EXTREMES, encoding="utf-8")
    (tmp_path / "facts.csv").write_text(EXTREME_FACTS, encoding="utf-8")
    run = CliRunner().invoke(main, [command[0], str(tmp_path), "--facts", str(tmp_path / "facts.csv"), *command[1:]])
    assert run.exit_code == 0, run.output
    longest = max(len(number) for number in re.findall(r"\d(?:[.,\u202f\u00a0 ]?\d)*", run.output))
    assert 100 <= longest <= 4 * NumberLimits().max_text_length // 3  # thousands separators add a third at most


# --- case 7: line breaks and cell sizes a CSV reader must survive -------------------------------------------------
def test_a_cell_over_the_limit_is_refused_at_its_line_and_the_rest_of_the_file_is_read():
    text = (
        "period,name,value\n2025-01,x,1\n"
        f"2025-02,x,{'1' * 200_000}\n"  # beyond the csv module's own limit (131,072), which raised csv.Error
        f'2025-03,x,"{"a" * 10_001}"\n'  # beyond ours
        f'2025-04,x,"{"a" * 10_000}"\n'  # at ours: read, and refused as no number
        "2025-05,x,5\n"
    )
    result = read_facts(text.encode("utf-8"), "facts.csv")
    refused = "a cell longer than 10000 characters starts on this line: refused, and the rest of the file is read"
    hint = " (a cell holds a period, an entity, a name or a number; is a quote left open?)"
    assert [str(p) for p in result.errors[:2]] == [f"facts.csv:3: {refused}{hint}", f"facts.csv:4: {refused}{hint}"]
    assert str(result.errors[2]).startswith("facts.csv:5: 'x' for 2025-04: 'aaaa")
    assert len(result.errors) == 3
    assert result.errors[0].text("fr") == (
        "facts.csv:3: une cellule de plus de 10 000 caractères commence à cette ligne : refusée, le reste du fichier est lu"
        " (une cellule contient une période, une entité, un nom ou un nombre ; un guillemet est-il resté ouvert ?)"
    )
    assert sorted((str(f.period), f.value) for f in result.facts.facts()) == [("2025-01", 1), ("2025-05", 5)]


def test_an_unclosed_quote_is_refused_at_the_line_it_opens_on():
    text = 'period,name,value\n2025-01,x,"1\n' + "2025-02,x,2\n" * 2000
    result = read_facts(text.encode("utf-8"), "facts.csv")
    assert [p.location.line for p in result.errors] == [2]


def test_the_cell_limit_is_a_setting():
    from kpi_engine.facts.csv_reader import read_csv
    from kpi_engine.facts.source import ReadOptions

    result = read_csv(b"period,name,value\n2025-01,x,12345678\n2025-02,x,2\n", "facts.csv", ReadOptions(limits=Limits(max_cell_length=7)))
    assert [str(p).split(": ")[1] for p in result.errors] == ["a cell longer than 7 characters starts on this line"]
    assert [f.value for f in result.facts.facts()] == [2]


@pytest.mark.parametrize(
    "text", ["period,name,value\r2025-01,x,1\r2025-02,x,2\r", "period,name,value\n2025-01,x,1\n2025-02,x\r,2\n"], ids=["CR-only", "bare CR"]
)
def test_cr_only_line_ends_and_a_bare_cr_in_a_cell_are_read(text):
    result = read_facts(text.encode("utf-8"), "facts.csv")
    assert not result.problems
    assert sorted((str(f.period), f.value) for f in result.facts.facts()) == [("2025-01", 1), ("2025-02", 2)]


# --- case 19: names no input reads are warned about in bounded work and lines -------------------------------------
def test_the_first_twenty_unknown_columns_get_a_hint_and_the_others_one_line():
    header = ",".join(f"colonne_{i:03d}" for i in range(1_000))
    text = f"period,x,{header}\n2025-01,1,{','.join('1' for _ in range(1_000))}\n"
    facts = read_facts(text.encode("utf-8"), "wide.csv").facts
    warnings = pack_of("x").fact_warnings(facts)
    assert len(warnings) == 21
    assert str(warnings[0]) == "wide.csv:2: warning: 'colonne_000' is not an input of the pack, ignored"
    assert str(warnings[20]) == (
        "wide.csv:2: warning: 980 more names are not inputs of the pack, ignored: "
        "'colonne_020', 'colonne_021', 'colonne_022', 'colonne_023', 'colonne_024' and 975 more"
    )
    assert warnings[20].text("fr") == (
        "wide.csv:2: attention : 980 autres noms ne sont pas des données d'entrée du pack : ignorés : "
        "« colonne_020 », « colonne_021 », « colonne_022 », « colonne_023 », « colonne_024 » et 975 autres"
    )
