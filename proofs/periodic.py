"""Periodic steady state of Adam's moments on a periodic linear problem, and its drift.

For gradients repeating with period P, g_t = g_{(t−1) mod P}, the EMAs m_t = β1·m_{t−1} +
(1−β1)·g_t and v_t = β2·v_{t−1} + (1−β2)·g_t² converge geometrically to periodic sequences;
at phase j (j = 0..P−1, the step index mod P):

    m̄_j = (1−β1)/(1−β1^P) · Σ_{i=0}^{P−1} β1^i g_{(j−i) mod P}
    v̄_j = (1−β2)/(1−β2^P) · Σ_{i=0}^{P−1} β2^i g²_{(j−i) mod P}

(the fixed point of the one-period affine map; derived by summing the geometric series over
past periods).  With α_t = α/√t (theory convention, no bias correction, ε = 0) the step sizes
within one period agree to O(t^{−3/2}), so away from the boundary of F a period moves x by

    Δx = −(α/√t) · S + O(t^{−3/2}),      S = Σ_j m̄_j / √v̄_j        (the *drift*)

S < 0 pushes x up (towards +1), S > 0 down.  On Reddi's problems (x* = −1) S < 0 is the
failure of Adam: x is held at the upper end and R_T/T tends to the per-period regret there
divided by P.  The same holds for constant α (practical convention without bias correction).
The drift is independent of α: α only scales it.  A phase with g = 0 contributes nothing
(m̄ = 0 for β1 = 0), whatever v̄.
"""
from __future__ import annotations

import mpmath
import sympy as sp


def steady_ema(values, beta) -> list:
    """Periodic steady state of the EMA β·a + (1−β)·x over the periodic input ``values``."""
    P = len(values)
    beta = sp.sympify(beta)
    if beta == 0:
        return [sp.sympify(x) for x in values]
    scale = (1 - beta) / (1 - beta ** P)
    return [sp.simplify(scale * sum(beta ** i * sp.sympify(values[(j - i) % P]) for i in range(P)))
            for j in range(P)]


def steady_moments(pattern, beta1, beta2):
    """(m̄_j, v̄_j) for every phase j of the gradient ``pattern`` (sympy, exact)."""
    return steady_ema(pattern, beta1), steady_ema([sp.sympify(g) ** 2 for g in pattern], beta2)


def drift(pattern, beta1, beta2):
    """S = Σ_j m̄_j/√v̄_j (sympy, exact); x moves by −α S/√t per period."""
    m, v = steady_moments(pattern, beta1, beta2)
    return sp.Add(*[mj / sp.sqrt(vj) for mj, vj in zip(m, v) if mj != 0])


def reddi_drift_interval(C, P, b, beta1, beta2, prec: int = 60):
    """S for Reddi's pattern (C once, then −b for P−1 steps) as a rigorous mpmath interval.

    Closed form of the steady state (lag j = 0..P−1 since the step with gradient C):

        m̄_j = −b + (1−β1)(C+b) β1^j/(1−β1^P),    v̄_j = b² + (1−β2)(C²−b²) β2^j/(1−β2^P)

    Evaluated in interval arithmetic (mpmath.iv) from exact rational inputs, so the sign of the
    returned interval, when it excludes 0, is certain.  O(P) work: usable for P in the thousands.
    """
    iv = mpmath.iv
    old = iv.prec
    iv.prec = prec * 4
    try:
        def q(x):
            x = sp.Rational(x)
            return iv.mpf(int(x.p)) / iv.mpf(int(x.q))

        C_, b_, b1, b2 = q(C), q(b), q(beta1), q(beta2)
        P = int(P)
        one = iv.mpf(1)
        a1 = (one - b1) * (C_ + b_) / (one - b1 ** P) if beta1 != 0 else None
        a2 = (one - b2) * (C_ * C_ - b_ * b_) / (one - b2 ** P)
        S = iv.mpf(0)
        p1 = one
        p2 = one
        for j in range(P):
            if beta1 == 0:
                m = C_ if j == 0 else -b_
            else:
                m = -b_ + a1 * p1
                p1 = p1 * b1
            v = b_ * b_ + a2 * p2
            p2 = p2 * b2
            S = S + m / iv.sqrt(v)
        return S
    finally:
        iv.prec = old


def interval_sign(x) -> int | None:
    """−1/+1 if the interval excludes 0, else None."""
    if x.b < 0:
        return -1
    if x.a > 0:
        return 1
    return None
