"""What people read names periods and shows values as they do: `{period}` in alert messages, `kpi explain`'s values."""

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

from kpi_engine.cli import main
from kpi_engine.periods import Period
from kpi_engine.templates import render_message

NO_LOCALE = {"KPI_LANG": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": ""}
PACK = """\
inputs:
  frais: {unit: EUR, rollup: sum}
  ca: {unit: EUR, rollup: sum}
kpis:
  poids:
    formula: frais / ca
    unit: percent
    frequency: monthly
    target: 4%
    direction: lower_is_better
    alerts:
      - when: value > 6%
        severity: warning
        message: {fr: "Transport à {value} du CA au {period}", en: "Freight at {value} of sales for {period}"}
  poids_trimestre:
    formula: frais / ca
    unit: percent
    frequency: quarterly
    alerts:
      - when: value > 4.5%
        severity: info
        message: {fr: "Transport du {period} : {value}", en: "Freight for {period}: {value}"}
"""
FACTS = "period,frais,ca\n2025-01,3500,100000\n2025-02,5600,80000\n2025-03,4000,100000\n"


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pack.yaml").write_text(PACK)
    (tmp_path / "facts.csv").write_text(FACTS)
    return tmp_path


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), env=NO_LOCALE)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize(
    ("template", "period", "french"),
    [
        ("au {period}", "2025-02", "en février 2025"),
        ("au {period}", "2025-Q1", "au T1 2025"),
        ("en {period}", "2025-04", "en avril 2025"),
        ("du {period}", "2025-04", "d'avril 2025"),
        ("du {period}", "2025-02", "de février 2025"),
        ("CA du {period}", "2025-Q1", "CA du T1 2025"),
        ("sur {period}", "2025", "en 2025"),
        ("Au {period} :", "2025-02", "En février 2025 :"),
        ("CA {period} en recul", "2025-02", "CA février 2025 en recul"),
        ("bureau {period}", "2025-02", "bureau février 2025"),
    ],
)
def test_a_period_in_a_french_message_is_named_with_its_preposition(template, period, french):
    assert render_message(template, lambda name: (Period.parse(period), ""), "fr") == french


def test_a_period_in_an_english_message_is_named():
    assert render_message("for {period}", lambda name: (Period.parse("2025-Q1"), ""), "en") == "for Q1 2025"
    assert render_message("at {period}", lambda name: (Period.parse("2025-02"), ""), "en") == "at February 2025"


def test_alert_messages_name_the_period_as_the_tables_do_in_every_output(folder):
    table = _run("evaluate", "pack.yaml", "--facts", "facts.csv")
    assert "Transport à 7,0 % du CA en février 2025" in table and "Transport du T1 2025 : 4,7 %" in table
    english = _run("evaluate", "pack.yaml", "--facts", "facts.csv", "--lang", "en")
    assert "Freight at 7.0% of sales for February 2025" in english and "Freight for Q1 2025: 4.7%" in english
    alerts = json.loads(_run("evaluate", "pack.yaml", "--facts", "facts.csv", "--format", "json"))["alerts"]
    assert [(a["period"], a["message"]) for a in alerts] == [
        ("2025-02", "Transport à 7,0 % du CA en février 2025"),  # the machine field keeps its code, the text is for people
        ("2025-Q1", "Transport du T1 2025 : 4,7 %"),
    ]


def test_explain_shows_values_for_the_reader_and_exact_figures_in_json(folder):
    french = _run("explain", "pack.yaml", "poids", "--facts", "facts.csv", "--period", "2025-02")
    assert french.splitlines() == [
        "poids = 7,0 %",
        "└─ frais / ca = 7,0 %",
        "   ├─ frais [donnée] = 5 600,00 €",
        "   └─ ca [donnée] = 80 000,00 €",
    ]
    english = _run("explain", "pack.yaml", "poids", "--facts", "facts.csv", "--period", "2025-Q1", "--lang", "en")
    assert english.splitlines()[:2] == ["poids = 4.7%", "└─ frais / ca = 4.7%"]
    exact = json.loads(_run("explain", "pack.yaml", "poids", "--facts", "facts.csv", "--period", "2025-Q1", "--format", "json"))
    assert Decimal(exact["tree"]["observations"][0]["value"]) == Decimal(13100) / Decimal(280000)


def test_explain_shows_the_decimals_that_tell_the_value_from_its_target(folder):
    (folder / "facts.csv").write_text("period,frais,ca\n2025-01,3999,100000\n")
    assert _run("explain", "pack.yaml", "poids", "--facts", "facts.csv", "--period", "2025-01").splitlines()[:2] == [
        "poids = 3,999 %",  # 4,0 % would contradict `atteint` beside a 4 % target
        "└─ frais / ca = 3,999 %",
    ]


