"""Questions a spreadsheet cannot answer: goal seeking, sensitivity, variance bridges and lint.

The only place sympy is imported; `validate` and `evaluate` never load it.
"""
