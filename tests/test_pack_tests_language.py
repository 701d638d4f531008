"""A pack test is written in the tester's language (issue 13): statuses as tables print them (`atteint`),
undefined reasons and alert messages in French or in English; failures still say what differs."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpi_engine import Pack, packtests

DATA = Path(__file__).parent / "data" / "pack_tests_language"
PACK = Pack.from_texts({"pack.yaml": (DATA / "pack.yaml").read_text(encoding="utf-8")})


def _run(name: str, text: str | None = None) -> packtests.TestFileReport:
    return packtests.run_test_text(PACK, text if text is not None else (DATA / name).read_text(encoding="utf-8"), name)


@pytest.mark.parametrize("name", ["francais.test.yaml", "english.test.yaml"])
def test_the_french_file_and_its_english_twin_both_pass(name: str) -> None:
    report = _run(name)
    assert report.problems == ()
    assert report.failures == ()
    assert (report.tests, report.checks) == (1, 8)


def test_wrong_french_expectations_still_fail_with_what_differs() -> None:
    text = (DATA / "francais.test.yaml").read_text(encoding="utf-8")
    for right, wrong in [("status: manqué", "status: atteint"), ("« frais_transport »", "« chiffre_affaires »"), ("7,0 %", "8,0 %")]:
        assert text.count(right) == 1
        text = text.replace(right, wrong)
    failures = _run("francais.test.yaml", text).failures
    assert [failure.text("fr") for failure in failures] == [
        "francais.test.yaml:10:71: test « transport de février » : part_transport en 2025-02 : statut attendu atteint (met) ; obtenu manqué (missed)",
        (
            "francais.test.yaml:11:93: test « transport de février » : part_transport en 2025-03 : raison attendue contenant"
            " « donnée manquante « chiffre_affaires » » ; obtenu « donnée manquante « frais_transport » pour 2025-03 »"
        ),
        (
            "francais.test.yaml:13:9: test « transport de février » : une alerte critique était attendue sur part_transport en 2025-02 ;"
            " alertes déclenchées : critique : Transport à 7,0 % du CA en février 2025"
        ),
    ]
    assert [failure.message for failure in failures] == [  # the text of record (`kpi test --format json`) stays English
        "part_transport at 2025-02: status expected met, got missed",
        "part_transport at 2025-03: reason expected to contain 'donnée manquante « chiffre_affaires »', got \"missing fact 'frais_transport' for 2025-03\"",
        "expected a critical alert on part_transport at 2025-02; alerts that fired there: critical: Transport at 7.0% of revenue in February 2025",
    ]
