"""Semantic checks on merged definitions: what the schema cannot see.

Each check is a small generator of `Problem`s; `semantic_problems` runs them
all so the user gets every problem at once. Checks: reserved names, unknown
names and functions (with "did you mean"), argument counts and literal
arguments, number-versus-condition types, targets without a direction,
message templates, audiences, silences, and dependency cycles.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Set
from decimal import Decimal
from typing import Protocol, assert_never

from .errors import Problem, accent_hint, did_you_mean
from .functions import FUNCTIONS, Count, Function, Kind
from .graph import find_cycles, references, same_period_graph
from .limits import Limits
from .model import Definitions, Formula, KpiDef
from .nodes import Binary, Call, Compare, Name, Node, Number, Unary, integer_literal
from .plan import rule_ids

RESERVED = frozenset({"value", "target", "gap", "and", "or", "not"})
ALERT_NAMES = ("value", "target", "gap")
TEMPLATE_NAMES = ("value", "target", "gap", "period", "entity", "kpi", "label", "owner", "severity", "unit")
TEXT_FIELDS = frozenset({"period", "entity", "kpi", "label", "owner", "severity", "unit"})

NUMBER, CONDITION = "number", "condition"


class _Need(Protocol):
    """Checks that a child node has the wanted type, appending a problem naming its role when not."""

    def __call__(self, child: Node, wanted: str, role: str) -> None: ...


def semantic_problems(definitions: Definitions, limits: Limits = Limits()) -> list[Problem]:
    """Every semantic problem of merged definitions, each located; time linear in the size of the pack."""
    problems: list[Problem] = []
    for check in (_reserved_names, _expressions, _directions, _audiences, _silences, _cycles):
        problems.extend(check(definitions))
    problems.extend(_templates(definitions, limits))
    return problems


def _reserved_names(definitions: Definitions) -> Iterator[Problem]:
    for kind, table in (("an input", definitions.inputs), ("a KPI", definitions.kpis)):
        for name, item in table.items():
            if name in RESERVED:
                yield Problem(item.location, f"'{name}' is a reserved word and cannot name {kind}: choose another name")


def _expressions(definitions: Definitions) -> Iterator[Problem]:
    known = known_names(definitions)  # built once: rebuilt per KPI, it made validation quadratic in the KPI count
    with_alert_names = known | set(ALERT_NAMES)
    for kpi in definitions.kpis.values():
        yield from check_expression(kpi.formula, known, f"KPI '{kpi.name}': formula", NUMBER, own=kpi.name)
        if kpi.target:
            yield from check_expression(kpi.target, known, f"KPI '{kpi.name}': target", NUMBER)
        for number, alert in enumerate(kpi.alerts, 1):
            conditions = (("condition", alert.when), ("resolve_when", alert.resolve_when))
            for role, condition in conditions:
                if condition is None:
                    continue
                context = f"KPI '{kpi.name}': alert {number} {role}"
                yield from check_expression(condition, with_alert_names, context, CONDITION)
                if not kpi.target:
                    yield from _needs_target(condition, context)


def _needs_target(formula: Formula, context: str) -> Iterator[Problem]:
    for reference in references(formula.node):
        if reference.name in ("target", "gap"):
            yield _at(formula, reference.node, f"{context}: uses '{reference.name}' but the KPI has no target, so it could never fire")


def known_names(definitions: Definitions) -> frozenset[str]:
    """The names a formula may read: inputs, KPIs, and the entries too broken to build (no "unknown name" noise)."""
    return frozenset(definitions.inputs) | frozenset(definitions.kpis) | definitions.broken


def check_expression(formula: Formula, known: Set[str], context: str, expected: str, own: str = "") -> Iterator[Problem]:
    """Names, functions and types of one expression; `expected` is NUMBER or CONDITION.

    `known` is every name the expression may read (`known_names`, plus `value`... in an alert),
    built once by the caller for all expressions. `own` is the KPI the formula defines: never
    suggested for a misspelt name, since using it would make the KPI depend on itself.
    """
    for reference in references(formula.node):
        if reference.name not in known:
            hint = did_you_mean(reference.name, known - {own})
            yield _at(formula, reference.node, f"{context}: unknown name '{reference.name}'{hint}")
    problems: list[Problem] = []
    kind = _type_of(formula.node, formula, context, problems)
    yield from problems
    if kind and kind != expected and not problems:
        wanted = "a number" if expected == NUMBER else "a condition (for example value < 0)"
        found = "a condition (true/false)" if kind == CONDITION else "a number"
        yield _at(formula, formula.node, f"{context}: must be {wanted}, but this is {found}")


def _at(formula: Formula, node: Node, message: str) -> Problem:
    span = node.func_span if isinstance(node, Call) else node.span
    width = span.end - span.start
    return Problem(formula.locate(span.start), message, formula.snippet(span.start, width))


def _type_of(node: Node, formula: Formula, context: str, problems: list[Problem]) -> str | None:
    """NUMBER or CONDITION, appending a problem (and returning None) where operands do not fit."""

    def need(child: Node, wanted: str, role: str) -> None:
        kind = _type_of(child, formula, context, problems)
        if kind and kind != wanted:
            what = "a number" if wanted == NUMBER else "a condition"
            problems.append(_at(formula, child, f"{context}: {role} must be {what}"))

    match node:
        case Number() | Name():
            return NUMBER
        case Unary(op="-", operand=operand):
            need(operand, NUMBER, "the operand of '-'")
            return NUMBER
        case Unary(operand=operand):
            need(operand, CONDITION, "the operand of 'not'")
            return CONDITION
        case Binary(op="and" | "or" as op, left=left, right=right):
            need(left, CONDITION, f"each side of '{op}'")
            need(right, CONDITION, f"each side of '{op}'")
            return CONDITION
        case Binary(op=op, left=left, right=right) | Compare(op=op, left=left, right=right):
            need(left, NUMBER, f"each side of '{op}'")
            need(right, NUMBER, f"each side of '{op}'")
            return CONDITION if isinstance(node, Compare) else NUMBER
        case Call():
            return _call_type(node, formula, context, problems, need)
        case _:
            assert_never(node)


def _call_type(node: Call, formula: Formula, context: str, problems: list[Problem], need: _Need) -> str | None:
    """The call's type from its entry: its arguments must be what the entry says (a count written
    literally, a number, a condition, or branches that agree), and it has the entry's result type."""
    function = FUNCTIONS.get(node.func)
    if function is None:
        hint = _function_hint(node.func)
        problems.append(_at(formula, node, f"{context}: unknown function '{node.func}'{hint}; functions are {', '.join(FUNCTIONS)}"))
        return None
    count = len(node.args)
    if count < function.min_args or (function.max_args is not None and count > function.max_args):
        problems.append(
            _at(formula, node, f"{context}: {node.func}() takes {function.arity_text()}, not {count} (example: {function.example})")
        )
        return None
    for position, argument in function.kinds(count):
        if isinstance(argument, Count):
            problems.extend(_integer_problem(function, argument, node.args[position], formula, context))
    branches: set[str | None] = set()
    for position, argument in function.kinds(count):
        arg = node.args[position]
        if argument is Kind.NUMBER:
            need(arg, NUMBER, f"argument {position + 1} of {node.func}()")
        elif argument is Kind.CONDITION:
            need(arg, CONDITION, f"the {_ordinal(position)} argument of {node.func}()")
        elif argument is Kind.BRANCH:
            branches.add(_type_of(arg, formula, context, problems))
    if len(branches - {None}) > 1:
        both = "both" if sum(1 for argument in function.arguments if argument is Kind.BRANCH) == 2 else "all"
        problems.append(_at(formula, node, f"{context}: {both} branches of {node.func}() must be numbers, or {both} conditions"))
    return _result_type(function.result, branches)


