"""The documentation is tested like code.

1. Every fenced block whose info string is ``yaml example`` in ``docs/*.md``
   (and ``README.md``) is a mini test document, run as one pytest case whose
   id is ``file:line``::

       pack:      a pack, as a YAML mapping (built with Pack.from_texts, or
                  load_pack from a temporary folder when it has `extends`)
       facts:     period -> {input: value}, optionally under entity names
       facts_file: {name: budget.csv, text: "..."}   (read with read_facts_text)
       expect:    [{kpi, period, value | target | gap | status | error, entity}]
       as_of:     the day silences are compared with (YYYY-MM-DD)
       alerts:    [{kpi, period, severity, message, entity, silenced, inhibited}]   must fire
       no_alerts: [{kpi, period, severity, message, entity, silenced, inhibited}]   must not fire
                  (as in pack tests: without silenced/inhibited, an alert that is notified)
       problems:  [substrings of the expected problem messages]  (invalid packs)
       problems_fr: [the same in French, as `--lang fr` prints them]  (optional, with problems)

   Numbers are compared like `kpi test` does: the engine's exact value is
   rounded to the decimals written (`0.30` checks two decimals).

2. Every ``python example`` block is executed (from the repository root).

3. Coverage: every function of the registry and every key of the pack schema
   has a runnable example in docs/reference.md; every CLI command is documented;
   every KPI of the standard library is in docs/standard-library.md.

4. The files of the tutorial (blocks with ``file=PATH`` in their info string)
   make a pack that validates and passes its tests.

Run `python tests/test_docs.py` to regenerate the table of docs/standard-library.md.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

import kpi_engine
from kpi_engine import Facts, Pack, PackError, Period, load_pack, read_facts_text
from kpi_engine.functions import FUNCTIONS
from kpi_engine.packtests import _compare, alert_matches, describe_alert, run_test_text
from kpi_engine.schema import load_schema

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
REFERENCE = DOCS / "reference.md"
TUTORIAL = DOCS / "tutorial.md"
STANDARD_LIBRARY = DOCS / "standard-library.md"
DEFINITIONS = ROOT / "definitions"


# --- extracting fenced blocks ---------------------------------------------------------
@dataclass(frozen=True)
class Block:
    file: Path
    line: int  # line of the opening fence, 1-based
    info: tuple[str, ...]
    text: str

    @property
    def id(self) -> str:
        return f"{self.file.relative_to(ROOT)}:{self.line}"

    @property
    def options(self) -> dict[str, str]:
        return dict(word.split("=", 1) for word in self.info if "=" in word)


_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")


def fenced_blocks(path: Path) -> list[Block]:
    blocks: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        match = _OPEN.match(lines[index])
        if not match:
            index += 1
            continue
        indent, fence, info = match["indent"], match["fence"], match["info"].split()
        body: list[str] = []
        end = index + 1
        while end < len(lines) and not re.match(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}\s*$", lines[end]):
            line = lines[end]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            end += 1
        blocks.append(Block(path, index + 1, tuple(info), "\n".join(body) + "\n"))
        index = end + 1
    return blocks


def doc_files() -> list[Path]:
    files = sorted(DOCS.glob("*.md"))
    readme = ROOT / "README.md"
    return files + ([readme] if readme.exists() else [])


def blocks_of(kind: str, files: list[Path] | None = None) -> list[Block]:
    return [b for f in (files or doc_files()) for b in fenced_blocks(f) if b.info[:2] == (kind, "example")]


YAML_EXAMPLES = blocks_of("yaml")
PYTHON_EXAMPLES = blocks_of("python")


# --- reading examples: numbers keep the decimals written -------------------------------
class _ExampleLoader(yaml.SafeLoader):
    """safe_load, except that a float keeps its written text as a Decimal (`0.30` checks two decimals)."""


def _decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    text = loader.construct_scalar(node).replace("_", "")
    try:
        return Decimal(text)
    except ArithmeticError:
        return loader.construct_yaml_float(node)


_ExampleLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


class _PackDumper(yaml.SafeDumper):
    pass


_PackDumper.add_representer(Decimal, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:float", format(value, "f")))

ALLOWED_KEYS = {"pack", "facts", "facts_file", "as_of", "expect", "alerts", "no_alerts", "problems", "problems_fr"}


def load_example(text: str) -> dict[str, Any]:
    document = yaml.load(text, Loader=_ExampleLoader)  # noqa: S506 - a SafeLoader subclass
    assert isinstance(document, dict), "an example is a mapping with pack:, facts:, expect: ..."
    unknown = set(document) - ALLOWED_KEYS
    assert not unknown, f"unknown example keys {sorted(unknown)}; allowed: {sorted(ALLOWED_KEYS)}"
    assert isinstance(document.get("pack"), dict), "an example needs a pack: mapping"
    return document


def pack_text(pack: dict[str, Any]) -> str:
    return yaml.dump(pack, Dumper=_PackDumper, allow_unicode=True, sort_keys=False)


def build_pack(pack: dict[str, Any], tmp_path: Path) -> Pack:
    """Pack.from_texts for a single file; a pack with `extends` is written to a folder and loaded."""
    text = pack_text(pack)
    if "extends" not in pack:
        return Pack.from_texts({"doc.yaml": text})
    (tmp_path / "doc.yaml").write_text(text, encoding="utf-8")
    return load_pack(tmp_path)


def _looks_like_period(key: Any) -> bool:
    try:
        Period.parse(str(key))
    except ValueError:
        return False
    return True


def build_facts(example: dict[str, Any]) -> Facts:
    records = []
    data = example.get("facts") or {}
    per_entity = data.items() if not all(_looks_like_period(k) for k in data) else [(None, data)]
    for entity, periods in per_entity:
        for period, values in periods.items():
            for name, value in (values or {}).items():
                if value is not None:  # an empty value is a missing fact
                    records.append((entity, name, str(period), value if isinstance(value, Decimal) else str(value)))
    facts = Facts.from_records(records)
    if "facts_file" in example:
        source = example["facts_file"]
        problems = facts.merge(read_facts_text(source["text"], source["name"]))
        assert not problems, problems
    return facts


# --- running examples --------------------------------------------------------------------
def check_expectation(evaluation: kpi_engine.Evaluation, expected: dict[str, Any]) -> list[str]:
    kpi, period, entity = expected["kpi"], Period.parse(str(expected["period"])), expected.get("entity")
    where = f"{kpi} at {period}" + (f" for {entity}" if entity else "")
    try:
        result = evaluation.result_at(kpi, period, entity)
    except KeyError:
        if str(expected.get("value", "")).lower() == "undefined":
            return []
        return [f"{where}: no result (the facts do not cover {period})"]
    failures = []
    for field in ("value", "target", "gap"):
        if field in expected:
            message = _compare(expected[field], getattr(result, field), result.error)
            if message:
                failures.append(f"{where}: {field} {message}")
    if "status" in expected and result.status != expected["status"]:
        failures.append(f"{where}: status expected {expected['status']}, got {result.status} ({result.error})")
    if "error" in expected and expected["error"] not in (result.error or ""):
        failures.append(f"{where}: reason expected to contain {expected['error']!r}, got {result.error!r}")
    return failures


def check_alert(evaluation: kpi_engine.Evaluation, expected: dict[str, Any], should_fire: bool) -> list[str]:
    period = Period.parse(str(expected["period"]))
    matching = [a for a in evaluation.alerts if alert_matches(a, expected["kpi"], period, expected.get("entity"), expected)]
    fired = [f"{a.kpi} {a.period} {describe_alert(a)}" for a in evaluation.alerts]
    if should_fire and not matching:
        return [f"expected alert {expected} did not fire; fired: {fired}"]
    if not should_fire and matching:
        return [f"unexpected alert {expected}: {matching[0].message}"]
    return []


def run_yaml_example(text: str, tmp_path: Path) -> None:
    example = load_example(text)
    if "problems" in example:
        assert not {"facts", "expect", "alerts", "no_alerts"} & set(example), "a problems: example has no facts or expectations"
        with pytest.raises(PackError) as raised:
            build_pack(example["pack"], tmp_path)
        for key, lang in (("problems", "en"), ("problems_fr", "fr")):
            messages = [p.text(lang) for p in raised.value.problems]
            missing = [p for p in example.get(key, ()) if not any(str(p) in m for m in messages)]
            assert not missing, f"expected problems {missing} not found in {messages}"
        return
    try:
        pack = build_pack(example["pack"], tmp_path)
    except PackError as error:
        pytest.fail(f"the example pack is invalid:\n{error}")
    assert {"expect", "alerts", "no_alerts"} & set(example), "an example must expect something"
    as_of = example.get("as_of")
    evaluation = pack.evaluate(build_facts(example), lang="en", as_of=None if as_of is None else str(as_of))
    failures = [f for e in example.get("expect") or [] for f in check_expectation(evaluation, e)]
    failures += [f for e in example.get("alerts") or [] for f in check_alert(evaluation, e, True)]
    failures += [f for e in example.get("no_alerts") or [] for f in check_alert(evaluation, e, False)]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("block", YAML_EXAMPLES, ids=lambda b: b.id)
def test_yaml_example(block: Block, tmp_path: Path) -> None:
    run_yaml_example(block.text, tmp_path)


@pytest.mark.parametrize("block", PYTHON_EXAMPLES, ids=lambda b: b.id)
def test_python_example(block: Block, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    exec(compile(block.text, block.id, "exec"), {"__name__": "doc_example"})  # noqa: S102 - our own docs


def test_there_are_examples() -> None:
    assert len(blocks_of("yaml", [REFERENCE])) >= 50
    assert PYTHON_EXAMPLES


# --- coverage of the reference -----------------------------------------------------------
def _keys_used(packs: list[dict[str, Any]]) -> dict[str, set[str]]:
    used: dict[str, set[str]] = {s: set() for s in ("top", "inputs", "kpis", "alerts", "overrides", "audiences")}
    for pack in packs:
        used["top"] |= set(pack)
        for section in ("inputs", "kpis", "overrides", "audiences"):
            for spec in (pack.get(section) or {}).values():
                if isinstance(spec, dict):
                    used[section] |= set(spec)
                    for alert in spec.get("alerts") or [] if section in ("kpis", "overrides") else []:
                        used["alerts"] |= set(alert)
    return used


def _schema_keys() -> dict[str, set[str]]:
    schema = load_schema("pack.schema.json")
    defs = schema["$defs"]
    return {
        "top": set(schema["properties"]),
        "inputs": set(defs["input"]["properties"]),
        "kpis": set(defs["kpi"]["properties"]),
        "alerts": set(defs["alert"]["properties"]),
        "overrides": set(defs["override"]["properties"]),
        "audiences": set(defs["audience"]["properties"]),
    }


def test_every_schema_key_has_a_runnable_example() -> None:
    used = _keys_used([load_example(b.text)["pack"] for b in blocks_of("yaml", [REFERENCE])])
    text = REFERENCE.read_text(encoding="utf-8")
    for section, keys in _schema_keys().items():
        assert not keys - used[section], f"{section} keys without a runnable example in reference.md: {sorted(keys - used[section])}"
        for key in keys:
            assert f"`{key}`" in text, f"{section} key `{key}` is not described in reference.md"


def test_every_function_is_documented_with_an_example() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    examples = "".join(b.text for b in blocks_of("yaml", [REFERENCE]))
    for name in FUNCTIONS:
        assert f"`{name}(" in text, f"function {name}() is not described in reference.md"
        assert re.search(rf"\b{name}\(", examples), f"function {name}() has no runnable example in reference.md"


def test_pack_test_keys_are_documented() -> None:
    schema = load_schema("tests.schema.json")
    keys = set(schema["$defs"]["test"]["properties"]) | set(schema["$defs"]["expectation"]["properties"])
    keys |= set(schema["$defs"]["alert"]["properties"])
    text = REFERENCE.read_text(encoding="utf-8")
    assert not {k for k in keys if f"`{k}`" not in text}, "pack test keys missing from reference.md"


def test_cli_commands_and_exit_codes_are_documented() -> None:
    import click

    from kpi_engine.cli import common as cli_common
    from kpi_engine.cli import main as cli_main

    text = REFERENCE.read_text(encoding="utf-8")
    for name in cli_main.list_commands(click.Context(cli_main)):
        assert f"kpi {name}" in text, f"command `kpi {name}` is not documented in reference.md"
    codes = [value for name, value in vars(cli_common).items() if name.startswith("EXIT_")]
    assert len(codes) == 10  # 0-8 and 70, every one of them in the table
    for code in codes:
        assert re.search(rf"^\| *`?{code}`? *\|", text, re.M), f"exit code {code} is not in the exit code table"


def test_public_api_is_documented() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    for name in kpi_engine.__all__:
        assert f"`{name}" in text, f"kpi_engine.{name} is not documented in reference.md"


# --- the tutorial's pack works -------------------------------------------------------------
def test_tutorial_files_make_a_valid_tested_pack(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kpi_engine.cli import main

    files = [b for b in fenced_blocks(TUTORIAL) if "file" in b.options]
    assert files, "the tutorial shows its files with ```yaml file=PATH"
    created = CliRunner().invoke(main, ["init", str(tmp_path / "mon-entreprise")])  # the tutorial starts with kpi init
    assert created.exit_code == 0, created.output
    for block in files:  # later blocks of the same file replace earlier ones (the fixed version)
        target = tmp_path / block.options["file"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(block.text, encoding="utf-8")
    pack_dir = tmp_path / "mon-entreprise"
    pack = load_pack(pack_dir)
    tests = sorted(pack_dir.rglob("*.test.yaml"))
    assert tests
    for test in tests:
        report = run_test_text(pack, test.read_text(encoding="utf-8"), test.name)
        assert report.passed, [str(f) for f in report.failures + report.problems]
    csv_files = sorted(tmp_path.rglob("*.csv"))
    assert csv_files
    for facts_file in csv_files:
        facts = read_facts_text(facts_file.read_text(encoding="utf-8"), facts_file.name)
        assert not facts.names() - set(pack.inputs), "the tutorial's export has columns that are not inputs"
        if all(fact.scenario != "actual" for fact in facts.facts()):
            continue  # a budget file: read beside the actual figures (`--compare budget`), checked by test_docs_outputs
        evaluation = pack.evaluate(facts)
        assert any(r.value is not None for r in evaluation.results)


# --- the standard library table --------------------------------------------------------------
BEGIN, END = "<!-- BEGIN GENERATED: python tests/test_docs.py -->", "<!-- END GENERATED -->"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def standard_library_table() -> str:
    """The generated part of docs/standard-library.md, from definitions/."""
    pack = load_pack(DEFINITIONS)
    themes: dict[str, list] = {}
    for kpi in pack.kpis.values():
        themes.setdefault(Path(kpi.location.file).stem, []).append(kpi)
    out = [f"{len(pack.kpis)} KPIs in {len(themes)} themes, over {len(pack.inputs)} inputs.", ""]
    for theme, kpis in themes.items():
        out += [f"### Theme `{theme}` (`definitions/{theme}.yaml`)", ""]
        out += ["| KPI id | Libellé (fr) | Label (en) | Formula | Unit | Owner | Frequency | Default target / alerts |"]
        out += ["|---|---|---|---|---|---|---|---|"]
        for kpi in kpis:
            steering = []
            if kpi.target:
                steering.append(f"target `{_cell(kpi.target.text)}` ({kpi.direction})")
            steering += [f"{a.severity} when `{_cell(a.when.text)}`" for a in kpi.alerts]
            out.append(
                f"| `{kpi.name}` | {_cell(kpi.label.fr)} | {_cell(kpi.label.en)} | `{_cell(kpi.formula.text)}` | {kpi.unit} "
                f"| {kpi.owner} | {kpi.frequency} | {'<br>'.join(steering) or '—'} |"
            )
        out.append("")
    out += ["### Inputs (the facts to provide, `definitions/inputs.yaml`)", ""]
    out += ["| Input | Libellé (fr) | Label (en) | Unit | Roll-up |", "|---|---|---|---|---|"]
    for item in pack.inputs.values():
        out.append(f"| `{item.name}` | {_cell(item.label.fr)} | {_cell(item.label.en)} | {item.unit} | {item.rollup} |")
    return "\n".join(out)


def _generated_part(text: str) -> str:
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[start:end].strip()


def test_every_standard_kpi_is_in_the_standard_library_page() -> None:
    text = STANDARD_LIBRARY.read_text(encoding="utf-8")
    pack = load_pack(DEFINITIONS)
    kpi_tables = text.split("### Inputs")[0]
    listed = set(re.findall(r"^\| `([A-Za-z_][A-Za-z0-9_]*)` \|", kpi_tables, re.M))
    missing, extra = set(pack.kpis) - listed, listed - set(pack.kpis)
    hint = "; regenerate with: python tests/test_docs.py"
    assert not missing, f"standard KPIs missing from docs/standard-library.md: {sorted(missing)}{hint}"
    assert not extra, f"docs/standard-library.md lists KPIs that do not exist: {sorted(extra)}{hint}"
    assert _generated_part(text) == standard_library_table().strip(), f"docs/standard-library.md is out of date{hint}"


def _regenerate() -> None:
    text = STANDARD_LIBRARY.read_text(encoding="utf-8")
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    STANDARD_LIBRARY.write_text(f"{text[:start]}\n{standard_library_table()}\n{text[end:]}", encoding="utf-8")
    print(f"wrote {STANDARD_LIBRARY.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(_regenerate())
