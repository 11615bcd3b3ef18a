"""AdaGrad, diagonal (Duchi, Hazan & Singer 2011; McMahan & Streeter 2010).

    g'_t = g_t + λ·x_t                          (coupled ``weight_decay``, torch.optim.Adagrad)
    G_t = G_{t−1} + g'_t²,   G_0 = initial_accumulator_value
    η_t = α_t / (√G_t + ε),   α_t = lr·s(t)/(1 + (t − 1)·lr_decay)
    x_{t+1} = Π_{F, diag(1/η_t)}(x_t − η_t·g'_t)

In the generic-method notation of Reddi et al. (2018, Table/Alg. 1) AdaGrad is α/√t with
V_t = diag(Σ g²)/t, i.e. exactly α/√G_t: the 1/√t is already in the accumulator, so *both*
conventions use a constant s(t) = 1 by default.  ``convention="theory"`` is ε = 0 (the paper;
a coordinate that has only seen zero gradients does not move), ``"practical"`` is
torch.optim.Adagrad: ε = 1e-10 after the square root, ``lr_decay``.  No by-design difference from
torch.optim.Adagrad in the practical convention.
"""
from __future__ import annotations

import numpy as np

from .. import validate, schedules
from .base import CONVENTIONS, Kernel, batch_of, coupled_decay, hyper, jitable, nonzero


@jitable
def adagrad_rule(x, g, acc, s_t, lr, eps, wd):
    return adagrad_nodecay_rule(x, g + wd * x, acc, s_t, lr, eps, wd)


@jitable
def adagrad_nodecay_rule(x, g, acc, s_t, lr, eps, wd):
    # α_t = lr·s_t formed here (see ``schedules.multiplier``): an lr sweep is no per-chunk array.
    # With an lr_decay, s_t carries the whole α_t (an (n, B_k) array) and lr is 1: 1·α_t = α_t.
    # weight_decay is 0 in every configuration (``base.coupled_decay``): g is not coupled to x
    acc = acc + g * g
    eta = (lr * s_t) / nonzero(np.sqrt(acc) + eps)
    return x - eta * g, eta, acc


def adagrad(lr=0.01, eps=None, lr_decay=0.0, initial_accumulator_value=0.0, weight_decay=0.0, schedule="constant",
            convention="practical") -> Kernel:
    """AdaGrad; see the module docstring."""
    validate.choice("convention", convention, CONVENTIONS)
    if eps is None:
        eps = 0.0 if convention == "theory" else 1e-10
    lr_a = hyper("lr", lr, 0, lo_open=True)
    e = hyper("eps", eps, 0)
    decay = hyper("lr_decay", lr_decay, 0)
    acc0 = hyper("initial_accumulator_value", initial_accumulator_value, 0)
    wd = hyper("weight_decay", weight_decay, 0)
    B = batch_of(lr=lr_a, eps=e, lr_decay=decay, initial_accumulator_value=acc0, weight_decay=wd)
    sched, label = schedules.lr_schedule(schedule)

    decays = bool(np.any(decay != 0))

    def coeff_fn(t):
        if not decays:  # lr·s/(1 + (t − 1)·0) = lr·s: the multiplier alone, lr a parameter
            return (schedules.multiplier(sched, t, B),)
        s = schedules.evaluate("schedule", sched, t, B)
        return (lr_a[None, :] * s / (1.0 + (t.astype(np.float64)[:, None] - 1.0) * decay[None, :]),)

    def init_state(x0):
        return (np.array(np.broadcast_to(acc0[:, None], x0.shape), dtype=np.float64),)

    return Kernel(name="adagrad", rule=adagrad_rule if coupled_decay(wd) else adagrad_nodecay_rule, state_names=("acc",), coeff_names=("s_t",),
                  coeff_fn=coeff_fn, param_names=("lr", "eps", "weight_decay"),
                  params=(np.ones_like(lr_a) if decays else lr_a, e, wd),
                  hparams={"lr": lr_a, "eps": e, "lr_decay": decay, "initial_accumulator_value": acc0,
                           "weight_decay": wd, "schedule": label},
                  convention=convention, batch=B, init_state=init_state, doc=adagrad.__doc__)
