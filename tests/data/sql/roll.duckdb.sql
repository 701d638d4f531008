-- KPI evaluation in duckdb SQL. Input: a relation kpi_facts(entity VARCHAR, scenario VARCHAR ('actual',
-- 'budget'...), input VARCHAR, frequency VARCHAR ('monthly', 'quarterly' or 'yearly'), ordinal BIGINT
-- (year*12+month-1, year*4+quarter-1 or year), value HUGEINT in units of 1e-24). Every value has a
-- why:<name> column: NULL when defined, else the reason as JSON.
-- Each helper reads its operands once (bound in a one-element list), so nested formulas stay small once expanded.
-- a * b in units of 1e-24, exact then rounded half away from zero: whole and fractional parts multiplied
-- separately, the fractional ones in halves of 12 digits, so no partial product exceeds 128 bits
CREATE OR REPLACE TEMP MACRO kpi_mul(a, b) AS list_transform(
    [{'ah': abs(a) // 1000000000000000000000000::HUGEINT, 'al': abs(a) % 1000000000000000000000000::HUGEINT, 'bh': abs(b) // 1000000000000000000000000::HUGEINT, 'bl': abs(b) % 1000000000000000000000000::HUGEINT, 's': sign(a) * sign(b)}],
    lambda x: x.s * (
        x.ah * x.bh * 1000000000000000000000000::HUGEINT + x.ah * x.bl + x.al * x.bh
        + (x.al // 1000000000000::HUGEINT) * (x.bl // 1000000000000::HUGEINT)
        + (((x.al // 1000000000000::HUGEINT) * (x.bl % 1000000000000::HUGEINT) + (x.al % 1000000000000::HUGEINT) * (x.bl // 1000000000000::HUGEINT)) * 1000000000000::HUGEINT
           + (x.al % 1000000000000::HUGEINT) * (x.bl % 1000000000000::HUGEINT) + 1000000000000000000000000::HUGEINT // 2) // 1000000000000000000000000::HUGEINT))[1];
-- 24 decimals of r / q (0 <= r < q) by long division, 2 digits at a time; the rest decides the rounding
CREATE OR REPLACE TEMP MACRO kpi_fraction(r, q) AS list_reduce(
    range(12),
    lambda acc, step: {'digits': acc.digits * 100 + (acc.rest * 100) // q, 'rest': (acc.rest * 100) % q},
    {'digits': 0::HUGEINT, 'rest': r});
-- a / b in units of 1e-24 (b is not 0): whole part, then the decimals, rounded half away from zero
CREATE OR REPLACE TEMP MACRO kpi_div(a, b) AS list_transform([{'a': abs(a), 'b': abs(b), 's': sign(a) * sign(b)}], lambda x: x.s * (
    (x.a // x.b) * 1000000000000000000000000::HUGEINT
    + list_transform([kpi_fraction(x.a % x.b, x.b)], lambda f: f.digits + CASE WHEN 2 * f.rest >= x.b THEN 1 ELSE 0 END)[1]))[1];
-- x rounded to `unit` (a power of ten in units of 1e-24), halves away from zero
CREATE OR REPLACE TEMP MACRO kpi_round(x, unit) AS sign(x) * ((abs(x) + unit // 2) // unit) * unit;

CREATE OR REPLACE TEMP TABLE kpi_rules AS SELECT * FROM (VALUES
    ('ca', 'sum', false, true),
    ('cout', 'sum', false, true),
    ('stock', 'last', false, true),
    ('effectif', 'avg', false, true),
    ('initiale', 'last', false, true)
) AS rules(input, rule, zero, consolidated);

CREATE OR REPLACE TEMP TABLE kpi_given_at AS
SELECT entity, scenario, input, bool_or(frequency = 'daily') AS daily, bool_or(frequency = 'weekly') AS weekly, bool_or(frequency = 'monthly') AS monthly, bool_or(frequency = 'quarterly') AS quarterly, bool_or(frequency = 'yearly') AS yearly
FROM kpi_facts WHERE input IN (SELECT input FROM kpi_rules)
GROUP BY entity, scenario, input;

-- at which frequencies each entity gives each input (a missing fact is 'not split' when only coarser ones are known);
-- an input whose absence is zero counts as given wherever the entity has facts
CREATE OR REPLACE TEMP TABLE kpi_known AS
SELECT g.* FROM kpi_given_at g JOIN kpi_rules r ON r.input = g.input AND NOT r.zero
UNION ALL
SELECT e.entity, e.scenario, r.input, e.daily, e.weekly, e.monthly, e.quarterly, e.yearly
FROM (SELECT entity, scenario, bool_or(frequency = 'daily') AS daily, bool_or(frequency = 'weekly') AS weekly, bool_or(frequency = 'monthly') AS monthly, bool_or(frequency = 'quarterly') AS quarterly, bool_or(frequency = 'yearly') AS yearly FROM kpi_facts GROUP BY entity, scenario) e CROSS JOIN kpi_rules r WHERE r.zero;

-- the pack's facts
CREATE OR REPLACE TEMP VIEW kpi_inputs AS
SELECT entity, scenario, input, frequency, ordinal, value, true AS given FROM kpi_facts WHERE input IN (SELECT input FROM kpi_rules);

CREATE OR REPLACE TEMP TABLE kpi_own_daily AS
SELECT entity, scenario, input, ordinal, value, NULL::VARCHAR AS why, given, false AS final
FROM kpi_inputs WHERE frequency = 'daily';

-- monthly values: given, or rolled up from complete daily values (sum, last or average)
CREATE OR REPLACE TEMP TABLE kpi_own_monthly AS
WITH native AS (
    SELECT entity, scenario, input, ordinal, value, given FROM kpi_inputs WHERE frequency = 'monthly'
), parents AS (  -- one row per finer period a parent is made of
    SELECT *, unnest(range((make_date(CAST((ordinal + 1) // 12 AS INTEGER), CAST((ordinal + 1) % 12 + 1 AS INTEGER), 1) - DATE '0001-01-01' + 1) - (make_date(CAST((ordinal) // 12 AS INTEGER), CAST((ordinal) % 12 + 1 AS INTEGER), 1) - DATE '0001-01-01' + 1))) AS position FROM (
        SELECT entity, scenario, input, (year(DATE '0001-01-01' + CAST(ordinal - 1 AS INTEGER)) * 12 + month(DATE '0001-01-01' + CAST(ordinal - 1 AS INTEGER)) - 1) AS ordinal, bool_or(given) AS given
        FROM kpi_own_daily GROUP BY 1, 2, 3, 4)
), children AS (
    SELECT p.entity, p.scenario, p.input, p.ordinal, p.given, p.position, f.value,
        CASE WHEN f.value IS NOT NULL THEN NULL WHEN f.why IS NOT NULL THEN f.why ELSE CASE WHEN k.monthly OR k.quarterly OR k.weekly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || p.input || '"' || ',"period":' || '["daily",' || CAST((make_date(CAST((p.ordinal) // 12 AS INTEGER), CAST((p.ordinal) % 12 + 1 AS INTEGER), 1) - DATE '0001-01-01' + 1) + p.position AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(p.entity, '\', '\\'), '"', '\"') || '"', 'null') || ',"known":' || '"' || concat_ws(', ', CASE WHEN k.monthly THEN 'monthly' END, CASE WHEN k.quarterly THEN 'quarterly' END, CASE WHEN k.weekly THEN 'weekly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"daily"}') ELSE ('{"code":"missing_fact","name":' || '"' || p.input || '"' || ',"period":' || '["daily",' || CAST((make_date(CAST((p.ordinal) // 12 AS INTEGER), CAST((p.ordinal) % 12 + 1 AS INTEGER), 1) - DATE '0001-01-01' + 1) + p.position AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(p.entity, '\', '\\'), '"', '\"') || '"', 'null') || '}') END END AS why
    FROM parents p
    LEFT JOIN kpi_own_daily f ON f.entity IS NOT DISTINCT FROM p.entity AND f.scenario = p.scenario AND f.input = p.input AND f.ordinal = (make_date(CAST((p.ordinal) // 12 AS INTEGER), CAST((p.ordinal) % 12 + 1 AS INTEGER), 1) - DATE '0001-01-01' + 1) + p.position
    LEFT JOIN kpi_known k ON k.entity IS NOT DISTINCT FROM p.entity AND k.scenario = p.scenario AND k.input = p.input
), rolled AS (
    SELECT c.entity, c.scenario, c.input, c.ordinal, c.given,
        CASE WHEN count(c.value) = count(*) THEN
            CASE r.rule WHEN 'sum' THEN sum(c.value) WHEN 'last' THEN arg_max(c.value, c.position) ELSE kpi_div(sum(c.value), count(*) * 1000000000000000000000000::HUGEINT) END
        END AS value,
        arg_min(c.why, c.position) FILTER (WHERE c.why IS NOT NULL) AS why
    FROM children c JOIN kpi_rules r ON r.input = c.input
    GROUP BY c.entity, c.scenario, c.input, c.ordinal, c.given, r.rule
)
SELECT COALESCE(n.entity, r.entity) AS entity, COALESCE(n.scenario, r.scenario) AS scenario, COALESCE(n.input, r.input) AS input,
    COALESCE(n.ordinal, r.ordinal) AS ordinal,
    COALESCE(n.value, r.value) AS value, CASE WHEN n.value IS NULL THEN r.why END AS why,
    COALESCE(n.given, false) OR COALESCE(r.given, false) AS given, false AS final
FROM rolled r FULL JOIN native n ON n.entity IS NOT DISTINCT FROM r.entity AND n.scenario = r.scenario AND n.input = r.input AND n.ordinal = r.ordinal;

-- weekly values: given, or rolled up from complete daily values (sum, last or average)
CREATE OR REPLACE TEMP TABLE kpi_own_weekly AS
WITH native AS (
    SELECT entity, scenario, input, ordinal, value, given FROM kpi_inputs WHERE frequency = 'weekly'
), parents AS (  -- one row per finer period a parent is made of
    SELECT *, unnest(range(7)) AS position FROM (
        SELECT entity, scenario, input, (ordinal - 1) // 7 AS ordinal, bool_or(given) AS given
        FROM kpi_own_daily GROUP BY 1, 2, 3, 4)
), children AS (
    SELECT p.entity, p.scenario, p.input, p.ordinal, p.given, p.position, f.value,
        CASE WHEN f.value IS NOT NULL THEN NULL WHEN f.why IS NOT NULL THEN f.why ELSE CASE WHEN k.monthly OR k.quarterly OR k.weekly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || p.input || '"' || ',"period":' || '["daily",' || CAST(p.ordinal * 7 + 1 + p.position AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(p.entity, '\', '\\'), '"', '\"') || '"', 'null') || ',"known":' || '"' || concat_ws(', ', CASE WHEN k.monthly THEN 'monthly' END, CASE WHEN k.quarterly THEN 'quarterly' END, CASE WHEN k.weekly THEN 'weekly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"daily"}') ELSE ('{"code":"missing_fact","name":' || '"' || p.input || '"' || ',"period":' || '["daily",' || CAST(p.ordinal * 7 + 1 + p.position AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(p.entity, '\', '\\'), '"', '\"') || '"', 'null') || '}') END END AS why
    FROM parents p
    LEFT JOIN kpi_own_daily f ON f.entity IS NOT DISTINCT FROM p.entity AND f.scenario = p.scenario AND f.input = p.input AND f.ordinal = p.ordinal * 7 + 1 + p.position
    LEFT JOIN kpi_known k ON k.entity IS NOT DISTINCT FROM p.entity AND k.scenario = p.scenario AND k.input = p.input
), rolled AS (
    SELECT c.entity, c.scenario, c.input, c.ordinal, c.given,
        CASE WHEN count(c.value) = count(*) THEN
            CASE r.rule WHEN 'sum' THEN sum(c.value) WHEN 'last' THEN arg_max(c.value, c.position) ELSE kpi_div(sum(c.value), count(*) * 1000000000000000000000000::HUGEINT) END
        END AS value,
        arg_min(c.why, c.position) FILTER (WHERE c.why IS NOT NULL) AS why
    FROM children c JOIN kpi_rules r ON r.input = c.input
    GROUP BY c.entity, c.scenario, c.input, c.ordinal, c.given, r.rule
)
SELECT COALESCE(n.entity, r.entity) AS entity, COALESCE(n.scenario, r.scenario) AS scenario, COALESCE(n.input, r.input) AS input,
    COALESCE(n.ordinal, r.ordinal) AS ordinal,
    COALESCE(n.value, r.value) AS value, CASE WHEN n.value IS NULL THEN r.why END AS why,
    COALESCE(n.given, false) OR COALESCE(r.given, false) AS given, false AS final
FROM rolled r FULL JOIN native n ON n.entity IS NOT DISTINCT FROM r.entity AND n.scenario = r.scenario AND n.input = r.input AND n.ordinal = r.ordinal;

-- quarterly values: given, or rolled up from complete monthly values (sum, last or average)
CREATE OR REPLACE TEMP TABLE kpi_own_quarterly AS
WITH native AS (
    SELECT entity, scenario, input, ordinal, value, given FROM kpi_inputs WHERE frequency = 'quarterly'
), parents AS (  -- one row per finer period a parent is made of
    SELECT *, unnest(range(3)) AS position FROM (
        SELECT entity, scenario, input, ordinal // 3 AS ordinal, bool_or(given) AS given
        FROM kpi_own_monthly GROUP BY 1, 2, 3, 4)
), children AS (
    SELECT p.entity, p.scenario, p.input, p.ordinal, p.given, p.position, f.value,
        CASE WHEN f.value IS NOT NULL THEN NULL WHEN f.why IS NOT NULL THEN f.why ELSE CASE WHEN k.daily THEN CASE WHEN k.monthly OR k.quarterly OR k.weekly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || p.input || '"' || ',"period":' || '["daily",' || CAST((make_date(CAST((p.ordinal * 3 + p.position) // 12 AS INTEGER), CAST((p.ordinal * 3 + p.position) % 12 + 1 AS INTEGER), 1) - DATE '0001-01-01' + 1) AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(p.entity, '\', '\\'), '"', '\"') || '"', 'null') || ',"known":' || '"' || concat_ws(', ', CASE WHEN k.monthly THEN 'monthly' END, CASE WHEN k.quarterly THEN 'quarterly' END, CASE WHEN k.weekly THEN 'weekly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"daily"}') ELSE ('{"code":"missing_fact","name":' || '"' || p.input || '"' || ',"period":' || '["daily",' || CAST((make_date(CAST((p.ordinal * 3 + p.position) // 12 AS INTEGER), CAST((p.ordinal * 3 + p.position) % 12 + 1 AS INTEGER), 1) - DATE '0001-01-01' + 1) AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(p.entity, '\', '\\'), '"', '\"') || '"', 'null') || '}') END ELSE CASE WHEN k.quarterly OR k.weekly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || p.input || '"' || ',"period":' || '["monthly",' || CAST(p.ordinal * 3 + p.position AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(p.entity, '\', '\\'), '"', '\"') || '"', 'null') || ',"known":' || '"' || concat_ws(', ', CASE WHEN k.quarterly THEN 'quarterly' END, CASE WHEN k.weekly THEN 'weekly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"monthly"}') ELSE ('{"code":"missing_fact","name":' || '"' || p.input || '"' || ',"period":' || '["monthly",' || CAST(p.ordinal * 3 + p.position AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(p.entity, '\', '\\'), '"', '\"') || '"', 'null') || '}') END END END AS why
    FROM parents p
    LEFT JOIN kpi_own_monthly f ON f.entity IS NOT DISTINCT FROM p.entity AND f.scenario = p.scenario AND f.input = p.input AND f.ordinal = p.ordinal * 3 + p.position
    LEFT JOIN kpi_known k ON k.entity IS NOT DISTINCT FROM p.entity AND k.scenario = p.scenario AND k.input = p.input
), rolled AS (
    SELECT c.entity, c.scenario, c.input, c.ordinal, c.given,
        CASE WHEN count(c.value) = count(*) THEN
            CASE r.rule WHEN 'sum' THEN sum(c.value) WHEN 'last' THEN arg_max(c.value, c.position) ELSE kpi_div(sum(c.value), count(*) * 1000000000000000000000000::HUGEINT) END
        END AS value,
        arg_min(c.why, c.position) FILTER (WHERE c.why IS NOT NULL) AS why
    FROM children c JOIN kpi_rules r ON r.input = c.input
    GROUP BY c.entity, c.scenario, c.input, c.ordinal, c.given, r.rule
)
SELECT COALESCE(n.entity, r.entity) AS entity, COALESCE(n.scenario, r.scenario) AS scenario, COALESCE(n.input, r.input) AS input,
    COALESCE(n.ordinal, r.ordinal) AS ordinal,
    COALESCE(n.value, r.value) AS value, CASE WHEN n.value IS NULL THEN r.why END AS why,
    COALESCE(n.given, false) OR COALESCE(r.given, false) AS given, false AS final
FROM rolled r FULL JOIN native n ON n.entity IS NOT DISTINCT FROM r.entity AND n.scenario = r.scenario AND n.input = r.input AND n.ordinal = r.ordinal;

-- yearly values: given, or rolled up from complete quarterly values (sum, last or average)
CREATE OR REPLACE TEMP TABLE kpi_own_yearly AS
WITH native AS (
    SELECT entity, scenario, input, ordinal, value, given FROM kpi_inputs WHERE frequency = 'yearly'
), parents AS (  -- one row per finer period a parent is made of
    SELECT *, unnest(range(4)) AS position FROM (
        SELECT entity, scenario, input, ordinal // 4 AS ordinal, bool_or(given) AS given
        FROM kpi_own_quarterly GROUP BY 1, 2, 3, 4)
), children AS (
    SELECT p.entity, p.scenario, p.input, p.ordinal, p.given, p.position, f.value,
        CASE WHEN f.value IS NOT NULL THEN NULL WHEN f.why IS NOT NULL THEN f.why ELSE CASE WHEN k.monthly OR k.daily THEN CASE WHEN k.daily THEN CASE WHEN k.monthly OR k.quarterly OR k.weekly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || p.input || '"' || ',"period":' || '["daily",' || CAST((make_date(CAST(((p.ordinal * 4 + p.position) * 3) // 12 AS INTEGER), CAST(((p.ordinal * 4 + p.position) * 3) % 12 + 1 AS INTEGER), 1) - DATE '0001-01-01' + 1) AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(p.entity, '\', '\\'), '"', '\"') || '"', 'null') || ',"known":' || '"' || concat_ws(', ', CASE WHEN k.monthly THEN 'monthly' END, CASE WHEN k.quarterly THEN 'quarterly' END, CASE WHEN k.weekly THEN 'weekly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"daily"}') ELSE ('{"code":"missing_fact","name":' || '"' || p.input || '"' || ',"period":' || '["daily",' || CAST((make_date(CAST(((p.ordinal * 4 + p.position) * 3) // 12 AS INTEGER), CAST(((p.ordinal * 4 + p.position) * 3) % 12 + 1 AS INTEGER), 1) - DATE '0001-01-01' + 1) AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(p.entity, '\', '\\'), '"', '\"') || '"', 'null') || '}') END ELSE CASE WHEN k.quarterly OR k.weekly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || p.input || '"' || ',"period":' || '["monthly",' || CAST((p.ordinal * 4 + p.position) * 3 AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(p.entity, '\', '\\'), '"', '\"') || '"', 'null') || ',"known":' || '"' || concat_ws(', ', CASE WHEN k.quarterly THEN 'quarterly' END, CASE WHEN k.weekly THEN 'weekly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"monthly"}') ELSE ('{"code":"missing_fact","name":' || '"' || p.input || '"' || ',"period":' || '["monthly",' || CAST((p.ordinal * 4 + p.position) * 3 AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(p.entity, '\', '\\'), '"', '\"') || '"', 'null') || '}') END END ELSE CASE WHEN k.weekly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || p.input || '"' || ',"period":' || '["quarterly",' || CAST(p.ordinal * 4 + p.position AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(p.entity, '\', '\\'), '"', '\"') || '"', 'null') || ',"known":' || '"' || concat_ws(', ', CASE WHEN k.weekly THEN 'weekly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"quarterly"}') ELSE ('{"code":"missing_fact","name":' || '"' || p.input || '"' || ',"period":' || '["quarterly",' || CAST(p.ordinal * 4 + p.position AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(p.entity, '\', '\\'), '"', '\"') || '"', 'null') || '}') END END END AS why
    FROM parents p
    LEFT JOIN kpi_own_quarterly f ON f.entity IS NOT DISTINCT FROM p.entity AND f.scenario = p.scenario AND f.input = p.input AND f.ordinal = p.ordinal * 4 + p.position
    LEFT JOIN kpi_known k ON k.entity IS NOT DISTINCT FROM p.entity AND k.scenario = p.scenario AND k.input = p.input
), rolled AS (
    SELECT c.entity, c.scenario, c.input, c.ordinal, c.given,
        CASE WHEN count(c.value) = count(*) THEN
            CASE r.rule WHEN 'sum' THEN sum(c.value) WHEN 'last' THEN arg_max(c.value, c.position) ELSE kpi_div(sum(c.value), count(*) * 1000000000000000000000000::HUGEINT) END
        END AS value,
        arg_min(c.why, c.position) FILTER (WHERE c.why IS NOT NULL) AS why
    FROM children c JOIN kpi_rules r ON r.input = c.input
    GROUP BY c.entity, c.scenario, c.input, c.ordinal, c.given, r.rule
)
SELECT COALESCE(n.entity, r.entity) AS entity, COALESCE(n.scenario, r.scenario) AS scenario, COALESCE(n.input, r.input) AS input,
    COALESCE(n.ordinal, r.ordinal) AS ordinal,
    COALESCE(n.value, r.value) AS value, CASE WHEN n.value IS NULL THEN r.why END AS why,
    COALESCE(n.given, false) OR COALESCE(r.given, false) AS given, false AS final
FROM rolled r FULL JOIN native n ON n.entity IS NOT DISTINCT FROM r.entity AND n.scenario = r.scenario AND n.input = r.input AND n.ordinal = r.ordinal;

-- where each entity's figures of another scenario start (a group: its own or those of any entity below it):
-- the first day of the earliest period given, the one ending first (the finer on ties)
CREATE OR REPLACE TEMP TABLE kpi_starts AS
WITH periods AS (
    SELECT DISTINCT entity, scenario, frequency, ordinal FROM kpi_facts WHERE scenario <> 'actual'
), days AS (
    SELECT entity, scenario,
        CASE frequency WHEN 'daily' THEN ordinal WHEN 'weekly' THEN ordinal * 7 + 1 WHEN 'monthly' THEN (make_date(CAST((ordinal) // 12 AS INTEGER), CAST((ordinal) % 12 + 1 AS INTEGER), 1) - DATE '0001-01-01' + 1) WHEN 'quarterly' THEN (make_date(CAST((ordinal * 3) // 12 AS INTEGER), CAST((ordinal * 3) % 12 + 1 AS INTEGER), 1) - DATE '0001-01-01' + 1) WHEN 'yearly' THEN (make_date(CAST(((ordinal * 4) * 3) // 12 AS INTEGER), CAST(((ordinal * 4) * 3) % 12 + 1 AS INTEGER), 1) - DATE '0001-01-01' + 1) END AS start,
        CASE frequency WHEN 'daily' THEN ordinal + 1 - 1 WHEN 'weekly' THEN (ordinal + 1) * 7 + 1 - 1 WHEN 'monthly' THEN (make_date(CAST((ordinal + 1) // 12 AS INTEGER), CAST((ordinal + 1) % 12 + 1 AS INTEGER), 1) - DATE '0001-01-01' + 1) - 1 WHEN 'quarterly' THEN (make_date(CAST(((ordinal + 1) * 3) // 12 AS INTEGER), CAST(((ordinal + 1) * 3) % 12 + 1 AS INTEGER), 1) - DATE '0001-01-01' + 1) - 1 WHEN 'yearly' THEN (make_date(CAST((((ordinal + 1) * 4) * 3) // 12 AS INTEGER), CAST((((ordinal + 1) * 4) * 3) % 12 + 1 AS INTEGER), 1) - DATE '0001-01-01' + 1) - 1 END AS finish,
        CASE frequency WHEN 'daily' THEN 0 WHEN 'weekly' THEN 1 WHEN 'monthly' THEN 2 WHEN 'quarterly' THEN 3 WHEN 'yearly' THEN 4 END AS rank
    FROM periods
), owned AS (
    SELECT entity, scenario, start, finish, rank FROM days
)
SELECT entity, scenario, arg_min(start, finish * 5 + rank) AS start FROM owned GROUP BY entity, scenario;

-- daily values of every input
CREATE OR REPLACE TEMP VIEW kpi_rolled_daily AS SELECT * FROM kpi_own_daily;

-- daily periods reported: an actual input given within them is complete there
CREATE OR REPLACE TEMP TABLE kpi_covered_daily AS
SELECT DISTINCT entity, ordinal FROM kpi_own_daily WHERE value IS NOT NULL AND given AND scenario = 'actual';

-- weekly values of every input
CREATE OR REPLACE TEMP VIEW kpi_rolled_weekly AS SELECT * FROM kpi_own_weekly;

-- weekly periods reported: an actual input given within them is complete there
CREATE OR REPLACE TEMP TABLE kpi_covered_weekly AS
SELECT DISTINCT entity, ordinal FROM kpi_own_weekly WHERE value IS NOT NULL AND given AND scenario = 'actual';

-- monthly values of every input
CREATE OR REPLACE TEMP VIEW kpi_rolled_monthly AS SELECT * FROM kpi_own_monthly;

-- monthly periods reported: an actual input given within them is complete there
CREATE OR REPLACE TEMP TABLE kpi_covered_monthly AS
SELECT DISTINCT entity, ordinal FROM kpi_own_monthly WHERE value IS NOT NULL AND given AND scenario = 'actual';

-- quarterly values of every input
CREATE OR REPLACE TEMP VIEW kpi_rolled_quarterly AS SELECT * FROM kpi_own_quarterly;

-- quarterly periods reported: an actual input given within them is complete there
CREATE OR REPLACE TEMP TABLE kpi_covered_quarterly AS
SELECT DISTINCT entity, ordinal FROM kpi_own_quarterly WHERE value IS NOT NULL AND given AND scenario = 'actual';

-- yearly values of every input
CREATE OR REPLACE TEMP VIEW kpi_rolled_yearly AS SELECT * FROM kpi_own_yearly;

-- yearly periods reported: an actual input given within them is complete there
CREATE OR REPLACE TEMP TABLE kpi_covered_yearly AS
SELECT DISTINCT entity, ordinal FROM kpi_own_yearly WHERE value IS NOT NULL AND given AND scenario = 'actual';

-- KPIs at the monthly frequency: marge, tresorerie, cumul, bornes
WITH RECURSIVE
covered AS (
    SELECT entity, 'actual' AS scenario, ordinal FROM kpi_covered_monthly
),
bounds AS (
    SELECT entity, 'actual' AS scenario, min(ordinal) AS first, max(ordinal) AS last FROM covered GROUP BY entity
),
grid AS (
    SELECT *, row_number() OVER (ORDER BY entity, scenario, ordinal) AS grid_row
    FROM (SELECT entity, scenario, first, unnest(range(first, last + 1)) AS ordinal FROM bounds WHERE first <= last)
),
input_values AS (
    SELECT g.entity, g.scenario, g.ordinal, i.position, r.value,
        CASE WHEN r.value IS NOT NULL THEN NULL WHEN r.final THEN r.why WHEN r.input IS NOT NULL THEN ('{"code":"roll_up","cause":' || r.why || ',"name":' || '"' || i.input || '"' || ',"period":' || '["monthly",' || CAST(g.ordinal AS STRING) || ']' || '}')
             ELSE CASE WHEN k.daily THEN ('{"code":"roll_up","cause":' || CASE WHEN k.monthly OR k.quarterly OR k.weekly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || i.input || '"' || ',"period":' || '["daily",' || CAST((make_date(CAST((g.ordinal) // 12 AS INTEGER), CAST((g.ordinal) % 12 + 1 AS INTEGER), 1) - DATE '0001-01-01' + 1) AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(g.entity, '\', '\\'), '"', '\"') || '"', 'null') || ',"known":' || '"' || concat_ws(', ', CASE WHEN k.monthly THEN 'monthly' END, CASE WHEN k.quarterly THEN 'quarterly' END, CASE WHEN k.weekly THEN 'weekly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"daily"}') ELSE ('{"code":"missing_fact","name":' || '"' || i.input || '"' || ',"period":' || '["daily",' || CAST((make_date(CAST((g.ordinal) // 12 AS INTEGER), CAST((g.ordinal) % 12 + 1 AS INTEGER), 1) - DATE '0001-01-01' + 1) AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(g.entity, '\', '\\'), '"', '\"') || '"', 'null') || '}') END || ',"name":' || '"' || i.input || '"' || ',"period":' || '["monthly",' || CAST(g.ordinal AS STRING) || ']' || '}') ELSE CASE WHEN k.quarterly OR k.weekly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || i.input || '"' || ',"period":' || '["monthly",' || CAST(g.ordinal AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(g.entity, '\', '\\'), '"', '\"') || '"', 'null') || ',"known":' || '"' || concat_ws(', ', CASE WHEN k.quarterly THEN 'quarterly' END, CASE WHEN k.weekly THEN 'weekly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"monthly"}') ELSE ('{"code":"missing_fact","name":' || '"' || i.input || '"' || ',"period":' || '["monthly",' || CAST(g.ordinal AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(g.entity, '\', '\\'), '"', '\"') || '"', 'null') || '}') END END END AS why
    FROM grid g CROSS JOIN (VALUES ('ca', 1), ('cout', 2), ('initiale', 3)) AS i(input, position)
    LEFT JOIN kpi_rolled_monthly r ON r.entity IS NOT DISTINCT FROM g.entity AND r.scenario = g.scenario AND r.input = i.input AND r.ordinal = g.ordinal
    LEFT JOIN kpi_known k ON k.entity IS NOT DISTINCT FROM g.entity AND k.scenario = g.scenario AND k.input = i.input
),
input_lists AS (
    SELECT entity, scenario, ordinal, list(value ORDER BY position) AS input_value, list(why ORDER BY position) AS input_why
    FROM input_values GROUP BY entity, scenario, ordinal
),
inputs AS (
    SELECT g.entity, g.scenario, g.ordinal, g.first, g.grid_row, c.ordinal IS NOT NULL AS covered,
        v.input_value[1] AS "ca", v.input_why[1] AS "why:ca",
        v.input_value[2] AS "cout", v.input_why[2] AS "why:cout",
        v.input_value[3] AS "initiale", v.input_why[3] AS "why:initiale"
    FROM grid g LEFT JOIN covered c ON c.entity IS NOT DISTINCT FROM g.entity AND c.scenario = g.scenario AND c.ordinal = g.ordinal
    JOIN input_lists v ON v.entity IS NOT DISTINCT FROM g.entity AND v.scenario = g.scenario AND v.ordinal = g.ordinal
),
monthly_layer_1_arguments AS (
    -- KPIs of layer 1: marge, cumul, bornes
    SELECT *,
        TRY(("ca" - "cout")) AS "arg:ca - cout",
        TRY(COALESCE("why:ca", "why:cout")) AS "why:arg:ca - cout"
    FROM inputs
),
monthly_layer_1_time AS (
    SELECT p.*, w."rolling_sum(ca - cout, 2)", w."why:rolling_sum(ca - cout, 2)"
    FROM monthly_layer_1_arguments p JOIN (SELECT grid_row,
        CASE WHEN ordinal - 1 >= first AND count("arg:ca - cout") OVER (PARTITION BY entity, scenario ORDER BY ordinal ROWS 1 PRECEDING) = ordinal - (ordinal - 1) + 1 THEN sum("arg:ca - cout") OVER (PARTITION BY entity, scenario ORDER BY ordinal ROWS 1 PRECEDING) END AS "rolling_sum(ca - cout, 2)",
        CASE WHEN ordinal - 1 < first THEN ('{"code":"before_data","period":' || '["monthly",' || CAST(ordinal - 1 AS STRING) || ']' || ',"since":' || '["monthly",' || CAST(first AS STRING) || ']' || ',"entity":null}') ELSE first_value("why:arg:ca - cout" IGNORE NULLS) OVER (PARTITION BY entity, scenario ORDER BY ordinal ROWS 1 PRECEDING) END AS "why:rolling_sum(ca - cout, 2)"
    FROM monthly_layer_1_arguments) w ON w.grid_row = p.grid_row
),
monthly_layer_1 AS (
    SELECT *,
        TRY(CASE WHEN "ca" <> 0 THEN kpi_div(("ca" - "cout"), "ca") END) AS "marge",
        TRY(COALESCE(COALESCE(COALESCE("why:ca", "why:cout"), "why:ca"), CASE WHEN "ca" = 0 THEN '{"code":"division_by_zero","denominator":"ca"}' END)) AS "why:marge",
        TRY("rolling_sum(ca - cout, 2)") AS "cumul",
        TRY("why:rolling_sum(ca - cout, 2)") AS "why:cumul",
        TRY((((kpi_round(CASE WHEN 3000000000000000000000000::HUGEINT <> 0 THEN kpi_div(CASE WHEN "ca" IS NULL OR "cout" IS NULL THEN NULL ELSE GREATEST("ca", "cout") END, 3000000000000000000000000::HUGEINT) END, 10000000000000000000000::HUGEINT) + CASE WHEN "ca" IS NULL OR 5000000000000000000000000::HUGEINT IS NULL THEN NULL ELSE LEAST("ca", 5000000000000000000000000::HUGEINT) END) + CASE WHEN ("ca" > "cout") THEN 1000000000000000000000000::HUGEINT WHEN NOT (("ca" > "cout")) THEN (-(1000000000000000000000000::HUGEINT)) END) + kpi_mul(abs(("cout" - "ca")), abs(("cout" - "ca"))))) AS "bornes",
        TRY(COALESCE(COALESCE(COALESCE(COALESCE(COALESCE("why:ca", "why:cout"), CASE WHEN 3000000000000000000000000::HUGEINT = 0 THEN '{"code":"division_by_zero","denominator":"3"}' END), "why:ca"), CASE WHEN ("ca" > "cout") IS NULL THEN COALESCE("why:ca", "why:cout") WHEN ("ca" > "cout") THEN NULL ELSE NULL END), COALESCE("why:cout", "why:ca"))) AS "why:bornes"
    FROM monthly_layer_1_time
),
monthly_layer_1_tresorerie_walk AS (
    -- tresorerie: read their own previous period, so computed one period after the other (recursive)
    SELECT base.grid_row, base.entity, base.scenario, base.ordinal, base.first, base."initiale", base."why:initiale", base."ca", base."why:ca", base."cout", base."why:cout", 
        CAST(TRY(((COALESCE(NULL::HUGEINT, base."initiale") + base."ca") - base."cout")) AS HUGEINT) AS "tresorerie",
        CAST(COALESCE(TRY(COALESCE(COALESCE(CASE WHEN COALESCE(NULL::HUGEINT, base."initiale") IS NULL THEN base."why:initiale" END, base."why:ca"), base."why:cout")), CASE WHEN TRY(((COALESCE(NULL::HUGEINT, base."initiale") + base."ca") - base."cout")) IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS VARCHAR) AS "why:tresorerie"
    FROM monthly_layer_1 base WHERE base.ordinal = base.first
    UNION ALL
    SELECT base.grid_row, base.entity, base.scenario, base.ordinal, base.first, base."initiale", base."why:initiale", base."ca", base."why:ca", base."cout", base."why:cout", 
        CAST(TRY(((COALESCE(walk."tresorerie", base."initiale") + base."ca") - base."cout")) AS HUGEINT) AS "tresorerie",
        CAST(COALESCE(TRY(COALESCE(COALESCE(CASE WHEN COALESCE(walk."tresorerie", base."initiale") IS NULL THEN base."why:initiale" END, base."why:ca"), base."why:cout")), CASE WHEN TRY(((COALESCE(walk."tresorerie", base."initiale") + base."ca") - base."cout")) IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS VARCHAR) AS "why:tresorerie"
    FROM monthly_layer_1_tresorerie_walk walk JOIN monthly_layer_1 base ON base.entity IS NOT DISTINCT FROM walk.entity AND base.scenario = walk.scenario AND base.ordinal = walk.ordinal + 1
),
monthly_layer_1_tresorerie AS (
    SELECT p.*, w."tresorerie", w."why:tresorerie"
    FROM monthly_layer_1 p JOIN monthly_layer_1_tresorerie_walk w ON w.grid_row = p.grid_row
),
monthly_targets AS (
    -- targets of the reported KPIs
    SELECT *,
        TRY(250000000000000000000000::HUGEINT) AS "target:marge",
        TRY(NULL) AS "why:target:marge"
    FROM monthly_layer_1_tresorerie
),
monthly_alerts AS (
    -- alert conditions and resolve_when conditions: true when they hold (undefined does not)
    SELECT *,
        COALESCE(TRY((("marge" < 200000000000000000000000::HUGEINT) AND ("ca" > 0::HUGEINT))), false) AS "alert:marge:1"
    FROM monthly_targets
)
SELECT entity, ordinal, "marge", COALESCE("why:marge", CASE WHEN "marge" IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS "why:marge", "target:marge", COALESCE("why:target:marge", CASE WHEN "target:marge" IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS "why:target:marge", "alert:marge:1", "ca", "tresorerie", COALESCE("why:tresorerie", CASE WHEN "tresorerie" IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS "why:tresorerie", "cumul", COALESCE("why:cumul", CASE WHEN "cumul" IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS "why:cumul", "bornes", COALESCE("why:bornes", CASE WHEN "bornes" IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS "why:bornes"
FROM monthly_alerts
WHERE covered
ORDER BY entity NULLS FIRST, ordinal;

-- KPIs at the quarterly frequency: stock_t, croissance_t, cumul_t
WITH
covered AS (
    SELECT entity, 'actual' AS scenario, ordinal FROM kpi_covered_quarterly
),
bounds AS (
    SELECT entity, 'actual' AS scenario, min(ordinal) AS first, max(ordinal) AS last FROM covered GROUP BY entity
),
grid AS (
    SELECT *, row_number() OVER (ORDER BY entity, scenario, ordinal) AS grid_row
    FROM (SELECT entity, scenario, first, unnest(range(first, last + 1)) AS ordinal FROM bounds WHERE first <= last)
),
input_values AS (
    SELECT g.entity, g.scenario, g.ordinal, i.position, r.value,
        CASE WHEN r.value IS NOT NULL THEN NULL WHEN r.final THEN r.why WHEN r.input IS NOT NULL THEN ('{"code":"roll_up","cause":' || r.why || ',"name":' || '"' || i.input || '"' || ',"period":' || '["quarterly",' || CAST(g.ordinal AS STRING) || ']' || '}')
             ELSE CASE WHEN k.monthly OR k.daily THEN ('{"code":"roll_up","cause":' || CASE WHEN k.daily THEN CASE WHEN k.monthly OR k.quarterly OR k.weekly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || i.input || '"' || ',"period":' || '["daily",' || CAST((make_date(CAST((g.ordinal * 3) // 12 AS INTEGER), CAST((g.ordinal * 3) % 12 + 1 AS INTEGER), 1) - DATE '0001-01-01' + 1) AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(g.entity, '\', '\\'), '"', '\"') || '"', 'null') || ',"known":' || '"' || concat_ws(', ', CASE WHEN k.monthly THEN 'monthly' END, CASE WHEN k.quarterly THEN 'quarterly' END, CASE WHEN k.weekly THEN 'weekly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"daily"}') ELSE ('{"code":"missing_fact","name":' || '"' || i.input || '"' || ',"period":' || '["daily",' || CAST((make_date(CAST((g.ordinal * 3) // 12 AS INTEGER), CAST((g.ordinal * 3) % 12 + 1 AS INTEGER), 1) - DATE '0001-01-01' + 1) AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(g.entity, '\', '\\'), '"', '\"') || '"', 'null') || '}') END ELSE CASE WHEN k.quarterly OR k.weekly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || i.input || '"' || ',"period":' || '["monthly",' || CAST(g.ordinal * 3 AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(g.entity, '\', '\\'), '"', '\"') || '"', 'null') || ',"known":' || '"' || concat_ws(', ', CASE WHEN k.quarterly THEN 'quarterly' END, CASE WHEN k.weekly THEN 'weekly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"monthly"}') ELSE ('{"code":"missing_fact","name":' || '"' || i.input || '"' || ',"period":' || '["monthly",' || CAST(g.ordinal * 3 AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(g.entity, '\', '\\'), '"', '\"') || '"', 'null') || '}') END END || ',"name":' || '"' || i.input || '"' || ',"period":' || '["quarterly",' || CAST(g.ordinal AS STRING) || ']' || '}') ELSE CASE WHEN k.weekly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || i.input || '"' || ',"period":' || '["quarterly",' || CAST(g.ordinal AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(g.entity, '\', '\\'), '"', '\"') || '"', 'null') || ',"known":' || '"' || concat_ws(', ', CASE WHEN k.weekly THEN 'weekly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"quarterly"}') ELSE ('{"code":"missing_fact","name":' || '"' || i.input || '"' || ',"period":' || '["quarterly",' || CAST(g.ordinal AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(g.entity, '\', '\\'), '"', '\"') || '"', 'null') || '}') END END END AS why
    FROM grid g CROSS JOIN (VALUES ('ca', 1), ('stock', 2)) AS i(input, position)
    LEFT JOIN kpi_rolled_quarterly r ON r.entity IS NOT DISTINCT FROM g.entity AND r.scenario = g.scenario AND r.input = i.input AND r.ordinal = g.ordinal
    LEFT JOIN kpi_known k ON k.entity IS NOT DISTINCT FROM g.entity AND k.scenario = g.scenario AND k.input = i.input
),
input_lists AS (
    SELECT entity, scenario, ordinal, list(value ORDER BY position) AS input_value, list(why ORDER BY position) AS input_why
    FROM input_values GROUP BY entity, scenario, ordinal
),
inputs AS (
    SELECT g.entity, g.scenario, g.ordinal, g.first, g.grid_row, c.ordinal IS NOT NULL AS covered,
        v.input_value[1] AS "ca", v.input_why[1] AS "why:ca",
        v.input_value[2] AS "stock", v.input_why[2] AS "why:stock"
    FROM grid g LEFT JOIN covered c ON c.entity IS NOT DISTINCT FROM g.entity AND c.scenario = g.scenario AND c.ordinal = g.ordinal
    JOIN input_lists v ON v.entity IS NOT DISTINCT FROM g.entity AND v.scenario = g.scenario AND v.ordinal = g.ordinal
),
quarterly_layer_1_time AS (
    SELECT p.*, w."lag(ca, 1)", w."why:lag(ca, 1)", w."ytd(ca)", w."why:ytd(ca)"
    FROM inputs p JOIN (SELECT grid_row,
        LAG("ca", 1) OVER (PARTITION BY entity, scenario ORDER BY ordinal) AS "lag(ca, 1)",
        CASE WHEN ordinal - 1 < first THEN ('{"code":"before_data","period":' || '["quarterly",' || CAST(ordinal - 1 AS STRING) || ']' || ',"since":' || '["quarterly",' || CAST(first AS STRING) || ']' || ',"entity":null}') ELSE LAG("why:ca", 1) OVER (PARTITION BY entity, scenario ORDER BY ordinal) END AS "why:lag(ca, 1)",
        CASE WHEN ordinal - ordinal % 4 >= first AND count("ca") OVER (PARTITION BY entity, scenario, ordinal - ordinal % 4 ORDER BY ordinal ROWS UNBOUNDED PRECEDING) = ordinal - (ordinal - ordinal % 4) + 1 THEN sum("ca") OVER (PARTITION BY entity, scenario, ordinal - ordinal % 4 ORDER BY ordinal ROWS UNBOUNDED PRECEDING) END AS "ytd(ca)",
        CASE WHEN ordinal - ordinal % 4 < first THEN ('{"code":"before_data","period":' || '["quarterly",' || CAST(ordinal - ordinal % 4 AS STRING) || ']' || ',"since":' || '["quarterly",' || CAST(first AS STRING) || ']' || ',"entity":null}') ELSE first_value("why:ca" IGNORE NULLS) OVER (PARTITION BY entity, scenario, ordinal - ordinal % 4 ORDER BY ordinal ROWS UNBOUNDED PRECEDING) END AS "why:ytd(ca)"
    FROM inputs) w ON w.grid_row = p.grid_row
),
quarterly_layer_1 AS (
    -- KPIs of layer 1: stock_t, croissance_t, cumul_t
    SELECT *,
        TRY("stock") AS "stock_t",
        TRY("why:stock") AS "why:stock_t",
        TRY(CASE WHEN "lag(ca, 1)" <> 0 THEN kpi_div("ca", "lag(ca, 1)") - 1000000000000000000000000::HUGEINT END) AS "croissance_t",
        TRY(COALESCE("why:ca", "why:lag(ca, 1)", CASE WHEN "lag(ca, 1)" = 0 THEN ('{"code":"growth_from_zero","period":' || '["quarterly",' || CAST(ordinal AS STRING) || ']' || '}') END)) AS "why:croissance_t",
        TRY("ytd(ca)") AS "cumul_t",
        TRY("why:ytd(ca)") AS "why:cumul_t"
    FROM quarterly_layer_1_time
)
SELECT entity, ordinal, "stock_t", COALESCE("why:stock_t", CASE WHEN "stock_t" IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS "why:stock_t", "croissance_t", COALESCE("why:croissance_t", CASE WHEN "croissance_t" IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS "why:croissance_t", "cumul_t", COALESCE("why:cumul_t", CASE WHEN "cumul_t" IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS "why:cumul_t"
FROM quarterly_layer_1
WHERE covered
ORDER BY entity NULLS FIRST, ordinal;

-- KPIs at the yearly frequency: effectif_a
WITH
covered AS (
    SELECT entity, 'actual' AS scenario, ordinal FROM kpi_covered_yearly
),
bounds AS (
    SELECT entity, 'actual' AS scenario, min(ordinal) AS first, max(ordinal) AS last FROM covered GROUP BY entity
),
grid AS (
    SELECT *, row_number() OVER (ORDER BY entity, scenario, ordinal) AS grid_row
    FROM (SELECT entity, scenario, first, unnest(range(first, last + 1)) AS ordinal FROM bounds WHERE first <= last)
),
input_values AS (
    SELECT g.entity, g.scenario, g.ordinal, i.position, r.value,
        CASE WHEN r.value IS NOT NULL THEN NULL WHEN r.final THEN r.why WHEN r.input IS NOT NULL THEN ('{"code":"roll_up","cause":' || r.why || ',"name":' || '"' || i.input || '"' || ',"period":' || '["yearly",' || CAST(g.ordinal AS STRING) || ']' || '}')
             ELSE CASE WHEN k.quarterly OR k.monthly OR k.daily THEN ('{"code":"roll_up","cause":' || CASE WHEN k.monthly OR k.daily THEN CASE WHEN k.daily THEN CASE WHEN k.monthly OR k.quarterly OR k.weekly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || i.input || '"' || ',"period":' || '["daily",' || CAST((make_date(CAST(((g.ordinal * 4) * 3) // 12 AS INTEGER), CAST(((g.ordinal * 4) * 3) % 12 + 1 AS INTEGER), 1) - DATE '0001-01-01' + 1) AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(g.entity, '\', '\\'), '"', '\"') || '"', 'null') || ',"known":' || '"' || concat_ws(', ', CASE WHEN k.monthly THEN 'monthly' END, CASE WHEN k.quarterly THEN 'quarterly' END, CASE WHEN k.weekly THEN 'weekly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"daily"}') ELSE ('{"code":"missing_fact","name":' || '"' || i.input || '"' || ',"period":' || '["daily",' || CAST((make_date(CAST(((g.ordinal * 4) * 3) // 12 AS INTEGER), CAST(((g.ordinal * 4) * 3) % 12 + 1 AS INTEGER), 1) - DATE '0001-01-01' + 1) AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(g.entity, '\', '\\'), '"', '\"') || '"', 'null') || '}') END ELSE CASE WHEN k.quarterly OR k.weekly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || i.input || '"' || ',"period":' || '["monthly",' || CAST((g.ordinal * 4) * 3 AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(g.entity, '\', '\\'), '"', '\"') || '"', 'null') || ',"known":' || '"' || concat_ws(', ', CASE WHEN k.quarterly THEN 'quarterly' END, CASE WHEN k.weekly THEN 'weekly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"monthly"}') ELSE ('{"code":"missing_fact","name":' || '"' || i.input || '"' || ',"period":' || '["monthly",' || CAST((g.ordinal * 4) * 3 AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(g.entity, '\', '\\'), '"', '\"') || '"', 'null') || '}') END END ELSE CASE WHEN k.weekly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || i.input || '"' || ',"period":' || '["quarterly",' || CAST(g.ordinal * 4 AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(g.entity, '\', '\\'), '"', '\"') || '"', 'null') || ',"known":' || '"' || concat_ws(', ', CASE WHEN k.weekly THEN 'weekly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"quarterly"}') ELSE ('{"code":"missing_fact","name":' || '"' || i.input || '"' || ',"period":' || '["quarterly",' || CAST(g.ordinal * 4 AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(g.entity, '\', '\\'), '"', '\"') || '"', 'null') || '}') END END || ',"name":' || '"' || i.input || '"' || ',"period":' || '["yearly",' || CAST(g.ordinal AS STRING) || ']' || '}') ELSE CASE WHEN k.weekly THEN ('{"code":"not_split","name":' || '"' || i.input || '"' || ',"period":' || '["yearly",' || CAST(g.ordinal AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(g.entity, '\', '\\'), '"', '\"') || '"', 'null') || ',"known":' || '"' || concat_ws(', ', CASE WHEN k.weekly THEN 'weekly' END) || '"' || ',"frequency":"yearly"}') ELSE ('{"code":"missing_fact","name":' || '"' || i.input || '"' || ',"period":' || '["yearly",' || CAST(g.ordinal AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(g.entity, '\', '\\'), '"', '\"') || '"', 'null') || '}') END END END AS why
    FROM grid g CROSS JOIN (VALUES ('effectif', 1)) AS i(input, position)
    LEFT JOIN kpi_rolled_yearly r ON r.entity IS NOT DISTINCT FROM g.entity AND r.scenario = g.scenario AND r.input = i.input AND r.ordinal = g.ordinal
    LEFT JOIN kpi_known k ON k.entity IS NOT DISTINCT FROM g.entity AND k.scenario = g.scenario AND k.input = i.input
),
input_lists AS (
    SELECT entity, scenario, ordinal, list(value ORDER BY position) AS input_value, list(why ORDER BY position) AS input_why
    FROM input_values GROUP BY entity, scenario, ordinal
),
inputs AS (
    SELECT g.entity, g.scenario, g.ordinal, g.first, g.grid_row, c.ordinal IS NOT NULL AS covered,
        v.input_value[1] AS "effectif", v.input_why[1] AS "why:effectif"
    FROM grid g LEFT JOIN covered c ON c.entity IS NOT DISTINCT FROM g.entity AND c.scenario = g.scenario AND c.ordinal = g.ordinal
    JOIN input_lists v ON v.entity IS NOT DISTINCT FROM g.entity AND v.scenario = g.scenario AND v.ordinal = g.ordinal
),
yearly_layer_1 AS (
    -- KPIs of layer 1: effectif_a
    SELECT *,
        TRY("effectif") AS "effectif_a",
        TRY("why:effectif") AS "why:effectif_a"
    FROM inputs
)
SELECT entity, ordinal, "effectif_a", COALESCE("why:effectif_a", CASE WHEN "effectif_a" IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS "why:effectif_a"
FROM yearly_layer_1
WHERE covered
ORDER BY entity NULLS FIRST, ordinal;
