"""The schedule lab: a user's AdaBound bound schedule η_l(t), η_u(t), decided and run (issue #15).

``run(lower, upper, params)`` is the study behind ``regret schedule``.  It holds one schedule
(expressions of t with named parameters, read by ``proofs.schedule_check.parse``) against

* the theory, decided by ``proofs.schedule_check.decide``: each stated assumption of Theorem 4
  (Luo et al. 2019), the hidden requirement η_l(t−1)/η_u(t) ≥ √(1−1/t) its proof needs
  (Savarese 2019), Savarese's condition t/η_l(t) − (t−1)/η_u(t−1) ≤ M with the best M, and the
  order in T of both bounds (``proofs.bounds``);
* the band the kernel actually uses, evaluated on t = 1…T from the callables
  ``regret.schedules.as_schedule`` builds (well defined: finite, 0 ≤ η_l ≤ η_u; the hidden
  requirement and Savarese's term by ``schedule_check.on_band``, with nothing re-typed);
* runs: AdaBound with the schedule beside AdaBound with the paper's band (same α*), with
  Savarese's counterexample band, and Adam, AMSGrad and SGD, all in the theory convention, on
  every counterexample of the studies (period-3, period-C, stochastic, −1/2, Savarese's
  construction; each with the hyperparameters its study uses) and on two ordinary quadratics.

Claims and criteria (a ``Claim`` each; the study holds iff every check passes, which is the
exit status of ``regret schedule``):

    symbolic        each clause ``holds`` (``fails`` carries its witness; ``undecided`` is not
                    a pass); Savarese's bound O(√T); Theorem 4's bound O(√T) with a valid proof
    band            well defined on t ≤ T; the band closes (η_u − η_l → 0, predicted 0 by the
                    common limit, measured: the width at T, shrinking over the last decade);
                    the hidden requirement's sign on the band agrees with the verdict; the
                    largest Savarese term on the band is ≤ the proved M
    runs            on each linear problem where Savarese's Theorem 3 applies: R_t ≤ the
                    corrected bound at every checkpoint (``regret.studies.run_bounds.savarese``); if the
                    proof of Theorem 4 is valid, R_t ≤ its bound too; everywhere: R_t/t → 0
                    (log-log slope of R_t/t over the last decade ≤ ``DECAY``).  The slope of
                    R_t/√t (≤ ``GROWTH``: measured O(√T)) is reported beside, not claimed: it
                    needs the transient to be over, which a short horizon does not give

``sweep={name: grid}`` re-runs the schedule with one parameter over a grid in one batched run
per problem (the parameter is a 1-d array of configurations), decides every clause exactly at
each grid value, and checks R_t/t → 0 wherever the corrected bound applies.

Where the counterexample search exists (``regret.search`` with ``schedule_section``), its result
for the schedule is added as a further section (``SEARCH_HOOK``); otherwise the report says so.
"""
from __future__ import annotations

import importlib
import importlib.util
import time
from dataclasses import dataclass

import numpy as np

from .. import problems, schedules
from ..kernels import optimizer
from . import lineup, measures, runs
from .outcome import Claim, FigureFile, StudyResult

KEY = "schedule"
TITLE = "Schedule lab: a bound schedule for AdaBound, decided and run"
REFERENCE = ("Luo, Xiong, Liu & Sun, ICLR 2019, Theorem 4; Savarese, On the Convergence of AdaBound and its "
             "Connection to SGD, 2019, Theorems 2–3; Reddi, Kale & Kumar, ICLR 2018, Theorems 1–3")
T_DEFAULT, T_QUICK = 50_000, 4_000
GROWTH = 0.1          # R_t/√t bounded: log-log slope over the last decade ≤ GROWTH (as the theorem4 study)
DECAY = -0.1          # R_t/t → 0: log-log slope of R_t/t over the last decade ≤ DECAY (a plateau has 0)
STATED = ("lower positive", "lower nondecreasing", "upper nonincreasing", "lower <= upper", "common limit",
          "R_inf finite")
SEARCH_HOOK = ("regret.search", "schedule_section")
INTRO = ("AdaBound (Luo, Xiong, Liu & Sun, ICLR 2019) clips Adam's per-coordinate rate into a band [η_l(t), η_u(t)] "
         "that closes onto α*, and claims O(√T) regret under stated assumptions on the band; Savarese (2019) showed "
         "that the proof also needs η_l(t−1)/η_u(t) ≥ √(1−1/t), which the paper's own band violates, and proved a "
         "corrected O(√T) bound under a condition with a constant M. This report takes one band, decides each of "
         "these clauses with the symbolic `proofs` package, and runs the band on the counterexamples where Adam "
         "fails and on ordinary problems, each claim with the criterion that decided it.")
REFS = ("paper", "savarese", "adam", "amsgrad", "sgd")
LABELS = {"user": "AdaBound, this schedule", "paper": "AdaBound, paper's band", "savarese": "AdaBound, Savarese's band",
          **{k: lineup.LABELS[k] for k in ("adam", "amsgrad", "sgd")}}
COLORS = {"user": "tab:green", "paper": "tab:olive", "savarese": "tab:brown", "adam": "tab:red",
          "amsgrad": "tab:blue", "sgd": "tab:gray"}
