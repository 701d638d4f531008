"""A bounded budget for every analysis: "too complex" instead of running on.

Symbolic algebra can take time or memory out of all proportion to a formula's
length (`x + 10 ^ 10 ^ 10` is 13 characters; a product of 14 sums expands to
16,384 terms). Two guards, both set by `limits.Limits`:

- sizes, checked *before* sympy or exact arithmetic starts, since a single huge
  multiplication cannot be interrupted once begun: the digits an exact power
  would have (`power_problem`) and the terms a formula multiplies out into
  (`expanded_terms`);
- time, for everything else: `deadline` runs an analysis under a budget of
  processor time (not wall-clock time, so a busy machine does not turn a
  quick answer into "too complex") and raises `TooComplex` when it is spent.
  The clock is a `SIGPROF` timer, whose handler raises in whatever code runs, except a
  garbage-collector callback or a finaliser, where Python drops exceptions: it raises at the
  next tick instead. It applies where Python can have one
  (Unix, main thread, as the `kpi` command runs); elsewhere (a worker thread
  of an embedding server) only the size guards apply.
"""

from __future__ import annotations

import gc
import math
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import sympy  # type: ignore[import-untyped]  # sympy ships no type information

from ..limits import Limits
from .errors import AnalysisError, Said

NARROW_SPACE = "\u202f"  # the French thousands separator


class TooComplex(AnalysisError):
    """An analysis would exceed its budget (`limits.Limits.analysis_*`); `reason` says which and what to do."""


class OutOfTime(TooComplex):
    """The time budget is spent: the whole analysis stops (a size refusal stops only the formula concerned)."""


@contextmanager
def deadline(limits: Limits, what: str, quoi: str) -> Iterator[None]:
    """Run the block within `limits.analysis_seconds` of processor time, else raise OutOfTime about `what`
    (`quoi`: the same in French).

    Nested deadlines keep the outer one: the budget is per command, not per step.
    """
    if not _can_time() or signal.getitimer(signal.ITIMER_PROF)[0] > 0:
        yield
        return

    def expire(_signal: int, frame: FrameType | None) -> None:
        if _unraisable(frame):
            return  # lost there: the next tick, 0.1 s later, raises where the analysis catches it
        seconds = limits.analysis_seconds
        raise OutOfTime(
            f"{what} is too complex: no answer within {seconds:g} s; split the formula into intermediate KPIs or ask about fewer variables",
            french=f"{quoi} est trop complexe : pas de réponse en {seconds:g} s ; découpez la formule en indicateurs intermédiaires "
            "ou interrogez moins de variables",
        )

    previous = signal.signal(signal.SIGPROF, expire)
    # then again every 0.1 s: code that catches every exception (some of sympy does) cannot swallow the expiry
    signal.setitimer(signal.ITIMER_PROF, limits.analysis_seconds, 0.1)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def _unraisable(frame: FrameType | None) -> bool:
    """Whether `frame` runs inside a garbage-collector callback or a finaliser: Python prints an exception
    raised there as "Exception ignored in ..." and drops it, so the analysis would never see it."""
    callbacks = {code for callback in gc.callbacks if (code := getattr(callback, "__code__", None)) is not None}
    while frame is not None:
        if frame.f_code in callbacks or frame.f_code.co_name == "__del__":
            return True
        frame = frame.f_back
    return False


def _can_time() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def power_problem(base: Any, exponent: Any, limits: Limits) -> Said | None:
    """Why `base ^ exponent` is too large to build exactly, or None.

    A whole exponent over `analysis_max_digits` is refused whatever the base: evaluated at any value
    other than 0 or +-1 the result has more digits than that. A number raised to a number is refused
    when its result would have more than `analysis_max_digits` digits (estimated from logarithms, so
    nothing large is built to find out).
    """
    if not (isinstance(exponent, sympy.Rational) and exponent.q == 1):
        return None  # a root or a symbolic exponent builds no large exact number
    size = abs(int(exponent.p)) if abs(exponent.p) < 10**18 else math.inf
    if size > limits.analysis_max_digits:
        return Said(
            f"its exponent {exponent} is beyond {limits.analysis_max_digits}, the limit of exact analysis",
            f"son exposant {exponent} dépasse {limits.analysis_max_digits}, la limite de l'analyse exacte",
        )
    if isinstance(base, sympy.Rational) and base != 0:
        digits = size * max(math.log10(abs(int(base.p))), math.log10(int(base.q)))
        if digits > limits.analysis_max_digits:
            grouped = f"{digits:,.0f}"
            return Said(
                f"it has about {grouped} digits, beyond {limits.analysis_max_digits}, the limit of exact analysis",
                f"il aurait environ {grouped.replace(',', NARROW_SPACE)} chiffres, au-delà de {limits.analysis_max_digits}, la limite de l'analyse exacte",
            )
    return None


def expanded_terms(expr: Any) -> float:
    """How many terms `expr` multiplies out into (an estimate from its shape, without expanding it)."""
    if isinstance(expr, sympy.Add):
        return sum(expanded_terms(arg) for arg in expr.args)
    if isinstance(expr, sympy.Mul):
        return math.prod(expanded_terms(arg) for arg in expr.args)
    if isinstance(expr, sympy.Pow) and isinstance(expr.exp, sympy.Integer) and expr.exp > 0:
        try:  # an upper bound: (a + b)^n has fewer than 2^n distinct terms, but sympy's expansion walks them
            return float(expanded_terms(expr.base)) ** int(expr.exp)
        except OverflowError:
            return math.inf
    return 1


def check_terms(expr: Any, limits: Limits, what: str, quoi: str) -> None:
    """TooComplex when `expr` would multiply out into more than `limits.analysis_max_terms` terms (`quoi`: `what` in French)."""
    terms = expanded_terms(expr)
    if terms > limits.analysis_max_terms:
        shown = "too many" if math.isinf(terms) else f"{terms:,.0f}"
        montre = "trop de" if math.isinf(terms) else shown.replace(",", NARROW_SPACE)
        raise TooComplex(
            f"{what} is too complex: it multiplies out into {shown} terms, beyond the limit of {limits.analysis_max_terms}; "
            "split the formula into intermediate KPIs",
            french=f"{quoi} est trop complexe : son développement compte {montre} termes, au-delà de la limite de "
            f"{limits.analysis_max_terms} ; découpez la formule en indicateurs intermédiaires",
        )
