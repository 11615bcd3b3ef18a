"""Counterexample search: find, shrink, confirm and certify non-convergence of one optimizer.

``search(kernel, ...)`` looks for an online linear problem on the box [lo, hi]^d whose gradients
repeat with a period P ≤ P_max and stay within [−G∞, G∞], on which the kernel's average regret
R_T/T does not vanish.  It meets runs with predictions, so it is a study-layer module (the
formulas of the certificate live in ``proofs.periodic_drift``).  Steps:

1. **Search.**  For P = P_min..P_max in turn, ``scipy.optimize.differential_evolution``
   (vectorised, deferred updating) maximises a *measured* objective: the average regret over the
   second half of a run of T_P steps (T_P a multiple of 2P),

       J(g) = (R_{T_P} − R_{T_P/2}) / (T_P/2),

   which, the comparator being linear over whole periods, is the regret per step of the late
   window against the global comparator (the transient from x_1 = hi weighs less than in
   R_T/T).  Every generation is **one** engine run (``regret.problems.PeriodicBatch``: the batch
   axis carries the whole population, thousands of candidates, on the fused engine).
   ``family="spike"`` searches Reddi's shape [a, b, …, b] (two parameters whatever P, so P_max
   may be in the hundreds); ``"free"`` every one of the P·d values.  ``objective="drift"``
   replaces J, for methods with a certificate, by the periodic steady state's own score
   (``_drift_objective``): near the edge of the failing set (Adam with β2 = 0.999) the measured
   J cannot tell failing from converging patterns at any affordable T.
2. **Certify** (where ``proofs.periodic_drift`` has the method's steady state: constant β1, β2,
   α_t = α/√t, Adam/RMSProp, or AdaBound with a constant band): after every generation the
   float drift of all candidates screens them, and those the screen calls failing, largest
   screened limit first, are certified exactly (rational steady state, interval square roots).
   The first certified period stops the search (the smallest period wins).
3. **Shrink** the best find: values snapped to k/q·G∞ for small q, merged to fewer distinct
   levels, scaled down to G∞/2, G∞/4; a shrunk pattern is kept only if it stays a counterexample
   (certified when the original was; else measured J ≥ half the original's).  Preference: fewest
   distinct values, then denominators by decade, then smallest max |g|.
4. **Confirm** with a long run on ``Periodic(pattern)`` (a certified find starts at the end the
   drift holds it at): R_t/t levels off (log-log slope of R_t/t
   over the last decade ≥ ``LEVEL_SLOPE``, where O(√T) regret gives −1/2; the slope test of the
   studies, ``regret.studies.measures.tail_slope``); where ``regret.studies.run_bounds`` has the method's
   regret bound (AMSGrad, SGD with α/√t, AdaBound's paper band) it is evaluated on that run.

Verdicts (never more than the evidence): ``certified counterexample`` (the certificate holds),
``counterexample (numerical, not certified)`` (the confirming run levels off at R_T/T ≥
``MIN_LEVEL``·G∞·width, no certificate; the reason is given), ``none found within budget`` (with
the best objective reached).

``search_stochastic`` does the same for i.i.d. losses of Theorem 3's kind (numerical verdicts
only).  ``report_section`` and ``plot`` turn a ``SearchResult`` into a report section and its
two figures (the schedule report's hook).

``budget`` counts candidate evaluations (deterministic: the same seed gives the same find, bit
for bit).  Ctrl-C (or ``on_chunk`` returning True, as in ``regret.run``) stops the search between
or inside engine runs and returns the best find so far with ``interrupted=True``.
"""
from __future__ import annotations

import contextlib
import math
import signal
import threading
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable

import numpy as np

from . import validate
from .kernels.base import Kernel

VERDICTS = ("certified counterexample", "counterexample (numerical, not certified)", "none found within budget")
FAMILIES = ("free", "spike")
OBJECTIVES = ("measured", "drift")
#: slope of log(R_t/t) against log t over the last decade above which R_t/t "levels off"
#: (a plateau gives 0, O(√T) regret −1/2)
LEVEL_SLOPE = -0.2
#: a numerical counterexample needs R_T/T ≥ MIN_LEVEL·G∞·(hi − lo)·d at the confirming horizon
MIN_LEVEL = 1e-3
_DENOMINATORS = (1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 25, 50, 100, 10 ** 3, 10 ** 4, 10 ** 5, 10 ** 6)
_SCALES = (1, Fraction(1, 2), Fraction(1, 4))
_CERTIFY_PER_BATCH = 8


def constant_bound(value: float) -> Callable[[np.ndarray], np.ndarray]:
    """η(t) = value for all t, as an AdaBound ``lower``/``upper`` callable whose name the
    certificate reads back (``const(value)``): a band that does not close."""
    v = validate.finite("bound", value)
    if v.ndim != 0 or float(v) <= 0:
        raise ValueError(f"bound={value!r} must be a positive number")
    v = float(v)

    def bound(t):
        return np.full(np.shape(t), v)

    bound.__name__ = f"const({v!r})"
    bound.value = v
    return bound


