"""Reddi, Kale & Kumar (ICLR 2018), Figure 1: Adam drifts to the wrong end, AMSGrad converges.

What the paper shows.  Section 5 ("synthetic experiments") runs Adam and AMSGrad with
β1 = 0.9, β2 = 0.99 — the settings used in practice — on two one-dimensional problems on
F = [−1, 1], both with x* = −1:

    online       f_t(x) = 1010·x  if t mod 101 = 1,  else −10·x
    stochastic   f_t(x) = 1010·x  with probability 0.01, else −10·x   (i.i.d.)

Figure 1 plots R_t/t and x_t for the online problem (Adam's average regret does not go to 0 and
its iterate goes to +1, the worst point of F; AMSGrad's R_t/t → 0 and x_t → −1) and x_t for the
stochastic one (the same picture).

What we took.  The functions, F, β1 and β2 are the paper's.  The paper's text as quoted in the
issue and in REFERENCE.md gives no step size and no horizon for Figure 1, and the excerpts of
the paper reachable here did not include that paragraph, so both are our choice and said so:
α_t = α/√t with α = 1 (the schedule of the paper's analysis, Theorem 4 / Corollary 1; theory
convention: no bias correction, ε = 0), x_1 = +1 (the problems' default, the start of
Reddi et al.'s Theorem 1), T = 5·10^6
(``--quick``: 10^6), and 8 independent sample paths for the stochastic problem (batched: the
seed is the batch axis).  AMSGrad needs about 10^6 steps at α = 1 to reach −1 here; the
figure's own axis (millions of iterations) is of that order.

Predictions (``proofs.figure1``): the online steady-state drift S < 0 (interval arithmetic), so
Adam is held at +1 and R_T/T → 20/101; the stochastic stationary drift E[m/√v] < 0 (sampled),
so E x_t goes up and the expected gap stays near 2·E g = 0.4; AMSGrad meets β1 < √β2 (its
Theorem 4), so it converges.

Criteria (all computed from the runs).  Online Adam: x_(t+1) = +1 after every one of the last
20 whole periods recorded; the limit L of the least-squares fit R_t/t ≈ L + c/√t over the last
decade within 5% of 20/101 (R_t/t approaches it from above like c/√t), and R_T/T ≥ 0.95·20/101.  Online AMSGrad:
x_(T+1) ≤ −0.9 and the slope ≤ −0.25.  Stochastic Adam: the mean over seeds of x_(T+1) ≥ 0.9
and the expected gap ≥ E g = 0.2 in every seed at T.  Stochastic AMSGrad: mean expected gap at
T ≤ ¼ of Adam's held value 0.4.
"""
from __future__ import annotations

import time

import numpy as np

from .. import problems
from ..kernels import optimizer
from . import measures, runs
from .outcome import Claim, FigureFile, StudyResult

KEY = "figure1"
TITLE = "Figure 1: Adam drifts to the wrong end on Reddi et al.'s synthetic problems, AMSGrad converges"
REFERENCE = "Reddi, Kale & Kumar, On the Convergence of Adam and Beyond, ICLR 2018, Section 5 and Figure 1"
T_DEFAULT, T_QUICK = 5_000_000, 1_000_000
BETA1, BETA2, LR = 0.9, 0.99, 1.0
C, B, PERIOD, P = 1010.0, 10.0, 101, 0.01
SEEDS = np.arange(8)
LIMIT_TOL, DECAY = 0.05, -0.25
LABELS = {"adam": "Adam", "amsgrad": "AMSGrad"}


def min_T(quick: bool = False) -> int:
    """Twenty-one whole periods at least: the held-at-+1 check reads the last twenty period ends."""
    return 21 * PERIOD


def _kernels():
    return {n: optimizer(n, beta1=BETA1, beta2=BETA2, lr=LR, convention="theory") for n in ("adam", "amsgrad")}


