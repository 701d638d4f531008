"""The statements that evaluate a pack: roll-ups, then per frequency one named step per KPI layer.

Facts arrive as a relation `kpi_facts(entity, input, frequency, ordinal,
value)`, the value in units of 1e-24 (`dialect.SCALE`). Roll-ups build `kpi_rolled_<frequency>`
tables level by level (months -> quarters -> years) with the completeness
rule: a quarter with a missing month is undefined and keeps the first missing
month's reason. Each frequency's query then walks a dense grid of periods per
entity (from the first period the facts cover to the last), so time functions
are window functions over rows, and reports the covered rows.

Roll-forwards (KPIs that read their own previous value, alone or in a group)
are recursive CTEs: the first period of each entity, then one period at a
time, every entity at once. This keeps the whole evaluation one query per
frequency, where iterating from Python would issue one query per period.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...graph import references
from ...nodes import Call, Node, integer_literal, to_text
from ...periods import Frequency
from .dialect import SCALE, Dialect
from .expressions import (
    FUNCTION_SQL,
    NULL,
    PER_YEAR,
    Compiler,
    Sql,
    TimeRenderer,
    entity,
    first_why,
    nested,
    period,
    reason,
    scaled,
    sql_text,
    text,
)
from .plan import SUPPORTED_FREQUENCIES, SqlPlan

CHILD = {Frequency.QUARTERLY: Frequency.MONTHLY, Frequency.YEARLY: Frequency.QUARTERLY}
CHILDREN = {Frequency.QUARTERLY: 3, Frequency.YEARLY: 4}
COARSER = {Frequency.MONTHLY: (Frequency.QUARTERLY, Frequency.YEARLY), Frequency.QUARTERLY: (Frequency.YEARLY,), Frequency.YEARLY: ()}
OVERFLOW = reason("arithmetic", text("error", "Overflow"))


def _same(left: str, right: str) -> str:
    return f"{left}.entity IS NOT DISTINCT FROM {right}.entity"


# --- missing facts: the reason the Python backend gives, per frequency ---------------
def _missing(name: str, frequency: Frequency, ordinal: str, known: str) -> str:
    """Why input `name` (SQL) is missing at a period: not split when only coarser periods give it."""
    flags = [f"{known}.{f.value}" for f in COARSER[frequency]]
    missing = reason("missing_fact", sql_text("name", name), period("period", frequency, ordinal), entity())
    if not flags:
        return missing
    words = ", ".join(f"CASE WHEN {flag} THEN '{f.value}' END" for flag, f in zip(flags, COARSER[frequency]))
    split = reason(
        "not_split", sql_text("name", name), period("period", frequency, ordinal), entity(),
        sql_text("known", f"concat_ws(', ', {words})"), text("frequency", frequency.value),
    )
    return f"CASE WHEN {' OR '.join(flags)} THEN {split} ELSE {missing} END"


def _first_leaf(name: str, frequency: Frequency, ordinal: str, known: str) -> str:
    """The reason of a period with no fact below it: its first finer period the facts could give, missing."""
    finer = _finer(frequency)
    if not finer:
        return _missing(name, frequency, ordinal, known)
    child = CHILD[frequency]
    deeper = _first_leaf(name, child, f"({ordinal}) * {CHILDREN[frequency]}", known)
    return f"CASE WHEN {' OR '.join(f'{known}.{f.value}' for f in finer)} THEN {deeper} ELSE {_missing(name, frequency, ordinal, known)} END"


def _finer(frequency: Frequency) -> list[Frequency]:
    chain = []
    while frequency in CHILD:
        frequency = CHILD[frequency]
        chain.append(frequency)
    return chain


def _absent(name: str, frequency: Frequency, ordinal: str, known: str) -> str:
    """Why an input with nothing rolled up at a period is undefined there (`roll_up` when it had to descend)."""
    finer = _finer(frequency)
    if not finer:
        return _missing(name, frequency, ordinal, known)
    leaf = _first_leaf(name, CHILD[frequency], f"({ordinal}) * {CHILDREN[frequency]}", known)
    rolled = reason("roll_up", nested("cause", leaf), sql_text("name", name), period("period", frequency, ordinal))
    return f"CASE WHEN {' OR '.join(f'{known}.{f.value}' for f in finer)} THEN {rolled} ELSE {_missing(name, frequency, ordinal, known)} END"


# --- preparation: rules, known frequencies, roll-ups ----------------------------------
def preparation(plan: SqlPlan) -> list[str]:
    """Statements building the roll-up rules, which frequencies each input is given at, and the roll-ups."""
    rules = ",\n    ".join(f"('{name}', '{rule}')" for name, rule in plan.inputs.items())
    pack_facts = "kpi_facts WHERE input IN (SELECT input FROM kpi_rules)"
    flags = ", ".join(f"bool_or(frequency = '{f.value}') AS {f.value}" for f in SUPPORTED_FREQUENCIES)
    statements = [
        f"CREATE OR REPLACE TEMP TABLE kpi_rules AS SELECT * FROM (VALUES\n    {rules}\n) AS rules(input, rule)",
        (
            "-- at which frequencies each entity gives each input (a missing fact is 'not split' when only coarser ones are known)\n"
            f"CREATE OR REPLACE TEMP TABLE kpi_known AS\nSELECT entity, input, {flags}\nFROM {pack_facts}\nGROUP BY entity, input"
        ),
        (
            "CREATE OR REPLACE TEMP TABLE kpi_rolled_monthly AS\nSELECT entity, input, ordinal, value, NULL::VARCHAR AS why\n"
            f"FROM {pack_facts} AND frequency = 'monthly'"
        ),
    ]
    return statements + [_roll_up(frequency, pack_facts) for frequency in (Frequency.QUARTERLY, Frequency.YEARLY)]


def _roll_up(frequency: Frequency, pack_facts: str) -> str:
    child, count = CHILD[frequency], CHILDREN[frequency]
    child_why = (
        f"CASE WHEN f.value IS NOT NULL THEN NULL WHEN f.why IS NOT NULL THEN f.why "
        f"ELSE {_first_leaf('p.input', child, f'p.ordinal * {count} + c.position', 'k')} END"
    )
    average = f"kpi_div(sum(c.value), {scaled(count)})"
    return f"""-- {frequency.value} values: given, or rolled up from {count} complete {child.value} values (sum, last or average)
