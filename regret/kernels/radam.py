"""RAdam, rectified Adam (Liu, Jiang, He, Chen, Liu, Gao & Han, ICLR 2020).

    g'_t = g_t + λ·x_t   (coupled ``weight_decay``; ``decoupled=True``: x_t ← x_t − α_t·λ·x_t instead,
                          on the steps that update x: not on the steps ``fallback="skip"`` skips)
    m_t = β1t·m_{t−1} + (1 − β1t)·g'_t,   v_t = β2·v_{t−1} + (1 − β2)·g'_t²
    ρ∞ = 2/(1 − β2) − 1,   ρ_t = ρ∞ − 2t·β2^t/(1 − β2^t)
    if ρ_t > threshold:  r_t = √[(ρ_t − 4)(ρ_t − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρ_t)]
                         η_t = α_t·r_t·√(1 − β2^t)/(1 − β1^t) / (√v_t + ε)
    else:                η_t = α_t/(1 − β1^t)  (fallback "sgd": momentum SGD on m̂)   or 0 ("skip")
    x_{t+1} = Π_F(x_t − η_t·m_t)

Everything that depends on t alone (ρ_t, r_t, the threshold test, the corrections) is a
time-only coefficient; the rule selects the branch arithmetically (the unused branch's
coefficient is exactly 0, and r_t is set to 0, not evaluated, where ρ_t ≤ threshold).

By-design differences and options:

* ``threshold``: the paper's Algorithm 2 tests ρ_t > 4; the authors' release
  (LiyuanLucasLiu/RAdam) and pytorch_optimizer test ρ_t ≥ 5, torch.optim.RAdam and Ranger's
  release ρ_t > 5.  regret tests ρ_t > threshold (torch's form; the two differ only when ρ_t
  is exactly 5).  Practical default 5, theory default 4 (the paper).  Values below 4 are
  refused (r_t is not real there).
* ``fallback``: "sgd" (paper, torch, the release's ``degenerated_to_sgd=True``: the un-adapted
  momentum step) or "skip" (no update while ρ_t ≤ threshold, the release's
  ``degenerated_to_sgd=False``): a skipped step moves nothing, so the decoupled decay is skipped
  too, as in the release and pytorch_optimizer (the moments still take the gradient).
* ε is added to the *raw* √v_t, then multiplied by √(1 − β2^t) (torch.optim.RAdam's
  ``_compute_adaptive_lr``), unlike torch.optim.Adam, which adds ε after correcting.
* ``convention="theory"`` is α_t = α/√t, ε = 0, threshold 4; bias corrections stay (they are
  part of the rectification).  ``"practical"`` is torch.optim.RAdam's defaults.
"""
from __future__ import annotations

import numpy as np

from .. import checks, schedules
from .base import CONVENTIONS, Kernel, batch_of, ema, hyper, jitable, nonzero, rows, swept

FALLBACKS = ("sgd", "skip")


@jitable
def radam_rule(x, g, m, v, beta1_t, step_t, sgd_t, eps_t, decay_t, beta2, wd):
    g = g + wd * x
    m = ema(m, g, beta1_t)
    v = ema(v, g * g, beta2)
    # one of step_t (adaptive branch) and sgd_t (fallback branch) is exactly 0
    eta = step_t / nonzero(np.sqrt(v) + eps_t) + sgd_t
    return x - decay_t * x - eta * m, eta, m, v


def rectification(beta2: np.ndarray, t: np.ndarray, threshold: np.ndarray):
    """(ρ_t, r_t, adaptive flag) as (n, B_k) arrays; r_t = 0 where the flag is 0."""
    tf = t.astype(np.float64)[:, None]
    b2t = schedules.column_powers(beta2, t.astype(np.float64))
    rho_inf = 2.0 / (1.0 - beta2[None, :]) - 1.0
    rho_t = rho_inf - 2.0 * tf * b2t / (1.0 - b2t)
    flag = rho_t > threshold[None, :]
    # where the flag is 0 (in particular whenever ρ∞ ≤ 4) r_t is never used: its NaN/inf is discarded
    with np.errstate(all="ignore"):
        r = np.sqrt((rho_t - 4.0) * (rho_t - 2.0) * rho_inf / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t))
    return rho_t, np.where(flag, r, 0.0), flag.astype(np.float64)


def radam(lr=1e-3, beta1=0.9, beta2=0.999, eps=None, threshold=None, fallback="sgd", weight_decay=0.0,
          decoupled=False, schedule=None, beta1_schedule=None, lam=None, convention="practical") -> Kernel:
    """RAdam; see the module docstring."""
    checks.choice("convention", convention, CONVENTIONS)
    conv = CONVENTIONS[convention]
    lr_a = hyper("lr", lr, 0, lo_open=True)
    b1 = hyper("beta1", beta1, 0, 1, hi_open=True)
    b2 = hyper("beta2", beta2, 0, 1, hi_open=True)
    e = hyper("eps", conv["eps"] if eps is None else eps, 0)
    thr = hyper("threshold", (4.0 if convention == "theory" else 5.0) if threshold is None else threshold, 4)
    wd = hyper("weight_decay", weight_decay, 0)
    checks.choice("fallback", fallback, FALLBACKS)
    if not isinstance(decoupled, (bool, np.bool_)):
        raise TypeError(f"decoupled={decoupled!r} must be true or false")
    b1_sched, b1_label = schedules.beta1_schedule(beta1_schedule, lam)
    lam_a = None if lam is None else hyper("lam", lam, 0, 1, lo_open=True)
    B = batch_of(lr=lr_a, beta1=b1, beta2=b2, eps=e, threshold=thr, weight_decay=wd, **swept(lam=lam_a))
    sched, label = schedules.lr_schedule(conv["schedule"] if schedule is None else schedule)
    use_sgd = 1.0 if fallback == "sgd" else 0.0

    def coeff_fn(t):
        n = len(t)
        tf = t.astype(np.float64)
        lr_t = lr_a[None, :] * schedules.evaluate("schedule", sched, t, B)
        bc1 = 1.0 - schedules.column_powers(b1, tf)
        sq_bc2 = np.sqrt(1.0 - schedules.column_powers(b2, tf))
        _, r, flag = rectification(b2, t, thr)
        step = lr_t * r * sq_bc2 / bc1
        sgd_t = lr_t * (1.0 - flag) * use_sgd / bc1
        eps_t = rows(e, n)
        b1t = rows(b1, n) if b1_sched is None else schedules.beta1_values(b1_sched, b1, t, B)
        # decoupled decay only on steps that update x (a skipped step skips its decay too)
        moves = flag + (1.0 - flag) * use_sgd
        decay = lr_t * wd[None, :] * moves if decoupled else np.zeros((n, 1))
        return tuple(np.broadcast_to(c, (n, c.shape[1])) for c in (b1t, step, sgd_t, eps_t, decay))

    hparams = {"lr": lr_a, "beta1": b1, "beta2": b2, "eps": e, "threshold": thr, "fallback": fallback,
               "weight_decay": wd, "decoupled": bool(decoupled), "schedule": label}
    if b1_label != "constant":
        hparams["beta1_schedule"] = b1_label
    if lam_a is not None:
        hparams["lam"] = lam_a
    return Kernel(name="radam", rule=radam_rule, state_names=("m", "v"),
                  coeff_names=("beta1_t", "step_t", "sgd_t", "eps_t", "decay_t"), coeff_fn=coeff_fn,
                  param_names=("beta2", "weight_decay"), params=(b2, np.zeros_like(wd) if decoupled else wd),
                  hparams=hparams, convention=convention, batch=B, doc=radam.__doc__)
