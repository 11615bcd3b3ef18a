"""Savarese (2019), Theorem 2: admissible bound functions for which AdaBound is Adam, and fails.

On Reddi's stochastic problem (f_t = C·x w.p. p, else −x) take

    η_l(t) = α/C,     η_u(t; K) = α/√(1−β2) for t ≤ K, α/C after        (``proofs.savarese``)

Both are monotone, positive and meet at α* = α/C; L∞ = α/C and R∞ = α/√(1−β2) do not depend on
K — every stated assumption of Theorem 4 holds.  Yet |g_t| ∈ {1, C} gives 1 − β2 ≤ v_t ≤ C², so
α/√v_t always lies in the band and the clip is the identity for t ≤ K: AdaBound *is* Adam, which
fails there (Theorem 3), so R_K grows like K while Theorem 4's bound, with K-free constants,
grows like √K.  For K large the run exceeds the bound: the contradiction.  The corrected bound
survives because its M = ((K+1)C − K√(1−β2))/α grows with K.

The study runs AdaBound with these bounds and Adam on the same sample paths (seeds batched) for
T = 2K steps, and checks the identity for t ≤ K, the violation of Theorem 4's bound at t = K
(bound evaluated on the run by ``regret.studies.run_bounds``), and the corrected bound everywhere.

Checked against the paper (issue #17), and what could not be.  Savarese's report (arXiv
1908.04457; its repository lolemacs/adabound-and-csgdm) was reachable here only through its
abstract and introduction, which agree with this study: a stochastic convex problem on which
AdaBound, under bound functions meeting Luo et al.'s assumptions, takes arbitrarily long to
converge "in terms of a factor which is not accounted for" in Theorem 4's rate (here K), and a
new O(√T) guarantee under different assumptions on the bound functions (the corrected bound).
The body — the theorem numbers (2: the counterexample, 3: the corrected bound), the exact bound
functions and the constant of Theorem 3 — could not be read, so they are the project's
REFERENCE.md, re-derived rather than confirmed: (i) Theorem 4's stated assumptions hold for
η_l = α/C, η_u = α/√(1−β2) then α/C (checked by the run, t = 1…T); (ii) 1 − β2 ≤ v_t ≤ C² for
t ≥ 1 (v_1 = (1−β2)g_1² ≥ 1−β2, and v_t is an average of g² ≤ C² with weight 1 − β2^t ≤ 1), so the
clip is the identity up to K (checked bit for bit); (iii) M = sup_t [t/η_l(t) − (t−1)/η_u(t−1)]
is attained at t = K + 1: the terms are (tC − (t−1)√(1−β2))/α, increasing, for t ≤ K, then
((K+1)C − K√(1−β2))/α, then C/α for t ≥ K + 2 (``proofs.savarese.corrected_M``, also checked
against the maximum over t in tests/test_proofs_bounds.py); (iv) for Luo et al.'s own bound
functions the same supremum is (1 + 2/γ)/α* (the terms (γs(2+γ) + γ + 1)/(α*γ(γs+1)), s = t − 1,
increase to it), within REFERENCE.md's recalled M ≤ 3 + 2/γ.  Nothing was found to disagree;
the constants C = 3, δ = 1/2, β2 = 0.1, α = 0.1 are this study's choice (Theorem 3's hypotheses
hold for them, decided by ``proofs.theorem3``), not the paper's.
"""
from __future__ import annotations

import time

import numpy as np

from .. import problems
from ..kernels import optimizer
from . import measures, run_bounds, runs
from .outcome import Claim, FigureFile, StudyResult

KEY = "savarese"
TITLE = "Savarese's counterexample: bound functions that meet Theorem 4's assumptions, yet AdaBound fails"
REFERENCE = "Savarese, On the Convergence of AdaBound and its Connection to SGD, 2019, Theorems 2–3"
T_DEFAULT, T_QUICK = 100_000, 10_000           # T = 2K
C, DELTA, BETA2, LR = 3.0, 0.5, 0.1, 0.1
SEEDS = np.arange(8)


