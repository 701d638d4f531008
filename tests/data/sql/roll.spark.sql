-- KPI evaluation in spark SQL. Input: a relation kpi_facts(entity STRING, scenario STRING ('actual',
-- 'budget'...), input STRING, frequency STRING ('monthly', 'quarterly' or 'yearly'), ordinal BIGINT
-- (year*12+month-1, year*4+quarter-1 or year), value DECIMAL(38, 0) in units of 1e-24). Every value has a
-- why:<name> column: NULL when defined, else the reason as JSON.
-- kpi_mul(a, b), kpi_div(a, b) and kpi_round(x, unit) are written inline, each binding its operands once in a
-- one-element array: exact products rounded once at the 24th decimal, long division two digits at a time;

CREATE OR REPLACE TEMP VIEW kpi_rules AS SELECT * FROM (VALUES
    ('ca', 'sum', false, true),
    ('achats', 'sum', false, true)
) AS rules(input, rule, zero, consolidated);

CREATE OR REPLACE TEMP VIEW kpi_given_at AS
SELECT entity, scenario, input, bool_or(frequency = 'daily') AS daily, bool_or(frequency = 'weekly') AS weekly, bool_or(frequency = 'monthly') AS monthly, bool_or(frequency = 'quarterly') AS quarterly, bool_or(frequency = 'yearly') AS yearly
FROM kpi_facts WHERE input IN (SELECT input FROM kpi_rules)
GROUP BY entity, scenario, input;

-- at which frequencies each entity gives each input (a missing fact is 'not split' when only coarser ones are known);
-- an input whose absence is zero counts as given wherever the entity has facts
CREATE OR REPLACE TEMP VIEW kpi_known AS
SELECT g.* FROM kpi_given_at g JOIN kpi_rules r ON r.input = g.input AND NOT r.zero
UNION ALL
SELECT e.entity, e.scenario, r.input, e.daily, e.weekly, e.monthly, e.quarterly, e.yearly
FROM (SELECT entity, scenario, bool_or(frequency = 'daily') AS daily, bool_or(frequency = 'weekly') AS weekly, bool_or(frequency = 'monthly') AS monthly, bool_or(frequency = 'quarterly') AS quarterly, bool_or(frequency = 'yearly') AS yearly FROM kpi_facts GROUP BY entity, scenario) e CROSS JOIN kpi_rules r WHERE r.zero;

-- the pack's facts
CREATE OR REPLACE TEMP VIEW kpi_inputs AS
SELECT entity, scenario, input, frequency, ordinal, value, true AS given FROM kpi_facts WHERE input IN (SELECT input FROM kpi_rules);

CREATE OR REPLACE TEMP VIEW kpi_own_daily AS
SELECT entity, scenario, input, ordinal, value, NULL::STRING AS why, given, false AS final
FROM kpi_inputs WHERE frequency = 'daily';

