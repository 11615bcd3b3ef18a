"""RAdam, rectified Adam (Liu, Jiang, He, Chen, Liu, Gao & Han, ICLR 2020).

    g'_t = g_t + λ·x_t   (coupled ``weight_decay``; ``decoupled=True``: x_t ← x_t − α_t·λ·x_t instead,
                          on the steps that update x: not on the steps ``fallback="skip"`` skips)
    m_t = β1t·m_{t−1} + (1 − β1t)·g'_t,   v_t = β2·v_{t−1} + (1 − β2)·g'_t²
    ρ∞ = 2/(1 − β2) − 1,   ρ_t = ρ∞ − 2t·β2^t/(1 − β2^t)
    if ρ_t > threshold:  r_t = √[(ρ_t − 4)(ρ_t − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρ_t)]
                         η_t = α_t·r_t·√(1 − β2^t)/(1 − β1^t) / (√v_t + ε)
    else:                η_t = α_t/(1 − β1^t)  (fallback "sgd": momentum SGD on m̂)   or 0 ("skip")
    x_{t+1} = Π_F(x_t − η_t·m_t)

The rule computes ρ_t, the threshold test, r_t and the corrections from t (a time-only
coefficient) and the running powers β1^t, β2^t kept in the state (``base.with_powers``): a few
flops per step instead of (n, B) arrays per chunk.  It selects the branch arithmetically (the
unused branch's step is exactly 0, and r_t is 0 where ρ_t ≤ threshold).

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

from .. import validate, schedules
from .base import (CONVENTIONS, batch_of, ema, hyper, jitable,
                   Kernel, coupled_decay, nonzero, power_step, rows, swept, with_powers)

FALLBACKS = ("sgd", "skip")


@jitable
def radam_rule(x, g, m, v, p1, p2, beta1_t, lr_t, t_f, decay_t, beta1, beta2, wd, eps, threshold, rho_inf,
               use_sgd):
    return radam_nodecay_rule(x, g + wd * x, m, v, p1, p2, beta1_t, lr_t, t_f, decay_t, beta1, beta2, wd, eps,
                              threshold, rho_inf, use_sgd)


@jitable
def radam_nodecay_rule(x, g, m, v, p1, p2, beta1_t, lr_t, t_f, decay_t, beta1, beta2, wd, eps, threshold,
                       rho_inf, use_sgd):
    # weight_decay is 0 in every configuration (``base.coupled_decay``): g is not coupled to x
    p1 = power_step(p1, beta1)
    p2 = power_step(p2, beta2)
    m = ema(m, g, beta1_t)
    v = ema(v, g * g, beta2)
    # ρ_t, the test ρ_t > threshold and r_t from the running power p2 = β2^t (``rectification``'s
    # formulas, operation for operation); r_t is taken only where the test holds (np.fmax turns the
    # 0·NaN or 0·inf of the other branch into 0)
    rho_t = rho_inf - 2.0 * t_f * p2 / (1.0 - p2)
    flag = 1.0 * (rho_t > threshold)
    r2 = (rho_t - 4.0) * (rho_t - 2.0) * rho_inf / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t)
    r = np.sqrt(np.fmax(r2 * flag, 0.0))
    bc1 = 1.0 - p1
    step = lr_t * r * np.sqrt(1.0 - p2) / bc1
    sgd = lr_t * (1.0 - flag) * use_sgd / bc1
    # one of step (adaptive branch) and sgd (fallback branch) is exactly 0
    eta = step / nonzero(np.sqrt(v) + eps) + sgd
    # the decoupled decay only on steps that move x: a step ``fallback="skip"`` skips skips it too
    moves = flag + (1.0 - flag) * use_sgd
    return x - moves * decay_t * x - eta * m, eta, m, v, p1, p2


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
    validate.choice("convention", convention, CONVENTIONS)
    conv = CONVENTIONS[convention]
    lr_a = hyper("lr", lr, 0, lo_open=True)
    b1 = hyper("beta1", beta1, 0, 1, hi_open=True)
    b2 = hyper("beta2", beta2, 0, 1, hi_open=True)
    e = hyper("eps", conv["eps"] if eps is None else eps, 0)
    thr = hyper("threshold", (4.0 if convention == "theory" else 5.0) if threshold is None else threshold, 4)
    wd = hyper("weight_decay", weight_decay, 0)
    validate.choice("fallback", fallback, FALLBACKS)
    if not isinstance(decoupled, (bool, np.bool_)):
        raise TypeError(f"decoupled={decoupled!r} must be true or false")
    b1_sched, b1_label = schedules.beta1_schedule(beta1_schedule, lam)
    lam_a = None if lam is None else hyper("lam", lam, 0, 1, lo_open=True)
    B = batch_of(lr=lr_a, beta1=b1, beta2=b2, eps=e, threshold=thr, weight_decay=wd, **swept(lam=lam_a))
    sched, label = schedules.lr_schedule(conv["schedule"] if schedule is None else schedule)
    use_sgd = 1.0 if fallback == "sgd" else 0.0

    rho_inf = 2.0 / (1.0 - b2) - 1.0

    def coeff_fn(t):
        n = len(t)
        lr_t = schedules.lr_values(lr_a, sched, t, B)
        b1t = rows(b1, n) if b1_sched is None else schedules.beta1_values(b1_sched, b1, t, B)
        if not decoupled:
            decay = np.zeros((n, 1))
        elif sched is schedules.constant:  # lr·1·λ = lr·λ: a time-constant view
            decay = rows(lr_a * wd, n)
        else:
            decay = lr_t * wd[None, :]
        tf = t.astype(np.float64)[:, None]
        return tuple(np.broadcast_to(c, (n, c.shape[1])) for c in (b1t, lr_t, tf, decay))

    hparams = {"lr": lr_a, "beta1": b1, "beta2": b2, "eps": e, "threshold": thr, "fallback": fallback,
               "weight_decay": wd, "decoupled": bool(decoupled), "schedule": label}
    if b1_label != "constant":
        hparams["beta1_schedule"] = b1_label
    if lam_a is not None:
        hparams["lam"] = lam_a
    return Kernel(name="radam", rule=radam_rule if coupled_decay(wd, decoupled) else radam_nodecay_rule, state_names=("m", "v", "beta1_pow", "beta2_pow"),
                  coeff_names=("beta1_t", "lr_t", "t", "decay_t"), coeff_fn=coeff_fn,
                  param_names=("beta1", "beta2", "weight_decay", "eps", "threshold", "rho_inf", "use_sgd"),
                  params=(b1, b2, np.zeros_like(wd) if decoupled else wd, e, thr, rho_inf,
                          np.array([use_sgd])),
                  hparams=hparams, convention=convention, batch=B, doc=radam.__doc__,
                  init_state=with_powers(2, 2, corrected=True))
