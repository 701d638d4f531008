"""Undefined reasons are data: every code renders in English (the text of record) and French."""

import re
from decimal import Decimal

import pytest

from kpi_engine import Facts, Pack
from kpi_engine.facts_messages import FACTS_MESSAGES
from kpi_engine.formula_messages import FORMULA_MESSAGES
from kpi_engine.pack_messages import PACK_MESSAGES
from kpi_engine.periods import Period
from kpi_engine.reasons import CATALOG, Reason
from kpi_engine.service_messages import SERVICE_MESSAGES

SAMPLE = {
    "name": "stocks",
    "period": Period.parse("2025-03"),
    "entity": "lyon",
    "known": "yearly",
    "frequency": "monthly",
    "since": Period.parse("2025-01"),
    "start": Period.parse("2024-07"),
    "denominator": "chiffre_affaires_ht",
    "error": "Overflow",
    "member": "gare",
    "group": "groupe_martin",
    "hint": "stock",
    "value": Decimal("-2400.00"),
    "bounds": (0, None),
    "spelled": (("Lyon", "a.csv:2"), ("lyon", "a.csv:3")),
    "count": 2,
    "others": 3,
    "shown": "2025-01, 2025-02",
    "more": 3,
    "limit": 10000,
    "names": ("colonne_1", "colonne_2"),
    "input": "chiffre_affaires_ht",
    "kind": "income",
    "input_kind": "charge",
    "title": "CA production",
    "title_kind": None,
    "scenario": "budget",
    "closest": "budget",
    "inputs": "ventes_marchandises, production_vendue",
}
# the facts files' and the pack's catalogues name some parameters alike (`found`, `first`...), with values of their own
FACTS_SAMPLE = {
    "written": "2025-13",
    "period_frequency": "monthly",
    "form": Reason.of("form_quarter"),
    "example": "2025-01",
    "example_form": Reason.of("form_standard"),
    "at": "f.csv:2",
    "like_it": Reason.of("more_like_it", others=3),
    "moment": "2025-03-01 10:30:00",
    "digits": 30,
    "largest": "1.7e14",
    "exponent": 100,
    "month": 7,
    "fiscal": "FY2025",
    "length": 5000,
    "whole": "1500",
    "decimal": "1.500",
    "found": Reason.of("nothing_found"),
    "column": 3,
    "first_column": 2,
    "first_title": "CA",
    "cells": 5,
    "columns": 4,
    "date": "2025-03-15",
    "for_entity": Reason.of("for_entity", name="lyon"),
    "under_scenario": Reason.of("under_scenario", scenario="budget"),
    "earlier": Decimal("1200.50"),
    "number": 4,
    "detail": "Expecting value",
    "format": "csv",
    "part": "Ventes",
    "sheet": "Vente",
    "sheets": "Ventes, Budget",
    "file": "budget.xlsx",
    "missing": "EcritureDate, CompteNum",
    "legal": "JournalCode, JournalLib",
    "absent": "Montantdevise, Idevise",
    "entry": "VT12",
    "journal": "VT",
    "debit": Decimal("1200.00"),
    "credit": Decimal("1000.00"),
    "difference": Decimal("200.00"),
    "first": Period.parse("2024-01"),
    "last": "20241231",
    "closing": "20241130",
    "other_first": Period.parse("2024-01"),
    "other_last": Period.parse("2024-12"),
    "of_entity": Reason.of("of_entity", name="lyon"),
    "source": "812345676FEC20241231.txt",
    "accounts": (Reason.of("debit_balance", account="6094", label="RRR obtenus", amount=Decimal("120.00")),),
    "account": "4458",
    "label": "TVA à régulariser",
    "amount": Decimal("35.10"),
}
PACK_SAMPLE = {
    "where": "kpis.marge.alerts[1].severity",
    "key": "cible",
    "allowed": "formula, frequency, target",
    "split": "",
    "braces": "{...}",
    "word": "monthly",
    "found": Reason.of("found_text", quoted="'mensuel'", text="mensuel"),
    "choices": "daily, weekly, monthly",
    "expected": Reason.of("either", first=Reason.of("type_string"), second=Reason.of("type_integer")),
    "accents": Reason.of("name_without_accents", spelling="cout_matieres"),
    "spelling": "cout_matieres",
    "given": "last",
    "bound": Decimal("0.5"),
    "text": "mensuel",
    "quoted": "'mensuel'",
    "pattern": "^[a-z]+$",
    "detail": "[] should be non-empty",
    "type": "null",
    "first": "a",
    "second": "b",
    "last": "2025-12",
    "number": Decimal("1234.5"),
    "line": 12,
    "tag": "!!python/object",
    "entries": 10000,
    "depth": 8,
    "root": "/work",
    "base": "../base",
    "path": "/etc/pack",
    "bases": "'standard'",
    "byte": 3,
    "file_kind": Reason.of("file_dir"),
    "folder": "sortie",
    "place": "base/pack.yaml:3:3",
    "rollup": "sum",
    "other": Reason.of("a_kpi"),
    "why": Reason.of("override_unknown"),
    "excluded": "marge",
    "cycle": "a -> b -> a",
    "ways": Reason.of("both", first=Reason.of("as_member"), second=Reason.of("through", way="sud")),
    "way": "sud",
    "rule": Reason.of("rule_flow"),
    "account": "707",
    "test": "mars",
    "listed": Reason.of("no_entities"),
    "span": Reason.of("span", first=Period.parse("2025-01"), last=Period.parse("2025-03")),
    "backend": "duckdb",
    "for_entity": Reason.of("test_for_entity", name="lyon"),
    "under": Reason.of("under_scenario", scenario="budget"),
    "field": Reason.of("field_gap"),
    "got": Decimal("0.25"),
    "wanted": Decimal("0.3"),
    "rounded": Decimal("0.25"),
    "because": "",
    "reason": "missing fact 'ca'",
    "alert_kind": Reason.of("alert_kind", severity=Reason.of("kind_critical"), silenced="", inhibited=""),
    "severity": Reason.of("kind_warning"),
    "silenced": Reason.of("kind_silenced"),
    "inhibited": "",
    "seen": Reason.of("no_alert_fired"),
    "unsilenced": Reason.of("no_as_of"),
    "alert": "warning: trésorerie basse",
    "fired": "warning: trésorerie basse",
    "level": Reason.of("level_critical"),
    "message": "trésorerie basse",
    "states": "",
    "literal": "0.0000000000000000000000001",
    "digits": 24,
    "function": "budget",
    "refusal": Reason.of("sql_power", limit=64),
}
# delivery, the alert store, report options, the users file
SERVICE_SAMPLE = {
    "text": "7j",
    "channels": "email, webhook",
    "smtp": "smtp.example.fr",
    "sender": "kpi",
    "user": "KPI_SMTP_USER",
    "password": "KPI_SMTP_PASSWORD",
    "url": "ftp://chat.example.fr",
    "owner": "daf",
    "server": "smtp.example.fr:587",
    "refusals": "daf@example.fr (550 unknown user)",
    "status": 550,
    "answer": "mailbox full",
    "failure": Reason.of("no_answer_in_time"),
    "path": "alertes.sqlite",
    "folder": "sortie",
    "detail": "database disk image is malformed",
    "version": 3,
    "supported": 2,
    "fingerprint": "2d8c",
    "listed": Reason.of("none_defined"),
    "selection": Reason.of("both", first=Reason.of("selected_audience", name="daf"), second=Reason.of("selected_owner", name="cfo")),
    "login": "claire",
    "key": "roles",
    "roles": "admin, daf, owner, viewer",
}


