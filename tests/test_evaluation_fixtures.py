"""Evaluation semantics as data: every case of `tests/data/evaluation/*.yaml`, on every backend present.

One test, parametrised over `kpi_engine.backends.available()` x every case of
every fixture file (ids like `python-rollups-quarter_incomplete`), so a new
backend is judged by exactly the cases the Python one passes. The fixture
format is described in `tests/data/evaluation/README.md`; this module loads
it, refusing unknown keys (a misspelt expectation would otherwise assert
nothing), evaluates, and compares.

Values compare exactly. A case may allow a relative `tolerance` for backends
that divide with a fixed number of decimal places (SQL); the Python backend
is always held to exact equality.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from kpi_engine import Evaluation, Facts, Pack, backends, read_facts_text
from kpi_engine.errors import PackError
from kpi_engine.reasons import Reason

FIXTURES = Path(__file__).parent / "data" / "evaluation"
UNDEFINED = "undefined"
EXACT_BACKENDS = frozenset({"python"})  # the reference: never granted a tolerance
LANGS = ("en", "fr")

FILE_KEYS = {"packs", "facts", "cases"}
CASE_KEYS = {
    "id", "about", "pack", "facts", "select", "as_of", "tolerance", "refused",
    "results", "results_only", "absent_results", "alerts", "alerts_only", "absent_alerts",
}
EXPECTATION_KEYS = {"results", "absent_results", "alerts", "absent_alerts"}
RESULT_KEYS = {"kpi", "period", "entity", "value", "target", "gap", "status", "owner", "reason", "cause", "is_group"}
ALERT_KEYS = {"kpi", "period", "entity", "severity", "message", "owner", "value", "rule", "inhibited", "silenced"}
NUMBER_FIELDS = {"value", "target", "gap"}
ONLY_CHOICES = (False, True, "ordered")


class _FixtureLoader(yaml.SafeLoader):
    """Safe YAML whose decimal numbers are read as exact Decimals, never floats."""


def _decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    return Decimal(loader.construct_scalar(node).replace("_", ""))


_FixtureLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


# --- loading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One fixture case, its pack and facts resolved to texts and records."""

    topic: str
    spec: Mapping[str, Any]
    pack_text: str
    facts_parts: tuple[Any, ...]  # records (tuples) and CSV texts

    @property
    def name(self) -> str:
        return f"{self.topic}-{self.spec['id']}"


def load_cases(folder: Path = FIXTURES) -> list[Case]:
    """Every case of every fixture file, in file then case order; ValueError on a malformed file."""
    cases: list[Case] = []
    for path in sorted(folder.glob("*.yaml")):
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_FixtureLoader)  # noqa: S506 - _FixtureLoader is a SafeLoader subclass
        cases.extend(cases_of(path.stem, document))
    return cases


def cases_of(topic: str, document: Mapping[str, Any]) -> Iterator[Case]:
    """The cases of one fixture file (`topic` is the file's stem), checked for unknown keys and duplicate ids."""
    _check_keys(f"{topic}.yaml", document, FILE_KEYS)
    packs, fact_sets, seen = document.get("packs", {}), document.get("facts", {}), set()
    for spec in document["cases"]:
        where = f"{topic}.yaml, case {spec.get('id', '?')}"
        _check_case(where, spec)
        if spec["id"] in seen:
            raise ValueError(f"{where}: duplicate id")
        seen.add(spec["id"])
        pack_text = packs.get(spec["pack"], spec["pack"])
        yield Case(topic, spec, pack_text, tuple(_facts_parts(spec.get("facts", []), fact_sets, where)))


def _check_case(where: str, spec: Mapping[str, Any]) -> None:
    _check_keys(where, spec, CASE_KEYS)
    for required in ("id", "pack"):
        if required not in spec:
            raise ValueError(f"{where}: '{required}' is required")
    if not EXPECTATION_KEYS & set(spec):
        raise ValueError(f"{where}: a case must expect something ({', '.join(sorted(EXPECTATION_KEYS))})")
    for name in spec.get("refused", {}):
        if name == "python" or name not in backends.BACKENDS:
            raise ValueError(f"{where}: refused names a backend other than python ({', '.join(sorted(set(backends.BACKENDS) - {'python'}))}), not {name!r}")
    for key in ("results_only", "alerts_only"):
        if spec.get(key, False) not in ONLY_CHOICES:
            raise ValueError(f"{where}: {key} must be false, true or ordered")
    for expected in spec.get("results", []) + spec.get("absent_results", []):
        _check_keys(where, expected, RESULT_KEYS)
    for expected in spec.get("alerts", []) + spec.get("absent_alerts", []):
        _check_keys(where, expected, ALERT_KEYS)


