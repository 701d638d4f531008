"""The solve, sensitivity, explain-change and lint commands through click's CliRunner: their text in French and
English, the exact figures behind --details, JSON, exit codes, and questions asked at a coarser period."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from kpi_engine.cli import main
from kpi_engine.cli.analysis import EXIT_NO_ANSWER, explain_change_command, lint_command, sensitivity_command, solve_command

for _command in (solve_command, sensitivity_command, explain_change_command, lint_command):
    if _command.name not in main.commands:
        main.add_command(_command)

DATA = Path(__file__).parent / "data" / "symbolic"
ROOT = Path(__file__).parent.parent
PACK, FACTS, QUARTERS = str(DATA / "good"), str(DATA / "facts.yaml"), str(DATA / "quarters.yaml")
COMPANY, MONTHLY = str(ROOT / "examples" / "company"), str(ROOT / "examples" / "facts" / "monthly.csv")


def run(*args: str, lang: str = "en"):
    return CliRunner().invoke(main, [*args, "--lang", lang])


# --- solve ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("fr", "Pour atteindre 0 € de resultat en janvier 2025, il faudrait 300 000 € de chiffre d'affaires, soit +299 000 € par rapport à aujourd'hui."),
        ("en", "To bring the resultat to €0 in January 2025, revenue would need to be €300,000, €299,000 more than today."),
    ],
)
def test_solve_leads_with_a_sentence(lang, sentence):
    # resultat = ca * 0.4 - 120000 = 0  =>  ca = 300000, today 1000
    result = run("solve", PACK, "resultat", "--vary", "ca", "--facts", FACTS, "--period", "2025-01", lang=lang)
    assert result.exit_code == 0, result.output
    assert result.stdout == sentence + "\n"


def test_solve_details_give_the_exact_figures_and_the_algebra():
    english = run("solve", PACK, "resultat", "--vary", "ca", "--facts", FACTS, "--period", "2025-01", "--details").stdout
    assert "  now: ca = 1000, resultat = -119600.0" in english
    assert "  solution: ca = 300000 (€300,000.00), exact 300000" in english
    assert "    check: resultat re-evaluated = 0: ok" in english
    assert "  in general: ca = charges_fixes/taux_mcv" in english
    french = run("solve", PACK, "resultat", "--vary", "ca", "--facts", FACTS, "--period", "2025-01", "--details", lang="fr").stdout
    assert "  actuellement : ca = 1000, resultat = -119600,0" in french
    assert "  solution : ca = 300000 (300 000,00 €), exact 300000" in french
    assert "    vérification : resultat recalculé = 0 : ok" in french
    assert "  écrit dans les données : ca mis à 300000 pour 2025-01" in french
    assert "  en général : ca = charges_fixes/taux_mcv" in french


def test_solve_json_keeps_its_machine_form_and_gains_the_sentence():
    result = run("solve", PACK, "margin", "--target", "50%", "--vary", "cost", "--facts", FACTS, "--period", "2025-01", "--format", "json", lang="fr")
    # (1000 - cost) / 1000 = 0.5  =>  cost = 500, today 600
    record = json.loads(result.stdout)
    assert result.exit_code == 0
    assert record["status"] == "solved" and record["solutions"][0]["value"] == "500" and record["target"] == "0.5"
    assert record["text"] == "Pour atteindre 50,0 % de marge en janvier 2025, il faudrait 500 € de coûts, soit -100 € par rapport à aujourd'hui."


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("fr", "Pour atteindre 35,0 % de marge au T2 2025, il faudrait 2 600 € de coûts, soit -200 € par rapport à aujourd'hui."),
        ("en", "To bring the margin to 35.0% in Q2 2025, costs would need to be €2,600, €200 less than today."),
    ],
)
def test_solve_at_a_quarter_of_a_monthly_kpi(lang, sentence):
    # Q2 2025 rolled up: ca 1200 + 1300 + 1500 = 4000, cost 800 + 900 + 1100 = 2800
    # (4000 - cost) / 4000 = 0.35  =>  cost = 2600, 200 less; the three months scaled by 2600/2800
    result = run("solve", PACK, "margin", "--target", "35%", "--vary", "cost", "--facts", QUARTERS, "--period", "2025-Q2", "--details", lang=lang)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == sentence
    spread = {
        "fr": "  écrit dans les données : les 3 chiffres mensuels de cost dans 2025-Q2 ajustés dans la même proportion (agrégation sum)",
        "en": "  written into the facts as: cost's 3 monthly facts within 2025-Q2 scaled proportionally (sum roll-up)",
    }
    assert spread[lang] in result.stdout.splitlines()


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        (
            "fr",
            (
                "Pour atteindre -200 000 € de resultat en janvier 2025, il faudrait -200 000 € de chiffre d'affaires, "
                "hors des bornes déclarées (minimum 0 €) : pas de réponse possible."
            ),
        ),
        (
            "en",
            (
                "To bring the resultat to -€200,000 in January 2025, revenue would need to be -€200,000, "
                "outside its declared bounds (minimum €0): no possible answer."
            ),
        ),
    ],
)
def test_solve_out_of_bounds_exits_5(lang, sentence):
    # ca * 0.4 - 120000 = -200000  =>  ca = -200000, below ca's declared min 0
    result = run("solve", PACK, "resultat", "--target", "-200000", "--vary", "ca", "--facts", FACTS, "--period", "2025-01", "--details", lang=lang)
    assert result.exit_code == EXIT_NO_ANSWER
    assert result.stdout.splitlines()[0] == sentence
    outside = {
        "fr": "HORS de ce que la donnée peut valoir : sous le minimum déclaré 0 de ca",
        "en": "OUTSIDE what the input can be: below the declared min 0 of ca",
    }
    assert outside[lang] in result.stdout


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("fr", "Aucune valeur de chiffre d'affaires ne permet d'atteindre 5 000 € de capped en janvier 2025."),
        ("en", "No value of revenue brings the capped to €5,000 in January 2025."),
    ],
)
def test_solve_no_solution_exits_5(lang, sentence):
    # capped = min(ca, 1000) + max(cost - 500, 0) is at most 1000 + 100 with cost 600
    result = run("solve", PACK, "capped", "--target", "5000", "--vary", "ca", "--facts", FACTS, "--period", "2025-01", lang=lang)
    assert result.exit_code == EXIT_NO_ANSWER and result.stdout == sentence + "\n"


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("fr", "Pour atteindre 1 100 € de capped en janvier 2025, toute valeur de chiffre d'affaires d'au moins 1 000 € convient : pas de réponse unique."),
        ("en", "To bring the capped to €1,100 in January 2025, any value of revenue of at least €1,000 would do: there is no single answer."),
    ],
)
def test_solve_a_flat_part_gives_the_range(lang, sentence):
    # capped = min(ca, 1000) + max(600 - 500, 0) = 1100 for every ca >= 1000
    result = run("solve", PACK, "capped", "--target", "1100", "--vary", "ca", "--facts", FACTS, "--period", "2025-01", lang=lang)
    assert result.exit_code == EXIT_NO_ANSWER and result.stdout == sentence + "\n"


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("fr", "Pour atteindre 2 500 de carre en janvier 2025, il faudrait 50 € ou 150 € de chiffre d'affaires : choisissez la valeur qui a du sens."),
        ("en", "To bring the carre to 2,500 in January 2025, revenue could be €50 or €150: choose the one that makes sense."),
    ],
)
def test_solve_lists_several_solutions(lang, sentence):
    # (ca - 100)^2 = 2500  =>  ca = 50 or 150, both within ca's min 0
    result = run("solve", PACK, "carre", "--target", "2500", "--vary", "ca", "--facts", FACTS, "--period", "2025-01", lang=lang)
    assert result.exit_code == 0 and result.stdout == sentence + "\n"


def test_solve_round_says_why_not():
    result = run("solve", PACK, "arrondi", "--target", "10", "--vary", "ca", "--facts", FACTS, "--period", "2025-01")
    assert result.exit_code == EXIT_NO_ANSWER
    assert "no answer: arrondi: round() is a step function" in result.stderr
    french = run("solve", PACK, "arrondi", "--target", "10", "--vary", "ca", "--facts", FACTS, "--period", "2025-01", lang="fr")
    assert "pas de réponse : arrondi: round() is a step function" in french.stderr


def test_solve_without_a_target_says_so_in_french():
    result = run("solve", PACK, "margin", "--vary", "cost", "--facts", FACTS, "--period", "2025-01", lang="fr")
    assert result.exit_code == EXIT_NO_ANSWER
    assert "pas de réponse : margin n'a pas de cible : donnez-en une avec --target" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("margn", "--vary", "ca"), "unknown KPI 'margn' (did you mean 'margin'?)"),
        (("margin", "--vary", "margin"), "'margin' is not an input"),
    ],
)
def test_solve_usage_errors_exit_2(args, message):
    kpi, *rest = args
    result = run("solve", PACK, kpi, *rest, "--target", "1", "--facts", FACTS, "--period", "2025-01")
    assert result.exit_code == 2 and message in result.output


def test_solve_an_unknown_input_is_told_in_french():
    result = run("solve", PACK, "margin", "--vary", "cots", "--target", "1", "--facts", FACTS, "--period", "2025-01", lang="fr")
    assert result.exit_code == 2 and "« cots » n'est pas une donnée d'entrée du pack (vouliez-vous dire « cost » ?)" in result.output
    unknown = run("solve", PACK, "margn", "--vary", "cost", "--target", "1", "--facts", FACTS, "--period", "2025-01", lang="fr")
    assert unknown.exit_code == 2 and "indicateur inconnu « margn » (vouliez-vous dire « margin » ?)" in unknown.output


def test_solve_invalid_pack_exits_1(tmp_path):
    (tmp_path / "pack.yaml").write_text("kpis:\n  x: {formula: 'a +', frequency: monthly}\n")
    result = run("solve", str(tmp_path), "x", "--vary", "a", "--facts", FACTS, "--period", "2025-01")
    assert result.exit_code == 1


def test_solve_unreadable_facts_exit_3(tmp_path):
    result = run("solve", PACK, "resultat", "--vary", "ca", "--facts", str(tmp_path / "missing.csv"), "--period", "2025-01")
    assert result.exit_code == 3


def test_solve_on_the_example_company_quarterly_break_even():
    # the contribution-margin rate at 2025-Q4 brought to 50% by the variable costs; checked by re-evaluation
    result = run(
        "solve",
        COMPANY,
        "taux_marge_cout_variable",
        "--target",
        "50%",
        "--vary",
        "charges_variables",
        "--facts",
        MONTHLY,
        "--period",
        "2025-Q4",
        "--entity",
        "lyon",
        "--details",
    )
    assert result.exit_code == 0, result.output
    assert "scaled proportionally (sum roll-up)" in result.stdout and ": ok" in result.stdout


def test_solve_a_monthly_kpi_at_the_quarter_on_the_example_company():
    # used to answer "taux_marge_nette is monthly: give a monthly period"
    result = run(
        "solve", COMPANY, "taux_marge_nette", "--vary", "ventes_marchandises", "--facts", MONTHLY, "--period", "2025-Q2", "--entity", "lyon", lang="fr"
    )
    assert result.exit_code == 0, result.output
    # the example's years start in July: the calendar's second quarter is its fourth fiscal quarter, named so
    assert result.stdout.startswith("Pour atteindre 6,0 % de taux de marge nette au T4 exercice 2025 (lyon), il faudrait ")


# --- sensitivity ------------------------------------------------------------------------
SENSITIVITY = {
    # margin = (ca - cost)/ca at ca 1000, cost 600: 1 % more ca moves it by cost/ca² · ca/100 = 0.006,
    # 1 % more cost by -1/ca · cost/100 = -0.006
    "fr": [
        "Marge : 40,0 % en janvier 2025.",
        "Leviers, du plus fort au plus faible :",
        "  1. +1 % de chiffre d'affaires ajouterait 0,6 pt de marge",
        "  2. +1 % de coûts retirerait 0,6 pt de marge",
    ],
    "en": [
        "Margin: 40.0% in January 2025.",
        "Levers, strongest first:",
        "  1. 1% more revenue would add 0.6 pts to the margin",
        "  2. 1% more costs would take 0.6 pts off the margin",
    ],
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_sensitivity_ranks_levers_in_words(lang):
    result = run("sensitivity", PACK, "margin", "--facts", FACTS, "--period", "2025-01", lang=lang)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == SENSITIVITY[lang]


def test_sensitivity_details_table():
    # elasticities 0.0006 · 1000 / 0.4 = 1.5 and -0.001 · 600 / 0.4 = -1.5
    lines = run("sensitivity", PACK, "margin", "--facts", FACTS, "--period", "2025-01", "--details").stdout.splitlines()
    assert lines[5] == "margin = 0.4 at 2025-01"
    assert lines[6].split() == ["rank", "variable", "value", "∂KPI/∂x", "elasticity"]
    assert lines[7].split() == ["1", "ca", "1000", "0.0006", "1.5"]
    assert lines[8].split() == ["2", "cost", "600", "-0.001", "-1.5"]
    french = run("sensitivity", PACK, "margin", "--facts", FACTS, "--period", "2025-01", "--details", lang="fr").stdout.splitlines()
    assert french[7].split() == ["1", "ca", "1000", "0,0006", "1,5"]


@pytest.mark.parametrize(
    ("lang", "note"),
    [
        (
            "fr",
            (
                "La valeur de l'indicateur est négative : une élasticité (--details) se rapporte à elle, donc son signe est l'inverse de l'effet "
                "(une élasticité négative signifie ici qu'une hausse du levier fait monter l'indicateur) ; les effets ci-dessus se lisent tels quels."
            ),
        ),
        (
            "en",
            (
                "The KPI's value is negative: an elasticity (--details) is relative to it, so its sign is the opposite of the effect "
                "(a negative elasticity here means that raising the lever raises the KPI); the effects above read as they are."
            ),
        ),
    ],
)
def test_sensitivity_of_a_negative_kpi_explains_the_sign_of_elasticities(lang, note):
    # 2025-07: ca 1000, cost 1500, margin -0.5; 1 % more ca: +1500/1000² · 10 = +0.015 (+1.5 pt), elasticity 0.0015 · 1000 / -0.5 = -3
    lines = run("sensitivity", PACK, "margin", "--facts", QUARTERS, "--period", "2025-07", "--details", lang=lang).stdout.splitlines()
    assert (
        lines[2] == {"fr": "  1. +1 % de chiffre d'affaires ajouterait 1,5 pt de marge", "en": "  1. 1% more revenue would add 1.5 pts to the margin"}[lang]
    )
    assert lines[4] == note
    assert lines[8].split()[:5] == ["1", "ca", "1000", {"fr": "0,0015", "en": "0.0015"}[lang], "-3"]


def test_sensitivity_at_a_quarter_of_a_monthly_kpi():
    # Q2 2025: ca 4000, cost 2800, margin 0.3; 1 % more ca: 2800/4000² · 40 = 0.007; 1 % more cost: -1/4000 · 28 = -0.007
    result = run("sensitivity", PACK, "margin", "--facts", QUARTERS, "--period", "2025-Q2", lang="fr")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Marge : 30,0 % au T2 2025.",
        "Leviers, du plus fort au plus faible :",
        "  1. +1 % de chiffre d'affaires ajouterait 0,7 pt de marge",
        "  2. +1 % de coûts retirerait 0,7 pt de marge",
    ]


def test_sensitivity_json_and_wrong_period():
    record = json.loads(run("sensitivity", PACK, "margin", "--facts", FACTS, "--period", "2025-01", "--format", "json").stdout)
    assert record["levers"][0] == {
        "name": "ca",
        "kind": "input",
        "value": "1000",
        "derivative": "0.0006",
        "elasticity": "1.5",
        "formula": "cost/ca^2",
        "note": None,
    }
    assert record["text"] == "\n".join(SENSITIVITY["en"])
    result = run("sensitivity", PACK, "revenue_q", "--facts", FACTS, "--period", "2025-01")
    assert result.exit_code == 2 and "revenue_q is quarterly: give a quarter or a longer period made of quarters, not 2025-01" in result.stderr
    french = run("sensitivity", PACK, "revenue_q", "--facts", FACTS, "--period", "2025-01", lang="fr")
    assert "revenue_q est trimestriel : donnez un trimestre ou une période plus longue faite de trimestres, pas 2025-01" in french.stderr


def test_a_choice_made_at_the_period_is_told_with_the_answer(tmp_path):
    # coalesce(taux, 25%) with no fact for taux: net = 1000 * 0.75 = 750; 1 % more ca adds 7.50
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "pack.yaml").write_text(
        "inputs:\n  ca: {unit: EUR, rollup: sum, label: {fr: Ventes, en: Sales}}\n  taux: {unit: percent, rollup: last}\n"
        "kpis:\n  net:\n    label: {fr: Résultat net, en: Net result}\n    formula: ca * (1 - coalesce(taux, 25%))\n    unit: EUR\n    frequency: monthly\n",
        encoding="utf-8",
    )
    (tmp_path / "facts.yaml").write_text("2025-01: {ca: 1000}\n", encoding="utf-8")
    result = run("sensitivity", str(tmp_path / "pack"), "net", "--facts", str(tmp_path / "facts.yaml"), "--period", "2025-01", lang="fr")
    assert result.stdout.splitlines() == [
        "Résultat net : 750 € en janvier 2025.",
        "Leviers, du plus fort au plus faible :",
        "  1. +1 % de ventes ajouterait 7,50 € de résultat net",
        "Note : coalesce(taux, 25%) vaut ici 25% pour 2025-01 : donnée manquante « taux » pour 2025-01",
    ]


# --- explain-change -------------------------------------------------------------------------
def test_explain_change_price_volume():
    # 1000 -> 1320: price 2 × (100 + 110)/2 = 210, volume 10 × (10 + 12)/2 = 110
    result = run("explain-change", PACK, "revenue", "--from", "2025-01", "--to", "2025-02", "--facts", FACTS, lang="fr")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "revenue : de 1 000 € en janvier 2025 à 1 320 € en février 2025 (+320 €), "
        "principalement à cause de price en hausse (+210 €) et de volume en hausse (+110 €)."
    )
    rows = {line.split()[0]: line.split() for line in lines[2:] if line.split()}
    assert rows["Variable"] == ["Variable", "janvier", "2025", "février", "2025", "Contribution", "Part"]
    assert rows["price"][1:] == ["10,00", "€", "12,00", "€", "+210", "€", "65,6", "%"]
    assert rows["volume"][1:] == ["100", "110", "+110", "€", "34,4", "%"]
    assert rows["Total"][1:] == ["1", "000", "€", "1", "320", "€", "+320", "€", "100,0", "%"]


QUARTER_BRIDGE = {
    # Q2 2024: ca 3000, cost 1800, margin 0.4; Q2 2025: ca 4000, cost 2800, margin 0.3; change -0.1
    # Shapley on 1 - cost/ca: ca ½((0.55 - 0.4) + (0.3 - 1/15)) = 23/120 (+19.2 pt); cost ½((1/15 - 0.4) + (0.3 - 0.55)) = -7/24 (-29.2 pt)
    "fr": [
        (
            "Marge : de 40,0 % au T2 2024 à 30,0 % au T2 2025 (-10,0 pt), "
            "principalement à cause de coûts en hausse (-29,2 pt), malgré chiffre d'affaires en hausse (+19,2 pt)."
        ),
        "",
        "Variable               T2 2024     T2 2025  Contribution      Part",
        "------------------  ----------  ----------  ------------  --------",
        "Coûts               1 800,00 €  2 800,00 €      -29,2 pt   291,7 %",
        "Chiffre d'affaires  3 000,00 €  4 000,00 €      +19,2 pt  -191,7 %",
        "Total                   40,0 %      30,0 %      -10,0 pt   100,0 %",
        "Les contributions s'additionnent exactement à la variation (valeurs de Shapley exactes) ; --details et --format json donnent les fractions.",
    ],
    "en": [
        "Margin: from 40.0% in Q2 2024 to 30.0% in Q2 2025 (-10.0 pts), mainly because of higher costs (-29.2 pts), despite higher revenue (+19.2 pts).",
        "",
        "Variable    Q2 2024    Q2 2025  Contribution    Share",
        "--------  ---------  ---------  ------------  -------",
        "Costs     €1,800.00  €2,800.00     -29.2 pts   291.7%",
        "Revenue   €3,000.00  €4,000.00     +19.2 pts  -191.7%",
        "Total         40.0%      30.0%     -10.0 pts   100.0%",
        "Contributions add up exactly to the change (exact Shapley values); --details and --format json give the fractions.",
    ],
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_explain_change_between_quarters_of_a_monthly_kpi(lang):
    result = run("explain-change", PACK, "margin", "--from", "2024-Q2", "--to", "2025-Q2", "--facts", QUARTERS, lang=lang)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == QUARTER_BRIDGE[lang]


def test_explain_change_details_give_exact_fractions():
    lines = run("explain-change", PACK, "margin", "--from", "2024-Q2", "--to", "2025-Q2", "--facts", QUARTERS, "--details").stdout.splitlines()
    assert lines[-3].split() == ["ca", "3000", "4000", "0.1916666666666666666666666667", "23/120"]
    assert lines[-2].split() == ["cost", "1800", "2800", "-0.2916666666666666666666666667", "-7/24"]
    assert lines[-1].split() == ["total", "0.4", "0.3", "-0.1", "-1/10"]


def test_explain_change_json_gives_exact_fractions():
    result = run("explain-change", PACK, "croissance", "--from", "2025-02", "--to", "2025-03", "--facts", FACTS, "--format", "json")
    record = json.loads(result.stdout)
    assert record["change_exact"] == "-8/15"
    assert [(c["name"], c["exact"]) for c in record["contributions"]] == [("ca", "-11/30"), ("prev(ca)", "-1/6")]
    # 1200/1000 - 1 = 20 % -> 800/1200 - 1 = -33.3 %: the held previous revenue is named by its input's label
    assert record["text"] == "croissance: from 20.0% in February 2025 to -33.3% in March 2025 (-53.3 pts), mainly because of lower revenue (-36.7 pts)."


def test_explain_change_names_the_previous_period_in_the_table():
    lines = run("explain-change", PACK, "croissance", "--from", "2025-02", "--to", "2025-03", "--facts", FACTS, lang="fr").stdout.splitlines()
    assert lines[5].split()[:4] == ["Chiffre", "d'affaires", "(période", "précédente)"]


def test_explain_change_compares_periods_of_one_length():
    result = run("explain-change", PACK, "margin", "--from", "2024-Q2", "--to", "2025-05", "--facts", QUARTERS, lang="fr")
    assert result.exit_code == 2
    assert "Valeur invalide pour --to : comparez des périodes de même durée : 2024-Q2 est trimestriel, 2025-05 est mensuel" in result.stderr


def test_explain_change_needs_an_entity_when_the_facts_have_some():
    result = run("explain-change", COMPANY, "taux_marge_brute", "--from", "2025-09", "--to", "2025-10", "--facts", MONTHLY)
    assert result.exit_code == 2 and "choose one of: bordeaux, lyon" in result.output


def test_explain_change_of_the_quarter_on_the_example_company():
    # the question of issue 13: "why did Q2 move against last year?" on a monthly KPI
    result = run("explain-change", COMPANY, "chiffre_affaires_ht", "--from", "2024-Q2", "--to", "2025-Q2", "--facts", MONTHLY, "--entity", "lyon", lang="fr")
    assert result.exit_code == 0, result.output
    # the example's years start in July: the calendar's second quarters are its fourth fiscal quarters, named so
    assert result.stdout.startswith(
        "Chiffre d'affaires HT (lyon) : de 588 466,66 € au T4 exercice 2024 à 639 728,10 € au T4 exercice 2025 (+51 261,44 €), principalement à cause de "
    )


def test_a_period_the_facts_do_not_cover_is_a_usage_error_on_its_option():
    result = run("explain-change", PACK, "margin", "--from", "2025-01", "--to", "2030-01", "--facts", FACTS)
    assert result.exit_code == 2 and "Invalid value for --to: the facts do not cover 2030-01" in result.stderr
    french = run("explain-change", PACK, "margin", "--from", "2025-01", "--to", "2030-01", "--facts", FACTS, lang="fr")
    assert "les données ne couvrent pas janvier 2030 : elles vont de 2025-01 à 2025-03" in french.stderr


# --- lint ---------------------------------------------------------------------------------------
def test_lint_clean_exits_0():
    result = run("lint", PACK)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{PACK}: no algebraic problem found\n"
    assert run("lint", PACK, lang="fr").stdout == f"{PACK} : aucun problème algébrique trouvé\n"


def test_lint_warnings_exit_1():
    result = run("lint", str(DATA / "lint"))
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert first.endswith("pack.yaml:9:3): a duplicate under another name?")
    assert "pack.yaml:14:14: warning: KPI 'marge_bis' is algebraically the same as 'marge' (" in first
    assert ":22:19: warning: 'par_solde' divides by solde" in result.stdout
    assert result.stderr == "6 warnings\n"
    french = run("lint", str(DATA / "lint"), lang="fr")
    assert (
        "pack.yaml:22:19: attention : l'indicateur « par_solde » divise par la donnée « solde », déclarée avec un minimum de -50 000 :"
        " elle peut valoir 0, et « par_solde » est alors indéfini" in french.stdout
    )
    assert french.stderr == "6 avertissements\n"


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        (
            "fr",
            (
                ":38:26: attention : l'indicateur « taux_cent » est en pourcentage et sa formule multiplie par 100 : "
                "un pourcentage est une fraction (0,075 s'affiche 7,5 %) ; retirez `* 100`"
            ),
        ),
        (
            "en",
            (
                ":38:26: warning: 'taux_cent' is a percent KPI and its formula multiplies by 100: "
                "percent KPIs are fractions (0.075 shows as 7.5%); remove `* 100`"
            ),
        ),
    ],
)
def test_lint_warns_on_times_100_in_a_percent_kpi(lang, line):
    result = run("lint", str(DATA / "lint"), lang=lang)
    lines = result.stdout.splitlines()
    index = next(i for i, text in enumerate(lines) if "taux_cent" in text)
    assert lines[index].endswith("lint/pack.yaml" + line)
    assert lines[index + 2].strip() == "^^^"  # under the 100 of `cost / ca * 100`


# --- the outputs shown in docs/analysis.md are the real ones -------------------------------------
def _console_examples(path: Path) -> list[tuple[str, str]]:
    """(command, expected stdout) for each `$ kpi ...` of the ```console blocks of a page; `\\` continues a command."""
    examples: list[tuple[str, str]] = []
    for block in re.findall(r"^```console\n(.*?)^```$", path.read_text(encoding="utf-8"), re.M | re.S):
        lines = block.splitlines()
        index = 0
        while index < len(lines):
            command = lines[index].removeprefix("$ ")
            while command.endswith("\\"):
                index += 1
                command = command[:-1] + lines[index].strip()
            output = []
            index += 1
            while index < len(lines) and not lines[index].startswith("$ "):
                output.append(lines[index])
                index += 1
            examples.append((command, "\n".join(output)))
    return examples


DOCUMENTED = _console_examples(ROOT / "docs" / "analysis.md")


@pytest.mark.parametrize(("command", "expected"), DOCUMENTED, ids=[command[:60] for command, _ in DOCUMENTED])
def test_documented_outputs(command, expected, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("KPI_LANG", "fr")
    result = CliRunner().invoke(main, shlex.split(command)[1:])
    assert result.stdout.rstrip("\n") == expected.rstrip("\n")


def test_the_documentation_shows_each_analysis_command():
    assert {command.split()[1] for command, _ in DOCUMENTED} == {"solve", "sensitivity", "explain-change", "lint"}


# --- numbers and periods for sentences ------------------------------------------------------------
@pytest.mark.parametrize(
    ("period", "fr", "en"),
    [
        ("2025-04", "en avril 2025", "in April 2025"),
        ("2025-Q2", "au T2 2025", "in Q2 2025"),
        ("2025", "en 2025", "in 2025"),
        ("2025-W14", "en semaine 14 de 2025", "in week 14 of 2025"),
        ("2025-04-03", "le 3 avril 2025", "on 3 April 2025"),
    ],
)
def test_periods_are_named_as_a_reader_names_them(period, fr, en):
    from kpi_engine.formatting import period_phrase
    from kpi_engine.periods import Period

    assert (period_phrase(Period.parse(period), "fr"), period_phrase(Period.parse(period), "en")) == (fr, en)


@pytest.mark.parametrize(
    ("change", "unit", "fr", "en"),
    [
        ("15043.2", "EUR", "+15 043,20 €", "+€15,043.20"),  # cents kept, as in the tables
        ("15043", "EUR", "+15 043 €", "+€15,043"),  # none to show
        ("-42.5", "EUR", "-42,50 €", "-€42.50"),
        ("-0.1214604614546679491852066505", "percent", "-12,1 pt", "-12.1 pts"),
        ("0.00004", "percent", "+0,004 pt", "+0.004 pts"),  # not 0: more decimals rather than a change shown as 0
        ("0", "percent", "0,0 pt", "0.0 pts"),
    ],
)
def test_changes_are_signed_and_percents_change_in_points(change, unit, fr, en):
    from decimal import Decimal

    from kpi_engine.formatting import format_change

    assert (format_change(Decimal(change), unit, "fr"), format_change(Decimal(change), unit, "en")) == (fr, en)



@pytest.mark.parametrize(
    "question",
    [
        ("explain", PACK, "resultat", "--period", "2025-01"),
        ("solve", PACK, "resultat", "--vary", "ca", "--period", "2025-01"),
        ("sensitivity", PACK, "resultat", "--period", "2025-01"),
        ("explain-change", PACK, "resultat", "--from", "2025-01", "--to", "2025-02"),
    ],
)
def test_questions_about_one_entity_facts_need_no_entity(tmp_path, question):
    # issue 13: facts of one entity only (the tutorial's atelier) answer for it without --entity
    rows = ["period,entity,name,value", "2025-01,atelier,ca,1000", "2025-01,atelier,taux_mcv,0.4", "2025-01,atelier,charges_fixes,120000",
            "2025-02,atelier,ca,1200", "2025-02,atelier,taux_mcv,0.5", "2025-02,atelier,charges_fixes,120000"]
    facts = tmp_path / "atelier.csv"
    facts.write_text("\n".join(rows) + "\n", encoding="utf-8")
    for fmt in ("text", "json"):
        chosen = run(*question, "--facts", str(facts), "--format", fmt, "--entity", "atelier")
        assert chosen.exit_code == 0 and (fmt == "text" or '"atelier"' in chosen.stdout), chosen.output
        assert run(*question, "--facts", str(facts), "--format", fmt).stdout == chosen.stdout
