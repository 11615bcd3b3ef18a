"""Numbers measured on runs, the inputs of every verdict.

All take the checkpoint times t (shape (K,)) and one series y (shape (K,)) of a ``Result``.

    tail_slope      d log y / d log t fitted over the last ``decades`` of t (least squares):
                    ≈ 0 for a plateau (R_t/t ↛ 0), ≈ −1/2 for O(√t) regret seen as R_t/t
    tail_ratio      y(T) / y(T / 10^decades): < 1 means y is still decreasing
    tail_mean       the mean of y over the checkpoints of the last ``decades``
    limit_fit       L of the least-squares fit y ≈ L + c/√t over the last ``decades``: the limit of a
                    series that approaches it like O(1/√t) (R_t/t of a learner held off x*)
    bound_ratio     max_t R_t/bound_t over the whole run, where it sits, and R_T/bound_T
"""
from __future__ import annotations

import numpy as np


def _tail(t: np.ndarray, decades: float) -> np.ndarray:
    t = np.asarray(t, dtype=np.float64)
    return t >= t[-1] / 10.0 ** decades


def tail_slope(t, y, decades: float = 1.0) -> float:
    """Least-squares slope of log y against log t over t ≥ T/10^decades (NaN if some y ≤ 0)."""
    t = np.asarray(t, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    sel = _tail(t, decades)
    if sel.sum() < 2 or np.any(y[sel] <= 0) or not np.all(np.isfinite(y[sel])):
        return float("nan")
    return float(np.polyfit(np.log(t[sel]), np.log(y[sel]), 1)[0])


def value_at(t, y, when: float) -> float:
    """y at the last checkpoint ≤ ``when`` (checkpoints are log-spaced, so this is close)."""
    t = np.asarray(t)
    k = int(np.searchsorted(t, when, side="right")) - 1
    return float(np.asarray(y)[max(k, 0)])


def tail_ratio(t, y, decades: float = 1.0) -> float:
    """y(T) / y(T/10^decades)."""
    t = np.asarray(t)
    return float(np.asarray(y)[-1] / value_at(t, y, t[-1] / 10.0 ** decades))


def tail_mean(t, y, decades: float = 1.0) -> float:
    sel = _tail(t, decades)
    return float(np.mean(np.asarray(y, dtype=np.float64)[sel]))


def limit_fit(t, y, decades: float = 1.0) -> float:
    """L of the least-squares fit y ≈ L + c/√t over t ≥ T/10^decades (NaN with fewer than 3 points)."""
    t = np.asarray(t, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    sel = _tail(t, decades) & np.isfinite(y)
    if sel.sum() < 3:
        return float("nan")
    A = np.stack([np.ones(int(sel.sum())), 1.0 / np.sqrt(t[sel])], axis=1)
    return float(np.linalg.lstsq(A, y[sel], rcond=None)[0][0])


def relative_error(measured: float, predicted: float) -> float:
    return abs(measured - predicted) / abs(predicted)


def bound_ratio(t, measured, bound) -> dict:
    """How a run sits under a bound over the whole run, not at one checkpoint.

    ``measured`` and ``bound`` are (K,) or (K, B) (B seeds); the ratio q_t = R_t / bound_t is
    taken at every checkpoint (and seed).  Returns ``max`` = max q_t (≤ 1 means the bound holds at
    every checkpoint; its size says how tight the bound is: 0.01 is a bound 100× above the run
    at its closest), ``t_max`` (where), ``at_T`` = max over seeds of q_T, and ``text``, the line a
    report prints.  A minimum slack bound_t − R_t would say nothing here: both are largest at
    t = 1, where the bounds coincide.
    """
    t = np.asarray(t)
    q = np.asarray(measured, dtype=np.float64) / np.asarray(bound, dtype=np.float64)
    q2 = q.reshape(len(t), -1)
    k = int(np.nanargmax(np.nanmax(q2, axis=1)))
    worst, at_T = float(np.nanmax(q2)), float(np.nanmax(q2[-1]))
    tight = f"{1 / worst:.3g}× above R_t there" if worst > 0 else "R_t ≤ 0 there"
    return {"max": worst, "t_max": int(t[k]), "at_T": at_T,
            "text": f"max R_t/bound_t = {worst:.3g} at t = {int(t[k])} ({tight}); R_T/bound_T = {at_T:.3g}"}
