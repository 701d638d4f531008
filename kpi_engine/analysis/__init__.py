"""Questions a spreadsheet cannot answer: goal seeking, sensitivity, variance bridges and lint.

The only place sympy is imported; `validate` and `evaluate` never load it. By concern:
`symbolic` expands a KPI into one sympy expression (each function's form comes from its
registry entry), `rationals` moves exact numbers between Decimal, Fraction and sympy,
`algebra` solves, differentiates and simplifies, `printing` writes expressions for people,
`frames` sets up the evaluated period every question is asked at, and `goal_seek`,
`sensitivity`, `bridge` (explain-change) and `lint` answer the questions. `errors` holds
why a question has no answer.
"""
