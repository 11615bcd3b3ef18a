"""The step operations both engines share, written once as jitable functions.

Like the kernels' rules (``kernels/base.py``), these use only arithmetic, so the same source runs
on (B, d) arrays in the numpy reference engine and on scalars inside the fused engine's compiled
loops (``register_jitable`` leaves them plain Python functions that compiled code can call).
That is what makes the two engines agree bit for bit on d = 1: they do the same operations in
the same order, not two copies kept equal by tests.
"""
from __future__ import annotations

import numpy as np
from numba.extending import register_jitable


@register_jitable
def kahan_add(total, comp, term):
    """(total + term, its compensation), Kahan-compensated: returns (new total, new comp).

        y = term − comp;  t' = total + y;  comp' = (t' − total) − y

    comp carries the low-order part lost by the last addition, subtracted from the next term
    (Kahan 1965).  With T up to 10^9 steps and |f_t| up to ~10^3 a plain running sum can lose
    ~T·ulp(Σ) ≈ 10^2, comparable with the O(√T) regret it is meant to resolve; compensated, the
    error is O(ε·Σ|f_t|).  The exact total is ``total − comp``.
    """
    y = term - comp
    new = total + y
    return new, (new - total) - y


@register_jitable
def is_finite(q):
    """q − q == 0: true for a finite q, false for NaN and ±inf (a compare that vectorises)."""
    return (q - q) == 0.0


@register_jitable
def fault_code(out):
    """−1 when every value of the rule's output ``out`` = (x̂, η, *state) is finite, else the
    index of the first that is not: the fault code of the numpy engine's commit
    (``engine.tracker.commit``).  One test per step: a sum of the new values is finite if each
    one is; a non-finite sum (a NaN or ±inf among them, or finite values overflowing) sends the
    step to the tests one by one, which name the first non-finite quantity or find none."""
    total = out[0]
    for j in range(1, len(out)):
        total = total + out[j]
    if np.isfinite(total):
        return -1
    for j in range(len(out)):
        if not np.isfinite(out[j]):
            return j
    return -1
