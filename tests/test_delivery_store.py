"""The alert store: its schema marks, refusing foreign or damaged files, acknowledgements, concurrent writers."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from kpi_engine.cli import main
from kpi_engine.delivery.lifecycle import changes
from kpi_engine.delivery.reading import AlertKey, Observed
from kpi_engine.delivery.store import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    AlertStore,
    Filters,
    StoreError,
)

NOW = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)


def _observed(kpi: str, entity: str, period: str, owner: str) -> Observed:
    return Observed(AlertKey(kpi, entity, period, "critical"), "critical", owner, Decimal("-4738.05"), {"fr": f"{kpi} négatif", "en": f"negative {kpi}"})


def _filled_store(path: Path) -> list[str]:
    """A store after one run with three alerts; returns their fingerprints."""
    observed = {
        o.key.fingerprint: o
        for o in (
            _observed("tresorerie_nette", "lyon", "2025-04", "daf"),
            _observed("tresorerie_nette", "bordeaux", "2025-04", "daf"),
            _observed("ebe", "lyon", "2025-04", "controleur_gestion"),
        )
    }
    covered = {(o.key.kpi, o.key.entity, o.key.period) for o in observed.values()}
    with AlertStore.open(path) as store, store.transaction():
        run = store.start_run(NOW, "pack", ["facts.csv"])
        store.apply(changes(observed, store.remembered(), covered, store.covered_before()), observed, run, NOW)
        store.record_coverage(covered, run)
    return sorted(observed)


def test_a_new_store_is_marked_with_its_application_and_schema_version(tmp_path: Path) -> None:
    AlertStore.open(tmp_path / "s.sqlite").close()
    with sqlite3.connect(tmp_path / "s.sqlite") as db:
        assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_alerts_are_listed_with_filters_and_acknowledged_by_a_fingerprint_prefix(tmp_path: Path) -> None:
    fingerprints = _filled_store(tmp_path / "s.sqlite")
    with AlertStore.open(tmp_path / "s.sqlite") as store:
        assert len(store.alerts()) == 3
        assert [a.key.entity for a in store.alerts(Filters(owner="daf"))] == ["bordeaux", "lyon"]
        assert [a.key.kpi for a in store.alerts(Filters(entity="lyon", status="open"))] == ["ebe", "tresorerie_nette"]
        assert store.alerts(Filters(status="resolved")) == []
        alert = store.acknowledge(fingerprints[0][:8], "Claire Martin", NOW, "découvert autorisé", "virement du compte épargne")
        assert alert.fingerprint == fingerprints[0]
        assert [(a.by, a.at, a.note, a.action) for a in alert.acks] == [
            ("Claire Martin", "2026-01-05T07:00:00Z", "découvert autorisé", "virement du compte épargne")
        ]
        with pytest.raises(StoreError, match="no alert with fingerprint 'ffff'"):
            store.acknowledge("ffff", "x", NOW)
        with pytest.raises(StoreError, match="3 alerts with fingerprint ''"):
            store.acknowledge("", "x", NOW)


def test_the_cli_lists_as_json_and_acknowledges(tmp_path: Path) -> None:
    state = tmp_path / "s.sqlite"
    fingerprints = _filled_store(state)
    runner = CliRunner()
    acked = runner.invoke(
        main,
        [
            "alerts",
            "ack",
            fingerprints[1][:10],
            "--state",
            str(state),
            "--by",
            "Julien Petit",
            "--note",
            "écriture d'inventaire manquante",
            "--action",
            "clôture corrigée",
            "--lang",
            "en",
        ],
    )
    assert acked.exit_code == 0, acked.output
    assert acked.output == f"{fingerprints[1]} acknowledged by Julien Petit\n"
    listed = runner.invoke(main, ["alerts", "--state", str(state), "--kpi", "tresorerie_nette", "--format", "json"])
    records = json.loads(listed.output)
    assert [r["entity"] for r in records] == ["bordeaux", "lyon"]
    assert records[0]["message"] == {"fr": "tresorerie_nette négatif", "en": "negative tresorerie_nette"} and records[0]["value"] == "-4738.05"
    everything = json.loads(runner.invoke(main, ["alerts", "--state", str(state), "--format", "json"]).output)
    acked_record = next(r for r in everything if r["fingerprint"] == fingerprints[1])
    assert [(a["by"], a["note"], a["action"]) for a in acked_record["acks"]] == [("Julien Petit", "écriture d'inventaire manquante", "clôture corrigée")]
    table = runner.invoke(main, ["alerts", "--state", str(state), "--owner", "controleur_gestion"])
    assert table.output.splitlines()[0].split()[:3] == ["Empreinte", "Statut", "Gravité"] and "nouvelle  critique  ebe" in table.output
    unknown = runner.invoke(main, ["alerts", "ack", "0000", "--state", str(state), "--by", "x"])
    assert unknown.exit_code == 2 and "aucune alerte d'empreinte « 0000 »" in unknown.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("foreign", "an SQLite database of another application, not a kpi-engine alert store"),
        ("text", "not a kpi-engine alert store (file is not a database); choose another file"),
        ("newer", "written by a newer kpi-engine (store schema 99, this one reads 1)"),
        ("damaged", "the store is damaged"),
    ],
)
def test_a_foreign_or_damaged_file_is_a_clear_error_and_is_left_untouched(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "s.sqlite"
    if content == "foreign":
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE invoices (id INTEGER)")
    elif content == "text":
        path.write_text("période;montant\n2025-01;12\n" * 200, encoding="utf-8")
    elif content == "newer":
        AlertStore.open(path).close()
        with sqlite3.connect(path) as db:
            db.execute("PRAGMA user_version = 99")
    else:
        _filled_store(path)
        with sqlite3.connect(path) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        data = bytearray(path.read_bytes())
        data[4096:] = b"\xff" * (len(data) - 4096)  # every page but the first, which holds the schema
        path.write_bytes(bytes(data))
    before = path.read_bytes()
    with pytest.raises(StoreError, match=message.replace("(", r"\(").replace(")", r"\)")):
        AlertStore.open(path)
    assert path.read_bytes() == before
    result = CliRunner().invoke(main, ["alerts", "--state", str(path), "--lang", "en"])
    assert result.exit_code == 7 and message in result.output and "Traceback" not in result.output


def _acknowledge_many(path: str, who: str, count: int) -> None:
    with AlertStore.open(path, busy_timeout=60) as store:
        fingerprint = store.alerts()[0].fingerprint
        for index in range(count):
            store.acknowledge(fingerprint, who, NOW, f"note {index}")


def test_two_processes_writing_at_once_lose_no_update(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    _filled_store(path)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.starmap_async(_acknowledge_many, [(str(path), "a", 40), (str(path), "b", 40)]).get(timeout=120)
    with AlertStore.open(path) as store:
        acks = store.alerts()[0].acks
    assert sorted((ack.by, ack.note) for ack in acks) == sorted((who, f"note {i}") for who in "ab" for i in range(40))
