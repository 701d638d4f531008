"""The owners directory of a pack: inherited from the packs it extends, overridden key by key."""

from __future__ import annotations

from pathlib import Path

from kpi_engine import load_pack
from kpi_engine.owners import Owner, is_address

GROUP = """\
extends: standard
owners:
  daf: {name: "Claire Martin", email: claire.martin@groupe.example.fr, lang: fr}
  dirigeant: {name: "Marc Durand", email: [marc.durand@groupe.example.fr, assistante@groupe.example.fr]}
"""
SUBSIDIARY = """\
extends: ../groupe
owners:
  daf: {email: daf.lyon@example.fr}
  marketing: {name: "Emma Wilson", email: emma.wilson@example.fr, lang: en}
"""


def test_a_pack_inherits_the_directory_and_overrides_only_the_keys_it_writes(tmp_path: Path) -> None:
    for name, text in (("groupe", GROUP), ("filiale", SUBSIDIARY)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "pack.yaml").write_text(text, encoding="utf-8")
    owners = load_pack(tmp_path / "filiale").definitions.owners
    assert set(owners) == {"daf", "dirigeant", "marketing"}
    daf = owners["daf"]
    assert (daf.name, daf.emails, daf.lang) == ("Claire Martin", ("daf.lyon@example.fr",), "fr")
    assert daf.location.file.endswith("filiale/pack.yaml") and daf.location.line == 3
    assert owners["dirigeant"].emails == ("marc.durand@groupe.example.fr", "assistante@groupe.example.fr")
    assert owners["dirigeant"].lang == "fr" and owners["marketing"].lang == "en"


def test_an_owner_without_a_name_is_called_by_its_role() -> None:
    assert Owner("daf").display_name == "daf" and Owner("daf", "Claire Martin").display_name == "Claire Martin"


def test_addresses() -> None:
    assert is_address("claire.martin@example.fr") and is_address("a+b@sub.example.co.uk")
    assert not any(is_address(text) for text in ("Claire Martin", "claire@", "@example.fr", "Claire <c@x.fr>", "a@b", "a@b.fr,c@d.fr"))
