"""Issue 14, files and outputs outside the user's intent (cases 12, 23, 24, 25, 26), through the real `kpi` command.

Each case states its exact message or behaviour: outputs never replace an input or follow
a link (25), packs and facts are regular files of bounded size (23), `extends` stays within
its root (24), every text format escapes what it prints (26), and charts draw values beyond
the float range (12).
"""

from __future__ import annotations

import csv
import io
import os
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from kpi_engine import Fact, Facts, Pack, PackError, Period, load_pack
from kpi_engine.cli import main
from kpi_engine.escaping import csv_cell, markdown_code, markdown_text, terminal_text
from kpi_engine.files import check_regular_file, read_bounded
from kpi_engine.report import charts
from kpi_engine.report.build import ReportOptions, build_report, render_html, render_markdown

PACK = "inputs:\n  x: {rollup: sum, unit: EUR}\nkpis:\n  k: {formula: x, frequency: monthly, unit: EUR}\n"
FACTS = "period,name,value\n2025-01,x,1\n2025-02,x,2\n"


def kpi(*args: str, cwd: Path) -> tuple[int, str, str]:
    """`kpi ARGS` run in `cwd`: exit code, standard output, standard error (never a traceback)."""
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, list(args), env={"KPI_LANG": "en"})
    finally:
        os.chdir(previous)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "pack.yaml").write_text(PACK, encoding="utf-8")
    (tmp_path / "facts.csv").write_text(FACTS, encoding="utf-8")
    return tmp_path


# --- 25: outputs never replace an input, never follow a link, never overwrite without --force ------------


@pytest.mark.parametrize(
    ("output", "lang", "message"),
    [
        ("facts.csv", "en", "kpi: facts.csv: is an input of this command (facts.csv); choose another output file"),
        ("pack.yaml", "fr", "kpi: pack.yaml: est une entrée de cette commande (pack.yaml) ; choisissez un autre fichier de sortie"),
        ("hard.csv", "en", "kpi: hard.csv: is an input of this command (facts.csv); choose another output file"),
        ("soft.csv", "en", "kpi: soft.csv: is an input of this command (facts.csv); choose another output file"),
    ],
    ids=["facts", "pack", "hard-link", "symbolic-link"],
)
def test_report_never_replaces_an_input(folder, output, lang, message):
    os.link(folder / "facts.csv", folder / "hard.csv")
    (folder / "soft.csv").symlink_to("facts.csv")
    code, _, err = kpi("report", "pack.yaml", "--facts", "facts.csv", "-o", output, "--force", "--lang", lang, cwd=folder)
    assert (code, err.strip()) == (2, message)
    assert (folder / "facts.csv").read_text(encoding="utf-8") == FACTS and (folder / "pack.yaml").read_text(encoding="utf-8") == PACK


def test_report_replaces_an_existing_file_only_with_force(folder):
    (folder / "out.md").write_text("mine", encoding="utf-8")
    args = ("report", "pack.yaml", "--facts", "facts.csv", "--format", "markdown", "-o", "out.md")
    assert kpi(*args, "--lang", "fr", cwd=folder)[::2] == (2, "kpi: out.md: existe déjà ; ajoutez --force pour le remplacer\n")
    assert kpi(*args, "--lang", "en", cwd=folder)[::2] == (2, "kpi: out.md: already exists; add --force to replace it\n")
    assert (folder / "out.md").read_text(encoding="utf-8") == "mine"
    assert kpi(*args, "--force", "--lang", "en", cwd=folder)[::2] == (0, "out.md: written\n")
    assert (folder / "out.md").read_text(encoding="utf-8").startswith("# KPI scorecard")
    assert sorted(p.name for p in folder.iterdir()) == ["facts.csv", "out.md", "pack.yaml"]  # no temporary file left


def test_report_writes_no_device_and_no_link(folder):
    (folder / "link.html").symlink_to(folder / "elsewhere.html")
    code, _, err = kpi("report", "pack.yaml", "--facts", "facts.csv", "-o", "link.html", "--force", cwd=folder)
    assert (code, err) == (2, "kpi: link.html: is a symbolic link; kpi does not write through links, give the real path\n")
    assert not (folder / "elsewhere.html").exists()
    code, _, err = kpi("report", "pack.yaml", "--facts", "facts.csv", "-o", "/dev/null", "--force", cwd=folder)
    assert (code, err) == (2, "kpi: /dev/null: exists and is not a regular file (a device); use '-' for standard output\n")


def test_report_creates_no_folder(folder):
    code, _, err = kpi("report", "pack.yaml", "--facts", "facts.csv", "-o", "typo/report.html", cwd=folder)
    assert (code, err) == (2, "kpi: typo/report.html: cannot be written: No such file or directory\n")
    assert not (folder / "typo").exists()


