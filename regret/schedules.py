"""Time-only schedules: plain functions of the step index t (an int64 array of shape (n,)).

Kernels evaluate them once per chunk of steps, never inside the step loop.  A learning-rate
schedule is a *multiplier* s(t), so α_t = lr·s(t) keeps lr a per-configuration array that can be
swept:

    constant   s(t) = 1            (practical convention, torch.optim)
    inv_sqrt   s(t) = 1/√t         (theory convention of Reddi et al. 2018 and Luo et al. 2019)
    callable   s(t) = f(t)         any vectorised function of t, e.g. a lambdified sympy expression

Bound functions of AdaBound/AMSBound (Luo et al. 2019, Section 4) are pairs of functions of t;
``paper_bounds`` is the paper's (and the authors' code's) choice

    η_l(t) = α*·(1 − 1/(γt + 1)),   η_u(t) = α*·(1 + 1/(γt)).

``paper_band`` evaluates these with a built-in lr schedule in one compiled pass (the same
numbers): the theory-convention AdaBound of the studies uses it, any other choice the functions.
"""
from __future__ import annotations

import functools
import math
from typing import Callable

import numba
import numpy as np

from . import validate

Schedule = Callable[[np.ndarray], np.ndarray]


def constant(t: np.ndarray) -> np.ndarray:
    return np.ones(np.shape(t))


def inv_sqrt(t: np.ndarray) -> np.ndarray:
    s = np.sqrt(np.asarray(t), dtype=np.float64)  # the cast to float inside the ufunc: no copy of t
    return np.divide(1.0, s, out=s) if isinstance(s, np.ndarray) else 1.0 / s


LR_SCHEDULES: dict[str, Schedule] = {"constant": constant, "inv_sqrt": inv_sqrt}


def lr_schedule(schedule) -> tuple[Schedule, str]:
    """Resolve a schedule option to (function of t, provenance label): a name of
    ``LR_SCHEDULES``, a callable, or an expression of t (text or sympy, ``as_schedule``)."""
    if callable(schedule) and not _is_expression(schedule):
        return schedule, getattr(schedule, "__name__", "callable")
    if isinstance(schedule, str) and schedule in LR_SCHEDULES:
        return LR_SCHEDULES[schedule], schedule
    if isinstance(schedule, str) and schedule.isidentifier() and schedule != "t":
        validate.choice("schedule", schedule, LR_SCHEDULES)   # a misspelt name, not an expression
    fn = as_schedule(schedule, "schedule")
    return fn, fn.__name__


# --------------------------------------------------------------------------------------------
# Schedules written as text: the one conversion of an expression of t into a callable
# (owner of this section: the schedule lab, issue #15).