def _result_type(result: Kind, branches: set[str | None]) -> str | None:
    match result:
        case Kind.NUMBER:
            return NUMBER
        case Kind.CONDITION:
            return CONDITION
        case Kind.BRANCH:
            return next(iter(branches - {None}), None)
        case _:
            assert_never(result)


def _ordinal(position: int) -> str:
    return ("first", "second", "third")[position] if position < 3 else f"number {position + 1}"


# Spreadsheet functions a finance user reaches for, and what to write here instead.
_SPREADSHEET_FUNCTIONS = {
    "si": "write if(condition, a, b)",
    "somme": "add the terms with +, or use rolling_sum / ytd over periods",
    "sum": "add the terms with +, or use rolling_sum / ytd over periods",
    "moyenne": "write (a + b) / 2, or rolling_avg over periods",
    "average": "write (a + b) / 2, or rolling_avg over periods",
    "arrondi": "write round(x, n)",
    "sierreur": "write coalesce(x, fallback)",
    "iferror": "write coalesce(x, fallback)",
    "et": "write a and b",
    "and": "write a and b",
    "ou": "write a or b",
    "or": "write a or b",
    "non": "write not a",
    "not": "write not a",
}


def _function_hint(name: str) -> str:
    if name.lower() in FUNCTIONS:
        return f" (function names are written in lowercase: '{name.lower()}')"
    if name.lower() in _SPREADSHEET_FUNCTIONS:
        return f" ({_SPREADSHEET_FUNCTIONS[name.lower()]})"
    return did_you_mean(name, FUNCTIONS)