CREATE OR REPLACE TEMP TABLE kpi_rolled_{frequency.value} AS
WITH native AS (
    SELECT entity, input, ordinal, value FROM {pack_facts} AND frequency = '{frequency.value}'
), parents AS (
    SELECT DISTINCT entity, input, ordinal // {count} AS ordinal FROM kpi_rolled_{child.value}
), children AS (
    SELECT p.entity, p.input, p.ordinal, c.position, f.value,
        {child_why} AS why
    FROM parents p CROSS JOIN range({count}) AS c(position)
    LEFT JOIN kpi_rolled_{child.value} f ON {_same('f', 'p')} AND f.input = p.input AND f.ordinal = p.ordinal * {count} + c.position
    LEFT JOIN kpi_known k ON {_same('k', 'p')} AND k.input = p.input
), rolled AS (
    SELECT c.entity, c.input, c.ordinal,
        CASE WHEN count(c.value) = {count} THEN
            CASE r.rule WHEN 'sum' THEN sum(c.value) WHEN 'last' THEN arg_max(c.value, c.position) ELSE {average} END
        END AS value,
        arg_min(c.why, c.position) FILTER (WHERE c.why IS NOT NULL) AS why
    FROM children c JOIN kpi_rules r ON r.input = c.input
    GROUP BY c.entity, c.input, c.ordinal, r.rule
)
SELECT COALESCE(n.entity, r.entity) AS entity, COALESCE(n.input, r.input) AS input, COALESCE(n.ordinal, r.ordinal) AS ordinal,
    COALESCE(n.value, r.value) AS value, CASE WHEN n.value IS NULL THEN r.why END AS why
