"""RMSProp (Tieleman & Hinton 2012), with torch.optim.RMSprop's momentum and centered options.

    g'_t = g_t + λ·x_t                                     (coupled ``weight_decay``)
    v_t = β2·v_{t−1} + (1 − β2)·g'_t²,   ḡ_t = β2·ḡ_{t−1} + (1 − β2)·g'_t    (ḡ: centered only)
    D_t = √(v_t − ḡ_t²) (centered) or √v_t,   corrected: √(v_t/(1−β2^t))
    b_t = μ·b_{t−1} + g'_t/(D_t + ε)
    x_{t+1} = Π_F(x_t − α_t·b_t),   η_t = α_t/(D_t + ε)

β2 is torch's ``alpha`` (the smoothing constant; named β2 as in Reddi et al.'s table, where RMSProp
is the generic method with φ_t = g_t and ψ_t = EMA_β2 of g²).  ``convention="theory"``: α_t = α/√t,
no bias correction, ε = 0 (Reddi et al. 2018, Alg. 1 with that ψ); ``"practical"``:
torch.optim.RMSprop (constant lr, ε = 1e-8 after the root, no bias correction).
``bias_correction=True`` divides v by 1 − β2^t, which with μ = 0 makes this exactly Adam with
β1 = 0 (the identity the registry tests check); torch has no such option, and it is refused with
``centered=True`` (the corrected centered variance does not factor into time-only coefficients).
With μ > 0 the reported η_t is the current step's α_t/(D_t + ε), though the buffer mixes past ones.
"""
from __future__ import annotations

import numpy as np

from .. import schedules
from .base import Kernel, batch_of, coupled_decay, ema, hyper, jitable, nonzero, resolve_convention, rows


@jitable
def rmsprop_rule(x, g, v, gavg, buf, step_t, eps_t, beta2, mu, centered, wd):
    return rmsprop_nodecay_rule(x, g + wd * x, v, gavg, buf, step_t, eps_t, beta2, mu, centered, wd)


@jitable
def rmsprop_nodecay_rule(x, g, v, gavg, buf, step_t, eps_t, beta2, mu, centered, wd):
    # weight_decay is 0 in every configuration (``base.coupled_decay``): g is not coupled to x
    v = ema(v, g * g, beta2)
    gavg = ema(gavg, g, beta2)
    # centered is a 0/1 flag; the max guards the rounding of v − ḡ² ≥ 0 (Jensen)
    den = nonzero(np.sqrt(np.maximum(v - centered * (gavg * gavg), 0.0)) + eps_t)
    buf = mu * buf + g / den
    return x - step_t * buf, step_t / den, v, gavg, buf


def rmsprop(lr=0.01, beta2=0.99, eps=None, momentum=0.0, centered=False, weight_decay=0.0, bias_correction=None,
            schedule=None, convention="practical") -> Kernel:
    """RMSProp; see the module docstring."""
    opts = resolve_convention(convention, schedule=schedule, eps=eps,
                              bias_correction=False if bias_correction is None else bias_correction)
    lr_a = hyper("lr", lr, 0, lo_open=True)
    b2 = hyper("beta2", beta2, 0, 1, hi_open=True)
    e = hyper("eps", opts["eps"], 0)
    mu = hyper("momentum", momentum, 0, 1, hi_open=True)
    wd = hyper("weight_decay", weight_decay, 0)
    if not isinstance(centered, (bool, np.bool_)):
        raise TypeError(f"centered={centered!r} must be true or false")
    bc = bool(opts["bias_correction"])
    if centered and bc:
        raise ValueError("centered=True cannot be combined with bias_correction=True")
    B = batch_of(lr=lr_a, beta2=b2, eps=e, momentum=mu, weight_decay=wd)
    sched, label = schedules.lr_schedule(opts["schedule"])

    def coeff_fn(t):
        n = len(t)
        lr_t = lr_a[None, :] * schedules.evaluate("schedule", sched, t, B)
        if not bc:
            return np.broadcast_to(lr_t, (n, lr_t.shape[1])), rows(e, n)
        # √(v/c) + ε = (√v + ε√c)/√c, c = 1 − β2^t: the correction moves into the coefficients
        sq = np.sqrt(1.0 - schedules.column_powers(b2, t.astype(np.float64)))
        return lr_t * sq, np.broadcast_to(e[None, :] * sq, (n, B))

    return Kernel(name="rmsprop", rule=rmsprop_rule if coupled_decay(wd) else rmsprop_nodecay_rule, state_names=("v", "gavg", "buf"),
                  coeff_names=("step_t", "eps_t"), coeff_fn=coeff_fn,
                  param_names=("beta2", "momentum", "centered", "weight_decay"),
                  params=(b2, mu, np.array([float(centered)]), wd),
                  hparams={"lr": lr_a, "beta2": b2, "eps": e, "momentum": mu, "centered": bool(centered),
                           "weight_decay": wd, "bias_correction": bc, "schedule": label},
                  convention=convention, batch=B, doc=rmsprop.__doc__)
