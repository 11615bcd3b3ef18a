"""Theorem 4 of Luo et al. (ICLR 2019) — AdaBound's O(√T) regret — and Savarese's correction.

AdaBound clips Adam's rate into a band: η̂_t = Clip(α/√v_t, η_l(t), η_u(t)), η_t = η̂_t/√t, with the
paper's η_l(t) = α*(1 − 1/(γt+1)), η_u(t) = α*(1 + 1/(γt)).  Theorem 4 bounds R_T by an O(√T)
expression; Savarese (2019) found that its proof needs η_l(t−1)/η_u(t) ≥ √(1 − 1/t), which the
paper's band violates, and proved a corrected bound with the constant M ≥ t/η_l(t) − (t−1)/η_u(t−1).

``proofs.schedule_check`` decides every clause for the band (stated assumptions, the hidden
requirement, the best M); ``proofs.bounds`` gives both bounds, their symbolic order, and their
value at every checkpoint of a finished run (``regret.studies.run_bounds``) from the problem's
D∞, G∞ and the run's η_T.  The study runs
AdaBound and AMSBound on Theorem 1's adversarial problem and checks: R_t ≤ both bounds at every
checkpoint, by the largest ratio max_t R_t/bound_t over the run (its size is how tight the bound
is: a minimum slack would sit at t = 1, where the bounds coincide), R_t/√t bounded, and — from the bound functions the kernel actually used — that the
hidden requirement fails where proofs says and that M is what proofs derived.
"""
from __future__ import annotations

import time

import numpy as np

from .. import problems, schedules
from . import lineup, measures, run_bounds, runs
from .outcome import Claim, FigureFile, StudyResult

KEY = "theorem4"
TITLE = "Theorem 4: AdaBound's O(√T) regret bound, as stated and as corrected"
REFERENCE = ("Luo, Xiong, Liu & Sun, ICLR 2019, Theorem 4; Savarese, On the Convergence of AdaBound and its "
             "Connection to SGD, 2019, Theorem 3")
T_DEFAULT, T_QUICK = 100_000, 10_000
C, BETA1, BETA2, LR = 3, 0.0, 0.99, 0.1
GAMMA = 0.01          # = 1 − β2 (the paper's example), written exactly: the band closes over ~10^2–10^4 steps
GROWTH = 0.1          # R_t/√t bounded: log-log slope of R_t/√t over the last decade ≤ GROWTH
STATED = ("beta1 < sqrt(beta2)", "lower positive", "lower nondecreasing", "upper nonincreasing",
          "lower <= upper", "common limit", "R_inf finite")


