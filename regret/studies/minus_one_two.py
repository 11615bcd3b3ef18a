"""The "−1/2" example of Luo, Xiong, Liu & Sun (ICLR 2019), Section 3: a (β2, C) map.

Gradients −1 at t mod C = 1, +2 at t mod C = 2, 0 otherwise (x* = −1 on [−1, 1]).  With β1 = 0
the +2 step meets a larger second moment than the −1 step before it.  ``proofs.minus_one_two``
derives the periodic steady state exactly: Adam's drift per period is

    S(β2, C) = −1/√v̄_− + 2/√v̄_+,    and S < 0 (Adam moves away from x*) ⟺ β2^{C−2} < 1/16,

sharper than the paper's sufficient condition 5β2^{C−2} ≤ (1−β2)/(4−β2).

Measurement.  One batched run of Adam over the whole grid (the kernel's β2 and the problem's C
are arrays of the same length B) from x_1 = 0 on a box wide enough that the projection never
acts, so the iterate moves by −α S/√t per period.  Between two checkpoints T' < T that are not
inside any period's (−1, +2) pair, the measured drift is

    Ŝ = −(x_{T+1} − x_{T'+1}) · C / (2α(√T − √T'))        (Σ_k 1/√(kC) ≈ 2(√T − √T')/C)

and its sign is the direction.  A line-up run on [−1, 1] at one wrong-way cell shows the
regret consequence: R_T/T → 2/C for Adam.
"""
from __future__ import annotations

import time

import numpy as np

from .. import problems
from ..kernels import optimizer
from . import lineup, measures, runs
from .outcome import Claim, FigureFile, StudyResult

KEY = "minus-one-two"
TITLE = "The −1/2 example: where Adam drifts the wrong way, over (β2, C)"
REFERENCE = "Luo, Xiong, Liu & Sun, Adaptive Gradient Methods with Dynamic Bound of Learning Rate, ICLR 2019, §3"
T_DEFAULT, T_QUICK = 40_000, 8_000
LR = 0.5
WIDE = 1.0e3            # half-width of the box of the map runs: the projection never acts
GRID_DEFAULT = (np.linspace(0.02, 0.98, 49), np.arange(3, 41))
GRID_QUICK = (np.linspace(0.02, 0.98, 25), np.arange(3, 31))
LINEUP_C, LINEUP_BETA2 = 10, 0.5      # a wrong-way cell for the regret line-up (0.5^8 < 1/16)
DRIFT_TOL = 0.05        # |Ŝ − S| ≤ DRIFT_TOL·max(|S|, 0.1): the measured drift matches the exact one
DECAY = -0.25


def min_T(quick: bool = False) -> int:
    """The shortest horizon the drift measurement allows: T/2 must exceed every period of the grid
    by a margin (the moments need a few periods to reach their steady state)."""
    return 8 * int((GRID_QUICK if quick else GRID_DEFAULT)[1].max())


