"""Assembly: schema-valid layers of documents -> one merged `Definitions`, formulas parsed.

Named for what it does rather than "definitions": that word already names the
standard library's folder (`definitions/`) and the merged result
(`model.Definitions`), and this module is the step between the two.

A pack is a stack of layers: the packs it extends first (the standard
library, a group pack...), the company's own files last. Each layer may add
inputs and KPIs, and `overrides:` may change the presentation and steering of
KPIs from earlier layers (target, direction, owner, frequency, alerts,
labels, tags), never their formula, so a company pack never copies one.
A layer may also leave out KPIs of earlier layers (`exclude:`), set the
calendar (`calendar:`, the last layer that sets it wins) and declare
entities and groups (`entities:`, a later layer's declaration replaces an
earlier one of the same name).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from .accounts import account_rule_of
from .company import Company, merged_company
from .entities import group_problems
from .errors import Location, Problem, did_you_mean, path_text
from .functions import SCENARIOS
from .graph import references
from .limits import Limits
from .model import (
    MISSINGS,
    ROLLUPS,
    SEVERITIES,
    AlertRule,
    Audience,
    Consolidation,
    Definitions,
    EntityDef,
    Formula,
    InputDef,
    KpiDef,
    Label,
    Missing,
    Severity,
    Silence,
)
from .nodes import Call, Name
from .owners import Owner, is_address, merged_owner
from .parser import FormulaSyntaxError, parse_formula
from .periods import FREQUENCIES, GREGORIAN, Calendar, Frequency
from .yamlsource import Document, Path, Spec


@dataclass
class _Collector:
    """Accumulates definitions and problems while walking the layers."""

    limits: Limits
    inputs: dict[str, InputDef] = field(default_factory=dict)
    kpis: dict[str, KpiDef] = field(default_factory=dict)
    audiences: dict[str, Audience] = field(default_factory=dict)
    themes: dict[str, Label] = field(default_factory=dict)
    owners: dict[str, Owner] = field(default_factory=dict)
    company: Company = field(default_factory=Company)
    silences: list[Silence] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)
    extended_inputs: dict[str, InputDef] = field(default_factory=dict)  # the inputs of the layers below this one
    calendar: Calendar = GREGORIAN
    entities: dict[str, EntityDef] = field(default_factory=dict)
    excluded: dict[str, Location] = field(default_factory=dict)  # KPI left out -> where it was excluded


def build_definitions(
    layers: Sequence[Sequence[Document]], limits: Limits = Limits(), spoiled: Mapping[str, set[Path]] | None = None
) -> tuple[Definitions, list[Problem]]:
    """Merge layers (bases first); returns the definitions and every problem found.

    `spoiled` names, per file, the entries the schema rejected (`("kpis", "x")`): they
    are skipped, and their names stay known so they cause no "unknown name" noise.
    """
    collector = _Collector(limits)
    files: list[str] = []
    for layer in layers:
        earlier = dict(collector.kpis)
        collector.extended_inputs = dict(collector.inputs)
        for document in layer:
            files.append(document.source.name)
            _add_document(collector, document, earlier, (spoiled or {}).get(document.source.name, set()))
        for document in layer:
            _apply_overrides(collector, document, earlier, (spoiled or {}).get(document.source.name, set()))
        for document in layer:
            _apply_exclusions(collector, document, earlier)
    collector.problems.extend(_excluded_but_read(collector))
    collector.problems.extend(group_problems(collector.entities))
    audiences = {name: replace(a, kpis=tuple(k for k in a.kpis if k not in collector.excluded)) for name, a in collector.audiences.items()}
    kpis = {name: _own_scenario_target(kpi, collector) for name, kpi in collector.kpis.items()}
    definitions = Definitions(
        collector.inputs, kpis, audiences, tuple(files), frozenset(collector.broken), collector.themes,
        collector.calendar, collector.entities,
        owners=collector.owners,
        silences=tuple(collector.silences),
        company=collector.company,
    )
    return definitions, collector.problems


def _own_scenario_target(kpi: KpiDef, collector: _Collector) -> KpiDef:
    """`target: budget` means the KPI's own budget value, `budget(<kpi>)`, unless an input or KPI is named
    `budget` (then it reads that, as before): known only once every layer is merged."""
    target = kpi.target
    if target is None or not isinstance(target.node, Name) or target.node.id not in SCENARIOS:
        return kpi
    if target.node.id in collector.inputs or target.node.id in collector.kpis:
        return kpi
    node = target.node
    call = Call(node.id, (Name(kpi.name, node.span),), node.span, node.span)
    return replace(kpi, target=replace(target, node=call))


def parse_expression(value: Any, document: Document, path: Path, limits: Limits) -> Formula | Problem:
    """A formula from a YAML value (text or number), or the located syntax problem."""
    text = format(value, "f") if isinstance(value, Decimal) else str(value)
    scalar = document.values.get(path)
    try:
        node = parse_formula(text, limits)
    except FormulaSyntaxError as error:
        location = scalar.locate(text, error.offset) if scalar else document.location(path)
        snippet = scalar.snippet(text, error.offset, error.width) if scalar else ""
        return Problem(location, f"{path_text(path)}: {error.message}", snippet)
    return Formula(text, node, scalar)


def _decimal_or_none(value: Any) -> Decimal | None:
    return None if value is None or isinstance(value, bool) else Decimal(value)


def label_of(value: Any) -> Label:
    """A YAML label (text, or {fr, en}) as a `Label`."""
    if isinstance(value, dict):
        return Label(fr=value.get("fr", ""), en=value.get("en", ""))
    return Label(fr=value or "", en=value or "")


def _section(document: Document, key: str, spoiled: set[Path], collector: _Collector) -> Iterator[tuple[str, Spec]]:
    """The entries of a top-level mapping. An entry the schema rejected is repaired where it can
    be (an unknown frequency read as monthly...) so its formulas are still checked: the pack
    will not compile anyway, and the user sees every problem in one run. Others are only
    remembered by name, so they cause no "unknown name" noise."""
    data = document.data if isinstance(document.data, dict) else {}
    section = data.get(key)
    for name, spec in (section.items() if isinstance(section, dict) else ()):
        repaired = _REPAIRS[key](spec) if (key, name) in spoiled and key in _REPAIRS and isinstance(spec, dict) else spec
        if isinstance(repaired, dict) and ((key, name) not in spoiled or key in _REPAIRS):
            yield name, repaired
        else:
            collector.broken.add(name)


def _choice(value: Any, allowed: Sequence[str], fallback: str) -> str:
    return value if value in allowed else fallback


def _repaired_input(spec: Spec) -> Spec:
    bounds = {key: spec[key] if isinstance(spec.get(key), (int, Decimal)) and not isinstance(spec.get(key), bool) else None for key in ("min", "max")}
    return {**spec, **bounds, "rollup": _choice(spec.get("rollup"), ROLLUPS, "sum"), "label": _label_or_none(spec.get("label")),
            "consolidation": _choice(spec.get("consolidation"), tuple(Consolidation), "sum"),
            "missing": _choice(spec.get("missing"), MISSINGS, Missing.UNDEFINED)}


def _repaired_kpi(spec: Spec) -> Spec | None:
    if not isinstance(spec.get("formula"), (str, int, Decimal)):
        return None
    kept = {"formula", "description", "unit", "owner"}
    repaired: Spec = {key: value for key, value in spec.items() if key in kept and isinstance(value, (str, int, Decimal))}
    repaired["frequency"] = _choice(spec.get("frequency"), FREQUENCIES, "monthly")
    repaired["label"] = _label_or_none(spec.get("label"))
    if isinstance(spec.get("target"), (str, int, Decimal)):
        repaired["target"] = spec["target"]
        repaired["direction"] = _choice(spec.get("direction"), ("higher_is_better", "lower_is_better"), "higher_is_better")
    if isinstance(spec.get("tags"), list):
        repaired["tags"] = [tag for tag in spec["tags"] if isinstance(tag, str)]
    if isinstance(spec.get("alerts"), list):
        repaired["alerts"] = [_repaired_alert(alert) for alert in spec["alerts"] if isinstance(alert, dict) and _is_expression(alert.get("when"))]
    return repaired


def _is_expression(value: Any) -> bool:
    return isinstance(value, (str, int, Decimal)) and not isinstance(value, bool)


def _repaired_alert(alert: Spec) -> Spec:
    """An alert rule the schema rejected, kept so its conditions are still checked."""
    repaired: Spec = {"when": alert["when"], "severity": _choice(alert.get("severity"), SEVERITIES, "warning"),
                      "message": _label_or_none(alert.get("message")) or ""}
    if _is_expression(alert.get("resolve_when")):
        repaired["resolve_when"] = alert["resolve_when"]
    return repaired


def _label_or_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {lang: text for lang, text in value.items() if lang in ("fr", "en") and isinstance(text, str)} or None
    return value if isinstance(value, str) else None


_REPAIRS = {"inputs": _repaired_input, "kpis": _repaired_kpi}


def _add_document(collector: _Collector, document: Document, earlier: dict[str, KpiDef], spoiled: set[Path]) -> None:
    for name, spec in _section(document, "inputs", spoiled, collector):
        location = document.key_location(("inputs", name))
        redefined = _redefines_extended_input(collector, name, spec, location)
        if not redefined and _is_duplicate(collector, name, location, "input"):
            continue
        accounts, account_problems = account_rule_of(document, ("inputs", name), spec)
        collector.problems.extend(account_problems)
        definition = InputDef(
            name=name,
            rollup=spec["rollup"],  # present: the schema requires it, a repair supplies it
            label=label_of(spec.get("label")),
            description=spec.get("description", ""),
            unit=spec.get("unit", ""),
            minimum=_decimal_or_none(spec.get("min")),
            maximum=_decimal_or_none(spec.get("max")),
            location=location,
            accounts=accounts,
            consolidation=Consolidation(spec.get("consolidation", "sum")),
            missing=spec.get("missing", Missing.UNDEFINED),
        )
        collector.inputs[name] = _given_over(collector.extended_inputs[name], definition, spec) if redefined else definition
    for name, spec in _section(document, "kpis", spoiled, collector):
        location = document.key_location(("kpis", name))
        if name in earlier:
            collector.problems.append(
                Problem(
                    location,
                    f"KPI '{name}' is already defined by the extended pack at {earlier[name].location}; "
                    "change its target, owner or alerts under 'overrides:' or give your KPI another name",
                )
            )
            continue
        if _is_duplicate(collector, name, location, "KPI"):
            continue
        kpi = _kpi(collector, document, name, spec, location)
        if kpi:
            collector.kpis[name] = kpi
        else:
            collector.broken.add(name)
    data = document.data if isinstance(document.data, dict) else {}
    _add_calendar_and_entities(collector, document, data)
    for tag, label in (data.get("themes") or {}).items() if isinstance(data.get("themes"), dict) else ():
        collector.themes[tag] = label_of(label)  # a later layer may rename a theme
    _add_owners(collector, document, data)
    if isinstance(data.get("company"), dict):
        collector.company = merged_company(collector.company, data["company"])
    collector.silences.extend(_silences(collector, document, spoiled))
    for name, spec in _section(document, "audiences", spoiled, collector):
        collector.audiences[name] = Audience(
            name=name,
            label=label_of(spec.get("label", name)),
            kpis=tuple(spec.get("kpis", ())),
            tags=tuple(spec.get("tags", ())),
            owners=tuple(spec.get("owners", ())),
            location=document.key_location(("audiences", name)),
        )


def _redefines_extended_input(collector: _Collector, name: str, spec: dict[str, Any], location: Location) -> bool:
    """A layer may define again an input of the packs it extends (to read it from its own accounts,
    relabel it...): the keys it gives replace the old ones, and the roll-up, which the extended
    formulas rely on, stays the same. Only once per layer: a second definition is a duplicate."""
    previous = collector.extended_inputs.get(name)
    if previous is None or collector.inputs.get(name) is not previous:
        return False
    if spec["rollup"] != previous.rollup:
        collector.problems.append(Problem(location, f"input '{name}' redefines the input of the extended pack at "
                                                    f"{previous.location}: keep its rollup '{previous.rollup}', not '{spec['rollup']}'"))
    return True


_INPUT_FIELDS = {"rollup": "rollup", "label": "label", "description": "description", "unit": "unit",
                 "min": "minimum", "max": "maximum", "accounts": "accounts",
                 "consolidation": "consolidation", "missing": "missing"}  # YAML key -> InputDef field


def _given_over(previous: InputDef, definition: InputDef, spec: dict[str, Any]) -> InputDef:
    """An extended input with the keys its redefinition gives; the others are kept."""
    given = {field: getattr(definition, field) for key, field in _INPUT_FIELDS.items() if key in spec}
    return replace(previous, location=definition.location, **given)


def _add_owners(collector: _Collector, document: Document, data: dict[str, Any]) -> None:
    """Owners of this layer over those of earlier ones, key by key (the schema has checked their shape)."""
    owners = data.get("owners")
    for role, spec in owners.items() if isinstance(owners, dict) else ():
        if isinstance(spec, dict):
            location = document.key_location(("owners", role))
            collector.owners[role] = merged_owner(collector.owners.get(role), role, spec, location)
            for path, address in _written_addresses(spec.get("email"), ("owners", role, "email")):
                if not is_address(address):
                    message = f"owners.{role}.email: '{address}' is not an e-mail address (name@domain.fr)"
                    collector.problems.append(Problem(document.location(path), message))


def _written_addresses(written: Any, path: Path) -> list[tuple[Path, str]]:
    """Each address an `email:` key gives (one text or a list), with where it is written."""
    if isinstance(written, str):
        return [(path, written)]
    items = written if isinstance(written, list) else []
    return [((*path, index), address) for index, address in enumerate(items) if isinstance(address, str)]


def _is_duplicate(collector: _Collector, name: str, location: Location, kind: str) -> bool:
    previous = collector.inputs.get(name) or collector.kpis.get(name)
    if previous is None:
        return False
    other = "an input" if name in collector.inputs else "a KPI"
    collector.problems.append(
        Problem(location, f"{kind} '{name}' is defined twice: {other} of that name is already defined at {previous.location}")
    )
    return True


def _kpi(collector: _Collector, document: Document, name: str, spec: Spec, location: Location) -> KpiDef | None:
    base: Path = ("kpis", name)
    formula = _expression(collector, document, spec["formula"], (*base, "formula"))
    if formula is None:
        return None
    kpi = KpiDef(
        name=name,
        formula=formula,
        frequency=Frequency(spec["frequency"]),
        label=label_of(spec.get("label")),
        description=spec.get("description", ""),
        unit=spec.get("unit", ""),
        owner=spec.get("owner", ""),
        direction=spec.get("direction", ""),
        tags=tuple(spec.get("tags", ())),
        location=location,
    )
    return _with_steering(collector, document, kpi, spec, base)


def _with_steering(collector: _Collector, document: Document, kpi: KpiDef, spec: Spec, base: Path) -> KpiDef:
    """Apply the keys shared by definitions and overrides: target and alerts need parsing."""
    changes: dict[str, Any] = {}
    if "target" in spec:
        target = spec["target"]
        changes["target"] = None if target is None else _expression(collector, document, target, (*base, "target"))
    if "alerts" in spec:
        changes["alerts"] = tuple(_alerts(collector, document, spec["alerts"], (*base, "alerts")))
    return replace(kpi, **changes)


def _alerts(collector: _Collector, document: Document, specs: list[Spec], base: Path) -> Iterator[AlertRule]:
    for index, spec in enumerate(specs):
        when = _expression(collector, document, spec["when"], (*base, index, "when"))
        # a resolve_when that does not parse is reported, and the rule kept so later rules keep their numbers
        resolve_when = _expression(collector, document, spec["resolve_when"], (*base, index, "resolve_when")) if "resolve_when" in spec else None
        if when is not None:
            message = spec.get("message") or ""
            path = (*base, index, "message")
            yield AlertRule(
                when=when,
                severity=spec["severity"],
                message=label_of(message) if message else Label(),
                location=document.location((*base, index)),
                message_scalars=_message_scalars(document, path, message),
                for_periods=spec.get("for", 1),
                resolve_when=resolve_when,
                inhibit=spec.get("inhibit", True),
            )


def _silences(collector: _Collector, document: Document, spoiled: set[Path]) -> Iterator[Silence]:
    """The `silences:` of one document; an entry the schema rejected is skipped (its problems are reported)."""
    data = document.data if isinstance(document.data, dict) else {}
    entries = data.get("silences")
    for index, spec in enumerate(entries if isinstance(entries, list) else ()):
        path: Path = ("silences", index)
        if path in spoiled or not isinstance(spec, dict):
            continue
        try:
            until = date.fromisoformat(str(spec["until"]))
        except ValueError:
            message = f"silences[{index + 1}].until: '{spec['until']}' is not a date: write it YYYY-MM-DD, like 2026-03-31"
            collector.problems.append(Problem(document.location((*path, "until")), message))
            continue
        severity = spec.get("severity")
        yield Silence(
            kpi=spec["kpi"],
            until=until,
            reason=spec["reason"],
            entity=spec.get("entity"),
            rule=spec.get("rule"),
            severity=None if severity is None else Severity(severity),
            location=document.location(path),
        )


def _message_scalars(document: Document, path: Path, message: Any) -> tuple[tuple[str, Any], ...]:
    """Where each language's template is written, to locate its mistakes."""
    if isinstance(message, dict):
        return tuple((lang, document.values[(*path, lang)]) for lang in message if (*path, lang) in document.values)
    scalar = document.values.get(path)
    return (("fr", scalar), ("en", scalar)) if scalar else ()


