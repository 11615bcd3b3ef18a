"""The regret bounds of ``proofs.bounds`` evaluated at every checkpoint of a finished run.

This is where a bound meets a run, so it sits with the studies: ``proofs.bounds`` states each
bound as a sympy expression of T (and decides its order); here the same bound is computed from
the run's own quantities at every checkpoint τ, shape (K, B):

* D = D∞ and G = G∞ come from the problem (``Problem.D_inf``, ``Problem.G_inf``: each problem
  states them), d from its dimension; pass the problem, or let it be rebuilt from the run's
  description (``problem_of``);
* η_T from the run (``Result.eta``, so η̂_T = √T·η_T), β1 and α from the kernel's configuration;
* L∞ = η_l(1)'s reach and R∞ = η_u(1) from the bound functions (given, or the paper's from the
  run's final_lr and gamma, expressions owned by ``proofs.schedule_check``).

Where a quantity is known only at checkpoints (η_t at every t) it is replaced by its upper bound
(√t/η_l(t)), so the evaluated value is still a valid upper bound of the theorem's.  Every bound
is for the theory convention (α_t = α/√t, no bias correction, ε = 0); other runs are refused.

    adabound_theorem4   Luo et al. (ICLR 2019), Theorem 4 as stated
    savarese            Savarese (2019), Theorem 3 (the corrected bound, with its M)
    amsgrad             Reddi et al. (ICLR 2018), Theorem 4 (as quoted by Phuong & Phong 2019)
    ogd                 Zinkevich (2003), D²√T/(2α) + (αG²/2)(2√T − 1), Euclidean D and G
    compare             measured R_t beside a bound at every checkpoint, as one ``Claim``
"""
from __future__ import annotations

import numpy as np

from ..jsonable import jsonable
from .outcome import Claim


def problem_of(result, problem=None):
    """The problem of the run: ``problem`` after checking that its description is the run's, or,
    when None, rebuilt from the run's description through the registry (``regret.problem``), so
    a Result reloaded from a file can be held against a bound too."""
    if problem is None:
        from ..problems import PROBLEMS
        from ..problems import problem as build

        name, params = result.problem.get("name"), result.problem.get("params", {})
        if name not in PROBLEMS:
            raise ValueError(f"the run's problem {name!r} is not registered; pass problem=")
        try:
            problem = build(name, **params)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"the run's problem {name!r} cannot be rebuilt from its description ({exc}); "
                             "pass problem=") from None
    if jsonable(problem.describe()) != jsonable(result.problem):
        raise ValueError(f"problem {problem.name!r} ({jsonable(problem.params)}) is not the problem of this run "
                         f"({result.problem.get('name')!r}, {jsonable(result.problem.get('params'))})")
    return problem


def constants(result, problem=None, b: int = 0, G_inf=None) -> dict:
    """D∞, G∞ and d of configuration b, as the run's problem states them (``G_inf=`` overrides
    G∞); ``problem`` as in ``problem_of``."""
    return _constants(problem_of(result, problem), b, G_inf)


def _constants(problem, b: int, G_inf) -> dict:
    if G_inf is None:
        g = problem.G_inf
        if g is None:
            raise ValueError(f"problem {problem.name!r} states no gradient bound G_inf; pass G_inf=")
        g = np.asarray(g, dtype=np.float64)
        G_inf = float(g[b] if g.shape[0] > 1 else g[0])
    return {"D": float(problem.D_inf), "G": float(G_inf), "d": int(problem.dim)}


def _theory(result, b):
    c = result.configs[b]
    if c.get("schedule") != "inv_sqrt" or c.get("bias_correction") or c.get("eps", 0) != 0:
        raise ValueError(f"{result.optimizer} configuration {b} is not the theory convention "
                         f"(schedule={c.get('schedule')!r}, bias_correction={c.get('bias_correction')}, "
                         f"eps={c.get('eps')}); the bounds are for α_t = α/√t, no bias correction, ε = 0")
    return c


