"""Invalid packs: every problem reported at once, each as an exact `FILE:LINE:COL: message`.

Each case is a file `tests/data/bad/NAME.yaml`, or a folder `tests/data/bad/NAME/`
(loaded as a pack folder, or its `pack.yaml` when it has one). Its leading
comment block lists the expected problems, one `# expect: ...` line each
(file names relative to tests/data/bad), optionally the same problems in
French, one `# expect-fr: ...` line each, and optionally `# xfail: BUG ...`
when the expected text documents an engine bug. `_base/` is a valid pack the
`extends` cases build on.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from kpi_engine import Pack, PackError, load_pack
from kpi_engine.errors import name_without_accents

BAD = Path(__file__).parent / "data" / "bad"
GOOD = Path(__file__).parent / "data" / "good"


def _cases() -> list:
    params = []
    entries = sorted(p for p in BAD.iterdir() if not p.name.startswith("_") and (p.is_dir() or p.suffix == ".yaml"))
    for entry in entries:
        target = entry
        if entry.is_dir():
            target = entry / "pack.yaml" if (entry / "pack.yaml").exists() else entry
        files = [entry] if entry.is_file() else sorted(entry.rglob("*.yaml"))
        expected: dict[str, list[str]] = {"en": [], "fr": []}
        xfail = None
        for file in files:
            for line in file.read_text(encoding="utf-8").splitlines():
                if not line.startswith("#"):
                    break
                if line.startswith("# expect: "):
                    expected["en"].append(line.removeprefix("# expect: "))
                elif line.startswith("# expect-fr: "):
                    expected["fr"].append(line.removeprefix("# expect-fr: "))
                elif line.startswith("# xfail: "):
                    xfail = line.removeprefix("# xfail: ")
        marks = [pytest.mark.xfail(reason=xfail, strict=True)] if xfail else []
        params.append(pytest.param(target.relative_to(BAD), expected["en"], expected["fr"], id=entry.stem, marks=marks))
    return params


def problems_of(target: Path, lang: str = "en") -> list[str]:
    with pytest.raises(PackError) as caught:
        load_pack(target, lang="en")
    return [problem.text(lang).splitlines()[0] for problem in caught.value.problems]


@pytest.mark.parametrize(("target", "expected", "expected_fr"), _cases())
def test_bad_pack_reports_exactly_the_expected_problems(target, expected, expected_fr, monkeypatch):
    assert expected, "a bad case must list its problems in '# expect:' lines"
    monkeypatch.chdir(BAD)
    assert sorted(problems_of(target)) == sorted(expected)
    if expected_fr:
        assert sorted(problems_of(target, "fr")) == sorted(expected_fr)


def test_every_bad_case_is_loaded_from_its_own_file():
    """Guard for the data: each case file's problems point at that case (or the base it extends)."""
    for param in _cases():
        target, expected, expected_fr = param.values
        case = str(target).split("/")[0]
        for line in expected + expected_fr:
            assert line.startswith(case.removesuffix(".yaml")), line


def test_duplicate_kpi_across_files_is_reported_at_both_places(monkeypatch):
    """The substance of the duplicate_kpi case, independent of the wording bug it documents."""
    monkeypatch.chdir(BAD)
    found = [line.replace("an KPI", "a KPI") for line in problems_of(Path("duplicate_kpi"))]
    assert sorted(found) == [
        "duplicate_kpi/b.yaml:2:3: KPI 'k' is defined twice: a KPI of that name is already defined at duplicate_kpi/a.yaml:8:3",
        "duplicate_kpi/b.yaml:5:3: KPI 'ca' is defined twice: an input of that name is already defined at duplicate_kpi/a.yaml:6:3",
    ]


def test_reserved_word_cannot_name_a_kpi(monkeypatch):
    """The substance of the reserved_kpi case, independent of the wording bug it documents."""
    monkeypatch.chdir(BAD)
    (line,) = problems_of(Path("reserved_kpi.yaml"))
    assert line.startswith("reserved_kpi.yaml:7:3: 'gap' is a reserved word and cannot name a")


def test_invalid_kpi_name_is_refused(monkeypatch):
    """The substance of the invalid_kpi_name case: the pack is refused, one problem."""
    monkeypatch.chdir(BAD)
    (line,) = problems_of(Path("invalid_kpi_name.yaml"))
    assert line.startswith("invalid_kpi_name.yaml:") and "'1bad'" in line


def test_problem_carries_a_caret_snippet_under_the_culprit(monkeypatch):
    monkeypatch.chdir(BAD)
    with pytest.raises(PackError) as caught:
        load_pack("names_and_functions.yaml")
    first = next(p for p in caught.value.problems if "chiffre_affaire_ht" in p.message)
    assert str(first).splitlines()[1:] == [
        "        formula: chiffre_affaire_ht - charges",
        "                 ^^^^^^^^^^^^^^^^^^",
    ]