def _integer_problem(function: Function, count: Count, arg: Node, formula: Formula, context: str) -> Iterator[Problem]:
    value = integer_literal(arg)
    if value is None:
        yield _at(formula, arg, f"{context}: the count in {function.name}() must be a whole number written as is, like 3")
    elif count.minimum is not None and value < count.minimum:
        yield _at(formula, arg, f"{context}: the count in {function.name}() must be at least {count.minimum}")
    elif count.maximum is not None and value > count.maximum:
        yield _at(formula, arg, f"{context}: the count in {function.name}() must be at most {count.maximum}")


def _directions(definitions: Definitions) -> Iterator[Problem]:
    for kpi in definitions.kpis.values():
        if kpi.target and not kpi.direction:
            yield Problem(
                kpi.target.location,
                f"KPI '{kpi.name}' has a target but no direction: add 'direction: higher_is_better' "
                "or 'direction: lower_is_better' so the engine knows whether the target was met",
            )


def _templates(definitions: Definitions, limits: Limits) -> Iterator[Problem]:
    # both sets built once: rebuilt per KPI (`names - {...}` copies every name) they made validation quadratic
    with_target = frozenset(TEMPLATE_NAMES) | frozenset(definitions.inputs) | frozenset(definitions.kpis)
    without_target = with_target - {"target", "gap"}
    for kpi in definitions.kpis.values():
        usable = with_target if kpi.target else without_target
        for number, alert in enumerate(kpi.alerts, 1):
            templates = {lang: alert.message.get(lang) for lang in ("fr", "en")}
            scalars = dict(alert.message_scalars)
            for lang, template in templates.items():
                if lang == "en" and template == templates["fr"]:
                    continue  # written once: checked once
                for offset, width, message in template_problems(template, usable, limits):
                    text = f"KPI '{kpi.name}': alert {number} message: {message}"
                    scalar = scalars.get(lang)
                    if scalar is None:
                        yield Problem(alert.location, text)
                    else:
                        yield Problem(scalar.locate(template, offset), text, scalar.snippet(template, offset, width))