def _check_keys(where: str, mapping: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = set(mapping) - allowed
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(allowed))}")


def _facts_parts(facts: Any, fact_sets: Mapping[str, Any], where: str) -> Iterator[Any]:
    """Records and CSV texts: a list item is a record, a fact set's name (expanded) or a CSV text."""
    for item in facts if isinstance(facts, list) else [facts]:
        if isinstance(item, list):
            if len(item) not in (4, 5):
                raise ValueError(f"{where}: a fact is [entity, input, period, value] or [entity, input, period, value, scenario], not {item!r}")
            yield tuple(item)
        elif item in fact_sets:
            yield from _facts_parts(fact_sets[item], fact_sets, where)
        elif isinstance(item, str) and "\n" in item:
            yield item
        else:
            raise ValueError(f"{where}: {item!r} is neither a fact, a fact set of this file nor a CSV text")


# --- evaluating and reading --------------------------------------------------------------


@cache
def _pack(text: str) -> Pack:
    return Pack.from_texts({"pack.yaml": text})


def build_facts(case: Case) -> Facts:
    """The case's facts: its records, merged with its CSV texts."""
    facts = Facts.from_records(part for part in case.facts_parts if isinstance(part, tuple))
    for text in (part for part in case.facts_parts if isinstance(part, str)):
        problems = facts.merge(read_facts_text(text, "facts.csv"))
        assert not problems, problems
    return facts


def evaluate(case: Case, backend: str, lang: str) -> Evaluation:
    select = case.spec.get("select", {})
    chosen = {"entity": select["entity"]} if "entity" in select else {}
    period = select.get("period")
    as_of = case.spec.get("as_of")
    return _pack(case.pack_text).evaluate(
        build_facts(case), period=None if period is None else str(period), lang=lang, backend=backend,
        as_of=None if as_of is None else str(as_of), **chosen,
    )


def read_results(evaluation: Evaluation) -> list[dict[str, Any]]:
    """The results as plain fields: the one place that reads a `Result`."""
    return [
        {
            "kpi": r.kpi, "period": str(r.period), "entity": r.entity, "value": r.value, "target": r.target,
            "gap": r.gap, "status": r.status, "owner": r.owner, "is_group": r.is_group,
            "reason": {"en": r.error, "fr": r.reason("fr") or None}, "cause": _reason_data(r.cause),
        }
        for r in evaluation.results
    ]


def read_alerts(evaluation: Evaluation) -> list[dict[str, Any]]:
    """The fired alerts as plain fields, the message in every language: the one place that reads an `Alert`."""
    return [
        {
            "kpi": a.kpi, "period": str(a.period), "entity": a.entity, "severity": a.severity,
            "owner": a.owner, "value": a.value, "message": {lang: a.text(lang) for lang in LANGS},
            "rule": a.rule_id, "inhibited": a.inhibited_by is not None, "silenced": a.silenced,
        }
        for a in evaluation.alerts
    ]


def _reason_data(reason: Reason | None) -> dict[str, Any] | None:
    """A reason as {code, params}, parameters as text (nested reasons as the same shape)."""
    if reason is None:
        return None
    params = {k: _reason_data(v) if isinstance(v, Reason) else None if v is None else str(v) for k, v in reason.params}
    return {"code": reason.code, "params": params}


# --- comparing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """How a backend's numbers are compared: exactly, or within a relative tolerance."""

    tolerance: Decimal | None

    def number(self, expected: Any, actual: Decimal | None) -> bool:
        if expected == UNDEFINED:
            return actual is None
        if actual is None:
            return False
        wanted = Decimal(str(expected))
        if self.tolerance is None:
            return actual == wanted
        return abs(actual - wanted) <= self.tolerance * abs(wanted)

    def field(self, key: str, expected: Any, actual: Any) -> bool:
        if key in NUMBER_FIELDS:
            return self.number(expected, actual)
        if key in ("reason", "message"):
            wanted = expected if isinstance(expected, dict) else {"en": expected}
            return all(bool(actual[lang] == text) for lang, text in wanted.items())
        if key == "cause":
            return bool(actual == _as_reason_data(expected))
        if key == "period":
            return bool(actual == str(expected))
        return bool(actual == expected)

    def matches(self, expected: Mapping[str, Any], actual: Mapping[str, Any]) -> bool:
        return all(self.field(key, wanted, actual[key]) for key, wanted in expected.items())


