"""Savarese (2019), "On the Convergence of AdaBound and its Connection to SGD": the counterexample
to AdaBound's Theorem 4, reproduced.

Bound functions (Theorem 2 there), for Reddi's stochastic problem with constant C:

    η_l(t) = α/C,     η_u(t; K) = α/√(1−β2) if t ≤ K, else α/C.

They meet every stated assumption of Theorem 4 (η_l constant > 0, η_u non-increasing, both →
α/C, so α* = α/C; L∞ = α/C, R∞ = α/√(1−β2), none depending on K).  But on that problem
|g_t| ∈ {1, C} and v_0 = 0, so 1 − β2 ≤ v_t ≤ C² for t ≥ 1 and α/√v_t ∈ [α/C, α/√(1−β2)]:
the clip is the identity for t ≤ K and AdaBound *is* Adam.  Where Adam fails (Theorem 3:
x held near +1), every step costs about E f(x_t) − f(x*) ≈ 2δ, so R_K grows like K, while the
Theorem 4 bound, with K-free constants, grows like √K: for K large the measured regret
exceeds the bound — the contradiction.  The corrected bound is safe: its M for this schedule
is M = ((K+1)C − K√(1−β2))/α (t = K+1 term; ``corrected_M``), which grows with K.
"""
from __future__ import annotations

import sympy as sp

from . import callables, exact
from .exact import t

alpha_s, C_s, beta2_s, K_s = sp.symbols("alpha C beta2 K", positive=True)


def bound_expressions(alpha=alpha_s, C=C_s, beta2=beta2_s, K=K_s):
    """(η_l, η_u) as sympy expressions of t (η_u a Piecewise in t ≤ K)."""
    lower = alpha / C + 0 * t
    upper = sp.Piecewise((alpha / sp.sqrt(1 - beta2), t <= K), (alpha / C, True))
    return lower, upper


def bound_functions(alpha, C, beta2, K):
    """The same as vectorised callables of t (int64 array (n,) → (n,) floats), for AdaBound's
    ``lower=`` / ``upper=``."""
    vals = {alpha_s: exact.rational("lr", alpha), C_s: exact.rational("C", C),
            beta2_s: exact.rational("beta2", beta2), K_s: exact.rational("K", K)}
    lo, up = bound_expressions()
    return (callables.of_t(lo.subs(vals), name="savarese_lower"),
            callables.of_t(up.subs(vals), name="savarese_upper"))


def corrected_M(alpha, C, beta2, K):
    """sup_t [t/η_l(t) − (t−1)/η_u(t−1)] = ((K+1)C − K√(1−β2))/α (exact)."""
    a, c, b2, k = (exact.rational(n, v) for n, v in (("lr", alpha), ("C", C), ("beta2", beta2), ("K", K)))
    return ((k + 1) * c - k * sp.sqrt(1 - b2)) / a
