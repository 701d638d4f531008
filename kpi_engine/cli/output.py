"""Evaluation results as text: aligned tables for people, JSON and CSV for machines, DOT and Mermaid for the graph.

Machine formats carry exact decimal text (`"1234.56"`, never a float) and
`null` for undefined; human formats round for display by unit and language.
A quotient that does not terminate is written at most at `MACHINE_DECIMALS`
decimals and 28 significant digits, the precision every backend keeps (Python:
28 digits; SQL: 24 decimals), so equal values print equal whatever computed them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Literal

from ..alerts import Alert
from ..escaping import csv_cell, terminal_text
from ..explain import ExplainNode
from ..formatting import Language, format_gap, format_value, plain, status_word
from ..model import Definitions
from ..numbers import DECIMAL_CONTEXT
from ..results import Evaluation, Result

RESULT_FIELDS = ("kpi", "period", "entity", "value", "target", "gap", "status", "owner", "error")
_HEADERS = {
    "fr": ("KPI", "Période", "Entité", "Valeur", "Cible", "Écart", "Statut", "Responsable", "Raison"),
    "en": ("KPI", "Period", "Entity", "Value", "Target", "Gap", "Status", "Owner", "Reason"),
}
_ALERT_HEADERS = {
    "fr": ("Gravité", "KPI", "Période", "Entité", "Message", "Responsable"),
    "en": ("Severity", "KPI", "Period", "Entity", "Message", "Owner"),
}
_SILENCED_HEADERS = {
    "fr": ("Gravité", "KPI", "Période", "Entité", "Message", "Silence jusqu'au", "Raison"),
    "en": ("Severity", "KPI", "Period", "Entity", "Message", "Silenced until", "Reason"),
}
_INHIBITED = {
    "fr": "{count} alerte(s) moins grave(s) masquée(s) par une alerte plus grave du même KPI, de la même entité et de la même période",
    "en": "{count} lesser alert(s) hidden by a more severe alert of the same KPI, entity and period",
}


MACHINE_DECIMALS = 24
_MACHINE_STEP = Decimal(1).scaleb(-MACHINE_DECIMALS)


def machine_number(value: Decimal | None) -> str | None:
    """A value's exact text for machines, rounded (half even) only beyond 24 decimals or 28 significant digits."""
    if value is None:
        return None
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MACHINE_DECIMALS:
        value = value.quantize(_MACHINE_STEP, rounding=ROUND_HALF_EVEN, context=DECIMAL_CONTEXT.copy())
    return plain(DECIMAL_CONTEXT.plus(value))


def result_record(result: Result) -> dict[str, Any]:
    """A result as a JSON object: exact decimal text, null for undefined."""
    return {
        "kpi": result.kpi,
        "period": str(result.period),
        "entity": result.entity,
        "value": machine_number(result.value),
        "target": machine_number(result.target),
        "gap": machine_number(result.gap),
        "status": result.status,
        "owner": result.owner,
        "error": result.error,
    }


def alert_record(alert: Alert) -> dict[str, Any]:
    """An alert as a JSON object."""
    return {
        "kpi": alert.kpi,
        "period": str(alert.period),
        "entity": alert.entity,
        "severity": alert.severity,
        "message": alert.message,
        "owner": alert.owner,
        "value": machine_number(alert.value),
        "rule": alert.rule_id,
        "silenced": alert.silenced,
        "silenced_until": alert.silence.until.isoformat() if alert.silence else None,
        "inhibited_by": alert.inhibited_by,
    }