def _as_reason_data(expected: Mapping[str, Any]) -> dict[str, Any]:
    params = {
        k: _as_reason_data(v) if isinstance(v, dict) else None if v is None else str(v)
        for k, v in expected.get("params", {}).items()
    }
    return {"code": expected["code"], "params": params}


def comparison_for(case: Case, backend: str) -> Comparison:
    tolerance = case.spec.get("tolerance")
    exact = backend in EXACT_BACKENDS or tolerance is None
    return Comparison(None if exact else Decimal(str(tolerance)))


def _key(expected: Mapping[str, Any]) -> tuple[str, str, str | None]:
    return (expected["kpi"], str(expected["period"]), expected.get("entity"))


def result_mismatches(case: Case, actual: list[dict[str, Any]], compare: Comparison) -> Iterator[str]:
    """Every way the results differ from the case's expectations, as readable lines."""
    by_key = {(r["kpi"], r["period"], r["entity"]): r for r in actual}
    expected = case.spec.get("results", [])
    for wanted in expected:
        found = by_key.get(_key(wanted))
        if found is None:
            yield f"no result for {_key(wanted)}"
            continue
        for key, value in wanted.items():
            if not compare.field(key, value, found[key]):
                yield f"{_key(wanted)}: {key} is {found[key]!r}, expected {value!r}"
    yield from _only_mismatches("results", case.spec.get("results_only", False), [_key(w) for w in expected], list(by_key))
    for absent in case.spec.get("absent_results", []):
        yield from (f"unexpected result {_key(r)} (matches {absent})" for r in actual if compare.matches(absent, r))


def alert_mismatches(case: Case, actual: list[dict[str, Any]], compare: Comparison) -> Iterator[str]:
    """Every way the fired alerts differ from the case's expectations, as readable lines."""
    expected = case.spec.get("alerts", [])
    matched: list[int] = []
    for wanted in expected:
        index = next((i for i, a in enumerate(actual) if i not in matched and compare.matches(wanted, a)), None)
        if index is None:
            yield f"no alert matches {wanted}; fired: {actual}"
        else:
            matched.append(index)
    only = case.spec.get("alerts_only", False)
    if only and len(actual) != len(expected):
        yield f"{len(actual)} alerts fired, expected exactly {len(expected)}: {actual}"
    if only == "ordered" and matched != sorted(matched):
        yield f"alerts fired in another order: {actual}"
    for absent in case.spec.get("absent_alerts", []):
        yield from (f"unexpected alert {a} (matches {absent})" for a in actual if compare.matches(absent, a))


def _only_mismatches(what: str, only: bool | str, expected: list[Any], actual: list[Any]) -> Iterator[str]:
    if only and set(actual) != set(expected):
        extra, missing = sorted(set(actual) - set(expected), key=str), sorted(set(expected) - set(actual), key=str)
        yield f"{what} are not exactly the expected ones: extra {extra}, missing {missing}"
    elif only == "ordered" and actual != expected:
        yield f"{what} in another order: {actual}"


def invariant_mismatches(actual: list[dict[str, Any]]) -> Iterator[str]:
    """What holds for every result of every case: undefined is None with a reason, never 0, and has no target or gap."""
    for r in actual:
        undefined = r["status"] == UNDEFINED
        if undefined != (r["value"] is None):
            yield f"{r['kpi']} {r['period']}: status {r['status']} with value {r['value']!r}"
        if undefined and (r["target"] is not None or r["gap"] is not None or not r["reason"]["en"]):
            yield f"{r['kpi']} {r['period']}: undefined with target {r['target']!r}, gap {r['gap']!r}, reason {r['reason']!r}"


# --- the test ----------------------------------------------------------------------------

CASES = load_cases()


