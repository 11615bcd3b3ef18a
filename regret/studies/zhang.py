"""Zhang, Chen, Shi, Sun & Luo (NeurIPS 2022): Adam over (β1, β2) on their n-component problem (2.5).

What the paper shows.  Reddi et al. fix (β1, β2) and then choose the problem (n grows with β2);
Zhang et al. fix the problem first.  Their convergence theorem: with β1 < √β2 and
β2 ≥ γ1(n) := 1 − O((1 − β1^n)/n^5), η_k = η0/√k, Adam converges to a neighbourhood of critical
points (to critical points when D_0 = 0) on every n-component sum with L-smooth components and
affine variance; "our threshold of β2 is not claimed tight".  Their divergence theorem: on the
counterexample (2.5) Adam's iterates, gradients and values diverge to infinity for (β1, β2) in a
region that "depends on n and expands to the whole region [0, 1]² as n grows".  Their Figure
(thesis Fig. 2.4): (a) the divergence region for n = 20, solved from their analytic conditions;
(c), (d) the gap |θ − θ*| after 50k iterations for n = 10 and n = 50 over (β1, β2).

Where it was read.  The NeurIPS/arXiv body was not reachable here (searches returned only the
abstract: OpenReview l5UNyaHqFdO, arXiv 2208.09632; and the abstract of the 2026 journal version
arXiv 2603.02092).  The construction, theorem statements and figure captions above are quoted
from the first author's thesis (Yushun Zhang, "On the Principles Behind Neural Network
Optimizers", CUHK-Shenzhen, §2 "Divergence or Convergence? A Story of Adam": Algorithm 1.1,
Theorem 2.2 (convergence, order n^5 as written there), Theorem 2.3 (divergence), eq. (2.5),
Fig. 2.4), which states that the section is based on both papers.  The NeurIPS 2022 version's
own order may differ from the thesis's n^5; the study's comparison (k ≤ 5) is with the thesis's
statement.  No released code for this paper was found (find_repos on the author's account lists
Adam-mini, hessian-spectrum, MoE and Hessian-structure only).

The construction (``regret.problems.finite_sum.Zhang``): f_0 = (1 + (n−1)a)·h, f_i = −a·h
(i = 1..n−1), h(x) = x (x ≥ −1), ½(x + 2)² − 3/2 (x < −1), with the text's instance
a = 1/(n−1)² (D_1 = 2n², D_0 = 0); x* = −2.  Components sampled i.i.d. uniformly (their
Algorithm 1.1).

What we chose (the thesis gives neither η0, θ_1, m_0, v_0 nor a criterion for Fig. 2.4): Adam in
the theory convention of their algorithm (no bias correction, ε = 0), η_k = 0.1/√k (the step of
their Fig. 2.3, "as in our theory"), θ_1 = 0 (in the linear piece), m_0 = 0, and v_0 = E_i[g_i²]
on the linear piece, the stationary mean of v (their Algorithm leaves m_0, v_0 free; with v_0 = 0
and no bias correction the first steps are of size η/√(1−β2) and throw the iterate far away for
β2 near 1, a transient that 50k steps do not always undo).  F = [−4, 50] stands for ℝ: a
divergent run climbs toward 50.  Criterion per run: divergent ⟺ θ_T > θ_1 (moved away from x*);
the phase map shows |θ_T − x*| as their (c), (d) do.

Prediction (``proofs.theorem3.expected_drift``): on x ≥ −1 the gradients are i.i.d. — w_0 with
probability 1/n, −a otherwise — and Adam with ε = 0 is scale-invariant, so this is Reddi et al.'s
Theorem 3 problem with C = w_0/a = n(n−1), p = 1/n; the stationary drift D = E[m/√v] decides the
direction (D > 0: θ moves down to x*; D < 0: up, to infinity).  Sampled, not proved: numerical.

Threshold.  At β1 = 0 (where 1 − β1^n = 1), for n in N_FIT, β2*(n) is located on u = −log10(1 − β2)
by batched bisection: each round runs CANDIDATES values of u × SEEDS seeds in one batched run,
takes the u where the share of divergent seeds crosses ½ (linear interpolation), and narrows the
bracket around it (ROUNDS rounds).  The predicted u*(n) is a bisection on the sign of D.  The
fitted exponent k of 1 − β2*(n) ∝ n^(−k) (least squares in log–log) is set beside the thesis's
order 5: k ≤ 5 is what the sufficient condition being true requires; k far below 5 says the
order is not tight on this problem (the authors do not claim it is).
"""
from __future__ import annotations