def run(*, T: int | None = None, quick: bool = False, engine: str = "auto", progress=None) -> StudyResult:
    from proofs import bounds, schedule_check
    from proofs.verdicts import explain, overall

    started = time.perf_counter()
    T = T or (T_QUICK if quick else T_DEFAULT)
    params = {"alpha": repr(LR), "gamma": repr(GAMMA)}
    hyp = schedule_check.theorem4_conditions(BETA1, BETA2, params=params)
    stated = [v for v in hyp if v.clause in STATED]
    hidden = next(v for v in hyp if v.clause == "hidden requirement")
    report = schedule_check.decide(schedule_check.PAPER[0], schedule_check.PAPER[1], params)
    M = float(report.best_M)
    order_thm4 = bounds.adabound_theorem4("zero")
    order_corr = bounds.savarese_corrected("zero")

    problem = problems.problem("reddi-online", C=C, P=3, b=1)
    kernels = lineup.kernels(BETA1, BETA2, LR, names=("adabound", "amsbound"), gamma=GAMMA)
    res = runs.lineup(problem, kernels, T, engine=engine, progress=progress, checkpoints=160)
    thm4 = {n: run_bounds.adabound_theorem4(r, problem) for n, r in res.items()}
    corr = {n: run_bounds.savarese(r, problem, M=M) for n, r in res.items()}

    # The band the kernel used, evaluated from its own bound functions (regret.schedules), t = 2..T.
    # The expressions proofs decides, evaluated on that band (one configuration: column 0).
    lower, upper = schedules.paper_bounds(np.array([LR]), np.array([GAMMA]))
    lo1, up1 = (lambda x: lower(x)[:, 0]), (lambda x: upper(x)[:, 0])
    ts = np.arange(2, T + 1, dtype=np.float64)
    hidden_gap = schedule_check.on_band(schedule_check.hidden_requirement, lo1, up1)(ts)
    first_violation = int(ts[np.argmax(hidden_gap < 0)]) if np.any(hidden_gap < 0) else None
    terms = schedule_check.on_band(schedule_check.savarese_term, lo1, up1)(ts)
    M_seen = float(max(1 / lo1(np.array([1.0]))[0], np.max(terms)))

    claims = [
        Claim("the paper's band meets every stated assumption of Theorem 4 (and β1 < √β2)", "all proved",
              explain(stated), overall(stated) == "proved", "each clause decided for all t ≥ 1",
              "proofs.schedule_check.theorem4_conditions"),
        Claim("the hidden requirement η_l(t−1)/η_u(t) ≥ √(1−1/t) fails for the band (γ < 4)", hidden.status,
              "fails" if first_violation else "no violation on t ≤ T (floating point)",
              hidden.status == "fails" and first_violation is not None,
              f"evaluated on the kernel's band for t = 2…{T}: first violated at t = {first_violation}",
              "proofs.schedule_check.decide"),
        Claim("Savarese's M = sup_t [t/η_l(t) − (t−1)/η_u(t−1)] is (1 + 2/γ)/α*", M, M_seen,
              bool(M_seen <= M * (1 + 1e-12) and M_seen >= 0.9 * M),
              f"the sup over t ≤ T of the kernel's band lies in [0.9·M, M] (a supremum approached as t → ∞)",
              "proofs.schedule_check.best_M"),
        Claim("both bounds are O(√T) for β1 = 0 (order decided symbolically)", "√T",
              f"{order_thm4.order}, {order_corr.order}", bool(order_thm4.is_sqrt_T and order_corr.is_sqrt_T),
              "sympy order of the bound expressions", "proofs.bounds.order"),
    ]
    ratios = {}
    for name, r in res.items():
        reg = r.regret[:, 0]
        q_c = measures.bound_ratio(r.t, reg, corr[name][:, 0])
        q_4 = measures.bound_ratio(r.t, reg, thm4[name][:, 0])
        ratios[name] = {"corrected": q_c, "theorem4": q_4}
        growth = measures.tail_slope(r.t, reg / np.sqrt(r.t)) if np.all(reg[r.t >= r.t[-1] / 10] > 0) else float("-inf")
        label = lineup.LABELS[name]
        claims += [
            Claim(f"{label}: R_t ≤ Savarese's corrected bound at every checkpoint", "max_t R_t/bound_t ≤ 1",
                  q_c["text"], q_c["max"] <= 1, f"the largest ratio over all {len(r.t)} checkpoints",
                  "proofs.bounds.savarese_corrected, regret.studies.run_bounds.savarese"),
            Claim(f"{label}: R_t ≤ Theorem 4's bound as stated at every checkpoint (this problem)", "max_t R_t/bound_t ≤ 1",
                  q_4["text"], q_4["max"] <= 1, f"the largest ratio over all {len(r.t)} checkpoints",
                  "proofs.bounds.adabound_theorem4, regret.studies.run_bounds.adabound_theorem4"),
            Claim(f"{label}: R_t/√t stays bounded (regret O(√T))", f"slope ≤ {GROWTH:g}", growth,
                  bool(growth <= GROWTH), "log-log slope of R_t/√t over the last decade", ""),
        ]
    return StudyResult(
        key=KEY, title=TITLE, reference=REFERENCE,
        statement=("AdaBound keeps Adam's per-coordinate rate α/√v_t but clips it into a band [η_l(t), η_u(t)] that "
                   "closes onto α*, so it starts like Adam and ends like SGD; Theorem 4 of Luo et al. claims "
                   "O(√T) regret. Savarese showed that the proof uses η_t⁻¹ ≥ η_(t−1)⁻¹, which needs "
                   "η_l(t−1)/η_u(t) ≥ √(1−1/t) — false for the paper's own band — and proved a corrected bound with "
                   "a constant M. proofs decides each clause for the band used here "
                   f"(α* = {LR:g}, γ = {GAMMA:g}), derives M = (1 + 2/γ)/α*, and evaluates both bounds on the runs. "
                   "On this adversarial problem AdaBound's regret is within both bounds and grows like √T: the "
                   "theorem's conclusion survives here even though its proof does not (see the savarese study for "
                   "a schedule where it fails)."),
        settings={"problem": problem.describe(), **lineup.settings(BETA1, BETA2, LR, gamma=GAMMA),
                  "bounds": "paper: η_l(t) = α*(1 − 1/(γt+1)), η_u(t) = α*(1 + 1/(γt))", "T": T,
                  "engine": res["adabound"].engine},
        claims=claims,
        numbers={"M": M, "M_seen": M_seen, "hidden_first_violation": first_violation,
                 **{name: {"R_T": float(r.regret[-1, 0]), "theorem4_T": float(thm4[name][-1, 0]),
                           "corrected_T": float(corr[name][-1, 0]),
                           "max_ratio_theorem4": ratios[name]["theorem4"]["max"],
                           "max_ratio_corrected": ratios[name]["corrected"]["max"]} for name, r in res.items()}},
        results=res, data={"thm4": thm4, "corr": corr, "lower": lower, "upper": upper},
        seconds=time.perf_counter() - started)


