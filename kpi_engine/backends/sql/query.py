"""The statements that evaluate a pack: the preparation, then per frequency one named step per KPI layer.

Facts arrive as a relation `kpi_facts(entity, scenario, input, frequency,
ordinal, value)`, the value in units of 1e-24 (`dialect.SCALE`). The preparation
(`rollups`) builds `kpi_rolled_<frequency>` (every input's value or the reason
it has none, groups consolidated) and `kpi_covered_<frequency>` (the periods
reported). Each frequency's query then walks a dense grid of periods per
entity (from the first period covered to the last), so time functions are
window functions over rows (a time function inside another one: a window
step per depth), and reports the covered rows. The scenario is a key of every
row beside the entity: the grid holds, for each scenario the formulas read,
the same entities' periods under it, every KPI computed on them by the same
SQL; `budget(x)` reads x from the budget row of the same entity and period
(a window over the rows of that entity and period).

Roll-forwards (KPIs that read their own previous value, alone or in a group)
are recursive CTEs: the first period of each entity, then one period at a
time, every entity at once. This keeps the whole evaluation one query per
frequency, where iterating from Python would issue one query per period.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...facts import ACTUAL
from ...functions import SCENARIOS
from ...graph import references
from ...nodes import Call, Node, integer_literal, to_text, walk
from ...periods import Frequency
from .calendar import PER_YEAR, YEAR_AGO_STEPS, SqlCalendar, operand
from .dialect import SCALE, Dialect
from .expressions import (
    FUNCTION_SQL,
    NULL,
    TIME_FUNCTIONS,
    Compiler,
    Sql,
    TimeRenderer,
    entity,
    first_why,
    literal_text,
    nested,
    period,
    reason,
    text,
)
from .plan import SqlPlan
from .rollups import preparation, resolved_why, same

OVERFLOW = reason("arithmetic", text("error", "Overflow"))


# --- one frequency ---------------------------------------------------------------------
def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def why(name: str) -> str:
    return q(f"why:{name}")


@dataclass
class _Step:
    """The columns one named step adds: per depth of time functions nested in time functions (0: none inside),
    their arguments then their window columns (steps of their own), then the rest."""

    args: dict[int, dict[str, Sql]] = field(default_factory=dict)
    windows: dict[int, dict[str, Sql]] = field(default_factory=dict)


def _depth(node: Node) -> int:
    """How many reads of other rows (time functions, scenario reads) are nested inside `node`'s arguments
    (0 for `prev(x)`, 1 for `prev(ytd(x))` or `budget(prev(x))`)."""
    inner = [_depth(child) + 1 for arg in (node.args if isinstance(node, Call) else ()) for child in walk(arg) if _reads_other_rows(child)]
    return max(inner, default=0)


def _reads_other_rows(node: Node) -> bool:
    return isinstance(node, Call) and (node.func in TIME_FUNCTIONS or node.func in SCENARIOS)


def scenarios_read(nodes: list[Node]) -> list[str]:
    """The scenarios these formulas read (`budget` for `budget(x)`), in the order of `SCENARIOS`."""
    read = {node.func for root in nodes for node in walk(root) if isinstance(node, Call) and node.func in SCENARIOS}
    return [scenario for scenario in SCENARIOS if scenario in read]


def first_of(scenario: str) -> str:
    """The column holding the first period of the entity's figures under `scenario` (NULL: none)."""
    return q(f"first:{scenario}")


