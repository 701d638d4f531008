"""The report ready to forward: the company's name, owners by name, formulas in words, periods as readers name them,
one scale across a KPI's entities, nothing red without a target, KPIs without data listed once, in French and English."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from test_report import ROOT, run

from kpi_engine import Pack
from kpi_engine.errors import PackError
from kpi_engine.facts import read_facts_text
from kpi_engine.nodes import Node
from kpi_engine.parser import parse_formula
from kpi_engine.periods import Period
from kpi_engine.report import charts
from kpi_engine.report.build import ReportOptions, WithoutData, build_report, css_string, render_html, render_markdown, rows_of
from kpi_engine.report.pdf import PdfError, html_to_pdf
from kpi_engine.report.wording import formula_in_words
from kpi_engine.results import MISSED, NO_TARGET, UNDEFINED, Result

GROUP = """\
company: {name: Groupe Durand, logo: GD, siren: "123 456 789"}
owners:
  daf: {name: Claire Martin, email: claire@example.fr}
"""

PACK = """\
extends: groupe
company: {name: Atelier Durand, logo: AD}
owners:
  commercial: {name: Léa Moreau}
inputs:
  ventes: {label: {fr: Ventes, en: Sales}, unit: EUR, rollup: sum}
  resultat: {label: {fr: Résultat net, en: Net income}, unit: EUR, rollup: sum}
  budget: {label: {fr: Budget de ventes, en: Sales budget}, unit: EUR, rollup: sum}
  stocks: {label: {fr: Stocks, en: Inventories}, unit: EUR, rollup: last}
  clients: {label: {fr: Clients, en: Customers}, unit: count, rollup: sum}
kpis:
  marge_nette:
    label: {fr: Taux de marge nette, en: Net margin rate}
    formula: resultat / ventes
    target: 5%
    direction: higher_is_better
    unit: percent
    owner: daf
    frequency: monthly
    tags: [rentabilite]
    alerts:
      - {when: value < 0.05, severity: warning, message: "marge sous 5 %"}
  ecart_budget:
    label: {fr: Écart au budget, en: Gap to budget}
    formula: ventes / budget - 1
    unit: percent
    owner: commercial
    frequency: monthly
    tags: [commercial]
  ventes_an:
    label: {fr: Ventes sur un an, en: Sales over a year}
    formula: rolling_sum(ventes, 3)
    unit: EUR
    owner: controleur
    frequency: monthly
    tags: [commercial]
  rotation:
    label: {fr: Rotation des stocks, en: Inventory turnover}
    formula: stocks / ventes * 360
    unit: days
    owner: daf
    frequency: monthly
  couverture:
    label: {fr: Couverture des stocks, en: Inventory cover}
    formula: stocks / 1000
    unit: ratio
    owner: daf
    frequency: monthly
  panier:
    label: {fr: Panier moyen, en: Average basket}
    formula: ventes / clients
    unit: EUR
    owner: commercial
    frequency: monthly