def run(*, T: int | None = None, quick: bool = False, engine: str = "auto", progress=None) -> StudyResult:
    from proofs import figure1
    from proofs.verdicts import explain

    started = time.perf_counter()
    T = T or (T_QUICK if quick else T_DEFAULT)
    pred = figure1.predict()
    limit = float(pred.online_limit)
    gap_held = float(pred.stochastic_gap_held)
    mean_g = float(figure1.stochastic_mean_gradient())

    online = problems.problem("reddi-online", C=C, P=PERIOD, b=B)
    on = runs.lineup(online, _kernels(), T, engine=engine, progress=progress,
                     checkpoints=runs.period_checkpoints(T, PERIOD))
    stoch = problems.problem("reddi-stochastic", C=C, p=P, b=B, seed=SEEDS)
    st = runs.lineup(stoch, _kernels(), T, engine=engine, progress=progress, checkpoints=80)

    adam, ams = on["adam"], on["amsgrad"]
    ends = np.flatnonzero(adam.t % PERIOD == 0)[-20:]
    x_ends = adam.x[ends, 0, 0]
    a_avg, m_avg = adam.average_regret[:, 0], ams.average_regret[:, 0]
    a_slope, m_slope = measures.tail_slope(adam.t, a_avg), measures.tail_slope(ams.t, m_avg)
    a_lim = measures.limit_fit(adam.t, a_avg)
    sa, sm = st["adam"], st["amsgrad"]
    sa_x = float(np.mean(sa.x_final[:, 0]))
    sa_gap_min = float(np.min(sa.expected_gap[-1]))
    sm_gap = float(np.mean(sm.expected_gap[-1]))

    claims = [
        Claim("online: Adam's periodic steady-state drift points away from x* = −1 (S < 0)", "S < 0",
              pred.online_drift[0], bool(pred.online_fails), explain([pred.online_fails]),
              "proofs.figure1.predict (proofs.periodic.reddi_drift_interval)"),
        Claim("online: Adam's iterate is back at +1 after each of the last 20 recorded whole periods", 1.0,
              float(np.min(x_ends)), bool(np.all(x_ends == 1.0)), "x_(t+1) = 1 exactly at t ≡ 0 mod 101",
              "proofs.figure1.predict"),
        Claim("online: Adam's R_T/T does not vanish: it tends to the held limit 20/101", limit, a_lim,
              bool(abs(a_lim - limit) <= LIMIT_TOL * limit and a_avg[-1] >= (1 - LIMIT_TOL) * limit),
              f"L of the fit R_t/t ≈ L + c/√t over the last decade within {LIMIT_TOL:.0%} of 20/101, and "
              f"R_T/T ≥ {1 - LIMIT_TOL:g}·20/101 (R_T/T = {a_avg[-1]:.4g}, log-log slope {a_slope:+.3f})",
              "proofs.reproduce_support.held_limit"),
        Claim("online: AMSGrad converges (β1 < √β2, its Theorem 4): x_T → −1", -1.0, float(ams.x_final[0, 0]),
              bool(pred.amsgrad_condition) and bool(ams.x_final[0, 0] <= -0.9),
              f"x_(T+1) ≤ −0.9; {pred.amsgrad_condition.reason}", "proofs.conditions.beta_condition"),
        Claim("online: AMSGrad's R_T/T tends to 0", 0.0, float(m_avg[-1]), bool(m_slope <= DECAY),
              f"log-log slope of R_t/t over the last decade ≤ {DECAY:g} (measured {m_slope:+.3f})",
              "Reddi et al. Theorem 4"),
        Claim("stochastic: Adam's stationary drift E[m/√v] < 0 (the problem scaled by 1/10 is Theorem 3's, "
              "C = 101, δ = 1/50)", "D < 0", pred.stochastic_drift.mean,
              pred.stochastic_fails.status == "numerical evidence",
              "a sampled mean, so numerical evidence at best: " + explain([pred.stochastic_fails]),
              "proofs.figure1.predict (proofs.theorem3.expected_drift)"),
        Claim(f"stochastic: Adam ends near +1 (mean of {len(SEEDS)} seeds) with expected gap ≥ E g = {mean_g:g} "
              "in every seed", 1.0, sa_x, bool(sa_x >= 0.9 and sa_gap_min >= mean_g),
              f"mean x_(T+1) ≥ 0.9 and min over seeds of E f(x_(T+1)) − f(x*) ≥ {mean_g:g} "
              f"(measured {sa_gap_min:.3g})", "proofs.figure1.predict"),
        Claim("stochastic: AMSGrad's expected gap falls well below Adam's held value", f"≤ {gap_held / 4:g}", sm_gap,
              bool(sm_gap <= gap_held / 4), f"mean over seeds at T ≤ ¼ · 2·E g = {gap_held / 4:g}",
              "Reddi et al. Theorem 4"),
    ]
    numbers = {"online_limit": limit, "online_adam_fitted_limit": a_lim, "online_drift": pred.online_drift[0],
               "stochastic_drift": {"mean": pred.stochastic_drift.mean, "stderr": pred.stochastic_drift.stderr},
               "online": {n: {"x_T": float(r.x_final[0, 0]), "average_regret_T": float(r.average_regret[-1, 0]),
                              "tail_slope": measures.tail_slope(r.t, r.average_regret[:, 0])} for n, r in on.items()},
               "stochastic": {n: {"x_T": r.x_final[:, 0], "expected_gap_T": r.expected_gap[-1],
                                  "expected_average_regret_T": r.expected_regret[-1] / r.t[-1]}
                              for n, r in st.items()}}
    return StudyResult(
        key=KEY, title=TITLE, reference=REFERENCE,
        statement=("Reddi et al. close their counterexamples with an experiment at the β1 = 0.9, β2 = 0.99 of practice: "
                   "f_t(x) = 1010x once every 101 steps and −10x otherwise on [−1, 1] (online), and 1010x with "
                   "probability 0.01, else −10x (stochastic); x* = −1 in both. Their Figure 1 shows Adam's average "
                   "regret levelling off and its iterate going to +1, the worst point, while AMSGrad's average regret "
                   "vanishes and its iterate goes to −1. The functions and (β1, β2) are the paper's; the step size and "
                   f"horizon are not given in the text we could read, so we take α_t = {LR:g}/√t (the schedule of the "
                   f"paper's analysis) and T = {T}. proofs predicts the online failure from the sign of the periodic "
                   "steady-state drift, with the limit 20/101 of R_T/T, and the stochastic one from Adam's sampled "
                   "stationary drift (the problem divided by 10 is Theorem 3's with C = 101, δ = 1/50)."),
        settings={"online problem": online.describe(), "stochastic problem": stoch.describe(),
                  "optimizers": f"Adam, AMSGrad; theory convention (α_t = α/√t, no bias correction, ε = 0), "
                                f"β1 = {BETA1:g}, β2 = {BETA2:g}, α = {LR:g}", "x_1": 1.0, "T": T,
                  "seeds": f"{len(SEEDS)} (batched)", "engine": adam.engine},
        claims=claims, numbers=numbers, results={"online": on, "stochastic": st},
        data={"limit": limit, "gap_held": gap_held}, seconds=time.perf_counter() - started)