class _RowScope:
    """Names read at the current row; time functions as window columns over the entity's rows."""

    def __init__(self, query: FrequencyQuery, step: _Step, aliases: dict[str, Sql] | None = None) -> None:
        self.query = query
        self.step = step
        self.aliases = aliases or {}
        self.frequency = query.frequency
        self.level = 0

    def name(self, name: str) -> Sql:
        return self.aliases.get(name) or Sql(q(name), why(name))

    def _argument(self, call: Call, compiler: Compiler) -> Sql:
        """The first argument of a read of other rows, as a column of the row (an expression gets a column of its own)."""
        arg = compiler.compile(call.args[0])
        label = to_text(call.args[0])
        if self.aliases and any(r.name in self.aliases for r in references(call.args[0])):  # an alert's `value`: whose
            label += f" of {self.aliases['value'].value.strip(chr(34))}"
        self.level = _depth(call)
        if arg.value != q(label):  # an expression: computed first, in a column of its own
            column = f"arg:{label}"
            if column not in self.query.defined:
                self.step.args.setdefault(self.level, {})[column] = arg
            arg = Sql(q(column), why(column))
        self.label = label
        return arg

    def time(self, call: Call, compiler: Compiler) -> Sql:
        arg = self._argument(call, compiler)
        render: TimeRenderer = FUNCTION_SQL[call.func]  # type: ignore[assignment]
        return render(arg, [integer_literal(a) for a in call.args], self)

    def scenario(self, call: Call, compiler: Compiler) -> Sql:
        """`budget(x)`: x on the row of the same entity and period under that scenario (this row when it is one).

        Read from another scenario's row, a reason says which scenario it was in; no row there: the entity has no
        figure of that scenario, or none as early.
        """
        arg, scenario = self._argument(call, compiler), call.func
        over = "OVER (PARTITION BY entity, ordinal)"
        there = f"max(CASE WHEN scenario = {literal_text(scenario)} THEN {{}} END) {over}"
        cause = there.format(arg.why)
        before = reason("before_data", period("period", self.frequency, "ordinal"), period("since", self.frequency, first_of(scenario)), entity())
        why_sql = (
            f"CASE WHEN scenario = {literal_text(scenario)} THEN {arg.why}"
            f" WHEN {first_of(scenario)} IS NULL THEN {reason('no_scenario_facts', text('scenario', scenario), entity())}"
            f" WHEN ordinal < {first_of(scenario)} THEN {reason('in_scenario', text('scenario', scenario), nested('cause', before))}"
            f" WHEN {cause} IS NOT NULL THEN {reason('in_scenario', text('scenario', scenario), nested('cause', cause))} END"
        )
        return self._window(f"{scenario}({self.label})", there.format(arg.value), why_sql)

    def ordinal(self) -> str:
        return "ordinal"

    def _before(self, start: str) -> str:
        return reason("before_data", period("period", self.frequency, start), period("since", self.frequency, "first"), entity())

    def _window(self, column: str, value: str, reason_sql: str) -> Sql:
        if column not in self.query.defined:
            self.step.windows.setdefault(self.level, {})[column] = Sql(value, reason_sql)
        return Sql(q(column), why(column))

    def lag(self, arg: Sql, steps: int) -> Sql:
        return arg if steps == 0 else self._back(arg, f"lag({self.label}, {steps})", str(steps), (steps,))

    def year_ago(self, arg: Sql) -> Sql:
        """The same period a year before: a fixed number of rows back, except for days and weeks (365 or 366 days, 52 or 53 weeks)."""
        per_year = PER_YEAR.get(self.frequency)
        if per_year:
            return self._back(arg, f"year_ago({self.label})", str(per_year), (per_year,))
        steps = f"ordinal - ({self.query.calendar.year_ago(self.frequency, 'ordinal')})"
        return self._back(arg, f"year_ago({self.label})", steps, YEAR_AGO_STEPS[self.frequency])

    def _back(self, arg: Sql, column: str, steps: str, offsets: tuple[int, ...]) -> Sql:
        """`arg` at the row `steps` (SQL, one of `offsets`) periods before, on the entity's dense grid of periods."""
        over = "OVER (PARTITION BY entity, scenario ORDER BY ordinal)"
        back = operand(steps)
        lag = self.query.dialect.lag
        return self._window(
            column,
            lag(arg.value, steps, offsets, over),
            f"CASE WHEN ordinal - {back} < first THEN {self._before(f'ordinal - {back}')} ELSE {lag(arg.why, steps, offsets, over)} END",
        )

    def total(self, arg: Sql, count: int | None) -> Sql:
        if count is None:  # from the first period of the (fiscal; ISO for weeks) year
            start, column = self.query.calendar.year_start(self.frequency, "ordinal"), f"ytd({self.label})"
            over = f"OVER (PARTITION BY entity, scenario, {start} ORDER BY ordinal ROWS UNBOUNDED PRECEDING)"
        else:
            start, column = f"ordinal - {count - 1}", f"rolling_sum({self.label}, {count})"
            over = f"OVER (PARTITION BY entity, scenario ORDER BY ordinal ROWS {count - 1} PRECEDING)"
        return self._window(
            column,
            f"CASE WHEN {start} >= first AND count({arg.value}) {over} = ordinal - ({start}) + 1 THEN sum({arg.value}) {over} END",
            f"CASE WHEN {start} < first THEN {self._before(start)} ELSE {self.query.dialect.first_non_null(arg.why, over)} END",
        )