-- monthly values: given, or rolled up from complete daily values (sum, last or average)
CREATE OR REPLACE TEMP VIEW kpi_own_monthly AS
WITH native AS (
    SELECT entity, scenario, input, ordinal, value, given FROM kpi_inputs WHERE frequency = 'monthly'
), parents AS (  -- one row per finer period a parent is made of
    SELECT *, explode(sequence(0, (datediff(make_date(CAST(floor((ordinal + 1) / 12) AS INT), CAST(pmod(ordinal + 1, 12) + 1 AS INT), 1), DATE '0001-01-01') + 1) - (datediff(make_date(CAST(floor((ordinal) / 12) AS INT), CAST(pmod(ordinal, 12) + 1 AS INT), 1), DATE '0001-01-01') + 1) - 1)) AS position FROM (
        SELECT entity, scenario, input, (year(date_add(DATE '0001-01-01', CAST(ordinal - 1 AS INT))) * 12 + month(date_add(DATE '0001-01-01', CAST(ordinal - 1 AS INT))) - 1) AS ordinal, bool_or(given) AS given
        FROM kpi_own_daily GROUP BY 1, 2, 3, 4)
), children AS (
    SELECT p.entity, p.scenario, p.input, p.ordinal, p.given, p.position, f.value,
        CASE WHEN f.value IS NOT NULL THEN NULL WHEN f.why IS NOT NULL THEN f.why ELSE CASE WHEN k.monthly OR k.quarterly OR k.weekly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || p.input || '"' || ',"period":' || '["daily",' || CAST((datediff(make_date(CAST(floor((p.ordinal) / 12) AS INT), CAST(pmod(p.ordinal, 12) + 1 AS INT), 1), DATE '0001-01-01') + 1) + p.position AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(p.entity, '\\', '\\\\'), '"', '\\"') || '"', 'null') || ',"known":' || '"' || concat_ws(', ', CASE WHEN k.monthly THEN 'monthly' END, CASE WHEN k.quarterly THEN 'quarterly' END, CASE WHEN k.weekly THEN 'weekly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"daily"}') ELSE ('{"code":"missing_fact","name":' || '"' || p.input || '"' || ',"period":' || '["daily",' || CAST((datediff(make_date(CAST(floor((p.ordinal) / 12) AS INT), CAST(pmod(p.ordinal, 12) + 1 AS INT), 1), DATE '0001-01-01') + 1) + p.position AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(p.entity, '\\', '\\\\'), '"', '\\"') || '"', 'null') || '}') END END AS why
    FROM parents p
    LEFT JOIN kpi_own_daily f ON f.entity IS NOT DISTINCT FROM p.entity AND f.scenario = p.scenario AND f.input = p.input AND f.ordinal = (datediff(make_date(CAST(floor((p.ordinal) / 12) AS INT), CAST(pmod(p.ordinal, 12) + 1 AS INT), 1), DATE '0001-01-01') + 1) + p.position
    LEFT JOIN kpi_known k ON k.entity IS NOT DISTINCT FROM p.entity AND k.scenario = p.scenario AND k.input = p.input
), rolled AS (
    SELECT c.entity, c.scenario, c.input, c.ordinal, c.given,
        CASE WHEN count(c.value) = count(*) THEN
            CASE r.rule WHEN 'sum' THEN sum(c.value) WHEN 'last' THEN max_by(c.value, c.position) ELSE (transform(array(named_struct('a', sum(c.value), 'b', count(*) * 1000000000000000000000000::DECIMAL(38, 0))), v -> transform(array(named_struct('a', abs(v.a), 'b', abs(v.b), 's', CASE WHEN (v.a < 0) = (v.b < 0) THEN 1 ELSE -1 END)), x -> x.s * (CAST(((x.a) - (x.a) % x.b) / x.b AS DECIMAL(38, 0)) * 1000000000000000000000000 + aggregate(sequence(1, 12), named_struct('digits', CAST(0 AS DECIMAL(38, 0)), 'rest', CAST(x.a % x.b AS DECIMAL(38, 0)), 'q', x.b), (acc, step) -> named_struct('digits', CAST(acc.digits * 100 + CAST(((acc.rest * 100) - (acc.rest * 100) % acc.q) / acc.q AS DECIMAL(38, 0)) AS DECIMAL(38, 0)), 'rest', CAST((acc.rest * 100) % acc.q AS DECIMAL(38, 0)), 'q', acc.q), acc -> acc.digits + CASE WHEN 2 * acc.rest >= acc.q THEN 1 ELSE 0 END)))[0])[0]) END
        END AS value,
        min_by(c.why, c.position) FILTER (WHERE c.why IS NOT NULL) AS why
    FROM children c JOIN kpi_rules r ON r.input = c.input
    GROUP BY c.entity, c.scenario, c.input, c.ordinal, c.given, r.rule
)
SELECT COALESCE(n.entity, r.entity) AS entity, COALESCE(n.scenario, r.scenario) AS scenario, COALESCE(n.input, r.input) AS input,
    COALESCE(n.ordinal, r.ordinal) AS ordinal,
    COALESCE(n.value, r.value) AS value, CASE WHEN n.value IS NULL THEN r.why END AS why,
    COALESCE(n.given, false) OR COALESCE(r.given, false) AS given, false AS final
FROM rolled r FULL JOIN native n ON n.entity IS NOT DISTINCT FROM r.entity AND n.scenario = r.scenario AND n.input = r.input AND n.ordinal = r.ordinal;