def bound_functions(result, b: int, lower=None, upper=None):
    """η_l, η_u of configuration b as vectorised callables: given (callables or expressions of t),
    or the paper's from the run's final_lr and gamma (``proofs.schedule_check.paper_schedule``)."""
    from proofs import callables, schedule_check

    if lower is not None and upper is not None:
        lo = lower if callable(lower) else callables.of_t(lower, name="lower")
        up = upper if callable(upper) else callables.of_t(upper, name="upper")
        return lo, up
    c = result.configs[b]
    if c.get("bounds") != "paper":
        raise ValueError(f"configuration {b} uses bound functions {c.get('bounds')!r}; pass lower= and upper=")
    lo_e, up_e = schedule_check.paper_schedule(c["final_lr"], c["gamma"])
    return callables.of_t(lo_e, name="lower"), callables.of_t(up_e, name="upper")


#: steps summed per piece by ``sums_at``: memory stays O(SUM_PIECE) whatever T is
SUM_PIECE = 1 << 20


def sums_at(f, checkpoints) -> np.ndarray:
    """Σ_{s≤τ} f(s) at every checkpoint τ (increasing), summed in pieces of at most SUM_PIECE
    steps (a bound evaluated on a run of T = 10^9 must not allocate O(T))."""
    out = np.empty(len(checkpoints))
    total, start = 0.0, 1
    for k, tau in enumerate(np.asarray(checkpoints, dtype=np.int64).tolist()):
        while start <= tau:
            stop = min(tau, start + SUM_PIECE - 1)
            total += float(np.sum(f(np.arange(start, stop + 1, dtype=np.int64))))
            start = stop + 1
        out[k] = total
    return out


def _beta1_sum(result, lower, beta1_val, d_):
    """Σ_{t≤τ} Σ_i β1 √t/η_l(t) ≥ Σ_t Σ_i β1t η_{t,i}^{−1}, at every checkpoint τ."""
    if beta1_val == 0:
        return np.zeros(len(result.t))
    return sums_at(lambda s: beta1_val * d_ * np.sqrt(s) / lower(s), result.t)


def adabound_theorem4(result, problem=None, lower=None, upper=None, G_inf=None) -> np.ndarray:
    """Theorem 4 as stated, at every checkpoint of an AdaBound/AMSBound run: shape (K, B).

        R_T ≤ D²√T/(2(1−β1)) Σ_i η̂_{T,i}^{−1} + D²/(2(1−β1)) Σ_t Σ_i β1t η_{t,i}^{−1} + (2√T−1) R∞ G2²/(1−β1)
    """
    out = np.empty_like(result.regret)
    problem = problem_of(result, problem)
    for b in range(result.batch):
        c = _theory(result, b)
        k = _constants(problem, b, G_inf)
        lo, up = bound_functions(result, b, lower, upper)
        b1 = float(c["beta1"])
        R_inf = float(up(np.array([1]))[0])
        first = k["D"] ** 2 / (2 * (1 - b1)) * np.sum(1.0 / result.eta[:, b, :], axis=1)
        mid = k["D"] ** 2 / (2 * (1 - b1)) * _beta1_sum(result, lo, b1, k["d"])
        last = (2 * np.sqrt(result.t) - 1) * R_inf * k["d"] * k["G"] ** 2 / (1 - b1)
        out[:, b] = first + mid + last
    return out


