"""Mistakes in formulas in words: syntax, names, functions, units and the lint's advice.

code -> (English, French), worded by `reasons.Reason` at the edge (`Problem.of`), so
`kpi validate --lang fr` and `kpi lint --lang fr` read every formula problem in French.
"""

from __future__ import annotations

FORMULA_MESSAGES: dict[str, tuple[str, str]] = {}