def test_an_intermediate_number_without_unit_keeps_the_digits_that_matter(folder):
    (folder / "pack.yaml").write_text(
        "inputs:\n  a: {rollup: sum}\n  b: {rollup: sum}\n  c: {rollup: sum}\n"
        "kpis:\n  k: {formula: a / b * c, unit: EUR, frequency: monthly}\n"
    )
    (folder / "facts.csv").write_text("period,a,b,c\n2025-01,1,16,1000\n")
    lines = _run("explain", "pack.yaml", "k", "--facts", "facts.csv", "--period", "2025-01").splitlines()
    assert lines[:3] == ["k = 62,50 €", "└─ (a / b) * c = 62,50 €", "   ├─ a / b = 0,0625"]


def test_explain_names_the_period_a_value_was_read_at_and_gives_functions_their_argument_unit(folder):
    (folder / "pack.yaml").write_text(
        'inputs:\n  ca: {unit: EUR, rollup: sum}\nkpis:\n  cumul: {formula: "coalesce(prev(ca), 0) + ca", unit: EUR, frequency: monthly}\n'
    )
    (folder / "facts.csv").write_text("period,ca\n2025-01,100\n2025-02,50\n")
    assert _run("explain", "pack.yaml", "cumul", "--facts", "facts.csv", "--period", "2025-02").splitlines() == [
        "cumul = 150,00 €",
        "└─ coalesce(prev(ca), 0) + ca = 150,00 €",
        "   ├─ coalesce(prev(ca), 0) = 100,00 €",
        "   │  ├─ prev(ca) = 100,00 €",
        "   │  │  └─ ca [donnée] = 100,00 € (janvier 2025)",
        "   │  └─ 0 = (non évalué)",
        "   └─ ca [donnée] = 50,00 €",
    ]
    english = _run("explain", "pack.yaml", "cumul", "--facts", "facts.csv", "--period", "2025-02", "--lang", "en").splitlines()
    assert english[4] == "   │  │  └─ ca [input] = €100.00 (January 2025)"


@pytest.mark.parametrize(
    ("words", "period"),
    [
        ("mars 2025", "2025-03"),
        ("MARS 2025", "2025-03"),
        ("Fevrier 2025", "2025-02"),
        ("août  2025", "2025-08"),
        ("March 2025", "2025-03"),
        ("T1 2025", "2025-Q1"),
        ("q1 2025", "2025-Q1"),
        ("exercice 2025", "FY2025"),
        ("Exercice 2025", "FY2025"),
        ("T4 exercice 2025", "FY2025-Q4"),
        ("FY2025 Q4", "FY2025-Q4"),
        ("semaine 14 de 2025", "2025-W14"),
        ("week 7 of 2025", "2025-W07"),
        ("1 décembre 2026", "2026-12-01"),
        ("1er décembre 2026", "2026-12-01"),
        ("1 December 2026", "2026-12-01"),
    ],
)
def test_the_words_periods_are_shown_in_are_read_back(words, period):
    from kpi_engine.formatting import period_from_words

    assert str(period_from_words(words)) == str(Period.parse(period))


@pytest.mark.parametrize("period", ["2025-03", "2025-Q1", "2025-W14", "2026-12-01"])
def test_every_period_named_in_words_reads_back_as_itself(period):
    from kpi_engine.formatting import period_from_words, period_name

    for lang in ("fr", "en"):
        assert period_from_words(period_name(Period.parse(period), lang)) == Period.parse(period)


def test_the_period_option_reads_the_words_of_the_tables_in_both_languages(folder):
    coded = _run("evaluate", "pack.yaml", "--facts", "facts.csv", "--period", "2025-Q1", "--format", "json")
    for words in ("T1 2025", "Q1 2025", "t1 2025"):
        assert _run("evaluate", "pack.yaml", "--facts", "facts.csv", "--period", words, "--format", "json") == coded
    february = _run("evaluate", "pack.yaml", "--facts", "facts.csv", "--period", "2025-02")
    assert "poids            2025-02           7,0 %  4,0 %  +3,0 pt  manqué" in february
    assert _run("evaluate", "pack.yaml", "--facts", "facts.csv", "--period", "Février 2025") == february
    assert _run("evaluate", "pack.yaml", "--facts", "facts.csv", "--period", "february 2025", "--lang", "en") == _run(
        "evaluate", "pack.yaml", "--facts", "facts.csv", "--period", "2025-02", "--lang", "en"
    )


def test_the_period_option_reads_fiscal_words_in_a_fiscal_pack():
    args = ["evaluate", "examples/company", "--facts", "examples/facts/monthly.csv", "--entity", "lyon", "--format", "json"]
    for coded, french, english in (("FY2025-Q4", "T4 exercice 2025", "FY2025 Q4"), ("FY2025", "exercice 2025", "FY2025")):
        expected = _run(*args, "--period", coded)
        assert _run(*args, "--period", french) == expected and _run(*args, "--period", english) == expected


