"""Shi, Li, Hong & Sun (ICLR 2021), Figure 1: RMSProp over (β2, C) on Reddi et al.'s problem.

What the paper shows.  Reddi et al.'s divergence of RMSProp/Adam holds for a β2 fixed before
the problem is chosen; Shi et al. prove that for β2 close enough to 1 (depending on the problem)
RMSProp converges, and conjecture a critical threshold β2* above which it does.  Their Figure 1
runs RMSProp on Reddi et al.'s period-C problem over a grid of (β2, C) and marks each cell
convergent or divergent: small β2 diverge, β2 near 1 converge, with a threshold growing with C.

What we took, from their released code (``reddiexample.m``, repository
soundsinteresting/Optimizervisualize, the version of 17 Jan 2021 "fixed an issue pointed out by
Juntang"; read, not copied):

    grid         β2 = 1 − 10^(−i/10), i = 1…40;  C = 2…32               (1240 cells)
    problem      gradient C when t mod C = 1, else −1, on [−1, 1]         (Reddi's, period C)
    RMSProp      β1 = 0, η = 1: x_{t+1} = Π(x_t − g_t/(√v_t·√t)), no ε, no bias correction
    state        v_0 = 100·C (their ``grad = xk(1)*C``), m_0 = 0
    horizon      T = 10^6 (``maxstep``)
    criterion    convergent ⟺ mean over t ∈ [0.75T, T] of log10|x_t + 1| < −2

Their x_1 = 100 lies outside F; the engine needs x_1 ∈ F.  Their first step always lands on the
projection, x_2 = +1 (C/√v_1 < 1.2 for every cell), with v_1 = β2·100C + (1−β2)C².  So the run
starts there, one step later: our step s is their step k = s + 1 (gradient of step s + 1,
α = 1/√(s+1)), from x = +1 and v_0 = their v_1, for T − 1 steps — their trajectory exactly.
One difference remains, stated in the report: the criterion's mean is taken over a sample of
the last quarter (about 1000 steps, a prime stride > 32, so every phase of every period is
visited) rather than all 2.5·10^5 steps; an iterate exactly at −1 gives log10 0 = −∞ there as
in their code.  The earlier version of their
script (Oct 2020) differed: two C-steps per period (``mod(j,C) <= 1``), β2 = 1 − 10^(−i/24),
C = 1…31, T = 2·10^4 and the last half as window; we follow the corrected one.

The whole grid is one batched run: the kernel's β2 and the problem's C and P are arrays of
length 1240 (the batch axis), v_0 a (1240, 1) initial state.

Prediction (``proofs.shi``): the sign of the periodic steady-state drift S(C, β2), decided in
interval arithmetic for every cell (S > 0 ⟺ convergent), and the derived boundary u*(C) =
−log10(1 − β2*) drawn over the map; the fitted exponent k of 1 − β2* ∝ C^(−k) on that boundary.

Their theorem (Theorem 4.3, as restated informally in Zhang, Chen & Luo's ICLR 2022 blog post
"Does Adam converge and when?"; the paper's body was not reachable here) asks β2 ≥ 1 − O(n^−3.5)
for a sum of n components; Reddi's period-C problem is such a sum with n = C.  The order is a
sufficient one: the study sets the exponent k of the boundary 1 − β2* ∝ C^(−k), derived and
measured, beside 3.5 (k ≤ 3.5 is what the theorem being true requires; k well below it says the
order is not tight here).

Criteria.  The share of cells where the measured criterion agrees with the sign of S is ≥ 95%,
and every disagreeing cell is one the horizon cannot decide (the drift needs T_s = C²/S² ≥ T/4
steps to carry x across F, ``proofs.shi.settle_steps``); the measured
convergent cells of each C form an upper set in β2 (Shi et al.'s threshold); both regions are
non-empty (Reddi et al.'s divergence at small β2, Shi et al.'s convergence near 1).  ``--quick``
runs the same grid for T = 3·10^5 (at 10^5 their large v_0 = 100·C has not decayed enough for the
cells with β2 ≥ 1 − 10^−3.5 to reach −1: the criterion then calls them divergent).
"""
from __future__ import annotations

import dataclasses
import time

import numpy as np

from ..kernels import optimizer
from ..problems import ReddiOnline
from .outcome import Claim, FigureFile, StudyResult

KEY = "shi"
TITLE = "Shi et al.: RMSProp over (β2, C) on Reddi's problem — divergence below a threshold β2*(C), convergence above"
REFERENCE = ("Shi, Li, Hong & Sun, RMSprop converges with proper hyper-parameter, ICLR 2021, Figure 1 "
             "(released code reddiexample.m)")
