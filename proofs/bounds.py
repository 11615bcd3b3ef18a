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

Evaluators (``*_on(result)``) compute each bound at every checkpoint of a finished run from
the run's own D∞, G, η_T (so η̂_T = √T·η_T), β1, and the bound functions' L∞, R∞; where a
quantity is only known at checkpoints (η_t at every t) it is replaced by its upper bound
(√t/η_l(t)), so the evaluated value is still a valid upper bound of the theorem's.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from .verdicts import Study

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
        return float(self.expr.subs(values).subs(T, Tval).doit())


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


# ---------------------------------------------------------------- evaluation on a finished run

def run_constants(result, b: int = 0, G_inf=None, D_inf=None) -> dict:
    """D∞, G∞ and d of configuration b, from the run's problem description (or given)."""
    feas = result.problem["feasible"]
    lo, hi = np.asarray(feas["lo"], float), np.asarray(feas["hi"], float)
    dim = int(lo.size)
    if D_inf is None:
        D_inf = float(np.max(hi - lo))
    if G_inf is None:
        pc = result.problem_configs[b] if result.problem_configs else result.problem["params"]
        name = result.problem["name"]
        if name in ("reddi-online", "reddi-stochastic"):
            G_inf = max(abs(float(pc["C"])), abs(float(pc["b"])))
        elif name == "minus-one-two":
            G_inf = 2.0
        elif "pattern" in pc:
            G_inf = float(np.max(np.abs(np.asarray(pc["pattern"], float))))
        else:
            raise ValueError(f"cannot tell the gradient bound G of problem {name!r}; pass G_inf=")
    return {"D": D_inf, "G": G_inf, "d": dim}


def _theory(result, b):
    c = result.configs[b]
    if c.get("schedule") != "inv_sqrt" or c.get("bias_correction") or c.get("eps", 0) != 0:
        raise ValueError(f"{result.optimizer} configuration {b} is not the theory convention "
                         f"(schedule={c.get('schedule')!r}, bias_correction={c.get('bias_correction')}, "
                         f"eps={c.get('eps')}); the bounds are for α_t = α/√t, no bias correction, ε = 0")
    return c


def bound_functions(result, b: int, lower=None, upper=None):
    """η_l, η_u of configuration b as vectorised callables: given, or the paper's from the run's
    final_lr and gamma (expressions owned by ``proofs.schedule_check``)."""
    from . import callables, schedule_check

    if lower is not None and upper is not None:
        lo = lower if callable(lower) else callables.of_t(lower, name="lower")
        up = upper if callable(upper) else callables.of_t(upper, name="upper")
        return lo, up
    c = result.configs[b]
    if c.get("bounds") != "paper":
        raise ValueError(f"configuration {b} uses bound functions {c.get('bounds')!r}; pass lower= and upper=")
    lo_e, up_e = schedule_check.paper_schedule(c["final_lr"], c["gamma"])
    return callables.of_t(lo_e, name="lower"), callables.of_t(up_e, name="upper")


def _beta1_sum(result, b, lower, beta1_val, d_):
    """Σ_{t≤τ} Σ_i β1 √t/η_l(t) ≥ Σ_t Σ_i β1t η_{t,i}^{−1}, at every checkpoint τ."""
    if beta1_val == 0:
        return np.zeros(len(result.t))
    ts = np.arange(1, int(result.t[-1]) + 1)
    cum = np.cumsum(beta1_val * d_ * np.sqrt(ts) / lower(ts))
    return cum[result.t - 1]


def adabound_theorem4_on(result, lower=None, upper=None, G_inf=None) -> np.ndarray:
    """Theorem 4 as stated, at every checkpoint of an AdaBound/AMSBound run: shape (K, B)."""
    out = np.empty_like(result.regret)
    for b in range(result.batch):
        c = _theory(result, b)
        k = run_constants(result, b, G_inf)
        lo, up = bound_functions(result, b, lower, upper)
        b1 = float(c["beta1"])
        R_inf = float(up(np.array([1]))[0])
        first = k["D"] ** 2 / (2 * (1 - b1)) * np.sum(1.0 / result.eta[:, b, :], axis=1)
        mid = k["D"] ** 2 / (2 * (1 - b1)) * _beta1_sum(result, b, lo, b1, k["d"])
        last = (2 * np.sqrt(result.t) - 1) * R_inf * k["d"] * k["G"] ** 2 / (1 - b1)
        out[:, b] = first + mid + last
    return out