-- weekly values: given, or rolled up from complete daily values (sum, last or average)
CREATE OR REPLACE TEMP VIEW kpi_own_weekly AS
WITH native AS (
    SELECT entity, scenario, input, ordinal, value, given FROM kpi_inputs WHERE frequency = 'weekly'
), parents AS (  -- one row per finer period a parent is made of
    SELECT *, explode(sequence(0, 7 - 1)) AS position FROM (
        SELECT entity, scenario, input, (ordinal - 1) div 7 AS ordinal, bool_or(given) AS given
        FROM kpi_own_daily GROUP BY 1, 2, 3, 4)
), children AS (
    SELECT p.entity, p.scenario, p.input, p.ordinal, p.given, p.position, f.value,
        CASE WHEN f.value IS NOT NULL THEN NULL WHEN f.why IS NOT NULL THEN f.why ELSE CASE WHEN k.monthly OR k.quarterly OR k.weekly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || p.input || '"' || ',"period":' || '["daily",' || CAST(p.ordinal * 7 + 1 + p.position AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(p.entity, '\\', '\\\\'), '"', '\\"') || '"', 'null') || ',"known":' || '"' || concat_ws(', ', CASE WHEN k.monthly THEN 'monthly' END, CASE WHEN k.quarterly THEN 'quarterly' END, CASE WHEN k.weekly THEN 'weekly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"daily"}') ELSE ('{"code":"missing_fact","name":' || '"' || p.input || '"' || ',"period":' || '["daily",' || CAST(p.ordinal * 7 + 1 + p.position AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(p.entity, '\\', '\\\\'), '"', '\\"') || '"', 'null') || '}') END END AS why
    FROM parents p
    LEFT JOIN kpi_own_daily f ON f.entity IS NOT DISTINCT FROM p.entity AND f.scenario = p.scenario AND f.input = p.input AND f.ordinal = p.ordinal * 7 + 1 + p.position
    LEFT JOIN kpi_known k ON k.entity IS NOT DISTINCT FROM p.entity AND k.scenario = p.scenario AND k.input = p.input
), rolled AS (
    SELECT c.entity, c.scenario, c.input, c.ordinal, c.given,
        CASE WHEN count(c.value) = count(*) THEN
            CASE r.rule WHEN 'sum' THEN sum(c.value) WHEN 'last' THEN max_by(c.value, c.position) ELSE (transform(array(named_struct('a', sum(c.value), 'b', count(*) * 1000000000000000000000000::DECIMAL(38, 0))), v -> transform(array(named_struct('a', abs(v.a), 'b', abs(v.b), 's', CASE WHEN (v.a < 0) = (v.b < 0) THEN 1 ELSE -1 END)), x -> x.s * (CAST(((x.a) - (x.a) % x.b) / x.b AS DECIMAL(38, 0)) * 1000000000000000000000000 + aggregate(sequence(1, 12), named_struct('digits', CAST(0 AS DECIMAL(38, 0)), 'rest', CAST(x.a % x.b AS DECIMAL(38, 0)), 'q', x.b), (acc, step) -> named_struct('digits', CAST(acc.digits * 100 + CAST(((acc.rest * 100) - (acc.rest * 100) % acc.q) / acc.q AS DECIMAL(38, 0)) AS DECIMAL(38, 0)), 'rest', CAST((acc.rest * 100) % acc.q AS DECIMAL(38, 0)), 'q', acc.q), acc -> acc.digits + CASE WHEN 2 * acc.rest >= acc.q THEN 1 ELSE 0 END)))[0])[0]) END
        END AS value,
        min_by(c.why, c.position) FILTER (WHERE c.why IS NOT NULL) AS why
    FROM children c JOIN kpi_rules r ON r.input = c.input
    GROUP BY c.entity, c.scenario, c.input, c.ordinal, c.given, r.rule
)
SELECT COALESCE(n.entity, r.entity) AS entity, COALESCE(n.scenario, r.scenario) AS scenario, COALESCE(n.input, r.input) AS input,
    COALESCE(n.ordinal, r.ordinal) AS ordinal,
    COALESCE(n.value, r.value) AS value, CASE WHEN n.value IS NULL THEN r.why END AS why,
    COALESCE(n.given, false) OR COALESCE(r.given, false) AS given, false AS final
FROM rolled r FULL JOIN native n ON n.entity IS NOT DISTINCT FROM r.entity AND n.scenario = r.scenario AND n.input = r.input AND n.ordinal = r.ordinal;