def plot(study: StudyResult, outdir) -> list[FigureFile]:
    from .. import figures
    from ..plotting import save

    res, d = study.results, study.data
    t = res["adabound"].t
    measured = {lineup.LABELS[n]: r.regret[:, 0] for n, r in res.items()}
    bounds = {"Theorem 4 as stated (AdaBound run)": d["thm4"]["adabound"][:, 0],
              "Savarese's corrected bound (AdaBound run)": d["corr"]["adabound"][:, 0]}
    fig = figures.regret_vs_bounds(t, measured, bounds, colors={"AdaBound": figures.COLORS["adabound"],
                                                                 "AMSBound": figures.COLORS["amsbound"]},
                                   title=f"Theorem 4: AdaBound on the period-3 problem (β2 = {BETA2:g}, γ = {GAMMA:g})")
    save(fig, f"{outdir}/theorem4-regret-vs-bounds.png")
    out = [FigureFile("theorem4-regret-vs-bounds.png",
                      "R_t/√t (log-log) of AdaBound and AMSBound against the two bounds evaluated on the AdaBound run "
                      "by proofs. Bounded R_t/√t is O(√T) regret; both bounds lie above at every checkpoint. "
                      "AMSBound coincides with AdaBound on this problem (marked with circles): the running max "
                      "of v_t changes nothing once v_t has reached its plateau.")]
    r = res["adabound"]
    tt = np.unique(np.round(np.geomspace(1, r.t[-1], 400)).astype(np.int64))
    scale = schedules.inv_sqrt(r.t)                 # theory convention: η_t = η̂_t/√t
    used = {r"AdaBound: clipped $\hat\eta_t$ used": (r.t, r.eta[:, 0, 0] / scale),
            r"AMSBound: clipped $\hat\eta_t$ used": (r.t, res["amsbound"].eta[:, 0, 0] / scale)}
    fig = figures.learning_rate_band(tt, d["lower"](tt)[:, 0], d["upper"](tt)[:, 0], used,
                                     title=f"AdaBound's learning-rate band (α* = {LR:g}, γ = {GAMMA:g})")
    save(fig, f"{outdir}/theorem4-learning-rate-band.png")
    out.append(FigureFile("theorem4-learning-rate-band.png",
                          "The band η_l(t) ≤ η̂_t ≤ η_u(t) (shaded) and the clipped rate η̂_t = √t·η_t each run used "
                          "(Result.eta at the checkpoints). Early on η̂_t = α/√v_t inside the band; once η_l(t) passes "
                          "it, the rate is clipped to the lower bound and AdaBound becomes SGD with rate α*/√t."))
    return out
