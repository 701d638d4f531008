"""The preparation statements: every input's value, or why it has none, at every period, before any KPI.

Facts arrive as `kpi_facts(entity, scenario, input, frequency, ordinal,
value)`. Every statement keys its rows by entity and scenario: a scenario's
figures (`budget`) are rolled up, zero-filled and consolidated on their own,
by the same rules as the actual ones. The statements build, in order:

- `kpi_rules(input, rule, zero, consolidated)`: each input's roll-up rule,
  whether its absence is zero (`missing: zero`), whether groups add it up.
- `kpi_known(entity, input, <frequency flags>)`: the frequencies a missing
  fact's reason counts the input as given at (`not_split` names the coarser
  ones): the entity's own for that input; for an input whose absence is
  zero, every frequency the entity has any fact at (as the Python backend).
- `kpi_inputs`: the pack's facts (`given`), plus a 0 for each input whose
  absence is zero, at each period where the entity has a fact of any input
  and none of that one, unless finer facts of it roll up there instead.
- `kpi_own_<frequency>(entity, input, ordinal, value, why, given, final)`:
  days -> months and ISO weeks, months -> quarters -> years, with the
  completeness rule (a quarter with a missing month is undefined, `why` the
  first missing month's reason), `given` when a fact of the input lies within
  the period (a zero by default never makes a period covered); quarters and
  years in the pack's calendar (`calendar.SqlCalendar`). A group's own facts
  (its adjustments) are rolled up as any entity's.
- `kpi_starts(entity, scenario, start)`: the first day of each entity's
  figures under each other scenario, where its periods under that scenario
  start (as the Python backend's scenario runs).
- Groups, each after its member groups, at each frequency
  (`kpi_group_<n>_<frequency>`, the same columns): a consolidated input is the
  group's own adjustment (rolled up with a period without one counting 0) plus
  every member's value; a member without it makes the group's value undefined
  (`member_missing`). These rows are `final`: their `why` is the reason
  itself, not a finer period's cause to wrap in `roll_up`.
- `kpi_rolled_<frequency>`: what the KPI queries read, each entity's own rows
  with a group's consolidated inputs taken from its group table.
- `kpi_covered_<frequency>(entity, ordinal)`: the periods reported: at least
  one actual input given within them and complete there (figures of other
  scenarios never make a period reported). A group covers every period an
  entity below it or its own facts cover.

Every table is made by one statement and never changed after (no INSERT or
DELETE): on Spark each is a view, cached.
"""

from __future__ import annotations

from ...facts import ACTUAL
from ...periods import Frequency
from .calendar import ANCESTORS, CHILD, ROLLED, SqlCalendar, coarser, finer
from .dialect import UNIT, Dialect
from .expressions import literal_text, nested, period, reason, sql_text, text, who
from .plan import SqlPlan


def same(left: str, right: str) -> str:
    """The rows of `left` and `right` are of the same entity (None too) under the same scenario."""
    return f"{left}.entity IS NOT DISTINCT FROM {right}.entity AND {left}.scenario = {right}.scenario"


# --- missing facts: the reason the Python backend gives, per frequency ---------------
def _missing(name: str, frequency: Frequency, ordinal: str, known: str, entity: str) -> str:
    """Why input `name` (SQL) is missing at a period: not split when only coarser periods give it."""
    named = coarser(frequency)
    flags = [f"{known}.{f.value}" for f in named]
    missing = reason("missing_fact", sql_text("name", name), period("period", frequency, ordinal), who(entity))
    if not flags:
        return missing
    words = ", ".join(f"CASE WHEN {flag} THEN '{f.value}' END" for flag, f in zip(flags, named, strict=True))
    split = reason(
        "not_split", sql_text("name", name), period("period", frequency, ordinal), who(entity),
        sql_text("known", f"concat_ws(', ', {words})"), text("frequency", frequency.value),
    )
    return f"CASE WHEN {' OR '.join(flags)} THEN {split} ELSE {missing} END"


def _first_leaf(name: str, frequency: Frequency, ordinal: str, known: str, entity: str, calendar: SqlCalendar) -> str:
    """The reason of a period with no fact below it: its first finer period the facts could give, missing."""
    below = finer(frequency)
    if not below:
        return _missing(name, frequency, ordinal, known, entity)
    deeper = _first_leaf(name, CHILD[frequency], calendar.first_child(frequency, ordinal), known, entity, calendar)
    flags = " OR ".join(f"{known}.{f.value}" for f in below)
    return f"CASE WHEN {flags} THEN {deeper} ELSE {_missing(name, frequency, ordinal, known, entity)} END"


