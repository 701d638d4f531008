"""The bundled standard library and `Pack.from_texts`: packs from texts, extending packs given as texts."""

import pytest

from kpi_engine import Pack, PackError, load_pack, standard_library_path
from kpi_engine.library import BUNDLED, standard_library_texts

COMPANY = "extends: standard\noverrides:\n  taux_marge_nette:\n    owner: moi\n"


def test_the_library_texts_are_its_definition_files_tests_left_out():
    names = set(standard_library_texts())
    on_disk = {f"standard/{p.relative_to(standard_library_path()).as_posix()}" for p in standard_library_path().rglob("*.yaml")}
    assert names == {name for name in on_disk if not name.endswith(".test.yaml")}
    assert "standard/rentabilite.yaml" in names and dict(BUNDLED["standard"]) == standard_library_texts()


def test_from_texts_extends_the_bundled_library_like_load_pack(tmp_path):
    (tmp_path / "pack.yaml").write_text(COMPANY, encoding="utf-8")
    from_disk, from_texts = load_pack(tmp_path), Pack.from_texts({"pack.yaml": COMPANY})
    assert from_texts.kpis["taux_marge_nette"].owner == "moi"
    assert list(from_texts.kpis) == list(from_disk.kpis) and list(from_texts.inputs) == list(from_disk.inputs)


def test_from_texts_extends_packs_given_as_texts_each_once_bases_first():
    group = {"groupe.yaml": "inputs:\n  ca: {rollup: sum}\nkpis:\n  marge: {formula: ca * 2, frequency: monthly}\n"}
    region = {"region.yaml": "extends: groupe\nkpis:\n  double_marge: {formula: marge * 2, frequency: monthly}\n"}
    company = {"pack.yaml": "extends: [groupe, region]\noverrides:\n  marge: {owner: daf}\n"}
    pack = Pack.from_texts(company, bases={"groupe": group, "region": region})
    assert list(pack.kpis) == ["marge", "double_marge"] and pack.kpis["marge"].owner == "daf"


@pytest.mark.parametrize(
    ("files", "bases", "message"),
    [
        ({"p.yaml": "extends: ../groupe\n"}, BUNDLED, "extends '../groupe': Pack.from_texts can only extend 'standard'; use load_pack for packs on disk"),
        ({"p.yaml": "extends: standard\n"}, {}, "extends 'standard': Pack.from_texts was given no pack to extend; use load_pack for packs on disk"),
        ({"p.yaml": "extends: a\n"}, {"a": {"a.yaml": "extends: a\n"}}, "'extends' loops back to 'a'"),
    ],
    ids=["a path", "no base given", "a loop"],
)
def test_from_texts_refuses_a_base_it_was_not_given(files, bases, message):
    with pytest.raises(PackError) as caught:
        Pack.from_texts(files, bases=bases)
    assert [p.message for p in caught.value.problems] == [message]
