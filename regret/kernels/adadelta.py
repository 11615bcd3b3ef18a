"""AdaDelta (Zeiler 2012), as torch.optim.Adadelta.

    g'_t = g_t + λ·x_t                              (coupled ``weight_decay``)
    v_t = ρ·v_{t−1} + (1 − ρ)·g'_t²
    r_t = √(u_{t−1} + ε) / √(v_t + ε)               (RMS[Δx]_{t−1} / RMS[g]_t)
    Δ_t = r_t·g'_t,   u_t = ρ·u_{t−1} + (1 − ρ)·Δ_t²
    x_{t+1} = Π_F(x_t − α_t·Δ_t),   η_t = α_t·r_t

Zeiler's method has no learning rate (α = 1, torch's default lr=1.0).  There is no analysis in
the theory convention of Reddi et al.; ``convention="theory"`` only switches the schedule to
s(t) = 1/√t.  ε must be positive in both (with ε = 0 the first step is 0/0 and no step ever
moves).  No by-design difference from torch.optim.Adadelta.
"""
from __future__ import annotations

import numpy as np

from .. import validate, schedules
from .base import CONVENTIONS, Kernel, batch_of, coupled_decay, ema, hyper, jitable


@jitable
def adadelta_rule(x, g, v, u, s_t, lr, rho, eps, wd):
    return adadelta_nodecay_rule(x, g + wd * x, v, u, s_t, lr, rho, eps, wd)


@jitable
def adadelta_nodecay_rule(x, g, v, u, s_t, lr, rho, eps, wd):
    # α_t = lr·s_t formed here (see ``schedules.multiplier``): an lr sweep is no per-chunk array
    # weight_decay is 0 in every configuration (``base.coupled_decay``): g is not coupled to x
    lr_t = lr * s_t
    v = ema(v, g * g, rho)
    r = np.sqrt(u + eps) / np.sqrt(v + eps)
    delta = r * g
    u = ema(u, delta * delta, rho)
    return x - lr_t * delta, lr_t * r, v, u


def adadelta(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, schedule=None, convention="practical") -> Kernel:
    """AdaDelta; see the module docstring."""
    validate.choice("convention", convention, CONVENTIONS)
    lr_a = hyper("lr", lr, 0, lo_open=True)
    rho_a = hyper("rho", rho, 0, 1, hi_open=True)
    e = hyper("eps", eps, 0, lo_open=True)
    wd = hyper("weight_decay", weight_decay, 0)
    B = batch_of(lr=lr_a, rho=rho_a, eps=e, weight_decay=wd)
    if schedule is None:
        schedule = CONVENTIONS[convention]["schedule"]
    sched, label = schedules.lr_schedule(schedule)

    def coeff_fn(t):
        return (schedules.multiplier(sched, t, B),)

    return Kernel(name="adadelta", rule=adadelta_rule if coupled_decay(wd) else adadelta_nodecay_rule, state_names=("v", "u"), coeff_names=("s_t",),
                  coeff_fn=coeff_fn, param_names=("lr", "rho", "eps", "weight_decay"), params=(lr_a, rho_a, e, wd),
                  hparams={"lr": lr_a, "rho": rho_a, "eps": e, "weight_decay": wd, "schedule": label},
                  convention=convention, batch=B, doc=adadelta.__doc__)