def test_problems_are_sorted_by_file_line_and_column(monkeypatch):
    monkeypatch.chdir(BAD)
    with pytest.raises(PackError) as caught:
        load_pack("several_semantic.yaml")
    keys = [(p.location.line, p.location.column) for p in caught.value.problems]
    assert keys == sorted(keys) and len(keys) == 5


def test_python_tag_is_never_constructed(monkeypatch, tmp_path):
    """`!!python/object/apply` would run code with an unsafe loader; here it is only refused."""
    marker = tmp_path / "pwned"
    text = (
        "inputs:\n"
        f"  ca: !!python/object/apply:os.system ['touch {marker}']\n"
        "kpis:\n  k:\n    formula: 1\n    frequency: monthly\n"
    )
    with pytest.raises(PackError) as caught:
        Pack.from_texts({"evil.yaml": text})
    assert [str(p) for p in caught.value.problems] == [
        "evil.yaml:2:7: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed here"
    ]
    assert not marker.exists()


def test_pyyaml_alone_would_silently_keep_the_last_duplicate(monkeypatch):
    """Why duplicate keys need the engine's own loader (the duplicate_key case)."""
    text = (BAD / "duplicate_key.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(text)["kpis"]["k"] == {"formula": "ca", "frequency": "monthly"}


# --- valid packs ------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(p.name for p in GOOD.glob("*.yaml")))
def test_good_pack_loads(name):
    pack = load_pack(GOOD / name)
    expected = re.findall(r"^# kpis: (.*)$", (GOOD / name).read_text(encoding="utf-8"), re.M)
    assert list(pack.kpis) == expected[0].split(", ")


def test_roll_forward_via_prev_is_not_a_cycle():
    pack = load_pack(GOOD / "roll_forward.yaml")
    assert pack.kpis["tresorerie"].formula.text == "coalesce(prev(tresorerie), tresorerie_initiale) + encaissements - decaissements"


def test_extends_and_overrides(monkeypatch):
    monkeypatch.chdir(GOOD)
    pack = load_pack("company")
    marge = pack.kpis["marge"]
    assert (marge.owner, marge.direction, marge.target.text) == ("daf", "higher_is_better", "1000")
    assert marge.formula.text == "chiffre_affaires_ht * 2"  # the base formula, never copied
    assert list(pack.kpis) == ["marge", "marge_double"]


def test_extends_the_bundled_standard_library(tmp_path):
    (tmp_path / "pack.yaml").write_text("extends: standard\noverrides:\n  taux_marge_nette:\n    owner: moi\n", encoding="utf-8")
    pack = load_pack(tmp_path)
    assert pack.kpis["taux_marge_nette"].owner == "moi"
    assert len(pack.kpis) > 40


def test_several_problems_in_separate_files_are_all_reported(tmp_path):
    (tmp_path / "a.yaml").write_text("inputs:\n  ca: {rollup: sum}\nkpis:\n  a:\n    formula: ca +\n    frequency: monthly\n")
    (tmp_path / "b.yaml").write_text("kpis:\n  b:\n    formula: montant\n    frequency: monthly\n")
    with pytest.raises(PackError) as caught:
        load_pack(tmp_path, lang="en")
    messages = [p.message for p in caught.value.problems]
    assert messages == [
        "kpis.a.formula: formula ends too early: an operand is missing at the end",
        "KPI 'b': formula: unknown name 'montant'",
    ]


def test_missing_pack_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PackError) as caught:
        load_pack("nowhere", lang="en")
    assert [str(p) for p in caught.value.problems] == ["nowhere: no such file or folder"]


def test_empty_pack_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(PackError) as caught:
        load_pack("empty", lang="en")
    assert [str(p) for p in caught.value.problems] == ["empty: holds no .yaml or .yml definition file: a pack is written in YAML"]


def test_a_pack_file_must_be_yaml(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "facts.csv").write_text("period,name,value\n2025-01,ca,1\n")
    with pytest.raises(PackError) as caught:
        load_pack("facts.csv", lang="en")
    assert [str(p) for p in caught.value.problems] == ["facts.csv: is not a .yaml or .yml file: a pack is written in YAML"]


def test_a_very_long_formula_line_shows_a_window_around_the_culprit():
    from kpi_engine.errors import caret_snippet

    line = "formula: " + " + ".join(f"term_{i}" for i in range(300)) + " + oops"
    column = line.index("oops") + 1
    source, caret = caret_snippet(line, column, 4).split("\n")
    assert len(source) < 140 and "oops" in source and source.strip().startswith("...")
    assert source[caret.index("^") : caret.index("^") + 4] == "oops"


@pytest.mark.parametrize(
    ("name", "written"),
    [("coût_matières", "cout_matieres"), ("cœur_de_métier", "coeur_de_metier"), ("CA 2025", "CA_2025"), ("1er_trimestre", "_1er_trimestre")],
)
def test_the_name_to_write_instead_of_an_accented_one_is_a_valid_name(name, written):
    assert name_without_accents(name) == written
    assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", written)
