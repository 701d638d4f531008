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

from .errors import Problem, closest, name_without_accents
from .functions import FUNCTIONS, Count, Function, Kind
from .graph import find_cycles, references, same_period_graph
from .limits import Limits
from .model import Definitions, Formula, KpiDef
from .nodes import Binary, Call, Compare, Name, Node, Number, Unary, integer_literal
from .plan import rule_ids
from .reasons import Reason

RESERVED = frozenset({"value", "target", "gap", "and", "or", "not"})
ALERT_NAMES = ("value", "target", "gap")
TEMPLATE_NAMES = ("value", "target", "gap", "period", "entity", "kpi", "label", "owner", "severity", "unit")
TEXT_FIELDS = frozenset({"period", "entity", "kpi", "label", "owner", "severity", "unit"})

NUMBER, CONDITION = "number", "condition"


class _Need(Protocol):
    """Checks that a child node has the wanted type, appending a problem naming its role when not."""

    def __call__(self, child: Node, wanted: str, role: Reason) -> None: ...


def semantic_problems(definitions: Definitions, limits: Limits = Limits()) -> list[Problem]:
    """Every semantic problem of merged definitions, each located; time linear in the size of the pack."""
    problems: list[Problem] = []
    for check in (_reserved_names, _expressions, _directions, _audiences, _silences, _cycles):
        problems.extend(check(definitions))
    problems.extend(_templates(definitions, limits))
    return problems


def _reserved_names(definitions: Definitions) -> Iterator[Problem]:
    for what, table in ((Reason.of("an_input"), definitions.inputs), (Reason.of("a_kpi"), definitions.kpis)):
        for name, item in table.items():
            if name in RESERVED:
                yield Problem.of(item.location, Reason.of("reserved_name", name=name, what=what))


def _expressions(definitions: Definitions) -> Iterator[Problem]:
    known = known_names(definitions)  # built once: rebuilt per KPI, it made validation quadratic in the KPI count
    with_alert_names = known | set(ALERT_NAMES)
    for kpi in definitions.kpis.values():
        yield from check_expression(kpi.formula, known, Reason.of("context_formula", kpi=kpi.name), NUMBER, own=kpi.name)
        if kpi.target:
            yield from check_expression(kpi.target, known, Reason.of("context_target", kpi=kpi.name), NUMBER)
        for number, alert in enumerate(kpi.alerts, 1):
            conditions = (("context_condition", alert.when), ("context_resolve_when", alert.resolve_when))
            for role, condition in conditions:
                if condition is None:
                    continue
                context = Reason.of(role, kpi=kpi.name, number=number)
                yield from check_expression(condition, with_alert_names, context, CONDITION)
                if not kpi.target:
                    yield from _needs_target(condition, context)


def _needs_target(formula: Formula, context: Reason) -> Iterator[Problem]:
    for reference in references(formula.node):
        if reference.name in ("target", "gap"):
            yield _at(formula, reference.node, _in(context, "needs_target", name=reference.name))


def known_names(definitions: Definitions) -> frozenset[str]:
    """The names a formula may read: inputs, KPIs, and the entries too broken to build (no "unknown name" noise)."""
    return frozenset(definitions.inputs) | frozenset(definitions.kpis) | definitions.broken


def check_expression(formula: Formula, known: Set[str], context: Reason, expected: str, own: str = "") -> Iterator[Problem]:
    """Names, functions and types of one expression; `expected` is NUMBER or CONDITION.

    `context` says where the expression is (`context_formula`...), before each of its problems.
    `known` is every name the expression may read (`known_names`, plus `value`... in an alert),
    built once by the caller for all expressions. `own` is the KPI the formula defines: never
    suggested for a misspelt name, since using it would make the KPI depend on itself.
    """
    for reference in references(formula.node):
        if reference.name not in known:
            hint = closest(reference.name, known - {own})
            yield _at(formula, reference.node, _in(context, "unknown_name", name=reference.name, hint=hint))
    problems: list[Problem] = []
    kind = _type_of(formula.node, formula, context, problems)
    yield from problems
    if kind and kind != expected and not problems:
        wanted = Reason.of("type_number" if expected == NUMBER else "type_condition_example")
        found = Reason.of("type_true_false" if kind == CONDITION else "type_number")
        yield _at(formula, formula.node, _in(context, "wrong_type", wanted=wanted, found=found))


def _in(context: Reason, code: str, **params: object) -> Reason:
    """A problem's cause after the place it is found at: `KPI 'marge': formula: unknown name 'ventes'`."""
    return Reason.of("in_context", context=context, cause=Reason.of(code, **params))


def _at(formula: Formula, node: Node, cause: Reason) -> Problem:
    span = node.func_span if isinstance(node, Call) else node.span
    width = span.end - span.start
    return Problem.of(formula.locate(span.start), cause, snippet=formula.snippet(span.start, width))