def steady_form(kernel: Kernel) -> tuple[dict | None, str]:
    """(the inputs of ``proofs.periodic_drift.certify`` for this kernel, "") or (None, why not).

    Covered: adam and rmsprop (momentum 0, not centered) with α_t = α/√t, constant β1, no
    weight decay, ε after the root; adabound with α_t = α/√t and a constant band
    (``constant_bound``).  Bias correction tends to 1 and does not change the limit."""
    h = kernel.hparams
    if kernel.batch != 1:
        return None, f"the search takes one configuration; {kernel.name} has {kernel.batch}"

    def val(key, default=0.0):
        v = h.get(key, default)
        return float(np.asarray(v).reshape(-1)[0]) if not isinstance(v, (bool, str)) else v

    if h.get("schedule") != "inv_sqrt":
        return None, (f"{kernel.name} has the {h.get('schedule')!r} step schedule; the certificate covers "
                      "α_t = α/√t (with a constant step the steady orbit at the boundary is not computed)")
    if "beta1_schedule" in h:
        return None, f"{kernel.name} has a β1 schedule ({h['beta1_schedule']}); the certificate needs constant β1"
    if val("weight_decay") != 0 or h.get("eps_inside"):
        return None, f"{kernel.name} has weight decay or ε inside the root; not covered by proofs.periodic_drift"
    if kernel.name == "adam":
        return {"beta1": val("beta1"), "beta2": val("beta2"), "eps": val("eps"), "lr": val("lr"), "band": None}, ""
    if kernel.name == "rmsprop":
        if val("momentum") != 0 or h.get("centered"):
            return None, "rmsprop with momentum or centered: not covered by proofs.periodic_drift"
        return {"beta1": 0.0, "beta2": val("beta2"), "eps": val("eps"), "lr": val("lr"), "band": None}, ""
    if kernel.name == "adabound":
        bounds = str(h.get("bounds"))
        if bounds == "paper":
            return None, ("adabound with the paper's band: η_l(t), η_u(t) → α* (the band closes, the method "
                          "becomes SGD with α*/√t); no steady-state drift makes it fail")
        parts = bounds.split("/")
        try:  # constant_bound's const(v), or a schedule given as a number ("0.01", a text constant)
            band = tuple(float(p[len("const("):-1] if p.startswith("const(") and p.endswith(")") else p)
                         for p in parts)
        except ValueError:
            band = ()
        if len(band) != 2:
            return None, f"adabound with bound functions {bounds!r}: the certificate needs a constant band (constant_bound)"
        return {"beta1": val("beta1"), "beta2": val("beta2"), "eps": val("eps"), "lr": val("lr"), "band": band}, ""
    return None, f"proofs.periodic_drift has no steady-state drift for {kernel.name}"


@dataclass
class SearchResult:
    """What ``search`` found.  ``verdict`` is one of ``VERDICTS``; ``spec`` the problem as
    ``regret run`` reads it (None when nothing was found); ``certificate`` the output of
    ``proofs.periodic_drift.certify`` for the find (None with ``reason`` saying why there is
    none); ``confirm`` the long run (T, R_T/T, slope, bound where known); ``history`` the best
    objective after each engine run, with the evaluations so far."""

    verdict: str
    optimizer: str
    hparams: dict
    settings: dict
    pattern: list | None = None
    period: int | None = None
    G: float | None = None
    spec: str | None = None
    objective: float = float("-inf")
    certificate: dict | None = None
    reason: str = ""
    confirm: dict | None = None
    raw: dict | None = None
    support: dict | None = None
    history: list = field(default_factory=list)
    evaluations: int = 0
    engine_runs: int = 0
    config_steps: int = 0
    engine_seconds: float = 0.0
    engine_cpu_seconds: float = 0.0
    seconds: float = 0.0
    interrupted: bool = False

    @property
    def found(self) -> bool:
        return self.verdict != VERDICTS[2]

    @property
    def engine_rate(self) -> float:
        """config-steps per second of the engine runs of the search (their own wall time)."""
        return self.config_steps / self.engine_seconds if self.engine_seconds > 0 else float("nan")

    @property
    def engine_cpu_rate(self) -> float:
        """config-steps per CPU-second of the periodic search's engine runs (all threads; on a
        shared machine this is what the load does not change)."""
        return self.config_steps / self.engine_cpu_seconds if self.engine_cpu_seconds > 0 else float("nan")

    def to_json(self) -> dict:
        """A JSON-able dict of every field (numbers as floats, fractions as strings)."""
        from .jsonable import jsonable

        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["engine_rate"] = self.engine_rate
        out["engine_cpu_rate"] = self.engine_cpu_rate
        return jsonable(out)

    def line(self) -> str:
        """One line: the verdict and its evidence."""
        if not self.found:
            return f"{self.verdict} (best objective {self.objective:.6g} after {self.evaluations} candidates)"
        if self.support is not None:
            s = self.support
            gap = f", expected gap {self.confirm['expected_gap']:.4g} at T={self.confirm['T']}" if self.confirm else ""
            return (f"{self.verdict}: {self.spec} (g = {s['values'][0]} w.p. {s['probabilities'][0]}, "
                    f"{s['values'][1]} w.p. {s['probabilities'][1]}{gap})")
        lim = f", lim R_T/T = {self.certificate['limit']}" if self.certificate and self.certificate.get("limit") else ""
        return f"{self.verdict}: {self.spec} (period {self.period}, G∞ = {self.G:g}{lim})"


class _Stop(Exception):
    """Raised inside the objective to leave differential_evolution (stop requested or budget spent)."""