STYLES = {"user": "-", "paper": "-.", "savarese": ":", "adam": "-", "amsgrad": "--", "sgd": "--"}


@dataclass(frozen=True)
class Setting:
    """One problem of the lab and the hyperparameters its study uses (theory convention)."""

    key: str
    title: str
    name: str           # the problem's registry name, built with ``kw``
    kw: dict
    beta1: float
    beta2: float
    lr: float
    G: float            # |g_t| ≤ G: Savarese's band uses C = G
    linear: bool

    @property
    def problem(self):
        return problems.problem(self.name, **self.kw)

    @property
    def seeds(self) -> int:
        return len(np.atleast_1d(self.kw.get("seed", [0])))

    def tiled(self, n: int):
        """The problem with its seeds repeated for each of n grid values (grid-major: b = j·S + s)."""
        if "seed" not in self.kw:
            return self.problem
        return problems.problem(self.name, **{**self.kw, "seed": np.tile(np.atleast_1d(self.kw["seed"]), n)})


def settings_list(quick: bool) -> list[Setting]:
    """The counterexamples with their studies' constants (imported, not re-typed), then two quadratics."""
    from proofs import theorem2 as p2
    from proofs import theorem3 as p3

    from . import minus_one_two as s12
    from . import savarese as ss
    from . import theorem1 as s1
    from . import theorem2 as s2
    from . import theorem3 as s3

    seeds = np.arange(4 if quick else 8)
    C2 = s2.MARGIN * int(p2.find_C(s2.BETA1, s2.BETA2, lr=s2.LR).C)
    C3 = int(p3.sufficient_C(s3.DELTA, s3.BETA2))
    return [
        Setting("period-3", f"period-3 (C = {s1.C})", "reddi-online", dict(C=s1.C, P=3, b=1),
                0.0, 1 / (1 + s1.C ** 2), s1.LR, float(s1.C), True),
        Setting("period-C", f"period-C (C = {C2})", "reddi-online", dict(C=C2, P=C2, b=1),
                s2.BETA1, s2.BETA2, s2.LR, float(C2), True),
        Setting("stochastic", f"stochastic (C = {C3}, δ = {s3.DELTA:g})", "reddi-stochastic",
                dict(C=C3, delta=s3.DELTA, seed=seeds), s3.BETA1, s3.BETA2, s3.LR, float(C3), True),
        Setting("minus-one-two", f"−1/2 (C = {s12.LINEUP_C})", "minus-one-two", dict(C=s12.LINEUP_C),
                0.0, s12.LINEUP_BETA2, s12.LR, 2.0, True),
        Setting("savarese", f"Savarese's construction (C = {ss.C:g}, δ = {ss.DELTA:g})", "reddi-stochastic",
                dict(C=ss.C, delta=ss.DELTA, seed=seeds), 0.0, ss.BETA2, ss.LR, float(ss.C), True),
        Setting("quadratic", "quadratic ½(x − 0.5)²", "quadratic", dict(a=1.0, c=0.5), 0.9, 0.999, 0.1, 1.5, False),
        Setting("quadratic-2d", "quadratic, 2-d, x* on the boundary", "quadratic", dict(a=[1.0, 10.0], c=[0.5, -3.0]),
                0.9, 0.999, 0.1, 40.0, False),
    ]


# ----------------------------------------------------------------------------- the symbolic side

def _values(params) -> dict:
    """--param values as exact decimals (strings) for proofs, floats for the kernel."""
    return {k: v for k, v in (params or {}).items()}


def _floats(params) -> dict:
    return {k: float(_exact(k, v)) for k, v in params.items() if v is not None}


def _exact(name, value):
    from proofs import exact

    return exact.rational(name, value)


def _beta1t_kind(beta1: float, beta1_schedule) -> str:
    """Which middle term the orders assume: none (β1 = 0); without a β1t schedule, Corollary 4.1's
    β1t = β1·λ^(t−1) (as ``proofs.schedule_check`` states them); with one, geometric-like if
    Σ s1(t)√t converges (decided by sympy), else constant (then no bound is O(√T))."""
    if beta1 == 0:
        return "zero"
    if beta1_schedule is None:
        return "geometric"      # Corollary 4.1's β1t = β1·λ^(t−1), as proofs.schedule_check states the orders
    import sympy as sp

    from proofs.exact import t as t_sym

    try:
        s1 = schedules.as_schedule(beta1_schedule, "beta1_schedule").expr
        tt = sp.Symbol("tt", positive=True, integer=True)
        ok = sp.Sum((s1 * sp.sqrt(t_sym)).subs(t_sym, tt), (tt, 1, sp.oo)).is_convergent()
    except Exception:  # noqa: BLE001 - sympy cannot tell: the safe (larger) bound
        ok = False
    return "geometric" if ok else "constant"


