"""The SQL backend: a loaded pack compiled into SQL, rendered per dialect (DuckDB today).

`plan` adapts the pack's `Plan` into what the SQL needs (the one place that
reads the plan), `expressions` turns formula ASTs into SQL with a
reason column beside every value, `rollups` prepares every input at every
period (roll-ups, zeros by default, groups, coverage), `calendar` writes
periods as integer expressions, `query` assembles the statements (one named
step per KPI layer, targets and alerts), `dialect` holds what differs between
engines, `source` reads long-format facts an engine reads itself. `kpi_engine.backends.duckdb` runs them.

Numbers are exact: every value is a HUGEINT counting 10^-24 units (see
`dialect.SCALE`), so sums are exact and products and quotients are rounded
once, at the 24th decimal.
"""
