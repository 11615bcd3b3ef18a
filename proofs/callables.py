"""sympy expressions of t → vectorised numpy callables for the numeric side.

The numeric side (AdaBound's ``lower=``/``upper=``, learning-rate schedules) takes functions of
an int64 array t of shape (n,) returning (n,) floats; ``of_t`` builds one from an expression
that ``proofs`` owns, so no formula is re-typed in ``regret``.  Piecewise expressions become
``numpy.select``; constants are broadcast to shape (n,).
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import sympy as sp

from .exact import t as t_sym


def of_t(expr, params: dict | None = None, name: str | None = None, t=t_sym) -> Callable[[np.ndarray], np.ndarray]:
    """``expr`` (with ``params`` substituted) as a vectorised float function of t.

    Every free symbol other than t must be given a value in ``params``; the ValueError names
    the missing ones.
    """
    expr = sp.sympify(expr)
    if params:
        expr = expr.subs({(sp.Symbol(k, positive=True) if isinstance(k, str) else k): v for k, v in params.items()})
        expr = expr.subs({sp.Symbol(k) if isinstance(k, str) else k: v for k, v in params.items()})
    missing = sorted(str(s) for s in expr.free_symbols if s.name != t.name)
    if missing:
        raise ValueError(f"{name or 'expression'} {expr} has unbound symbol(s) {', '.join(missing)}; give them values")
    tt = next((s for s in expr.free_symbols if s.name == t.name), t)
    f = sp.lambdify(tt, expr, "numpy")

    def fn(ts):
        ts = np.asarray(ts, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.asarray(f(ts), dtype=np.float64)
        return np.broadcast_to(out, ts.shape).copy()

    fn.__name__ = name or "expr"
    fn.expr = expr
    return fn