def savarese_on(result, M=None, lower=None, upper=None, G_inf=None) -> np.ndarray:
    """Savarese's corrected bound at every checkpoint: shape (K, B).  M: the schedule's best M
    (default: ``schedule_check.check`` on the run's bound functions)."""
    from . import schedule_check

    out = np.empty_like(result.regret)
    for b in range(result.batch):
        c = _theory(result, b)
        k = run_constants(result, b, G_inf)
        lo, up = bound_functions(result, b, lower, upper)
        if M is None:
            if lower is not None:
                raise ValueError("pass M= with custom bound functions (see proofs.schedule_check.check)")
            lo_e, up_e = schedule_check.paper_schedule(c["final_lr"], c["gamma"])
            Mb = float(schedule_check.best_M(lo_e, up_e)[0])
        else:
            Mb = float(np.broadcast_to(M, (result.batch,))[b])
        b1 = float(c["beta1"])
        R_inf = float(up(np.array([1]))[0])
        inv_eta1 = k["d"] / float(lo(np.array([1]))[0])            # η_1 = η̂_1 ≥ η_l(1)
        if result.t[0] == 1:
            inv_eta1 = float(np.sum(1.0 / result.eta[0, b, :]))
        br = 2 * k["d"] * Mb * (np.sqrt(result.t) - 1) + inv_eta1 + _beta1_sum(result, b, lo, b1, k["d"])
        out[:, b] = k["D"] ** 2 / (2 * (1 - b1)) * br + (2 * np.sqrt(result.t) - 1) * R_inf * k["d"] * k["G"] ** 2 / (1 - b1)
    return out


def amsgrad_on(result, G_inf=None) -> np.ndarray:
    """AMSGrad's bound (Reddi et al. Thm 4) at every checkpoint of an AMSGrad run: (K, B)."""
    out = np.empty_like(result.regret)
    ts = result.t.astype(float)
    for b in range(result.batch):
        c = _theory(result, b)
        k = run_constants(result, b, G_inf)
        b1, b2, a = float(c["beta1"]), float(c["beta2"]), float(c["lr"])
        gam = b1 / np.sqrt(b2) if b2 > 0 else np.inf
        if gam >= 1:
            raise ValueError(f"configuration {b}: gamma = beta1/sqrt(beta2) = {gam} >= 1; AMSGrad's bound needs < 1")
        first = k["D"] ** 2 / (1 - b1) * np.sum(1.0 / result.eta[:, b, :], axis=1)   # √T·√v̂_T/α = 1/η_T
        mid = k["D"] ** 2 * b1 * k["d"] * k["G"] / (2 * (1 - b1) * a) * np.cumsum(np.sqrt(np.arange(1, ts[-1] + 1)))[result.t - 1]
        last = a * np.sqrt(1 + np.log(ts)) / ((1 - b1) ** 2 * (1 - gam) * np.sqrt(1 - b2)) * k["d"] * k["G"] * np.sqrt(ts)
        out[:, b] = first + mid + last
    return out


def ogd_on(result, G_inf=None) -> np.ndarray:
    """OGD's bound D²√T/(2α) + (αG²/2)(2√T−1) (Euclidean D, G) for an SGD theory-convention run."""
    out = np.empty_like(result.regret)
    ts = result.t.astype(float)
    for b in range(result.batch):
        c = _theory(result, b)
        k = run_constants(result, b, G_inf)
        Dl2, Gl2, a = np.sqrt(k["d"]) * k["D"], np.sqrt(k["d"]) * k["G"], float(c["lr"])
        out[:, b] = Dl2 ** 2 * np.sqrt(ts) / (2 * a) + a * Gl2 ** 2 / 2 * (2 * np.sqrt(ts) - 1)
    return out


def compare(result, bound_values: np.ndarray, name: str, measured=None) -> Study:
    """Measured R_t beside the bound at every checkpoint; confirmed iff R_t ≤ bound everywhere."""
    meas = result.regret if measured is None else measured
    ok = bool(np.all(meas <= bound_values * (1 + 1e-12) + 1e-9))
    return Study(name, bound_values, meas, "<=", "confirmed" if ok else "refuted",
                 details={"t": result.t, "slack_min": float(np.min(bound_values - meas))})