class TextSchedule:
    """An expression of t (and named parameters) as a vectorised schedule, lambdified once.

    Called with t (shape (n,)) it returns (n,) when no parameter is swept, else (n, W) with W the
    number of configurations of the swept parameters (each a 1-d array broadcast along axis 1).
    ``expr`` is the sympy expression ``proofs.schedule_check.parse`` read (decimals exact);
    ``__name__`` is the text as given (the provenance label); ``width`` is W (1 when nothing
    is swept).
    """

    def __init__(self, expr, label: str, params: dict):
        import sympy as sp

        self.expr = expr
        self.__name__ = label
        self.params = params
        names = sorted(s.name for s in expr.free_symbols if s.name != "t")
        t_sym = next((s for s in expr.free_symbols if s.name == "t"), sp.Symbol("t", positive=True))
        syms = [t_sym] + [next(s for s in expr.free_symbols if s.name == n) for n in names]
        self._names = names
        self._values = [np.atleast_1d(np.asarray(params[n], dtype=np.float64)) for n in names]
        for n, v in zip(names, self._values):
            if v.ndim != 1:
                raise ValueError(f"parameter {n} of {label!r} must be a scalar or a 1-d array, got shape {v.shape}")
        self.width = validate.batch_size({n: len(v) for n, v in zip(names, self._values)}) if names else 1
        self._f = sp.lambdify(syms, expr, "numpy")

    def __call__(self, t):
        ts = np.asarray(t, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if not self._names:
                out = np.asarray(self._f(ts), dtype=np.float64)
                return np.broadcast_to(out, ts.shape).copy()
            out = np.asarray(self._f(ts[:, None], *(v[None, :] for v in self._values)), dtype=np.float64)
        out = np.broadcast_to(out, (len(ts), self.width))
        return out[:, 0].copy() if self.width == 1 else out.copy()

    def __repr__(self) -> str:
        return f"TextSchedule({self.__name__!r})"


def _is_expression(value) -> bool:
    try:
        import sympy as sp
    except ImportError:  # pragma: no cover - sympy is a core dependency
        return False
    return isinstance(value, sp.Basic)


def as_schedule(value, name: str, params: dict | None = None):
    """A schedule option as a vectorised function of t: the one place text becomes a callable.

    ``value``: a callable (returned unchanged); a number (the constant schedule); or an
    expression of t, as text or a sympy expression, read by the safe parser of ``regret check
    bounds`` (``proofs.schedule_check.parse``: a whitelist of syntax, no ``eval``; decimals
    exact) and lambdified once (numpy), then evaluated per chunk.  ``params`` maps the names
    the expression may use to values: scalars, or 1-d arrays of configurations (a sweep in one
    batched run; the function then returns (n, W)).  Every error is a ValueError/TypeError that
    names ``name``.  The numbers are those of the expression sympy holds (``.expr``, decimals
    as exact rationals, printed by lambdify): bit for bit those of a Python callable written in
    that form — e.g. ``0.1-0.1/(t+1)`` — and within rounding of any other way of writing it
    (sympy may distribute a product or turn ``1/(0.01*t)`` into ``100/t``);
    ``tests/test_schedule_text.py`` checks both.
    """
    if callable(value) and not _is_expression(value):
        return value
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}={value!r} must be an expression of t, a number or a callable")
    if isinstance(value, (int, float, np.integer, np.floating)):
        value = repr(float(value))
    if not isinstance(value, str) and not _is_expression(value):
        raise TypeError(f"{name}={value!r} must be an expression of t (text or sympy), a number or a callable")
    params = dict(params or {})
    key = (value, name, tuple(sorted(params))) if isinstance(value, str) else None
    expr = _parsed(*key) if key is not None else _parse(value, name, tuple(sorted(params)))
    return TextSchedule(expr, value if isinstance(value, str) else str(value), params)


def _parse(value, name, names):
    from proofs.schedule_check import parse

    return parse(value, name, dict.fromkeys(names))


@functools.lru_cache(maxsize=256)
def _parsed(value, name, names):
    """Parsing is the slow part (sympy, ~ms): a kernel resolves its schedule more than once."""
    return _parse(value, name, names)


def widths(**fns) -> dict[str, range]:
    """{name: range(W)} for the text schedules among ``fns`` that sweep W > 1 configurations, for
    a kernel's ``batch_of`` (so a sweep of a schedule's parameter sets the batch)."""
    return {k: range(f.width) for k, f in fns.items() if getattr(f, "width", 1) > 1}


def lr_values(lr: np.ndarray, fn: Schedule, t: np.ndarray, batch: int) -> np.ndarray:
    """α_t = lr·s(t) as an (n, B_k) array; for the constant schedule a broadcast view of lr (time
    stride 0, the same numbers: lr·1 = lr), which the fused loop loads once per configuration
    instead of per step, and which costs no memory per step."""
    if fn is constant:
        return np.broadcast_to(lr[None, :], (len(t), lr.shape[0]))
    return lr[None, :] * evaluate("schedule", fn, t, batch)


def multiplier(fn: Schedule, t: np.ndarray, batch: int) -> np.ndarray:
    """s(t) as an (n, 1) or (n, W) coefficient: the time-only factor of α_t = lr·s(t).

    Kernels whose rule forms α_t = lr·s_t itself (lr a parameter, one multiply per step, the
    same rounding as numpy's ``lr[None, :] * s``) take this instead of ``lr_values``: a swept lr
    then costs no (n, B_k) array per chunk, and the constant schedule is a broadcast view of 1
    (time stride 0), loaded once."""
    if fn is constant:
        return np.broadcast_to(np.ones((1, 1)), (len(t), 1))
    return evaluate("schedule", fn, t, batch)