def absent(name: str, frequency: Frequency, ordinal: str, known: str, entity: str, calendar: SqlCalendar) -> str:
    """Why an input with nothing rolled up at a period is undefined there (`roll_up` when it had to descend)."""
    below = finer(frequency)
    if not below:
        return _missing(name, frequency, ordinal, known, entity)
    leaf = _first_leaf(name, CHILD[frequency], calendar.first_child(frequency, ordinal), known, entity, calendar)
    rolled = reason("roll_up", nested("cause", leaf), sql_text("name", name), period("period", frequency, ordinal))
    flags = " OR ".join(f"{known}.{f.value}" for f in below)
    return f"CASE WHEN {flags} THEN {rolled} ELSE {_missing(name, frequency, ordinal, known, entity)} END"


def resolved_why(row: str, known: str, name: str, frequency: Frequency, ordinal: str, entity: str, calendar: SqlCalendar) -> str:
    """Why input `name` of an entity is undefined at a period, read from its rolled `row` (NULL when it has a value)."""
    rolled = reason("roll_up", nested("cause", f"{row}.why"), sql_text("name", name), period("period", frequency, ordinal))
    return (
        f"CASE WHEN {row}.value IS NOT NULL THEN NULL WHEN {row}.final THEN {row}.why WHEN {row}.input IS NOT NULL THEN {rolled}\n"
        f"             ELSE {absent(name, frequency, ordinal, known, entity, calendar)} END"
    )


# --- preparation ------------------------------------------------------------------------
def preparation(plan: SqlPlan, dialect: Dialect) -> list[str]:
    """Every statement before the KPI queries: rules, known frequencies, zeros by default, roll-ups, groups, coverage.

    Each table is built once, by one `CREATE ... AS SELECT`, and never changed after: Spark has views where DuckDB
    has tables, and a view cannot be inserted into. A group's rows are a table of their own, read by the groups
    above it; `kpi_rolled_<frequency>` puts each entity's own rows and the groups' together.
    """
    calendar = SqlCalendar(plan.month_shift, dialect)
    rules = ",\n    ".join(
        f"({literal_text(name)}, '{rule}', {str(name in plan.zero).lower()}, {str(name in plan.consolidated).lower()})"
        for name, rule in plan.inputs.items()
    )
    statements = [
        f"CREATE OR REPLACE TEMP TABLE kpi_rules AS SELECT * FROM (VALUES\n    {rules}\n) AS rules(input, rule, zero, consolidated)",
        *_known(),
        _inputs(bool(plan.zero)),
        (
            "CREATE OR REPLACE TEMP TABLE kpi_own_daily AS\n"
            "SELECT entity, scenario, input, ordinal, value, NULL::VARCHAR AS why, given, false AS final\n"
            "FROM kpi_inputs WHERE frequency = 'daily'"
        ),
    ]
    statements += [_roll_up(frequency, calendar) for frequency in ROLLED]
    statements.append(_starts(plan, calendar))
    if plan.groups_of_entities:
        names = ", ".join(f"({literal_text(group)})" for group in plan.groups_of_entities)
        statements.append(f"CREATE OR REPLACE TEMP TABLE kpi_groups AS SELECT * FROM (VALUES {names}) AS groups(entity)")
        statements += _adjustments(calendar)
    for frequency in Frequency:
        statements += [consolidation(plan, group, frequency, calendar) for group in plan.groups_of_entities]
        statements += [_rolled(plan, frequency), _covered(plan, frequency)]
    return statements


def _flags(table: str) -> str:
    return ", ".join(f"bool_or({table}frequency = '{f.value}') AS {f.value}" for f in Frequency)


