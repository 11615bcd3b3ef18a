"""Theorem 2 of Reddi, Kale & Kumar (ICLR 2018): Adam fails for any β1 < √β2.

Construction: F = [−1, 1], f_t(x) = C·x if t mod C = 1 else −x (period C, a period sums to +1,
x* = −1), Adam with constant β1, β2 and α_t = α/√t.  ``proofs.theorem2`` derives the condition
on C: the periodic steady state of (m, v) gives a drift S(C) = Σ_j m̄_j/√v̄_j per period; for
S(C) < 0 Adam is held at x = +1, each period costs regret 2, and

    R_T/T → 2/C                  (S(C) < 0),        R_T/T → 0       (S(C) > 0)

``proofs.theorem2.find_C`` returns the smallest such C (rigorous interval arithmetic).  The study
runs the five optimizers on that C, and Adam alone on a sweep of C (one batched run: the problem's
C and P are arrays) to check that the sign of S predicts which C fail.
"""
from __future__ import annotations

import time

import numpy as np

from .. import problems
from ..kernels import optimizer
from . import lineup, measures, runs
from .outcome import Claim, FigureFile, StudyResult

KEY = "theorem2"
TITLE = "Theorem 2: Adam fails for any β1 < √β2 on a period-C problem"
REFERENCE = "Reddi, Kale & Kumar, On the Convergence of Adam and Beyond, ICLR 2018, Theorem 2"
T_DEFAULT, T_QUICK = 100_000, 10_000
BETA1, BETA2, LR = 0.5, 0.9, 0.5
HELD = 0.5          # a failing C: R_T/T ≥ HELD · 2/C (the x ≡ +1 limit; excursions cost O(1/√T))
MARGIN = 2          # the line-up runs on C = MARGIN·C*: well inside the failing range, where S(C) is
                    # clearly negative (at C* itself the drift is so weak that x climbs for 10^5 steps)
DECAY = -0.25       # a converging run: log-log slope of R_t/t over the last decade ≤ DECAY
SWEEP = 3           # Adam's C sweep covers 2 … SWEEP·C*


