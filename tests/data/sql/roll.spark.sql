-- KPI evaluation in spark SQL. Input: a relation kpi_facts(entity STRING, input STRING,
-- frequency STRING ('monthly', 'quarterly' or 'yearly'), ordinal BIGINT (year*12+month-1, year*4+quarter-1
-- or year), value DECIMAL(38, 0) in units of 1e-24). Every value has a why:<name> column: NULL when defined,
-- else the reason as JSON.
-- kpi_mul(a, b), kpi_div(a, b) and kpi_round(x, unit) are written inline, each binding its operands once in a
-- one-element array: exact products rounded once at the 24th decimal, long division two digits at a time;

CREATE OR REPLACE TEMP VIEW kpi_rules AS SELECT * FROM (VALUES
    ('ca', 'sum'),
    ('achats', 'sum')
) AS rules(input, rule);

-- at which frequencies each entity gives each input (a missing fact is 'not split' when only coarser ones are known)
CREATE OR REPLACE TEMP VIEW kpi_known AS
SELECT entity, input, bool_or(frequency = 'monthly') AS monthly, bool_or(frequency = 'quarterly') AS quarterly, bool_or(frequency = 'yearly') AS yearly
FROM kpi_facts WHERE input IN (SELECT input FROM kpi_rules)
GROUP BY entity, input;

CREATE OR REPLACE TEMP VIEW kpi_rolled_monthly AS
SELECT entity, input, ordinal, value, NULL::STRING AS why
FROM kpi_facts WHERE input IN (SELECT input FROM kpi_rules) AND frequency = 'monthly';

-- quarterly values: given, or rolled up from 3 complete monthly values (sum, last or average)
CREATE OR REPLACE TEMP VIEW kpi_rolled_quarterly AS
WITH native AS (
    SELECT entity, input, ordinal, value FROM kpi_facts WHERE input IN (SELECT input FROM kpi_rules) AND frequency = 'quarterly'
), parents AS (
    SELECT DISTINCT entity, input, ordinal div 3 AS ordinal FROM kpi_rolled_monthly
), children AS (
    SELECT p.entity, p.input, p.ordinal, c.position, f.value,
        CASE WHEN f.value IS NOT NULL THEN NULL WHEN f.why IS NOT NULL THEN f.why ELSE CASE WHEN k.quarterly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || p.input || '"' || ',"period":' || '["monthly",' || CAST(p.ordinal * 3 + c.position AS STRING) || ']' || ',"entity":null,"known":' || '"' || concat_ws(', ', CASE WHEN k.quarterly THEN 'quarterly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"monthly"}') ELSE ('{"code":"missing_fact","name":' || '"' || p.input || '"' || ',"period":' || '["monthly",' || CAST(p.ordinal * 3 + c.position AS STRING) || ']' || ',"entity":null}') END END AS why
    FROM parents p CROSS JOIN range(3) AS c(position)
    LEFT JOIN kpi_rolled_monthly f ON f.entity IS NOT DISTINCT FROM p.entity AND f.input = p.input AND f.ordinal = p.ordinal * 3 + c.position
    LEFT JOIN kpi_known k ON k.entity IS NOT DISTINCT FROM p.entity AND k.input = p.input
), rolled AS (
    SELECT c.entity, c.input, c.ordinal,
        CASE WHEN count(c.value) = 3 THEN
            CASE r.rule WHEN 'sum' THEN sum(c.value) WHEN 'last' THEN max_by(c.value, c.position) ELSE (transform(array(named_struct('a', sum(c.value), 'b', 3000000000000000000000000::DECIMAL(38, 0))), v -> transform(array(named_struct('a', abs(v.a), 'b', abs(v.b), 's', CASE WHEN (v.a < 0) = (v.b < 0) THEN 1 ELSE -1 END)), x -> x.s * (CAST(((x.a) - (x.a) % x.b) / x.b AS DECIMAL(38, 0)) * 1000000000000000000000000 + aggregate(sequence(1, 12), named_struct('digits', CAST(0 AS DECIMAL(38, 0)), 'rest', CAST(x.a % x.b AS DECIMAL(38, 0)), 'q', x.b), (acc, step) -> named_struct('digits', CAST(acc.digits * 100 + CAST(((acc.rest * 100) - (acc.rest * 100) % acc.q) / acc.q AS DECIMAL(38, 0)) AS DECIMAL(38, 0)), 'rest', CAST((acc.rest * 100) % acc.q AS DECIMAL(38, 0)), 'q', acc.q), acc -> acc.digits + CASE WHEN 2 * acc.rest >= acc.q THEN 1 ELSE 0 END)))[0])[0]) END
        END AS value,
        min_by(c.why, c.position) FILTER (WHERE c.why IS NOT NULL) AS why
    FROM children c JOIN kpi_rules r ON r.input = c.input
    GROUP BY c.entity, c.input, c.ordinal, r.rule
)
SELECT COALESCE(n.entity, r.entity) AS entity, COALESCE(n.input, r.input) AS input, COALESCE(n.ordinal, r.ordinal) AS ordinal,
    COALESCE(n.value, r.value) AS value, CASE WHEN n.value IS NULL THEN r.why END AS why
