"""Adam's phase diagram: long-run average regret over a (β1, β2) grid, in one batched run.

Problem: Theorem 1's period-3 problem (f_t = 3x at t mod 3 = 1, −x otherwise, x* = −1), which is
also Theorem 2's period-C construction with C = 3.  ``proofs.theorem2.predict(3, β1, β2)``
decides, per cell and with rigorous interval arithmetic, the sign of Adam's steady-state drift
S = Σ_j m̄_j/√v̄_j: S < 0 ⇒ x held at +1 and R_T/T → 2/3; S > 0 ⇒ R_T/T → 0.  The grid is one
kernel whose β1 and β2 are equal-length 1-d arrays (B = n1·n2 configurations).

The curve β1 = √β2 (``proofs.conditions.region_curve``) bounds the region γ = β1/√β2 < 1 where
Theorem 2 guarantees *some* period C on which Adam fails, and where AMSGrad's regret bound holds.
On a fixed problem the failing cells are a subset of the plane; the study checks that the drift
sign predicts them, cell by cell.
"""
from __future__ import annotations

import time

import numpy as np

from .. import problems
from ..kernels import optimizer
from . import runs
from .outcome import Claim, FigureFile, StudyResult

KEY = "phase"
TITLE = "Phase diagram: Adam's average regret over (β1, β2)"
REFERENCE = "Reddi, Kale & Kumar, ICLR 2018, Theorems 1–2 (the region β1 < √β2)"
T_DEFAULT, T_QUICK = 50_000, 10_000
C, LR = 3, 0.5     # α only scales the drift; 0.5 lets converging cells settle within 10^4 steps
GRID_DEFAULT = (np.linspace(0.0, 0.95, 39), np.linspace(0.01, 0.99, 40))
GRID_QUICK = (np.linspace(0.0, 0.95, 20), np.linspace(0.01, 0.99, 25))
HELD = 0.5        # a failing cell: R_T/T ≥ HELD · 2/C
AGREE = 0.95      # fraction of cells (not on the predicted boundary) where the run matches S's sign


def _next_to_boundary(pred: np.ndarray) -> np.ndarray:
    """Cells with a 4-neighbour of the other predicted sign: where the drift is near 0 and a finite run
    has not yet settled."""
    out = np.zeros_like(pred, dtype=bool)
    out[1:, :] |= pred[1:, :] != pred[:-1, :]
    out[:-1, :] |= pred[:-1, :] != pred[1:, :]
    out[:, 1:] |= pred[:, 1:] != pred[:, :-1]
    out[:, :-1] |= pred[:, :-1] != pred[:, 1:]
    return out