def run(*, T: int | None = None, quick: bool = False, engine: str = "auto", progress=None) -> StudyResult:
    from proofs import conditions, theorem2

    started = time.perf_counter()
    T = T or (T_QUICK if quick else T_DEFAULT)
    region = conditions.beta_condition(BETA1, BETA2)
    smallest = theorem2.find_C(BETA1, BETA2, lr=LR)
    C_min = int(smallest.C)
    C = MARGIN * C_min
    pred = theorem2.predict(C, BETA1, BETA2, LR)
    limit = float(pred.average_regret_limit)

    problem = problems.problem("reddi-online", C=C, P=C, b=1)
    res = runs.lineup(problem, lineup.kernels(BETA1, BETA2, LR), T, engine=engine, progress=progress)
    adam = res["adam"]
    avg = adam.average_regret[:, 0]
    x_T = float(adam.x_final[0, 0])
    claims = [
        Claim("the hyperparameters lie in Theorem 2's region β1 < √β2", "proved", region.reason, bool(region),
              "decided exactly (β1² < β2 in rationals)", "proofs.conditions.beta_condition"),
        Claim(f"the drift S(C) is negative for C = {C} = {MARGIN}·C*, C* = {C_min} the smallest such C",
              "S(C) < 0", f"S({C}) ∈ [{pred.drift[0]:.4g}, {pred.drift[1]:.4g}]", bool(pred.fails_to_converge),
              "sign of a rigorous interval enclosure", "proofs.theorem2.find_C, proofs.theorem2.predict"),
        Claim(f"Adam fails on C = {C}: R_T/T stays near 2/C, its iterate on the wrong side (x_T > 0)", limit,
              float(avg[-1]), bool(avg[-1] >= HELD * limit and x_T > 0),
              f"R_T/T ≥ {HELD:g}·2/C and x_T > 0 (measured ratio {avg[-1] / limit:.3f}, x_T = {x_T:+.3f})",
              "proofs.theorem2.predict"),
    ]
    for name in ("amsgrad", "sgd", "adabound", "amsbound"):
        a = res[name].average_regret[:, 0]
        s = measures.tail_slope(res[name].t, a)
        claims.append(Claim(f"{lineup.LABELS[name]}'s R_T/T tends to 0 on the same problem", 0.0, float(a[-1]),
                            bool(s <= DECAY) or bool(a[-1] <= 0),
                            f"log-log slope of R_t/t over the last decade ≤ {DECAY:g} (measured {s:+.3f})",
                            "AMSGrad: Reddi et al. Thm 4 (γ < 1); SGD: Zinkevich 2003"))

    # The sweep: which C fail is predicted by the sign of S(C); one batched run over C.
    Cs = np.arange(2, SWEEP * C_min + 1)
    preds = [theorem2.predict(int(c), BETA1, BETA2, LR) for c in Cs]
    predicted_fail = np.array([p.fails_to_converge for p in preds])
    sweep = runs.lineup(problems.problem("reddi-online", C=Cs.astype(float), P=Cs, b=1),
                        {"adam": optimizer("adam", beta1=BETA1, beta2=BETA2, lr=LR, convention="theory")}, T,
                        engine=engine, progress=progress)["adam"]
    held = sweep.average_regret[-1] * Cs / 2.0       # R_T/T in units of the failure limit 2/C
    measured_fail = held >= HELD
    agree = predicted_fail == measured_fail
    claims.append(Claim(f"on C = 2…{Cs[-1]}, Adam fails exactly where S(C) < 0 (C ≥ {C_min})",
                        f"fails for C ≥ {C_min}", f"{int(agree.sum())}/{len(Cs)} C agree", bool(agree.all()),
                        f"failure measured as R_T/T ≥ {HELD:g}·2/C", "proofs.theorem2.predict"))
    numbers = {"C": C, "C_min": C_min, "predicted_limit": limit, "drift_enclosure": list(pred.drift),
               "sweep": {"C": Cs, "predicted_fail": predicted_fail, "R_T_over_T_times_C_over_2": held,
                         "x_T": sweep.x_final[:, 0]}}
    numbers.update({name: {"average_regret_T": float(r.average_regret[-1, 0]), "x_T": float(r.x_final[0, 0]),
                           "tail_slope": measures.tail_slope(r.t, r.average_regret[:, 0])}
                    for name, r in res.items()})
    return StudyResult(
        key=KEY, title=TITLE, reference=REFERENCE,
        statement=("Theorem 1 needs β1 = 0 and a β2 tied to C; Theorem 2 removes both: for any β1 < √β2 there is "
                   "a period C such that on f_t(x) = C·x at t mod C = 1, −x otherwise (x* = −1), Adam's "
                   "average regret does not vanish. proofs derives the condition from the periodic steady state "
                   "of Adam's moments: the drift S(C) = Σ_j m̄_j/√v̄_j over one period, negative for every C "
                   f"from the smallest one it finds. Here β1 = {BETA1:g}, β2 = {BETA2:g}, so γ = β1/√β2 < 1; "
                   f"proofs finds C* = {C_min}, and the line-up runs on C = {C}. With x held at +1 each period "
                   "costs regret 2, so R_T/T → 2/C, while "
                   "AMSGrad, SGD and AdaBound converge. A sweep over C checks that the sign of S(C) predicts "
                   "which periods make Adam fail."),
        settings={"problem": problem.describe(), **lineup.settings(BETA1, BETA2, LR), "T": T,
                  "C sweep": f"2…{Cs[-1]} (Adam only, one batched run)", "engine": adam.engine},
        claims=claims, numbers=numbers, results=res,
        data={"limit": limit, "C": C, "C_min": C_min, "Cs": Cs, "held": held, "predicted_fail": predicted_fail},
        seconds=time.perf_counter() - started)