def _known() -> list[str]:
    pack_facts = "kpi_facts WHERE input IN (SELECT input FROM kpi_rules)"
    columns = ", ".join(f"e.{f.value}" for f in Frequency)
    return [
        f"CREATE OR REPLACE TEMP TABLE kpi_given_at AS\nSELECT entity, scenario, input, {_flags('')}\nFROM {pack_facts}\nGROUP BY entity, scenario, input",
        (
            "-- at which frequencies each entity gives each input (a missing fact is 'not split' when only coarser ones are known);\n"
            "-- an input whose absence is zero counts as given wherever the entity has facts\n"
            "CREATE OR REPLACE TEMP TABLE kpi_known AS\n"
            "SELECT g.* FROM kpi_given_at g JOIN kpi_rules r ON r.input = g.input AND NOT r.zero\n"
            f"UNION ALL\nSELECT e.entity, e.scenario, r.input, {columns}\n"
            f"FROM (SELECT entity, scenario, {_flags('')} FROM kpi_facts GROUP BY entity, scenario) e CROSS JOIN kpi_rules r WHERE r.zero"
        ),
    ]


def _inputs(zeros: bool) -> str:
    """The pack's facts, and (`zeros`) a 0 for each input whose absence is zero where the SQL must read one."""
    given = "SELECT entity, scenario, input, frequency, ordinal, value, true AS given FROM kpi_facts WHERE input IN (SELECT input FROM kpi_rules)"
    if not zeros:
        return f"-- the pack's facts\nCREATE OR REPLACE TEMP VIEW kpi_inputs AS\n{given}"
    whens = " ".join(f"WHEN '{f.value}' THEN {' OR '.join(f'g.{b.value}' for b in finer(f)) or 'false'}" for f in Frequency)
    return f"""-- the pack's facts, and a 0 for an input whose absence is zero wherever the entity has a fact of another input
-- (unless finer facts of that input are rolled up there)
CREATE OR REPLACE TEMP VIEW kpi_inputs AS
{given}
UNION ALL
SELECT p.entity, p.scenario, r.input, p.frequency, p.ordinal, 0::HUGEINT, false
FROM (SELECT DISTINCT entity, scenario, frequency, ordinal FROM kpi_facts) p
JOIN kpi_rules r ON r.zero
LEFT JOIN kpi_given_at g ON {same('g', 'p')} AND g.input = r.input
LEFT JOIN kpi_facts f ON {same('f', 'p')} AND f.input = r.input AND f.frequency = p.frequency AND f.ordinal = p.ordinal
WHERE f.input IS NULL AND NOT COALESCE(CASE p.frequency {whens} END, false)"""


def _roll_up(frequency: Frequency, calendar: SqlCalendar) -> str:
    child = CHILD[frequency]
    position = f"{calendar.first_child(frequency, 'p.ordinal')} + p.position"
    child_why = (
        f"CASE WHEN f.value IS NOT NULL THEN NULL WHEN f.why IS NOT NULL THEN f.why "
        f"ELSE {_first_leaf('p.input', child, position, 'k', 'p.entity', calendar)} END"
    )
    average = f"kpi_div(sum(c.value), count(*) * {UNIT}::HUGEINT)"
    return f"""-- {frequency.value} values: given, or rolled up from complete {child.value} values (sum, last or average)
CREATE OR REPLACE TEMP TABLE kpi_own_{frequency.value} AS
WITH native AS (
    SELECT entity, scenario, input, ordinal, value, given FROM kpi_inputs WHERE frequency = '{frequency.value}'
), parents AS (  -- one row per finer period a parent is made of
    SELECT *, {calendar.dialect.positions(calendar.children(frequency, 'ordinal'))} AS position FROM (
        SELECT entity, scenario, input, {calendar.parent(frequency, 'ordinal')} AS ordinal, bool_or(given) AS given
        FROM kpi_own_{child.value} GROUP BY 1, 2, 3, 4)
), children AS (
    SELECT p.entity, p.scenario, p.input, p.ordinal, p.given, p.position, f.value,
        {child_why} AS why
    FROM parents p
    LEFT JOIN kpi_own_{child.value} f ON {same('f', 'p')} AND f.input = p.input AND f.ordinal = {position}
    LEFT JOIN kpi_known k ON {same('k', 'p')} AND k.input = p.input
), rolled AS (
    SELECT c.entity, c.scenario, c.input, c.ordinal, c.given,
        CASE WHEN count(c.value) = count(*) THEN
            CASE r.rule WHEN 'sum' THEN sum(c.value) WHEN 'last' THEN arg_max(c.value, c.position) ELSE {average} END
        END AS value,
        arg_min(c.why, c.position) FILTER (WHERE c.why IS NOT NULL) AS why
    FROM children c JOIN kpi_rules r ON r.input = c.input
    GROUP BY c.entity, c.scenario, c.input, c.ordinal, c.given, r.rule
)
SELECT COALESCE(n.entity, r.entity) AS entity, COALESCE(n.scenario, r.scenario) AS scenario, COALESCE(n.input, r.input) AS input,
    COALESCE(n.ordinal, r.ordinal) AS ordinal,
    COALESCE(n.value, r.value) AS value, CASE WHEN n.value IS NULL THEN r.why END AS why,
    COALESCE(n.given, false) OR COALESCE(r.given, false) AS given, false AS final
FROM rolled r FULL JOIN native n ON {same('n', 'r')} AND n.input = r.input AND n.ordinal = r.ordinal"""