def symbolic(lower, upper, params, beta1t="zero"):
    """(report, claims, witnesses) of ``proofs.schedule_check.decide`` for the schedule."""
    from proofs import bounds, exact, schedule_check

    rep = schedule_check.decide(lower, upper, params)
    claims, extra = [], {}
    lim_l, lim_u = exact.limit_at_infinity(rep.lower), exact.limit_at_infinity(rep.upper)
    for v in rep.clauses:
        witness = v.witness
        if v.clause == "common limit" and v.status != "proved":
            witness = {"lim η_l": str(lim_l), "lim η_u": str(lim_u)}
        extra[v.clause] = witness
        measured = v.status + (f" (witness: {_show_witness(witness)})" if witness and v.status == "fails" else "")
        claims.append(Claim(f"{v.clause}: {_CLAUSE_TEXT.get(v.clause, v.clause)}", "proved", measured,
                            v.status == "proved", v.reason, "proofs.schedule_check.decide"))
    thm4, corr = bounds.adabound_theorem4(beta1t), bounds.savarese_corrected(beta1t)
    stated_ok = all(rep.verdict(c).status == "proved" for c in STATED)
    hidden_ok = rep.verdict("hidden requirement").status == "proved"
    claims.append(Claim("Theorem 4's bound (as stated) is O(√T) and its proof is valid for this schedule",
                        "O(√T), proof valid", f"order {thm4.order}; {rep.order_stated}",
                        bool(thm4.is_sqrt_T and stated_ok and hidden_ok),
                        f"sympy order of the bound (β1t: {beta1t}); the proof needs every stated assumption and "
                        "the hidden requirement", "proofs.bounds.adabound_theorem4, proofs.schedule_check"))
    applies = rep.order_corrected.startswith("O(")
    claims.append(Claim("Savarese's corrected bound applies and is O(√T)", "O(√T)",
                        f"order {corr.order}; {rep.order_corrected}", bool(applies and corr.is_sqrt_T),
                        f"sympy order of the bound (β1t: {beta1t}); needs η_l > 0, η_l ≤ η_u, R∞ < ∞ and a finite M",
                        "proofs.bounds.savarese_corrected, proofs.schedule_check"))
    limits = (lim_l, lim_u)
    return rep, claims, {"witnesses": extra, "limits": limits, "corrected_applies": applies,
                         "theorem4_valid": stated_ok and hidden_ok, "orders": (str(thm4.order), str(corr.order))}


_CLAUSE_TEXT = {
    "lower positive": "η_l(t) > 0 for all t ≥ 1 (Theorem 4)",
    "lower nondecreasing": "η_l(t+1) ≥ η_l(t) (Theorem 4)",
    "upper nonincreasing": "η_u(t+1) ≤ η_u(t) (Theorem 4)",
    "lower <= upper": "η_l(t) ≤ η_u(t) (Theorem 4)",
    "common limit": "η_l, η_u → the same α* ∈ (0, ∞) (Theorem 4)",
    "R_inf finite": "R∞ = η_u(1) < ∞ (Theorem 4)",
    "hidden requirement": "η_l(t−1)/η_u(t) ≥ √(1−1/t) for t ≥ 2 (what Theorem 4's proof uses; Savarese 2019)",
    "Savarese M": "t/η_l(t) − (t−1)/η_u(t−1) ≤ M < ∞ (Savarese's Theorem 3)",
}


def _show_witness(w) -> str:
    return ", ".join(f"{k} = {v}" for k, v in w.items()) if isinstance(w, dict) else str(w)


# ----------------------------------------------------------------------------- the band on the run