import dataclasses
import time

import numpy as np

from .. import problems
from ..kernels import optimizer
from .outcome import Claim, FigureFile, StudyResult

KEY = "zhang"
TITLE = "Zhang et al.: Adam over (β1, β2) on the n-component problem (2.5) — a threshold β2*(n) that grows with n"
REFERENCE = ("Zhang, Chen, Shi, Sun & Luo, Adam Can Converge Without Any Modification On Update Rules, NeurIPS 2022 "
             "(arXiv 2208.09632; journal version arXiv 2603.02092), counterexample (2.5) and the divergence figure, "
             "as restated in Y. Zhang's thesis §2 (Thm 2.2, 2.3, Fig. 2.4)")
T_DEFAULT, T_QUICK = 50_000, 10_000
LR, X1, LO, HI = 0.1, 0.0, -4.0, 50.0
X_STAR = -2.0
N_MAPS = (10, 20, 50)
N_FIT_DEFAULT, N_FIT_QUICK = (5, 10, 20, 50, 100, 200), (10, 20, 50)
THEOREM_ORDER = 5.0          # thesis Theorem 2.2: β2 ≥ 1 − O((1 − β1^n)/n^5)
AGREE_U = 0.15               # measured u* within this of the drift's u* (log10 units)
T_FIT = 20_000               # the threshold's runs: the criterion is a sign, so a shorter horizon does
GRID = {False: dict(b1=16, u=32, cand=16, seeds=8, rounds=2),
        True: dict(b1=8, u=12, cand=12, seeds=4, rounds=2)}
U_RANGE = (0.05, 4.0)


def min_T(quick: bool = False) -> int:
    """The drift needs a few thousand steps to carry θ from θ_1 = 0 to x* = −2 at η = 0.1/√k."""
    return 5_000


def _adam(n: int, beta1, beta2, seeds) -> tuple:
    """The problem (one seed per configuration) and Adam with v_0 = E_i[g_i²] on the linear piece."""
    prob = problems.problem("zhang", n=n, order="iid", seed=[int(s) for s in seeds], lo=LO, hi=HI)
    v0 = (prob.w0 ** 2 + (n - 1) * prob.a ** 2) / n
    k = optimizer("adam", beta1=beta1, beta2=beta2, lr=LR, convention="theory")
    k = dataclasses.replace(k, init_state=lambda x0: (np.zeros_like(x0), np.full_like(x0, v0)))
    return prob, k


def final_iterates(n, beta1, beta2, seeds, T, engine="auto", progress=None) -> tuple[np.ndarray, str]:
    """θ_T per configuration (β1, β2 arrays, one seed each) in one batched run, and the engine used."""
    from ..engine import run as run_engine

    prob, k = _adam(n, np.asarray(beta1, float), np.asarray(beta2, float), seeds)
    res = run_engine(prob, k, T, x0=X1, checkpoints=np.array([T]), engine=engine, progress=progress)
    return res.x[-1, :, 0], res.engine


def _crossing(u: np.ndarray, share: np.ndarray) -> float:
    """The u where the divergent share falls through ½ (last crossing; linear interpolation)."""
    above = share >= 0.5
    if above.all():
        return float("inf")
    if not above.any():
        return float("-inf")
    i = int(np.nonzero(above)[0].max())
    if i + 1 >= len(u):
        return float(u[-1])
    s0, s1 = share[i], share[i + 1]
    return float(u[i] + (u[i + 1] - u[i]) * (s0 - 0.5) / (s0 - s1)) if s0 != s1 else float(u[i])


def measured_threshold(n: int, T: int, *, cand: int, seeds: int, rounds: int, engine="auto", progress=None,
                       beta1: float = 0.0) -> tuple[float, list]:
    """u* = −log10(1 − β2*) for n by batched bisection (module docstring); also each round's (u, share)."""
    lo, hi = U_RANGE
    history = []
    u_star = float("nan")
    for r in range(rounds):
        u = np.linspace(lo, hi, cand)
        uu = np.repeat(u, seeds)
        x, _ = final_iterates(n, beta1, 1.0 - 10.0 ** -uu, 1000 * r + np.arange(uu.size), T, engine, progress)
        share = (x > X1).reshape(cand, seeds).mean(axis=1)
        history.append((u, share))
        u_star = _crossing(u, share)
        if not np.isfinite(u_star):
            break
        step = u[1] - u[0]
        lo, hi = max(U_RANGE[0], u_star - 2 * step), min(U_RANGE[1], u_star + 2 * step)
    return u_star, history