class _GroupScope:
    """A roll-forward group inside its recursive CTE: `base` is this period, `walk` the previous one."""

    def __init__(self, plan: SqlPlan, group: frozenset[str], frequency: Frequency, past: bool | None) -> None:
        self.plan, self.group, self.frequency, self.past = plan, group, frequency, past  # past: None at the first period

    def name(self, name: str) -> Sql:
        table = "walk" if self.past else "base"
        if name in self.group and not self.past:
            return Compiler(self).compile(self.plan.kpis[name].formula)  # same period: its formula, inline
        return Sql(f"{table}.{q(name)}", f"{table}.{why(name)}")

    def time(self, call: Call, compiler: Compiler) -> Sql:  # prev(x) or lag(x, 1): the plan refuses the others
        if self.past is None:
            before = reason("before_data", period("period", self.frequency, "base.ordinal - 1"), period("since", self.frequency, "base.first"), entity())
            return Sql("NULL::HUGEINT", before)
        return Compiler(_GroupScope(self.plan, self.group, self.frequency, True)).compile(call.args[0])

    def scenario(self, call: Call, compiler: Compiler) -> Sql:
        raise TypeError(f"{call.func}() in a roll-forward: the SQL plan refuses it")


class FrequencyQuery:
    """The query computing `kpis` (and what they read) at one frequency, as named steps.

    Its rows are the actual figures' covered periods (reported) and, for each scenario the formulas read, the
    same entities' periods under that scenario, from the first its figures reach to the last covered one: every
    KPI is computed on every row by the same SQL, so a KPI under budget is its formula on budget inputs.
    `report` names the scenario whose rows the query returns: the actual ones (covered, or with `gaps` every
    period from the first covered to the last, as a year-ago comparison reads them), or another's (all).
    """

    def __init__(self, plan: SqlPlan, dialect: Dialect, frequency: Frequency, kpis: list[str], report: str = ACTUAL, gaps: bool = False) -> None:
        self.plan, self.dialect, self.frequency, self.kpis, self.report = plan, dialect, frequency, kpis, report
        self.gaps = gaps
        self.calendar = SqlCalendar(plan.month_shift, dialect)
        self.steps: list[tuple[str, str]] = []
        self.defined: set[str] = set()
        self.recursive = False
        self.comment = ""  # said above the next step
        self.needed = plan.needed(kpis)
        read = scenarios_read(self._formulas())
        self.scenarios = read + ([report] if report != ACTUAL and report not in read else [])
        self.last = self._inputs()
        self._layers()
        self.columns = self._results()

    def _formulas(self) -> list[Node]:
        """Every formula the query computes: the needed KPIs', and the reported KPIs' targets and alert conditions."""
        nodes: list[Node] = [self.plan.kpis[name].formula for name in self.needed]
        for name in self.kpis:
            spec = self.plan.kpis[name]
            nodes += ([spec.target] if spec.target else []) + [n for a in spec.alerts for n in (a.condition, a.resolve_when) if n is not None]
        return nodes

    # inputs at this frequency, one column each, on a dense grid of periods
    def _needed_inputs(self) -> list[str]:
        names = {r.name for node in self._formulas() for r in references(node)}
        names |= {f for name in self.kpis for f in self.plan.kpis[name].fields()}
        return [name for name in self.plan.inputs if name in names]

    def _inputs(self) -> str:
        """Every needed input at every period of the grid, with its reason, in long form then one column each."""
        f = self.frequency.value
        inputs = self._needed_inputs()
        self.steps += [
            ("covered", f"SELECT entity, '{ACTUAL}' AS scenario, ordinal FROM kpi_covered_{f}"),
            *self._bounds(),
            (
                "grid",  # every period from the first to the last, numbered so later steps join back by grid_row
                ("SELECT *, row_number() OVER (ORDER BY entity, scenario, ordinal) AS grid_row\n"
                f"    FROM (SELECT entity, scenario, first, {self.dialect.series('first', 'last')} AS ordinal FROM bounds WHERE first <= last)"),
            ),
        ]
        firsts = "".join(f", {s}.first AS {first_of(s)}" for s in self.scenarios)
        bounds = "".join(
            f"\n    LEFT JOIN bounds {s} ON {s}.entity IS NOT DISTINCT FROM g.entity AND {s}.scenario = {literal_text(s)}" for s in self.scenarios
        )
        head = f"SELECT g.entity, g.scenario, g.ordinal, g.first, g.grid_row, c.ordinal IS NOT NULL AS covered{firsts}"
        grid = f"    FROM grid g LEFT JOIN covered c ON {same('c', 'g')} AND c.ordinal = g.ordinal{bounds}"
        if not inputs:
            self.steps.append(("inputs", f"{head}\n{grid}"))
            return "inputs"
        names = ", ".join(f"('{n}', {position})" for position, n in enumerate(inputs, 1))
        why_not = resolved_why("r", "k", "i.input", self.frequency, "g.ordinal", "g.entity", self.calendar)
        self.steps.append(
            (
                "input_values",
                (
                    "SELECT g.entity, g.scenario, g.ordinal, i.position, r.value,\n"
                    f"        {why_not} AS why\n"
                    f"    FROM grid g CROSS JOIN (VALUES {names}) AS i(input, position)\n"
                    f"    LEFT JOIN kpi_rolled_{f} r ON {same('r', 'g')} AND r.input = i.input AND r.ordinal = g.ordinal\n"
                    f"    LEFT JOIN kpi_known k ON {same('k', 'g')} AND k.input = i.input"
                ),
            )
        )
        self.steps.append(
            (
                "input_lists",  # one list per row, an input's position in it fixed: a pivot without one aggregate per input
                (
                    f"SELECT entity, scenario, ordinal, {self.dialect.ordered_list('value', 'position')} AS input_value, "
                    f"{self.dialect.ordered_list('why', 'position')} AS input_why\n"
                    "    FROM input_values GROUP BY entity, scenario, ordinal"
                ),
            )
        )
        item = self.dialect.item
        pivot = ",\n        ".join(
            f"{item('v.input_value', position)} AS {q(n)}, {item('v.input_why', position)} AS {why(n)}" for position, n in enumerate(inputs, 1)
        )
        self.steps.append(
            (
                "inputs",
                (
                    f"{head},\n        {pivot}\n{grid}\n"
                    f"    JOIN input_lists v ON {same('v', 'g')} AND v.ordinal = g.ordinal"
                ),
            )
        )
        self.defined |= set(inputs)
        return "inputs"

    def _bounds(self) -> list[tuple[str, str]]:
        """Each entity's first and last period: the covered ones for actual figures; under another scenario, from
        the period holding the first day of its figures (`kpi_starts`) to the last covered one."""
        actual = f"SELECT entity, '{ACTUAL}' AS scenario, min(ordinal) AS first, max(ordinal) AS last FROM covered GROUP BY entity"
        if not self.scenarios:
            return [("bounds", actual)]
        first = self.calendar.ancestor(Frequency.DAILY, self.frequency, "s.start") if self.frequency is not Frequency.DAILY else "s.start"
        listed = ", ".join(literal_text(s) for s in self.scenarios)
        return [
            ("actual_bounds", actual),
            (
                "bounds",
                (
                    "SELECT * FROM actual_bounds\n    UNION ALL\n"
                    f"    SELECT s.entity, s.scenario, {first} AS first, a.last\n"
                    f"    FROM kpi_starts s JOIN actual_bounds a ON a.entity IS NOT DISTINCT FROM s.entity WHERE s.scenario IN ({listed})"
                ),
            ),
        ]

    # KPI layers
    def _layers(self) -> None:
        groups = {m: g for g in self.plan.groups for m in g}
        layer: dict[str, int] = {}
        for name in self.plan.order:  # same-period order; roll-forward groups settle below
            if name in self.needed:
                layer[name] = 0
        changed = True
        while changed:
            changed = False
            for name in layer:
                own = groups.get(name, frozenset({name}))
                deepest = max((layer[d] + 1 for d in self.plan.every[name] if d in layer and d not in own), default=1)
                members = [m for m in own if m in layer]
                if any(layer[m] < deepest for m in members):
                    for m in members:
                        layer[m] = max(layer[m], deepest)
                    changed = True
        for number in sorted(set(layer.values())):
            names = [n for n in self.plan.order if layer.get(n) == number]
            plain = [n for n in names if n not in groups]
            if plain:
                self.comment = f"KPIs of layer {number}: {', '.join(plain)}"
                self._step(f"{self.frequency.value}_layer_{number}", [(n, self.plan.kpis[n].formula, True) for n in plain])
            for group in dict.fromkeys(groups[n] for n in names if n in groups):
                self._group(number, group)

    def _step(self, name: str, outputs: list[tuple[str, Node, bool]], aliases: dict[str, dict[str, Sql]] | None = None) -> None:
        """One named step adding `outputs` (column, formula, with its reason), window columns first.

        `aliases` maps an output column to the names its formula reads differently (an alert's `value`).
        """
        step = _Step()
        compiled = [
            (column, Compiler(_RowScope(self, step, (aliases or {}).get(column))).compile(node), with_why) for column, node, with_why in outputs
        ]
        for level in sorted(set(step.args) | set(step.windows)):
            suffix = f"_{level}" if level else ""
            if step.args.get(level):
                self._add(f"{name}_arguments{suffix}", step.args[level], True)
            if step.windows.get(level):
                self._add(f"{name}_time{suffix}", step.windows[level], False)
        self._add(name, {c: s for c, s, _ in compiled}, True, {c for c, _, w in compiled if not w})

    def _add(self, name: str, columns: dict[str, Sql], guarded: bool, value_only: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        lines = []
        for column, sql in columns.items():
            value = f"TRY({sql.value})" if guarded else sql.value
            if column in value_only:
                lines.append(f"COALESCE({value}, false) AS {q(column)}")
                continue
            lines.append(f"{value} AS {q(column)}")
            lines.append(f"{f'TRY({sql.why})' if guarded else sql.why} AS {why(column)}")
        body = ",\n        ".join(lines)
        if guarded:
            comment, self.comment = (f"-- {self.comment}\n    " if self.comment else ""), ""
            self.steps.append((name, f"{comment}SELECT *,\n        {body}\n    FROM {self.last}"))
        else:
            added = [name for column in columns for name in (q(column), why(column))]
            self.steps.append((name, self.dialect.window_step(self.last, body, added)))
        self.defined |= set(columns)
        self.last = name

    def _group(self, number: int, group: frozenset[str]) -> None:
        members = [n for n in self.plan.order if n in group]
        self.recursive = True
        name = f"{self.frequency.value}_layer_{number}_{members[0]}"

        def columns(past: bool | None) -> str:
            scope = _GroupScope(self.plan, group, self.frequency, past)
            lines = []
            for member in members:
                sql = Compiler(scope).compile(self.plan.kpis[member].formula)
                lines.append(f"CAST(TRY({sql.value}) AS HUGEINT) AS {q(member)}")
                lines.append(f"CAST(COALESCE(TRY({sql.why}), CASE WHEN TRY({sql.value}) IS NULL THEN {OVERFLOW} END) AS VARCHAR) AS {why(member)}")
            return ",\n        ".join(lines)

        read = [r.name for m in members for r in references(self.plan.kpis[m].formula) if r.name not in group]
        carried = "".join(f"base.{q(n)}, base.{why(n)}, " for n in dict.fromkeys(read))
        walk = f"{name}_walk"
        self.steps.append(
            (
                walk,
                (f"-- {', '.join(members)}: read their own previous period, so computed one period after the other (recursive)\n"
                f"    SELECT base.grid_row, base.entity, base.scenario, base.ordinal, base.first, {carried}\n        {columns(None)}\n"
                f"    FROM {self.last} base WHERE base.ordinal = base.first\n"
                f"    UNION ALL\n    SELECT base.grid_row, base.entity, base.scenario, base.ordinal, base.first, {carried}\n        {columns(False)}\n"
                f"    FROM {walk} walk JOIN {self.last} base ON {same('base', 'walk')} AND base.ordinal = walk.ordinal + 1"),
            )
        )
        added = ", ".join(f"w.{q(m)}, w.{why(m)}" for m in members)
        body = f"SELECT p.*, {added}\n    FROM {self.last} p JOIN {walk} w ON w.grid_row = p.grid_row"
        self.steps.append((name, body))
        self.defined |= group
        self.last = name

    # targets, statuses' inputs and alert conditions, then the covered rows
    def _results(self) -> list[str]:
        outputs: list[tuple[str, Node, bool]] = []
        aliases_by_kpi: dict[str, dict[str, Sql]] = {}
        for name in self.kpis:
            spec = self.plan.kpis[name]
            if spec.target:
                outputs.append((f"target:{name}", spec.target, True))
        if outputs:
            self.comment = "targets of the reported KPIs"
            self._step(f"{self.frequency.value}_targets", outputs)
        alerts: list[tuple[str, Node, bool]] = []
        aliases: dict[str, dict[str, Sql]] = {}
        for name in self.kpis:
            spec = self.plan.kpis[name]
            target = Sql(q(f"target:{name}"), why(f"target:{name}")) if spec.target else Sql("NULL::HUGEINT", NULL)
            aliases_by_kpi[name] = {
                "value": Sql(q(name), why(name)),
                "target": target,
                "gap": Sql(f"({q(name)} - {target.value})", first_why(why(name), target.why)),
            }
            for index, alert in enumerate(spec.alerts, 1):
                alerts.append((f"alert:{name}:{index}", alert.condition, False))
                aliases[f"alert:{name}:{index}"] = aliases_by_kpi[name]
                if alert.resolve_when is not None:
                    alerts.append((f"resolve:{name}:{index}", alert.resolve_when, False))
                    aliases[f"resolve:{name}:{index}"] = aliases_by_kpi[name]
        if alerts:
            self.comment = "alert conditions and resolve_when conditions: true when they hold (undefined does not)"
            self._step(f"{self.frequency.value}_alerts", alerts, aliases)
        columns = ["entity", "ordinal"]
        for name in self.kpis:
            spec = self.plan.kpis[name]
            columns += [name, f"why:{name}"]
            if spec.target:
                columns += [f"target:{name}", f"why:target:{name}"]
            columns += [f"alert:{name}:{i}" for i in range(1, len(spec.alerts) + 1)]
            columns += [f"resolve:{name}:{i}" for i, alert in enumerate(spec.alerts, 1) if alert.resolve_when is not None]
            columns += [f for f in spec.fields() if f not in columns]
        return columns

    def sql(self) -> str:
        steps = ",\n".join(f"{q(name) if not name.isidentifier() else name} AS (\n    {body}\n)" for name, body in self.steps)
        select = ", ".join(_selected(c) for c in self.columns)
        head = "WITH RECURSIVE" if self.recursive else "WITH"
        rows = "covered" if self.report == ACTUAL and not self.gaps else f"scenario = {literal_text(self.report)}"
        return (
            f"-- KPIs at the {self.frequency.value} frequency: {', '.join(self.kpis)}\n{head}\n{steps}\n"
            f"SELECT {select}\nFROM {self.last}\nWHERE {rows}\nORDER BY entity NULLS FIRST, ordinal"
        )


def _selected(column: str) -> str:
    """A column of the query's result. A value a guarded step left NULL without a reason failed to compute (an
    overflow, which `TRY` turned into NULL): its reason says so here, on the reported columns only, rather than in
    each step, where the check would repeat the value's whole expression (DuckDB inlines a column defined in the same
    SELECT) and double the time spent planning the query."""
    if column in ("entity", "ordinal"):
        return column
    if column.startswith("why:"):
        return f"COALESCE({q(column)}, CASE WHEN {q(column[4:])} IS NULL THEN {OVERFLOW} END) AS {q(column)}"
    return q(column)


def statements(plan: SqlPlan, dialect: Dialect, frequencies: dict[Frequency, list[str]]) -> tuple[list[str], dict[Frequency, FrequencyQuery]]:
    """The preparation statements and one query per frequency."""
    return [dialect.helpers, *preparation(plan, dialect)], {f: FrequencyQuery(plan, dialect, f, kpis) for f, kpis in frequencies.items()}

def script(plan: SqlPlan, dialect: Dialect) -> str:
    """The whole evaluation as one SQL script, for review or for teams that schedule SQL themselves."""
    prepared, queries = statements(plan, dialect, {f: list(names) for f, names in plan.reported.items()})
    text = dialect.text_type
    header = (
        f"-- KPI evaluation in {dialect.name} SQL. Input: a relation kpi_facts(entity {text}, scenario {text} ('actual',\n"
        f"-- 'budget'...), input {text}, frequency {text} ('monthly', 'quarterly' or 'yearly'), ordinal BIGINT\n"
        f"-- (year*12+month-1, year*4+quarter-1 or year), value {dialect.number_type} in units of 1e-{SCALE}). Every value has a\n"
        f"-- why:<name> column: NULL when defined, else the reason as JSON.\n"
    )
    return dialect.render(header + "\n".join(f"{statement.rstrip().rstrip(';')};\n" for statement in [*prepared, *(q.sql() for q in queries.values())]))