FROM rolled r FULL JOIN native n ON n.entity IS NOT DISTINCT FROM r.entity AND n.input = r.input AND n.ordinal = r.ordinal;

-- yearly values: given, or rolled up from 4 complete quarterly values (sum, last or average)
CREATE OR REPLACE TEMP VIEW kpi_rolled_yearly AS
WITH native AS (
    SELECT entity, input, ordinal, value FROM kpi_facts WHERE input IN (SELECT input FROM kpi_rules) AND frequency = 'yearly'
), parents AS (
    SELECT DISTINCT entity, input, ordinal div 4 AS ordinal FROM kpi_rolled_quarterly
), children AS (
    SELECT p.entity, p.input, p.ordinal, c.position, f.value,
        CASE WHEN f.value IS NOT NULL THEN NULL WHEN f.why IS NOT NULL THEN f.why ELSE CASE WHEN k.monthly THEN CASE WHEN k.quarterly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || p.input || '"' || ',"period":' || '["monthly",' || CAST((p.ordinal * 4 + c.position) * 3 AS STRING) || ']' || ',"entity":null,"known":' || '"' || concat_ws(', ', CASE WHEN k.quarterly THEN 'quarterly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"monthly"}') ELSE ('{"code":"missing_fact","name":' || '"' || p.input || '"' || ',"period":' || '["monthly",' || CAST((p.ordinal * 4 + c.position) * 3 AS STRING) || ']' || ',"entity":null}') END ELSE CASE WHEN k.yearly THEN ('{"code":"not_split","name":' || '"' || p.input || '"' || ',"period":' || '["quarterly",' || CAST(p.ordinal * 4 + c.position AS STRING) || ']' || ',"entity":null,"known":' || '"' || concat_ws(', ', CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"quarterly"}') ELSE ('{"code":"missing_fact","name":' || '"' || p.input || '"' || ',"period":' || '["quarterly",' || CAST(p.ordinal * 4 + c.position AS STRING) || ']' || ',"entity":null}') END END END AS why
    FROM parents p CROSS JOIN range(4) AS c(position)
    LEFT JOIN kpi_rolled_quarterly f ON f.entity IS NOT DISTINCT FROM p.entity AND f.input = p.input AND f.ordinal = p.ordinal * 4 + c.position
    LEFT JOIN kpi_known k ON k.entity IS NOT DISTINCT FROM p.entity AND k.input = p.input
), rolled AS (
    SELECT c.entity, c.input, c.ordinal,
        CASE WHEN count(c.value) = 4 THEN
            CASE r.rule WHEN 'sum' THEN sum(c.value) WHEN 'last' THEN max_by(c.value, c.position) ELSE (transform(array(named_struct('a', sum(c.value), 'b', 4000000000000000000000000::DECIMAL(38, 0))), v -> transform(array(named_struct('a', abs(v.a), 'b', abs(v.b), 's', CASE WHEN (v.a < 0) = (v.b < 0) THEN 1 ELSE -1 END)), x -> x.s * (CAST(((x.a) - (x.a) % x.b) / x.b AS DECIMAL(38, 0)) * 1000000000000000000000000 + aggregate(sequence(1, 12), named_struct('digits', CAST(0 AS DECIMAL(38, 0)), 'rest', CAST(x.a % x.b AS DECIMAL(38, 0)), 'q', x.b), (acc, step) -> named_struct('digits', CAST(acc.digits * 100 + CAST(((acc.rest * 100) - (acc.rest * 100) % acc.q) / acc.q AS DECIMAL(38, 0)) AS DECIMAL(38, 0)), 'rest', CAST((acc.rest * 100) % acc.q AS DECIMAL(38, 0)), 'q', acc.q), acc -> acc.digits + CASE WHEN 2 * acc.rest >= acc.q THEN 1 ELSE 0 END)))[0])[0]) END
        END AS value,
        min_by(c.why, c.position) FILTER (WHERE c.why IS NOT NULL) AS why
    FROM children c JOIN kpi_rules r ON r.input = c.input
    GROUP BY c.entity, c.input, c.ordinal, r.rule
)
SELECT COALESCE(n.entity, r.entity) AS entity, COALESCE(n.input, r.input) AS input, COALESCE(n.ordinal, r.ordinal) AS ordinal,
    COALESCE(n.value, r.value) AS value, CASE WHEN n.value IS NULL THEN r.why END AS why
FROM rolled r FULL JOIN native n ON n.entity IS NOT DISTINCT FROM r.entity AND n.input = r.input AND n.ordinal = r.ordinal;

-- KPIs at the monthly frequency: marge, cumul, stock
WITH RECURSIVE
covered AS (
    SELECT DISTINCT entity, ordinal FROM kpi_rolled_monthly WHERE value IS NOT NULL
),
bounds AS (
    SELECT entity, min(ordinal) AS first, max(ordinal) AS last FROM covered GROUP BY entity
),
grid AS (
    SELECT *, row_number() OVER (ORDER BY entity, ordinal) AS grid_row
    FROM (SELECT entity, first, explode(sequence(first, last)) AS ordinal FROM bounds)
),
input_values AS (
    SELECT g.entity, g.ordinal, i.position, r.value,
        CASE WHEN r.value IS NOT NULL THEN NULL WHEN r.input IS NOT NULL THEN ('{"code":"roll_up","cause":' || r.why || ',"name":' || '"' || i.input || '"' || ',"period":' || '["monthly",' || CAST(g.ordinal AS STRING) || ']' || '}')
             ELSE CASE WHEN k.quarterly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || i.input || '"' || ',"period":' || '["monthly",' || CAST(g.ordinal AS STRING) || ']' || ',"entity":null,"known":' || '"' || concat_ws(', ', CASE WHEN k.quarterly THEN 'quarterly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"monthly"}') ELSE ('{"code":"missing_fact","name":' || '"' || i.input || '"' || ',"period":' || '["monthly",' || CAST(g.ordinal AS STRING) || ']' || ',"entity":null}') END END AS why
    FROM grid g CROSS JOIN (VALUES ('ca', 1), ('achats', 2)) AS i(input, position)
    LEFT JOIN kpi_rolled_monthly r ON r.entity IS NOT DISTINCT FROM g.entity AND r.input = i.input AND r.ordinal = g.ordinal
    LEFT JOIN kpi_known k ON k.entity IS NOT DISTINCT FROM g.entity AND k.input = i.input
),
input_lists AS (
    SELECT entity, ordinal, transform(array_sort(collect_list(named_struct('o', position, 'v', value))), e -> e.v) AS input_value, transform(array_sort(collect_list(named_struct('o', position, 'v', why))), e -> e.v) AS input_why
    FROM input_values GROUP BY entity, ordinal
),
inputs AS (
    SELECT g.entity, g.ordinal, g.first, g.grid_row, c.ordinal IS NOT NULL AS covered,
        v.input_value[0] AS `ca`, v.input_why[0] AS `why:ca`,
        v.input_value[1] AS `achats`, v.input_why[1] AS `why:achats`
    FROM grid g LEFT JOIN covered c ON c.entity IS NOT DISTINCT FROM g.entity AND c.ordinal = g.ordinal
    JOIN input_lists v ON v.entity IS NOT DISTINCT FROM g.entity AND v.ordinal = g.ordinal
),
monthly_layer_1_time AS (
    SELECT *,
        CASE WHEN ordinal - ordinal % 12 >= first AND count(`ca`) OVER (PARTITION BY entity, ordinal div 12 ORDER BY ordinal ROWS UNBOUNDED PRECEDING) = ordinal - (ordinal - ordinal % 12) + 1 THEN sum(`ca`) OVER (PARTITION BY entity, ordinal div 12 ORDER BY ordinal ROWS UNBOUNDED PRECEDING) END AS `ytd(ca)`,
        CASE WHEN ordinal - ordinal % 12 < first THEN ('{"code":"before_data","period":' || '["monthly",' || CAST(ordinal - ordinal % 12 AS STRING) || ']' || ',"since":' || '["monthly",' || CAST(first AS STRING) || ']' || ',"entity":null}') ELSE first_value(`why:ca`) IGNORE NULLS OVER (PARTITION BY entity, ordinal div 12 ORDER BY ordinal ROWS UNBOUNDED PRECEDING) END AS `why:ytd(ca)`
    FROM inputs
),
monthly_layer_1 AS (
    -- KPIs of layer 1: marge, cumul
    SELECT *,
        (CASE WHEN `ca` <> 0 THEN (transform(array(named_struct('a', (`ca` - `achats`), 'b', `ca`)), v -> transform(array(named_struct('a', abs(v.a), 'b', abs(v.b), 's', CASE WHEN (v.a < 0) = (v.b < 0) THEN 1 ELSE -1 END)), x -> x.s * (CAST(((x.a) - (x.a) % x.b) / x.b AS DECIMAL(38, 0)) * 1000000000000000000000000 + aggregate(sequence(1, 12), named_struct('digits', CAST(0 AS DECIMAL(38, 0)), 'rest', CAST(x.a % x.b AS DECIMAL(38, 0)), 'q', x.b), (acc, step) -> named_struct('digits', CAST(acc.digits * 100 + CAST(((acc.rest * 100) - (acc.rest * 100) % acc.q) / acc.q AS DECIMAL(38, 0)) AS DECIMAL(38, 0)), 'rest', CAST((acc.rest * 100) % acc.q AS DECIMAL(38, 0)), 'q', acc.q), acc -> acc.digits + CASE WHEN 2 * acc.rest >= acc.q THEN 1 ELSE 0 END)))[0])[0]) END) AS `marge`,
        COALESCE((COALESCE(COALESCE(COALESCE(`why:ca`, `why:achats`), `why:ca`), CASE WHEN `ca` = 0 THEN '{"code":"division_by_zero","denominator":"ca"}' END)), CASE WHEN `marge` IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS `why:marge`,
        (`ytd(ca)`) AS `cumul`,
        COALESCE((`why:ytd(ca)`), CASE WHEN `cumul` IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS `why:cumul`
    FROM monthly_layer_1_time
),
monthly_layer_1_stock_walk AS (
    -- stock: read their own previous period, so computed one period after the other (recursive)
    SELECT base.grid_row, base.entity, base.ordinal, base.first, base.`ca`, base.`why:ca`, base.`achats`, base.`why:achats`, 
        CAST((((NULL::DECIMAL(38, 0) + base.`ca`) - base.`achats`)) AS DECIMAL(38, 0)) AS `stock`,
        CAST(COALESCE((COALESCE(COALESCE(('{"code":"before_data","period":' || '["monthly",' || CAST(base.ordinal - 1 AS STRING) || ']' || ',"since":' || '["monthly",' || CAST(base.first AS STRING) || ']' || ',"entity":null}'), base.`why:ca`), base.`why:achats`)), CASE WHEN (((NULL::DECIMAL(38, 0) + base.`ca`) - base.`achats`)) IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS STRING) AS `why:stock`
    FROM monthly_layer_1 base WHERE base.ordinal = base.first
    UNION ALL
    SELECT base.grid_row, base.entity, base.ordinal, base.first, base.`ca`, base.`why:ca`, base.`achats`, base.`why:achats`, 
        CAST((((walk.`stock` + base.`ca`) - base.`achats`)) AS DECIMAL(38, 0)) AS `stock`,
        CAST(COALESCE((COALESCE(COALESCE(walk.`why:stock`, base.`why:ca`), base.`why:achats`)), CASE WHEN (((walk.`stock` + base.`ca`) - base.`achats`)) IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS STRING) AS `why:stock`
    FROM monthly_layer_1_stock_walk walk JOIN monthly_layer_1 base ON base.entity IS NOT DISTINCT FROM walk.entity AND base.ordinal = walk.ordinal + 1
),
monthly_layer_1_stock AS (
    SELECT p.*, w.`stock`, w.`why:stock`
    FROM monthly_layer_1 p JOIN monthly_layer_1_stock_walk w ON w.grid_row = p.grid_row
),
monthly_targets AS (
    -- targets of the reported KPIs
    SELECT *,
        (300000000000000000000000::DECIMAL(38, 0)) AS `target:marge`,
        COALESCE((NULL), CASE WHEN `target:marge` IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS `why:target:marge`
    FROM monthly_layer_1_stock
),
monthly_alerts AS (
    -- alert conditions and resolve_when conditions: true when they hold (undefined does not)
    SELECT *,
        COALESCE(((`marge` < `target:marge`)), false) AS `alert:marge:1`
    FROM monthly_targets
)
SELECT entity, ordinal, `marge`, `why:marge`, `target:marge`, `why:target:marge`, `alert:marge:1`, `cumul`, `why:cumul`, `stock`, `why:stock`
FROM monthly_alerts
WHERE covered
ORDER BY entity NULLS FIRST, ordinal;