def evaluate(name: str, fn: Callable, t: np.ndarray, batch: int) -> np.ndarray:
    """fn(t) as an (n, batch) or (n, 1) float array, checked finite; the error names ``name``.

    ``fn`` may return shape (n,), (n, 1), (n, batch) or a scalar.
    """
    t = np.asarray(t, dtype=np.int64)
    try:
        out = np.asarray(fn(t), dtype=np.float64)
    except Exception as exc:  # a user callable failing is a user error: name it
        raise ValueError(f"{name} could not be evaluated at t={t[0]}..{t[-1]}: {exc}") from None
    if out.ndim == 0:
        out = np.full((len(t), 1), float(out))
    elif out.ndim == 1:
        out = out[:, None]
    if out.shape[0] != len(t) or out.shape[1] not in (1, batch):
        raise ValueError(f"{name} returned shape {out.shape} for {len(t)} steps; expected ({len(t)},), "
                         f"({len(t)}, 1) or ({len(t)}, {batch})")
    # a finite sum proves every entry finite in one pass without a temporary (this runs per chunk
    # on every schedule); an infinite one may be overflow, so then every entry is looked at
    if not np.isfinite(np.add.reduce(out, axis=None)) and not np.all(np.isfinite(out)):
        k = int(np.argmax(~np.all(np.isfinite(out), axis=1)))
        raise ValueError(f"{name} is not finite at t={int(t[k])}")
    return out


def paper_bounds(final_lr: np.ndarray, gamma: np.ndarray) -> tuple[Schedule, Schedule]:
    """Luo et al. (2019) bound functions for per-configuration α* = final_lr and γ = gamma.

    Each returned function maps t of shape (n,) to an (n, B) array.  The formulas are those of
    ``proofs.schedule_check.paper_schedule`` (the expressions the theory checks), lambdified.
    """
    final_lr = np.atleast_1d(final_lr)[None, :]
    gamma = np.atleast_1d(gamma)[None, :]
    f_lower, f_upper = _paper_functions()

    def lower(t):
        return f_lower(np.asarray(t, dtype=np.float64)[:, None], final_lr, gamma)

    def upper(t):
        return f_upper(np.asarray(t, dtype=np.float64)[:, None], final_lr, gamma)

    return lower, upper


def paper_band(lr: np.ndarray, final_lr: np.ndarray, gamma: np.ndarray, schedule: str):
    """The theory-convention coefficients of AdaBound with the paper's bounds, in one compiled pass.

    Returns ``band(t) -> (α_t, η_l(t)·s(t), η_u(t)·s(t))``, each an (n, B_k) array, for the lr
    schedule ``schedule`` ("constant" or "inv_sqrt"; s(t) = 1 or 1/√t, α_t = lr·s(t)).  The
    numbers are those of ``lr_schedule``, ``paper_bounds`` and the products, operation for
    operation (the bound formulas are those sympy prints from ``proofs.schedule_check.paper_schedule``,
    the same expressions ``paper_bounds`` lambdifies; a test holds the two equal bit for bit).  Why: evaluated by numpy these take about
    twenty passes over (n, 1) temporaries per chunk, which made them, not the step loop, the
    limit of a one-configuration AdaBound run (they are computed on a second thread meanwhile).
    A bound that is not finite (γ so small that 1/(γt) overflows) raises the same ValueError.
    """
    if schedule not in ("constant", "inv_sqrt"):
        raise ValueError(f"schedule={schedule!r}: paper_band knows 'constant' and 'inv_sqrt'")
    fill, fill1 = _band_fill, _band_fill1
    inv = schedule == "inv_sqrt"
    params = [np.ascontiguousarray(np.atleast_1d(a), dtype=np.float64) for a in (lr, final_lr, gamma)]
    m_lr, m_b = len(params[0]), max(len(params[1]), len(params[2]))  # widths as numpy would broadcast

    one = m_lr == 1 and m_b == 1
    scalars = [float(a[0]) for a in params]

    def band(t):
        ts = np.ascontiguousarray(t, dtype=np.int64)
        n = len(ts)
        out = (np.empty((n, m_lr)), np.empty((n, m_b)), np.empty((n, m_b)))
        if one:  # one configuration's columns as 1-d arrays: the loop LLVM vectorises
            bad, which = fill1(ts, *scalars, inv, *(c[:, 0] for c in out))
        else:
            bad, which = fill(ts, *params, inv, *out)
        if bad >= 0:
            raise ValueError(f"{('lower', 'upper')[which]} is not finite at t={int(ts[bad])}")
        return out

    return band