def plot(study: StudyResult, outdir) -> list[FigureFile]:
    from .. import figures
    from ..plotting import save

    on, st = study.results["online"], study.results["stochastic"]
    d = study.data
    labels = [LABELS[n] for n in on]
    out = []
    fig = figures.curves(list(on.values()), "average_regret", labels=labels,
                         hlines=[(d["limit"], f"held at +1: 20/101 = {d['limit']:.4g}")],
                         title="Figure 1 (online): 1010x every 101 steps, else −10x; β1 = 0.9, β2 = 0.99")
    save(fig, f"{outdir}/figure1-online-average-regret.png")
    out.append(FigureFile("figure1-online-average-regret.png",
                          "Online problem: average regret R_t/t (log-log). Adam levels off at the held limit 20/101 "
                          "predicted from the steady-state drift; AMSGrad's decays like 1/√t."))
    fig = figures.curves(list(on.values()), "x", labels=labels, hlines=[(-1.0, "optimum x* = −1")],
                         title="Figure 1 (online): iterates")
    save(fig, f"{outdir}/figure1-online-iterates.png")
    out.append(FigureFile("figure1-online-iterates.png",
                          "Online problem: iterate x_(t+1) at log-spaced checkpoints and at period ends. Adam goes "
                          "to +1, AMSGrad to −1."))
    fig = figures.curves(list(st.values()), "x", labels=labels, hlines=[(-1.0, "optimum x* = −1")],
                         title=f"Figure 1 (stochastic): iterates, mean of {len(SEEDS)} seeds")
    save(fig, f"{outdir}/figure1-stochastic-iterates.png")
    out.append(FigureFile("figure1-stochastic-iterates.png",
                          f"Stochastic problem: iterate x_(t+1), mean over {len(SEEDS)} sample paths with the "
                          "min–max band. Adam goes to +1, AMSGrad to −1."))
    fig = figures.curves(list(st.values()), "expected_gap", labels=labels,
                         hlines=[(d["gap_held"], f"held at +1: 2·E g = {d['gap_held']:g}")],
                         title="Figure 1 (stochastic): expected gap")
    save(fig, f"{outdir}/figure1-stochastic-expected-gap.png")
    out.append(FigureFile("figure1-stochastic-expected-gap.png",
                          "Stochastic problem: E f(x_(t+1)) − f(x*) = 0.2·(x_(t+1) + 1), mean over seeds with the "
                          "min–max band (the realised R_t/t of this problem is dominated by the noise of the "
                          "comparator, so the expected gap is the figure's second panel)."))
    return out
