"""Limits the reproduce studies need that no theorem module states as a function (owned by the
reproduce issue; see ``regret.studies``).

held_limit(gradients, held, optimum)
    An online learner whose iterate is held at ``held`` while the comparator sits at ``optimum``,
    on linear losses whose gradients average to ḡ over a period (or in expectation), has

        R_T/T → ḡ·(held − optimum)

    (its loss per step tends to ḡ·held, the comparator's to ḡ·optimum: the comparator of
    linear losses on an interval is the end that minimises ⟨Σ g_t, x⟩, here ``optimum``).
    Used for the −1/2 example (gradients −1, +2, 0, …, 0 over a period C: ḡ = 1/C, held = +1,
    x* = −1, so 2/C) and for Reddi et al.'s stochastic problem (ḡ = E g = δ: 2δ).  Exact (sympy
    Rationals from the inputs).
"""
from __future__ import annotations

import sympy as sp

from . import exact


def held_limit(gradients, held=1, optimum=-1) -> sp.Rational:
    """lim R_T/T = ḡ·(held − optimum), ḡ the mean of one period of ``gradients`` (a sequence) or
    the expected gradient (a number)."""
    if isinstance(gradients, (list, tuple)):
        if not gradients:
            raise ValueError("gradients must be a non-empty period of gradients or a number")
        g = sp.Add(*[exact.rational("gradient", v) for v in gradients]) / len(gradients)
    else:
        g = exact.rational("gradient", gradients)
    h, o = exact.rational("held", held), exact.rational("optimum", optimum)
    if g * (h - o) < 0:
        raise ValueError(f"held={h} is better than optimum={o} for mean gradient {g}: not a comparator")
    return g * (h - o)


def minus_one_two_pattern(C: int) -> list[int]:
    """One period of the −1/2 example's gradients: −1, +2, then C − 2 zeros (Luo et al. 2019, §3)."""
    C = int(C)
    if C < 3:
        raise ValueError(f"C={C} must be an integer >= 3")
    return [-1, 2] + [0] * (C - 2)