FROM rolled r FULL JOIN native n ON {_same('n', 'r')} AND n.input = r.input AND n.ordinal = r.ordinal"""


# --- one frequency ---------------------------------------------------------------------
def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def why(name: str) -> str:
    return q(f"why:{name}")


@dataclass
class _Step:
    """The columns one named step adds: window columns first (a step of their own), then the rest."""

    args: dict[str, Sql] = field(default_factory=dict)
    windows: dict[str, Sql] = field(default_factory=dict)


class _RowScope:
    """Names read at the current row; time functions as window columns over the entity's rows."""

    def __init__(self, query: FrequencyQuery, step: _Step, aliases: dict[str, Sql] | None = None) -> None:
        self.query = query
        self.step = step
        self.aliases = aliases or {}
        self.frequency = query.frequency

    def name(self, name: str) -> Sql:
        return self.aliases.get(name) or Sql(q(name), why(name))

    def time(self, call: Call, compiler: Compiler) -> Sql:
        arg = compiler.compile(call.args[0])
        label = to_text(call.args[0])
        if self.aliases and any(r.name in self.aliases for r in references(call.args[0])):  # an alert's `value`: whose
            label += f" of {self.aliases['value'].value.strip(chr(34))}"
        if arg.value != q(label):  # an expression: computed first, in a column of its own
            column = f"arg:{label}"
            if column not in self.query.defined:
                self.step.args[column] = arg
            arg = Sql(q(column), why(column))
        self.label = label
        render: TimeRenderer = FUNCTION_SQL[call.func]  # type: ignore[assignment]
        return render(arg, [integer_literal(a) for a in call.args], self)

    def ordinal(self) -> str:
        return "ordinal"

    def _before(self, start: str) -> str:
        return reason("before_data", period("period", self.frequency, start), period("since", self.frequency, "first"), entity())

    def _window(self, column: str, value: str, reason_sql: str) -> Sql:
        if column not in self.query.defined:
            self.step.windows[column] = Sql(value, reason_sql)
        return Sql(q(column), why(column))

    def lag(self, arg: Sql, steps: int) -> Sql:
        if steps == 0:
            return arg
        over = "OVER (PARTITION BY entity ORDER BY ordinal)"
        return self._window(
            f"lag({self.label}, {steps})",
            f"LAG({arg.value}, {steps}) {over}",
            f"CASE WHEN ordinal - {steps} < first THEN {self._before(f'ordinal - {steps}')} ELSE LAG({arg.why}, {steps}) {over} END",
        )

    def total(self, arg: Sql, count: int | None) -> Sql:
        if count is None:
            per_year = PER_YEAR[self.frequency]
            start, column = f"ordinal - ordinal % {per_year}", f"ytd({self.label})"
            over = f"OVER (PARTITION BY entity, ordinal // {per_year} ORDER BY ordinal ROWS UNBOUNDED PRECEDING)"
        else:
            start, column = f"ordinal - {count - 1}", f"rolling_sum({self.label}, {count})"
            over = f"OVER (PARTITION BY entity ORDER BY ordinal ROWS {count - 1} PRECEDING)"
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


