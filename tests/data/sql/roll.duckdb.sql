-- KPI evaluation in duckdb SQL. Input: a relation kpi_facts(entity VARCHAR, input VARCHAR,
-- frequency VARCHAR ('monthly', 'quarterly' or 'yearly'), ordinal BIGINT (year*12+month-1, year*4+quarter-1
-- or year), value HUGEINT in units of 1e-24). Every value has a why:<name> column: NULL when defined,
-- else the reason as JSON.
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
    ('ca', 'sum'),
    ('cout', 'sum'),
    ('stock', 'last'),
    ('effectif', 'avg'),
    ('initiale', 'last')
) AS rules(input, rule);

-- at which frequencies each entity gives each input (a missing fact is 'not split' when only coarser ones are known)
CREATE OR REPLACE TEMP TABLE kpi_known AS
SELECT entity, input, bool_or(frequency = 'monthly') AS monthly, bool_or(frequency = 'quarterly') AS quarterly, bool_or(frequency = 'yearly') AS yearly
FROM kpi_facts WHERE input IN (SELECT input FROM kpi_rules)
GROUP BY entity, input;

CREATE OR REPLACE TEMP TABLE kpi_rolled_monthly AS
SELECT entity, input, ordinal, value, NULL::VARCHAR AS why
FROM kpi_facts WHERE input IN (SELECT input FROM kpi_rules) AND frequency = 'monthly';

-- quarterly values: given, or rolled up from 3 complete monthly values (sum, last or average)
CREATE OR REPLACE TEMP TABLE kpi_rolled_quarterly AS
WITH native AS (
    SELECT entity, input, ordinal, value FROM kpi_facts WHERE input IN (SELECT input FROM kpi_rules) AND frequency = 'quarterly'
), parents AS (
    SELECT DISTINCT entity, input, ordinal // 3 AS ordinal FROM kpi_rolled_monthly
), children AS (
    SELECT p.entity, p.input, p.ordinal, c.position, f.value,
        CASE WHEN f.value IS NOT NULL THEN NULL WHEN f.why IS NOT NULL THEN f.why ELSE CASE WHEN k.quarterly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || p.input || '"' || ',"period":' || '["monthly",' || CAST(p.ordinal * 3 + c.position AS STRING) || ']' || ',"entity":null,"known":' || '"' || concat_ws(', ', CASE WHEN k.quarterly THEN 'quarterly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"monthly"}') ELSE ('{"code":"missing_fact","name":' || '"' || p.input || '"' || ',"period":' || '["monthly",' || CAST(p.ordinal * 3 + c.position AS STRING) || ']' || ',"entity":null}') END END AS why
    FROM parents p CROSS JOIN range(3) AS c(position)
    LEFT JOIN kpi_rolled_monthly f ON f.entity IS NOT DISTINCT FROM p.entity AND f.input = p.input AND f.ordinal = p.ordinal * 3 + c.position
    LEFT JOIN kpi_known k ON k.entity IS NOT DISTINCT FROM p.entity AND k.input = p.input
), rolled AS (
    SELECT c.entity, c.input, c.ordinal,
        CASE WHEN count(c.value) = 3 THEN
            CASE r.rule WHEN 'sum' THEN sum(c.value) WHEN 'last' THEN arg_max(c.value, c.position) ELSE kpi_div(sum(c.value), 3000000000000000000000000::HUGEINT) END
        END AS value,
        arg_min(c.why, c.position) FILTER (WHERE c.why IS NOT NULL) AS why
    FROM children c JOIN kpi_rules r ON r.input = c.input
    GROUP BY c.entity, c.input, c.ordinal, r.rule
)
SELECT COALESCE(n.entity, r.entity) AS entity, COALESCE(n.input, r.input) AS input, COALESCE(n.ordinal, r.ordinal) AS ordinal,
    COALESCE(n.value, r.value) AS value, CASE WHEN n.value IS NULL THEN r.why END AS why
