"""Assembly of the new top-level keys: the calendar inherited and overridden through `extends`,
KPIs left out by name and tag (and out of audiences), groups in the plan, members first."""

from __future__ import annotations

from pathlib import Path

from kpi_engine import load_pack
from kpi_engine.model import Consolidation
from kpi_engine.periods import Calendar

BASE = """
calendar: {fiscal_year_start: 7}
entities:
  sud: {members: [marseille, nice]}
  france: {label: France, members: [nord, sud]}
inputs:
  ca: {rollup: sum}
  taux: {rollup: last, consolidation: none}
kpis:
  ca_mois: {formula: ca, frequency: monthly, tags: [ventes]}
  mrr: {formula: ca, frequency: monthly, tags: [saas]}
  churn: {formula: ca / mrr, frequency: monthly, tags: [saas]}
  taux_mois: {formula: taux, frequency: monthly}
audiences:
  direction: {kpis: [ca_mois, mrr]}
"""


def _packs(tmp_path: Path, company: str) -> Path:
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "pack.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "company").mkdir()
    (tmp_path / "company" / "pack.yaml").write_text(company, encoding="utf-8")
    return tmp_path / "company"


def test_an_extending_pack_inherits_the_calendar_and_may_set_its_own(tmp_path: Path) -> None:
    inherited = load_pack(_packs(tmp_path, "extends: ../base\n"))
    assert inherited.plan.calendar == Calendar(7)
    (tmp_path / "company" / "pack.yaml").write_text("extends: ../base\ncalendar: {fiscal_year_start: 10}\n", encoding="utf-8")
    assert load_pack(tmp_path / "company").plan.calendar == Calendar(10)


def test_excluded_kpis_leave_the_pack_and_its_audiences(tmp_path: Path) -> None:
    pack = load_pack(_packs(tmp_path, "extends: ../base\nexclude:\n  tags: [saas]\n"))
    assert list(pack.kpis) == ["ca_mois", "taux_mois"]
    assert pack.definitions.audiences["direction"].kpis == ("ca_mois",)


def test_groups_are_planned_members_first_with_each_input_consolidation(tmp_path: Path) -> None:
    pack = load_pack(_packs(tmp_path, "extends: ../base\nentities:\n  europe: {members: [france, italie]}\n"))
    assert [(g.name, g.members) for g in pack.plan.groups.values()] == [
        ("sud", ("marseille", "nice")),
        ("france", ("nord", "sud")),
        ("europe", ("france", "italie")),
    ]
    assert pack.plan.groups["france"].label.get("en") == "France"
    assert (pack.plan.inputs["ca"].consolidation, pack.plan.inputs["taux"].consolidation) == (Consolidation.SUM, Consolidation.NONE)


def test_a_groups_own_entries_in_some_months_only_are_no_gap_but_a_members_missing_month_is(tmp_path: Path) -> None:
    from kpi_engine.facts import load_facts

    (tmp_path / "pack.yaml").write_text(
        "inputs:\n  ca: {rollup: sum}\nkpis:\n  k: {formula: ca, frequency: monthly}\n"
        "entities:\n  groupe: {members: [a, b]}\n"
    )
    (tmp_path / "facts.csv").write_text(
        "entity,period,name,value\na,2025-01,ca,10\na,2025-02,ca,20\nb,2025-01,ca,5\ngroupe,2025-02,ca,-3\n"
    )
    pack = load_pack(tmp_path)
    facts = load_facts([tmp_path / "facts.csv"], pack, lang="en")
    warned = [p.text("en") for p in facts.warnings]
    # the group's elimination in February only says nothing; b's missing February is still a gap
    assert warned == [f"{tmp_path / 'facts.csv'}:4: warning: entity 'b' has no facts for 2025-02, which other entities have: a missing period is not a zero"]