def to_json(evaluation: Evaluation, alerts: Sequence[Alert]) -> str:
    """`{"results": [...], "alerts": [...]}` for machines; every alert, silenced and inhibited ones marked."""
    document = {
        "results": [result_record(r) for r in evaluation.results],
        "alerts": [alert_record(a) for a in alerts],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def to_csv(evaluation: Evaluation) -> str:
    """The results as CSV, one row each, exact decimal text; every cell passes through `csv_cell` (no formula injection)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=RESULT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for result in evaluation.results:
        writer.writerow({k: csv_cell("" if v is None else str(v)) for k, v in result_record(result).items()})
    return buffer.getvalue()


def to_table(evaluation: Evaluation, alerts: Sequence[Alert], definitions: Definitions, lang: Language) -> str:
    """Results and alerts as aligned text tables, in the reader's language."""
    rows = []
    for r in evaluation.results:
        kpi = definitions.kpis[r.kpi]
        rows.append(
            (
                kpi.label.get(lang, r.kpi),
                str(r.period),
                r.entity or "",
                format_value(r.value, kpi.unit, lang),
                "" if r.target is None else format_value(r.target, kpi.unit, lang),
                format_gap(r.gap, kpi.unit, lang),
                status_word(r.status, lang),
                r.owner,
                r.reason(lang),
            )
        )
    text = align(_HEADERS.get(lang, _HEADERS["en"]), rows, numeric=(3, 4, 5))
    return text + _alert_tables(alerts, definitions, lang)


def _alert_tables(alerts: Sequence[Alert], definitions: Definitions, lang: Language) -> str:
    """The alerts to act on; then the silenced ones with their reason; then how many lesser ones are hidden."""
    def where(a: Alert) -> tuple[str, str, str, str, str]:
        return (a.severity.upper(), definitions.kpis[a.kpi].label.get(lang, a.kpi), str(a.period), a.entity or "", a.text(lang))

    text = ""
    active = [a for a in alerts if a.active]
    if active:
        title = "Alertes" if lang == "fr" else "Alerts"
        text += f"\n\n{title} ({len(active)})\n" + align(_ALERT_HEADERS[lang], [(*where(a), a.owner) for a in active])
    silenced = [a for a in alerts if a.silence and not a.inhibited_by]
    if silenced:
        title = "Alertes en silence" if lang == "fr" else "Silenced alerts"
        rows = [(*where(a), a.silence.until.isoformat(), a.silence.reason) for a in silenced if a.silence]
        text += f"\n\n{title} ({len(silenced)})\n" + align(_SILENCED_HEADERS[lang], rows)
    hidden = sum(1 for a in alerts if a.inhibited_by)
    if hidden:
        text += "\n\n" + _INHIBITED[lang].format(count=hidden)
    return text


def align(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = (), rule: bool = True) -> str:
    """A plain-text table; `numeric` columns are right-aligned so decimals line up; `rule` underlines the headers.

    Every cell passes through `terminal_text` here, so no label, entity or message can send control sequences to the terminal.
    """
    rows = [tuple(terminal_text(cell) for cell in row) for row in (headers, *rows)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(headers))]
    lines = []
    for row in rows:
        cells = [cell.rjust(w) if i in numeric else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
    if rule:
        lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


@dataclass(frozen=True)
class _Diagram:
    """How one diagram language writes its frame, nodes and edges."""

    head: tuple[str, ...]
    tail: tuple[str, ...]
    input_node: Callable[[str, str], str]
    kpi_node: Callable[[str, str], str]
    edge: Callable[[str, str], str]


def _mermaid_text(text: str) -> str:
    """A Mermaid label shown as written: quotes and HTML brackets as Mermaid entity codes, controls visible."""
    return terminal_text(text).replace('"', "#quot;").replace("<", "#60;").replace(">", "#62;")


DiagramLanguage = Literal["dot", "mermaid"]
"""`kpi graph --format`: Graphviz or Mermaid."""

DIAGRAMS: dict[DiagramLanguage, _Diagram] = {
    "dot": _Diagram(
        ("digraph kpis {", "  rankdir=LR;", '  node [shape=box, fontname="Helvetica"];'),
        ("}",),
        lambda name, label: f"  {name} [label={json.dumps(label)}, shape=ellipse];",
        lambda name, label: f"  {name} [label={json.dumps(label)}];",
        lambda source, target: f"  {source} -> {target};",
    ),
    "mermaid": _Diagram(
        ("flowchart LR",),
        (),
        lambda name, label: f'  {name}(["{_mermaid_text(label)}"])',
        lambda name, label: f'  {name}["{_mermaid_text(label)}"]',
        lambda source, target: f"  {source} --> {target}",
    ),
}


def to_diagram(definitions: Definitions, graph: dict[str, list[str]], lang: Language, language: DiagramLanguage) -> str:
    """The dependency graph (KPI -> what it reads) in `language` (dot or mermaid): inputs, KPIs, edges."""
    diagram = DIAGRAMS[language]
    used_inputs = sorted({dep for deps in graph.values() for dep in deps if dep in definitions.inputs})
    lines = list(diagram.head)
    lines += [diagram.input_node(name, definitions.inputs[name].label.get(lang, name)) for name in used_inputs]
    lines += [diagram.kpi_node(name, kpi.label.get(lang, name)) for name, kpi in definitions.kpis.items()]
    lines += [diagram.edge(dep, name) for name, deps in graph.items() for dep in deps]
    lines += diagram.tail
    return "\n".join(lines) + "\n"


def explain_text(tree: ExplainNode, lang: Language) -> str:
    """A computation tree as indented text, each node with its value; reasons may quote entity names, so each line is `terminal_text`."""
    lines = [f"{tree.text} = {_observed(tree, lang)}"]
    _explain_children(tree, "", lines, lang)
    return "\n".join(terminal_text(line) for line in lines)


def _explain_children(node: ExplainNode, prefix: str, lines: list[str], lang: Language) -> None:
    for index, child in enumerate(node.children):
        last = index == len(node.children) - 1
        tag = {"input": " [input]", "kpi": " [KPI]"}.get(child.kind, "")
        lines.append(f"{prefix}{'└─ ' if last else '├─ '}{child.text}{tag} = {_observed(child, lang)}")
        _explain_children(child, prefix + ("   " if last else "│  "), lines, lang)


def _observed(node: ExplainNode, lang: Language) -> str:
    if not node.observations:
        return "(not evaluated)" if lang != "fr" else "(non évalué)"
    current = node.observations[-1].period
    parts = []
    for observation in node.observations:
        if observation.value is None:
            text = f"{format_value(None, lang=lang)} ({observation.reason.text(lang) if observation.reason else ''})"
        elif isinstance(observation.value, bool):
            text = str(observation.value).lower()
        else:
            text = f"{plain(observation.value)}"
            shown = format_value(observation.value, node.unit, lang)
            if node.unit and shown != text:
                text += f" ({shown})"
        parts.append(text if len(node.observations) == 1 and observation.period == current else f"{text} @ {observation.period}")
    return ", ".join(parts)
