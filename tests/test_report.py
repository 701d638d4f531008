"""`kpi report`: the right KPIs per audience and owner, the evaluation's own numbers, alerts by severity,
undefined values with their reason, a self-contained HTML file, and clear errors for bad input."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kpi_engine import Pack
from kpi_engine.cli.commands import load_pack
from kpi_engine.cli.group import KpiGroup
from kpi_engine.cli.report import report as report_command
from kpi_engine.facts import read_facts_text
from kpi_engine.formatting import format_gap, format_value
from kpi_engine.periods import Period
from kpi_engine.report import charts
from kpi_engine.report.build import (
    ReportError,
    ReportOptions,
    build_report,
    render_html,
    render_markdown,
    rows_of,
    select_kpis,
)
from kpi_engine.results import MET, MISSED, NO_TARGET, UNDEFINED

ROOT = Path(__file__).resolve().parent.parent

PACK = """\
inputs:
  ventes: {label: {fr: Ventes, en: Sales}, unit: EUR, rollup: sum}
  couts: {label: {fr: Coûts, en: Costs}, unit: EUR, rollup: sum}
  budget: {label: {fr: Budget, en: Budget}, unit: EUR, rollup: sum}
  tresorerie: {label: {fr: Trésorerie, en: Cash}, unit: EUR, rollup: last}
  clients: {label: {fr: Clients, en: Customers}, unit: count, rollup: sum}
