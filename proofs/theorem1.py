"""Reddi, Kale & Kumar (ICLR 2018), Theorem 1: Adam fails on a period-3 online problem.

Construction: F = [−1, 1], f_t(x) = C·x if t mod 3 = 1 else −x, C > 2; β1 = 0,
β2 = 1/(1+C²), α_t = α/√t with α < √(1−β2), x_1 = 1 (theory convention: no bias correction,
ε = 0).  x* = −1 since a period sums to C − 2 > 0.

Derived here (``derivation()``, every inequality checked by sympy for symbolic C > 0):

* periodic steady state of v (``proofs.periodic``), phases j = 0, 1, 2 after the C-step:
  v̄_j = (1−β2)/(1−β2³)·w_j with w_0 = C² + β2 + β2², w_1 = 1 + β2C² + β2², w_2 = 1 + β2 + β2²C²;
* β2C² = C²/(1+C²) < 1 and β2 < 1, so w_1 < 3 and w_2 < 3, while w_0 > C²; hence the drift
  S ∝ C/√w_0 − 1/√w_1 − 1/√w_2 < 1 − 2/√3 < 0: the two −1 steps move x up by more than the
  C step moves it down, so from x = 1 Adam returns to x = 1 every period (for all C > 0; C > 2
  is only needed for x* = −1).  α < √(1−β2) keeps the very first step (v_1 = (1−β2)C²) below 1.
* Per period (t = 3k+1..3k+3) the regret is (2C − 4) + (1 − x_{3k+2}) + (1 − x_{3k+3}) ≥ 2C − 4,
  so R_T/T → (2C − 4)/3.  The excursions are a/√v̄-sized with a = α/√(3k):
  1 − x_{3k+2} ≈ aC/√v̄_0 and 1 − x_{3k+3} ≈ a·max(0, C/√v̄_0 − 1/√v̄_1); summing
  Σ_k 1/√(3k) ≈ (2/3)√T gives the finite-T prediction

      R_T/T ≈ (2C − 4)/3 + (2αE/3)/√T,   E = C/√v̄_0 + max(0, C/√v̄_0 − 1/√v̄_1).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from . import exact, periodic
from .verdicts import Verdict


@dataclass
class Prediction:
    C: sp.Rational
    beta2: sp.Rational
    lr: sp.Rational
    conditions: list
    drift: sp.Expr                  # S = Σ m̄_j/√v̄_j (exact); < 0 means x is held at +1
    average_regret_limit: sp.Expr   # lim R_T/T
    correction: sp.Expr             # c in R_T/T ≈ limit + c/√T

    @property
    def fails_to_converge(self) -> bool:
        return exact.sign(self.drift) == -1 and self.average_regret_limit > 0

    def average_regret(self, T) -> np.ndarray:
        """The finite-T prediction (2C−4)/3 + c/√T, vectorised over T."""
        T = np.asarray(T, dtype=float)
        return float(self.average_regret_limit) + float(self.correction) / np.sqrt(T)


def conditions(C, beta2=None, lr=None, beta1=0) -> list[Verdict]:
    """Theorem 1's hypotheses as named clauses, each decided exactly."""
    C = exact.rational("C", C)
    b1 = exact.rational("beta1", beta1)
    b2 = 1 / (1 + C ** 2) if beta2 is None else exact.rational("beta2", beta2)
    out = [
        Verdict("C > 2", "proved" if C > 2 else "fails",
                f"C = {C}" + ("" if C > 2 else ": a period sums to C − 2 ≤ 0, so x* = −1 is not the optimum")),
        Verdict("beta1 = 0", "proved" if b1 == 0 else "fails",
                f"beta1 = {b1}" + ("" if b1 == 0 else "; Theorem 1 is stated for β1 = 0 (see theorem2 for β1 > 0)")),
        Verdict("beta2 = 1/(1+C^2)", "proved" if b2 == 1 / (1 + C ** 2) else "fails",
                f"beta2 = {b2}, 1/(1+C²) = {1 / (1 + C ** 2)}"),
    ]
    if lr is not None:
        a = exact.rational("lr", lr)
        bound = sp.sqrt(1 - b2)
        ok = exact.sign(bound - a) == 1
        out.append(Verdict("lr < sqrt(1 - beta2)", "proved" if ok else "fails",
                           f"lr = {a}, √(1−β2) = {sp.N(bound, 8)}"))
    return out


def derivation() -> list[Verdict]:
    """The steps of the proof for symbolic C > 0, each inequality verified by sympy."""
    C = sp.Symbol("C", positive=True)
    b2 = 1 / (1 + C ** 2)
    _, v = periodic.steady_moments([C, -1, -1], 0, b2)
    scale = (1 - b2) / (1 - b2 ** 3)
    w = [sp.simplify(vj / scale) for vj in v]
    claims = [
        ("v̄_j = (1−β2)/(1−β2³)·w_j, w = (C²+β2+β2², 1+β2C²+β2², 1+β2+β2²C²)",
         sp.simplify(w[0] - (C ** 2 + b2 + b2 ** 2)) == 0 and sp.simplify(w[1] - (1 + b2 * C ** 2 + b2 ** 2)) == 0
         and sp.simplify(w[2] - (1 + b2 + b2 ** 2 * C ** 2)) == 0),
        ("w_0 > C²  (so C/√w_0 < 1)", _positive(w[0] - C ** 2, C)),
        ("w_1 < 3", _positive(3 - w[1], C)),
        ("w_2 < 3", _positive(3 - w[2], C)),
        ("1 − 2/√3 < 0  (so S < 0: x returns to +1 every period)", bool(1 - 2 / sp.sqrt(3) < 0)),
    ]
    return [Verdict(text, "proved" if ok else "undecided", "verified by sympy for all C > 0" if ok else "sympy could not verify")
            for text, ok in claims]


def _positive(expr, C) -> bool:
    return exact.certify(sp.together(expr).subs(C, exact.t), 0) == 1


def predict(C, beta2=None, lr=0.1) -> Prediction:
    """Theorem 1's prediction for (C, β2, α): drift, lim R_T/T = (2C−4)/3 and the √T correction."""
    C = exact.rational("C", C)
    if C <= 0:
        raise ValueError(f"C={C} must be > 0")
    b2 = 1 / (1 + C ** 2) if beta2 is None else exact.rational("beta2", beta2)
    if not 0 <= b2 < 1:
        raise ValueError(f"beta2={b2} is outside the allowed range [0, 1)")
    a = exact.rational("lr", lr)
    m, v = periodic.steady_moments([C, -1, -1], 0, b2)
    S = sp.nsimplify(periodic.drift([C, -1, -1], 0, b2))
    r0, r1 = C / sp.sqrt(v[0]), 1 / sp.sqrt(v[1])
    E = r0 + sp.Max(0, r0 - r1)
    stuck = exact.sign(S) == -1
    limit = (2 * C - 4) / 3 if stuck else sp.nan
    return Prediction(C, b2, a, conditions(C, b2, a), S, limit, 2 * a * E / 3 if stuck else sp.nan)