class FrequencyQuery:
    """The query computing `kpis` (and what they read) at one frequency, as named steps."""

    def __init__(self, plan: SqlPlan, dialect: Dialect, frequency: Frequency, kpis: list[str]) -> None:
        self.plan, self.dialect, self.frequency, self.kpis = plan, dialect, frequency, kpis
        self.steps: list[tuple[str, str]] = []
        self.defined: set[str] = set()
        self.recursive = False
        self.comment = ""  # said above the next step
        self.needed = plan.needed(kpis)
        self.last = self._inputs()
        self._layers()
        self.columns = self._results()

    # inputs at this frequency, one column each, on a dense grid of periods
    def _needed_inputs(self) -> list[str]:
        nodes: list[Node] = [self.plan.kpis[name].formula for name in self.needed]
        for name in self.kpis:
            spec = self.plan.kpis[name]
            nodes += ([spec.target] if spec.target else []) + [n for a in spec.alerts for n in (a.condition, a.resolve_when) if n is not None]
        names = {r.name for node in nodes for r in references(node)}
        names |= {f for name in self.kpis for f in self.plan.kpis[name].fields()}
        return [name for name in self.plan.inputs if name in names]

    def _inputs(self) -> str:
        """Every needed input at every period of the grid, with its reason, in long form then one column each."""
        f = self.frequency.value
        inputs = self._needed_inputs()
        self.steps += [
            ("covered", f"SELECT DISTINCT entity, ordinal FROM kpi_rolled_{f} WHERE value IS NOT NULL"),
            ("bounds", "SELECT entity, min(ordinal) AS first, max(ordinal) AS last FROM covered GROUP BY entity"),
            (
                "grid",  # every period from the first covered to the last, numbered so later steps join back by grid_row
                ("SELECT *, row_number() OVER (ORDER BY entity, ordinal) AS grid_row\n"
                f"    FROM (SELECT entity, first, {self.dialect.series('first', 'last')} AS ordinal FROM bounds)"),
            ),
        ]
        covered = (
            "SELECT g.entity, g.ordinal, g.first, g.grid_row, c.ordinal IS NOT NULL AS covered\n"
            f"    FROM grid g LEFT JOIN covered c ON {_same('c', 'g')} AND c.ordinal = g.ordinal"
        )
        if not inputs:
            self.steps.append(("inputs", covered))
            return "inputs"
        names = ", ".join(f"('{n}', {position})" for position, n in enumerate(inputs, 1))
        rolled = reason("roll_up", nested("cause", "r.why"), sql_text("name", "i.input"), period("period", self.frequency, "g.ordinal"))
        absent = _absent("i.input", self.frequency, "g.ordinal", "k")
        self.steps.append(
            (
                "input_values",
                (
                    "SELECT g.entity, g.ordinal, i.position, r.value,\n"
                    f"        CASE WHEN r.value IS NOT NULL THEN NULL WHEN r.input IS NOT NULL THEN {rolled}\n"
                    f"             ELSE {absent} END AS why\n"
                    f"    FROM grid g CROSS JOIN (VALUES {names}) AS i(input, position)\n"
                    f"    LEFT JOIN kpi_rolled_{f} r ON {_same('r', 'g')} AND r.input = i.input AND r.ordinal = g.ordinal\n"
                    f"    LEFT JOIN kpi_known k ON {_same('k', 'g')} AND k.input = i.input"
                ),
            )
        )
        self.steps.append(
            (
                "input_lists",  # one list per row, an input's position in it fixed: a pivot without one aggregate per input
                (
                    f"SELECT entity, ordinal, {self.dialect.ordered_list('value', 'position')} AS input_value, "
                    f"{self.dialect.ordered_list('why', 'position')} AS input_why\n"
                    "    FROM input_values GROUP BY entity, ordinal"
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
                    f"SELECT g.entity, g.ordinal, g.first, g.grid_row, c.ordinal IS NOT NULL AS covered,\n        {pivot}\n"
                    f"    FROM grid g LEFT JOIN covered c ON {_same('c', 'g')} AND c.ordinal = g.ordinal\n"
                    f"    JOIN input_lists v ON {_same('v', 'g')} AND v.ordinal = g.ordinal"
                ),
            )
        )
        self.defined |= set(inputs)
        return "inputs"

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
        if step.args:
            self._add(f"{name}_arguments", step.args, True)
        if step.windows:
            self._add(f"{name}_time", step.windows, False)
        self._add(name, {c: s for c, s, _ in compiled}, True, {c for c, _, w in compiled if not w})

    def _add(self, name: str, columns: dict[str, Sql], guarded: bool, value_only: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        lines = []
        for column, sql in columns.items():
            value = f"TRY({sql.value})" if guarded else sql.value
            if column in value_only:
                lines.append(f"COALESCE({value}, false) AS {q(column)}")
                continue
            lines.append(f"{value} AS {q(column)}")
            reason_sql = f"COALESCE(TRY({sql.why}), CASE WHEN {q(column)} IS NULL THEN {OVERFLOW} END)" if guarded else sql.why
            lines.append(f"{reason_sql} AS {why(column)}")
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
                f"    SELECT base.grid_row, base.entity, base.ordinal, base.first, {carried}\n        {columns(None)}\n"
                f"    FROM {self.last} base WHERE base.ordinal = base.first\n"
                f"    UNION ALL\n    SELECT base.grid_row, base.entity, base.ordinal, base.first, {carried}\n        {columns(False)}\n"
                f"    FROM {walk} walk JOIN {self.last} base ON {_same('base', 'walk')} AND base.ordinal = walk.ordinal + 1"),
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
        select = ", ".join(q(c) if c not in ("entity", "ordinal") else c for c in self.columns)
        head = "WITH RECURSIVE" if self.recursive else "WITH"
        return (
            f"-- KPIs at the {self.frequency.value} frequency: {', '.join(self.kpis)}\n{head}\n{steps}\n"
            f"SELECT {select}\nFROM {self.last}\nWHERE covered\nORDER BY entity NULLS FIRST, ordinal"
        )


def statements(plan: SqlPlan, dialect: Dialect, frequencies: dict[Frequency, list[str]]) -> tuple[list[str], dict[Frequency, FrequencyQuery]]:
    """The preparation statements and one query per frequency."""
    return [dialect.helpers, *preparation(plan)], {f: FrequencyQuery(plan, dialect, f, kpis) for f, kpis in frequencies.items()}



def script(plan: SqlPlan, dialect: Dialect) -> str:
    """The whole evaluation as one SQL script, for review or for teams that schedule SQL themselves."""
    prepared, queries = statements(plan, dialect, {f: list(names) for f, names in plan.reported.items()})
    text = dialect.text_type
    header = (
        f"-- KPI evaluation in {dialect.name} SQL. Input: a relation kpi_facts(entity {text}, input {text},\n"
        f"-- frequency {text} ('monthly', 'quarterly' or 'yearly'), ordinal BIGINT (year*12+month-1, year*4+quarter-1\n"
        f"-- or year), value {dialect.number_type} in units of 1e-{SCALE}). Every value has a why:<name> column: NULL when defined,\n"
        f"-- else the reason as JSON.\n"
    )
    return dialect.render(header + "\n".join(f"{statement.rstrip().rstrip(';')};\n" for statement in [*prepared, *(q.sql() for q in queries.values())]))