"""


def facts_csv() -> str:
    """Lyon sells ten times what Bordeaux sells; only Lyon has a budget; no stocks or customers anywhere."""
    rows = ["period,entity,name,value"]
    for month in range(1, 7):
        period = f"2025-{month:02d}"
        rows += [f"{period},lyon,ventes,{100_000 + 1_000 * month}", f"{period},lyon,resultat,{6_000}", f"{period},lyon,budget,100000"]
        rows += [f"{period},bordeaux,ventes,{10_000 + 100 * month}", f"{period},bordeaux,resultat,{300}"]
    return "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def pack() -> Pack:
    return Pack.from_texts({"pack.yaml": PACK}, bases={"groupe": {"groupe.yaml": GROUP}})


@pytest.fixture(scope="module")
def evaluation(pack):
    return pack.evaluate(read_facts_text(facts_csv(), "facts.csv"), lang="fr")


def report_of(pack, evaluation, **options):
    return build_report(evaluation, pack.definitions, ReportOptions(**options))


# --- the company --------------------------------------------------------------


def test_company_is_inherited_and_overridden_key_by_key(pack):
    company = pack.definitions.company
    assert (company.name, company.logo, company.siren) == ("Atelier Durand", "AD", "123 456 789")


def test_company_name_in_the_title_and_the_header(pack, evaluation):
    html = render_html(report_of(pack, evaluation))
    assert "<title>Atelier Durand · Tableau de bord des indicateurs · Tous les indicateurs · juin 2025</title>" in html
    header = re.search(r'<header class="top">.*?</header>', html, re.S)
    assert header
    assert '<span class="logo" aria-hidden="true">AD</span><span>Atelier Durand</span><span class="siren">SIREN 123 456 789</span>' in header.group(0)
    assert "<h1>Tableau de bord des indicateurs</h1>" in header.group(0)
    assert render_markdown(report_of(pack, evaluation, lang="en")).startswith("# Atelier Durand · KPI scorecard\n")


def test_title_option_replaces_the_title_and_keeps_the_company(pack, evaluation):
    html = render_html(report_of(pack, evaluation, title="Comité du 3 juillet"))
    assert "<h1>Comité du 3 juillet</h1>" in html and "<title>Atelier Durand · Comité du 3 juillet · " in html
    assert "Tableau de bord des indicateurs" not in html


def test_without_company_the_header_has_no_company_line(evaluation):
    bare = Pack.from_texts({"pack.yaml": PACK.replace("extends: groupe\ncompany: {name: Atelier Durand, logo: AD}\n", "")})
    html = render_html(build_report(evaluation, bare.definitions, ReportOptions()))
    assert 'class="company"' not in html and "<title>Tableau de bord des indicateurs · Tous les indicateurs · juin 2025</title>" in html


def test_company_keys_are_checked(tmp_path):
    with pytest.raises(PackError) as error:
        Pack.from_texts({"pack.yaml": "company: {nom: Atelier Durand}\n"})
    assert "company" in str(error.value) and "nom" in str(error.value)


def test_the_footer_of_printed_pages_is_a_css_string_that_nothing_escapes_from():
    assert css_string("L'Atelier · A&B") == '"L\\27 Atelier \\b7  A\\26 B"'
    assert "<" not in css_string("</style><script>") and '"' not in css_string('a"b')[1:-1]


# --- owners -------------------------------------------------------------------


def test_owners_by_their_names_from_the_directory_else_their_role(pack, evaluation):
    report = report_of(pack, evaluation)
    who = {line.kpi: line.who for line in rows_of(report)}
    assert who == {"marge_nette": "Claire Martin", "ecart_budget": "Léa Moreau", "ventes_an": "controleur"}
    html = render_html(report)
    assert '<span class="sub">Claire Martin</span>' in html and '<span class="sub">controleur</span>' in html
    assert "<td>Claire Martin</td></tr>" in html  # the alert's owner
    assert "Responsable <b>Léa Moreau</b>" in html
    assert "| marge sous 5 % | Claire Martin |" in render_markdown(report)


@pytest.mark.parametrize(("lang", "scope"), [("fr", "Responsable : Claire Martin"), ("en", "Owner: Claire Martin")])
def test_owner_scope_names_the_person(pack, evaluation, lang, scope):
    assert report_of(pack, evaluation, owner="daf", lang=lang).scope == scope


# --- formulas in words --------------------------------------------------------

LABELS = {"resultat_net": "Résultat net", "chiffre_affaires_ht": "Chiffre d'affaires HT", "a": "A", "b": "B", "c": "C"}


@pytest.mark.parametrize(
    ("formula", "lang", "words"),
    [
        ("resultat_net / chiffre_affaires_ht", "fr", "Résultat net / Chiffre d'affaires HT"),
        ("chiffre_affaires_ht / year_ago(chiffre_affaires_ht) - 1", "fr", "Chiffre d'affaires HT / (Chiffre d'affaires HT un an plus tôt) - 1"),
        ("chiffre_affaires_ht / year_ago(chiffre_affaires_ht) - 1", "en", "Chiffre d'affaires HT / (Chiffre d'affaires HT a year earlier) - 1"),
        ("a + b - c", "fr", "A + B - C"),
        ("a - (b - c)", "fr", "A - (B - C)"),
        ("(a + b) * c", "fr", "(A + B) × C"),
        ("a / (b * c)", "fr", "A / (B × C)"),
        ("-(a + b)", "fr", "-(A + B)"),
        ("rolling_sum(a + b, 12) / 12", "fr", "(somme de (A + B) sur 12 périodes) / 12"),
        ("rolling_avg(a, 3)", "en", "average of A over 3 periods"),
        ("prev(a)", "fr", "A de la période précédente"),
        ("lag(a, 4)", "en", "A 4 periods earlier"),
        ("ytd(a)", "fr", "A cumulé depuis le début de l'année"),
        ("growth(a)", "en", "change in A"),
        ("coalesce(prev(a), b)", "fr", "A de la période précédente, à défaut B"),
        ("max(a, 0) + min(a, b, 100_000.5)", "fr", "(plus grand de A et 0) + (plus petit de A, B et 100 000,5)"),
        ("max(a, 0)", "en", "largest of A and 0"),
        ("if(a >= 0.5 and not b != 8%, a * 25%, 0)", "fr", "si A ≥ 0,5 et non B ≠ 8 % alors A × 25 % sinon 0"),
        ("if(a >= 0.5 or b == 1, a * 25%, 0)", "en", "if A ≥ 0.5 or B = 1 then A × 25% else 0"),
        ("round(a, 2) + unknown", "fr", "round(A, 2) + unknown"),
    ],
)
def test_formula_in_words(formula, lang, words):
    node: Node = parse_formula(formula)
    assert formula_in_words(node, LABELS, lang) == words


def test_each_section_shows_the_formula_in_words_and_the_written_one_only_in_the_detail(pack, evaluation):
    html = render_html(report_of(pack, evaluation))
    section = re.search(r'<section class="kpi" id="kpi-marge_nette">.*?</section>', html, re.S)
    assert section
    assert '<div class="formula"><b>Taux de marge nette</b> = Résultat net / Ventes</div>' in section.group(0)
    written = '<details class="written"><summary>Formule telle qu&#39;écrite dans le pack</summary><pre>marge_nette = resultat / ventes</pre>'
    assert written in section.group(0)
    english = render_html(report_of(pack, evaluation, lang="en"))
    assert '<div class="formula"><b>Net margin rate</b> = Net income / Sales</div>' in english
    assert "<summary>Formula as written in the pack</summary>" in english
    markdown = render_markdown(report_of(pack, evaluation))
    assert "**Taux de marge nette** = Résultat net / Ventes\n\nFormule telle qu'écrite dans le pack : `marge_nette = resultat / ventes`" in markdown


@pytest.mark.parametrize(
    ("lang", "percent", "budget"),
    [("fr", "Cible <b>5 %</b>", "Cible <b>Budget de ventes / Ventes</b>"), ("en", "Target <b>5%</b>", "Target <b>Sales budget / Sales</b>")],
)
def test_targets_are_in_words_too(pack, evaluation, lang, percent, budget):
    assert percent in render_html(report_of(pack, evaluation, lang=lang))
    target = "formula: ventes / budget - 1\n    target: budget / ventes\n    direction: higher_is_better\n"
    with_budget = Pack.from_texts({"pack.yaml": PACK.replace("formula: ventes / budget - 1\n", target)}, bases={"groupe": {"groupe.yaml": GROUP}})
    html = render_html(build_report(with_budget.evaluate(read_facts_text(facts_csv(), "facts.csv")), with_budget.definitions, ReportOptions(lang=lang)))
    assert budget in html


# --- periods ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "month", "quarter"),
    [("fr", "juin 2025", "T2 2025"), ("en", "June 2025", "Q2 2025")],
)
def test_periods_are_named_as_readers_name_them(pack, evaluation, lang, month, quarter):
    report = report_of(pack, evaluation, lang=lang)
    html = render_html(report)
    row = re.search(r'<tr class="line" data-kpi="marge_nette" data-entity="lyon".*?</tr>', html, re.S)
    assert row and f'<td class="nowrap">{month}</td>' in row.group(0)
    assert f'<strong class="nowrap">{month}</strong>' in html
    assert f'<td class="nowrap">{month}</td><td>bordeaux</td>' in html  # the alert's period
    quarterly = Pack.from_texts({"pack.yaml": PACK.replace("frequency: monthly\n    tags: [rentabilite]", "frequency: quarterly\n    tags: [rentabilite]")},
                                bases={"groupe": {"groupe.yaml": GROUP}})
    by_quarter = build_report(quarterly.evaluate(read_facts_text(facts_csv(), "facts.csv")), quarterly.definitions, ReportOptions(lang=lang))
    assert f'<td class="nowrap">{quarter}</td>' in render_html(by_quarter)
    assert not re.search(r">\s*2025-(Q\d|\d\d)\s*<", html)


# --- charts -------------------------------------------------------------------


def _ticks(svg: str) -> list[str]:
    return re.findall(r'text-anchor="end" font-size="11" fill="#607d8b">([^<]*)</text>', svg)


def test_the_entities_of_a_kpi_share_one_scale(pack, evaluation):
    report = report_of(pack, evaluation)
    section = next(s for s in report.sections if s.kpi == "ventes_an")
    domain = charts.shared_domain([line.history for line in section.lines])
    lyon, bordeaux = (charts.line_chart(line.history, line.unit, "fr", domain=domain) for line in section.lines)
    assert _ticks(lyon) == _ticks(bordeaux) != []
    own = [charts.line_chart(line.history, line.unit, "fr") for line in section.lines]
    assert _ticks(own[0]) != _ticks(own[1])  # each on its own scale, they would not compare
    html = render_html(report)
    charts_of_section = re.search(r'<section class="kpi" id="kpi-ventes_an">.*?</section>', html, re.S)
    assert charts_of_section
    scales = {tuple(_ticks(svg)) for svg in re.findall(r"<svg[^>]*line-chart.*?</svg>", charts_of_section.group(0), re.S)}
    assert len(scales) == 1


def test_nothing_red_where_there_is_no_target_or_no_budget(pack, evaluation):
    report = report_of(pack, evaluation)
    budget = next(s for s in report.sections if s.kpi == "ecart_budget")
    bordeaux = next(line for line in budget.lines if line.entity == "bordeaux")
    assert {r.status for r in bordeaux.history} == {UNDEFINED}  # no budget at Bordeaux
    svg = charts.line_chart(bordeaux.history, bordeaux.unit, "fr")
    assert svg.count(f'stroke="{charts.MUTED}" stroke-width="1.5"') == 6  # one grey cross per month
    assert charts.STATUS_COLOURS[MISSED] not in svg
    lyon = next(line for line in budget.lines if line.entity == "lyon")
    assert {r.status for r in lyon.history} == {NO_TARGET}
    assert charts.STATUS_COLOURS[MISSED] not in charts.line_chart(lyon.history, lyon.unit, "fr")


def test_a_missed_target_is_still_red():
    month = Period.parse("2025-01")
    missed = Result("k", month, None, Decimal("0.02"), Decimal("0.05"), Decimal("-0.03"), MISSED, "daf")
    assert f'fill="{charts.STATUS_COLOURS[MISSED]}"' in charts.line_chart([missed], "percent", "fr")


# --- KPIs without data --------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "heading", "groups"),
    [
        ("fr", "3 indicateurs sans données :", [("donnée manquante « Stocks »", ("Rotation des stocks", "Couverture des stocks")),
                                                ("donnée manquante « Clients »", ("Panier moyen",))]),
        ("en", "3 KPIs without data:", [("missing fact 'Inventories'", ("Inventory turnover", "Inventory cover")),
                                         ("missing fact 'Customers'", ("Average basket",))]),
    ],
)
def test_kpis_without_data_are_listed_once_by_reason(pack, evaluation, lang, heading, groups):
    report = report_of(pack, evaluation, lang=lang)
    assert report.without_data == tuple(WithoutData(reason, labels) for reason, labels in groups)
    assert report.summary.counts[UNDEFINED] == 3 * 2 + 1  # still counted: 3 KPIs x 2 entities, and Bordeaux's budget gap
    shown = {line.kpi for line in rows_of(report)}
    assert shown == {"marge_nette", "ecart_budget", "ventes_an"}
    assert [s.kpi for s in report.sections] == ["ecart_budget", "ventes_an", "marge_nette"]
    html = render_html(report)
    colon = " :" if lang == "fr" else ":"
    assert f"<p>{heading}</p>" in html
    for reason, labels in groups:
        escaped = reason.replace("'", "&#39;")
        assert f'<li class="no-data-reason">{escaped}{colon} {", ".join(labels)}</li>' in html
    assert 'id="kpi-rotation"' not in html and 'data-kpi="rotation"' not in html
    markdown = render_markdown(report)
    assert f"{heading}\n\n- {groups[0][0]}{colon} {', '.join(groups[0][1])}\n" in markdown


def test_one_kpi_without_data_is_singular(pack, evaluation):
    report = report_of(pack, evaluation, owner="commercial", lang="en")
    assert "<p>1 KPI without data:</p>" in render_html(report)
    assert "<p>1 indicateur sans données :</p>" in render_html(report_of(pack, evaluation, owner="commercial"))


# --- the PDF: errors (the PDF itself is printed for real in test_report_browser.py) ---


def example_args() -> list[str]:
    facts = sorted((ROOT / "examples" / "facts").glob("*.csv"))
    return [str(ROOT / "examples" / "company"), *[arg for path in facts for arg in ("--facts", str(path))]]


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("fr", "kpi: KPI_CHROMIUM vaut « {path} », qui n'est pas un programme exécutable"),
        ("en", "kpi: KPI_CHROMIUM is '{path}', which is not an executable program"),
    ],
)
def test_pdf_with_a_wrong_kpi_chromium_says_so_in_the_readers_language(tmp_path, lang, message):
    missing = tmp_path / "no-chromium"
    out = tmp_path / "rapport.pdf"
    result = run(*example_args(), "--lang", lang, "--format", "pdf", "-o", str(out), env={"KPI_CHROMIUM": str(missing)})
    assert result.exit_code == 8
    assert message.format(path=missing) in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("fr", "kpi: aucun Chromium trouvé pour imprimer le PDF : installez-le (apt-get install chromium) ou indiquez son chemin dans KPI_CHROMIUM"),
        ("en", "kpi: no Chromium found to print the PDF: install it (apt-get install chromium) or set KPI_CHROMIUM to its path"),
    ],
)
def test_pdf_without_any_chromium(tmp_path, lang, message):
    out = tmp_path / "rapport.pdf"
    result = run(*example_args(), "--lang", lang, "--format", "pdf", "-o", str(out), env={"KPI_CHROMIUM": "", "PATH": str(tmp_path)})
    assert result.exit_code == 8
    assert message in result.output


@pytest.mark.parametrize(
    ("lang", "program", "message"),
    [
        ("fr", "#!/bin/sh\nexit 1\n", "kpi: Chromium n'a pas pu imprimer le PDF (code 1)\n"),
        ("en", "#!/bin/sh\nexit 1\n", "kpi: Chromium could not print the PDF (exit code 1)\n"),
        ("fr", "#!/bin/sh\necho 'cannot open display' >&2\nexit 3\n", "kpi: Chromium n'a pas pu imprimer le PDF (code 3) : cannot open display\n"),
        ("en", "#!/bin/sh\necho 'cannot open display' >&2\nexit 0\n", "kpi: Chromium could not print the PDF (exit code 0): cannot open display\n"),
    ],
)
def test_pdf_when_chromium_fails(tmp_path, lang, program, message):
    browser = tmp_path / "chromium"
    browser.write_text(program, encoding="utf-8")
    browser.chmod(0o755)
    out = tmp_path / "rapport.pdf"
    result = run(*example_args(), "--lang", lang, "--format", "pdf", "-o", str(out), env={"KPI_CHROMIUM": str(browser)})
    assert result.exit_code == 8
    assert message in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("fr", "kpi: un PDF ne s'écrit pas sur la sortie standard : donnez un fichier, par exemple -o rapport.pdf"),
        ("en", "kpi: a PDF is not written to standard output: give a file, for example -o report.pdf"),
    ],
)
def test_pdf_is_not_written_to_standard_output(lang, message):
    result = run(*example_args(), "--lang", lang, "--format", "pdf", "-o", "-")
    assert result.exit_code == 2
    assert message in result.output


def test_a_yearly_heatmap_labels_each_column_once_with_its_year():
    years = [Period.parse("2024"), Period.parse("2025")]
    svg = charts.heatmap([charts.HeatRow("Rentabilité · lyon", dict.fromkeys(years, ("met", "")))], years, "fr")
    assert re.findall(r'transform="rotate\(-90 [\d.]+ 28\) translate\(0 3.5\)">(\d+)</text>', svg) == ["2024", "2025"]
    assert 'font-weight="600"' not in svg  # no year group heading over them: it would print on top of the labels


@pytest.mark.parametrize(("lang", "footer"), [("fr", "Édité le 1 décembre 2026."), ("en", "Generated on 1 December 2026.")])
def test_the_date_of_issue_is_written_out(pack, evaluation, lang, footer):
    assert footer in render_html(report_of(pack, evaluation, lang=lang, generated="2026-12-01"))


@pytest.mark.parametrize(
    ("lang", "message"), [("fr", "Chromium n'a pas imprimé le PDF en 2 secondes"), ("en", "Chromium did not print the PDF within 2 seconds")]
)
def test_a_browser_that_hangs_is_stopped(tmp_path, lang, message):
    browser = tmp_path / "chromium"
    browser.write_text("#!/bin/sh\nexec sleep 30\n", encoding="utf-8")
    browser.chmod(0o755)
    with pytest.raises(PdfError) as error:
        html_to_pdf("<p>x</p>", browser, timeout=2)
    assert error.value.text(lang) == message