def predicted_threshold(n: int, beta1: float = 0.0, iters: int = 14, samples: int = 20_000) -> float:
    """u* where the sampled stationary drift E[m/√v] changes sign (proofs.theorem3, C = n(n−1), p = 1/n)."""
    from proofs import theorem3

    C = n * (n - 1.0)
    delta = (C + 1.0) / n - 1.0
    lo, hi = U_RANGE
    for i in range(iters):
        mid = 0.5 * (lo + hi)
        D = theorem3.expected_drift(C, delta, beta1, 1.0 - 10.0 ** -mid, n=samples, seed=i)
        if D.mean < 0:      # divergent at mid: the threshold lies above
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _slope(ns, u) -> float:
    ok = np.isfinite(u)
    return float(np.polyfit(np.log10(np.asarray(ns, float)[ok]), np.asarray(u)[ok], 1)[0]) if ok.sum() >= 2 else np.nan


def run(*, T: int | None = None, quick: bool = False, engine: str = "auto", progress=None) -> StudyResult:
    started = time.perf_counter()
    T = T or (T_QUICK if quick else T_DEFAULT)
    g = GRID[bool(quick)]
    n_fit = N_FIT_QUICK if quick else N_FIT_DEFAULT

    # phase maps: every (β1, β2) cell of each n in one batched run
    b1_axis = np.linspace(0.0, 0.95, g["b1"])
    u_axis = np.linspace(*U_RANGE, g["u"])
    BB, UU = np.meshgrid(b1_axis, u_axis)             # rows: u, columns: β1
    maps, eng = {}, "?"
    for n in N_MAPS:
        x, eng = final_iterates(n, BB.ravel(), 1.0 - 10.0 ** -UU.ravel(), np.arange(BB.size), T, engine, progress)
        maps[n] = x.reshape(UU.shape)

    u_meas, hist = {}, {}
    for n in n_fit:
        u_meas[n], hist[n] = measured_threshold(n, min(T, T_FIT), cand=g["cand"], seeds=g["seeds"], rounds=g["rounds"],
                                                engine=engine, progress=progress)
    u_pred = {n: predicted_threshold(n) for n in n_fit}
    um = np.array([u_meas[n] for n in n_fit])
    up = np.array([u_pred[n] for n in n_fit])
    k_meas, k_pred = _slope(n_fit, um), _slope(n_fit, up)
    diff = np.abs(um - up)

    div = {n: maps[n] > X1 for n in N_MAPS}
    both = all(div[n][0, 0] and not div[n][-1].any() for n in N_MAPS)
    share_div = [float(div[n].mean()) for n in N_MAPS]
    grows = bool(np.all(np.diff(um) > 0))
    col0 = [bool(np.all(np.diff(div[n][:, 0].astype(int)) <= 0)) for n in N_MAPS]

    claims = [
        Claim("a phase transition at every n: Adam diverges at the smallest β2 (β1 = 0) and converges for every β1 at "
              "the largest β2 of the map", "divergent corner, convergent top row",
              ", ".join(f"n={n}: corner {'div' if div[n][0, 0] else 'conv'}, top row "
                        f"{int((~div[n][-1]).sum())}/{len(b1_axis)} conv" for n in N_MAPS), both,
              "numerical evidence: θ_T > θ_1 (divergent) at (β1, u) = (0, u_min); θ_T ≤ θ_1 in the row u = u_max",
              "Zhang et al. Thm 2.2 and 2.3"),
        Claim("at β1 = 0 the divergent β2 form a lower set (one threshold β2*(n)) in every map", "yes",
              " ".join("yes" if c else "no" for c in col0), all(col0),
              "numerical evidence: the divergent verdict is non-increasing in β2 along β1 = 0", "Zhang et al. Thm 2.3"),
        Claim("the divergence region expands with n: β2*(n) increases with n (β1 = 0)",
              "increasing", [round(float(v), 3) for v in um], grows,
              "numerical evidence: measured u*(n) = −log10(1 − β2*) strictly increasing over n = "
              + ", ".join(map(str, n_fit)), "Zhang et al. Thm 2.3 ('expands to the whole region as n grows')"),
        Claim("the measured threshold is where the stationary drift E[m/√v] changes sign",
              [round(float(v), 3) for v in up], [round(float(v), 3) for v in um], bool(np.all(diff <= AGREE_U)),
              f"numerical evidence: |u*_measured − u*_drift| ≤ {AGREE_U} for every n (max {diff.max():.3f}); the "
              "drift is sampled from the stationary law, independently of the engine", "proofs.theorem3.expected_drift"),
        Claim("the theorem's sufficient order 1 − β2 = O((1 − β1^n)/n^5) (β1 = 0: n^−5) is no sharper than the "
              "problem needs: the fitted k in 1 − β2*(n) ∝ n^(−k) is ≤ 5",
              f"k ≤ {THEOREM_ORDER:g} (drift: k = {k_pred:.3f})", k_meas,
              bool(k_meas <= THEOREM_ORDER and k_pred <= THEOREM_ORDER),
              "numerical evidence: least-squares slope of u* against log10 n; k well below 5 says the stated order "
              "is not tight here (the authors do not claim it is)", "thesis Thm 2.2 (order as written there)"),
    ]
    statement = (
        "Zhang et al. fix the problem before choosing (β1, β2): on their counterexample (2.5), n components "
        "f_0 = (1 + (n−1)a)h, f_i = −a·h with h linear above −1 and quadratic below (a = 1/(n−1)², x* = −2), sampled "
        "uniformly, Adam diverges to infinity for small β2 and converges for β2 above a threshold that grows with n; "
        "their sufficient condition is β2 ≥ 1 − O((1 − β1^n)/n^5), not claimed tight. The construction and theorems "
        "are read from the first author's thesis (§2, which restates the NeurIPS 2022 paper and its 2026 journal "
        "version; the paper's body was not reachable). Step size, start and initial moments are not given there and "
        "are ours: η_k = 0.1/√k (their Fig. 2.3), θ_1 = 0, m_0 = 0, v_0 = the stationary E g². We run the (β1, β2) "
        f"maps for n = 10, 20, 50 ({len(b1_axis)}×{len(u_axis)} cells per n, one batched run each, T = {T}) and locate "
        f"β2*(n) at β1 = 0 by batched bisection on log10(1 − β2). Measured: 1 − β2*(n) ∝ n^(−{k_meas:.2f}); the "
        f"sign change of the sampled stationary drift E[m/√v] gives n^(−{k_pred:.2f}). Both are far from the "
        "theorem's n^(−5): the order is sufficient, not tight, on this problem. With β1 near 1 and small β2 "
        "(β1 > √β2) the maps converge again: the divergent region is bounded in β1 too, its right edge close to "
        "the curve β1 = √β2 that their Fig. 2.4(a) draws over their region (we read that figure's caption, not "
        "its image, so the shapes are not compared).")
    return StudyResult(
        key=KEY, title=TITLE, reference=REFERENCE, statement=statement,
        settings={"problem": f"zhang (2.5), a = 1/(n−1)², order iid, F = [{LO:g}, {HI:g}] standing for ℝ",
                  "optimizer": f"Adam, theory convention (α_t = {LR:g}/√t, no bias correction, ε = 0), m_0 = 0, "
                               "v_0 = E_i g_i² on x ≥ −1",
                  "start": X1, "T": T,
                  "maps": f"n = {', '.join(map(str, N_MAPS))}; β1 = 0…0.95 ({len(b1_axis)}), "
                          f"u = −log10(1 − β2) = {U_RANGE[0]:g}…{U_RANGE[1]:g} ({len(u_axis)})",
                  "criterion": "divergent ⟺ θ_T > θ_1 (moved away from x* = −2)",
                  "threshold": f"β1 = 0, n = {', '.join(map(str, n_fit))}, T = {min(T, T_FIT)}; {g['rounds']} rounds × {g['cand']} "
                               f"candidates × {g['seeds']} seeds, share-divergent crossing ½",
                  "engine": eng},
        claims=claims,
        numbers={"u_star_measured": {str(n): u_meas[n] for n in n_fit},
                 "u_star_drift": {str(n): u_pred[n] for n in n_fit},
                 "one_minus_beta2_star_measured": {str(n): 10.0 ** -u_meas[n] for n in n_fit},
                 "exponent_measured": k_meas, "exponent_drift": k_pred, "exponent_theorem": THEOREM_ORDER,
                 "divergent_share_of_maps": dict(zip(map(str, N_MAPS), share_div))},
        data={"b1_axis": b1_axis, "u_axis": u_axis, "maps": maps, "n_fit": np.array(n_fit), "u_meas": um,
              "u_pred": up, "hist": hist, "k_meas": k_meas, "k_pred": k_pred},
        seconds=time.perf_counter() - started)