T_DEFAULT, T_QUICK = 1_000_000, 300_000
I_AXIS = np.arange(1, 41)
C_AXIS = np.arange(2, 33)
V0_FACTOR = 100.0        # their v_0 = x_1·C with x_1 = 100
LR = 1.0
THRESHOLD = -2.0         # their criterion: mean log10|x + 1| over the last quarter < −2
SAMPLES = 1000
AGREE = 0.95
THEOREM_ORDER = 3.5      # Shi et al. Theorem 4.3 (informal, as restated by Zhang, Chen & Luo 2022): 1 − O(n^−3.5)
SETTLE = 0.25           # T_s ≥ SETTLE·T: a cell the run is too short to decide


class _OneStepLater(ReddiOnline):
    """Reddi's period-C problem read one step later: g at our step s is Reddi's g at s + 1, so that our
    run from their x_2 replays their steps 2, 3, …"""

    def gradients(self, t: np.ndarray) -> np.ndarray:
        return super().gradients(np.asarray(t, dtype=np.int64) + 1)


def their_step_size(t):
    """α at our step s: their 1/√k at k = s + 1."""
    return 1.0 / np.sqrt(np.asarray(t, dtype=np.float64) + 1.0)


def min_T(quick: bool = False) -> int:
    """Enough for the last quarter to hold a few periods of the longest C."""
    return 64 * int(C_AXIS.max())