def test_init_does_not_follow_a_dangling_link_out_of_its_folder(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "pack.yaml").symlink_to(tmp_path / "outside.yaml")
    code, _, err = kpi("init", "d", "--lang", "fr", cwd=tmp_path)
    assert (code, err) == (2, "kpi: d/pack.yaml: mène hors de d (par un lien symbolique)\n")
    assert not (tmp_path / "outside.yaml").exists() and not (tmp_path / "d" / "tests").exists()  # nothing written at all


def test_init_does_not_write_through_a_linked_subfolder(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "e").mkdir()
    (tmp_path / "e" / "tests").symlink_to(tmp_path / "elsewhere")
    code, _, err = kpi("init", "e", cwd=tmp_path)
    assert (code, err) == (2, "kpi: e/tests/pack.test.yaml: leads outside e (through a symbolic link)\n")
    assert list((tmp_path / "elsewhere").iterdir()) == [] and not (tmp_path / "e" / "pack.yaml").exists()


def test_init_twice_needs_force(tmp_path):
    assert kpi("init", "p", "--lang", "en", cwd=tmp_path) == (0, "created p/pack.yaml and p/tests/pack.test.yaml\nnext: kpi test p\n", "")
    code, _, err = kpi("init", "p", "--lang", "en", cwd=tmp_path)
    assert (code, err.splitlines()) == (2, ["kpi: p/pack.yaml: already exists; add --force to replace it",
                                            "kpi: p/tests/pack.test.yaml: already exists; add --force to replace it"])
    assert kpi("init", "p", "--force", "--lang", "fr", cwd=tmp_path)[0] == 0
    assert oct((tmp_path / "p" / "pack.yaml").stat().st_mode & 0o777) == oct(0o666 & ~_umask())  # the umask's, not mkstemp's 0600


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# --- 23: packs and facts are regular files of bounded size -------------------------------------------


def test_facts_from_a_device_or_a_fifo_are_refused_at_once(folder):
    os.mkfifo(folder / "pipe.csv")
    code, _, err = kpi("evaluate", "pack.yaml", "--facts", "/dev/zero", "--facts", "pipe.csv", "--lang", "fr", cwd=folder)
    assert code == 3
    assert err.splitlines() == [
        "/dev/zero: n'est pas un fichier ordinaire (un périphérique) ; indiquez un fichier enregistré sur disque",
        "pipe.csv: n'est pas un fichier ordinaire (un tube nommé) ; indiquez un fichier enregistré sur disque",
        "2 problèmes dans les données",
    ]


def test_a_pack_that_is_a_device_or_a_fifo_is_refused(folder):
    os.mkfifo(folder / "pipe.yaml")
    assert kpi("validate", "/dev/zero", "--lang", "en", cwd=folder)[1] == "/dev/zero: is not a regular file (a device); give a file saved on disk\n"
    assert kpi("validate", "pipe.yaml", "--lang", "en", cwd=folder)[1] == "pipe.yaml: is not a regular file (a named pipe); give a file saved on disk\n"


def test_files_are_read_up_to_a_size_limit(tmp_path):
    (tmp_path / "big.csv").write_bytes(b"x" * 11)
    refusal = check_regular_file(tmp_path / "big.csv", max_bytes=10)
    assert refusal is not None and refusal.text("en").endswith("big.csv: is larger than 10 bytes, the most kpi reads from one file")
    assert read_bounded(tmp_path / "big.csv", max_bytes=11) == b"x" * 11
    folder = check_regular_file(tmp_path)
    assert folder is not None and folder.text("fr").endswith("(un dossier) ; indiquez un fichier enregistré sur disque")


# --- 24: extends stays within its root, a pack folder is searched within bounds --------------------------


def _problems(path: Path) -> list[str]:
    with pytest.raises(PackError) as caught:
        load_pack(path, lang="en")
    return [str(problem).splitlines()[0] for problem in caught.value.problems]


@pytest.mark.parametrize(
    ("extends", "message"),
    [
        ("/", "'extends' names an absolute path (/); name the pack by a path relative to this file, or 'standard'"),
        ("~/packs", "'extends' names an absolute path (~/packs); name the pack by a path relative to this file, or 'standard'"),
        ("../../..", "'extends' leads outside {root} (../../..): a pack extends packs below or beside its folder, never further up"),
    ],
    ids=["root", "home", "climbing"],
)
def test_extends_is_relative_and_stays_within_the_root(tmp_path, extends, message):
    pack = tmp_path / "group" / "company"
    pack.mkdir(parents=True)
    (pack / "pack.yaml").write_text(f"extends: {extends}\n" + PACK, encoding="utf-8")
    assert _problems(pack) == [f"{pack / 'pack.yaml'}:1:10: {message.format(root=tmp_path / 'group')}"]