def plot(study: StudyResult, outdir) -> list[FigureFile]:
    from matplotlib.colors import LogNorm

    from ..plotting import _pyplot, save

    d = study.data
    plt = _pyplot()
    b1, u = d["b1_axis"], d["u_axis"]
    fig, axes = plt.subplots(1, len(N_MAPS), figsize=(14, 4.6), sharey=True)
    curve_u = np.linspace(u.min(), u.max(), 200)
    mesh = None
    for ax, n in zip(axes, N_MAPS):
        gap = np.abs(d["maps"][n] - X_STAR)
        mesh = ax.pcolormesh(b1, u, np.maximum(gap, 1e-3), shading="nearest", cmap="magma_r",
                             norm=LogNorm(vmin=1e-3, vmax=HI - X_STAR))
        ax.contour(b1, u, (d["maps"][n] > X1).astype(float), levels=[0.5], colors="c", linewidths=1.4)
        ax.plot(np.sqrt(1 - 10.0 ** -curve_u), curve_u, "w--", lw=1.2)
        ax.set_xlim(b1.min(), b1.max())
        ax.set_title(f"n = {n}", fontsize=11)
        ax.set_xlabel(r"$\beta_1$")
        us = study.numbers["u_star_measured"].get(str(n))
        if us is not None and np.isfinite(us):
            ax.plot([0], [us], "c*", ms=14, mec="k", clip_on=False)
    axes[0].set_ylabel(r"$-\log_{10}(1-\beta_2)$")
    cb = fig.colorbar(mesh, ax=axes[-1])
    cb.set_label(r"$|\theta_T - x^*|$ at $T$ = " + str(study.settings["T"]))
    fig.suptitle("Zhang et al. (2.5): Adam's gap after T steps; cyan line: divergent/convergent boundary, "
                 r"white dashes: $\beta_1 = \sqrt{\beta_2}$, star: bisected $\beta_2^*$ at $\beta_1 = 0$", fontsize=10)
    save(fig, f"{outdir}/zhang-phase-maps.png")
    out = [FigureFile("zhang-phase-maps.png",
                      "Adam on Zhang et al.'s counterexample (2.5) for n = 10, 20, 50: the gap |θ_T − x*| per (β1, β2) "
                      "cell (dark: far away, divergent; light: at x*), the boundary of the divergent cells (cyan), the "
                      "curve β1 = √β2 (white) and the bisected threshold at β1 = 0 (star).")]

    fig, ax = plt.subplots(figsize=(6.8, 4.8))
    ns, um, up = d["n_fit"].astype(float), d["u_meas"], d["u_pred"]
    ax.loglog(ns, 10.0 ** -um, "o", color="tab:blue", ms=7, label="measured (batched bisection)")
    ax.loglog(ns, 10.0 ** -up, "x", color="tab:red", ms=8, label="sign change of the stationary drift E[m/√v]")
    ok = np.isfinite(um)
    if ok.sum() >= 2:
        c = np.polyfit(np.log10(ns[ok]), -um[ok], 1)
        nn = np.geomspace(ns.min(), ns.max(), 50)
        ax.loglog(nn, 10.0 ** np.polyval(c, np.log10(nn)), "-", color="tab:blue", lw=1,
                  label=f"fit: 1 − β2* ∝ n^(−{d['k_meas']:.2f})")
        ref = 10.0 ** np.polyval(c, np.log10(ns.min())) * (nn / ns.min()) ** -THEOREM_ORDER
        ax.loglog(nn, ref, ":", color="k", lw=1.2, label="theorem's order n^(−5) (slope only)")
    ax.set_xlabel("n (components)")
    ax.set_ylabel(r"$1-\beta_2^*(n)$ at $\beta_1 = 0$")
    ax.set_title("Zhang et al.: the β2 threshold against n", fontsize=11)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    save(fig, f"{outdir}/zhang-threshold.png")
    out.append(FigureFile("zhang-threshold.png",
                          "1 − β2*(n) at β1 = 0, measured by batched bisection on log10(1 − β2) (circles, with the "
                          "least-squares fit) and from the sign change of the sampled stationary drift (crosses); the "
                          "dotted line has the slope of the theorem's sufficient order n^−5, drawn through the first point."))
    return out
