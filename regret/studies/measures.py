"""Numbers measured on runs, the inputs of every verdict.

All take the checkpoint times t (shape (K,)) and one series y (shape (K,)) of a ``Result``.

    tail_slope      d log y / d log t fitted over the last ``decades`` of t (least squares):
                    ≈ 0 for a plateau (R_t/t ↛ 0), ≈ −1/2 for O(√t) regret seen as R_t/t
    tail_ratio      y(T) / y(T / 10^decades): < 1 means y is still decreasing
    tail_mean       the mean of y over the checkpoints of the last ``decades``
    limit_fit       L of the least-squares fit y ≈ L + c/√t over the last ``decades``: the limit of a
                    series that approaches it like O(1/√t) (R_t/t of a learner held off x*)
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
