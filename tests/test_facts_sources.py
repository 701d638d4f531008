"""The facts sources: formats recognised by content, decoding, and `load_facts` over several files.

Each reader's own cases are data files under tests/data/facts/ (see
test_facts.py); here is what the registry and the loader add.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from kpi_engine import FactsError, Pack, Period, load_facts
from kpi_engine.cli import main
from kpi_engine.facts import READERS, ReadResult, detect_format, read_facts

FACTS = Path(__file__).parent / "data" / "facts"
PACK = """
inputs:
  ca: {label: {fr: Chiffre d'affaires, en: Revenue}, rollup: sum, min: 0}
kpis:
  double: {formula: ca * 2, frequency: monthly}
"""


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"period,name,value\n2025-01,ca,1\n", "facts.csv", "csv"),
        (b"period,name,value\n2025-01,ca,1\n", "facts.txt", "csv"),
        (b"2025-01: {ca: 1, cout: 2}\n", "facts.csv", "yaml"),  # content wins over the extension
        (b"# figures\nlyon:\n  2025-01: {ca: 1}\n", "facts", "yaml"),
        (b"---\n2025-01: {ca: 1}\n", "facts.txt", "yaml"),
        (b'{"2025-01": {"ca": 1}}', "facts.yaml", "json"),
        (b"\xef\xbb\xbf[1]", "facts", "json"),
        ("Montant (€): HT;period\n".encode(), "facts.csv", "csv"),
        (b"", "empty.yaml", "yaml"),  # nothing to look at: the name decides
        (b"", "empty.json", "json"),
        (b"", "empty.csv", "csv"),
    ],
)
def test_format_is_recognised_by_content(content, name, expected):
    assert detect_format(content, name) == expected


def test_every_reader_is_registered_under_its_format():
    assert all(key == reader.format for key, reader in READERS.items())
    assert list(READERS)[-1] == "csv"  # the catch-all comes last


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("période;entité;ca\n2025-01;lyon;1 234,50\n".encode("cp1252"), "cp1252, Excel on Windows"),
        ("\ufeffpériode;entité;ca\r\n2025-01;lyon;1 234,50\r\n".encode("utf-8"), "UTF-8 with a byte-order mark"),
        ("période\tentité\tca\r\n2025-01\tlyon\t1234.50\r\n".encode("utf-16"), "UTF-16, Excel's Unicode text"),
    ],
)
def test_decoding(content, why):
    result = read_facts(content, "export.csv")
    assert result.problems == (), why
    assert result.facts.entity("lyon").by_period[Period.parse("2025-01")] == {"ca": Decimal("1234.50")}


def test_load_facts_reports_every_problem_of_every_file_at_once(tmp_path):
    (tmp_path / "a.csv").write_text("period,entity,name,value\n2025-01,lyon,ca,douze\n2025-02,lyon,ca,10\n")
    (tmp_path / "b.yaml").write_text("lyon:\n  2025-02: {ca: 11}\n  2025-13: {ca: 1}\n")
    with pytest.raises(FactsError) as caught:
        load_facts([tmp_path / "a.csv", tmp_path / "b.yaml", tmp_path / "missing.csv"], lang="en")
    assert [str(p).replace(str(tmp_path) + "/", "") for p in caught.value.problems] == [
        "a.csv:2: 'ca' for 2025-01: 'douze' is not a number",
        "b.yaml:3:3: '2025-13' is not a valid monthly period: write 2025, 2025-Q1, 2025-03, 2025-W07 or 2025-03-15",
        "b.yaml:2:17: 'ca' for 2025-02 for entity 'lyon' is given twice with different values (10 at a.csv:3, 11 here)",
        "missing.csv: cannot be read: No such file or directory",
    ]


def test_load_facts_names_files_as_given_and_merges(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("a.csv").write_text("period,entity,ca\n2025-01,lyon,1\n")
    Path("b.json").write_text('{"paris": {"2025-01": {"ca": 2}}}')
    facts = load_facts(["a.csv", Path("b.json")])
    assert facts.entities == ["lyon", "paris"]
    assert [str(f.location) for f in facts.facts()] == ["a.csv:2", "b.json:1:30"]


def test_load_facts_with_a_pack_keeps_its_warnings(tmp_path):
    (tmp_path / "a.csv").write_text("period,ca,caa\n2025-01,-5,1\n")
    facts = load_facts([tmp_path / "a.csv"], Pack.from_texts({"pack.yaml": PACK}))
    assert [str(w).replace(str(tmp_path) + "/", "") for w in facts.warnings] == [
        "a.csv:2: warning: 'caa' is not an input of the pack, ignored (did you mean 'ca', a revenue?)",
        "a.csv:2: warning: 'ca' is -5 for 2025-01; it should be at least 0",
    ]


def test_a_part_of_a_file_without_parts_is_an_error(tmp_path):
    (tmp_path / "a.csv").write_text("period,ca\n2025-01,1\n")
    with pytest.raises(FactsError) as caught:
        load_facts([f"{tmp_path / 'a.csv'}#Ventes"])
    assert [str(p) for p in caught.value.problems] == [
        f"{tmp_path / 'a.csv'}: a csv file has no parts: '#Ventes' only names a sheet of a workbook"
    ]


def test_a_file_named_with_a_hash_is_read_whole(tmp_path):
    (tmp_path / "a#1.csv").write_text("period,ca\n2025-01,1\n")
    assert len(load_facts([tmp_path / "a#1.csv"])) == 1


def test_read_facts_returns_problems_as_data():
    result = read_facts(b"period,ca\n2025-01,x\n2025-02,2\n", "a.csv")
    assert isinstance(result, ReadResult) and len(result.facts) == 1
    assert [str(p) for p in result.errors] == ["a.csv:2: 'ca' for 2025-01: 'x' is not a number"]


def test_cli_reads_a_cr_only_export(tmp_path):
    (tmp_path / "pack.yaml").write_text("inputs:\n  ca: {rollup: sum}\nkpis:\n  double: {formula: ca * 2, frequency: monthly}\n")
    (tmp_path / "export.csv").write_bytes("Période;ca\r01/2025;1,5\r02/2025;2\r".encode("cp1252"))
    result = CliRunner().invoke(main, ["evaluate", str(tmp_path / "pack.yaml"), "--facts", str(tmp_path / "export.csv"), "--format", "csv", "--lang", "en"])
    assert result.exit_code == 0, result.output
    rows = [line.split(",") for line in result.stdout.splitlines()[1:]]
    assert [(row[0], row[2], row[3], row[4]) for row in rows] == [("double", "2025-01", "", "3.0"), ("double", "2025-02", "", "4")]