def run(*, T: int | None = None, quick: bool = False, engine: str = "auto", progress=None) -> StudyResult:
    from proofs import savarese, theorem3
    from proofs.verdicts import explain, overall

    started = time.perf_counter()
    T = T or (T_QUICK if quick else T_DEFAULT)
    K = T // 2
    lower, upper = savarese.bound_functions(LR, C, BETA2, K)
    M = float(savarese.corrected_M(LR, C, BETA2, K))
    hyp3 = theorem3.conditions(0.0, BETA2, C, DELTA)

    problem = problems.problem("reddi-stochastic", C=C, delta=DELTA, seed=SEEDS)
    kernels = {"adabound": optimizer("adabound", beta1=0.0, beta2=BETA2, lr=LR, lower=lower, upper=upper,
                                     convention="theory"),
               "adam": optimizer("adam", beta1=0.0, beta2=BETA2, lr=LR, convention="theory")}
    ck = np.union1d(runs.checkpoint_times(T, 80), [K])
    res = runs.lineup(problem, kernels, T, engine=engine, progress=progress, checkpoints=ck)
    ada, adam = res["adabound"], res["adam"]
    thm4 = run_bounds.adabound_theorem4(ada, problem, lower=lower, upper=upper)
    corr = run_bounds.savarese(ada, problem, M=M, lower=lower, upper=upper)
    k = int(np.searchsorted(ada.t, K))                  # the checkpoint t = K
    early = ada.t <= K
    diff = float(np.max(np.abs(ada.x[early] - adam.x[early])))
    excess = ada.regret[k] - thm4[k]                    # per seed, at t = K
    late = (ada.t >= K / 10) & early
    gap_min = float(np.min(ada.expected_gap[late]))

    # Theorem 4's stated assumptions, read off the bound functions the kernel used (t = 1…T).
    ts = np.arange(1, T + 1)
    lo_t, up_t = lower(ts), upper(ts)
    assumptions = {
        "η_l(t) > 0": bool(np.all(lo_t > 0)),
        "η_l non-decreasing": bool(np.all(np.diff(lo_t) >= 0)),
        "η_u non-increasing": bool(np.all(np.diff(up_t) <= 0)),
        "η_l ≤ η_u": bool(np.all(lo_t <= up_t)),
        "common limit (η_l = η_u for t > K)": bool(np.all(lo_t[K:] == up_t[K:])),
    }
    claims = [
        Claim("the bound functions meet every stated assumption of Theorem 4", "all proved",
              ", ".join(f"{k_}: {'yes' if v else 'NO'}" for k_, v in assumptions.items()), all(assumptions.values()),
              f"evaluated on t = 1…{T} from the callables proofs builds", "proofs.savarese.bound_functions"),
        Claim("Adam fails on this problem (Theorem 3's hypotheses)", "all proved", explain(hyp3),
              overall(hyp3) == "proved", "decided by proofs", "proofs.theorem3.conditions"),
        Claim(f"for t ≤ K = {K} the clip is the identity: AdaBound's iterates equal Adam's", 0.0, diff, diff <= 1e-12,
              f"max |x_AdaBound − x_Adam| over checkpoints t ≤ K and {len(SEEDS)} seeds ≤ 1e-12",
              "proofs.savarese (1 − β2 ≤ v_t ≤ C²)"),
        Claim(f"AdaBound's expected gap stays ≥ δ = {DELTA:g} up to t = K", f"≥ {DELTA:g}", gap_min, gap_min >= DELTA,
              "minimum over seeds and checkpoints K/10 ≤ t ≤ K", "proofs.theorem3"),
        Claim(f"the run contradicts Theorem 4: R_K exceeds its bound at t = K, every seed", "R_K ≤ bound (Thm 4)",
              f"R_K − bound ∈ [{excess.min():.4g}, {excess.max():.4g}]", bool(np.all(excess > 0)),
              "R_K > bound in all seeds (a reproduced counterexample)",
              "proofs.bounds.adabound_theorem4, regret.studies.run_bounds.adabound_theorem4"),
        Claim("Savarese's corrected bound (M grows with K) holds at every checkpoint", f"M = {M:.6g}",
              measures.bound_ratio(ada.t, ada.regret, corr)["text"], bool(np.all(ada.regret <= corr)),
              f"{len(ada.t)} checkpoints × {len(SEEDS)} seeds", "proofs.savarese.corrected_M, regret.studies.run_bounds.savarese"),
    ]
    first = [int(ada.t[np.argmax(ada.regret[:, b] > thm4[:, b])]) if np.any(ada.regret[:, b] > thm4[:, b]) else None
             for b in range(ada.batch)]
    return StudyResult(
        key=KEY, title=TITLE, reference=REFERENCE,
        statement=("Savarese's counterexample shows that Theorem 4's stated assumptions cannot be enough. The bound "
                   f"functions η_l(t) = α/C and η_u(t) = α/√(1−β2) for t ≤ K, α/C afterwards, satisfy all of them, "
                   "with constants that do not depend on K. On Reddi's stochastic problem the gradients are 1 or C in "
                   "size, so 1 − β2 ≤ v_t ≤ C² and Adam's rate α/√v_t never leaves the band: for t ≤ K AdaBound is "
                   "Adam, which Theorem 3 makes fail, so its regret grows linearly until K, while the Theorem 4 bound "
                   "only grows like √K. The study runs AdaBound with these bounds and Adam on the same sample paths "
                   f"for T = 2K = {T} steps, checks that they coincide up to K, and evaluates Theorem 4's bound on "
                   "the run: it is exceeded. The corrected bound holds because its M grows with K."),
        settings={"problem": problem.describe(), "optimizers": "AdaBound (Savarese's bounds) and Adam, theory "
                  f"convention, β1 = 0, β2 = {BETA2:g}, α = {LR:g}", "K": K, "T": T,
                  "seeds": f"{len(SEEDS)} (batched)", "engine": ada.engine},
        claims=claims,
        numbers={"K": K, "M": M, "R_K": ada.regret[k], "theorem4_bound_K": thm4[k],
                 "first_t_exceeding_theorem4": first, "max_x_diff_t_le_K": diff},
        results=res, data={"thm4": thm4, "corr": corr, "K": K},
        seconds=time.perf_counter() - started)