def _rolled(plan: SqlPlan, frequency: Frequency) -> str:
    """`kpi_rolled_<frequency>`: each entity's own rows, a group's consolidated inputs replaced by its group rows."""
    f = frequency.value
    if not plan.groups_of_entities:
        return f"-- {f} values of every input\nCREATE OR REPLACE TEMP VIEW kpi_rolled_{f} AS SELECT * FROM kpi_own_{f}"
    groups = "\nUNION ALL\n".join(f"SELECT * FROM {_group_table(plan, group, frequency)}" for group in plan.groups_of_entities)
    return f"""-- {f} values of every input: a group's consolidated ones from its members (below)
CREATE OR REPLACE TEMP VIEW kpi_rolled_{f} AS
SELECT * FROM kpi_own_{f}
WHERE entity IS NULL OR entity NOT IN (SELECT entity FROM kpi_groups) OR input NOT IN (SELECT input FROM kpi_rules WHERE consolidated)
UNION ALL
{groups}"""


def _covered(plan: SqlPlan, frequency: Frequency) -> str:
    """`kpi_covered_<frequency>(entity, ordinal)`: the periods reported. An entity's: an actual input given within
    them is complete there. A group's: those of every entity below it, and those its own facts cover (complete once
    consolidated)."""
    f = frequency.value
    groups = ", ".join(literal_text(g) for g in plan.groups_of_entities)
    not_group = f" AND (entity IS NULL OR entity NOT IN ({groups}))" if groups else ""
    own = f"SELECT entity, ordinal FROM kpi_own_{f} WHERE value IS NOT NULL AND given AND scenario = '{ACTUAL}'{not_group}"
    head = f"-- {f} periods reported: an actual input given within them is complete there\nCREATE OR REPLACE TEMP TABLE kpi_covered_{f} AS\n"
    if not groups:
        return head + own.replace("SELECT", "SELECT DISTINCT", 1)
    below = ", ".join(
        f"({literal_text(group)}, {literal_text(entity)})" for group in plan.groups_of_entities for entity in (group, *_below(plan, group))
    )
    return f"""-- {f} periods reported: an actual input given within them is complete there (a group's consolidated input once
-- consolidated); a group covers the periods every entity below it covers, and those its own facts cover
{head}WITH own AS (
    {own}
    UNION ALL
    SELECT o.entity, o.ordinal FROM kpi_own_{f} o
    LEFT JOIN kpi_rolled_{f} r ON r.entity = o.entity AND r.scenario = o.scenario AND r.input = o.input AND r.ordinal = o.ordinal
    WHERE o.entity IN ({groups}) AND o.scenario = '{ACTUAL}' AND o.given AND r.value IS NOT NULL
)
SELECT DISTINCT entity, ordinal FROM own WHERE entity IS NULL OR entity NOT IN ({groups})
UNION ALL
SELECT DISTINCT m.owner, own.ordinal FROM own JOIN (VALUES {below}) AS m(owner, below) ON own.entity = m.below"""


