"""A pack's structural mistakes in words: schema, YAML structure, assembly of files, pack tests.

code -> (English, French), worded by `reasons.Reason` at the edge (`Problem.of`), so
`kpi validate --lang fr` reads every problem of a pack in French.
"""

from __future__ import annotations

PACK_MESSAGES: dict[str, tuple[str, str]] = {}
