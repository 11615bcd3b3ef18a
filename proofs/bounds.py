"""Regret bounds as sympy expressions of T, their asymptotic order, and their value on a run.

Symbols: D = D∞ (‖x − y‖∞ ≤ D on F), G = G∞ (|g_{t,i}| ≤ G; the theorems' G2 = ‖g‖₂ ≤ √d·G),
R = R∞ = η_u(1), L = L∞ = η_l(1), β1, λ (β1t = β1λ^{t−1}), d (dimension), M (Savarese), α.

* AdaBound, Theorem 4 as stated (Luo et al. 2019):
      R_T ≤ D²√T/(2(1−β1)) Σ_i η̂_{T,i}^{−1} + D²/(2(1−β1)) Σ_t Σ_i β1t η_{t,i}^{−1} + (2√T−1) R G2²/(1−β1)
  As an expression of T: η̂_{T,i} ≥ η_l(T) ≥ L and η_{t,i}^{−1} = √t/η̂_{t,i} ≤ √t/L.
* Savarese (2019), Theorem 3 (the corrected bound, needs t/η_l(t) − (t−1)/η_u(t−1) ≤ M):
      R_T ≤ D²/(2(1−β1)) [2dM(√T−1) + Σ_i η_{1,i}^{−1} + Σ_t Σ_i β1t η_{t,i}^{−1}] + (2√T−1) R G2²/(1−β1)
* AMSGrad, Reddi et al. (2018) Theorem 4, as quoted term for term in Phuong & Phong (IEEE Access
  2019, Theorem A, DOI 10.1109/ACCESS.2019.2916341; they show its proof also mishandles β1t and
  repair it for β1t = β1λ^{t−1}), γ = β1/√β2 < 1, α_t = α/√t:
      R_T ≤ D²√T/(α(1−β1)) Σ_i v̂_{T,i}^{1/2} + D²/(2(1−β1)) Σ_t Σ_i β1t v̂_{t,i}^{1/2}/α_t
            + α√(1+log T)/((1−β1)²(1−γ)√(1−β2)) Σ_i ‖g_{1:T,i}‖₂
  As an expression of T: v̂^{1/2} ≤ G and ‖g_{1:T,i}‖₂ ≤ G√T, hence O(√(T log T)).
* Online gradient descent (Zinkevich 2003), α_t = α/√t, D and G Euclidean:
      R_T ≤ D²√T/(2α) + (αG²/2)(2√T − 1),   = (3/2)·D·G·√T − DG/2 at α = D/G.

The β1t middle term is Σ_{t≤T} λ^{t−1}√t: bounded for λ < 1 (Corollary 4.1, checked here:
sympy decides the series converges), Θ(T^{3/2}) for constant β1t = β1 > 0 (then no bound above
is O(√T)), absent for β1 = 0.  ``order`` decides the order symbolically.

Evaluating a bound on a finished run (where a prediction meets a run) is the studies' job:
``regret.studies.run_bounds``.  This module holds the expressions only.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

T = sp.Symbol("T", positive=True)
tt = sp.Symbol("t", positive=True, integer=True)
D, G, R, L, beta1, lam, d, M, alpha, beta2 = sp.symbols("D G R L beta1 lambda d M alpha beta2", positive=True)
BETA1T = ("geometric", "constant", "zero")


@dataclass
class Bound:
    name: str
    expr: sp.Expr        # upper bound on R_T as an expression of T
    order: sp.Expr       # its asymptotic order, e.g. sqrt(T)
    is_sqrt_T: bool      # O(√T)?
    source: str

    def __call__(self, Tval, **values) -> float:
        """The bound at T = Tval with its constants given by name (``D=2, G=3, alpha=0.5``; the
        names of the module docstring: D, G, R, L, beta1, lambda, d, M, alpha, beta2)."""
        e = self.expr.subs(self._symbols(values)).subs(T, Tval).doit()
        left = sorted(s.name for s in e.free_symbols)
        if left:
            raise ValueError(f"bound {self.name!r} needs a value for {', '.join(left)}")
        return float(e)

    def _symbols(self, values: dict) -> dict:
        # the expression's symbols carry assumptions (positive=True): match them by name
        by_name = {s.name: s for s in self.expr.free_symbols if s != T}
        unknown = sorted(set(values) - set(by_name))
        if unknown:
            raise ValueError(f"bound {self.name!r} has no constant {', '.join(unknown)}; "
                             f"its constants are {', '.join(sorted(by_name))}")
        return {by_name[k]: v for k, v in values.items()}


def _middle(beta1t: str):
    if beta1t == "geometric":
        return beta1 * sp.Sum(lam ** (tt - 1) * sp.sqrt(tt), (tt, 1, T))
    if beta1t == "constant":
        return beta1 * sp.Sum(sp.sqrt(tt), (tt, 1, T))
    if beta1t == "zero":
        return sp.Integer(0)
    raise ValueError(f"beta1t={beta1t!r} is not one of {BETA1T}")


def order(expr) -> tuple[sp.Expr, bool]:
    """(order, is O(√T)) of a positive expression of T, decided symbolically.

    Partial sums are replaced first: Σ λ^{t−1}√t by its (finite) infinite sum when sympy's
    convergence test says so (checked at λ = 1/2, i.e. for the λ < 1 of Corollary 4.1), and
    Σ_{t≤T} √t by (2/3)T^{3/2} (its leading term).
    """
    def repl(s):
        f, (var, lo, hi) = s.function, s.limits[0]
        if f.has(lam):
            if sp.Sum(f.subs(lam, sp.Rational(1, 2)), (var, lo, sp.oo)).is_convergent():
                return sp.Symbol("K_lambda", positive=True)   # Σ_{t≥1} λ^{t−1}√t < ∞
            return None
        return sp.integrate(f, (var, 0, hi))
    e = expr
    # the order does not depend on the constants (within their ranges): fix them
    fixed = {D: 1, G: 1, R: 1, L: 1, d: 1, M: 1, alpha: 1, beta1: sp.Rational(1, 3), beta2: sp.Rational(1, 2)}
    for s in list(expr.atoms(sp.Sum)):
        r = repl(s)
        if r is None:
            return sp.nan, False
        e = e.subs(s, r)
    e = e.subs(fixed).subs(sp.Symbol("K_lambda", positive=True), 1)
    k = sp.limit(sp.log(e) / sp.log(T), T, sp.oo)
    lead = sp.limit(e / T ** k, T, sp.oo)
    if lead.is_finite and lead.is_positive:
        o = T ** k
    elif sp.limit(e / (T ** k * sp.sqrt(sp.log(T))), T, sp.oo).is_finite:
        o = T ** k * sp.sqrt(sp.log(T))
    else:
        o = T ** k * sp.log(T)
    return o, sp.simplify(o - sp.sqrt(T)) == 0


def _make(name, expr, source):
    o, ok = order(expr)
    return Bound(name, expr, o, ok, source)


def adabound_theorem4(beta1t: str = "geometric") -> Bound:
    G2sq = d * G ** 2
    expr = (D ** 2 * sp.sqrt(T) * d / (2 * (1 - beta1) * L) + D ** 2 * d / (2 * (1 - beta1) * L) * _middle(beta1t)
            + (2 * sp.sqrt(T) - 1) * R * G2sq / (1 - beta1))
    return _make("adabound_theorem4", expr, "Luo et al. (ICLR 2019), Theorem 4, as stated")


def savarese_corrected(beta1t: str = "geometric") -> Bound:
    G2sq = d * G ** 2
    expr = (D ** 2 / (2 * (1 - beta1)) * (2 * d * M * (sp.sqrt(T) - 1) + d / L + d / L * _middle(beta1t))
            + (2 * sp.sqrt(T) - 1) * R * G2sq / (1 - beta1))
    return _make("savarese_corrected", expr, "Savarese (2019), Theorem 3")


def amsgrad(beta1t: str = "geometric") -> Bound:
    gam = beta1 / sp.sqrt(beta2)
    mid = _middle(beta1t)
    expr = (D ** 2 * sp.sqrt(T) * d * G / (alpha * (1 - beta1)) + D ** 2 * d * G / (2 * (1 - beta1) * alpha) * mid
            + alpha * sp.sqrt(1 + sp.log(T)) / ((1 - beta1) ** 2 * (1 - gam) * sp.sqrt(1 - beta2)) * d * G * sp.sqrt(T))
    return _make("amsgrad", expr, "Reddi et al. (ICLR 2018), Theorem 4 (as quoted by Phuong & Phong 2019, Theorem A)")


def ogd(general: bool = False) -> Bound:
    """(3/2)·D·G·√T (α = D/G); ``general=True``: D²√T/(2α) + (αG²/2)(2√T − 1) for any α."""
    if general:
        return _make("ogd_general", D ** 2 * sp.sqrt(T) / (2 * alpha) + alpha * G ** 2 / 2 * (2 * sp.sqrt(T) - 1),
                     "Zinkevich (2003)")
    return _make("ogd", sp.Rational(3, 2) * D * G * sp.sqrt(T), "Zinkevich (2003), α_t = D/(G√t)")