def plot(study: StudyResult, outdir) -> list[FigureFile]:
    from .. import figures
    from ..plotting import _pyplot, save

    res = list(study.results.values())
    labels = [lineup.LABELS[r.optimizer] for r in res]
    C, limit = study.data["C"], study.data["limit"]
    out = []
    fig = figures.curves(res, "average_regret", labels=labels, hlines=[(limit, f"predicted limit 2/C = {limit:.4g}")],
                         title=f"Theorem 2: period-C problem, C = {C}, β1 = {BETA1:g}, β2 = {BETA2:g}")
    save(fig, f"{outdir}/theorem2-average-regret.png")
    out.append(FigureFile("theorem2-average-regret.png",
                          f"Average regret R_t/t (log-log) on the period-{C} problem (twice the smallest failing C "
                          "that proofs derives). Adam stays near 2/C; the others decay."))
    fig = figures.curves(res, "x", labels=labels, hlines=[(-1.0, "optimum x* = −1")],
                         title=f"Theorem 2: iterates (C = {C})")
    save(fig, f"{outdir}/theorem2-iterates.png")
    out.append(FigureFile("theorem2-iterates.png", "Iterate x_(t+1) at the checkpoints (log t)."))

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.0, 4.4))
    Cs, held, pf = study.data["Cs"], study.data["held"], study.data["predicted_fail"]
    ax.axvspan(study.data["C_min"] - 0.5, Cs[-1] + 0.5, color="tab:red", alpha=0.08, label="S(C) < 0: failure predicted")
    ax.plot(Cs, held, "o-", color="tab:red", ms=4, lw=1.2, label="Adam, measured")
    ax.plot(Cs[pf], np.ones(pf.sum()), "k_", ms=10, mew=1.5, label="predicted limit (x held at +1)")
    ax.plot(Cs[~pf], np.zeros((~pf).sum()), "k_", ms=10, mew=1.5)
    ax.axhline(HELD, color="gray", ls=":", lw=1, label=f"failure threshold {HELD:g}")
    ax.set_xlabel("period C")
    ax.set_ylabel(r"$(R_T/T)\,/\,(2/C)$")
    ax.set_title(f"Theorem 2: which C make Adam fail (β1 = {BETA1:g}, β2 = {BETA2:g}, T = {study.settings['T']})",
                 fontsize=11)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8.5, loc="best")
    save(fig, f"{outdir}/theorem2-C-sweep.png")
    out.append(FigureFile("theorem2-C-sweep.png",
                          "Adam's R_T/T relative to the failure limit 2/C across periods C; the shaded range is "
                          "where proofs' drift S(C) is negative."))
    return out


def sweep(beta1, beta2, C, lr=1.0, T: int = 60_000, *, engine: str = "auto", progress=None) -> StudyResult:
    """Adam alone on the period-C problem for each C (one batched run): measured R_T/T beside the
    limit ``proofs.theorem2.predict`` gives (2/C where the drift S(C) < 0, else 0).

    The claim passes when every failing C has R_T/T ≥ half its limit (the excursions cost
    O(1/√T)) and every converging C has R_T/T ≤ a fifth of what failure would cost (0.2·2/C).
    """
    from proofs import exact, theorem2

    started = time.perf_counter()
    Cs = np.atleast_1d(np.asarray(C)).astype(int)
    preds = [theorem2.predict(int(c), beta1, beta2, lr) for c in Cs]
    problem = problems.problem("reddi-online", C=Cs.astype(float), P=Cs, b=1.0)
    kernel = optimizer("adam", beta1=float(exact.rational("beta1", beta1)), beta2=float(exact.rational("beta2", beta2)),
                       lr=float(lr), convention="theory")
    res = runs.lineup(problem, {"adam": kernel}, T, engine=engine, progress=progress)
    measured = res["adam"].average_regret[-1]
    limit = np.array([p.average_regret_limit for p in preds])
    failing = np.array([p.fails_to_converge for p in preds])
    ok = np.where(failing, measured >= 0.5 * limit, measured <= 0.2 * (2.0 / Cs))
    check = Claim(f"Adam's R_T/T tends to 2/C where S(C) < 0 and to 0 elsewhere, C = {Cs.tolist()}", limit, measured,
                  bool(ok.all()), "failing C: R_T/T ≥ ½·2/C; converging C: R_T/T ≤ 0.2·2/C", "proofs.theorem2.predict")
    return StudyResult(
        key=f"{KEY}-sweep", title="Theorem 2 over C: which periods make Adam fail", reference=REFERENCE,
        statement=f"Adam (β1 = {beta1}, β2 = {beta2}) on the period-C problem for each C: the sign of the drift "
                  "S(C) against the measured average regret.",
        settings={"problem": problem.describe(), "beta1": beta1, "beta2": beta2, "lr": lr, "T": T},
        claims=[check],
        numbers={"predicted": limit, "measured": measured, "C": Cs, "fails_to_converge": failing,
                 "drift": [p.drift for p in preds], "x_final": res["adam"].x_final[:, 0], "T": T},
        results=res, seconds=time.perf_counter() - started)