def savarese(result, problem=None, M=None, lower=None, upper=None, G_inf=None) -> np.ndarray:
    """Savarese's corrected bound at every checkpoint: shape (K, B).  M: the schedule's best M
    (default: ``proofs.schedule_check.best_M`` of the run's paper bound functions).

        R_T ≤ D²/(2(1−β1)) [2dM(√T−1) + Σ_i η_{1,i}^{−1} + Σ_t Σ_i β1t η_{t,i}^{−1}] + (2√T−1) R∞ G2²/(1−β1)
    """
    from proofs import schedule_check

    out = np.empty_like(result.regret)
    problem = problem_of(result, problem)
    for b in range(result.batch):
        c = _theory(result, b)
        k = _constants(problem, b, G_inf)
        lo, up = bound_functions(result, b, lower, upper)
        if M is None:
            if lower is not None:
                raise ValueError("pass M= with custom bound functions (see proofs.schedule_check.decide)")
            lo_e, up_e = schedule_check.paper_schedule(c["final_lr"], c["gamma"])
            Mb = float(schedule_check.best_M(lo_e, up_e)[0])
        else:
            Mb = float(np.broadcast_to(M, (result.batch,))[b])
        b1 = float(c["beta1"])
        R_inf = float(up(np.array([1]))[0])
        inv_eta1 = k["d"] / float(lo(np.array([1]))[0])            # η_1 = η̂_1 ≥ η_l(1)
        if result.t[0] == 1:
            inv_eta1 = float(np.sum(1.0 / result.eta[0, b, :]))
        br = 2 * k["d"] * Mb * (np.sqrt(result.t) - 1) + inv_eta1 + _beta1_sum(result, lo, b1, k["d"])
        out[:, b] = k["D"] ** 2 / (2 * (1 - b1)) * br + (2 * np.sqrt(result.t) - 1) * R_inf * k["d"] * k["G"] ** 2 / (1 - b1)
    return out


def amsgrad(result, problem=None, G_inf=None) -> np.ndarray:
    """AMSGrad's bound (Reddi et al. Thm 4) at every checkpoint of an AMSGrad run: (K, B)."""
    out = np.empty_like(result.regret)
    ts = result.t.astype(float)
    problem = problem_of(result, problem)
    for b in range(result.batch):
        c = _theory(result, b)
        k = _constants(problem, b, G_inf)
        b1, b2, a = float(c["beta1"]), float(c["beta2"]), float(c["lr"])
        gam = b1 / np.sqrt(b2) if b2 > 0 else np.inf
        if gam >= 1:
            raise ValueError(f"configuration {b}: gamma = beta1/sqrt(beta2) = {gam} >= 1; AMSGrad's bound needs < 1")
        first = k["D"] ** 2 / (1 - b1) * np.sum(1.0 / result.eta[:, b, :], axis=1)   # √T·√v̂_T/α = 1/η_T
        mid = k["D"] ** 2 * b1 * k["d"] * k["G"] / (2 * (1 - b1) * a) * sums_at(np.sqrt, result.t)
        last = a * np.sqrt(1 + np.log(ts)) / ((1 - b1) ** 2 * (1 - gam) * np.sqrt(1 - b2)) * k["d"] * k["G"] * np.sqrt(ts)
        out[:, b] = first + mid + last
    return out


def ogd(result, problem=None, G_inf=None) -> np.ndarray:
    """OGD's bound D²√T/(2α) + (αG²/2)(2√T−1) (Euclidean D, G) for an SGD theory-convention run."""
    out = np.empty_like(result.regret)
    ts = result.t.astype(float)
    problem = problem_of(result, problem)
    for b in range(result.batch):
        c = _theory(result, b)
        k = _constants(problem, b, G_inf)
        Dl2, Gl2, a = np.sqrt(k["d"]) * k["D"], np.sqrt(k["d"]) * k["G"], float(c["lr"])
        out[:, b] = Dl2 ** 2 * np.sqrt(ts) / (2 * a) + a * Gl2 ** 2 / 2 * (2 * np.sqrt(ts) - 1)
    return out


def compare(result, bound_values: np.ndarray, name: str, measured=None) -> Claim:
    """Measured R_t beside the bound at every checkpoint; passed iff R_t ≤ bound everywhere
    (relative slack 1e-12 and absolute 1e-9 for rounding)."""
    meas = result.regret if measured is None else measured
    ok = bool(np.all(meas <= bound_values * (1 + 1e-12) + 1e-9))
    return Claim(f"R_t ≤ {name} at every checkpoint", bound_values, meas, ok,
                 f"measured ≤ bound at all {len(result.t)} checkpoints (min slack "
                 f"{float(np.min(bound_values - meas)):.4g})", "proofs.bounds, regret.studies.run_bounds")
