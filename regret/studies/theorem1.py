"""Theorem 1 of Reddi, Kale & Kumar (ICLR 2018): Adam's average regret does not vanish.

Construction: F = [−1, 1], f_t(x) = C·x if t mod 3 = 1 else −x (C > 2), β1 = 0,
β2 = 1/(1 + C²), α_t = α/√t with α < √(1 − β2), x_1 = 1.  Adam comes back to x = +1 after every
period while x* = −1, so each period adds at least 2C − 4 to the regret and

    R_T/T → (2C − 4)/3                 (the limit ``proofs`` derives)

whereas AMSGrad (and SGD, AdaBound, AMSBound) have R_T/T → 0.  The study runs all five on the
same problem and checks: Adam's R_T/T against the predicted limit, Adam's iterate after whole
periods, and the decay of the others' R_T/T.
"""
from __future__ import annotations

import time

import numpy as np

from .. import problems
from ..kernels import optimizer
from . import lineup, measures, runs
from .outcome import Claim, FigureFile, StudyResult

KEY = "theorem1"
TITLE = "Theorem 1: Adam does not converge on a period-3 online problem"
REFERENCE = "Reddi, Kale & Kumar, On the Convergence of Adam and Beyond, ICLR 2018, Theorem 1"
T_DEFAULT, T_QUICK = 200_000, 10_000
C, LR = 3, 0.1
PLATEAU = 0.05      # |d log(R_t/t)/d log t| over the last decade below this: R_t/t has levelled off
TOLERANCE = 0.01    # relative distance of Adam's R_T/T from the predicted value at T
DECAY = -0.25       # slope of log(R_t/t) over the last decade at most this: R_t/t is going to 0


def predict(C: int, lr: float):
    """The theory's numbers for this construction: ``proofs.theorem1.predict``."""
    from proofs import theorem1

    return theorem1.predict(C, lr=lr)


def run(*, T: int | None = None, quick: bool = False, engine: str = "auto", progress=None) -> StudyResult:
    started = time.perf_counter()
    T = T or (T_QUICK if quick else T_DEFAULT)
    from proofs.verdicts import explain, overall

    pred = predict(C, LR)
    beta2 = float(pred.beta2)
    limit = float(pred.average_regret_limit)
    at_T = float(pred.average_regret(T))
    source = "proofs.theorem1.predict"
    problem = problems.problem("reddi-online", C=C, P=3, b=1)
    kernels = lineup.kernels(0.0, beta2, LR)
    res = runs.lineup(problem, kernels, T, engine=engine, progress=progress,
                      checkpoints=runs.period_checkpoints(T, 3))
    adam = res["adam"]
    avg = adam.average_regret[:, 0]
    slope = measures.tail_slope(adam.t, avg)
    rel = measures.relative_error(avg[-1], at_T)
    ends = adam.t % 3 == 0
    x_after_periods = adam.x[ends, 0, 0]
    claims = [
        Claim("the construction's hypotheses hold (C > 2, β1 = 0, β2 = 1/(1+C²), α < √(1−β2))",
              "all proved", explain(pred.conditions), overall(pred.conditions) == "proved",
              "each clause decided exactly (rational arithmetic)", "proofs.theorem1.conditions"),
        Claim("the steady-state drift S pushes Adam's iterate up (S < 0), so x returns to +1",
              "S < 0", float(pred.drift), bool(pred.fails_to_converge), "sign of S decided exactly", source),
        Claim(f"Adam's R_T/T matches the prediction (2C − 4)/3 + c/√T at T (limit {limit:.4g})",
              at_T, float(avg[-1]), rel <= TOLERANCE and abs(slope) <= PLATEAU,
              f"relative error ≤ {TOLERANCE:g} and |log-log slope over the last decade| ≤ {PLATEAU:g} "
              f"(measured {rel:.2%}, slope {slope:+.3f})", source),
        Claim("Adam's iterate is back at x = +1 after every period (checkpoints t ≡ 0 mod 3)",
              1.0, float(np.min(x_after_periods)), bool(np.all(np.abs(x_after_periods - 1.0) <= 1e-12)),
              f"|x_(t+1) − 1| ≤ 1e-12 at all {int(ends.sum())} period ends", source),
    ]
    for name in ("amsgrad", "sgd", "adabound", "amsbound"):
        a = res[name].average_regret[:, 0]
        s = measures.tail_slope(res[name].t, a)
        claims.append(Claim(f"{lineup.LABELS[name]}'s R_T/T tends to 0", 0.0, float(a[-1]),
                            bool(s <= DECAY) or bool(a[-1] <= 0),
                            f"log-log slope of R_t/t over the last decade ≤ {DECAY:g} (measured {s:+.3f})",
                            "AMSGrad: Reddi et al. Thm 4; SGD: Zinkevich 2003; AdaBound: Luo et al. Thm 4"))
    numbers = {"predicted_limit": limit, "predicted_at_T": at_T, "drift": float(pred.drift)}
    numbers.update({name: {"average_regret_T": float(r.average_regret[-1, 0]), "x_T": float(r.x_final[0, 0]),
                      "tail_slope": measures.tail_slope(r.t, r.average_regret[:, 0]),
                      "seconds": r.seconds} for name, r in res.items()})
    return StudyResult(
        key=KEY, title=TITLE, reference=REFERENCE,
        statement=("On F = [−1, 1] with f_t(x) = C·x at t mod 3 = 1 and −x otherwise, the optimum is "
                   "x* = −1, yet Adam with β1 = 0, β2 = 1/(1+C²) and α_t = α/√t is pushed back to +1 every "
                   "period: the large gradient C is normalised by √v_t ≈ C, the two −1's are not. Each "
                   "period then adds at least 2C − 4 to the regret, so R_T/T tends to (2C − 4)/3 > 0: Adam "
                   "does not converge in the online sense. AMSGrad keeps the largest v_t seen, so the −1 "
                   "steps stay small too, and its average regret, like SGD's and AdaBound's, goes to 0."),
        settings={"problem": problem.describe(), **lineup.settings(0.0, beta2, LR), "T": T,
                  "engine": adam.engine},
        claims=claims, numbers=numbers, results=res,
        data={"asymptote": limit},
        seconds=time.perf_counter() - started)