# The paper's bounds, η_l = α*·(1 − 1/(γt + 1)) and η_u = α*·(1 + 1/(γt)), written exactly as sympy
# prints ``proofs.schedule_check.paper_schedule`` (the operations of the lambdified numpy path, in
# the same order: tests/test_kernels_theory.py checks the two bit for bit).
# compiled on first use (not at import), then served from numba's on-disk cache
@numba.njit(cache=True, nogil=True, error_model="numpy")
def _band_fill(ts, lr_, alpha_, gamma_, inv_sqrt, step, lower, upper):
    """(n, B_k) columns of α_t, η_l(t)·s(t), η_u(t)·s(t); (k, which) of the first non-finite bound."""
    n, m = lower.shape
    a_c, g_c = alpha_.shape[0] > 1, gamma_.shape[0] > 1
    for j in range(step.shape[1]):
        lr = lr_[j]
        for k in range(n):
            step[k, j] = lr * (1.0 / math.sqrt(float(ts[k])) if inv_sqrt else 1.0)
    for j in range(m):
        alpha, gamma = alpha_[j * a_c], gamma_[j * g_c]
        for k in range(n):
            t = float(ts[k])
            s = 1.0 / math.sqrt(t) if inv_sqrt else 1.0
            lower[k, j] = (alpha * (1 - 1 / (gamma * t + 1))) * s
            upper[k, j] = (alpha * (1 + 1 / (gamma * t))) * s
    for k in range(n):  # a pass of its own, so that the ones above stay free of branches
        for j in range(m):
            if not math.isfinite(lower[k, j]):
                return k, 0
            if not math.isfinite(upper[k, j]):
                return k, 1
    return -1, -1


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _band_fill1(ts, lr, alpha, gamma, inv_sqrt, step, lower, upper):
    """``_band_fill`` for one configuration, 1-d columns: the loop LLVM vectorises."""
    n = ts.shape[0]
    for k in range(n):
        t = float(ts[k])
        s = 1.0 / math.sqrt(t) if inv_sqrt else 1.0
        step[k] = lr * s
        lower[k] = (alpha * (1 - 1 / (gamma * t + 1))) * s
        upper[k] = (alpha * (1 + 1 / (gamma * t))) * s
    for k in range(n):
        if not math.isfinite(lower[k]):
            return k, 0
        if not math.isfinite(upper[k]):
            return k, 1
    return -1, -1


@functools.lru_cache(maxsize=1)
def _paper_functions():
    """(η_l, η_u) of the paper as numpy functions of (t, α*, γ), built once per process."""
    import sympy as sp  # only AdaBound-family kernels pay for sympy, once

    from proofs.schedule_check import paper_schedule

    out = []
    for expr in paper_schedule():
        sym = {s.name: s for s in expr.free_symbols}
        out.append(sp.lambdify((sym["t"], sym["alpha"], sym["gamma"]), expr, "numpy"))
    return tuple(out)


# --------------------------------------------------------------------------------------------
# β1t schedules (the first-moment weight of the Adam family)
#
# Also multipliers: β1t = β1·s1(t), so β1 = β11 stays the swept per-configuration value of the
# theorems (Reddi et al. 2018, Thm 4; Luo et al. 2019, Thm 4 and Cor. 4.1):
#
#     constant   s1(t) = 1                 β1t = β1
#     exp        s1(t) = λ^(t−1)           β1t = β1·λ^(t−1)   (``lam`` = λ ∈ (0, 1])
#     inv_t      s1(t) = 1/t               β1t = β1/t
#     callable   s1(t) = f(t)              any vectorised function of t; β1t ∈ [0, 1) is checked

BETA1_SCHEDULES = ("constant", "exp", "inv_t")