def run(*, T: int | None = None, quick: bool = False, engine: str = "auto", progress=None) -> StudyResult:
    from proofs import conditions, theorem2

    started = time.perf_counter()
    T = T or (T_QUICK if quick else T_DEFAULT)
    b1_axis, b2_axis = GRID_QUICK if quick else GRID_DEFAULT
    B1, B2 = np.meshgrid(b1_axis, b2_axis, indexing="ij")       # rows β1, columns β2
    b1, b2 = B1.ravel(), B2.ravel()

    predicted = np.zeros(b1.shape, dtype=float)    # +1 fails (S < 0), 0 converges, NaN undecided
    for i, (x1, x2) in enumerate(zip(b1, b2)):
        try:
            predicted[i] = 1.0 if theorem2.predict(C, float(x1), float(x2), LR).fails_to_converge else 0.0
        except ValueError:                          # S cannot be told from 0 at this precision
            predicted[i] = np.nan
    in_region = np.array([bool(conditions.beta_condition(float(x1), float(x2))) for x1, x2 in zip(b1, b2)])

    problem = problems.problem("reddi-online", C=C, P=C, b=1)
    kernel = optimizer("adam", beta1=b1, beta2=b2, lr=LR, convention="theory")
    res = runs.lineup(problem, {"adam": kernel}, T, engine=engine, progress=progress)["adam"]
    limit = 2.0 / C
    avg = res.average_regret[-1]
    measured = (avg >= HELD * limit).astype(float)

    shape = B1.shape
    decided = np.isfinite(predicted)
    near = _next_to_boundary(np.nan_to_num(predicted, nan=0.5).reshape(shape)).ravel()
    judged = decided & ~near
    agree = measured[judged] == predicted[judged]
    frac = float(agree.mean()) if judged.any() else float("nan")
    fails_outside = int(((measured == 1) & ~in_region).sum())
    claims = [
        Claim(f"the drift sign S(β1, β2) predicts which cells fail (cells off the predicted boundary)",
              f"≥ {AGREE:.0%} agree", f"{int(agree.sum())}/{int(judged.sum())} = {frac:.1%}", bool(frac >= AGREE),
              f"failure measured as R_T/T ≥ {HELD:g}·2/C; {int((decided & near).sum())} cells next to the predicted "
              f"boundary and {int((~decided).sum())} undecided cells are shown but not judged",
              "proofs.theorem2.predict"),
        Claim("every cell predicted to fail does fail, boundary cells included", "all",
              f"{int(((measured == 1) & (predicted == 1)).sum())}/{int((predicted == 1).sum())}",
              bool(np.all(measured[predicted == 1] == 1)),
              "every cell with S < 0 has R_T/T ≥ ½·2/C", "proofs.theorem2.predict"),
    ]
    curve = conditions.region_curve(400)
    return StudyResult(
        key=KEY, title=TITLE, reference=REFERENCE,
        statement=("Where in the (β1, β2) plane does Adam fail? Theorem 2 says: for every β1 < √β2 (below the "
                   "curve β1 = √β2) some period-C problem defeats it. On one fixed problem — here Theorem 1's "
                   "period-3 construction — the failing set is smaller, and proofs predicts it cell by cell from "
                   "the sign of Adam's steady-state drift. One batched run (β1 and β2 as equal-length arrays, "
                   f"B = {len(b1)}) measures Adam's average regret in every cell; the map shows it with the curve "
                   "β1 = √β2 and the predicted failure boundary. Failing cells also appear above the curve: "
                   "Theorem 2 says nothing there, and AMSGrad's guarantee does not apply either."),
        settings={"problem": problem.describe(), "optimizer": f"Adam, theory convention, α = {LR:g}",
                  "grid": f"β1 ∈ [{b1_axis[0]:g}, {b1_axis[-1]:g}] ({len(b1_axis)}) × β2 ∈ [{b2_axis[0]:g}, "
                          f"{b2_axis[-1]:g}] ({len(b2_axis)}), one batched run of B = {len(b1)}",
                  "T": T, "engine": res.engine},
        claims=claims,
        numbers={"cells": len(b1), "judged": int(judged.sum()), "agree": int(agree.sum()),
                 "predicted_fail": int(np.nansum(predicted)), "measured_fail": int(measured.sum()),
                 "measured_fail_outside_region": fails_outside},
        data={"b1_axis": b1_axis, "b2_axis": b2_axis, "avg": avg.reshape(shape),
              "predicted": predicted.reshape(shape), "curve": curve, "limit": limit},
        seconds=time.perf_counter() - started)


def plot(study: StudyResult, outdir) -> list[FigureFile]:
    from .. import figures
    from ..plotting import save

    d = study.data
    fig = figures.phase_diagram(d["b1_axis"], d["b2_axis"], d["avg"], curve=d["curve"],
                                contour=(d["predicted"], "predicted boundary (drift S = 0, proofs)"),
                                title=f"Adam on the period-3 problem: $R_T/T$ at T = {study.settings['T']}",
                                colorbar=f"average regret $R_T/T$ (failure limit 2/C = {d['limit']:.3g})")
    save(fig, f"{outdir}/phase-diagram.png")
    return [FigureFile("phase-diagram.png",
                       "Adam's average regret over the (β1, β2) grid, one batched run. Dashed: β1 = √β2 (Theorem 2's "
                       "region lies below it); solid: where proofs' drift changes sign, the predicted edge of the "
                       "failing (bright) region.")]