def plot(study: StudyResult, outdir) -> list[FigureFile]:
    from .. import figures
    from ..plotting import save

    res = list(study.results.values())
    labels = [lineup.LABELS[r.optimizer] for r in res]
    C_ = study.settings["problem"]["params"]["C"]
    lim = study.data["asymptote"]
    out = []
    fig = figures.curves(res, "average_regret", labels=labels,
                         hlines=[(lim, f"predicted limit (2C−4)/3 = {lim:.4g}")],
                         title=f"Theorem 1: period-3 problem, C = {C_:g}, β1 = 0, β2 = 1/(1+C²)")
    save(fig, f"{outdir}/theorem1-average-regret.png")
    out.append(FigureFile("theorem1-average-regret.png",
                          "Average regret R_t/t (log-log). Adam (red) levels off on the predicted (2C − 4)/3 (grey "
                          "dashes, drawn under it); the others decay. A curve that lies on another (within 5% at "
                          "90% of the checkpoints: AMSBound on AdaBound) is marked with circles and its legend "
                          "entry says \u2248 which."))
    fig = figures.curves(res, "x", labels=labels, hlines=[(-1.0, "optimum x* = −1")], title="Theorem 1: iterates")
    save(fig, f"{outdir}/theorem1-iterates.png")
    out.append(FigureFile("theorem1-iterates.png",
                          "Iterate x_(t+1) at the checkpoints (log t). Adam ends every period at +1, the "
                          "others settle at the optimum −1."))
    return out


def sweep(C=3, lr=0.1, T: int = 30_000, beta2=None, *, engine: str = "auto", progress=None) -> StudyResult:
    """Adam alone on the construction for each C (one batched run): R_T/T beside the finite-T
    prediction (2C − 4)/3 + c/√T of ``proofs.theorem1.predict``.

    ``C`` and ``lr`` may be 1-d arrays (one configuration each); T is rounded down to whole
    periods.  The claim passes when |measured − predicted| ≤ 2% of the √T term + 10/T in every
    configuration: the prediction neglects O(1/T) (the transient of v, √(3k+j) against √(3k)).
    """
    from proofs import exact, theorem1
    from proofs.verdicts import overall

    started = time.perf_counter()
    Cs = np.atleast_1d(np.asarray(C, dtype=float))
    lrs = np.broadcast_to(np.asarray(lr, dtype=float), Cs.shape)
    preds = [theorem1.predict(exact.rational("C", float(c)), None if beta2 is None else beta2,
                              exact.rational("lr", float(a))) for c, a in zip(Cs, lrs)]
    T = max(3, int(T) // 3 * 3)
    b2 = np.array([float(p.beta2) for p in preds])
    problem = problems.problem("reddi-online", C=Cs, P=3, b=1.0)
    kernel = optimizer("adam", beta1=0.0, beta2=b2, lr=np.array(lrs), convention="theory")
    res = runs.lineup(problem, {"adam": kernel}, T, engine=engine, progress=progress)
    measured = res["adam"].average_regret[-1]
    predicted = np.array([p.average_regret(T) for p in preds])
    tol = 0.02 * np.array([float(p.correction) for p in preds]) / np.sqrt(T) + 10.0 / T
    ok = bool(np.all(np.abs(measured - predicted) <= tol))
    check = Claim(f"Adam's R_T/T equals (2C − 4)/3 + c/√T at T = {T} for C = {Cs.tolist()}", predicted, measured,
                  ok, "|measured − predicted| ≤ 0.02·c/√T + 10/T in every configuration", "proofs.theorem1.predict")
    return StudyResult(
        key=f"{KEY}-sweep", title="Theorem 1 over C: Adam's average regret against the predicted value",
        reference=REFERENCE,
        statement="Adam (β1 = 0, β2 = 1/(1+C²)) on the period-3 problem for each C, measured R_T/T beside the "
                  "prediction (2C − 4)/3 + c/√T.",
        settings={"problem": problem.describe(), "C": Cs, "lr": lrs, "beta2": b2, "T": T},
        claims=[check],
        numbers={"predicted": predicted, "measured": measured, "tolerance": float(np.max(tol)),
                 "limit": [float(p.average_regret_limit) for p in preds],
                 "conditions": overall(v for p in preds for v in p.conditions)},
        results=res, seconds=time.perf_counter() - started)