-- quarterly values: given, or rolled up from complete monthly values (sum, last or average)
CREATE OR REPLACE TEMP VIEW kpi_own_quarterly AS
WITH native AS (
    SELECT entity, scenario, input, ordinal, value, given FROM kpi_inputs WHERE frequency = 'quarterly'
), parents AS (  -- one row per finer period a parent is made of
    SELECT *, explode(sequence(0, 3 - 1)) AS position FROM (
        SELECT entity, scenario, input, ordinal div 3 AS ordinal, bool_or(given) AS given
        FROM kpi_own_monthly GROUP BY 1, 2, 3, 4)
), children AS (
    SELECT p.entity, p.scenario, p.input, p.ordinal, p.given, p.position, f.value,
        CASE WHEN f.value IS NOT NULL THEN NULL WHEN f.why IS NOT NULL THEN f.why ELSE CASE WHEN k.daily THEN CASE WHEN k.monthly OR k.quarterly OR k.weekly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || p.input || '"' || ',"period":' || '["daily",' || CAST((datediff(make_date(CAST(floor((p.ordinal * 3 + p.position) / 12) AS INT), CAST(pmod(p.ordinal * 3 + p.position, 12) + 1 AS INT), 1), DATE '0001-01-01') + 1) AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(p.entity, '\\', '\\\\'), '"', '\\"') || '"', 'null') || ',"known":' || '"' || concat_ws(', ', CASE WHEN k.monthly THEN 'monthly' END, CASE WHEN k.quarterly THEN 'quarterly' END, CASE WHEN k.weekly THEN 'weekly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"daily"}') ELSE ('{"code":"missing_fact","name":' || '"' || p.input || '"' || ',"period":' || '["daily",' || CAST((datediff(make_date(CAST(floor((p.ordinal * 3 + p.position) / 12) AS INT), CAST(pmod(p.ordinal * 3 + p.position, 12) + 1 AS INT), 1), DATE '0001-01-01') + 1) AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(p.entity, '\\', '\\\\'), '"', '\\"') || '"', 'null') || '}') END ELSE CASE WHEN k.quarterly OR k.weekly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || p.input || '"' || ',"period":' || '["monthly",' || CAST(p.ordinal * 3 + p.position AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(p.entity, '\\', '\\\\'), '"', '\\"') || '"', 'null') || ',"known":' || '"' || concat_ws(', ', CASE WHEN k.quarterly THEN 'quarterly' END, CASE WHEN k.weekly THEN 'weekly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"monthly"}') ELSE ('{"code":"missing_fact","name":' || '"' || p.input || '"' || ',"period":' || '["monthly",' || CAST(p.ordinal * 3 + p.position AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(p.entity, '\\', '\\\\'), '"', '\\"') || '"', 'null') || '}') END END END AS why
    FROM parents p
    LEFT JOIN kpi_own_monthly f ON f.entity IS NOT DISTINCT FROM p.entity AND f.scenario = p.scenario AND f.input = p.input AND f.ordinal = p.ordinal * 3 + p.position
    LEFT JOIN kpi_known k ON k.entity IS NOT DISTINCT FROM p.entity AND k.scenario = p.scenario AND k.input = p.input
), rolled AS (
    SELECT c.entity, c.scenario, c.input, c.ordinal, c.given,
        CASE WHEN count(c.value) = count(*) THEN
            CASE r.rule WHEN 'sum' THEN sum(c.value) WHEN 'last' THEN max_by(c.value, c.position) ELSE (transform(array(named_struct('a', sum(c.value), 'b', count(*) * 1000000000000000000000000::DECIMAL(38, 0))), v -> transform(array(named_struct('a', abs(v.a), 'b', abs(v.b), 's', CASE WHEN (v.a < 0) = (v.b < 0) THEN 1 ELSE -1 END)), x -> x.s * (CAST(((x.a) - (x.a) % x.b) / x.b AS DECIMAL(38, 0)) * 1000000000000000000000000 + aggregate(sequence(1, 12), named_struct('digits', CAST(0 AS DECIMAL(38, 0)), 'rest', CAST(x.a % x.b AS DECIMAL(38, 0)), 'q', x.b), (acc, step) -> named_struct('digits', CAST(acc.digits * 100 + CAST(((acc.rest * 100) - (acc.rest * 100) % acc.q) / acc.q AS DECIMAL(38, 0)) AS DECIMAL(38, 0)), 'rest', CAST((acc.rest * 100) % acc.q AS DECIMAL(38, 0)), 'q', acc.q), acc -> acc.digits + CASE WHEN 2 * acc.rest >= acc.q THEN 1 ELSE 0 END)))[0])[0]) END
        END AS value,
        min_by(c.why, c.position) FILTER (WHERE c.why IS NOT NULL) AS why
    FROM children c JOIN kpi_rules r ON r.input = c.input
    GROUP BY c.entity, c.scenario, c.input, c.ordinal, c.given, r.rule
)
SELECT COALESCE(n.entity, r.entity) AS entity, COALESCE(n.scenario, r.scenario) AS scenario, COALESCE(n.input, r.input) AS input,
    COALESCE(n.ordinal, r.ordinal) AS ordinal,
    COALESCE(n.value, r.value) AS value, CASE WHEN n.value IS NULL THEN r.why END AS why,
    COALESCE(n.given, false) OR COALESCE(r.given, false) AS given, false AS final
FROM rolled r FULL JOIN native n ON n.entity IS NOT DISTINCT FROM r.entity AND n.scenario = r.scenario AND n.input = r.input AND n.ordinal = r.ordinal;

