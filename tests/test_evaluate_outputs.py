"""`kpi evaluate` writing files: the xlsx workbook read back with python-calamine, `-o` under the safe-output rules,
and peak memory that does not grow with the number of entities (measured in a child process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from kpi_engine.cli import main
from kpi_engine.cli.workbook import number_format

CLI = Path(__file__).parent / "data" / "cli"
ROOT = Path(__file__).parent.parent


def kpi(*args: str, cwd: Path = CLI) -> tuple[int, str, str]:
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, list(args), env={"KPI_LANG": "fr"})
    finally:
        os.chdir(previous)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.stdout, result.stderr


def sheets(path: Path) -> dict[str, list[list[object]]]:
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def test_xlsx_holds_real_numbers_in_the_readers_language(tmp_path):
    book = tmp_path / "kpis.xlsx"
    code, out, _ = kpi("evaluate", "pack.yaml", "--facts", "facts.csv", "--facts", "budget_fr.csv", "--format", "xlsx", "-o", str(book))
    assert (code, out) == (0, "")
    read = sheets(book)
    assert list(read) == ["Résultats", "Alertes"]
    results, alerts = read["Résultats"], read["Alertes"]
    assert results[0] == ["kpi", "libellé", "période", "entité", "valeur", "unité", "cible", "écart", "statut", "responsable", "raison", "groupe"]
    assert results[1] == ["marge", "marge", "2025-01", "lyon", -100.0, "EUR", "", "", "sans cible", "daf", "", False]
    assert results[2] == ["taux", "taux", "2025-01", "lyon", -0.1, "", 0.5, -0.6, "manqué", "", "", False]
    undefined = results[5]
    assert undefined[4] == "" and undefined[8:] == ["indéfini", "", "division par zéro : ca vaut 0", False]  # empty, never 0
    assert len(results) == 1 + 9
    assert [row[:5] + row[7:8] for row in alerts[1:3]] == [
        ["critique", "marge", "marge", "2025-02", "lyon", -50.0],
        ["critique", "marge", "marge", "2025-01", "lyon", -100.0],
    ]
    assert alerts[3][0] == "attention" and alerts[3][10].startswith("marge/critical/")  # hidden by the critical one


def test_xlsx_number_formats_and_frozen_header(tmp_path):
    from openpyxl import load_workbook

    book = tmp_path / "kpis.xlsx"
    assert kpi("evaluate", "pack.yaml", "--facts", "facts.csv", "--format", "xlsx", "-o", str(book), "--lang", "en")[0] == 0
    sheet = load_workbook(book)["Results"]
    assert sheet.freeze_panes == "A2"
    assert sheet["E2"].number_format == '"€"#,##0.00;-"€"#,##0.00' and (sheet["E2"].data_type, sheet["E2"].value) == ("n", -100)
    assert sheet.column_dimensions["B"].width == 40
    assert number_format("percent", "fr") == "0.0%"
    assert number_format("percent", "fr", gap=True) == '+0.0" pt";-0.0" pt";0.0" pt"'
    assert number_format("EUR", "fr") == '#,##0.00 "€";-#,##0.00 "€"'
    assert number_format("days", "en") == '#,##0.00 "days";-#,##0.00 "days"'


def test_xlsx_gap_of_a_percent_is_in_points(tmp_path):
    (tmp_path / "pack.yaml").write_text(
        "inputs:\n  a: {rollup: sum}\n  b: {rollup: sum}\n"
        "kpis:\n  taux: {formula: a / b, unit: percent, frequency: monthly, target: 50%, direction: higher_is_better}\n"
    )
    (tmp_path / "facts.csv").write_text("period,a,b\n2025-01,1,4\n")
    code, _, _ = kpi("evaluate", "pack.yaml", "--facts", "facts.csv", "--format", "xlsx", "-o", "out.xlsx", cwd=tmp_path)
    assert code == 0
    assert sheets(tmp_path / "out.xlsx")["Résultats"][1][4:8] == [0.25, "percent", 0.5, -25.0]


def test_xlsx_text_cells_never_become_formulas(tmp_path):
    (tmp_path / "pack.yaml").write_text("inputs:\n  ca: {rollup: sum}\nkpis:\n  k: {formula: ca, frequency: monthly}\n")
    (tmp_path / "facts.csv").write_text('period,entity,ca\n2025-01,"=HYPERLINK(""http://evil"")",-5\n')
    assert kpi("evaluate", "pack.yaml", "--facts", "facts.csv", "--format", "xlsx", "-o", "out.xlsx", cwd=tmp_path)[0] == 0
    row = sheets(tmp_path / "out.xlsx")["Résultats"][1]
    assert row[3] == "'=HYPERLINK(\"http://evil\")" and row[4] == -5.0


def test_xlsx_needs_an_output_file_and_follows_the_safe_output_rules(tmp_path):
    code, _, err = kpi("evaluate", "pack.yaml", "--facts", "facts.csv", "--format", "xlsx")
    assert code == 2 and "--output" in err
    facts = tmp_path / "facts.csv"
    facts.write_bytes((CLI / "facts.csv").read_bytes())
    code, _, err = kpi("evaluate", "pack.yaml", "--facts", str(facts), "--format", "xlsx", "-o", str(facts))
    assert code == 2 and "est une entrée de cette commande" in err
    (tmp_path / "old.xlsx").write_text("old")
    code, _, err = kpi("evaluate", "pack.yaml", "--facts", "facts.csv", "--format", "xlsx", "-o", str(tmp_path / "old.xlsx"))
    assert code == 2 and "--force" in err and (tmp_path / "old.xlsx").read_text() == "old"
    assert kpi("evaluate", "pack.yaml", "--facts", "facts.csv", "--format", "xlsx", "-o", str(tmp_path / "old.xlsx"), "--force")[0] == 0
    assert list(sheets(tmp_path / "old.xlsx")) == ["Résultats", "Alertes"]


def test_text_formats_to_a_file_are_the_same_as_on_standard_output(tmp_path):
    for fmt in ("table", "json", "jsonl", "csv"):
        target = tmp_path / f"out.{fmt}"
        _, shown, _ = kpi("evaluate", "pack.yaml", "--facts", "facts.csv", "--format", fmt)
        code, out, _ = kpi("evaluate", "pack.yaml", "--facts", "facts.csv", "--format", fmt, "-o", str(target))
        assert (code, out) == (0, "")
        assert target.read_text(encoding="utf-8") == shown
    assert (tmp_path / "out.csv").read_bytes().startswith(b"\xef\xbb\xbfkpi;")  # UTF-8 with its byte-order mark


def test_a_refused_period_writes_no_file(tmp_path):
    code, _, err = kpi("evaluate", "pack.yaml", "--facts", "facts.csv", "--period", "2024", "--format", "json", "-o", str(tmp_path / "x.json"))
    assert code == 2 and "2024" in err and list(tmp_path.iterdir()) == []


# --- memory: one entity's history, not the number of entities --------------------------------------------------

_CHILD = """
import resource, sys
from kpi_engine.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
with open("/proc/self/status") as status:
    sys.stderr.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