def column_powers(base: np.ndarray, exponent: np.ndarray) -> np.ndarray:
    """base[j]^exponent[k] as an (n, B_k) array, one column per configuration.

    A configuration's numbers must not depend on the rest of the batch, and numpy's SIMD pow and
    its scalar loop can differ in the last bit, the choice depending on the layout.  So each
    distinct base is one row of a (U, n) power whose inner loop runs over the steps with the
    base broadcast, exactly the loop of ``np.power(b, exponent)`` for that base alone (tested bit
    for bit); configurations sharing a base (a grid's rows) share its row.  Before, one
    ``np.power`` call per configuration: 30 ms of Python per chunk of a 10^4-configuration
    practical-Adam sweep, the whole cost of its run.
    """
    base = np.asarray(base, dtype=np.float64)
    exponent = np.asarray(exponent, dtype=np.float64)
    uniq, inverse = np.unique(base, return_inverse=True)
    n = len(exponent)
    # one step is padded to two: numpy drops a length-1 axis, and its loop would then run over
    # the bases with the exponent a scalar, which has its own fast paths (x**2 as x*x)
    padded = exponent if n > 1 else np.repeat(exponent, 2)
    rows_ = np.power(uniq[:, None], padded[None, :])[:, :n]
    # gathered back in the configurations' order (unique sorts) as a C-ordered (n, B_k) array:
    # a transposed view would cost the fused engine a transposing copy of every coefficient
    return np.take(rows_.T, inverse.reshape(-1), axis=1)


def beta1_schedule(schedule, lam=None) -> tuple[Schedule | None, str]:
    """Resolve a β1t schedule option to (multiplier s1 of t, provenance label); the constant
    schedule resolves to (None, "constant").

    ``lam`` (λ, scalar or per-configuration array, in (0, 1]) is required by "exp" only.
    """
    if schedule is None:
        schedule = "constant"
    if (isinstance(schedule, str) and schedule not in BETA1_SCHEDULES
            and not (schedule.isidentifier() and schedule != "t") or _is_expression(schedule) or isinstance(schedule, (int, float)) and not isinstance(schedule, bool)):
        schedule = as_schedule(schedule, "beta1_schedule")   # an expression of t: the multiplier s1(t)
    if callable(schedule):
        if lam is not None:
            raise ValueError("lam is only used by beta1_schedule='exp'")
        return schedule, getattr(schedule, "__name__", "callable")
    name = validate.choice("beta1_schedule", schedule, BETA1_SCHEDULES)
    if name == "exp":
        if lam is None:
            raise ValueError("beta1_schedule='exp' (β1t = β1·lam^(t−1)) needs lam in (0, 1]")
        lam_a = np.atleast_1d(validate.in_range("lam", lam, 0, 1, lo_open=True)).astype(np.float64)
        if lam_a.ndim != 1:
            raise ValueError(f"lam must be a scalar or a 1-d array of configurations, got shape {lam_a.shape}")

        def exp(t):
            return column_powers(lam_a, np.asarray(t, dtype=np.float64) - 1.0)

        return exp, "exp"
    if lam is not None:
        raise ValueError(f"lam is only used by beta1_schedule='exp', not {name!r}")
    if name == "inv_t":
        def inv_t(t):
            return 1.0 / np.asarray(t, dtype=np.float64)

        return inv_t, "inv_t"
    # None, not the constant function: the kernels then pass β1 as a broadcast view instead of
    # building and range-checking an (n, B) array every chunk (the hot path of every sweep)
    return None, "constant"


def beta1_values(fn: Schedule, beta1: np.ndarray, t: np.ndarray, batch: int) -> np.ndarray:
    """β1t = β1·s1(t) as (n, batch), checked to lie in [0, 1) (else a ValueError naming t).

    ``batch`` is the kernel's: s1 may vary per configuration (λ of "exp") where β1 does not.
    """
    s = evaluate("beta1_schedule", fn, t, batch)
    b1t = beta1[None, :] * s
    bad = (b1t < 0) | (b1t >= 1)
    if np.any(bad):
        k, j = np.argwhere(bad)[0]
        raise ValueError(f"beta1_schedule gives beta1_t={b1t[k, j]:.6g} at t={int(t[k])}; "
                         "beta1_t must lie in [0, 1)")
    return np.broadcast_to(b1t, (len(t), max(b1t.shape[1], beta1.shape[0], 1)))