def template_problems(template: str, names: Set[str], limits: Limits = Limits()) -> Iterator[tuple[int, int, str]]:
    """(offset, width, what is wrong) for each bad field: only `{name}` and `{name:format}` are allowed,
    with a width and a number of decimals within `limits`."""
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(template) if name is not None]
    except ValueError as error:
        yield 0, 1, f"{error} (write '{{{{' and '}}}}' for literal braces)"
        return
    cursor = 0
    for field, spec, conversion in fields:
        offset = template.find("{" + field, cursor)
        cursor = offset + 1
        width = len(field) + 2
        if not field.isidentifier():
            yield offset, width, f"'{{{field}}}' is not allowed: write a plain name such as {{value}}, without '.', '[' or '()'"
        elif field in ("target", "gap") and field not in names:
            yield offset, width, f"'{{{field}}}' is used but the KPI has no target: it would always read 'undefined'"
        elif field not in names:
            yield offset, width, f"unknown name '{{{field}}}'{accent_hint(field) or did_you_mean(field, names)}"
        if conversion:
            yield offset, width, f"'!{conversion}' is not allowed in '{{{field}}}'"
        if spec:
            yield from ((offset, width, problem) for problem in _spec_problems(spec, field, limits))


# Python's format specification: [[fill]align][sign][z][#][0][width][grouping][.precision][type]
_FORMAT_SPEC = re.compile(r"(?:.?[<>=^])?[-+ ]?z?#?0?(?P<width>\d*)[,_]?(?:\.(?P<precision>\d*))?[a-zA-Z%]?", re.DOTALL)


def _spec_problems(spec: str, field: str, limits: Limits) -> Iterator[str]:
    """What is wrong with the format of one field; the width and decimals are read before anything is
    formatted, since formatting with a width of 999999999 is itself the gigabyte to avoid."""
    kind, examples = ("text", ">10, <20") if field in TEXT_FIELDS else ("number", ".1%, ,.2f, .0f")
    invalid = f"'{spec}' is not a valid {kind} format in '{{{field}}}' (examples: {examples})"
    shape = _FORMAT_SPEC.fullmatch(spec)
    if "{" in spec or shape is None:
        yield invalid
        return
    width, precision = shape["width"], shape["precision"]
    if width and (len(width) > 9 or int(width) > limits.max_format_width):
        yield f"'{spec}' in '{{{field}}}' asks for a width of {width} characters; the limit is {limits.max_format_width}"
    elif precision and (len(precision) > 9 or int(precision) > limits.max_format_precision):
        yield f"'{spec}' in '{{{field}}}' asks for {precision} decimals; the limit is {limits.max_format_precision}"
    elif not _valid_spec(spec, field in TEXT_FIELDS):
        yield invalid


def _valid_spec(spec: str, is_text: bool) -> bool:
    try:
        format("text" if is_text else Decimal("1.5"), spec)
    except (ValueError, TypeError):
        return False
    return True


def _audiences(definitions: Definitions) -> Iterator[Problem]:
    for audience in definitions.audiences.values():
        for name in audience.kpis:
            if name not in definitions.kpis:
                yield Problem(audience.location, f"audience '{audience.name}': unknown KPI '{name}'{did_you_mean(name, definitions.kpis)}")


def _silences(definitions: Definitions) -> Iterator[Problem]:
    """A silence names a KPI of the pack and, when it names a rule, one of that KPI's rules."""
    for silence in definitions.silences:
        kpi = definitions.kpis.get(silence.kpi)
        if kpi is None:
            yield Problem(silence.location, f"silences: unknown KPI '{silence.kpi}'{did_you_mean(silence.kpi, definitions.kpis)}")
            continue
        known = rule_ids(kpi)
        if silence.rule is not None and silence.rule not in known:
            listed = ", ".join(known) if known else "none: it has no alert rule"
            yield Problem(silence.location, f"silences: KPI '{kpi.name}' has no rule '{silence.rule}' (its rules: {listed})")


def _cycles(definitions: Definitions) -> Iterator[Problem]:
    for cycle in find_cycles(same_period_graph(definitions)):
        first: KpiDef = definitions.kpis[cycle[0]]
        culprit = next(r.node for r in references(first.formula.node) if r.name == cycle[1] and r.same_period)
        yield _at(
            first.formula,
            culprit,
            f"dependency cycle: {' -> '.join(cycle)} (a KPI cannot use itself at the same period; "
            "use prev() for a roll-forward)",
        )