@pytest.mark.parametrize(
    ("words", "french", "english"),
    [
        (
            "marss 2025",
            "« marss 2025 » n'est pas une période : écrivez 2025, 2025-Q1, 2025-03, 2025-W07 ou 2025-03-15",
            "'marss 2025' is not a period: write 2025, 2025-Q1, 2025-03, 2025-W07 or 2025-03-15",
        ),
        (
            "31 février 2025",
            "« 31 février 2025 » n'est pas un jour valide : écrivez 2025, 2025-Q1, 2025-03, 2025-W07 ou 2025-03-15",
            "'31 février 2025' is not a valid daily period: write 2025, 2025-Q1, 2025-03, 2025-W07 or 2025-03-15",
        ),
        (
            "semaine 54 de 2025",
            "« semaine 54 de 2025 » n'est pas une semaine valide : écrivez 2025, 2025-Q1, 2025-03, 2025-W07 ou 2025-03-15",
            "'semaine 54 de 2025' is not a valid weekly period: write 2025, 2025-Q1, 2025-03, 2025-W07 or 2025-03-15",
        ),
    ],
)
def test_the_period_option_refuses_other_words_as_any_period(folder, words, french, english):
    args = ["evaluate", "pack.yaml", "--facts", "facts.csv", "--period", words]
    in_french = CliRunner().invoke(main, args, env=NO_LOCALE)
    assert in_french.exit_code == 2 and in_french.stderr.endswith(f"Erreur : Valeur invalide pour '--period' : {french}\n")
    in_english = CliRunner().invoke(main, [*args, "--lang", "en"], env=NO_LOCALE)
    assert in_english.exit_code == 2 and in_english.stderr.endswith(f"Error: Invalid value for '--period': {english}\n")


@pytest.mark.parametrize(
    ("template", "lang", "expected"),
    [
        ("trésorerie nette de {value:,.0f} € au {period}, passée sous zéro", "fr", "trésorerie nette (valeur indéfinie) en mai 2025, passée sous zéro"),
        ("net cash of €{value:,.0f} at {period}, fell below zero", "en", "net cash (undefined value) at May 2025, fell below zero"),
        ("coût horaire d'{value} €", "fr", "coût horaire (valeur indéfinie)"),
        ("Taux de marge brute négatif ({value:.1%}) au {period}", "fr", "Taux de marge brute négatif (valeur indéfinie) en mai 2025"),
        ("Transport du {period} : {value}", "fr", "Transport de mai 2025 : valeur indéfinie"),
        ("{value}", "en", "undefined value"),
        ("Margin: {value}% (target {value} pts)", "en", "Margin: undefined value (target undefined value)"),
    ],
)
def test_an_undefined_value_in_a_message_says_so_without_a_unit(template, lang, expected):
    fields = {"value": (None, "EUR"), "period": (Period.parse("2025-05"), "")}
    assert render_message(template, lambda name: fields[name], lang) == expected


CASH_PACK = """\
inputs:
  disponibilites: {unit: EUR, rollup: last}
  dettes: {unit: EUR, rollup: last}
kpis:
  tresorerie:
    label: {fr: "Trésorerie nette", en: "Net cash"}
    formula: disponibilites - dettes
    unit: EUR
    frequency: monthly
    alerts:
      - when: value < 0
        resolve_when: value > 10_000
        severity: critical
        message: {fr: "{entity} : trésorerie nette de {value} au {period}, passée sous zéro", en: "{entity}: net cash of {value} at {period}, fell below zero"}
"""


def test_an_alert_kept_open_over_an_undefined_value_says_the_value_is_undefined(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pack.yaml").write_text(CASH_PACK, encoding="utf-8")
    (tmp_path / "facts.csv").write_text("period,entity,disponibilites,dettes\n2025-01,lyon,1000,9145.37\n2025-02,lyon,2000,\n")
    french = json.loads(_run("evaluate", "pack.yaml", "--facts", "facts.csv", "--format", "json"))["alerts"]
    assert [a["message"] for a in french] == [
        "lyon : trésorerie nette (valeur indéfinie) en février 2025, passée sous zéro",
        "lyon : trésorerie nette de -8 145,37 € en janvier 2025, passée sous zéro",
    ]
    english = json.loads(_run("evaluate", "pack.yaml", "--facts", "facts.csv", "--format", "json", "--lang", "en"))["alerts"]
    assert [a["message"] for a in english] == [
        "lyon: net cash (undefined value) at February 2025, fell below zero",
        "lyon: net cash of -€8,145.37 at January 2025, fell below zero",
    ]


@pytest.mark.parametrize(
    ("value", "unit", "french", "english"),
    [
        ("-8145.37", "EUR", "Trésorerie : -8 145,37 €", "Cash: -€8,145.37"),  # cents as the tables show them
        ("10000", "EUR", "Trésorerie : 10 000 €", "Cash: €10,000"),  # none to show
        ("95.2", "EUR/hours", "Trésorerie : 95,20 €/h", "Cash: €95.20/hour"),
        ("0.0745", "percent", "Trésorerie : 7,5 %", "Cash: 7.5%"),
    ],
)
def test_an_amount_in_a_message_keeps_its_cents(value, unit, french, english):
    assert render_message("Trésorerie : {value}", lambda name: (Decimal(value), unit), "fr") == french
    assert render_message("Cash: {value}", lambda name: (Decimal(value), unit), "en") == english