# The few small cases Spark evaluates by default, so that the Spark tests stay within about 4 minutes on the loaded
# 2-core machine (starting the JVM about 80 s, each case one to two minutes): a time function and a roll-forward
# (a recursive query), both with exact arithmetic. KPI_SPARK_ALL=1 runs every case on Spark.
SPARK_BY_DEFAULT = frozenset({"time_functions-prev", "time_functions-roll_forward_reads_its_own_previous_period"})


def _on_spark_by_default(case: Case) -> bool:
    """Every refusal (no query: the backend refuses when it is made) and `SPARK_BY_DEFAULT`; all with KPI_SPARK_ALL=1."""
    return bool(os.environ.get("KPI_SPARK_ALL")) or "spark" in case.spec.get("refused", {}) or case.name in SPARK_BY_DEFAULT


def _params(backend: str, case: Case) -> Any:
    name = f"{backend}-{case.name}"
    if backend != "spark":
        return pytest.param(backend, case, id=name)
    skip = [] if _on_spark_by_default(case) else [pytest.mark.skip(reason="a few cases on Spark by default: KPI_SPARK_ALL=1 runs them all")]
    return pytest.param(backend, case, id=name, marks=[pytest.mark.spark, *skip])  # one local Spark for the run (`spark` fixture)


@pytest.mark.parametrize(("backend", "case"), [_params(backend, case) for backend in backends.available() for case in CASES])
def test_evaluation_case(backend: str, case: Case, request: pytest.FixtureRequest) -> None:
    refusal = case.spec.get("refused", {}).get(backend)
    if backend == "spark" and refusal is None:  # a refusal needs no Spark: the backend refuses when it is made
        request.getfixturevalue("spark")
    if refusal is not None:  # the backend must refuse the pack with exactly these located messages, when it is made
        with pytest.raises(PackError) as refused:
            evaluate(case, backend, "en")
        assert str(refused.value) == refusal.strip()
        return
    compare = comparison_for(case, backend)
    evaluation = evaluate(case, backend, "en")  # results and alerts read in every language (`reason`, `text`)
    results = read_results(evaluation)
    problems = [
        *invariant_mismatches(results),
        *result_mismatches(case, results, compare),
        *alert_mismatches(case, read_alerts(evaluation), compare),
    ]
    assert not problems, "\n".join(problems)


# --- the runner itself ---------------------------------------------------------------------


def test_the_cases_spark_runs_by_default_exist() -> None:
    assert not SPARK_BY_DEFAULT - {case.name for case in CASES}


def test_every_topic_has_cases() -> None:
    topics = {case.topic for case in CASES}
    assert topics == {
        "alerts", "alert_series", "arithmetic", "fiscal", "groups", "logic", "missing_zero", "rollups", "scenarios", "selection", "targets",
        "time_functions", "undefined",
    }


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"cases": [{"id": "a", "pack": "p", "resuts": []}]}, "unknown key(s) resuts"),
        ({"cases": [{"id": "a", "pack": "p"}]}, "a case must expect something"),
        ({"cases": [{"id": "a", "pack": "p", "results": [{"kpi": "k", "period": "2025", "valeu": 1}]}]}, "unknown key(s) valeu"),
        ({"cases": [{"id": "a", "pack": "p", "results": [], "results_only": "yes"}]}, "results_only must be false, true or ordered"),
        ({"cases": [{"id": "a", "pack": "p", "results": []}, {"id": "a", "pack": "p", "results": []}]}, "duplicate id"),
        ({"cases": [{"id": "a", "pack": "p", "results": [], "facts": ["nope"]}]}, "'nope' is neither a fact"),
        ({"cases": [{"id": "a", "pack": "p", "results": [], "refused": {"python": "no"}}]}, "refused names a backend other than python"),
    ],
)
def test_malformed_fixtures_are_refused(document: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        list(cases_of("t", document))


def test_tolerance_is_relative_and_never_granted_to_the_python_backend() -> None:
    case = Case("t", {"id": "a", "pack": "p", "results": [], "tolerance": "1e-18"}, "p", ())
    assert comparison_for(case, "python").number("0.3", Decimal("0.3000000000000000001")) is False
    near = comparison_for(case, "duckdb")
    assert near.number(1000, Decimal("1000.0000000000000001")) is True  # 1e-16 off 1000: 1e-19 relative
    assert near.number("0.3", Decimal("0.30000000000000001")) is False  # 1e-17 off 0.3: 3.3e-17 relative
    assert near.number(UNDEFINED, Decimal(0)) is False
