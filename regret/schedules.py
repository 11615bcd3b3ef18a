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
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from . import checks

Schedule = Callable[[np.ndarray], np.ndarray]


def constant(t: np.ndarray) -> np.ndarray:
    return np.ones(np.shape(t))


def inv_sqrt(t: np.ndarray) -> np.ndarray:
    return 1.0 / np.sqrt(np.asarray(t, dtype=np.float64))


LR_SCHEDULES: dict[str, Schedule] = {"constant": constant, "inv_sqrt": inv_sqrt}


def lr_schedule(schedule) -> tuple[Schedule, str]:
    """Resolve a schedule option to (function of t, provenance label)."""
    if callable(schedule):
        return schedule, getattr(schedule, "__name__", "callable")
    name = checks.choice("schedule", schedule, LR_SCHEDULES)
    return LR_SCHEDULES[name], name


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
    if not np.all(np.isfinite(out)):
        k = int(np.argmax(~np.all(np.isfinite(out), axis=1)))
        raise ValueError(f"{name} is not finite at t={int(t[k])}")
    return out


def paper_bounds(final_lr: np.ndarray, gamma: np.ndarray) -> tuple[Schedule, Schedule]:
    """Luo et al. (2019) bound functions for per-configuration α* = final_lr and γ = gamma.

    Each returned function maps t of shape (n,) to an (n, B) array.
    """
    final_lr = np.atleast_1d(final_lr)[None, :]
    gamma = np.atleast_1d(gamma)[None, :]

    def lower(t):
        t = np.asarray(t, dtype=np.float64)[:, None]
        return final_lr * (1.0 - 1.0 / (gamma * t + 1.0))

    def upper(t):
        t = np.asarray(t, dtype=np.float64)[:, None]
        return final_lr * (1.0 + 1.0 / (gamma * t))

    return lower, upper
