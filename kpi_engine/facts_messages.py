"""Mistakes in facts files in words: CSV, JSON, YAML, workbooks, FEC ledgers and account mappings.

code -> (English, French), worded by `reasons.Reason` at the edge (`Problem.of`), so
`kpi evaluate --lang fr` reads every problem of the company's data in French.
"""

from __future__ import annotations

FACTS_MESSAGES: dict[str, tuple[str, str]] = {}
