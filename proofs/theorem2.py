"""Reddi, Kale & Kumar (ICLR 2018), Theorem 2: Adam fails for any β1 < √β2 (period-C problem).

Construction: F = [−1, 1], f_t(x) = C·x if t mod C = 1 else −x (C ≥ 2 an integer, so P = C and
a period sums to +1, x* = −1); Adam with constant β1, β2, α_t = α/√t, no bias correction, ε = 0.

Derived condition (``proofs.periodic``): in the periodic steady state, with j the lag since
the C-step,

    m̄_j = −1 + (1−β1)(C+1) β1^j/(1−β1^C),   v̄_j = 1 + (1−β2)(C²−1) β2^j/(1−β2^C),
    S(C) = Σ_{j=0}^{C−1} m̄_j/√v̄_j.

If S(C) < 0 the net move per period, −α S/√t, points up: x is held at +1, each period costs
regret 2 (Adam's loss C − (C−1) = 1 against the comparator's −1), so R_T/T → 2/C > 0.  If
S(C) > 0, x drifts to −1 and R_T/T → 0.  S does not depend on α (α only scales the steps), so
``find_C`` ignores it except in the prediction it returns.  For large C, S(C) ≈ −C + O(1)
when γ = β1/√β2 < 1: the positive terms j with (1−β1)(C+1)β1^j ≳ 1 are bounded by
(1−β1)/((1−γ)√(1−β2)), which is where β1 < √β2 enters.

Signs are decided with rigorous interval arithmetic from the exact rational inputs.

Literature's sufficient condition for β1 = 0 (recalled, unverified in REFERENCE):
β2 ≤ min{C^{−4/(C−2)}, 1 − (9/(2C))²}.  ``compare_literature`` checks it against S(C) < 0:
on every grid we tried, the literature condition implies S < 0, and S < 0 holds for much
smaller C (e.g. β2 = 0.9: C ≥ 7 against C ≥ 204; β2 = 0.99: C ≥ 21 while the literature
condition never holds, since 1 − (9/(2C))² ≤ 0.99 needs C ≥ 45 and C^{−4/(C−2)} < 0.99 until
C is in the thousands): the derived condition is the sharper one.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from . import betas as cond
from . import exact, periodic
from .verdicts import Verdict


@dataclass
class Prediction:
    beta1: sp.Rational
    beta2: sp.Rational
    lr: sp.Rational
    C: int
    drift: tuple            # rigorous enclosure (lo, hi) of S(C)
    fails_to_converge: bool
    average_regret_limit: float


def drift(C, beta1, beta2):
    """Rigorous enclosure of S(C) as an mpmath interval."""
    return periodic.reddi_drift_interval(C, C, 1, exact.rational("beta1", beta1), exact.rational("beta2", beta2))


def predict(C, beta1, beta2, lr=0.1) -> Prediction:
    C = _int_C(C)
    b1, b2 = exact.rational("beta1", beta1), exact.rational("beta2", beta2)
    S = drift(C, b1, b2)
    s = periodic.interval_sign(S)
    if s is None:
        raise ValueError(f"the drift S(C={C}) cannot be told from 0 at this precision")
    return Prediction(b1, b2, exact.rational("lr", lr), C, (float(S.a), float(S.b)), s < 0,
                      2.0 / C if s < 0 else 0.0)


def conditions(beta1, beta2, C=None) -> list[Verdict]:
    out = [cond.beta_condition(beta1, beta2)]
    if C is not None:
        C = _int_C(C)
        S = drift(C, beta1, beta2)
        s = periodic.interval_sign(S)
        out.append(Verdict("steady-state drift S(C) < 0", {-1: "proved", 1: "fails"}.get(s, "undecided"),
                           f"S({C}) ∈ [{float(S.a):.6g}, {float(S.b):.6g}]"
                           + ("" if s == -1 else ": Adam drifts to x* = −1 and converges on this C")))
    return out


def find_C(beta1, beta2, lr=0.1, C_max: int = 100_000, confirm: int = 4):
    """The smallest integer C ≥ 2 with S(C) < 0, checked to stay negative up to ``confirm``·C.

    Returns a ``Prediction`` for that C (its ``average_regret_limit`` is 2/C).  Raises
    ValueError if β1 ≥ √β2 (the construction needs γ < 1) or no C ≤ C_max works.
    """
    v = cond.beta_condition(beta1, beta2)
    if not v:
        raise ValueError(f"beta1={beta1}, beta2={beta2}: {v.reason}; Theorem 2 needs beta1 < sqrt(beta2)")
    b1, b2 = exact.rational("beta1", beta1), exact.rational("beta2", beta2)
    neg = lambda C: periodic.interval_sign(periodic.reddi_drift_interval(C, C, 1, b1, b2)) == -1  # noqa: E731
    # S(C) changes sign once on every grid tried (confirmed below on this C)
    C = exact.first_integer(neg, 2, C_max, f"no C <= C_max={C_max} makes the drift negative for "
                                           f"beta1={b1}, beta2={b2}")
    for k in np.unique(np.round(np.geomspace(C, confirm * C, 12)).astype(int)):
        if not neg(int(k)):
            raise ValueError(f"S(C) is negative at C={C} but not at C={k}: no single threshold")
    return predict(C, b1, b2, lr)


def literature_condition(C, beta2) -> bool:
    """β2 ≤ min{C^{−4/(C−2)}, 1 − (9/(2C))²} (β1 = 0), decided exactly."""
    C = exact.rational("C", C)
    b2 = exact.rational("beta2", beta2)
    if C <= 2:
        return False
    a = C ** (sp.Rational(-4) / (C - 2))
    b = 1 - (sp.Rational(9, 2) / C) ** 2
    return exact.sign(a - b2) in (0, 1) and exact.sign(b - b2) in (0, 1)


def compare_literature(beta2_values, C_values) -> dict:
    """On a (β2, C) grid (β1 = 0): cells where the literature's condition holds, where S < 0,
    and the disagreements (literature holds but S ≥ 0 would refute its sufficiency)."""
    lit, ours = set(), set()
    for b2 in beta2_values:
        for C in C_values:
            key = (str(exact.rational("beta2", b2)), int(C))
            if literature_condition(C, b2):
                lit.add(key)
            if periodic.interval_sign(drift(int(C), 0, b2)) == -1:
                ours.add(key)
    return {"literature": sorted(lit), "derived": sorted(ours), "literature_not_derived": sorted(lit - ours),
            "derived_not_literature": sorted(ours - lit),
            "sharper": "derived" if lit <= ours and ours - lit else "literature" if ours < lit else "neither"}


def _int_C(C) -> int:
    r = exact.rational("C", C)
    if r.q != 1 or r < 2:
        raise ValueError(f"C={C} must be an integer >= 2 (it is the period)")
    return int(r)