@pytest.mark.parametrize("code", sorted(CATALOG.keys() - FORMULA_MESSAGES.keys()))  # formula messages: test_formula_messages.py
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_reason_renders_without_a_placeholder_left(code, lang):
    own = (
        FACTS_SAMPLE if code in FACTS_MESSAGES else PACK_SAMPLE if code in PACK_MESSAGES else SERVICE_SAMPLE if code in SERVICE_MESSAGES
        else FACTS_SAMPLE | PACK_SAMPLE
    )
    params = SAMPLE | own | {"cause": Reason.of("missing_fact", name="ca", period=Period.parse("2025-02"), entity=None)}
    text = Reason.of(code, **params).text(lang)
    assert text and not re.search(r"\{\w*\}", text) and "None" not in text  # `{input: value}` is words, `{name}` a placeholder


def test_the_same_undefined_value_reads_in_both_languages():
    pack = Pack.from_texts({"p.yaml": "inputs:\n  ca: {rollup: sum}\n  stocks: {rollup: last}\nkpis:\n  k: {formula: stocks / ca, frequency: quarterly}\n"})
    facts = Facts.from_records([("lyon", "ca", f"2025-{m:02d}", 10) for m in (1, 2, 3)] + [("lyon", "stocks", "2025-01", 5)])
    (result,) = pack.evaluate(facts).results
    assert result.error == "missing fact 'stocks' for 2025-02, entity 'lyon', needed to roll stocks up to 2025-Q1"
    assert result.reason("fr") == "donnée manquante « stocks » pour 2025-02, entité « lyon », nécessaire pour cumuler stocks sur 2025-Q1"
    assert result.reason("en") == result.error


def test_facts_warnings_read_in_both_languages_with_numbers_for_the_reader():
    inputs = "inputs:\n  disponibilites: {rollup: last, min: 0}\n  ca: {rollup: sum, min: -0.5, max: 100000}\n"
    pack = Pack.from_texts({"p.yaml": inputs + "kpis:\n  k: {formula: disponibilites, frequency: monthly}\n"})
    records = [("lyon", "disponibilites", "2025-01", Decimal("-2400.00")), ("lyon", "disponibilite", "2025-01", 1), (None, "ca", "2025-01", -1)]
    facts = Facts.from_records(records)
    warnings = pack.fact_warnings(facts)
    assert [w.text("en") for w in warnings] == [
        "<records>:2: warning: 'disponibilite' is not an input of the pack, ignored (did you mean 'disponibilites'?)",
        "<records>:1: warning: 'disponibilites' is -2400.00 for 2025-01, entity 'lyon'; it should be at least 0",
        "<records>:3: warning: 'ca' is -1 for 2025-01; it should be at least -0.5 and at most 100000",
    ]
    assert [w.text("fr") for w in warnings] == [
        "<records>:2: attention : « disponibilite » n'est pas une donnée d'entrée du pack : ignorée (vouliez-vous dire « disponibilites » ?)",
        "<records>:1: attention : « disponibilites » vaut -2 400,00 en 2025-01, entité « lyon » ; elle devrait être au moins 0",
        "<records>:3: attention : « ca » vaut -1 en 2025-01 ; elle devrait être au moins -0,5 et au plus 100 000",
    ]
    assert str(warnings[1]) == warnings[1].text("en")


@pytest.mark.parametrize(
    ("cells", "french", "english"),
    [
        (1, "1 cellule alors que l'en-tête a 4 colonnes", "1 cell but the header has 4 columns"),
        (5, "5 cellules alors que l'en-tête a 4 colonnes", "5 cells but the header has 4 columns"),
    ],
)
def test_a_count_of_cells_takes_the_singular_or_the_plural(cells, french, english):
    reason = Reason.of("row_width", cells=cells, columns=4)
    assert (reason.text("fr"), reason.text("en")) == (french, english)
