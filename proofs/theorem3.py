"""Reddi, Kale & Kumar (ICLR 2018), Theorem 3: Adam fails on a stochastic convex problem.

Construction: F = [−1, 1], f_t(x) = C·x with probability p = (1+δ)/(C+1), else −x, i.i.d.;
E[g_t] = pC − (1−p) = δ > 0, so x* = −1.  Adam with β1, β2, α_t = α/√t, no bias correction.

Away from the boundary, E[x_{t+1} − x_t] = −(α/√t)·E[m_t/√v_t].  In the stationary regime,
with B_i ∈ {0, 1} the indicator that the step i steps ago drew C (i = 0 is the current one),

    m = −1 + (1−β1)(C+1)·Σ_i β1^i B_i,     v = 1 + (1−β2)(C²−1)·Σ_i β2^i B_i,

so the drift is D = E[m/√v] and **E[x_{t+1}] ≥ E[x_t] near the boundary iff D ≤ 0**.

What is closed form and what is numerical (the docs promise to say which):

* β1 = 0: D = pC·E[1/√(1+(C²−1)((1−β2)+β2W))] − (1−p)·E[1/√(1+(C²−1)β2W)] with
  W = (1−β2)Σ_{i≥0} β2^i B_i ∈ [0, 1], E W = p, independent of B_0.  W has no closed-form law
  (a Bernoulli convolution), so D itself has **no closed form**.  A closed-form **sufficient**
  condition follows from W ≥ 0 in the first term and Jensen (x ↦ (1+ax)^{−1/2} is convex) in
  the second:

      pC/√(1+(C²−1)(1−β2)) < (1−p)/√(1+(C²−1)β2 p)   ⟹   D < 0.

  As C → ∞ the left side is ~(1+δ)/(C√(1−β2)) and the right ~1/√((1+δ)β2 C), so it holds for
  all C large enough (``sufficient_C``), for every β2 ∈ (0, 1).
* β1 > 0: m and v are dependent through the same B_i; D is computed **numerically** by exact
  sampling of the stationary law (positions of the C-draws are sums of geometric gaps, the
  series truncated where β^i < 1e−9), with a standard error (``expected_drift``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from . import betas as cond
from . import exact
from .verdicts import Verdict


def _p(C, delta):
    return (1 + delta) / (C + 1)


def sufficient_condition(C, delta, beta2) -> Verdict:
    """The closed-form sufficient condition for β1 = 0 (see the module docstring), exactly."""
    C, d, b2 = exact.rational("C", C), exact.rational("delta", delta), exact.rational("beta2", beta2)
    if not (C > 0 and 0 < d < C and 0 <= b2 < 1):
        raise ValueError(f"need C > 0, 0 < delta < C, 0 <= beta2 < 1; got C={C}, delta={d}, beta2={b2}")
    p = _p(C, d)
    lhs = p * C / sp.sqrt(1 + (C ** 2 - 1) * (1 - b2))
    rhs = (1 - p) / sp.sqrt(1 + (C ** 2 - 1) * b2 * p)
    s = exact.sign(rhs - lhs)
    return Verdict("pC/sqrt(1+(C^2-1)(1-beta2)) < (1-p)/sqrt(1+(C^2-1)beta2 p)",
                   "proved" if s == 1 else "fails" if s is not None else "undecided",
                   f"{sp.N(lhs, 6)} vs {sp.N(rhs, 6)} (p = {p})")


def sufficient_C(delta, beta2, C_max: int = 10 ** 7) -> int:
    """The smallest integer C > δ from which the sufficient condition holds (checked up to 4C)."""
    ok = lambda C: bool(sufficient_condition(C, delta, beta2))  # noqa: E731
    start = max(2, int(float(exact.rational("delta", delta))) + 1)
    C = exact.first_integer(ok, start, C_max, f"no C <= {C_max} satisfies the sufficient condition for "
                                              f"delta={delta}, beta2={beta2}")
    if not all(ok(k) for k in (C, 2 * C, 4 * C)):
        raise ValueError("the sufficient condition is not monotone in C here")
    return C


@dataclass
class Drift:
    mean: float
    stderr: float
    n: int

    @property
    def sign(self) -> int | None:
        """−1/+1 when the mean is 4 standard errors from 0, else None."""
        if abs(self.mean) < 4 * self.stderr:
            return None
        return -1 if self.mean < 0 else 1


def expected_drift(C, delta, beta1, beta2, n: int = 40_000, seed: int = 0) -> Drift:
    """D = E[m/√v] in the stationary regime, by exact sampling (numerical: no closed form)."""
    C, d = float(C), float(delta)
    b1, b2 = float(beta1), float(beta2)
    p = _p(C, d)
    if not 0 < p < 1:
        raise ValueError(f"delta={delta} with C={C} gives p={p}, outside (0, 1)")
    horizon = int(np.ceil(np.log(1e-9) / np.log(max(b1, b2, 1e-3))))
    cols = int(horizon * p + 8 * np.sqrt(horizon * p + 1) + 10)
    rng = np.random.default_rng(seed)
    pos = np.cumsum(rng.geometric(p, size=(n, cols)), axis=1) - 1      # positions of the C-draws
    live = pos < horizon
    sm = np.where(live, b1 ** np.minimum(pos, horizon), 0.0).sum(axis=1) if b1 > 0 else (pos[:, 0] == 0).astype(float)
    sv = np.where(live, b2 ** np.minimum(pos, horizon), 0.0).sum(axis=1) if b2 > 0 else (pos[:, 0] == 0).astype(float)
    m = -1.0 + (1 - b1) * (C + 1) * sm
    v = 1.0 + (1 - b2) * (C * C - 1) * sv
    r = m / np.sqrt(v)
    return Drift(float(r.mean()), float(r.std(ddof=1) / np.sqrt(n)), n)


def conditions(beta1, beta2, C, delta) -> list[Verdict]:
    out = [cond.beta_condition(beta1, beta2)]
    b1 = exact.rational("beta1", beta1)
    if b1 == 0:
        out.append(sufficient_condition(C, delta, beta2))
    D = expected_drift(float(exact.rational("C", C)), float(exact.rational("delta", delta)), float(b1),
                       float(exact.rational("beta2", beta2)))
    status = {-1: "proved", 1: "fails"}.get(D.sign, "undecided")
    out.append(Verdict("E[m/sqrt(v)] < 0 (numerical)", status,
                       f"D = {D.mean:.5g} ± {D.stderr:.2g} (stationary sampling, n = {D.n})"))
    return out