def _expression(collector: _Collector, document: Document, value: Any, path: Path) -> Formula | None:
    parsed = parse_expression(value, document, path, collector.limits)
    if isinstance(parsed, Problem):
        collector.problems.append(parsed)
        return None
    return parsed


def _apply_overrides(collector: _Collector, document: Document, earlier: dict[str, KpiDef], spoiled: set[Path]) -> None:
    for name, spec in _section(document, "overrides", spoiled, collector):
        location = document.key_location(("overrides", name))
        if name not in earlier:
            where = "in this pack, not in the pack it extends: edit it directly" if name in collector.kpis else "in the extended packs"
            hint = "" if name in collector.kpis else did_you_mean(name, earlier)
            collector.problems.append(Problem(location, f"cannot override KPI '{name}': it is not defined {where}{hint}"))
            continue
        current = collector.kpis[name]
        simple = {
            "label": label_of(spec["label"]) if "label" in spec else current.label,
            "description": spec.get("description", current.description),
            "owner": spec.get("owner", current.owner),
            "frequency": Frequency(spec["frequency"]) if "frequency" in spec else current.frequency,
            "direction": spec.get("direction", current.direction),
            "tags": tuple(spec["tags"]) if "tags" in spec else current.tags,
        }
        collector.kpis[name] = _with_steering(collector, document, replace(current, **simple), spec, ("overrides", name))