def test_extends_problems_in_the_readers_language(tmp_path):
    (tmp_path / "pack.yaml").write_text("extends: /etc\n" + PACK, encoding="utf-8")
    code, _, err = kpi("graph", "pack.yaml", "--lang", "fr", cwd=tmp_path)
    assert (code, err.splitlines()[0]) == (
        1, "pack.yaml:1:10: « extends » donne un chemin absolu (/etc) ; nommez le pack par un chemin relatif à ce fichier, ou « standard »"
    )


def test_extends_a_sibling_pack(tmp_path):
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "base.yaml").write_text(PACK, encoding="utf-8")
    (tmp_path / "company").mkdir()
    (tmp_path / "company" / "pack.yaml").write_text("extends: ../base\nkpis:\n  double: {formula: k * 2, frequency: monthly}\n", encoding="utf-8")
    assert list(load_pack(tmp_path / "company").kpis) == ["k", "double"]


def test_a_file_linked_from_outside_is_never_read_nor_quoted(tmp_path):
    (tmp_path / "secret.yaml").write_text("password: hunter2\n", encoding="utf-8")
    pack = tmp_path / "a" / "pack"
    pack.mkdir(parents=True)
    (pack / "pack.yaml").write_text(PACK, encoding="utf-8")
    (pack / "stolen.yaml").symlink_to(tmp_path / "secret.yaml")
    problems = _problems(pack)
    assert problems == [f"{pack / 'stolen.yaml'}: a symbolic link to a file outside {tmp_path / 'a'}: not read"]


def test_a_pack_folder_is_searched_within_bounds(tmp_path):
    deep = tmp_path / "p" / "1" / "2" / "3" / "4" / "5" / "6" / "7" / "8" / "9"
    deep.mkdir(parents=True)
    (tmp_path / "p" / "pack.yaml").write_text(PACK, encoding="utf-8")
    assert _problems(tmp_path / "p") == [
        f"{tmp_path / 'p'}: the folder is too large for a pack: more than 10000 entries or 8 levels of folders; a pack folder holds its YAML files"
    ]


# --- 26: every text format escapes what it prints --------------------------------------------------------

HOSTILE_PACK = """\
inputs:
  x: {rollup: sum, unit: EUR}
kpis:
  k:
    label: {fr: "<script>alert(1)</script> | ![img](http://e/x.png)", en: "<img src=x onerror=alert(1)> [click](http://evil)"}
    formula: x
    frequency: monthly
    unit: EUR
    alerts:
      - {when: value > 0, severity: critical, message: "<b>x</b> | \\e[31mred"}
"""
HOSTILE_FACTS = 'period,entity,name,value\n2025-01,"=HYPERLINK(""http://evil"")",x,-5\n2025-01,"\x1b[2Jlyon\x07",x,3\n'


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    (tmp_path / "pack.yaml").write_text(HOSTILE_PACK, encoding="utf-8")
    (tmp_path / "facts.csv").write_text(HOSTILE_FACTS, encoding="utf-8")
    return tmp_path


def test_markdown_report_escapes_html_links_and_pipes(hostile):
    code, out, _ = kpi("report", "pack.yaml", "--facts", "facts.csv", "--format", "markdown", "-o", "-", "--lang", "fr", cwd=hostile)
    assert code == 0
    assert "<script>" not in out and "<b>" not in out and "![" not in out and "\x1b" not in out
    assert r"&lt;script&gt;alert(1)&lt;/script&gt; \| !\[img\](http://e/x.png)" in out
    assert r"&lt;b&gt;x&lt;/b&gt; \| \\x1b\[31mred" in out
    assert r"\\x1b\[2Jlyon\\x07" in out  # the entity, control characters visible, in its own cell
    code, out, _ = kpi("report", "pack.yaml", "--facts", "facts.csv", "--format", "markdown", "-o", "-", "--lang", "en", cwd=hostile)
    assert r"&lt;img src=x onerror=alert(1)&gt; \[click\](http://evil)" in out and "<img" not in out


def test_csv_neutralises_formulas_but_keeps_negative_numbers(hostile):
    code, out, _ = kpi("evaluate", "pack.yaml", "--facts", "facts.csv", "--format", "csv", cwd=hostile)
    rows = {row["value"]: row for row in csv.DictReader(io.StringIO(out))}
    assert code == 0
    assert rows["-5"]["entity"] == "'=HYPERLINK(\"http://evil\")"  # a text cell: shown, never run
    assert rows["3"]["entity"] == r"\x1b[2Jlyon\x07"  # printed on a terminal too: controls shown, not sent