def _window(T: int) -> tuple[np.ndarray, int]:
    """Our checkpoints s whose recorded iterates (x after s steps = their x_k, k = s + 2) sample their
    window k ∈ [0.75T, T] with a prime stride larger than every C, so every phase of every period is
    visited."""
    from sympy import nextprime

    start = int(0.75 * T)
    stride = int(nextprime(max(int(C_AXIS.max()), (T - start) // SAMPLES)))
    k = np.arange(start, T + 1, stride)
    return k - 2, stride


def run(*, T: int | None = None, quick: bool = False, engine: str = "auto", progress=None) -> StudyResult:
    from proofs import shi

    from . import runs

    started = time.perf_counter()
    T = T or (T_QUICK if quick else T_DEFAULT)
    b2_axis = shi.beta2_of(I_AXIS)
    II, CC = np.meshgrid(I_AXIS, C_AXIS)              # rows: C, columns: i
    b2, Cs = shi.beta2_of(II.ravel()), CC.ravel().astype(np.float64)

    predicted = shi.sign_map(C_AXIS, b2_axis)         # (len C, len i): +1 convergent, −1 divergent
    u_star = shi.boundary(C_AXIS)
    k_pred = shi.boundary_exponent(C_AXIS, u_star)

    problem = _OneStepLater(C=Cs, P=Cs.astype(np.int64), b=1.0)
    kernel = optimizer("rmsprop", beta2=b2, lr=LR, convention="theory", schedule=their_step_size)
    v0 = (b2 * V0_FACTOR * Cs + (1.0 - b2) * Cs ** 2)[:, None]      # their v_1 (g_1 = C)
    if not np.all(100.0 - Cs / np.sqrt(v0[:, 0]) >= 1.0):             # their first step lands on +1
        raise AssertionError("their x_2 is not +1 in every cell: the one-step shift would not replay their run")
    kernel = dataclasses.replace(kernel, init_state=lambda x0: (np.broadcast_to(v0, x0.shape).copy(),
                                                                np.zeros_like(x0), np.zeros_like(x0)))
    ck, stride = _window(T)
    res = runs.lineup(problem, {"rmsprop": kernel}, T - 1, engine=engine, progress=progress, x0=1.0,
                      checkpoints=ck)["rmsprop"]
    k_played = res.t + 2
    sel = (k_played >= int(0.75 * T)) & (k_played <= T)
    with np.errstate(divide="ignore"):
        logs = np.log10(np.abs(res.x[sel, :, 0] + 1.0))
    score = np.mean(logs, axis=0).reshape(CC.shape)   # −inf where x touched −1 exactly
    measured = score < THRESHOLD
    undecided = predicted == 0
    pred_conv = predicted > 0
    agree = (measured == pred_conv) & ~undecided
    share = float(agree.sum() / (~undecided).sum())

    # Per C: the smallest i measured convergent from which every larger i is convergent too.
    upper = [bool(np.all(np.diff(row.astype(int)) >= 0)) for row in measured]
    i_meas = np.array([I_AXIS[np.argmax(row)] if row.any() else np.nan for row in measured], dtype=float)
    bad = ~agree & ~undecided
    # A disagreement the horizon cannot decide: the drift needs T_s = C²/S² steps to cross F.
    settle = {(r, c): shi.settle_steps(int(C_AXIS[r]), b2_axis[c]) for r, c in zip(*np.nonzero(bad))}
    unexplained = [rc for rc, ts in settle.items() if ts < SETTLE * T]
    # the measured boundary's exponent: u at the first convergent i per C (C ≥ 3, where it exists)
    ok = np.isfinite(i_meas) & (C_AXIS >= 3) & (i_meas > I_AXIS[0])
    k_meas = float(np.polyfit(np.log10(C_AXIS[ok]), (i_meas[ok] - 0.5) / 10.0, 1)[0]) if ok.sum() >= 3 else np.nan

    claims = [
        Claim(f"the measured verdict (their criterion) agrees with the sign of the steady-state drift S "
              f"({measured.size} cells)", f"≥ {AGREE:.0%}", share, share >= AGREE,
              f"share of cells where [mean log10|x_t+1| over the last quarter < {THRESHOLD:g}] = [S > 0]; "
              f"{int(undecided.sum())} cells with S indistinguishable from 0 left out", "proofs.shi.sign_map"),
        Claim("every disagreeing cell is one the horizon cannot decide: its drift needs T_s = C²/S² ≥ T/4 steps "
              "to carry x across F", 0, len(unexplained), not unexplained,
              f"{int(bad.sum())} disagreeing cells, min T_s/T = "
              f"{min(settle.values()) / T if settle else float('nan'):.3g}; none with T_s < {SETTLE:g}·T",
              "proofs.shi.settle_steps"),
        Claim("Shi et al.'s threshold: for every C the convergent β2 form an upper set (all β2 above a β2*(C))",
              f"{len(C_AXIS)} of {len(C_AXIS)} C", f"{sum(upper)} of {len(C_AXIS)}", all(upper),
              "measured verdict non-decreasing in β2 along each C", "Shi et al. 2021, the β2* conjecture"),
        Claim("Shi et al.'s sufficient order β2 ≥ 1 − O(n^(−3.5)) (their Theorem 4.3; n = C components here) is "
              "no sharper than what the problem needs: the boundary's exponent k in 1 − β2* ∝ C^(−k) is ≤ 3.5",
              f"k ≤ {THEOREM_ORDER:g} (derived k = {k_pred:.3f})", k_meas,
              bool(k_pred <= THEOREM_ORDER and k_meas <= THEOREM_ORDER),
              "least-squares slope of −log10(1 − β2*) against log10 C, C = 3…32: derived from S = 0 "
              "(proofs.shi.boundary_exponent) and measured (first convergent i per C, minus half a grid step)",
              "proofs.shi.boundary_exponent; Shi et al. Theorem 4.3"),
        Claim("both regions exist: Reddi et al.'s divergence at small β2 and convergence for β2 near 1",
              "divergent and convergent cells", f"{int((~measured).sum())} divergent, {int(measured.sum())} convergent",
              bool((~measured).any() and measured[:, -1].all()),
              "some cell divergent, and every C convergent at i = 40 (β2 = 1 − 10^−4)", "proofs.shi.sign_map"),
    ]
    return StudyResult(
        key=KEY, title=TITLE, reference=REFERENCE,
        statement=("Reddi et al.'s counterexamples fix β2 and then choose the problem; Shi et al. fix the problem and "
                   "ask how large β2 must be. On Reddi's period-C problem (gradient C once per period, −1 otherwise) "
                   "they run RMSProp over β2 = 1 − 10^(−i/10), i = 1…40, and C = 2…32 and mark each cell convergent "
                   "when the mean of log10|x_t + 1| over the last quarter of the run is below −2. We take the grid, "
                   "the step size 1/√t, the start x_1 = 100 with second moment 100·C, the horizon 10^6 and that "
                   "criterion from their released code (x_1 lies outside F and their first step always projects to "
                   "+1, so we start from their x_2 and v_1, one step later: their trajectory exactly), run the 1240 cells as one batched run, and set the measured map beside the sign of the "
                   "periodic steady-state drift S(C, β2) that proofs decides per cell: S > 0 drifts to x* = −1. The "
                   f"derived boundary 1 − β2*(C) falls like C^(−{k_pred:.2f}); the measured one like "
                   f"C^(−{k_meas:.2f}), well inside Shi et al.'s sufficient 1 − O(n^−3.5). A finding about the criterion: in {int((~np.isfinite(score)).sum())} of the "
                   f"{int(measured.sum())} convergent cells the score is −∞, because once S > 0 and x is near −1 the "
                   "C-step overshoots and the projection puts x exactly at −1 each period; their criterion then reads "
                   "'the iterate reached −1 before the end'."),
        settings={"grid": f"β2 = 1 − 10^(−i/10), i = {I_AXIS[0]}…{I_AXIS[-1]}; C = {C_AXIS[0]}…{C_AXIS[-1]}; "
                          f"{measured.size} cells in one batched run",
                  "problem": "reddi-online (C·x at t mod C = 1, else −x, on [−1, 1]), P = C",
                  "optimizer": "RMSProp, theory convention (α = 1/√k at their step k, no bias correction, ε = 0), "
                               "their v_0 = 100·C",
                  "start": "their x_1 = 100 (outside F) is projected to +1 by step 1 in every cell: the run starts "
                           "from their x_2 = +1, v_1 = β2·100C + (1−β2)C² and replays their steps 2…T",
                  "T": T,
                  "criterion": f"mean of log10|x_t + 1| over {int(sel.sum())} steps of [0.75T, T] (stride {stride}) "
                               f"< {THRESHOLD:g}", "engine": res.engine},
        claims=claims,
        numbers={"cells": int(measured.size), "agree": int(agree.sum()), "share": share,
                 "undecided": int(undecided.sum()),
                 "disagree": [{"C": int(C_AXIS[r]), "i": int(I_AXIS[c]), "measured_convergent": bool(measured[r, c]),
                               "settle_over_T": settle[(r, c)] / T} for r, c in zip(*np.nonzero(bad))],
                 "measured_convergent": int(measured.sum()), "score_minus_inf": int((~np.isfinite(score)).sum()), "predicted_convergent": int(pred_conv.sum()),
                 "boundary_exponent_predicted": k_pred, "boundary_exponent_measured": k_meas,
                 "boundary_u_predicted": u_star, "first_convergent_i_measured": i_meas,
                 "measured_map": measured.astype(int), "predicted_sign": predicted},
        results={}, data={"score": score, "measured": measured, "predicted": predicted, "u_star": u_star},
        seconds=time.perf_counter() - started)


def plot(study: StudyResult, outdir) -> list[FigureFile]:
    from ..plotting import _pyplot, save

    d = study.data
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.2, 5.2))
    u = I_AXIS / 10.0
    UU, CC = np.meshgrid(u, C_AXIS)
    m, p = d["measured"], d["predicted"] > 0
    ax.scatter(UU[m], CC[m], marker="o", s=16, facecolors="none", edgecolors="tab:blue", label="convergent (measured)")
    ax.scatter(UU[~m], CC[~m], marker="+", s=22, color="tab:red", label="divergent (measured)")
    bad = m != p
    if bad.any():
        ax.scatter(UU[bad], CC[bad], marker="s", s=60, facecolors="none", edgecolors="k", lw=1.2,
                   label="measured ≠ sign of S")
    us = d["u_star"]
    ok = np.isfinite(us)
    ax.plot(us[ok], C_AXIS[ok], color="k", lw=1.6, label="derived boundary S(C, β2) = 0 (proofs)")
    ax.set_xlabel(r"$-\log_{10}(1-\beta_2)$")
    ax.set_ylabel("period C")
    ax.set_xlim(0, u.max() + 0.1)
    ax.set_title(f"Shi et al. Fig. 1: RMSProp on Reddi's problem, T = {study.settings['T']}", fontsize=11)
    ax.legend(fontsize=8, loc="lower right", framealpha=0.9)
    ax.grid(True, alpha=0.3)
    save(fig, f"{outdir}/shi-phase-map.png")
    out = [FigureFile("shi-phase-map.png",
                      "Each cell of Shi et al.'s grid (one batched run): convergent (circle) or divergent (plus) by "
                      "their criterion; the line is the boundary where proofs' steady-state drift S changes sign; "
                      "squares mark cells where the two disagree.")]
    fig, ax = plt.subplots(figsize=(7.2, 5.2))
    from copy import copy

    from matplotlib.patches import Patch

    cmap = copy(plt.get_cmap("viridis"))
    cmap.set_bad("lightsteelblue")          # −∞: the iterate sat exactly at −1 somewhere in the window
    score = np.ma.masked_invalid(np.where(np.isfinite(d["score"]), d["score"], np.nan))
    mesh = ax.pcolormesh(u, C_AXIS, score, shading="nearest", cmap=cmap)
    cb = fig.colorbar(mesh, ax=ax)
    cb.set_label(r"mean $\log_{10}|x_t+1|$ over the last quarter (finite cells)")
    ax.plot(us[ok], C_AXIS[ok], color="r", lw=1.6, label="derived boundary S = 0")
    handles = [Patch(color="lightsteelblue", label=r"score $-\infty$: $x_t = -1$ exactly in the window"),
               ax.get_lines()[0]]
    ax.set_xlabel(r"$-\log_{10}(1-\beta_2)$")
    ax.set_ylabel("period C")
    ax.set_title("Shi et al.'s convergence score per cell", fontsize=11)
    ax.legend(handles=handles, fontsize=8, loc="lower right", framealpha=0.9)
    save(fig, f"{outdir}/shi-score.png")
    out.append(FigureFile("shi-score.png",
                          "The criterion's score per cell. Light blue: the iterate sat exactly at −1 (the projection) "
                          "somewhere in the window, so the mean is −∞ as in their code; coloured: finite scores (log10 2 "
                          "≈ 0.30 where x is held at +1)."))
    return out