def _starts(plan: SqlPlan, calendar: SqlCalendar) -> str:
    """`kpi_starts(entity, scenario, start)`: where an entity's figures of each scenario other than actual start.

    As the Python backend's scenario runs: the first day of the earliest period given (the one ending first,
    the finer on ties), a group's among its own figures and those of every entity below it. A scenario's
    periods start with the periods holding that day; an entity without a row has no figure of that scenario.
    """
    ends = {f: f"{calendar.start_day(f, 'ordinal + 1')} - 1" for f in Frequency}
    cases = {
        "start": " ".join(f"WHEN '{f.value}' THEN {calendar.start_day(f, 'ordinal')}" for f in Frequency),
        "finish": " ".join(f"WHEN '{f.value}' THEN {ends[f]}" for f in Frequency),
        "rank": " ".join(f"WHEN '{f.value}' THEN {rank}" for rank, f in enumerate(Frequency)),
    }
    days = ",\n        ".join(f"CASE frequency {sql} END AS {name}" for name, sql in cases.items())
    below = [(group, entity) for group in plan.groups_of_entities for entity in _below(plan, group)]
    owners = ""
    if below:
        pairs = ", ".join(f"({literal_text(group)}, {literal_text(entity)})" for group, entity in below)
        owners = (
            "\n    UNION ALL\n    SELECT m.owner, d.scenario, d.start, d.finish, d.rank\n"
            f"    FROM days d JOIN (VALUES {pairs}) AS m(owner, below) ON d.entity = m.below"
        )
    return f"""-- where each entity's figures of another scenario start (a group: its own or those of any entity below it):
-- the first day of the earliest period given, the one ending first (the finer on ties)
CREATE OR REPLACE TEMP TABLE kpi_starts AS
WITH periods AS (
    SELECT DISTINCT entity, scenario, frequency, ordinal FROM kpi_facts WHERE scenario <> '{ACTUAL}'
), days AS (
    SELECT entity, scenario,
        {days}
    FROM periods
), owned AS (
    SELECT entity, scenario, start, finish, rank FROM days{owners}
)
SELECT entity, scenario, arg_min(start, finish * {len(Frequency)} + rank) AS start FROM owned GROUP BY entity, scenario"""


def _below(plan: SqlPlan, group: str) -> list[str]:
    """Every entity and group below `group`, down to the entities."""
    members = plan.groups_of_entities.get(group, ())
    return [entity for member in members for entity in (member, *_below(plan, member))]


# --- groups -------------------------------------------------------------------------------
def _adjustments(calendar: SqlCalendar) -> list[str]:
    """`kpi_adjust_<frequency>`: a group's own value of each consolidated input, a finer period without one counting 0."""
    own = "kpi_facts WHERE entity IN (SELECT entity FROM kpi_groups) AND input IN (SELECT input FROM kpi_rules WHERE consolidated)"
    statements = [f"CREATE OR REPLACE TEMP TABLE kpi_adjust_daily AS SELECT entity, scenario, input, ordinal, value FROM {own} AND frequency = 'daily'"]
    for frequency in ROLLED:
        child, above = CHILD[frequency], calendar.parent(frequency, "ordinal")
        statements.append(
            f"""CREATE OR REPLACE TEMP TABLE kpi_adjust_{frequency.value} AS
WITH children AS (
    SELECT entity, scenario, input, {above} AS ordinal, ordinal - ({calendar.first_child(frequency, above)}) AS position, value FROM kpi_adjust_{child.value}
), rolled AS (
    SELECT c.entity, c.scenario, c.input, c.ordinal, CASE r.rule WHEN 'sum' THEN sum(c.value)
        WHEN 'last' THEN COALESCE(sum(c.value) FILTER (WHERE c.position = {calendar.children(frequency, 'c.ordinal')} - 1), 0)
        ELSE kpi_div(sum(c.value), ({calendar.children(frequency, 'c.ordinal')}) * {UNIT}::HUGEINT) END AS value
    FROM children c JOIN kpi_rules r ON r.input = c.input GROUP BY c.entity, c.scenario, c.input, c.ordinal, r.rule
), native AS (
    SELECT entity, scenario, input, ordinal, value FROM {own} AND frequency = '{frequency.value}'
)
SELECT COALESCE(n.entity, r.entity) AS entity, COALESCE(n.scenario, r.scenario) AS scenario, COALESCE(n.input, r.input) AS input,
    COALESCE(n.ordinal, r.ordinal) AS ordinal, COALESCE(n.value, r.value) AS value
FROM rolled r FULL JOIN native n ON {same('n', 'r')} AND n.input = r.input AND n.ordinal = r.ordinal"""
        )
    return statements


def _group_table(plan: SqlPlan, group: str, frequency: Frequency) -> str:
    """The table of `group`'s consolidated inputs at `frequency` (numbered: a group's name may be any text)."""
    return f"kpi_group_{list(plan.groups_of_entities).index(group)}_{frequency.value}"