FROM rolled r FULL JOIN native n ON n.entity IS NOT DISTINCT FROM r.entity AND n.input = r.input AND n.ordinal = r.ordinal;

-- yearly values: given, or rolled up from 4 complete quarterly values (sum, last or average)
CREATE OR REPLACE TEMP TABLE kpi_rolled_yearly AS
WITH native AS (
    SELECT entity, input, ordinal, value FROM kpi_facts WHERE input IN (SELECT input FROM kpi_rules) AND frequency = 'yearly'
), parents AS (
    SELECT DISTINCT entity, input, ordinal // 4 AS ordinal FROM kpi_rolled_quarterly
), children AS (
    SELECT p.entity, p.input, p.ordinal, c.position, f.value,
        CASE WHEN f.value IS NOT NULL THEN NULL WHEN f.why IS NOT NULL THEN f.why ELSE CASE WHEN k.monthly THEN CASE WHEN k.quarterly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || p.input || '"' || ',"period":' || '["monthly",' || CAST((p.ordinal * 4 + c.position) * 3 AS STRING) || ']' || ',"entity":null,"known":' || '"' || concat_ws(', ', CASE WHEN k.quarterly THEN 'quarterly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"monthly"}') ELSE ('{"code":"missing_fact","name":' || '"' || p.input || '"' || ',"period":' || '["monthly",' || CAST((p.ordinal * 4 + c.position) * 3 AS STRING) || ']' || ',"entity":null}') END ELSE CASE WHEN k.yearly THEN ('{"code":"not_split","name":' || '"' || p.input || '"' || ',"period":' || '["quarterly",' || CAST(p.ordinal * 4 + c.position AS STRING) || ']' || ',"entity":null,"known":' || '"' || concat_ws(', ', CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"quarterly"}') ELSE ('{"code":"missing_fact","name":' || '"' || p.input || '"' || ',"period":' || '["quarterly",' || CAST(p.ordinal * 4 + c.position AS STRING) || ']' || ',"entity":null}') END END END AS why
    FROM parents p CROSS JOIN range(4) AS c(position)
    LEFT JOIN kpi_rolled_quarterly f ON f.entity IS NOT DISTINCT FROM p.entity AND f.input = p.input AND f.ordinal = p.ordinal * 4 + c.position
    LEFT JOIN kpi_known k ON k.entity IS NOT DISTINCT FROM p.entity AND k.input = p.input
), rolled AS (
    SELECT c.entity, c.input, c.ordinal,
        CASE WHEN count(c.value) = 4 THEN
            CASE r.rule WHEN 'sum' THEN sum(c.value) WHEN 'last' THEN arg_max(c.value, c.position) ELSE kpi_div(sum(c.value), 4000000000000000000000000::HUGEINT) END
        END AS value,
        arg_min(c.why, c.position) FILTER (WHERE c.why IS NOT NULL) AS why
    FROM children c JOIN kpi_rules r ON r.input = c.input
    GROUP BY c.entity, c.input, c.ordinal, r.rule
)
SELECT COALESCE(n.entity, r.entity) AS entity, COALESCE(n.input, r.input) AS input, COALESCE(n.ordinal, r.ordinal) AS ordinal,
    COALESCE(n.value, r.value) AS value, CASE WHEN n.value IS NULL THEN r.why END AS why
FROM rolled r FULL JOIN native n ON n.entity IS NOT DISTINCT FROM r.entity AND n.input = r.input AND n.ordinal = r.ordinal;

-- KPIs at the monthly frequency: marge, tresorerie, cumul, bornes
WITH RECURSIVE
covered AS (
    SELECT DISTINCT entity, ordinal FROM kpi_rolled_monthly WHERE value IS NOT NULL
),
bounds AS (
    SELECT entity, min(ordinal) AS first, max(ordinal) AS last FROM covered GROUP BY entity
),
grid AS (
    SELECT *, row_number() OVER (ORDER BY entity, ordinal) AS grid_row
    FROM (SELECT entity, first, unnest(range(first, last + 1)) AS ordinal FROM bounds)
),
input_values AS (
    SELECT g.entity, g.ordinal, i.position, r.value,
        CASE WHEN r.value IS NOT NULL THEN NULL WHEN r.input IS NOT NULL THEN ('{"code":"roll_up","cause":' || r.why || ',"name":' || '"' || i.input || '"' || ',"period":' || '["monthly",' || CAST(g.ordinal AS STRING) || ']' || '}')
             ELSE CASE WHEN k.quarterly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || i.input || '"' || ',"period":' || '["monthly",' || CAST(g.ordinal AS STRING) || ']' || ',"entity":null,"known":' || '"' || concat_ws(', ', CASE WHEN k.quarterly THEN 'quarterly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"monthly"}') ELSE ('{"code":"missing_fact","name":' || '"' || i.input || '"' || ',"period":' || '["monthly",' || CAST(g.ordinal AS STRING) || ']' || ',"entity":null}') END END AS why
    FROM grid g CROSS JOIN (VALUES ('ca', 1), ('cout', 2), ('initiale', 3)) AS i(input, position)
    LEFT JOIN kpi_rolled_monthly r ON r.entity IS NOT DISTINCT FROM g.entity AND r.input = i.input AND r.ordinal = g.ordinal
    LEFT JOIN kpi_known k ON k.entity IS NOT DISTINCT FROM g.entity AND k.input = i.input
),
input_lists AS (
    SELECT entity, ordinal, list(value ORDER BY position) AS input_value, list(why ORDER BY position) AS input_why
    FROM input_values GROUP BY entity, ordinal
),
inputs AS (
    SELECT g.entity, g.ordinal, g.first, g.grid_row, c.ordinal IS NOT NULL AS covered,
        v.input_value[1] AS "ca", v.input_why[1] AS "why:ca",
        v.input_value[2] AS "cout", v.input_why[2] AS "why:cout",
        v.input_value[3] AS "initiale", v.input_why[3] AS "why:initiale"
    FROM grid g LEFT JOIN covered c ON c.entity IS NOT DISTINCT FROM g.entity AND c.ordinal = g.ordinal
    JOIN input_lists v ON v.entity IS NOT DISTINCT FROM g.entity AND v.ordinal = g.ordinal
),
monthly_layer_1_arguments AS (
    -- KPIs of layer 1: marge, cumul, bornes
    SELECT *,
        TRY(("ca" - "cout")) AS "arg:ca - cout",
        COALESCE(TRY(COALESCE("why:ca", "why:cout")), CASE WHEN "arg:ca - cout" IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS "why:arg:ca - cout"
    FROM inputs
),
monthly_layer_1_time AS (
    SELECT p.*, w."rolling_sum(ca - cout, 2)", w."why:rolling_sum(ca - cout, 2)"
    FROM monthly_layer_1_arguments p JOIN (SELECT grid_row,
        CASE WHEN ordinal - 1 >= first AND count("arg:ca - cout") OVER (PARTITION BY entity ORDER BY ordinal ROWS 1 PRECEDING) = ordinal - (ordinal - 1) + 1 THEN sum("arg:ca - cout") OVER (PARTITION BY entity ORDER BY ordinal ROWS 1 PRECEDING) END AS "rolling_sum(ca - cout, 2)",
        CASE WHEN ordinal - 1 < first THEN ('{"code":"before_data","period":' || '["monthly",' || CAST(ordinal - 1 AS STRING) || ']' || ',"since":' || '["monthly",' || CAST(first AS STRING) || ']' || ',"entity":null}') ELSE first_value("why:arg:ca - cout" IGNORE NULLS) OVER (PARTITION BY entity ORDER BY ordinal ROWS 1 PRECEDING) END AS "why:rolling_sum(ca - cout, 2)"
    FROM monthly_layer_1_arguments) w ON w.grid_row = p.grid_row
),
monthly_layer_1 AS (
    SELECT *,
        TRY(CASE WHEN "ca" <> 0 THEN kpi_div(("ca" - "cout"), "ca") END) AS "marge",
        COALESCE(TRY(COALESCE(COALESCE(COALESCE("why:ca", "why:cout"), "why:ca"), CASE WHEN "ca" = 0 THEN '{"code":"division_by_zero","denominator":"ca"}' END)), CASE WHEN "marge" IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS "why:marge",
        TRY("rolling_sum(ca - cout, 2)") AS "cumul",
        COALESCE(TRY("why:rolling_sum(ca - cout, 2)"), CASE WHEN "cumul" IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS "why:cumul",
        TRY((((kpi_round(CASE WHEN 3000000000000000000000000::HUGEINT <> 0 THEN kpi_div(CASE WHEN "ca" IS NULL OR "cout" IS NULL THEN NULL ELSE GREATEST("ca", "cout") END, 3000000000000000000000000::HUGEINT) END, 10000000000000000000000::HUGEINT) + CASE WHEN "ca" IS NULL OR 5000000000000000000000000::HUGEINT IS NULL THEN NULL ELSE LEAST("ca", 5000000000000000000000000::HUGEINT) END) + CASE WHEN ("ca" > "cout") THEN 1000000000000000000000000::HUGEINT WHEN NOT (("ca" > "cout")) THEN (-(1000000000000000000000000::HUGEINT)) END) + kpi_mul(abs(("cout" - "ca")), abs(("cout" - "ca"))))) AS "bornes",
        COALESCE(TRY(COALESCE(COALESCE(COALESCE(COALESCE(COALESCE("why:ca", "why:cout"), CASE WHEN 3000000000000000000000000::HUGEINT = 0 THEN '{"code":"division_by_zero","denominator":"3"}' END), "why:ca"), CASE WHEN ("ca" > "cout") IS NULL THEN COALESCE("why:ca", "why:cout") WHEN ("ca" > "cout") THEN NULL ELSE NULL END), COALESCE("why:cout", "why:ca"))), CASE WHEN "bornes" IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS "why:bornes"
    FROM monthly_layer_1_time
),
monthly_layer_1_tresorerie_walk AS (
    -- tresorerie: read their own previous period, so computed one period after the other (recursive)
    SELECT base.grid_row, base.entity, base.ordinal, base.first, base."initiale", base."why:initiale", base."ca", base."why:ca", base."cout", base."why:cout", 
        CAST(TRY(((COALESCE(NULL::HUGEINT, base."initiale") + base."ca") - base."cout")) AS HUGEINT) AS "tresorerie",
        CAST(COALESCE(TRY(COALESCE(COALESCE(CASE WHEN COALESCE(NULL::HUGEINT, base."initiale") IS NULL THEN base."why:initiale" END, base."why:ca"), base."why:cout")), CASE WHEN TRY(((COALESCE(NULL::HUGEINT, base."initiale") + base."ca") - base."cout")) IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS VARCHAR) AS "why:tresorerie"
    FROM monthly_layer_1 base WHERE base.ordinal = base.first
    UNION ALL
    SELECT base.grid_row, base.entity, base.ordinal, base.first, base."initiale", base."why:initiale", base."ca", base."why:ca", base."cout", base."why:cout", 
        CAST(TRY(((COALESCE(walk."tresorerie", base."initiale") + base."ca") - base."cout")) AS HUGEINT) AS "tresorerie",
        CAST(COALESCE(TRY(COALESCE(COALESCE(CASE WHEN COALESCE(walk."tresorerie", base."initiale") IS NULL THEN base."why:initiale" END, base."why:ca"), base."why:cout")), CASE WHEN TRY(((COALESCE(walk."tresorerie", base."initiale") + base."ca") - base."cout")) IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS VARCHAR) AS "why:tresorerie"
    FROM monthly_layer_1_tresorerie_walk walk JOIN monthly_layer_1 base ON base.entity IS NOT DISTINCT FROM walk.entity AND base.ordinal = walk.ordinal + 1
),
monthly_layer_1_tresorerie AS (
    SELECT p.*, w."tresorerie", w."why:tresorerie"
    FROM monthly_layer_1 p JOIN monthly_layer_1_tresorerie_walk w ON w.grid_row = p.grid_row
),
monthly_targets AS (
    -- targets of the reported KPIs
    SELECT *,
        TRY(250000000000000000000000::HUGEINT) AS "target:marge",
        COALESCE(TRY(NULL), CASE WHEN "target:marge" IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS "why:target:marge"
    FROM monthly_layer_1_tresorerie
),
monthly_alerts AS (
    -- alert conditions and resolve_when conditions: true when they hold (undefined does not)
    SELECT *,
        COALESCE(TRY((("marge" < 200000000000000000000000::HUGEINT) AND ("ca" > 0::HUGEINT))), false) AS "alert:marge:1"
    FROM monthly_targets
)
SELECT entity, ordinal, "marge", "why:marge", "target:marge", "why:target:marge", "alert:marge:1", "ca", "tresorerie", "why:tresorerie", "cumul", "why:cumul", "bornes", "why:bornes"
FROM monthly_alerts
WHERE covered
ORDER BY entity NULLS FIRST, ordinal;

-- KPIs at the quarterly frequency: stock_t, croissance_t, cumul_t
WITH
covered AS (
    SELECT DISTINCT entity, ordinal FROM kpi_rolled_quarterly WHERE value IS NOT NULL
),
bounds AS (
    SELECT entity, min(ordinal) AS first, max(ordinal) AS last FROM covered GROUP BY entity
),
grid AS (
    SELECT *, row_number() OVER (ORDER BY entity, ordinal) AS grid_row
    FROM (SELECT entity, first, unnest(range(first, last + 1)) AS ordinal FROM bounds)
),
input_values AS (
    SELECT g.entity, g.ordinal, i.position, r.value,
        CASE WHEN r.value IS NOT NULL THEN NULL WHEN r.input IS NOT NULL THEN ('{"code":"roll_up","cause":' || r.why || ',"name":' || '"' || i.input || '"' || ',"period":' || '["quarterly",' || CAST(g.ordinal AS STRING) || ']' || '}')
             ELSE CASE WHEN k.monthly THEN ('{"code":"roll_up","cause":' || CASE WHEN k.quarterly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || i.input || '"' || ',"period":' || '["monthly",' || CAST((g.ordinal) * 3 AS STRING) || ']' || ',"entity":null,"known":' || '"' || concat_ws(', ', CASE WHEN k.quarterly THEN 'quarterly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"monthly"}') ELSE ('{"code":"missing_fact","name":' || '"' || i.input || '"' || ',"period":' || '["monthly",' || CAST((g.ordinal) * 3 AS STRING) || ']' || ',"entity":null}') END || ',"name":' || '"' || i.input || '"' || ',"period":' || '["quarterly",' || CAST(g.ordinal AS STRING) || ']' || '}') ELSE CASE WHEN k.yearly THEN ('{"code":"not_split","name":' || '"' || i.input || '"' || ',"period":' || '["quarterly",' || CAST(g.ordinal AS STRING) || ']' || ',"entity":null,"known":' || '"' || concat_ws(', ', CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"quarterly"}') ELSE ('{"code":"missing_fact","name":' || '"' || i.input || '"' || ',"period":' || '["quarterly",' || CAST(g.ordinal AS STRING) || ']' || ',"entity":null}') END END END AS why
    FROM grid g CROSS JOIN (VALUES ('ca', 1), ('stock', 2)) AS i(input, position)
    LEFT JOIN kpi_rolled_quarterly r ON r.entity IS NOT DISTINCT FROM g.entity AND r.input = i.input AND r.ordinal = g.ordinal
    LEFT JOIN kpi_known k ON k.entity IS NOT DISTINCT FROM g.entity AND k.input = i.input
),
input_lists AS (
    SELECT entity, ordinal, list(value ORDER BY position) AS input_value, list(why ORDER BY position) AS input_why
    FROM input_values GROUP BY entity, ordinal
),
inputs AS (
    SELECT g.entity, g.ordinal, g.first, g.grid_row, c.ordinal IS NOT NULL AS covered,
        v.input_value[1] AS "ca", v.input_why[1] AS "why:ca",
        v.input_value[2] AS "stock", v.input_why[2] AS "why:stock"
    FROM grid g LEFT JOIN covered c ON c.entity IS NOT DISTINCT FROM g.entity AND c.ordinal = g.ordinal
    JOIN input_lists v ON v.entity IS NOT DISTINCT FROM g.entity AND v.ordinal = g.ordinal
),
quarterly_layer_1_time AS (
    SELECT p.*, w."lag(ca, 1)", w."why:lag(ca, 1)", w."ytd(ca)", w."why:ytd(ca)"
    FROM inputs p JOIN (SELECT grid_row,
        LAG("ca", 1) OVER (PARTITION BY entity ORDER BY ordinal) AS "lag(ca, 1)",
        CASE WHEN ordinal - 1 < first THEN ('{"code":"before_data","period":' || '["quarterly",' || CAST(ordinal - 1 AS STRING) || ']' || ',"since":' || '["quarterly",' || CAST(first AS STRING) || ']' || ',"entity":null}') ELSE LAG("why:ca", 1) OVER (PARTITION BY entity ORDER BY ordinal) END AS "why:lag(ca, 1)",
        CASE WHEN ordinal - ordinal % 4 >= first AND count("ca") OVER (PARTITION BY entity, ordinal // 4 ORDER BY ordinal ROWS UNBOUNDED PRECEDING) = ordinal - (ordinal - ordinal % 4) + 1 THEN sum("ca") OVER (PARTITION BY entity, ordinal // 4 ORDER BY ordinal ROWS UNBOUNDED PRECEDING) END AS "ytd(ca)",
        CASE WHEN ordinal - ordinal % 4 < first THEN ('{"code":"before_data","period":' || '["quarterly",' || CAST(ordinal - ordinal % 4 AS STRING) || ']' || ',"since":' || '["quarterly",' || CAST(first AS STRING) || ']' || ',"entity":null}') ELSE first_value("why:ca" IGNORE NULLS) OVER (PARTITION BY entity, ordinal // 4 ORDER BY ordinal ROWS UNBOUNDED PRECEDING) END AS "why:ytd(ca)"
    FROM inputs) w ON w.grid_row = p.grid_row
),
quarterly_layer_1 AS (
    -- KPIs of layer 1: stock_t, croissance_t, cumul_t
    SELECT *,
        TRY("stock") AS "stock_t",
        COALESCE(TRY("why:stock"), CASE WHEN "stock_t" IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS "why:stock_t",
        TRY(CASE WHEN "lag(ca, 1)" <> 0 THEN kpi_div("ca", "lag(ca, 1)") - 1000000000000000000000000::HUGEINT END) AS "croissance_t",
        COALESCE(TRY(COALESCE("why:ca", "why:lag(ca, 1)", CASE WHEN "lag(ca, 1)" = 0 THEN ('{"code":"growth_from_zero","period":' || '["quarterly",' || CAST(ordinal AS STRING) || ']' || '}') END)), CASE WHEN "croissance_t" IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS "why:croissance_t",
        TRY("ytd(ca)") AS "cumul_t",
        COALESCE(TRY("why:ytd(ca)"), CASE WHEN "cumul_t" IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS "why:cumul_t"
    FROM quarterly_layer_1_time
)
SELECT entity, ordinal, "stock_t", "why:stock_t", "croissance_t", "why:croissance_t", "cumul_t", "why:cumul_t"
FROM quarterly_layer_1
WHERE covered
ORDER BY entity NULLS FIRST, ordinal;

-- KPIs at the yearly frequency: effectif_a
WITH
covered AS (
    SELECT DISTINCT entity, ordinal FROM kpi_rolled_yearly WHERE value IS NOT NULL
),
bounds AS (
    SELECT entity, min(ordinal) AS first, max(ordinal) AS last FROM covered GROUP BY entity
),
grid AS (
    SELECT *, row_number() OVER (ORDER BY entity, ordinal) AS grid_row
    FROM (SELECT entity, first, unnest(range(first, last + 1)) AS ordinal FROM bounds)
),
input_values AS (
    SELECT g.entity, g.ordinal, i.position, r.value,
        CASE WHEN r.value IS NOT NULL THEN NULL WHEN r.input IS NOT NULL THEN ('{"code":"roll_up","cause":' || r.why || ',"name":' || '"' || i.input || '"' || ',"period":' || '["yearly",' || CAST(g.ordinal AS STRING) || ']' || '}')
             ELSE CASE WHEN k.quarterly OR k.monthly THEN ('{"code":"roll_up","cause":' || CASE WHEN k.monthly THEN CASE WHEN k.quarterly OR k.yearly THEN ('{"code":"not_split","name":' || '"' || i.input || '"' || ',"period":' || '["monthly",' || CAST(((g.ordinal) * 4) * 3 AS STRING) || ']' || ',"entity":null,"known":' || '"' || concat_ws(', ', CASE WHEN k.quarterly THEN 'quarterly' END, CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"monthly"}') ELSE ('{"code":"missing_fact","name":' || '"' || i.input || '"' || ',"period":' || '["monthly",' || CAST(((g.ordinal) * 4) * 3 AS STRING) || ']' || ',"entity":null}') END ELSE CASE WHEN k.yearly THEN ('{"code":"not_split","name":' || '"' || i.input || '"' || ',"period":' || '["quarterly",' || CAST((g.ordinal) * 4 AS STRING) || ']' || ',"entity":null,"known":' || '"' || concat_ws(', ', CASE WHEN k.yearly THEN 'yearly' END) || '"' || ',"frequency":"quarterly"}') ELSE ('{"code":"missing_fact","name":' || '"' || i.input || '"' || ',"period":' || '["quarterly",' || CAST((g.ordinal) * 4 AS STRING) || ']' || ',"entity":null}') END END || ',"name":' || '"' || i.input || '"' || ',"period":' || '["yearly",' || CAST(g.ordinal AS STRING) || ']' || '}') ELSE ('{"code":"missing_fact","name":' || '"' || i.input || '"' || ',"period":' || '["yearly",' || CAST(g.ordinal AS STRING) || ']' || ',"entity":null}') END END AS why
    FROM grid g CROSS JOIN (VALUES ('effectif', 1)) AS i(input, position)
    LEFT JOIN kpi_rolled_yearly r ON r.entity IS NOT DISTINCT FROM g.entity AND r.input = i.input AND r.ordinal = g.ordinal
    LEFT JOIN kpi_known k ON k.entity IS NOT DISTINCT FROM g.entity AND k.input = i.input
),
input_lists AS (
    SELECT entity, ordinal, list(value ORDER BY position) AS input_value, list(why ORDER BY position) AS input_why
    FROM input_values GROUP BY entity, ordinal
),
inputs AS (
    SELECT g.entity, g.ordinal, g.first, g.grid_row, c.ordinal IS NOT NULL AS covered,
        v.input_value[1] AS "effectif", v.input_why[1] AS "why:effectif"
    FROM grid g LEFT JOIN covered c ON c.entity IS NOT DISTINCT FROM g.entity AND c.ordinal = g.ordinal
    JOIN input_lists v ON v.entity IS NOT DISTINCT FROM g.entity AND v.ordinal = g.ordinal
),
yearly_layer_1 AS (
    -- KPIs of layer 1: effectif_a
    SELECT *,
        TRY("effectif") AS "effectif_a",
        COALESCE(TRY("why:effectif"), CASE WHEN "effectif_a" IS NULL THEN '{"code":"arithmetic","error":"Overflow"}' END) AS "why:effectif_a"
    FROM inputs
)
SELECT entity, ordinal, "effectif_a", "why:effectif_a"
FROM yearly_layer_1
WHERE covered
ORDER BY entity NULLS FIRST, ordinal;