-- yearly values: given, or rolled up from complete quarterly values (sum, last or average)
CREATE OR REPLACE TEMP VIEW kpi_own_yearly AS
WITH native AS (
    SELECT entity, scenario, input, ordinal, value, given FROM kpi_inputs WHERE frequency = 'yearly'
), parents AS (  -- one row per finer period a parent is made of
    SELECT *, explode(sequence(0, 4 - 1)) AS position FROM (
        SELECT entity, scenario, input, ordinal div 4 AS ordinal, bool_or(given) AS given
        FROM kpi_own_quarterly GROUP BY 1, 2, 3, 4)
), children AS (
    SELECT p.entity, p.scenario, p.input, p.ordinal, p.given, p.position, f.value,
        CASE WHEN f.value IS NOT NULL THEN NULL WHEN f.why IS NOT NULL THEN f.why ELSE CASE WHEN k.monthly OR k.daily THEN CASE WHEN k.daily THEN CASE WHEN k.monthly OR k.quarterly OR k.weekly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || p.input || '"' || ',"period":' || '["daily",' || CAST((datediff(make_date(CAST(floor(((p.ordinal * 4 + p.position) * 3) / 12) AS INT), CAST(pmod((p.ordinal * 4 + p.position) * 3, 12) + 1 AS INT), 1), DATE '0001-01-01') + 1) AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(p.entity, '\\', '\\\\'), '"', '\\"') || '"', 'null') || ',"known":' || '"' || concat_ws(', ', CASE WHEN k.monthly THEN 'monthly' END, CASE WHEN k.quarterly THEN 'quarterly' END, CASE WHEN k.weekly THEN 'weekly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"daily"}') ELSE ('{"code":"missing_fact","name":' || '"' || p.input || '"' || ',"period":' || '["daily",' || CAST((datediff(make_date(CAST(floor(((p.ordinal * 4 + p.position) * 3) / 12) AS INT), CAST(pmod((p.ordinal * 4 + p.position) * 3, 12) + 1 AS INT), 1), DATE '0001-01-01') + 1) AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(p.entity, '\\', '\\\\'), '"', '\\"') || '"', 'null') || '}') END ELSE CASE WHEN k.quarterly OR k.weekly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || p.input || '"' || ',"period":' || '["monthly",' || CAST((p.ordinal * 4 + p.position) * 3 AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(p.entity, '\\', '\\\\'), '"', '\\"') || '"', 'null') || ',"known":' || '"' || concat_ws(', ', CASE WHEN k.quarterly THEN 'quarterly' END, CASE WHEN k.weekly THEN 'weekly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"monthly"}') ELSE ('{"code":"missing_fact","name":' || '"' || p.input || '"' || ',"period":' || '["monthly",' || CAST((p.ordinal * 4 + p.position) * 3 AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(p.entity, '\\', '\\\\'), '"', '\\"') || '"', 'null') || '}') END END ELSE CASE WHEN k.weekly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || p.input || '"' || ',"period":' || '["quarterly",' || CAST(p.ordinal * 4 + p.position AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(p.entity, '\\', '\\\\'), '"', '\\"') || '"', 'null') || ',"known":' || '"' || concat_ws(', ', CASE WHEN k.weekly THEN 'weekly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"quarterly"}') ELSE ('{"code":"missing_fact","name":' || '"' || p.input || '"' || ',"period":' || '["quarterly",' || CAST(p.ordinal * 4 + p.position AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(p.entity, '\\', '\\\\'), '"', '\\"') || '"', 'null') || '}') END END END AS why
    FROM parents p
    LEFT JOIN kpi_own_quarterly f ON f.entity IS NOT DISTINCT FROM p.entity AND f.scenario = p.scenario AND f.input = p.input AND f.ordinal = p.ordinal * 4 + p.position
    LEFT JOIN kpi_known k ON k.entity IS NOT DISTINCT FROM p.entity AND k.scenario = p.scenario AND k.input = p.input
), rolled AS (
    SELECT c.entity, c.scenario, c.input, c.ordinal, c.given,
        CASE WHEN count(c.value) = count(*) THEN
            CASE r.rule WHEN 'sum' THEN sum(c.value) WHEN 'last' THEN max_by(c.value, c.position) ELSE (transform(array(named_struct('a', sum(c.value), 'b', count(*) * 1000000000000000000000000::DECIMAL(38, 0))), v -> transform(array(named_struct('a', abs(v.a), 'b', abs(v.b), 's', CASE WHEN (v.a < 0) = (v.b < 0) THEN 1 ELSE -1 END)), x -> x.s * (CAST(((x.a) - (x.a) % x.b) / x.b AS DECIMAL(38, 0)) * 1000000000000000000000000 + aggregate(sequence(1, 12), named_struct('digits', CAST(0 AS DECIMAL(38, 0)), 'rest', CAST(x.a % x.b AS DECIMAL(38, 0)), 'q', x.b), (acc, step) -> named_struct('digits', CAST(acc.digits * 100 + CAST(((acc.rest * 100) - (acc.rest * 100) % acc.q) / acc.q AS DECIMAL(38, 0)) AS DECIMAL(38, 0)), 'rest', CAST((acc.rest * 100) % acc.q AS DECIMAL(38, 0)), 'q', acc.q), acc -> acc.digits + CASE WHEN 2 * acc.rest >= acc.q THEN 1 ELSE 0 END)))[0])[0]) END
        END AS value,
        min_by(c.why, c.position) FILTER (WHERE c.why IS NOT NULL) AS why
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
CREATE OR REPLACE TEMP VIEW kpi_starts AS
WITH periods AS (
    SELECT DISTINCT entity, scenario, frequency, ordinal FROM kpi_facts WHERE scenario <> 'actual'
), days AS (
    SELECT entity, scenario,
        CASE frequency WHEN 'daily' THEN ordinal WHEN 'weekly' THEN ordinal * 7 + 1 WHEN 'monthly' THEN (datediff(make_date(CAST(floor((ordinal) / 12) AS INT), CAST(pmod(ordinal, 12) + 1 AS INT), 1), DATE '0001-01-01') + 1) WHEN 'quarterly' THEN (datediff(make_date(CAST(floor((ordinal * 3) / 12) AS INT), CAST(pmod(ordinal * 3, 12) + 1 AS INT), 1), DATE '0001-01-01') + 1) WHEN 'yearly' THEN (datediff(make_date(CAST(floor(((ordinal * 4) * 3) / 12) AS INT), CAST(pmod((ordinal * 4) * 3, 12) + 1 AS INT), 1), DATE '0001-01-01') + 1) END AS start,
        CASE frequency WHEN 'daily' THEN ordinal + 1 - 1 WHEN 'weekly' THEN (ordinal + 1) * 7 + 1 - 1 WHEN 'monthly' THEN (datediff(make_date(CAST(floor((ordinal + 1) / 12) AS INT), CAST(pmod(ordinal + 1, 12) + 1 AS INT), 1), DATE '0001-01-01') + 1) - 1 WHEN 'quarterly' THEN (datediff(make_date(CAST(floor(((ordinal + 1) * 3) / 12) AS INT), CAST(pmod((ordinal + 1) * 3, 12) + 1 AS INT), 1), DATE '0001-01-01') + 1) - 1 WHEN 'yearly' THEN (datediff(make_date(CAST(floor((((ordinal + 1) * 4) * 3) / 12) AS INT), CAST(pmod(((ordinal + 1) * 4) * 3, 12) + 1 AS INT), 1), DATE '0001-01-01') + 1) - 1 END AS finish,
        CASE frequency WHEN 'daily' THEN 0 WHEN 'weekly' THEN 1 WHEN 'monthly' THEN 2 WHEN 'quarterly' THEN 3 WHEN 'yearly' THEN 4 END AS rank
    FROM periods
), owned AS (
    SELECT entity, scenario, start, finish, rank FROM days
)
SELECT entity, scenario, min_by(start, finish * 5 + rank) AS start FROM owned GROUP BY entity, scenario;

-- daily values of every input
CREATE OR REPLACE TEMP VIEW kpi_rolled_daily AS SELECT * FROM kpi_own_daily;

-- daily periods reported: an actual input given within them is complete there
CREATE OR REPLACE TEMP VIEW kpi_covered_daily AS
SELECT DISTINCT entity, ordinal FROM kpi_own_daily WHERE value IS NOT NULL AND given AND scenario = 'actual';

-- weekly values of every input
CREATE OR REPLACE TEMP VIEW kpi_rolled_weekly AS SELECT * FROM kpi_own_weekly;

-- weekly periods reported: an actual input given within them is complete there
CREATE OR REPLACE TEMP VIEW kpi_covered_weekly AS
SELECT DISTINCT entity, ordinal FROM kpi_own_weekly WHERE value IS NOT NULL AND given AND scenario = 'actual';

-- monthly values of every input
CREATE OR REPLACE TEMP VIEW kpi_rolled_monthly AS SELECT * FROM kpi_own_monthly;

-- monthly periods reported: an actual input given within them is complete there
CREATE OR REPLACE TEMP VIEW kpi_covered_monthly AS
SELECT DISTINCT entity, ordinal FROM kpi_own_monthly WHERE value IS NOT NULL AND given AND scenario = 'actual';

-- quarterly values of every input
CREATE OR REPLACE TEMP VIEW kpi_rolled_quarterly AS SELECT * FROM kpi_own_quarterly;

-- quarterly periods reported: an actual input given within them is complete there
CREATE OR REPLACE TEMP VIEW kpi_covered_quarterly AS
SELECT DISTINCT entity, ordinal FROM kpi_own_quarterly WHERE value IS NOT NULL AND given AND scenario = 'actual';

-- yearly values of every input
CREATE OR REPLACE TEMP VIEW kpi_rolled_yearly AS SELECT * FROM kpi_own_yearly;

-- yearly periods reported: an actual input given within them is complete there
CREATE OR REPLACE TEMP VIEW kpi_covered_yearly AS
SELECT DISTINCT entity, ordinal FROM kpi_own_yearly WHERE value IS NOT NULL AND given AND scenario = 'actual';

-- KPIs at the monthly frequency: marge, cumul, stock
WITH RECURSIVE
covered AS (
    SELECT entity, 'actual' AS scenario, ordinal FROM kpi_covered_monthly
),
bounds AS (
    SELECT entity, 'actual' AS scenario, min(ordinal) AS first, max(ordinal) AS last FROM covered GROUP BY entity
),
grid AS (
    SELECT *, row_number() OVER (ORDER BY entity, scenario, ordinal) AS grid_row
    FROM (SELECT entity, scenario, first, explode(sequence(first, last)) AS ordinal FROM bounds WHERE first <= last)
),
input_values AS (
    SELECT g.entity, g.scenario, g.ordinal, i.position, r.value,
        CASE WHEN r.value IS NOT NULL THEN NULL WHEN r.final THEN r.why WHEN r.input IS NOT NULL THEN ('{"code":"roll_up","cause":' || r.why || ',"name":' || '"' || i.input || '"' || ',"period":' || '["monthly",' || CAST(g.ordinal AS STRING) || ']' || '}')
             ELSE CASE WHEN k.daily THEN ('{"code":"roll_up","cause":' || CASE WHEN k.monthly OR k.quarterly OR k.weekly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || i.input || '"' || ',"period":' || '["daily",' || CAST((datediff(make_date(CAST(floor((g.ordinal) / 12) AS INT), CAST(pmod(g.ordinal, 12) + 1 AS INT), 1), DATE '0001-01-01') + 1) AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(g.entity, '\\', '\\\\'), '"', '\\"') || '"', 'null') || ',"known":' || '"' || concat_ws(', ', CASE WHEN k.monthly THEN 'monthly' END, CASE WHEN k.quarterly THEN 'quarterly' END, CASE WHEN k.weekly THEN 'weekly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"daily"}') ELSE ('{"code":"missing_fact","name":' || '"' || i.input || '"' || ',"period":' || '["daily",' || CAST((datediff(make_date(CAST(floor((g.ordinal) / 12) AS INT), CAST(pmod(g.ordinal, 12) + 1 AS INT), 1), DATE '0001-01-01') + 1) AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(g.entity, '\\', '\\\\'), '"', '\\"') || '"', 'null') || '}') END || ',"name":' || '"' || i.input || '"' || ',"period":' || '["monthly",' || CAST(g.ordinal AS STRING) || ']' || '}') ELSE CASE WHEN k.quarterly OR k.weekly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || i.input || '"' || ',"period":' || '["monthly",' || CAST(g.ordinal AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(g.entity, '\\', '\\\\'), '"', '\\"') || '"', 'null') || ',"known":' || '"' || concat_ws(', ', CASE WHEN k.quarterly THEN 'quarterly' END, CASE WHEN k.weekly THEN 'weekly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"monthly"}') ELSE ('{"code":"missing_fact","name":' || '"' || i.input || '"' || ',"period":' || '["monthly",' || CAST(g.ordinal AS STRING) || ']' || ',"entity":' || coalesce('"' || replace(replace(g.entity, '\\', '\\\\'), '"', '\\"') || '"', 'null') || '}') END END END AS why
    FROM grid g CROSS JOIN (VALUES ('ca', 1), ('achats', 2)) AS i(input, position)
    LEFT JOIN kpi_rolled_monthly r ON r.entity IS NOT DISTINCT FROM g.entity AND r.scenario = g.scenario AND r.input = i.input AND r.ordinal = g.ordinal
    LEFT JOIN kpi_known k ON k.entity IS NOT DISTINCT FROM g.entity AND k.scenario = g.scenario AND k.input = i.input
),
input_lists AS (
    SELECT entity, scenario, ordinal, transform(array_sort(collect_list(named_struct('o', position, 'v', value))), e -> e.v) AS input_value, transform(array_sort(collect_list(named_struct('o', position, 'v', why))), e -> e.v) AS input_why
    FROM input_values GROUP BY entity, scenario, ordinal
),
inputs AS (
    SELECT g.entity, g.scenario, g.ordinal, g.first, g.grid_row, c.ordinal IS NOT NULL AS covered,
        v.input_value[0] AS `ca`, v.input_why[0] AS `why:ca`,
        v.input_value[1] AS `achats`, v.input_why[1] AS `why:achats`
    FROM grid g LEFT JOIN covered c ON c.entity IS NOT DISTINCT FROM g.entity AND c.scenario = g.scenario AND c.ordinal = g.ordinal
    JOIN input_lists v ON v.entity IS NOT DISTINCT FROM g.entity AND v.scenario = g.scenario AND v.ordinal = g.ordinal
),
monthly_layer_1_time AS (
    SELECT *,
        CASE WHEN ordinal - ordinal % 12 >= first AND count(`ca`) OVER (PARTITION BY entity, scenario, ordinal - ordinal % 12 ORDER BY ordinal ROWS UNBOUNDED PRECEDING) = ordinal - (ordinal - ordinal % 12) + 1 THEN sum(`ca`) OVER (PARTITION BY entity, scenario, ordinal - ordinal % 12 ORDER BY ordinal ROWS UNBOUNDED PRECEDING) END AS `ytd(ca)`,
        CASE WHEN ordinal - ordinal % 12 < first THEN ('{"code":"before_data","period":' || '["monthly",' || CAST(ordinal - ordinal % 12 AS STRING) || ']' || ',"since":' || '["monthly",' || CAST(first AS STRING) || ']' || ',"entity":null}') ELSE first_value(`why:ca`) IGNORE NULLS OVER (PARTITION BY entity, scenario, ordinal - ordinal % 12 ORDER BY ordinal ROWS UNBOUNDED PRECEDING) END AS `why:ytd(ca)`
    FROM inputs
),
monthly_layer_1 AS (
    -- KPIs of layer 1: marge, cumul
    SELECT *,
        (CASE WHEN `ca` <> 0 THEN (transform(array(named_struct('a', (`ca` - `achats`), 'b', `ca`)), v -> transform(array(named_struct('a', abs(v.a), 'b', abs(v.b), 's', CASE WHEN (v.a < 0) = (v.b < 0) THEN 1 ELSE -1 END)), x -> x.s * (CAST(((x.a) - (x.a) % x.b) / x.b AS DECIMAL(38, 0)) * 1000000000000000000000000 + aggregate(sequence(1, 12), named_struct('digits', CAST(0 AS DECIMAL(38, 0)), 'rest', CAST(x.a % x.b AS DECIMAL(38, 0)), 'q', x.b), (acc, step) -> named_struct('digits', CAST(acc.digits * 100 + CAST(((acc.rest * 100) - (acc.rest * 100) % acc.q) / acc.q AS DECIMAL(38, 0)) AS DECIMAL(38, 0)), 'rest', CAST((acc.rest * 100) % acc.q AS DECIMAL(38, 0)), 'q', acc.q), acc -> acc.digits + CASE WHEN 2 * acc.rest >= acc.q THEN 1 ELSE 0 END)))[0])[0]) END) AS `marge`,
        (COALESCE(COALESCE(COALESCE(`why:ca`, `why:achats`), `why:ca`), CASE WHEN `ca` = 0 THEN '{"code":"division_by_zero","denominator":"ca"}' END)) AS `why:marge`,
        (`ytd(ca)`) AS `cumul`,
        (`why:ytd(ca)`) AS `why:cumul`
    FROM monthly_layer_1_time
),
monthly_layer_1_stock_walk AS (
    -- stock: read their own previous period, so computed one period after the other (recursive)
    SELECT base.grid_row, base.entity, base.scenario, base.ordinal, base.first, base.`ca`, base.`why:ca`, base.`achats`, base.`why:achats`, 
        CAST((((NULL::DECIMAL(38, 0) + base.`ca`) - base.`achats`)) AS DECIMAL(38, 0)) AS `stock`,
        CAST(COALESCE((COALESCE(COALESCE(('{"code":"before_data","period":' || '["monthly",' || CAST(base.ordinal - 1 AS STRING) || ']' || ',"since":' || '["monthly",' || CAST(base.first AS STRING) || ']' || ',"entity":null}'), base.`why:ca`), base.`why:achats`)), CASE WHEN (((NULL::DECIMAL(38, 0) + base.`ca`) - base.`achats`)) IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS STRING) AS `why:stock`
    FROM monthly_layer_1 base WHERE base.ordinal = base.first
    UNION ALL
    SELECT base.grid_row, base.entity, base.scenario, base.ordinal, base.first, base.`ca`, base.`why:ca`, base.`achats`, base.`why:achats`, 
        CAST((((walk.`stock` + base.`ca`) - base.`achats`)) AS DECIMAL(38, 0)) AS `stock`,
        CAST(COALESCE((COALESCE(COALESCE(walk.`why:stock`, base.`why:ca`), base.`why:achats`)), CASE WHEN (((walk.`stock` + base.`ca`) - base.`achats`)) IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS STRING) AS `why:stock`
    FROM monthly_layer_1_stock_walk walk JOIN monthly_layer_1 base ON base.entity IS NOT DISTINCT FROM walk.entity AND base.scenario = walk.scenario AND base.ordinal = walk.ordinal + 1
),
monthly_layer_1_stock AS (
    SELECT p.*, w.`stock`, w.`why:stock`
    FROM monthly_layer_1 p JOIN monthly_layer_1_stock_walk w ON w.grid_row = p.grid_row
),
monthly_targets AS (
    -- targets of the reported KPIs
    SELECT *,
        (300000000000000000000000::DECIMAL(38, 0)) AS `target:marge`,
        (NULL) AS `why:target:marge`
    FROM monthly_layer_1_stock
),
monthly_alerts AS (
    -- alert conditions and resolve_when conditions: true when they hold (undefined does not)
    SELECT *,
        COALESCE(((`marge` < `target:marge`)), false) AS `alert:marge:1`
    FROM monthly_targets
)
SELECT entity, ordinal, `marge`, COALESCE(`why:marge`, CASE WHEN `marge` IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS `why:marge`, `target:marge`, COALESCE(`why:target:marge`, CASE WHEN `target:marge` IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS `why:target:marge`, `alert:marge:1`, `cumul`, COALESCE(`why:cumul`, CASE WHEN `cumul` IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS `why:cumul`, `stock`, COALESCE(`why:stock`, CASE WHEN `stock` IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS `why:stock`
FROM monthly_alerts
WHERE covered
ORDER BY entity NULLS FIRST, ordinal;