def _type_of(node: Node, formula: Formula, context: Reason, problems: list[Problem]) -> str | None:
    """NUMBER or CONDITION, appending a problem (and returning None) where operands do not fit."""

    def need(child: Node, wanted: str, role: Reason) -> None:
        kind = _type_of(child, formula, context, problems)
        if kind and kind != wanted:
            what = Reason.of("type_number" if wanted == NUMBER else "type_condition")
            problems.append(_at(formula, child, _in(context, "operand_type", role=role, wanted=what)))

    match node:
        case Number() | Name():
            return NUMBER
        case Unary(op="-", operand=operand):
            need(operand, NUMBER, Reason.of("role_operand", op="-"))
            return NUMBER
        case Unary(operand=operand):
            need(operand, CONDITION, Reason.of("role_operand", op="not"))
            return CONDITION
        case Binary(op="and" | "or" as op, left=left, right=right):
            need(left, CONDITION, Reason.of("role_sides", op=op))
            need(right, CONDITION, Reason.of("role_sides", op=op))
            return CONDITION
        case Binary(op=op, left=left, right=right) | Compare(op=op, left=left, right=right):
            need(left, NUMBER, Reason.of("role_sides", op=op))
            need(right, NUMBER, Reason.of("role_sides", op=op))
            return CONDITION if isinstance(node, Compare) else NUMBER
        case Call():
            return _call_type(node, formula, context, problems, need)
        case _:
            assert_never(node)


def _call_type(node: Call, formula: Formula, context: Reason, problems: list[Problem], need: _Need) -> str | None:
    """The call's type from its entry: its arguments must be what the entry says (a count written
    literally, a number, a condition, or branches that agree), and it has the entry's result type."""
    function = FUNCTIONS.get(node.func)
    if function is None:
        advice = _function_advice(node.func)
        hint = "" if advice else closest(node.func, FUNCTIONS)
        functions = ", ".join(FUNCTIONS)
        problems.append(_at(formula, node, _in(context, "unknown_function", function=node.func, advice=advice, hint=hint, functions=functions)))
        return None
    count = len(node.args)
    if count < function.min_args or (function.max_args is not None and count > function.max_args):
        arity = _in(context, "arity", function=node.func, arity=function.arity(), count=count, usage=function.example)
        problems.append(_at(formula, node, arity))
        return None
    for position, argument in function.kinds(count):
        if isinstance(argument, Count):
            problems.extend(_integer_problem(function, argument, node.args[position], formula, context))
    branches: set[str | None] = set()
    for position, argument in function.kinds(count):
        arg = node.args[position]
        if argument is Kind.NUMBER:
            need(arg, NUMBER, Reason.of("role_argument", position=position + 1, function=node.func))
        elif argument is Kind.CONDITION:
            need(arg, CONDITION, Reason.of("role_nth_argument", ordinal=_ordinal(position), function=node.func))
        elif argument is Kind.BRANCH:
            branches.add(_type_of(arg, formula, context, problems))
    if len(branches - {None}) > 1:
        both = "branches_both" if sum(1 for argument in function.arguments if argument is Kind.BRANCH) == 2 else "branches_all"
        problems.append(_at(formula, node, _in(context, both, function=node.func)))
        return None  # neither: a type picked from the set would make the next message depend on string hashing
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


def _ordinal(position: int) -> Reason:
    return Reason.of(f"ordinal_{position + 1}") if position < 3 else Reason.of("ordinal_n", position=position + 1)


# Spreadsheet functions a finance user reaches for, and the catalogue's hint on what to write here instead.
_SPREADSHEET_FUNCTIONS = {
    "si": "spreadsheet_if",
    "somme": "spreadsheet_sum",
    "sum": "spreadsheet_sum",
    "moyenne": "spreadsheet_average",
    "average": "spreadsheet_average",
    "arrondi": "spreadsheet_round",
    "sierreur": "spreadsheet_iferror",
    "iferror": "spreadsheet_iferror",
    "et": "spreadsheet_and",
    "and": "spreadsheet_and",
    "ou": "spreadsheet_or",
    "or": "spreadsheet_or",
    "non": "spreadsheet_not",
    "not": "spreadsheet_not",
}


def _function_advice(name: str) -> Reason | str:
    """What to write for a function written in capitals or taken from a spreadsheet, else ""."""
    if name.lower() in FUNCTIONS:
        return Reason.of("function_lowercase", spelling=name.lower())
    if name.lower() in _SPREADSHEET_FUNCTIONS:
        return Reason.of(_SPREADSHEET_FUNCTIONS[name.lower()])
    return ""