"""
# The child's own peak (VmHWM, in KiB): getrusage's ru_maxrss survives fork and exec, so in a child it
# starts from the parent's size (pytest's, which grows as the suite runs) and would hide the child's.


def _generated(folder: Path, entities: int, kpis: int = 40, months: int = 24) -> None:
    """A chain of KPIs over three inputs, for `entities` entities of `months` months each."""
    lines = ["inputs:", "  a: {rollup: sum}", "  b: {rollup: sum}", "  c: {rollup: sum}", "kpis:"]
    lines.append("  k0: {formula: a - b, frequency: monthly, unit: EUR}")
    for i in range(1, kpis):
        formula = f"k{i - 1} * 1.01 + c" if i % 3 else f"(k{i - 1} - a) / c"
        lines.append(f"  k{i}: {{formula: {formula}, frequency: monthly}}")
    (folder / "pack.yaml").write_text("\n".join(lines) + "\n")
    rows = ["entity,period,a,b,c"]
    rows += [f"shop{e:04d},{2020 + m // 12}-{m % 12 + 1:02d},{100 + e + m},{40 + m},{7 + e % 5}" for e in range(entities) for m in range(months)]
    (folder / "facts.csv").write_text("\n".join(rows) + "\n")


def _peak_rss_kib(folder: Path) -> int:
    args = ["evaluate", "pack.yaml", "--facts", "facts.csv", "--format", "json", "-o", "out.json"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", _CHILD, *args], cwd=folder, env=env, capture_output=True, text=True, timeout=120, check=True)
    assert json.loads((folder / "out.json").read_text())["results"]
    return int(done.stderr.strip().splitlines()[-1])


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak from Linux's /proc")
def test_peak_memory_does_not_grow_with_the_number_of_entities(tmp_path):
    sizes = {}
    for entities in (20, 40):
        folder = tmp_path / str(entities)
        folder.mkdir()
        _generated(folder, entities)
        sizes[entities] = _peak_rss_kib(folder)
    # 20 more entities are 19,200 more values: kept in memory they would take about 20 MiB (~1 KiB a value)
    assert sizes[40] - sizes[20] < 6 * 1024, sizes