def _members(plan: SqlPlan, members: tuple[str, ...], frequency: Frequency) -> str:
    """The rows of `members` at `frequency`: an entity's own, a member group's consolidated ones (made before)."""
    entities = ", ".join(literal_text(m) for m in members if m not in plan.groups_of_entities)
    parts = [f"SELECT * FROM kpi_own_{frequency.value} WHERE entity IN ({entities})"] if entities else []
    parts += [f"SELECT * FROM {_group_table(plan, m, frequency)}" for m in members if m in plan.groups_of_entities]
    return "\n        UNION ALL ".join(parts)


def consolidation(plan: SqlPlan, group: str, frequency: Frequency, calendar: SqlCalendar) -> str:
    """The statement making `group`'s consolidated inputs at `frequency` (its member groups' made before)."""
    f, name, members = frequency.value, literal_text(group), plan.groups_of_entities[group]
    listed = ", ".join(f"({literal_text(m)}, {position})" for position, m in enumerate(members))
    member_missing = reason(
        "member_missing", sql_text("member", "s.member"), text("group", group), sql_text("name", "s.input"), period("period", frequency, "s.ordinal"),
        nested("cause", resolved_why("r", "k", "s.input", frequency, "s.ordinal", "s.member", calendar)),
    )
    holders = ANCESTORS[frequency]
    split_checks = "".join(
        f"    LEFT JOIN kpi_facts c_{c.value} ON c_{c.value}.entity = {name} AND c_{c.value}.scenario = s.scenario AND c_{c.value}.input = s.input"
        f" AND c_{c.value}.frequency = '{c.value}'"
        f" AND c_{c.value}.ordinal = {calendar.ancestor(frequency, c, 's.ordinal')}\n"
        for c in holders
    )
    split = "".join(
        f" WHEN c_{c.value}.input IS NOT NULL THEN "
        + reason("not_split", sql_text("name", "s.input"), period("period", frequency, "s.ordinal"), who(name), text("known", c.value), text("frequency", f))
        for c in holders
    )
    adjustment_why = f"CASE WHEN n.input IS NOT NULL THEN NULL{split} END" if holders else "NULL"
    return f"""-- {group}'s {f} inputs under each scenario: its own adjustments plus every member's value ({', '.join(members)});
-- undefined when a member has none
CREATE OR REPLACE TEMP TABLE {_group_table(plan, group, frequency)} AS
WITH slots AS (
    SELECT c.scenario, o.ordinal, i.input, m.member, m.position
    FROM (SELECT {calendar.dialect.series('lo', 'hi')} AS ordinal FROM (SELECT min(ordinal) AS lo, max(ordinal) AS hi FROM kpi_own_{f})) o
    CROSS JOIN (SELECT DISTINCT scenario FROM kpi_facts) c
    CROSS JOIN (SELECT input FROM kpi_rules WHERE consolidated) i CROSS JOIN (VALUES {listed}) AS m(member, position)
), member_values AS (
    SELECT s.scenario, s.ordinal, s.input, s.position, r.value, CASE WHEN r.value IS NULL THEN {member_missing} END AS why
    FROM slots s
    LEFT JOIN (
        {_members(plan, members, frequency)}
    ) r ON r.entity = s.member AND r.scenario = s.scenario AND r.input = s.input AND r.ordinal = s.ordinal
    LEFT JOIN kpi_known k ON k.entity = s.member AND k.scenario = s.scenario AND k.input = s.input
), summed AS (
    SELECT scenario, ordinal, input, CASE WHEN count(value) = {len(members)} THEN sum(value) END AS value,
        arg_min(why, position) FILTER (WHERE why IS NOT NULL) AS why
    FROM member_values GROUP BY scenario, ordinal, input
), adjusted AS (
    SELECT s.*, a.value AS adjustment, {adjustment_why} AS adjustment_why
    FROM summed s
    LEFT JOIN kpi_adjust_{f} a ON a.entity = {name} AND a.scenario = s.scenario AND a.input = s.input AND a.ordinal = s.ordinal
    LEFT JOIN kpi_facts n ON n.entity = {name} AND n.scenario = s.scenario AND n.input = s.input AND n.frequency = '{f}' AND n.ordinal = s.ordinal
{split_checks})
SELECT {name} AS entity, scenario, input, ordinal, CASE WHEN adjustment_why IS NULL THEN value + COALESCE(adjustment, 0) END AS value,
    COALESCE(adjustment_why, why) AS why, false AS given, true AS final
FROM adjusted"""