def test_table_shows_control_characters_instead_of_sending_them(hostile):
    code, out, _ = kpi("evaluate", "pack.yaml", "--facts", "facts.csv", "--lang", "en", cwd=hostile)
    assert code == 0 and "\x1b" not in out and "\x07" not in out
    assert r"\x1b[2Jlyon\x07" in out and r"<b>x</b> | \x1b[31mred" in out


def test_messages_quoting_a_file_show_its_control_characters(folder):
    (folder / "wide.csv").write_text("period,x,\x1b[31mevil\n2025-01,1,2\n", encoding="utf-8")
    code, _, err = kpi("evaluate", "pack.yaml", "--facts", "wide.csv", cwd=folder)
    assert (code, err) == (0, "wide.csv:2: warning: '\\x1b[31mevil' is not an input of the pack, ignored\n")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+2", "'=1+2"), ("+33 1 23", "'+33 1 23"), ("-1+2", "'-1+2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", r"\x09x"), ("\r=1", r"\x0d=1"),
        ("-1234.50", "-1234.50"), ("+7", "+7"), ("-1E+5", "-1E+5"), ("lyon", "lyon"), ("2025-01", "2025-01"),
    ],
)
def test_csv_cell(text, expected):
    assert csv_cell(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# title", r"\# title"), ("1. first", r"1\. first"), ("- item", r"\- item"), ("-5,00 €", "-5,00 €"),
        ("R&D_x*y`z~", r"R&amp;D\_x\*y\`z\~"), ("a\nb\u2028c", "a b c"), ("\u202eevil", r"\\u202eevil"),
    ],
)
def test_markdown_text(text, expected):
    assert markdown_text(text) == expected


def test_markdown_code_and_terminal_text():
    assert markdown_code("a `b` c") == "``a `b` c``" and markdown_code("x < 1 * 2") == "`x < 1 * 2`"
    assert terminal_text("a\x1b[2Jb\x9b\u2028\tc é") == r"a\x1b[2Jb\x9b\u2028\x09c é"


# --- 12: charts beyond the float range ------------------------------------------------------------------


@pytest.mark.parametrize("values", [("1e308", "-1e308"), ("1e400", "1"), ("-1e400", "1e-300")], ids=["float-max", "above-float", "tiny-and-huge"])
def test_reports_draw_values_beyond_the_float_range(values):
    """Such values are computed, never read (readers refuse numbers beyond 1E+100: issue 14): the facts are added directly."""
    pack = Pack.from_texts({"pack.yaml": PACK})
    facts = Facts()
    for month, value in enumerate(values, 1):
        facts.add(Fact(None, "x", Period.parse(f"2025-0{month}"), Decimal(value)))
    report = build_report(pack.evaluate(facts, lang="en"), pack.definitions, ReportOptions(lang="en"))
    assert "<svg" in render_html(report) and "| k |" in render_markdown(report)


@pytest.mark.parametrize(
    ("low", "high", "labels"),
    [
        ("-1e308", "1e308", ["-1,0×10³⁰⁸ €", "-5×10³⁰⁷ €", "0 €", "5×10³⁰⁷ €", "1,0×10³⁰⁸ €"]),
        ("1", "1e400", ["0 €", "2,5×10³⁹⁹ €", "5,0×10³⁹⁹ €", "7,5×10³⁹⁹ €", "1,00×10⁴⁰⁰ €"]),
        ("1e-300", "2e-300", ["1,00×10⁻³⁰⁰ €", "1,25×10⁻³⁰⁰ €", "1,50×10⁻³⁰⁰ €", "1,75×10⁻³⁰⁰ €", "2,00×10⁻³⁰⁰ €"]),
        ("120000", "136000", ["120 k€", "125 k€", "130 k€", "135 k€"]),
        ("5", "5", ["4,50 €", "4,75 €", "5,00 €", "5,25 €", "5,50 €"]),
    ],
)
def test_axis_ticks_are_exact_and_labelled_apart(low, high, labels):
    ticks, step = charts._ticks(*charts._domain([Decimal(low), Decimal(high)]))
    assert [charts.compact(tick, "EUR", "fr", step) for tick in ticks] == labels


def test_a_value_beyond_the_float_range_is_placed_exactly():
    scale = charts._Scale(Decimal("-1e400"), Decimal("1e400"), 100.0, 0.0)
    assert (scale(Decimal("-1e400")), scale(Decimal(0)), scale(Decimal("1e400"))) == (100.0, 50.0, 0.0)
    assert charts.text_sparkline([Decimal("1e308"), Decimal("-1e308"), None, Decimal("1e400")]) == "▁▁·█"