def plot(study: StudyResult, outdir) -> list[FigureFile]:
    from .. import figures
    from ..plotting import _pyplot, save

    res, d = study.results, study.data
    ada, adam = res["adabound"], res["adam"]
    K = d["K"]
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.0, 4.4))
    t = ada.t
    ax.plot(t, np.mean(ada.regret, axis=1) / np.sqrt(t), color=figures.COLORS["adabound"], lw=1.8,
            label="AdaBound, Savarese's bounds (mean of seeds)")
    ax.plot(t, np.mean(adam.regret, axis=1) / np.sqrt(t), color=figures.COLORS["adam"], lw=1.4, ls=":",
            label="Adam (mean of seeds)")
    for (color, ls), key, label in zip(figures.BOUND_STYLES, ("thm4", "corr"),
                                       ("Theorem 4 bound as stated", "Savarese's corrected bound")):
        ax.plot(t, np.mean(d[key], axis=1) / np.sqrt(t), color=color, ls=ls, lw=1.4, label=label)
    ax.axvline(K, color="tab:orange", lw=1.2, label=f"K = {K}: η_u drops to α/C")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("t (steps)")
    ax.set_ylabel(r"$R_t/\sqrt{t}$")
    ax.set_title(f"Savarese's counterexample (C = {C:g}, δ = {DELTA:g}, β2 = {BETA2:g})", fontsize=11)
    ax.grid(True, which="both", alpha=0.3)
    figures.legend_below(ax)
    save(fig, f"{outdir}/savarese-regret-vs-bound.png")
    out = [FigureFile("savarese-regret-vs-bound.png",
                      "R_t/√t: AdaBound with Savarese's bound functions follows Adam exactly up to K and crosses the "
                      "Theorem 4 bound (evaluated on the run) well before K; the corrected bound, whose M grows with K, "
                      "stays above.")]
    fig = figures.curves([adam, ada], "expected_gap", labels=["Adam", "AdaBound, Savarese's bounds"],
                         hlines=[(DELTA, f"δ = {DELTA:g}")], title="Savarese's counterexample: expected gap")
    fig.axes[0].axvline(K, color="tab:orange", lw=1.2)
    save(fig, f"{outdir}/savarese-expected-gap.png")
    out.append(FigureFile("savarese-expected-gap.png",
                          "Expected suboptimality E f(x_t) − f(x*) (mean of seeds, min–max band, left off where a "
                          "seed's gap is 0); the orange line is "
                          "K, after which the band closes at α/C and AdaBound turns into SGD."))
    return out