def band_checks(lower_fn, upper_fn, T: int, rep, info):
    """Claims of the band the kernel uses on t = 1…T; returns (claims, band ok, data)."""
    from proofs import schedule_check

    ts = np.arange(1, T + 1, dtype=np.int64)
    with np.errstate(all="ignore"):
        lo, up = np.asarray(lower_fn(ts), float).reshape(-1), np.asarray(upper_fn(ts), float).reshape(-1)
    problems_ = []
    for name, arr in (("lower", lo), ("upper", up)):
        bad = ~np.isfinite(arr)
        if bad.any():
            problems_.append(f"{name} is not finite at t = {int(ts[np.argmax(bad)])}")
        neg = arr < 0
        if neg.any():
            k = int(np.argmax(neg))
            problems_.append(f"{name}(t) = {arr[k]:.6g} < 0 at t = {int(ts[k])}")
    crossed = lo > up
    if crossed.any():
        k = int(np.argmax(crossed))
        problems_.append(f"lower(t) = {lo[k]:.6g} > upper(t) = {up[k]:.6g} at t = {int(ts[k])}")
    ok = not problems_
    claims = [Claim("the band is well defined on the run: finite, 0 ≤ η_l(t) ≤ η_u(t) for t = 1…T", "yes",
                    "yes" if ok else "; ".join(problems_), ok,
                    f"evaluated at every t ≤ {T} from the callables the kernel uses", "regret.schedules.as_schedule")]
    data = {"t": ts, "lower": lo, "upper": up}
    if not ok:
        return claims, False, data
    width = up - lo
    lim_l, lim_u = info["limits"]
    try:
        gap = float(lim_u - lim_l)
    except (TypeError, ValueError):
        gap = float("nan")
    w_T, w_10 = float(width[-1]), float(width[max(T // 10 - 1, 0)])
    closes = rep.verdict("common limit").status == "proved" and (w_T < w_10 or w_T == 0)
    claims.append(Claim("the band closes onto one value: η_u(t) − η_l(t) → 0", "→ 0" if gap == 0 else f"→ {gap:.6g}",
                        f"width {w_T:.4g} at t = {T} ({w_10:.4g} at t = {T // 10})", bool(closes),
                        "the common-limit verdict holds and the width at T is below that at T/10",
                        "proofs.schedule_check.decide (limits), the kernel's band"))
    lo1 = lambda x: np.asarray(lower_fn(np.asarray(x, np.int64)), float).reshape(-1)  # noqa: E731
    up1 = lambda x: np.asarray(upper_fn(np.asarray(x, np.int64)), float).reshape(-1)  # noqa: E731
    t2 = ts[1:].astype(np.float64)
    with np.errstate(all="ignore"):
        hidden = np.asarray(schedule_check.on_band(schedule_check.hidden_requirement, lo1, up1)(t2), float)
        terms = np.asarray(schedule_check.on_band(schedule_check.savarese_term, lo1, up1)(t2), float)
    hv = rep.verdict("hidden requirement")
    neg = hidden < -1e-12 * np.maximum(1.0, np.abs(hidden))
    first = int(t2[np.argmax(neg)]) if neg.any() else None
    if hv.status == "fails":
        agree = first is not None or not (hv.witness and "t" in hv.witness and int(hv.witness["t"]) <= T)
        crit = "the verdict fails: a violation on t ≤ T (or its witness lies beyond T)"
    elif hv.status == "proved":
        agree = first is None
        crit = "the verdict holds: no violation on 2 ≤ t ≤ T (1e-12 relative)"
    else:
        agree = True
        crit = "the verdict is undecided: the band gives numerical evidence only"
    claims.append(Claim("the hidden requirement on the kernel's band agrees with the verdict", hv.status,
                        f"first violated at t = {first}" if first else "no violation on t ≤ T", bool(agree), crit,
                        "proofs.schedule_check.on_band"))
    M = rep.best_M
    M_seen = float(max(1 / lo[0], np.nanmax(terms))) if len(terms) else float(1 / lo[0])
    Mf = _float_or_nan(M)
    if np.isfinite(Mf):
        claims.append(Claim("Savarese's terms on the band stay ≤ the proved M", Mf, M_seen,
                            bool(M_seen <= Mf * (1 + 1e-9)), f"max over t ≤ {T} of t/η_l(t) − (t−1)/η_u(t−1) (and 1/η_l(1))",
                            "proofs.schedule_check.best_M"))
    data.update({"width": width, "hidden": hidden, "terms": terms, "M_seen": M_seen, "first_violation": first})
    return claims, True, data


def _float_or_nan(x) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return float("nan")


# ----------------------------------------------------------------------------- the runs

def _kernels(s: Setting, lower_fn, upper_fn, alpha_star, T, schedule=None, beta1_schedule=None, user=True):
    th = dict(beta1=s.beta1, beta2=s.beta2, lr=s.lr, convention="theory")
    from proofs import savarese

    lo_s, up_s = savarese.bound_functions(s.lr, s.G, s.beta2, max(T // 2, 1))
    opt = {k: v for k, v in (("schedule", schedule), ("beta1_schedule", beta1_schedule)) if v is not None}
    out = {}
    if user:
        out["user"] = optimizer("adabound", lower=lower_fn, upper=upper_fn, **th, **opt)
    out["paper"] = optimizer("adabound", final_lr=alpha_star if alpha_star else s.lr, gamma=1 - s.beta2, **th)
    out["savarese"] = optimizer("adabound", lower=lo_s, upper=up_s, **th)
    out["adam"] = optimizer("adam", **th)
    out["amsgrad"] = optimizer("amsgrad", **th)
    out["sgd"] = optimizer("sgd", lr=s.lr, convention="theory")
    return out, (lo_s, up_s)


def _run_checks(s: Setting, r, lower_fn, upper_fn, rep, info, custom_lr: bool):
    from . import run_bounds

    claims, data = [], {}
    M = _float_or_nan(rep.best_M)
    reg = np.mean(r.regret, axis=1)
    if s.linear and not custom_lr:
        if info["corrected_applies"] and np.isfinite(M):
            corr = run_bounds.savarese(r, M=M, lower=lower_fn, upper=upper_fn)
            ratio = float(np.max(r.regret / corr))
            data["corrected"] = corr
            claims.append(Claim(f"{s.title}: R_t ≤ Savarese's corrected bound at every checkpoint", "R_t/bound ≤ 1",
                                f"max R_t/bound = {ratio:.4g}", bool(np.all(r.regret <= corr * (1 + 1e-12) + 1e-9)),
                                f"{len(r.t)} checkpoints × {r.batch} configuration(s) (seeds); the ratio says how tight",
                                "regret.studies.run_bounds.savarese"))
        thm4 = run_bounds.adabound_theorem4(r, lower=lower_fn, upper=upper_fn)
        data["theorem4"] = thm4
        over = r.regret > thm4 * (1 + 1e-12) + 1e-9
        data["theorem4_exceeded_at"] = int(r.t[np.argmax(over.any(axis=1))]) if over.any() else None
        if info["theorem4_valid"]:
            claims.append(Claim(f"{s.title}: R_t ≤ Theorem 4's bound at every checkpoint (its proof is valid here)",
                                "R_t/bound ≤ 1", f"max R_t/bound = {float(np.max(r.regret / thm4)):.4g}", not over.any(),
                                f"{len(r.t)} checkpoints", "regret.studies.run_bounds.adabound_theorem4"))
    tail = r.t >= r.t[-1] / 10
    avg = reg / r.t
    slope = measures.tail_slope(r.t, avg) if np.all(avg[tail] > 0) else float("-inf")
    data["sqrt_slope"] = measures.tail_slope(r.t, reg / np.sqrt(r.t)) if np.all(reg[tail] > 0) else float("-inf")
    claims.append(Claim(f"{s.title}: R_t/t → 0 (no plateau like Adam's)", f"slope ≤ {DECAY:g}", slope,
                        bool(slope <= DECAY), "log-log slope of R_t/t (mean over seeds) over the last decade; "
                        "-inf: R_t ≤ 0 there. (The slope of R_t/√t, the O(√T) evidence, is in the table: it needs "
                        "the transient to be over, which on period-C takes ~10^5 steps at α* = 0.1)", ""))
    return claims, data


# ----------------------------------------------------------------------------- the study

def run(lower, upper, params=None, *, schedule=None, beta1_schedule=None, T: int | None = None, quick: bool = False,
        engine: str = "auto", progress=None, sweep: dict | None = None, only=None) -> StudyResult:
    """The schedule lab for (η_l, η_u) = (``lower``, ``upper``): see the module docstring.

    ``params``: {name: value} (exact decimals as text, or numbers); ``schedule`` (α_t multiplier)
    and ``beta1_schedule`` (β1t multiplier) as text, default the theory convention's 1/√t and
    constant β1; ``sweep``: {name: grid} for one parameter; ``only``: problem keys to run.
    """
    started = time.perf_counter()
    T = T or (T_QUICK if quick else T_DEFAULT)
    params = _values(params)
    sweep = dict(sweep or {})
    if len(sweep) > 1:
        raise ValueError(f"sweep takes one parameter, got {', '.join(sweep)}")
    for name, grid in sweep.items():   # the main runs take the --param value, else the grid's middle one
        if params.get(name) is None:
            params[name] = list(grid)[len(grid) // 2]
    fixed = dict(params)
    settings_ = settings_list(quick)
    if only:
        keys = [s.key for s in settings_]
        for k in only:
            if k not in keys:
                raise ValueError(f"problem {k!r} is not one of {', '.join(keys)}")
        settings_ = [s for s in settings_ if s.key in only]
    missing = [k for k, v in fixed.items() if v is None]
    if missing:
        raise ValueError(f"--param {', '.join(missing)} needs a value to run (k=v); only a swept parameter may be left open")
    # one parse for both sides: the kernel's callables are built from the same text and names
    floats = _floats(fixed)
    lower_fn = schedules.as_schedule(lower, "lower", floats)
    upper_fn = schedules.as_schedule(upper, "upper", floats)
    if schedule is not None:
        schedules.lr_schedule(schedule)
    if beta1_schedule is not None:
        schedules.beta1_schedule(beta1_schedule)
    beta1t = _beta1t_kind(max(s.beta1 for s in settings_), beta1_schedule)
    rep, claims, info = symbolic(lower, upper, fixed, beta1t)
    alpha_star = _float_or_nan(rep.alpha_star) if rep.alpha_star is not None else None
    band, band_ok, band_data = band_checks(lower_fn, upper_fn, T, rep, info)
    claims += band
    results, run_data, table, slopes = {}, {}, [], []
    custom_lr = schedule is not None
    for s in settings_:
        kern, sav = _kernels(s, lower_fn, upper_fn, alpha_star, T, schedule, beta1_schedule, user=band_ok)
        ck = runs.checkpoint_times(T, 80)
        res = runs.lineup(s.problem, kern, T, engine=engine, progress=progress, checkpoints=ck)
        results[s.key] = res
        row = [s.title] + [_avg(res[k]) if k in res else "—" for k in ("user",) + REFS]
        table.append(row)
        if band_ok:
            c, d = _run_checks(s, res["user"], lower_fn, upper_fn, rep, info, custom_lr)
            claims += c
            run_data[s.key] = d
            slopes.append([s.title, d["sqrt_slope"], float(np.mean(res["user"].regret[-1]) / np.sqrt(T))])
        run_data.setdefault(s.key, {})["savarese_band"] = sav
    sweep_out = None
    if sweep:
        (pname, grid), = sweep.items()
        sweep_out = run_sweep(lower, upper, {k: v for k, v in fixed.items() if k != pname}, pname, grid, settings_,
                              T, engine, progress, beta1t)
        claims += sweep_out["claims"]
    search = search_section(lower, upper, params, T=T, quick=quick)
    claims += search.get("claims", [])
    text_params = ", ".join(f"{k} = {v}" for k, v in params.items() if v is not None)
    return StudyResult(
        key=KEY, title=TITLE, reference=REFERENCE,
        statement=("The bound schedule η_l(t) = " + str(rep.lower) + ", η_u(t) = " + str(rep.upper)
                   + (f" ({text_params})" if text_params else "") + " is decided clause by clause by proofs "
                   "(Theorem 4's stated assumptions, the hidden requirement its proof uses, Savarese's condition with "
                   "the best M, the order of both bounds), the band the kernel uses is checked on every step of the "
                   "run, and AdaBound with this band runs beside AdaBound with the paper's band and with Savarese's, "
                   "and Adam, AMSGrad and SGD, on every counterexample of the studies and on two quadratics "
                   "(theory convention: α_t = α/√t, no bias correction, ε = 0; each problem with its study's β1, "
                   "β2, α). Each claim below is a check with its criterion; the lab holds iff all pass. "
                   + ("With a step size other than α/√t (--alpha-t) the bounds, stated for α_t = α/√t, are not "
                      "evaluated on the runs. " if custom_lr else "")
                   + search["text"]),
        settings={"lower": f"{lower}  (= {rep.lower})", "upper": f"{upper}  (= {rep.upper})",
                  "parameters": text_params or "none",
                  "alpha_t": schedule or "α/√t (theory)", "beta1_t": beta1_schedule or "β1 (constant)",
                  "T": T, "problems": ", ".join(s.title for s in settings_),
                  "paper's band": "α*(1 − 1/(γt+1)), α*(1 + 1/(γt)), α* = this schedule's limit (else α), γ = 1 − β2",
                  "Savarese's band": "α/C; α/√(1−β2) for t ≤ K = T/2, α/C after (C = the gradient bound)",
                  **({"sweep": f"{next(iter(sweep))} over {list(next(iter(sweep.values())))}"} if sweep else {})},
        claims=claims,
        numbers={"clauses": [v.as_dict() for v in rep.clauses], "best_M": str(rep.best_M),
                 "alpha_star": str(rep.alpha_star), "order_stated": rep.order_stated,
                 "order_corrected": rep.order_corrected, "bound_orders": info["orders"], "beta1t": beta1t,
                 "witnesses": info["witnesses"], "hidden_first_violation_on_band": band_data.get("first_violation"),
                 "M_seen": band_data.get("M_seen"),
                 "theorem4_exceeded_at": {k: d.get("theorem4_exceeded_at") for k, d in run_data.items()},
                 "tables": [{"title": "R_T/T (mean over seeds) on every problem",
                             "columns": ["problem"] + [LABELS[k] for k in ("user",) + REFS], "rows": table},
                            {"title": f"This schedule's O(√T) evidence: log-log slope of R_t/√t over the last decade "
                                      f"(≤ {GROWTH:g}: bounded) and R_T/√T", "columns": ["problem", "slope", "R_T/√T"],
                             "rows": slopes}]
                 + ([sweep_out["table"], sweep_out["region_table"]] if sweep_out else []),
                 "search": search.get("numbers")},
        results=results,
        data={"band": band_data, "band_ok": band_ok, "runs": run_data, "settings": settings_, "sweep": sweep_out,
              "lower_fn": lower_fn, "upper_fn": upper_fn, "alpha_star": alpha_star},
        seconds=time.perf_counter() - started)


def _avg(r) -> float:
    return float(np.mean(r.regret_final) / r.T)


def search_section(lower, upper, params, **kw) -> dict:
    """The counterexample search's result for the schedule, where ``regret.search`` exists.

    Hook: ``regret.search.schedule_section(lower=, upper=, params=, T=, quick=)`` returning a dict
    with "text" (a paragraph), optionally "claims" (a list of ``Claim``) and "numbers".
    """
    mod_name, fn_name = SEARCH_HOOK
    if importlib.util.find_spec(mod_name) is None:
        return {"text": "Counterexample search: not available in this build (regret.search is absent)."}
    fn = getattr(importlib.import_module(mod_name), fn_name, None)
    if fn is None:
        return {"text": f"Counterexample search: {mod_name} has no {fn_name}() yet."}
    out = dict(fn(lower=lower, upper=upper, params=params, **kw))
    out["text"] = "Counterexample search: " + out.get("text", "")
    return out


# ----------------------------------------------------------------------------- sweeps

def run_sweep(lower, upper, fixed, pname, grid, settings_, T, engine, progress, beta1t="zero"):
    """One parameter over a grid: every clause decided exactly at each value, and one batched run
    per problem of AdaBound with the swept band (the parameter a 1-d array of configurations)."""
    from proofs import schedule_check

    grid = [g for g in grid]
    used = {x.name for e in (schedules.as_schedule(lower, "lower", dict.fromkeys([*fixed, pname], 1.0)).expr,
                             schedules.as_schedule(upper, "upper", dict.fromkeys([*fixed, pname], 1.0)).expr)
            for x in e.free_symbols}
    if pname not in used:
        raise ValueError(f"--sweep {pname}: neither --lower nor --upper uses {pname}")
    values = np.array([float(_exact(pname, g)) for g in grid])
    if len(values) < 2:
        raise ValueError(f"--sweep {pname}: give at least two values")
    if np.any(values <= 0):
        raise ValueError(f"--sweep {pname}: parameters are positive reals, got {grid}")
    verdicts = []
    for g in grid:
        r = schedule_check.decide(lower, upper, {**fixed, pname: g})
        verdicts.append({v.clause: v.status for v in r.clauses} | {"corrected bound applies":
                                                                   "proved" if r.order_corrected.startswith("O(") else "fails"})
    ts = np.arange(1, T + 1)
    try:   # the parameter left symbolic: each clause's region in it (a witness such as "fails for γ ∈ (0, 4)")
        reg_clauses = schedule_check.decide(lower, upper, {**fixed, pname: None}).clauses
        region = [v.line() for v in reg_clauses]
        boundaries = {v.clause: _boundary(v.witness) for v in reg_clauses if _boundary(v.witness) is not None}
    except ValueError as exc:
        region, boundaries = [f"not decided with {pname} symbolic: {exc}"], {}
    floats = {**_floats(fixed), pname: values}
    with np.errstate(all="ignore"):
        lo = schedules.as_schedule(lower, "lower", floats)(ts)
        up = schedules.as_schedule(upper, "upper", floats)(ts)
    well = np.all(np.isfinite(lo) & np.isfinite(up) & (lo >= 0) & (lo <= up), axis=0)
    if not np.all(well):
        bad = [grid[j] for j in np.flatnonzero(~well)]
        raise ValueError(f"--sweep {pname}: the band is not well defined on t ≤ {T} for {pname} = {bad} "
                         "(not finite, negative or lower > upper); leave those values out")
    per_problem, claims = {}, []
    nb = len(values)
    for s in settings_:
        # grid × seeds in one batch: configuration b = j·S + s is grid value j on seed s
        rep_vals = {**_floats(fixed), pname: np.repeat(values, s.seeds)}
        kern = optimizer("adabound", lower=schedules.as_schedule(lower, "lower", rep_vals),
                         upper=schedules.as_schedule(upper, "upper", rep_vals), beta1=s.beta1, beta2=s.beta2,
                         lr=s.lr, convention="theory")
        r = runs.lineup(s.tiled(nb), {"user": kern}, T, engine=engine, progress=progress, checkpoints=40)["user"]
        reg = r.regret.reshape(len(r.t), nb, s.seeds).mean(axis=2)
        per_problem[s.key] = {"R_T/T": reg[-1] / T, "R_T/sqrtT": reg[-1] / np.sqrt(T), "t": r.t, "regret": reg}
        slopes = []
        for j in range(nb):
            y = reg[:, j]
            tail = r.t >= r.t[-1] / 10
            slopes.append(measures.tail_slope(r.t, y / r.t) if np.all(y[tail] > 0) else float("-inf"))
        per_problem[s.key]["slope"] = np.array(slopes)
        where = [j for j in range(nb) if verdicts[j]["corrected bound applies"] == "proved"]
        if where:
            worst = max(slopes[j] for j in where)
            claims.append(Claim(f"sweep over {pname}, {s.title}: R_t/t → 0 wherever Savarese's bound applies",
                                f"slope ≤ {DECAY:g}", worst, bool(worst <= DECAY),
                                f"the largest log-log slope of R_t/t over the last decade among the {len(where)} of "
                                f"{nb} grid values where the corrected bound applies (decided exactly per value)",
                                "proofs.schedule_check"))
    table = {"title": f"R_T/√T over the sweep of {pname}",
             "columns": ["problem"] + [f"{pname} = {g}" for g in grid],
             "rows": [[s.title] + [float(v) for v in per_problem[s.key]["R_T/sqrtT"]] for s in settings_]}
    return {"name": pname, "grid": grid, "values": values, "verdicts": verdicts, "problems": per_problem,
            "claims": claims, "table": table, "region": region, "boundaries": boundaries,
            "region_table": {"title": f"Each clause with {pname} left symbolic (proofs.schedule_check.decide)",
                             "columns": ["clause"], "rows": [[line] for line in region]}}


def _boundary(witness) -> float | None:
    """The finite end of a one-sided region such as "[4, ∞)" or "(0, 4)" in a verdict's witness."""
    import re

    if not isinstance(witness, dict):
        return None
    for v in witness.values():
        m = re.fullmatch(r"[\[(]\s*([0-9.eE+\-/]+)\s*,\s*(∞|oo)\s*[\])]", str(v).strip())
        if m:
            try:
                return float(_exact("boundary", m.group(1)))
            except (TypeError, ValueError):
                return None
    return None


# ----------------------------------------------------------------------------- figures

def plot(study: StudyResult, outdir) -> list[FigureFile]:
    from .. import figures
    from ..plotting import save

    d, res = study.data, study.results
    out = []
    sets = d["settings"]
    panels = []
    for s in sets:
        rr = res[s.key]
        keys = [k for k in REFS + ("user",) if k in rr]     # this schedule last: drawn on top
        panels.append((s.title, [rr[k] for k in keys], [LABELS[k] for k in keys],
                       [COLORS[k] for k in keys], [STYLES[k] for k in keys]))
    fig = figures.curve_panels(panels, "average_regret", title="Average regret R_t/t on every problem", bands=False)
    save(fig, f"{outdir}/schedule-average-regret.png")
    out.append(FigureFile("schedule-average-regret.png",
                          "R_t/t (log-log; the mean over seeds on the stochastic problems) of AdaBound with this schedule (green), "
                          "with the paper's band and Savarese's, and of Adam, AMSGrad and SGD, one panel per problem. "
                          "R_t/t → 0 is convergence; Adam's plateau on the counterexamples is its failure. Lines that "
                          "coincide show only the top one (on the 2-d quadratic every adaptive method takes the same "
                          "clipped steps to the boundary, so only SGD differs)."))
    if d["band_ok"]:
        bpanels = []
        for s in sets:
            rd = d["runs"].get(s.key, {})
            r = res[s.key]["user"]
            measured = {LABELS["user"]: np.mean(r.regret, axis=1), LABELS["paper"]: np.mean(res[s.key]["paper"].regret, axis=1)}
            bnds = {}
            if "theorem4" in rd:
                bnds["Theorem 4 as stated (this run)"] = np.mean(rd["theorem4"], axis=1)
            if "corrected" in rd:
                bnds["Savarese's corrected (this run)"] = np.mean(rd["corrected"], axis=1)
            bpanels.append((s.title, r.t, measured, bnds))
        fig = figures.bound_panels(bpanels, colors={LABELS[k]: COLORS[k] for k in ("user", "paper")},
                                   styles={LABELS[k]: STYLES[k] for k in ("user", "paper")},
                                   title="R_t/√t against both bounds evaluated on the run")
        save(fig, f"{outdir}/schedule-regret-vs-bounds.png")
        out.append(FigureFile("schedule-regret-vs-bounds.png",
                              "R_t/√t (log-log) of AdaBound with this schedule and with the paper's band, against "
                              "Theorem 4's bound (dashed) and Savarese's corrected bound (dotted), both evaluated by "
                              "proofs on the run of this schedule (mean over seeds). A flat R_t/√t is O(√T) regret; "
                              "panels without bounds are problems whose gradient bound the bounds cannot use, or a "
                              "schedule for which the corrected bound does not apply."))
        b = d["band"]
        tt = np.unique(np.round(np.geomspace(1, b["t"][-1], 400)).astype(np.int64))
        used = {}
        for s in sets[:5]:
            r = res[s.key]["user"]
            used[f"{s.key}: clipped rate used"] = (r.t, r.eta[:, 0, 0] * np.sqrt(r.t))
        fig = figures.learning_rate_band(tt, b["lower"][tt - 1], b["upper"][tt - 1], used,
                                         title="The band η_l(t) ≤ η̂_t ≤ η_u(t) and the clipped rate each run used")
        save(fig, f"{outdir}/schedule-learning-rate-band.png")
        out.append(FigureFile("schedule-learning-rate-band.png",
                              "The schedule's band (shaded) and, per counterexample, the clipped rate η̂_t = √t·η_t "
                              "the run used (configuration 0, at the checkpoints). Where the rate sits on an edge, "
                              "the clip is active."))
        sav = d["runs"][sets[0].key]["savarese_band"]
        paper = schedules.paper_bounds(np.array([d["alpha_star"] or sets[0].lr]), np.array([1 - sets[0].beta2]))
        bands = {LABELS["user"]: (b["lower"][tt - 1], b["upper"][tt - 1], b.get("hidden")),
                 LABELS["paper"] + f" (γ = {1 - sets[0].beta2:g})": (paper[0](tt)[:, 0], paper[1](tt)[:, 0], None),
                 LABELS["savarese"] + " (period-3)": (sav[0](tt), sav[1](tt), None)}
        fig = figures.band_closing(tt, bands, colors=[COLORS["user"], COLORS["paper"], COLORS["savarese"]],
                                   title="How fast the band closes")
        save(fig, f"{outdir}/schedule-band-closing.png")
        out.append(FigureFile("schedule-band-closing.png",
                              "Left: the width η_u(t) − η_l(t) of this schedule's band beside the paper's and "
                              "Savarese's (log-log; a width that levels off is a band that does not close). Right: the "
                              "hidden requirement η_l(t−1)/η_u(t) − √(1−1/t) on this schedule's band (symmetric log); "
                              "below 0 (red) the step Theorem 4's proof takes is false."))
    if d["sweep"]:
        sw = d["sweep"]
        fig = figures.sweep_regions(sw["values"], {s.title: sw["problems"][s.key]["R_T/sqrtT"] for s in sets},
                                    sw["verdicts"], xlabel=sw["name"], ylabel=r"$R_T/\sqrt{T}$",
                                    boundaries=sw.get("boundaries"),
                                    title=f"Sweep over {sw['name']}: R_T/√T and where each clause holds")
        save(fig, f"{outdir}/schedule-sweep.png")
        out.append(FigureFile("schedule-sweep.png",
                              f"Top: R_T/√T of AdaBound with the schedule at each value of {sw['name']} (one batched "
                              "run per problem). Bottom: each clause decided exactly at each grid value: green holds, "
                              "red fails, grey undecided (cells span half-way to the neighbouring values); a black tick is the "
                              "boundary of the clause's region with the parameter left symbolic."))
    return out
