"""Shi, Li, Hong & Sun (ICLR 2021), "RMSprop converges with proper hyper-parameter": the boundary
between RMSProp's divergence and convergence on Reddi et al.'s period-C problem, derived.

Problem (their Figure 1, released code ``reddiexample.m``): F = [−1, 1], f_t(x) = C·x when
t mod C = 1, else −x (a period sums to 1, x* = −1); RMSProp = Adam with β1 = 0, α_t = 1/√t, no
bias correction, ε = 0.

Derivation (``proofs.periodic``).  In the periodic steady state, with j the lag since the C-step,
v̄_j = 1 + (1−β2)(C²−1)β2^j/(1−β2^C), and a period moves x by −(1/√t)·S + O(t^{−3/2}) with

    S(C, β2) = C/√v̄_0 − Σ_{j=1}^{C−1} 1/√v̄_j .

S > 0: x drifts down to x* = −1 (convergent); S < 0: x is held at +1 (divergent, Reddi et al.'s
Theorem 2 for β1 = 0).  Once x is near −1 and S > 0, the C-step overshoots −1 (it is larger than
the sum of the −1 steps since the last one), so the projection sets x = −1 exactly once per
period.  Signs are decided in interval arithmetic from the exact binary value of each float β2.

Boundary.  For each C the sign of S changes once in β2 on every grid we tried (``boundary``
checks it on the grid it is given and bisects the crossing in u = −log10(1−β2)); the derived
phase boundary is the curve u*(C).  For large C one finds 1 − β2* ≈ c·C^{−k}; ``boundary_exponent``
fits k on the derived curve (about 2: β2 must be 1 − O(1/C²) for RMSProp to converge here).
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from . import periodic


def beta2_of(i) -> np.ndarray:
    """Their grid: β2 = 1 − 10^(−i/10) (``temp = 10`` in ``reddiexample.m``), as floats."""
    return 1.0 - 10.0 ** (-np.asarray(i, dtype=np.float64) / 10.0)


PREC = 20      # ``reddi_drift_interval`` works at 4·PREC bits: ample for C ≤ 10^3, still rigorous


def drift_interval(C: int, beta2, prec: int = PREC):
    """Rigorous enclosure of S(C, β2) (β1 = 0), β2 read as the exact value of its float."""
    return periodic.reddi_drift_interval(int(C), int(C), 1, 0, sp.Rational(float(beta2)), prec=prec)


def drift_sign(C: int, beta2, prec: int = PREC) -> int:
    """+1 (convergent: x → −1), −1 (divergent: x held at +1), 0 (cannot be told from 0)."""
    return periodic.interval_sign(drift_interval(C, beta2, prec)) or 0


def settle_steps(C: int, beta2) -> float:
    """T_s = C²/S²: the steps the drift needs to carry x from +1 to −1 (Σ over periods of S/√t ≈ 2S√T/C = 2);
    a cell with S > 0 whose T_s is of the order of the horizon or longer cannot show convergence yet."""
    S = drift_interval(C, beta2)
    mid = 0.5 * (float(S.a) + float(S.b))
    return float("inf") if mid == 0 else float(C) ** 2 / mid ** 2


def sign_map(C_values, beta2_values) -> np.ndarray:
    """drift_sign over the grid: shape (len(C_values), len(beta2_values))."""
    return np.array([[drift_sign(int(C), b) for b in beta2_values] for C in C_values], dtype=np.int64)


def boundary(C_values, u_lo: float = 0.01, u_hi: float = 8.0, iters: int = 30) -> np.ndarray:
    """u*(C) = −log10(1 − β2*) where S(C, β2*) = 0, by bisection on the interval sign (one sign change
    on [u_lo, u_hi] is checked at 24 points first; to 2^−30 of the range); NaN where S does not change
    sign there (C = 2: S > 0 for every β2)."""
    out = []
    for C in C_values:
        sign = lambda u: drift_sign(int(C), 1.0 - 10.0 ** (-u), prec=12)  # noqa: E731
        probe = [sign(u) for u in np.linspace(u_lo, u_hi, 24)]
        changes = int(np.sum(np.diff(np.sign(probe)) != 0))
        if probe[0] > 0 or probe[-1] < 0:
            out.append(np.nan)
            continue
        if changes != 1:
            raise ValueError(f"S(C={C}, β2) changes sign {changes} times on u ∈ [{u_lo}, {u_hi}]: no single threshold")
        lo, hi = u_lo, u_hi
        for _ in range(iters):
            mid = 0.5 * (lo + hi)
            if sign(mid) < 0:
                lo = mid
            else:
                hi = mid
        out.append(0.5 * (lo + hi))
    return np.array(out)


def boundary_exponent(C_values, u_star) -> float:
    """k of the least-squares fit log10(1 − β2*) = log10 c − k·log10 C over the finite u*(C)."""
    C = np.asarray(C_values, dtype=np.float64)
    u = np.asarray(u_star, dtype=np.float64)
    ok = np.isfinite(u)
    return float(np.polyfit(np.log10(C[ok]), u[ok], 1)[0])