def counterexample(C=3.0, delta=0.5, beta2=0.1, lr=0.1, K: int = 20_000, seeds=(0, 1, 2, 3), *, engine: str = "auto",
                   progress=None) -> StudyResult:
    """AdaBound with Savarese's bounds and Adam on the stochastic problem for T = K steps (one
    batched run over seeds).  predicted = Theorem 4's bound at T = K (evaluated on the run from the
    problem's D∞, G∞), measured = the realised R_K per seed.  The contradiction is reproduced when
    R_K > bound for every seed and Savarese's corrected bound (with ``proofs.savarese.corrected_M``)
    holds at every checkpoint: two claims."""
    from proofs import savarese

    started = time.perf_counter()
    seeds = np.asarray(seeds, dtype=np.int64)
    lo, up = savarese.bound_functions(lr, C, beta2, K)
    problem = problems.problem("reddi-stochastic", C=C, delta=delta, seed=seeds)
    kernels = {"adabound": optimizer("adabound", beta1=0.0, beta2=beta2, lr=lr, lower=lo, upper=up,
                                     convention="theory"),
               "adam": optimizer("adam", beta1=0.0, beta2=beta2, lr=lr, convention="theory")}
    res = runs.lineup(problem, kernels, int(K), engine=engine, progress=progress)
    ada, adam = res["adabound"], res["adam"]
    thm4 = run_bounds.adabound_theorem4(ada, problem, lower=lo, upper=up)
    M = float(savarese.corrected_M(lr, C, beta2, K))
    corr = run_bounds.savarese(ada, problem, M=M, lower=lo, upper=up)
    measured = ada.regret
    contradiction = bool(np.all(measured[-1] > thm4[-1]))
    corrected_ok = bool(np.all(measured <= corr))
    claims = [
        Claim(f"R_K exceeds Theorem 4's bound at K = {int(K)}, every seed", thm4[-1], measured[-1], contradiction,
              "measured > predicted in every seed", "proofs.bounds.adabound_theorem4, regret.studies.run_bounds"),
        Claim("R_t stays within Savarese's corrected bound at every checkpoint", corr, measured, corrected_ok,
              "measured ≤ bound everywhere", "proofs.savarese.corrected_M, regret.studies.run_bounds.savarese"),
    ]
    return StudyResult(
        key=f"{KEY}-counterexample", title="Savarese's counterexample at one K", reference=REFERENCE,
        statement="AdaBound with Savarese's bound functions and Adam on the same sample paths up to K.",
        settings={"problem": problem.describe(), "K": int(K), "C": C, "delta": delta, "beta2": beta2, "lr": lr},
        claims=claims,
        numbers={"predicted": thm4[-1], "measured": measured[-1], "K": int(K), "corrected_M": M,
                 "corrected_respected": corrected_ok, "t": ada.t, "expected_regret": ada.expected_regret[-1],
                 "max_abs_x_diff_vs_adam": float(np.max(np.abs(ada.x - adam.x))),
                 "first_t_exceeding": [int(ada.t[np.argmax(measured[:, b] > thm4[:, b])])
                                       if np.any(measured[:, b] > thm4[:, b]) else None for b in range(ada.batch)]},
        results=res, data={"theorem4_bound": thm4, "corrected_bound": corr},
        seconds=time.perf_counter() - started)
