"""β1 < √β2, the condition of Reddi et al.'s Theorems 2–4 and of AdaBound's Theorem 4, decided
exactly.

``beta_condition(β1, β2)`` decides β1 < √β2 (γ = β1/√β2 < 1): inputs are rationals (``"0.81"`` =
81/100, ``0.9`` = 9/10), and for β1 ≥ 0 the test is β1² < β2, so β1 = 0.9, β2 = 0.81 is on the
boundary (γ = 1), not inside.  ``region_curve`` gives the boundary β1 = √β2 for plots.  The theorem
modules import this one; ``conditions`` sits above them all and dispatches by theorem name.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from . import exact
from .verdicts import Verdict

beta1_sym, beta2_sym = sp.symbols("beta1 beta2", nonnegative=True)
GAMMA = beta1_sym / sp.sqrt(beta2_sym)                 # γ = β1/√β2
REGION = sp.Lt(beta1_sym, sp.sqrt(beta2_sym))          # the admissible region
BOUNDARY = sp.Eq(beta1_sym, sp.sqrt(beta2_sym))        # its boundary curve


def gamma(beta1, beta2) -> sp.Expr:
    """γ = β1/√β2, exact."""
    b1, b2 = _betas(beta1, beta2)
    if b2 == 0:
        return sp.oo if b1 > 0 else sp.nan
    return sp.nsimplify(b1 / sp.sqrt(b2))


def beta_condition(beta1, beta2) -> Verdict:
    """β1 < √β2, decided exactly (β1² < β2 for β1 ≥ 0)."""
    b1, b2 = _betas(beta1, beta2)
    g = gamma(b1, b2)
    if b1 ** 2 < b2:
        return Verdict("beta1 < sqrt(beta2)", "proved", f"β1 = {b1} < √β2 = {sp.sqrt(b2)}; γ = β1/√β2 = {g} < 1")
    where = "on the boundary β1 = √β2 (γ = 1)" if b1 ** 2 == b2 else f"outside (γ = {g} > 1)"
    return Verdict("beta1 < sqrt(beta2)", "fails", f"β1 = {b1}, √β2 = {sp.sqrt(b2)}: {where}",
                   {"beta1": str(b1), "beta2": str(b2), "gamma": str(g)})


def region_curve(n: int = 200):
    """(β2, β1) arrays on the boundary β1 = √β2, β2 ∈ [0, 1], from the sympy expression."""
    b2 = np.linspace(0.0, 1.0, n)
    f = sp.lambdify(beta2_sym, sp.solve(BOUNDARY, beta1_sym)[0], "numpy")
    return b2, np.asarray(f(b2), dtype=float)


def in_region(beta1, beta2) -> np.ndarray:
    """Vectorised float test β1 < √β2 for plotting grids (use ``beta_condition`` for decisions)."""
    return np.asarray(beta1) < np.sqrt(np.asarray(beta2))


def amsgrad_conditions(beta1, beta2) -> list[Verdict]:
    """Reddi et al. (2018) Theorem 4 (AMSGrad's regret bound): γ = β1/√β2 < 1, β1, β2 ∈ [0, 1)."""
    return [beta_condition(beta1, beta2)]


def _betas(beta1, beta2):
    b1 = exact.rational("beta1", beta1)
    b2 = exact.rational("beta2", beta2)
    if not 0 <= b1 < 1:
        raise ValueError(f"beta1={b1} is outside the allowed range [0, 1)")
    if not 0 <= b2 < 1:
        raise ValueError(f"beta2={b2} is outside the allowed range [0, 1)")
    return b1, b2