kpis:
  chiffre_affaires:
    label: {fr: Chiffre d'affaires, en: Revenue}
    description: "Ventes facturées du mois, <b>R&D</b> comprise."
    formula: ventes
    target: budget
    direction: higher_is_better
    unit: EUR
    owner: daf
    frequency: monthly
    tags: [finance]
    alerts:
      - {when: value > 130000, severity: info, message: "record de ventes"}
  taux_marge:
    label: {fr: Taux de marge, en: Margin rate}
    formula: (ventes - couts) / ventes
    target: 25%
    direction: higher_is_better
    unit: percent
    owner: controleur
    frequency: monthly
    tags: [finance, marge]
    alerts:
      - {when: value < 0.2, severity: warning, message: "marge faible"}
  tresorerie_fin:
    label: {fr: Trésorerie de fin de mois, en: Closing cash}
    formula: tresorerie
    unit: EUR
    owner: daf
    frequency: monthly
    tags: [tresorerie]
    alerts:
      - {when: value < 30000, severity: critical, message: "trésorerie sous le seuil"}
  panier_moyen:
    label: {fr: Panier moyen, en: Average basket}
    formula: ventes / clients
    unit: EUR
    owner: commercial
    frequency: monthly
    tags: [commercial]
  ca_trimestre:
    label: {fr: CA trimestriel, en: Quarterly revenue}
    formula: ventes
    target: budget
    direction: higher_is_better
    unit: EUR
    owner: commercial
    frequency: quarterly
  couts_ops:
    formula: couts
    target: 80000
    direction: lower_is_better
    unit: EUR
    owner: production
    frequency: monthly
audiences:
  dirigeants:
    label: {fr: Direction générale, en: Executive team}
    kpis: [chiffre_affaires, tresorerie_fin]
  daf:
    label: {fr: Direction financière, en: Finance}
    tags: [finance]
    owners: [daf]
"""


def facts_csv() -> str:
    """Twelve months of 2025: a bad third quarter, missing costs in May, no customer count in December."""
    rows = ["period,name,value"]
    for month in range(1, 13):
        period, sales = f"2025-{month:02d}", 100_000 + 3_000 * month
        ratio = {7: "0.88", 8: "0.88", 9: "0.88", 12: "0.85"}.get(month, "0.7")
        rows += [f"{period},ventes,{sales}", f"{period},budget,{105_000 + 2_000 * month}"]
        rows.append(f"{period},tresorerie,{ {9: -5_000, 12: 20_000}.get(month, 50_000 + 1_000 * month) }")
        if month != 5:
            rows.append(f"{period},couts,{Decimal(sales) * Decimal(ratio)}")
        if month != 12:
            rows.append(f"{period},clients,{400 + month}")
    return "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def pack() -> Pack:
    return Pack.from_texts({"pack.yaml": PACK})


@pytest.fixture(scope="module")
def evaluation(pack):
    return pack.evaluate(read_facts_text(facts_csv(), "facts.csv"), lang="fr")


def make(pack, evaluation, **options):
    return build_report(evaluation, pack.definitions, ReportOptions(**options))


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    pack_file, facts_file = tmp_path / "pack.yaml", tmp_path / "facts.csv"
    pack_file.write_text(PACK, encoding="utf-8")
    facts_file.write_text(facts_csv(), encoding="utf-8")
    return pack_file, facts_file


def run(*args: str, env: dict[str, str] | None = None):
    group = KpiGroup(name="kpi", commands={"report": report_command})
    return CliRunner().invoke(group, ["report", *args], env=env)


# --- which KPIs ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        pytest.param({}, ["chiffre_affaires", "taux_marge", "tresorerie_fin", "panier_moyen", "ca_trimestre", "couts_ops"], id="all"),
        pytest.param({"audience": "dirigeants"}, ["chiffre_affaires", "tresorerie_fin"], id="audience-by-name"),
        pytest.param({"audience": "daf"}, ["chiffre_affaires", "taux_marge", "tresorerie_fin"], id="audience-by-tag-and-owner"),
        pytest.param({"owner": "commercial"}, ["panier_moyen", "ca_trimestre"], id="owner"),
        pytest.param({"frequency": "quarterly"}, ["ca_trimestre"], id="frequency"),
        pytest.param({"audience": "daf", "frequency": "monthly"}, ["chiffre_affaires", "taux_marge", "tresorerie_fin"], id="audience-and-frequency"),
    ],
)
def test_kpis_per_audience_owner_and_frequency(pack, evaluation, options, expected):
    assert select_kpis(pack.definitions, ReportOptions(**options)) == expected
    assert {line.kpi for line in rows_of(make(pack, evaluation, **options))} == set(expected)
    report = make(pack, evaluation, **options)
    assert sorted(section.kpi for section in report.sections) == sorted(expected)
    assert [s.kpi for theme in report.themes for s in theme.sections] == [s.kpi for s in report.sections]  # theme by theme


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param({"audience": "comex"}, "unknown audience 'comex'; valid audiences: daf, dirigeants", id="audience"),
        pytest.param({"owner": "cfo"}, "unknown owner 'cfo'; valid owners: commercial, controleur, daf, production", id="owner"),
        pytest.param({"owner": "production", "frequency": "quarterly"}, "no KPI matches owner 'production' and frequency 'quarterly'", id="empty"),
    ],
)
def test_unknown_names_list_the_valid_ones(pack, options, message):
    with pytest.raises(ReportError, match=re.escape(message)):
        select_kpis(pack.definitions, ReportOptions(**options))


# --- numbers ------------------------------------------------------------------


def test_numbers_are_the_evaluations_own(pack, evaluation):
    report = make(pack, evaluation)
    latest = {}
    for result in evaluation.results:
        latest[result.kpi] = result  # results come in period order
    html = render_html(report)
    for line in rows_of(report):
        assert line.current == latest[line.kpi]
        assert line.history == tuple(r for r in evaluation.results if r.kpi == line.kpi)
        if line.current.value is not None:
            assert format_value(line.current.value, line.unit, "fr") in html
        if line.current.target is not None:
            assert format_value(line.current.target, line.unit, "fr") in html


def test_scorecard_rows_show_target_actual_gap_and_status(pack, evaluation):
    html = render_html(make(pack, evaluation))
    row = _row(html, "chiffre_affaires")
    assert "décembre 2025" in row and "129 000,00 €" in row and "136 000,00 €" in row and "+7 000,00 €" in row and "atteint" in row
    margin = _row(html, "taux_marge")
    assert "15,0 %" in margin and "25,0 %" in margin and "-10,0 pt" in margin and "manqué" in margin


def test_summary_counts_at_the_report_period(pack, evaluation):
    report = make(pack, evaluation)
    # Dec: revenue met, margin 15% missed, cash no target, basket undefined, Q4 met, costs 102k > 80k missed
    assert dict(report.summary.counts) == {MET: 2, MISSED: 2, NO_TARGET: 1, UNDEFINED: 1}
    assert report.as_of == Period.parse("2025-12")


def test_period_reports_each_kpi_as_of_that_period(pack, evaluation):
    report = make(pack, evaluation, period=Period.parse("2025-08"))
    current = {line.kpi: str(line.current.period) for line in rows_of(report)}
    assert current["chiffre_affaires"] == "2025-08" and current["ca_trimestre"] == "2025-Q2"
    assert all(r.period.end <= Period.parse("2025-08").end for line in rows_of(report) for r in line.history)


def test_alerts_are_those_of_the_report_period_most_severe_first(pack, evaluation):
    report = make(pack, evaluation)
    assert [(a.severity, a.kpi, a.owner) for a in report.summary.alerts] == [
        ("critical", "tresorerie_fin", "daf"),
        ("warning", "taux_marge", "controleur"),
        ("info", "chiffre_affaires", "daf"),
    ]
    html = render_html(report)
    assert re.findall(r'class="alert" data-severity="(\w+)"', html) == ["critical", "warning", "info"]
    markdown = render_markdown(report)
    assert markdown.index("CRITIQUE") < markdown.index("ATTENTION") < markdown.index("INFO")


def test_undefined_is_shown_with_its_reason_never_as_zero(pack, evaluation):
    report = make(pack, evaluation)
    basket = next(line for line in rows_of(report) if line.kpi == "panier_moyen")
    assert basket.status == UNDEFINED and "donnée manquante « clients » pour 2025-12" in basket.reason  # the report's language
    assert basket.current.error == "missing fact 'clients' for 2025-12"  # English stays the text of record
    row = _row(render_html(report), "panier_moyen")
    assert "indéfini" in row and "donnée manquante « clients » pour 2025-12" in row
    assert "0,00 €" not in row
    assert "_indéfini_ (donnée manquante « clients » pour 2025-12)" in render_markdown(report)


def test_english_formats_and_words(pack, evaluation):
    report = make(pack, evaluation, lang="en")
    html = render_html(report)
    assert "€136,000.00" in html and "15.0%" in html and "-10.0 pts" in html and "Other" in html and "Closing cash" in html
    assert [t.title for t in report.themes] == ["Commercial", "Finance", "Tresorerie", "Other"]


def test_gap_of_a_rate_is_in_points():
    assert format_gap(Decimal("0.015"), "percent", "fr") == "+1,5 pt"
    assert format_gap(Decimal("-1200"), "EUR", "en") == "-€1,200.00"
    assert format_gap(None, "EUR", "fr") == ""


# --- the HTML file ------------------------------------------------------------


def test_html_is_self_contained_and_escaped(pack, evaluation):
    html = render_html(make(pack, evaluation))
    assert "<script" not in html and "<link" not in html and "<img" not in html and "@import" not in html and "url(" not in html
    assert not re.findall(r"https?://(?!www\.w3\.org/2000/svg)", html)
    assert "&lt;b&gt;R&amp;D&lt;/b&gt;" in html


def test_every_chart_is_drawn(pack, evaluation):
    report = make(pack, evaluation)
    html = render_html(report)
    lines = list(rows_of(report))
    assert html.count('class="chart sparkline"') == len(lines)
    assert html.count('class="chart line-chart"') == sum(1 for section in report.sections for line in section.lines if line.history)
    assert html.count('class="chart heatmap"') == 2  # monthly and quarterly


def test_markdown_is_text_for_an_email(pack, evaluation):
    markdown = render_markdown(make(pack, evaluation, audience="dirigeants"))
    assert "<svg" not in markdown and "Direction générale" in markdown
    assert "| Chiffre d'affaires | décembre 2025 | 129 000,00 € | 136 000,00 € | +7 000,00 € | atteint |" in markdown
    assert "Taux de marge" not in markdown


# --- charts -------------------------------------------------------------------


def test_an_undefined_value_breaks_the_line_instead_of_dropping_to_zero():
    assert charts._segments([(0, 1.0), (1, None), (2, 3.0), (3, 4.0)]) == [[(0, 1.0)], [(2, 3.0), (3, 4.0)]]
    assert charts.text_sparkline([Decimal(1), None, Decimal(3)]) == "▁·█"


@pytest.mark.parametrize(
    ("value", "unit", "lang", "text"),
    [("1234567", "EUR", "fr", "1,2 M€"), ("250000", "EUR", "en", "€250k"), ("0.075", "percent", "fr", "7,5 %"), ("-30000", "EUR", "en", "-€30k")],
)
def test_axis_labels_are_compact(value, unit, lang, text):
    assert charts.compact(Decimal(value), unit, lang) == text


# --- the command --------------------------------------------------------------


def test_command_writes_html(files, tmp_path):
    pack_file, facts_file = files
    out = tmp_path / "report.html"
    result = run(str(pack_file), "--facts", str(facts_file), "--audience", "daf", "--output", str(out), "--lang", "fr")
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Direction financière" in html and "facts.csv" in html
    assert set(re.findall(r'class="line" data-kpi="(\w+)"', html)) == {"chiffre_affaires", "taux_marge", "tresorerie_fin"}


def test_command_writes_markdown_for_an_owner(files, tmp_path):
    pack_file, facts_file = files
    result = run(str(pack_file), "--facts", str(facts_file), "--owner", "commercial", "--format", "markdown", "--output", "-", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "Owner: commercial" in result.output and "Average basket" in result.output and "Revenue |" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--audience", "comex"], "unknown audience 'comex'; valid audiences: daf, dirigeants", id="audience"),
        pytest.param(["--owner", "cfo"], "valid owners: commercial, controleur, daf, production", id="owner"),
        pytest.param(["--audience", "daf", "--owner", "daf"], "choose either --audience or --owner, not both", id="both"),
        pytest.param(["--frequency", "hourly"], "'hourly' is not one of", id="frequency"),
        pytest.param(["--period", "2025-13"], "is not a valid monthly period", id="period"),
    ],
)
def test_bad_options_are_usage_errors(files, tmp_path, args, message):
    pack_file, facts_file = files
    out = tmp_path / "report.html"
    result = run(str(pack_file), "--facts", str(facts_file), "--output", str(out), *args, "--lang", "en")
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not out.exists()


def test_unreadable_facts_and_invalid_pack(files, tmp_path):
    pack_file, facts_file = files
    out = str(tmp_path / "report.html")
    assert run(str(pack_file), "--facts", str(tmp_path / "none.csv"), "--output", out).exit_code == 3
    bad = tmp_path / "bad.yaml"
    bad.write_text("kpis:\n  x: {formula: 1 +, frequency: monthly}\n", encoding="utf-8")
    assert run(str(bad), "--facts", str(facts_file), "--output", out).exit_code == 1


# --- the example data ---------------------------------------------------------


def example_pack():
    """The Atelier Durand example when it is there and valid, else None."""
    facts = sorted((ROOT / "examples" / "facts").glob("*.csv"))
    if not (ROOT / "examples" / "company").is_dir() or not facts:
        return None
    try:
        return load_pack(str(ROOT / "examples" / "company")), facts
    except Exception:
        return None


def test_example_report_covers_every_kpi_and_entity():
    found = example_pack()
    if found is None:
        pytest.skip("examples/company with examples/facts/*.csv is absent or invalid")
    loaded, facts_files = found
    from kpi_engine.facts import Facts

    facts = Facts()
    for path in facts_files:
        facts.merge(read_facts_text(path.read_text(encoding="utf-8-sig"), path.name))
    evaluation = loaded.evaluate(facts, lang="fr")
    report = build_report(evaluation, loaded.definitions, ReportOptions(lang="fr"))
    assert (len(list(rows_of(report))) + report.without_data_count * len(evaluation.entities)) == len(loaded.kpis) * len(evaluation.entities)
    assert report.summary.total == len(loaded.kpis) * len(evaluation.entities)
    render_html(report)
    render_markdown(report)


def _row(html: str, kpi: str) -> str:
    match = re.search(rf'<tr class="line" data-kpi="{kpi}".*?</tr>', html, re.S)
    assert match, kpi
    return match.group(0)


def test_click_command_is_standalone():
    assert isinstance(report_command, click.Command) and report_command.name == "report"


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [("2025-Q1", "fr", "T1 25"), ("2025-Q1", "en", "Q1 25"), ("FY2025-Q1", "fr", "T1 ex. 25"), ("FY2025-Q4", "en", "Q4 FY25"), ("2025-03", "fr", "mars 25")],
)
def test_chart_labels_name_fiscal_quarters_by_their_fiscal_year(text: str, lang: str, label: str) -> None:
    from kpi_engine.periods import Calendar
    from kpi_engine.report.charts import period_label

    # FY2025-Q1 runs from July to September 2024: its label is the fiscal year's, never 2024's
    calendar = Calendar(fiscal_year_start=7) if text.startswith("FY") else Calendar()
    assert period_label(calendar.parse(text), lang) == label


@pytest.mark.parametrize(
    ("lang", "point", "cell", "undefined"),
    [
        (
            "fr",
            "décembre 2025\u202f: 136 000,00 € (cible 129 000,00 €)",
            "Chiffre d&#x27;affaires, décembre 2025\u202f: 136 000,00 € / 129 000,00 € (atteint)",
            "Panier moyen, décembre 2025\u202f: indéfini (indéfini)\u202f: donnée manquante « clients » pour 2025-12",
        ),
        (
            "en",
            "December 2025: €136,000.00 (target €129,000.00)",
            "Revenue, December 2025: €136,000.00 / €129,000.00 (met)",
            "Average basket, December 2025: undefined (undefined): missing fact &#x27;clients&#x27; for 2025-12",
        ),
    ],
)
def test_chart_tooltips_put_the_french_narrow_space_before_a_colon(pack, evaluation, lang, point, cell, undefined):
    tips = re.findall(r"<title>([^<]*)</title>", render_html(make(pack, evaluation, lang=lang)))
    assert point in tips and cell in tips and undefined in tips  # a line chart's point, heatmap cells
    if lang == "fr":  # no colon of the French tooltips without its narrow space
        assert all(": " not in tip.replace("\u202f: ", "") for tip in tips)
