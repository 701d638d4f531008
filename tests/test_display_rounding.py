"""Display rounding never contradicts the status (issue 13: `1,00 / 1,00 / 0,00 manqué`).

A liquidity ratio of 0.998 against a target of 1 is missed; rounded to two
decimals both read `1,00` and the gap `0,00`. Wherever a result is shown with
its target (the evaluate table, the report, the web dashboard's figures), the
value, target and gap take the decimals that tell them apart.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from kpi_engine import Pack
from kpi_engine.cli import main
from kpi_engine.facts import read_facts_text
from kpi_engine.formatting import decisive_places, format_result
from kpi_engine.report.build import ReportOptions, build_report, render_html, render_markdown
from kpi_engine.web.pages import chart_data

PACK = """\
inputs:
  actif_circulant: {unit: EUR, rollup: last}
  dettes_court_terme: {unit: EUR, rollup: last}
kpis:
  liquidite:
    label: {fr: Ratio de liquidité, en: Current ratio}
    formula: actif_circulant / dettes_court_terme
    unit: ratio
    target: 1
    direction: higher_is_better
    owner: daf
    frequency: monthly
"""
FACTS = "entity,input,period,value\nlyon,actif_circulant,2025-01,99800\nlyon,dettes_court_terme,2025-01,100000\n"


@pytest.mark.parametrize(
    ("value", "target", "unit", "lang", "shown"),
    [
        ("0.998", "1", "ratio", "fr", ("0,998", "1,000", "-0,002")),  # the example: missed, and it reads so
        ("0.9999", "1", "ratio", "en", ("0.9999", "1.0000", "-0.0001")),
        ("0.05996", "0.06", "percent", "fr", ("5,996 %", "6,000 %", "-0,004 pt")),
        ("1234.567", "1234.57", "EUR", "fr", ("1 234,567 €", "1 234,570 €", "-0,003 €")),
        ("2.09", "1", "ratio", "fr", ("2,09", "1,00", "+1,09")),  # the usual decimals tell them apart: unchanged
        ("1", "1", "ratio", "fr", ("1,00", "1,00", "0,00")),  # equal: met, and equal figures say so
    ],
)
def test_value_target_and_gap_show_the_digits_that_decide(value: str, target: str, unit: str, lang: str, shown: tuple[str, str, str]) -> None:
    v, t = Decimal(value), Decimal(target)
    assert format_result(v, t, v - t, unit, lang) == shown


def test_no_extra_digits_without_a_target_or_a_value() -> None:
    assert decisive_places(Decimal("0.998"), None, "ratio") is None
    assert decisive_places(None, Decimal(1), "ratio") is None


@pytest.fixture(scope="module")
def pack() -> Pack:
    return Pack.from_texts({"pack.yaml": PACK}, bases={})


def test_the_evaluate_table_agrees_with_the_status(tmp_path: Path) -> None:
    (tmp_path / "pack.yaml").write_text(PACK, encoding="utf-8")
    (tmp_path / "facts.csv").write_text(FACTS, encoding="utf-8")
    previous = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(main, ["evaluate", "pack.yaml", "--facts", "facts.csv", "--lang", "fr"])
    finally:
        os.chdir(previous)
    assert result.stdout.splitlines()[2].split()[-5:] == ["0,998", "1,000", "-0,002", "manqué", "daf"]


def test_the_report_and_the_web_figures_agree_with_the_status(pack: Pack) -> None:
    evaluation = pack.evaluate(read_facts_text(FACTS, "facts.csv"), lang="fr")
    report = build_report(evaluation, pack.definitions, ReportOptions())
    for text in (render_html(report), render_markdown(report)):
        assert "0,998" in text and "1,000" in text and "-0,002" in text and "1,00 " not in text
    (line,) = report.themes[0].lines
    points = chart_data([line], "ratio", "fr")
    assert '"value": "0,998"' in points and '"targetText": "1,000"' in points and '"gap": "-0,002"' in points
    record = evaluation.results[0].to_dict("Ratio de liquidité", "ratio", "fr")
    assert (record["text"], record["target_text"], record["status_text"]) == ("0,998", "1,000", "manqué")