@contextlib.contextmanager
def _sigint_sets(flag: dict):
    """Ctrl-C between engine runs sets ``flag['stop']`` (inside a run, the engine's own handler
    stops it at the chunk's end); a second Ctrl-C raises at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum, frame):
        if flag["stop"]:
            raise KeyboardInterrupt
        flag["stop"] = True

    signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)


def _fraction(x: float, q: int) -> Fraction:
    """The simplest fraction with denominator ≤ q nearest to x (continued fractions)."""
    return Fraction(repr(float(x))).limit_denominator(q)


def _fmt(x) -> str:
    x = Fraction(x)
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def pattern_spec(pattern, lo=-1.0, hi=1.0) -> str:
    """``periodic:pattern=[...]`` that ``regret run`` accepts, values as exact fractions.

    d = 1: the flat list today's spec parser reads.  d > 1: the nested form
    ``pattern=[[g_11,g_12],[g_21,g_22],...]`` (one row per step, ``Periodic``'s (P, d)), which the
    parser reads once it supports nested lists (the schedule issue's spec.py change); the
    pattern is also in ``SearchResult.pattern``."""
    rows = [list(row) if isinstance(row, (list, tuple)) else [row] for row in pattern]
    if all(len(r) == 1 for r in rows):
        body = ",".join(_fmt(r[0]) for r in rows)
    else:
        body = ",".join("[" + ",".join(_fmt(v) for v in r) + "]" for r in rows)
    opts = f"pattern=[{body}]"
    if (lo, hi) != (-1.0, 1.0):
        opts += f",lo={lo:g},hi={hi:g}"
    return f"periodic:{opts}"


def search(kernel: Kernel, *, P_max: int = 6, P_min: int = 2, G: float = 1.0, dim: int = 1, lo: float = -1.0,
           hi: float = 1.0, family: str = "free", T: int = 600, budget: int = 60_000, popsize: int | None = None,
           seed: int = 0, confirm_T: int = 100_000, stop_at_certified: bool = True, shrink: bool = True,
           engine: str = "fused", objective: str = "measured",
           on_chunk: Callable[[int, int], bool | None] | None = None,
           progress: Callable[[str], None] | None = None) -> SearchResult:
    """Search for a periodic counterexample to ``kernel`` (module docstring: search, certify, shrink,
    confirm).

    ``P_max`` ≥ 2, ``G`` > 0 (the bound G∞ on every gradient entry), ``dim`` the box dimension,
    ``T`` the search horizon per candidate, ``budget`` the candidate evaluations in all (> 0),
    ``popsize`` candidates per generation (default: ~2048 for ``free``, 256 for ``spike``, 128
    with the drift objective),
    ``confirm_T`` the confirming run's horizon.  ``objective``: "measured" (the late-window
    regret of engine runs, default) or "drift" (only where the method has a certificate: the
    steady-state float drift, ``_drift_objective``, maximising both the net gradient and the net
    drift fractions of failing patterns; the engine then runs only the confirmation).  ``on_chunk(i, t)`` is passed to every engine run
    (True stops the search, like Ctrl-C).  ``progress(msg)`` receives a line per period."""
    from . import run as engine_run
    from .problems import PeriodicBatch

    if not isinstance(kernel, Kernel):
        raise TypeError(f"kernel must be a Kernel (see regret.optimizer), got {kernel!r}")
    if kernel.batch != 1:
        raise ValueError(f"kernel has {kernel.batch} configurations; the search takes one")
    P_max = validate.positive_int("P_max", P_max, minimum=2)
    P_min = validate.positive_int("P_min", P_min, minimum=1)
    if P_min > P_max:
        raise ValueError(f"P_min={P_min} must be <= P_max={P_max}")
    G = float(validate.in_range("G", G, 0, lo_open=True))
    dim = validate.positive_int("dim", dim)
    lo, hi = float(validate.finite("lo", lo)), float(validate.finite("hi", hi))
    if not lo < hi:
        raise ValueError(f"lo={lo} must be < hi={hi}")
    validate.choice("family", family, FAMILIES)
    validate.choice("objective", objective, OBJECTIVES)
    T = validate.positive_int("T", T, minimum=4)
    budget = validate.positive_int("budget", budget)
    confirm_T = validate.positive_int("confirm_T", confirm_T, minimum=10)
    seed = validate.positive_int("seed", seed, minimum=0)
    if family == "spike" and dim != 1:
        raise ValueError("family='spike' is one-dimensional; use dim=1 or family='free'")
    from scipy.optimize import differential_evolution

    form, why_not = steady_form(kernel)
    if objective == "drift" and form is None:
        raise ValueError(f"objective='drift' needs a steady-state certificate for the method: {why_not}")
    settings = {"objective": objective, "P_min": P_min, "P_max": P_max, "G": G, "dim": dim, "lo": lo, "hi": hi, "family": family, "T": T,
                "budget": budget, "popsize": popsize, "seed": seed, "confirm_T": confirm_T}
    res = SearchResult(verdict=VERDICTS[2], optimizer=kernel.name, hparams=kernel.config(0), settings=settings,
                       reason=why_not)
    started = time.perf_counter()
    flag = {"stop": False}
    width = (hi - lo) * dim
    best = {"J": -np.inf, "pattern": None, "P": None, "cert": None}
    found_cert: dict | None = None

    def expand(X: np.ndarray, P: int) -> np.ndarray:
        """DE vectors (S, n) → patterns (S, P, dim)."""
        if family == "spike":
            pats = np.repeat(X[:, 1:2], P, axis=1)
            pats[:, 0] = X[:, 0]
            return pats[:, :, None]
        return X.reshape(len(X), P, dim)

    def evaluate(pats: np.ndarray, P: int, measured: bool = False) -> np.ndarray:
        if objective == "drift" and not measured:
            return _drift_objective(pats, form, lo, hi)
        TP = 2 * P * max(1, -(-T // (2 * P)))
        cpu = time.process_time()
        r = engine_run(PeriodicBatch(pats, lo, hi), kernel, TP, checkpoints=np.array([TP // 2, TP]),
                       engine=engine, progress=False, on_chunk=on_chunk)
        res.engine_cpu_seconds += time.process_time() - cpu
        res.engine_runs += 1
        res.engine_seconds += r.seconds
        res.config_steps += r.steps_done * len(pats)
        if r.interrupted:
            flag["stop"] = True
            raise _Stop
        J = (r.regret[1] - r.regret[0]) / (TP // 2)
        return np.where(np.isfinite(J), J, -np.inf)

    def try_certify(pats: np.ndarray, J: np.ndarray, P: int):
        """Screen the batch by the float drift, certify exactly the best-scoring failing ones."""
        from proofs import periodic_drift

        S = periodic_drift.drift_float(pats, form["beta1"], form["beta2"], form["eps"], form["lr"], form["band"])
        total = pats.sum(axis=1)
        fails = np.sign(S) * np.sign(total) < 0
        failing = np.any(fails, axis=1)
        # the screen's own limit Σ_failing |Σg_i|(hi − lo)/P orders the candidates: near the
        # boundary of the failing set the measured J cannot tell them apart at horizon T
        screen_limit = np.sum(np.where(fails, np.abs(total), 0.0), axis=1) * (hi - lo) / P
        for i in np.argsort(-np.where(failing, screen_limit, -np.inf), kind="stable")[:_CERTIFY_PER_BATCH]:
            if not failing[i]:
                break
            cert = _certify(pats[i], form, lo, hi)
            if cert["status"] == "certified":
                return i, cert
        return None, None

    with _sigint_sets(flag):
        for P in range(P_min, P_max + 1):
            if flag["stop"] or res.evaluations >= budget:
                break
            n = 2 if family == "spike" else P * dim
            # the drift objective costs no engine run: smaller generations, more of them (scipy's
            # own bookkeeping is O(S) per member)
            size = popsize or (128 if objective == "drift" else 256 if family == "spike" else 2048)
            pop = max(5, -(-size // n))  # scipy's popsize is a multiple of the dimension
            S = pop * n
            left = budget - res.evaluations
            # the periods left share what remains of the budget
            share = left // max(1, P_max - P + 1)
            gens = max(0, share // S - 1)
            if share < S:
                S_init = max(5, share)
                pop, gens = None, 0
            else:
                S_init = None
            rng = np.random.default_rng(np.random.SeedSequence([seed, P]))
            hit = {}
            best_P = {"J": -np.inf, "pattern": None}

            def fitness(X, P=P):
                X = np.asarray(X).T  # scipy hands (n, S)
                if flag["stop"]:
                    raise _Stop
                pats = expand(X, P)
                J = evaluate(pats, P)
                res.evaluations += len(X)
                k = int(np.argmax(J))
                if J[k] > best["J"]:
                    best.update(J=float(J[k]), pattern=pats[k].copy(), P=P, cert=None)
                if J[k] > best_P["J"]:
                    best_P.update(J=float(J[k]), pattern=pats[k].copy())
                res.history.append([res.evaluations, float(best["J"]), P])
                if form is not None and objective == "measured":
                    i, cert = try_certify(pats, J, P)
                    if cert is not None:
                        hit.update(pattern=pats[i].copy(), J=float(J[i]), cert=cert)
                        if stop_at_certified:
                            raise _Stop
                if res.evaluations >= budget:
                    raise _Stop
                return -J

            bounds = [(-G, G)] * n
            try:
                if S_init is not None:
                    init = rng.uniform(-G, G, size=(S_init, n))
                    fitness(init.T)
                else:
                    differential_evolution(fitness, bounds, popsize=pop, maxiter=gens, tol=0, atol=0, polish=False,
                                           vectorized=True, updating="deferred", init="latinhypercube",
                                           rng=rng)
            except _Stop:
                pass
            if objective == "drift" and best_P["J"] > 0 and not flag["stop"]:
                # the DE maximised the screened limit: certify this period's best
                cert = _certify(best_P["pattern"], form, lo, hi)
                if cert["status"] == "certified":
                    hit.update(pattern=best_P["pattern"], J=best_P["J"], cert=cert)
            if progress is not None:
                progress(f"P={P}: best objective {best['J']:.6g} after {res.evaluations} candidates"
                         + (" (certified)" if hit else ""))
            if hit:
                found_cert = hit
                best.update(J=hit["J"], pattern=hit["pattern"], P=P, cert=hit["cert"])
                if stop_at_certified:
                    break

    res.interrupted = bool(flag["stop"])
    res.objective = float(best["J"])
    if best["pattern"] is None:
        res.seconds = time.perf_counter() - started
        res.reason = res.reason or "no candidate was evaluated"
        return res
    pattern = best["pattern"]
    res.raw = {"pattern": pattern.tolist(), "objective": float(best["J"]), "period": int(best["P"])}
    exact = [[Fraction(repr(float(v))) for v in row] for row in pattern]
    cert = found_cert["cert"] if found_cert else (_certify(None, form, lo, hi, exact_rows=exact) if form else None)
    certified = cert is not None and cert["status"] == "certified"
    width_G = MIN_LEVEL * G * width
    confirm = None
    if not certified and not res.interrupted:
        # a numerical find must level off before it is shrunk (and a non-find is reported as is)
        confirm = _confirm(exact, kernel, lo, hi, confirm_T, engine, on_chunk)
    levels = confirm is not None and confirm["levels_off"] and confirm["average_regret"] >= width_G
    if shrink and not res.interrupted and (certified or (levels and objective == "measured")):
        small, small_cert, _ = _shrink(pattern, best["J"], cert, form, kernel, lo, hi, G, engine, res, evaluate)
        if small is not None:
            small_confirm = None if certified else _confirm(small, kernel, lo, hi, confirm_T, engine, on_chunk)
            if certified or (small_confirm["levels_off"] and small_confirm["average_regret"] >= width_G):
                exact, cert, confirm = small, small_cert, small_confirm
    if not res.interrupted and confirm is None:
        confirm = _confirm(exact, kernel, lo, hi, confirm_T, engine, on_chunk, cert)
    res.confirm = confirm
    res.interrupted = res.interrupted or bool(confirm and confirm.get("interrupted"))
    res.pattern = [[_fmt(v) for v in row] for row in exact] if dim > 1 else [_fmt(row[0]) for row in exact]
    res.period = len(exact)
    res.G = float(max(abs(v) for row in exact for v in row))
    res.spec = pattern_spec(exact, lo, hi)
    res.certificate = cert if (cert is not None and cert["status"] == "certified") else None
    if form is None:
        res.reason = why_not
    elif res.certificate is None:
        res.reason = ("the steady-state drift of the best find " +
                      ("points to x* (it converges)" if cert and cert["status"] == "converges" else "could not be told from 0"))
    else:
        res.reason = ""
        if confirm is not None and not confirm["levels_off"]:
            S_min = min(max(abs(c["drift"][0]), abs(c["drift"][1])) for c in cert["coordinates"]
                        if c["outcome"] == "fails")
            t_star = ((hi - lo) * len(exact) / (2 * S_min)) ** 2
            res.reason = (f"the confirming run has not levelled off by T={confirm['T']} (slope "
                          f"{confirm['tail_slope']:+.3f}): lim R_T/T = {cert['limit_float']:.3g} is small beside "
                          f"the O(1/√T) terms, and the drift |S| = {S_min:.3g} per period moves x across the box "
                          f"only after about ((hi−lo)·P/(2|S|))² ≈ {t_star:.2g} steps (x_T = "
                          f"{confirm['x_T'][0]:.6g} from x_1 = {confirm['x0'][0]:g})")
    level = confirm is not None and confirm["levels_off"] and confirm["average_regret"] >= width_G
    if res.certificate is not None:
        res.verdict = VERDICTS[0]
    elif level and not res.interrupted:
        res.verdict = VERDICTS[1]
    else:
        res.verdict = VERDICTS[2]
    res.seconds = time.perf_counter() - started
    return res


def _drift_objective(pats: np.ndarray, form: dict, lo, hi) -> np.ndarray:
    """The steady-state objective (float screen of ``proofs.periodic_drift``), dimensionless.

    A pattern the screen calls failing scores min(|Σg|/Σ|g|, |S|/A) over its failing coordinates
    (> 0): the fraction of the gradient that does not cancel over a period (it sets the limit
    |Σg|(hi − lo)/P) and the fraction of the step mass A that does not (it sets how fast x reaches
    the wrong end, ~((hi − lo)P/2|S|)² steps); maximising the limit alone drives |S| to 0 and the
    failure to astronomically late times.  Otherwise it scores minus the smallest margin
    S_i·sign(Σg_i)/A_i (< 0: how far the pattern is from failing)."""
    from proofs import periodic_drift

    S, A = periodic_drift.drift_float(pats, form["beta1"], form["beta2"], form["eps"], form["lr"], form["band"],
                                      absolute=True)
    total = pats.sum(axis=1)
    mass = np.abs(pats).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        margin = S * np.sign(total) / A
        net = np.abs(total) / mass
    fails = margin < 0
    score = np.max(np.where(fails, np.minimum(net, -margin), -np.inf), axis=1)
    gap = np.min(np.where(fails, np.inf, margin), axis=1)
    J = np.where(fails.any(axis=1), score, -gap)
    return np.where(np.isfinite(J), J, -np.inf)


def _certify(pattern: np.ndarray, form: dict, lo, hi, exact_rows=None) -> dict:
    from proofs import periodic_drift

    rows = exact_rows if exact_rows is not None else [[repr(float(v)) for v in row] for row in np.asarray(pattern)]
    band = form["band"]
    return periodic_drift.certify(rows, repr(form["beta1"]), repr(form["beta2"]), repr(form["eps"]), repr(form["lr"]),
                                  None if band is None else (repr(band[0]), repr(band[1])), repr(lo), repr(hi))


def _scale_free(form: dict) -> bool:
    return form["band"] is None and form["eps"] == 0


def _distinct(rows) -> int:
    return len({tuple(r) for r in rows}) if len(rows[0]) > 1 else len({r[0] for r in rows})


def _smallest_period(rows) -> list:
    P = len(rows)
    for p in range(1, P + 1):
        if P % p == 0 and all(rows[i] == rows[i % p] for i in range(P)):
            return rows[:p]
    return rows


def _shrink(pattern, J0, cert0, form, kernel, lo, hi, G, engine, res, evaluate):
    """Simpler exact forms of ``pattern`` that stay counterexamples; returns (rows, certificate, J)."""
    P, d = pattern.shape
    cands = []
    for q in _DENOMINATORS:
        base = [[_fraction(float(v) / G, q) * Fraction(repr(G)) for v in row] for row in pattern]
        cands.append(base)
        # fewer levels: merge values (per coordinate) across the largest gaps, then snap
        for k in range(1, P):
            merged = [[None] * d for _ in range(P)]
            for i in range(d):
                col = pattern[:, i]
                order = np.argsort(col, kind="stable")
                gaps = np.diff(col[order])
                cuts = np.sort(np.argsort(-gaps, kind="stable")[:k - 1]) if k > 1 else np.array([], int)
                groups = np.split(order, cuts + 1)
                for grp in groups:
                    val = _fraction(float(np.mean(col[grp])) / G, q) * Fraction(repr(G))
                    for j in grp:
                        merged[j][i] = val
            cands.append(merged)
    scaled = []
    # with ε = 0 and no band, m/√v is invariant under g → c·g: the method fails at every scale,
    # and scaling down would only make the values uglier
    scales = () if (form is not None and _scale_free(form)) else _SCALES[1:]
    for c in cands:
        for s in scales:
            scaled.append([[v * s for v in row] for row in c])
    cands = cands + scaled
    seen, uniq = set(), []
    for c in cands:
        c = _smallest_period(c)
        key = tuple(tuple(r) for r in c)
        if key not in seen and any(v != 0 for r in c for v in r) and max(abs(v) for r in c for v in r) <= Fraction(repr(G)):
            seen.add(key)
            uniq.append(c)
    ok = []
    if cert0 is not None and cert0["status"] == "certified":
        for c in uniq:
            cert = _certify(None, form, lo, hi, exact_rows=[[str(v) for v in r] for r in c])
            if cert["status"] == "certified":
                ok.append((c, cert, None))
    else:
        by_P: dict[int, list] = {}
        for c in uniq:
            by_P.setdefault(len(c), []).append(c)
        for p, group in sorted(by_P.items()):
            pats = np.array([[[float(v) for v in r] for r in c] for c in group])
            try:
                J = evaluate(pats, p, measured=True)
            except _Stop:
                break
            res.evaluations += len(group)
            for c, j in zip(group, J):
                if j >= 0.5 * J0 and j > 0:
                    cert = _certify(None, form, lo, hi, exact_rows=[[str(v) for v in r] for r in c]) if form else None
                    ok.append((c, cert, float(j)))
    if not ok:
        return None, cert0, J0

    def key(item):
        # period, distinct values, then simple fractions by decade of the denominator, then the
        # smallest G∞, then the smallest denominator
        c = item[0]
        den = max(v.denominator for r in c for v in r)
        return (len(c), _distinct(c), len(str(den)), max(abs(v) for r in c for v in r), den)

    c, cert, j = min(ok, key=key)
    return c, cert, j


def _confirm(rows, kernel: Kernel, lo, hi, T: int, engine: str, on_chunk, cert: dict | None = None) -> dict:
    """The long run on ``Periodic(pattern)``: R_T/T, its tail slope, and the regret bound where
    ``regret.studies.run_bounds`` has one for the method.

    With a certificate the run starts at the end each failing coordinate is driven to (the
    certificate says it is held there): a small drift takes ~(P/(α|S|))² steps to cross the box
    from x_1 = hi, far beyond any run, while from the wrong end the plateau shows at once.  Else
    it starts at the problem's default x_1 = hi."""
    from . import run as engine_run
    from .problems import Periodic
    from .studies import measures

    P = len(rows)
    pat = np.array([[float(v) for v in r] for r in rows])
    TP = max(P, T // P * P)
    x0 = np.full(pat.shape[1], hi)
    held = []
    if cert is not None and cert.get("status") == "certified":
        for i, c in enumerate(cert["coordinates"]):
            if c["outcome"] == "fails":
                x0[i] = hi if Fraction(c["sum"]) > 0 else lo
                held.append(i)
    r = engine_run(Periodic(pat if pat.shape[1] > 1 else pat[:, 0], lo, hi), kernel, TP, checkpoints=40,
                   engine=engine, progress=False, on_chunk=on_chunk, x0=x0)
    avg = r.average_regret[:, 0]
    slope = measures.tail_slope(r.t, avg)
    out: dict[str, Any] = {"T": int(r.steps_done), "x0": x0.tolist(), "average_regret": float(avg[-1]),
                           "regret_over_sqrt_T": float(r.regret[-1, 0] / math.sqrt(r.steps_done)),
                           "tail_slope": slope, "levels_off": bool(np.isfinite(slope) and slope >= LEVEL_SLOPE),
                           "t": r.t.tolist(), "average_regret_curve": avg.tolist(), "seconds": r.seconds,
                           "interrupted": bool(r.interrupted), "x_T": r.x_final[0].tolist()}
    if held:
        # the certificate's claim at finite T: each failing coordinate stays near its end
        out["held_distance"] = float(max(abs(r.x_final[0, i] - x0[i]) for i in held))
    bound = _bound_on(r, kernel)
    if bound is not None:
        name, values = bound
        out["bound"] = {"name": name, "over_sqrt_T": float(values[-1, 0] / math.sqrt(r.steps_done)),
                        "holds": bool(np.all(r.regret[:, 0] <= values[:, 0] * (1 + 1e-12) + 1e-9))}
    return out


def _bound_on(result, kernel: Kernel):
    """(name, bound at every checkpoint) for the methods with a regret bound
    (``regret.studies.run_bounds``, the expressions of ``proofs.bounds`` on a run)."""
    from .studies import run_bounds

    h = kernel.hparams
    try:
        if kernel.name == "amsgrad":
            return "AMSGrad (Reddi et al. 2018, Thm 4)", run_bounds.amsgrad(result)
        if kernel.name == "sgd" and float(np.asarray(h.get("momentum", 0)).reshape(-1)[0]) == 0:
            return "OGD (Zinkevich 2003)", run_bounds.ogd(result)
        if kernel.name in ("adabound", "amsbound") and h.get("bounds") == "paper":
            return "AdaBound, Savarese's corrected bound (2019)", run_bounds.savarese(result)
    except (ValueError, KeyError, TypeError):  # the run lacks what the bound needs (e.g. G∞)
        return None
    return None


def schedule_section(*, lower, upper, params=None, T=None, quick: bool = False, seed: int = 0) -> dict:
    """The search's section of the schedule report (``regret schedule``,
    ``studies.schedule_lab.SEARCH_HOOK``): AdaBound with the user's band at Theorem 1's
    hyperparameters (β1 = 0, β2 = 0.1, α = 0.1, theory convention) searched over periodic
    patterns with P ≤ 6 and G∞ = 1.  One claim: no counterexample is found — it fails, with the
    find as witness, for a band that leaves Adam's failure room (one that does not close).
    Returns {"text", "claims", "numbers"}; ``T`` is not used (the search has its own horizons)."""
    from . import schedules
    from .kernels import optimizer
    from .studies.outcome import Claim

    floats = {k: float(v) for k, v in (params or {}).items() if v is not None}
    k = optimizer("adabound", lower=schedules.as_schedule(lower, "lower", floats),
                  upper=schedules.as_schedule(upper, "upper", floats), beta1=0.0, beta2=0.1, lr=0.1,
                  convention="theory")
    confirm_T = 20_000 if quick else 100_000
    try:  # a band the kernel refuses (lower > upper, negative) is the report's verdict already
        k.coeffs(np.arange(1, confirm_T + 1))
    except ValueError as exc:
        return {"text": f"not run: the band cannot be run ({exc}).", "claims": [], "numbers": {}}
    res = search(k, P_max=6, seed=seed, budget=2_000 if quick else 20_000, confirm_T=confirm_T)
    claim = Claim("the counterexample search finds no periodic problem on which AdaBound with this band fails",
                  VERDICTS[2], res.verdict, not res.found,
                  f"differential evolution over patterns of period ≤ 6, G∞ = 1, {res.evaluations} candidates, "
                  f"seed {seed}; Theorem 1's β1 = 0, β2 = 0.1, α = 0.1", "regret.search")
    text = res.line() + (f" The find as a problem: `{res.spec}`." if res.found else "")
    return {"text": text, "claims": [claim], "numbers": res.to_json()}


def plot(result: SearchResult, outdir: str) -> list[str]:
    """Two PNGs in ``outdir``: the find's R_t/t on the confirming run (log-log, with the
    certified limit as a line; the mean expected gap for a stochastic find), and the best
    objective against the candidates evaluated."""
    import os

    from .plotting import _pyplot

    plt = _pyplot()
    os.makedirs(outdir, exist_ok=True)
    paths = []
    c = result.confirm
    if c is not None:
        fig, ax = plt.subplots(figsize=(7, 4.4))
        stochastic = "expected_gap_curve" in c
        y = np.asarray(c["expected_gap_curve" if stochastic else "average_regret_curve"], dtype=float)
        ax.plot(c["t"], np.where(y > 0, y, np.nan), lw=1.6, label=f"{result.optimizer} on {result.spec}"[:90])
        if result.certificate is not None:
            ax.axhline(result.certificate["limit_float"], ls="--", color="k", lw=1,
                       label=f"certified lim R_T/T = {result.certificate['limit']}"[:90])
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("t")
        ax.set_ylabel("mean expected gap E f(x_t) − f(x*)" if stochastic else "R_t / t")
        ax.set_title(result.verdict)
        ax.legend(fontsize=7)
        path = os.path.join(outdir, "search_average_regret.png")
        fig.savefig(path, dpi=110, bbox_inches="tight")
        plt.close(fig)
        paths.append(path)
    if result.history:
        h = np.asarray([row[:2] for row in result.history], dtype=float)
        fig, ax = plt.subplots(figsize=(7, 4.4))
        ax.step(h[:, 0], h[:, 1], where="post", lw=1.6)
        ax.set_xlabel("candidates evaluated")
        ax.set_ylabel("best objective (late-window R/t)")
        ax.set_title(f"search for {result.optimizer}: objective over the search")
        path = os.path.join(outdir, "search_objective.png")
        fig.savefig(path, dpi=110, bbox_inches="tight")
        plt.close(fig)
        paths.append(path)
    return paths


def search_stochastic(kernel: Kernel, *, G: float = 1.0, lo: float = -1.0, hi: float = 1.0, T: int = 2000,
                      replicates: int = 8, budget: int = 8_000, popsize: int | None = None, seed: int = 0,
                      confirm_T: int = 100_000, confirm_replicates: int = 32, shrink: bool = True,
                      engine: str = "fused", on_chunk: Callable[[int, int], bool | None] | None = None,
                      progress: Callable[[str], None] | None = None) -> SearchResult:
    """Search for an i.i.d. stochastic counterexample of Theorem 3's kind (Reddi et al. 2018):
    g_t = C with probability p, else −b (C, b ∈ (0, G∞], p ∈ (0, 1)), losses g_t·x on [lo, hi].

    Objective: the expected gap E f(x_t) − f(x*) = <μ, x_t> − min_F <μ, x> (μ = pC − (1−p)b; the
    engine tracks it exactly given the draws), averaged over the checkpoints of the second half
    of a run of T steps and over ``replicates`` sample paths (common random numbers: replicate r
    uses the same seed for every candidate, so candidates are compared on the same draws).  One
    differential-evolution generation is one engine run of popsize × replicates instances
    (``regret.problems.ReddiStochastic`` batched over C, b, p and seed).  Shrink: C, b, p to
    simple fractions, kept if the objective stays ≥ half.  Confirm: ``confirm_replicates`` fresh
    seeds for ``confirm_T`` steps; the mean expected gap levels off (tail slope ≥ LEVEL_SLOPE) at
    ≥ MIN_LEVEL·G∞·(hi − lo).

    There is no certificate: the stationary drift has no closed form (``proofs.theorem3``).  For
    β1 = 0, ε = 0 (adam/rmsprop, α/√t) the result's ``certificate`` stays None and
    ``settings['theorem3_sufficient']`` records whether Theorem 3's closed-form sufficient
    condition for a negative drift holds at the find (supporting evidence, not a proof of the limit).
    The best verdict is therefore ``counterexample (numerical, not certified)``.
    """
    from scipy.optimize import differential_evolution

    from . import run as engine_run
    from .problems import ReddiStochastic
    from .studies import measures

    if not isinstance(kernel, Kernel):
        raise TypeError(f"kernel must be a Kernel (see regret.optimizer), got {kernel!r}")
    if kernel.batch != 1:
        raise ValueError(f"kernel has {kernel.batch} configurations; the search takes one")
    G = float(validate.in_range("G", G, 0, lo_open=True))
    lo, hi = float(validate.finite("lo", lo)), float(validate.finite("hi", hi))
    if not lo < hi:
        raise ValueError(f"lo={lo} must be < hi={hi}")
    T = validate.positive_int("T", T, minimum=4)
    R = validate.positive_int("replicates", replicates)
    budget = validate.positive_int("budget", budget)
    seed = validate.positive_int("seed", seed, minimum=0)
    confirm_T = validate.positive_int("confirm_T", confirm_T, minimum=10)
    Rc = validate.positive_int("confirm_replicates", confirm_replicates)
    settings = {"kind": "stochastic", "G": G, "lo": lo, "hi": hi, "T": T, "replicates": R, "budget": budget,
                "popsize": popsize, "seed": seed, "confirm_T": confirm_T, "confirm_replicates": Rc}
    res = SearchResult(verdict=VERDICTS[2], optimizer=kernel.name, hparams=kernel.config(0), settings=settings,
                       reason="i.i.d. losses: the stationary drift has no closed form (proofs.theorem3); "
                              "the limit of the expected gap is measured, not certified")
    started = time.perf_counter()
    flag = {"stop": False}
    best = {"J": -np.inf, "x": None}
    # seeds of the search's replicates, fixed by the search seed; the confirmation uses others
    seeds = np.random.SeedSequence([seed, 3]).generate_state(R).astype(np.int64)
    ckpts = np.unique(np.round(np.linspace(T // 2, T, 9)).astype(np.int64))

    def evaluate(X: np.ndarray) -> np.ndarray:
        C, b, p = (np.repeat(X[:, i], R) for i in range(3))
        prob = ReddiStochastic(C=C, b=b, p=p, seed=np.tile(seeds, len(X)), lo=lo, hi=hi)
        r = engine_run(prob, kernel, T, checkpoints=ckpts, engine=engine, progress=False, on_chunk=on_chunk)
        res.engine_runs += 1
        res.engine_seconds += r.seconds
        res.config_steps += r.steps_done * len(C)
        if r.interrupted:
            flag["stop"] = True
            raise _Stop
        gap = r.expected_gap.mean(axis=0).reshape(len(X), R).mean(axis=1)
        return np.where(np.isfinite(gap), gap, -np.inf)

    def objective(X):
        X = np.asarray(X).T
        if flag["stop"]:
            raise _Stop
        J = evaluate(X)
        res.evaluations += len(X)
        k = int(np.argmax(J))
        if J[k] > best["J"]:
            best.update(J=float(J[k]), x=X[k].copy())
        res.history.append([res.evaluations, float(best["J"]), 0])
        if res.evaluations >= budget:
            raise _Stop
        return -J

    size = popsize or 256
    pop = max(5, -(-size // 3))
    S = 3 * pop
    gens = max(0, budget // S - 1)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 2]))
    eps_p = 1e-3
    with _sigint_sets(flag):
        try:
            if budget < S:
                objective(np.column_stack([rng.uniform(eps_p * G, G, budget), rng.uniform(eps_p * G, G, budget),
                                           rng.uniform(eps_p, 1 - eps_p, budget)]).T)
            else:
                differential_evolution(objective, [(eps_p * G, G), (eps_p * G, G), (eps_p, 1 - eps_p)], popsize=pop,
                                       maxiter=gens, tol=0, atol=0, polish=False, vectorized=True,
                                       updating="deferred", init="latinhypercube", rng=rng)
        except _Stop:
            pass
    res.interrupted = bool(flag["stop"])
    res.objective = float(best["J"])
    if progress is not None:
        progress(f"stochastic: best objective {best['J']:.6g} after {res.evaluations} candidates")
    if best["x"] is None:
        res.seconds = time.perf_counter() - started
        return res
    x = best["x"]
    res.raw = {"C": float(x[0]), "b": float(x[1]), "p": float(x[2]), "objective": float(best["J"])}
    exact = (Fraction(repr(float(x[0]))), Fraction(repr(float(x[1]))), Fraction(repr(float(x[2]))))

    def confirm(vals):
        C, b, p = (float(v) for v in vals)
        cseeds = np.random.SeedSequence([seed, 4]).generate_state(Rc).astype(np.int64)
        prob = ReddiStochastic(C=np.full(Rc, C), b=np.full(Rc, b), p=np.full(Rc, p), seed=cseeds, lo=lo, hi=hi)
        r = engine_run(prob, kernel, confirm_T, checkpoints=40, engine=engine, progress=False, on_chunk=on_chunk)
        gap = r.expected_gap.mean(axis=1)
        slope = measures.tail_slope(r.t, gap)
        return {"T": int(r.steps_done), "expected_gap": float(gap[-1]), "tail_slope": slope,
                "levels_off": bool(np.isfinite(slope) and slope >= LEVEL_SLOPE), "t": r.t.tolist(),
                "expected_gap_curve": gap.tolist(), "average_regret": float(np.mean(r.average_regret[-1])),
                "seconds": r.seconds, "interrupted": bool(r.interrupted), "replicates": Rc}

    level = MIN_LEVEL * G * (hi - lo)
    c = None
    if not res.interrupted:
        c = confirm(exact)
        if shrink and c["levels_off"] and c["expected_gap"] >= level:
            cands = []
            for q in _DENOMINATORS[:14]:
                cand = (_fraction(x[0] / G, q) * Fraction(repr(G)), _fraction(x[1] / G, q) * Fraction(repr(G)),
                        _fraction(x[2], q))
                if cand[0] > 0 and cand[1] > 0 and 0 < cand[2] < 1 and cand not in cands:
                    cands.append(cand)
            if cands:
                try:
                    J = evaluate(np.array([[float(v) for v in cand] for cand in cands]))
                    res.evaluations += len(cands)
                    ok = [cand for cand, j in zip(cands, J) if j >= 0.5 * best["J"]]
                    if ok:
                        small = min(ok, key=lambda cd: (max(v.denominator for v in cd), cd[0]))
                        cs = confirm(small)
                        if cs["levels_off"] and cs["expected_gap"] >= level:
                            exact, c = small, cs
                except _Stop:
                    pass
    res.confirm = c
    res.interrupted = res.interrupted or bool(c and c["interrupted"])
    C, b, p = exact
    res.pattern = None
    res.support = {"values": [_fmt(C), _fmt(-b)], "probabilities": [_fmt(p), _fmt(1 - p)]}
    res.G = float(max(C, b))
    res.spec = f"reddi-stochastic:C={_fmt(C)},b={_fmt(b)},p={_fmt(p)}" + (
        f",lo={lo:g},hi={hi:g}" if (lo, hi) != (-1.0, 1.0) else "")
    form, _ = steady_form(kernel)
    if form is not None and form["beta1"] == 0 and form["eps"] == 0 and form["band"] is None:
        from proofs import theorem3

        c_ = C / b
        delta = p * (c_ + 1) - 1
        if 0 < delta < c_:
            import sympy as sp

            q = lambda f: sp.Rational(f.numerator, f.denominator)  # noqa: E731
            v = theorem3.sufficient_condition(q(c_), q(delta), q(Fraction(repr(form["beta2"]))))
            res.settings["theorem3_sufficient"] = {"clause": v.clause, "status": v.status, "reason": v.reason}
    if c is not None and c["levels_off"] and c["expected_gap"] >= level and not res.interrupted:
        res.verdict = VERDICTS[1]
    res.seconds = time.perf_counter() - started
    return res


def report_section(result: SearchResult, figures: list[str] | None = None) -> str:
    """A Markdown section for a report (the schedule report calls it): verdict, find, certificate
    or the reason there is none, the confirming run, the search's cost, and the figures given."""
    r = result
    lines = [f"### Counterexample search: {r.optimizer}", "", f"**{r.verdict}**", ""]
    if r.spec:
        lines.append(f"- find: `{r.spec}`" + (f" (period {r.period}, G∞ = {r.G:g})" if r.period else ""))
    if r.certificate is not None:
        cs = "; ".join(f"Σg = {c['sum']}, S ∈ [{c['drift'][0]:.6g}, {c['drift'][1]:.6g}] ({c['outcome']})"
                       for c in r.certificate["coordinates"])
        lines.append(f"- certificate (proofs.periodic_drift, exact steady state, interval square roots): {cs}; "
                     f"lim R_T/T = {r.certificate['limit']}")
    if r.reason:
        lines.append(f"- {'no certificate' if r.certificate is None else 'note'}: {r.reason}")
    if r.confirm is not None:
        c = r.confirm
        what = (f"mean expected gap {c['expected_gap']:.6g}" if "expected_gap" in c
                else f"R_T/T = {c['average_regret']:.6g}")
        lines.append(f"- confirming run: T = {c['T']}, {what}, tail slope {c['tail_slope']:+.3f}")
        if "bound" in c:
            lines.append(f"- regret bound ({c['bound']['name']}): R_T/√T = {c['regret_over_sqrt_T']:.4g} ≤ "
                         f"{c['bound']['over_sqrt_T']:.4g}: {c['bound']['holds']}")
    lines.append(f"- search: {r.evaluations} candidates in {r.engine_runs} engine runs, {r.seconds:.2f} s, "
                 f"best objective {r.objective:.6g}" + (" (interrupted)" if r.interrupted else ""))
    for f in figures or []:
        lines.append(f"\n![{f}]({f})")
    return "\n".join(lines) + "\n"