def _clean_times(T: int, Cmax: int) -> tuple[int, int]:
    """Two steps T' ≈ T/2 and T with t − 1 a prime > Cmax: no period C ≤ Cmax is between its −1 and +2
    steps there (t ≡ 1 mod C would need C | t − 1)."""
    from sympy import prevprime

    hi = int(prevprime(T)) + 1
    lo = int(prevprime(max(T // 2, Cmax + 2))) + 1
    if lo - 1 <= Cmax or hi <= lo:
        raise ValueError(f"T={T} is too short for periods up to C={Cmax}; use T >= {8 * Cmax}")
    return lo, hi


def run(*, T: int | None = None, quick: bool = False, engine: str = "auto", progress=None) -> StudyResult:
    import sympy as sp

    from proofs import minus_one_two as m12
    from proofs import reproduce_support

    started = time.perf_counter()
    T = T or (T_QUICK if quick else T_DEFAULT)
    b2_axis, C_axis = GRID_QUICK if quick else GRID_DEFAULT
    B2, CC = np.meshgrid(b2_axis, C_axis)             # rows: C, columns: β2
    b2, Cs = B2.ravel(), CC.ravel()

    # Predictions per cell: the conditions decided exactly; S from proofs' closed form, lambdified
    # (exact sqrt of large rationals would factor integers for minutes).
    drift_fn = sp.lambdify((m12.beta2_sym, m12.C_sym), m12.drift(m12.beta2_sym, m12.C_sym), "numpy")
    S = np.asarray(drift_fn(b2, Cs.astype(np.float64)), dtype=np.float64)
    exact_wrong = np.array([bool(m12.drift_condition(float(b), int(c))) for b, c in zip(b2, Cs)])
    # Cells exactly on the boundary (S = 0, e.g. β2 = 1/2, C = 6) have no first-order drift: their
    # sign is left to O(t^(−3/2)) terms, so the sign check skips them (the Ŝ ≈ S check keeps them).
    gap = m12.EXACT_CONDITION.lhs - m12.EXACT_CONDITION.rhs
    boundary = np.array([gap.subs({m12.beta2_sym: sp.Rational(repr(float(b))), m12.C_sym: int(c)}) == 0
                         for b, c in zip(b2, Cs)])
    paper_wrong = np.array([bool(m12.paper_condition(float(b), int(c))) for b, c in zip(b2, Cs)])
    derivation = m12.derivation()

    # One batched run over the grid.
    T1, T2 = _clean_times(T, int(C_axis.max()))
    problem = problems.problem("minus-one-two", C=Cs, lo=-WIDE, hi=WIDE)
    kernel = optimizer("adam", beta1=0.0, beta2=b2, lr=LR, convention="theory")
    res = runs.lineup(problem, {"adam": kernel}, T2, engine=engine, progress=progress, x0=0.0,
                      checkpoints=np.array([T1, T2]))["adam"]
    dx = res.x[-1, :, 0] - res.x[0, :, 0]
    S_hat = -dx * Cs / (2 * LR * (np.sqrt(T2) - np.sqrt(T1)))
    measured_wrong = dx > 0
    agree = (measured_wrong == exact_wrong) | boundary
    err = np.abs(S_hat - S) / np.maximum(np.abs(S), 0.1)
    paper_ok = bool(np.all(exact_wrong[paper_wrong]))

    # The regret consequence, on the paper's box [−1, 1], at one wrong-way cell.
    lu_problem = problems.problem("minus-one-two", C=LINEUP_C)
    lu = runs.lineup(lu_problem, lineup.kernels(0.0, LINEUP_BETA2, LR), T, engine=engine, progress=progress)
    cell = m12.drift_condition(LINEUP_BETA2, LINEUP_C)
    limit = float(reproduce_support.held_limit(reproduce_support.minus_one_two_pattern(LINEUP_C)))  # 2/C
    adam = lu["adam"].average_regret[:, 0]

    claims = [
        Claim("the derivation's steps (closed-form v̄, the factorisation, paper ⇒ exact) verify",
              "all proved", f"{sum(bool(v) for v in derivation)}/{len(derivation)} proved",
              all(bool(v) for v in derivation), "each step checked by sympy", "proofs.minus_one_two.derivation"),
        Claim(f"the sign of the measured drift matches β2^(C−2) < 1/16 in every cell ({len(b2)} cells, "
              f"{int(boundary.sum())} exactly on the boundary skipped)",
              f"{int(exact_wrong.sum())} cells wrong-way", f"{int(agree.sum() - boundary.sum())}/"
              f"{len(b2) - int(boundary.sum())} cells agree", bool(agree.all()), "sign of x_(T+1) − x_(T'+1)",
              "proofs.minus_one_two.drift_condition"),
        Claim("the measured drift Ŝ equals the exact steady-state drift S",
              "Ŝ = S", f"max |Ŝ − S|/max(|S|, 0.1) = {err.max():.3g}", bool(err.max() <= DRIFT_TOL),
              f"relative error ≤ {DRIFT_TOL:g} in every cell", "proofs.minus_one_two.drift"),
        Claim("the paper's condition is sufficient: wherever it holds, Adam drifts the wrong way",
              f"{int(paper_wrong.sum())} cells", f"{int((paper_wrong & measured_wrong).sum())} of them measured "
              "wrong-way", bool(paper_ok and np.all(measured_wrong[paper_wrong])),
              "every paper-condition cell is measured wrong-way", "proofs.minus_one_two.paper_condition"),
        Claim("the exact condition is sharper: cells where it holds and the paper's does not",
              "> 0", int((exact_wrong & ~paper_wrong).sum()), bool((exact_wrong & ~paper_wrong & measured_wrong).any()),
              "at least one such cell, measured wrong-way", "proofs.minus_one_two"),
        Claim(f"on [−1, 1] at C = {LINEUP_C}, β2 = {LINEUP_BETA2:g} ({cell.reason.split(';')[0]}), Adam's R_T/T "
              "stays near 2/C", limit, float(adam[-1]), bool(cell) and bool(adam[-1] >= 0.5 * limit),
              "R_T/T ≥ ½·2/C", "proofs.minus_one_two.drift_condition, proofs.reproduce_support.held_limit"),
    ]
    for name in ("amsgrad", "sgd", "adabound", "amsbound"):
        a = lu[name].average_regret[:, 0]
        s = measures.tail_slope(lu[name].t, a)
        claims.append(Claim(f"{lineup.LABELS[name]}'s R_T/T tends to 0 on the same cell", 0.0, float(a[-1]),
                            bool(s <= DECAY) or bool(a[-1] <= 0),
                            f"log-log slope of R_t/t over the last decade ≤ {DECAY:g} (measured {s:+.3f})", ""))
    shape = CC.shape
    numbers_boundary = [(float(b), int(c)) for b, c in zip(b2[boundary], Cs[boundary])]
    return StudyResult(
        key=KEY, title=TITLE, reference=REFERENCE,
        statement=("Luo et al. motivate AdaBound with a simpler failure than Reddi et al.'s: gradients −1, +2, then "
                   "C − 2 zeros, repeated (a period sums to +1, so x* = −1). With β1 = 0 Adam's +2 step is divided "
                   "by a larger √v than the −1 step before it, so for β2 small relative to C it moves up by more "
                   "than it moves down. proofs derives the exact periodic-steady-state drift S(β2, C) and the "
                   "condition β2^(C−2) < 1/16 for the wrong-way drift, sharper than the paper's sufficient "
                   "5β2^(C−2) ≤ (1−β2)/(4−β2). One batched run over the whole (β2, C) grid measures the drift per "
                   "period in every cell and holds it against S; a line-up at one wrong-way cell shows the "
                   "consequence for the regret."),
        settings={"map": f"Adam, β1 = 0, α = {LR:g}, β2 ∈ [{b2_axis[0]:g}, {b2_axis[-1]:g}] ({len(b2_axis)}), "
                         f"C ∈ {C_axis[0]}…{C_axis[-1]}, x_1 = 0 on [−{WIDE:g}, {WIDE:g}], one batched run "
                         f"of B = {len(b2)}, drift measured between t = {T1} and {T2}",
                  "problem": lu_problem.describe(), **lineup.settings(0.0, LINEUP_BETA2, LR), "T": T,
                  "engine": res.engine},
        claims=claims,
        numbers={"cells": len(b2), "agree": int(agree.sum()), "exact_wrong_way": int(exact_wrong.sum()),
                 "paper_wrong_way": int(paper_wrong.sum()), "on_boundary": numbers_boundary, "max_relative_drift_error": float(err.max()),
                 "lineup": {n: float(r.average_regret[-1, 0]) for n, r in lu.items()}},
        results=lu,
        data={"b2_axis": b2_axis, "C_axis": C_axis, "S_hat": S_hat.reshape(shape), "S": S.reshape(shape),
              "limit": limit, "disagree": (~agree).reshape(shape)},
        seconds=time.perf_counter() - started)


def boundaries(C_axis):
    """β2 on the exact boundary β2^{C−2} = 1/16 and on the paper's 5β2^{C−2} = (1−β2)/(4−β2), per C,
    solved from ``proofs.minus_one_two``'s sympy relations."""
    import sympy as sp

    from proofs import minus_one_two as m12

    from scipy.optimize import brentq

    b, C = m12.beta2_sym, m12.C_sym
    out = []
    for rel in (m12.EXACT_CONDITION, m12.PAPER_CONDITION):
        gap = sp.lambdify((b, C), rel.lhs - rel.rhs, "math")   # < 0 inside, > 0 outside, on (0, 1)
        out.append(np.array([brentq(gap, 1e-12, 1 - 1e-12, args=(float(c),), xtol=1e-14) for c in C_axis]))
    return out[0], out[1]


def plot(study: StudyResult, outdir) -> list[FigureFile]:
    from .. import figures
    from ..plotting import save

    d = study.data
    C_axis = d["C_axis"]
    exact_b, paper_b = boundaries(C_axis)
    fig = figures.parameter_map(
        d["b2_axis"], C_axis, d["S_hat"], xlabel=r"$\beta_2$", ylabel="period C",
        boundaries=[(exact_b, C_axis, r"exact: $\beta_2^{C-2} = 1/16$ (proofs)"),
                    (paper_b, C_axis, r"paper: $5\beta_2^{C-2} = (1-\beta_2)/(4-\beta_2)$")],
        colorbar=r"measured drift per period $\hat S$ ($<0$: away from $x^*$)",
        title="−1/2 example: Adam's drift over (β2, C), β1 = 0")
    save(fig, f"{outdir}/minus-one-two-map.png")
    out = [FigureFile("minus-one-two-map.png",
                      "Measured drift per period over the (β2, C) grid (one batched run). Blue (Ŝ < 0): Adam moves "
                      "away from x* = −1. Solid: the exact boundary derived by proofs; dashed: the paper's sufficient "
                      "condition, which lies inside it.")]
    res = list(study.results.values())
    labels = [lineup.LABELS[r.optimizer] for r in res]
    fig = figures.curves(res, "average_regret", labels=labels,
                         hlines=[(d["limit"], f"limit if held at +1: 2/C = {d['limit']:.3g}")],
                         title=f"−1/2 example, C = {LINEUP_C}, β1 = 0, β2 = {LINEUP_BETA2:g}")
    save(fig, f"{outdir}/minus-one-two-average-regret.png")
    out.append(FigureFile("minus-one-two-average-regret.png",
                          "Average regret R_t/t (log-log) at a wrong-way cell on [−1, 1]."))
    fig = figures.curves(res, "x", labels=labels, hlines=[(-1.0, "optimum x* = −1")],
                         title=f"−1/2 example: iterates (C = {LINEUP_C}, β2 = {LINEUP_BETA2:g})")
    save(fig, f"{outdir}/minus-one-two-iterates.png")
    out.append(FigureFile("minus-one-two-iterates.png", "Iterate x_(t+1) at the checkpoints (log t)."))
    return out


def grid(beta2_values, C_values, lr=1.0, T: int = 40_000, *, engine: str = "auto", progress=None) -> StudyResult:
    """One batched run of Adam (β1 = 0) over a (β2, C) grid on [−1, 1]; the exact condition
    β2^(C−2) < 1/16 (``proofs.minus_one_two.drift_condition``) against the simulation.

    All C share one run: coordinate i carries the period-C_i pattern (repeated to the lcm of the
    C's; Adam and the box projection act per coordinate, so coordinates are independent problems),
    and β2 is the batch axis.  A cell is simulated "wrong way" when x_T > 0.  A disagreement is
    ``explained`` when the predicted settling time C²/(α S)² exceeds T/4 (the run is too short to
    tell); the claim passes when no disagreement is unexplained.
    """
    import math

    from proofs import exact
    from proofs import minus_one_two as m12

    started = time.perf_counter()
    b2s = np.asarray(beta2_values, dtype=float)
    Cs = [m12._int_C(c) for c in C_values]
    L = math.lcm(*Cs)
    pattern = np.zeros((L, len(Cs)))
    for i, c in enumerate(Cs):
        pattern[0::c, i] = -1.0
        pattern[1::c, i] = 2.0
    problem = problems.Periodic(pattern)
    kernel = optimizer("adam", beta1=0.0, beta2=b2s, lr=lr, convention="theory")
    res = runs.lineup(problem, {"adam": kernel}, T, engine=engine, progress=progress)["adam"]
    xT = res.x_final                     # (B, d)
    cells = []
    for bi, b in enumerate(b2s):
        for ci, c in enumerate(Cs):
            S = float(m12.drift(exact.rational("beta2", float(b)), c))
            pred = bool(m12.drift_condition(float(b), c))
            sim = bool(xT[bi, ci] > 0)
            settle = c ** 2 / (lr * S) ** 2 if S != 0 else np.inf
            cells.append({"beta2": float(b), "C": c, "predicted_wrong_way": pred, "simulated_wrong_way": sim,
                          "drift": S, "settle_steps": settle, "explained": pred != sim and settle > T / 4})
    agree = [c["predicted_wrong_way"] == c["simulated_wrong_way"] for c in cells]
    unexplained = [c for c, a in zip(cells, agree) if not a and not c["explained"]]
    predicted = [c["predicted_wrong_way"] for c in cells]
    measured = [c["simulated_wrong_way"] for c in cells]
    check = Claim(f"Adam drifts the wrong way exactly where β2^(C−2) < 1/16 ({len(cells)} cells)", predicted,
                  measured, not unexplained, "every disagreement has a predicted settling time > T/4",
                  "proofs.minus_one_two.drift_condition")
    return StudyResult(
        key=f"{KEY}-grid", title="The −1/2 example over (β2, C): the exact condition against one run",
        reference=REFERENCE,
        statement="Adam (β1 = 0) on the −1/2 example for every (β2, C) cell, the side x_T ends on beside the "
                  "exact periodic-steady-state condition.",
        settings={"beta2": b2s, "C": Cs, "lr": lr, "T": T},
        claims=[check],
        numbers={"predicted": predicted, "measured": measured, "cells": cells, "agree": int(sum(agree)),
                 "total": len(cells), "explained": [c for c in cells if c["explained"]], "T": T, "lr": lr},
        results={"adam": res}, seconds=time.perf_counter() - started)