def _integer_problem(function: Function, count: Count, arg: Node, formula: Formula, context: Reason) -> Iterator[Problem]:
    value = integer_literal(arg)
    if value is None:
        yield _at(formula, arg, _in(context, "count_not_literal", function=function.name))
    elif count.minimum is not None and value < count.minimum:
        yield _at(formula, arg, _in(context, "count_at_least", function=function.name, limit=count.minimum))
    elif count.maximum is not None and value > count.maximum:
        yield _at(formula, arg, _in(context, "count_at_most", function=function.name, limit=count.maximum))


def _directions(definitions: Definitions) -> Iterator[Problem]:
    for kpi in definitions.kpis.values():
        if kpi.target and not kpi.direction:
            yield Problem.of(kpi.target.location, Reason.of("no_direction", kpi=kpi.name))


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
                for offset, width, problem in template_problems(template, usable, limits):
                    cause = Reason.of("in_context", context=Reason.of("context_message", kpi=kpi.name, number=number), cause=problem)
                    scalar = scalars.get(lang)
                    if scalar is None:
                        yield Problem.of(alert.location, cause)
                    else:
                        yield Problem.of(scalar.locate(template, offset), cause, snippet=scalar.snippet(template, offset, width))


def template_problems(template: str, names: Set[str], limits: Limits = Limits()) -> Iterator[tuple[int, int, Reason]]:
    """(offset, width, what is wrong) for each bad field: only `{name}` and `{name:format}` are allowed,
    with a width and a number of decimals within `limits`."""
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(template) if name is not None]
    except ValueError as error:
        yield 0, 1, Reason.of("template_braces", detail=str(error))
        return
    cursor = 0
    for field, spec, conversion in fields:
        offset = template.find("{" + field, cursor)
        cursor = offset + 1
        width = len(field) + 2
        if not field.isidentifier():
            yield offset, width, Reason.of("template_not_a_name", field=field)
        elif field in ("target", "gap") and field not in names:
            yield offset, width, Reason.of("template_without_target", field=field)
        elif field not in names:
            advice = "" if field.isascii() else Reason.of("without_accents", spelling=name_without_accents(field))
            yield offset, width, Reason.of("template_unknown_name", field=field, advice=advice, hint="" if advice else closest(field, names))
        if conversion:
            yield offset, width, Reason.of("template_conversion", conversion=conversion, field=field)
        if spec:
            yield from ((offset, width, problem) for problem in _spec_problems(spec, field, limits))


# Python's format specification: [[fill]align][sign][z][#][0][width][grouping][.precision][type]
_FORMAT_SPEC = re.compile(r"(?:.?[<>=^])?[-+ ]?z?#?0?(?P<width>\d*)[,_]?(?:\.(?P<precision>\d*))?[a-zA-Z%]?", re.DOTALL)


def _spec_problems(spec: str, field: str, limits: Limits) -> Iterator[Reason]:
    """What is wrong with the format of one field; the width and decimals are read before anything is
    formatted, since formatting with a width of 999999999 is itself the gigabyte to avoid."""
    invalid = Reason.of("template_text_format" if field in TEXT_FIELDS else "template_number_format", spec=spec, field=field)
    shape = _FORMAT_SPEC.fullmatch(spec)
    if "{" in spec or shape is None:
        yield invalid
        return
    width, precision = shape["width"], shape["precision"]
    if width and (len(width) > 9 or int(width) > limits.max_format_width):
        yield Reason.of("template_width", spec=spec, field=field, count=width, limit=limits.max_format_width)
    elif precision and (len(precision) > 9 or int(precision) > limits.max_format_precision):
        yield Reason.of("template_precision", spec=spec, field=field, count=precision, limit=limits.max_format_precision)
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
                yield Problem.of(audience.location, Reason.of("audience_unknown_kpi", audience=audience.name, name=name, hint=closest(name, definitions.kpis)))


def _silences(definitions: Definitions) -> Iterator[Problem]:
    """A silence names a KPI of the pack and, when it names a rule, one of that KPI's rules."""
    for silence in definitions.silences:
        kpi = definitions.kpis.get(silence.kpi)
        if kpi is None:
            yield Problem.of(silence.location, Reason.of("silence_unknown_kpi", name=silence.kpi, hint=closest(silence.kpi, definitions.kpis)))
            continue
        known = rule_ids(kpi)
        if silence.rule is not None and silence.rule not in known:
            listed = ", ".join(known) if known else Reason.of("no_rules")
            yield Problem.of(silence.location, Reason.of("silence_unknown_rule", kpi=kpi.name, rule=silence.rule, rules=listed))


def _cycles(definitions: Definitions) -> Iterator[Problem]:
    for cycle in find_cycles(same_period_graph(definitions)):
        first: KpiDef = definitions.kpis[cycle[0]]
        culprit = next(r.node for r in references(first.formula.node) if r.name == cycle[1] and r.same_period)
        yield _at(first.formula, culprit, Reason.of("dependency_cycle", path=" -> ".join(cycle)))