def _add_calendar_and_entities(collector: _Collector, document: Document, data: Spec) -> None:
    """`calendar:` (a later layer's replaces an earlier one's) and `entities:` (added, or replaced by name)."""
    calendar = data.get("calendar")
    if isinstance(calendar, dict) and isinstance(calendar.get("fiscal_year_start"), int) and 1 <= calendar["fiscal_year_start"] <= 12:
        collector.calendar = Calendar(calendar["fiscal_year_start"])
    entities = data.get("entities")
    for name, spec in entities.items() if isinstance(entities, dict) else ():
        if isinstance(spec, dict):
            members = spec.get("members")
            collector.entities[str(name)] = EntityDef(
                name=str(name),
                label=label_of(spec.get("label", name)),
                members=tuple(str(m) for m in members) if isinstance(members, list) else (),
                location=document.key_location(("entities", name)),
            )


def _apply_exclusions(collector: _Collector, document: Document, earlier: dict[str, KpiDef]) -> None:
    """Leave out the KPIs of earlier layers that `exclude:` names, or that carry a tag it names."""
    data = document.data if isinstance(document.data, dict) else {}
    exclude = data.get("exclude")
    if not isinstance(exclude, dict):
        return
    for index, name in enumerate(exclude.get("kpis") or ()):
        location = document.location(("exclude", "kpis", index))
        if name in earlier and name in collector.kpis:
            collector.excluded[name] = location
            del collector.kpis[name]
        elif name not in collector.excluded:
            why = ("it is defined in this pack, not in the packs it extends: delete it instead" if name in collector.kpis
                   else f"it is not a KPI of the extended packs{did_you_mean(name, earlier)}")
            collector.problems.append(Problem(location, f"cannot exclude '{name}': {why}"))
    for index, tag in enumerate(exclude.get("tags") or ()):
        location = document.location(("exclude", "tags", index))
        tagged = [name for name, kpi in earlier.items() if tag in kpi.tags and name in collector.kpis]
        if not tagged and not any(tag in kpi.tags for kpi in earlier.values()):
            collector.problems.append(Problem(location, f"cannot exclude tag '{tag}': no KPI of the extended packs has it"))
        for name in tagged:
            collector.excluded[name] = location
            del collector.kpis[name]


def _excluded_but_read(collector: _Collector) -> Iterator[Problem]:
    """An excluded KPI that a kept KPI reads (formula, target or alert) cannot be left out."""
    for name, kpi in collector.kpis.items():
        formulas = [kpi.formula, *([kpi.target] if kpi.target else []), *(rule.when for rule in kpi.alerts)]
        read = dict.fromkeys(r.name for formula in formulas for r in references(formula.node) if r.name in collector.excluded)
        for excluded in read:
            collector.broken.add(excluded)  # known, so the formula reading it gets no "unknown name" noise
            yield Problem(
                collector.excluded[excluded],
                f"cannot exclude KPI '{excluded}': KPI '{name}' (at {kpi.location}) reads it; exclude '{name}' too, or keep '{excluded}'",
            )
