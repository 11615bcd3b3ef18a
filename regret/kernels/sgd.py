"""Projected (online) gradient descent, with heavy-ball or Nesterov momentum.

    plain      x_{t+1} = Π_F(x_t − α_t·g_t),   α_t = lr·s(t)
    momentum   b_t = μ·b_{t−1} + τ_t·g'_t,   τ_1 = 1, τ_t = 1 − dampening (t > 1)
               (``dampen_first=True``: τ_1 = 1 − dampening too, so momentum = dampening = β1 is the
               EMA m_t = β1·m_{t−1} + (1 − β1)·g_t of the Adam family, the form in which AdaBound
               with η_l = η_u = α is SGD with momentum; Luo et al. 2019)
               d_t = b_t  (heavy ball, Polyak)   or   g'_t + μ·b_t  (Nesterov, Sutskever et al. 2013)
               x_{t+1} = Π_F(x_t − α_t·d_t),   g'_t = g_t + λ·x_t (coupled ``weight_decay``)

``convention="theory"``: s(t) = 1/√t (Zinkevich 2003; with lr = D/G, R_T ≤ (3/2)·D·G·√T);
``"practical"``: constant lr (torch.optim.SGD, whose momentum buffer and dampening this follows:
the buffer starts as g_1 itself, so the first step is undamped).  The effective learning rate η_t
is α_t for every coordinate; with momentum the step is α_t·d_t, not α_t·g_t.  torch.optim.SGD
refuses Nesterov with μ = 0 or dampening ≠ 0; so does this kernel.
"""
from __future__ import annotations

import numpy as np

from .. import schedules
from .base import Kernel, batch_of, coupled_decay, hyper, jitable, resolve_convention


# α_t = lr·s_t is formed in the rule (lr a parameter, s_t the schedule's time-only multiplier,
# ``schedules.multiplier``): an lr sweep then costs no (n, B_k) coefficient array per chunk.

@jitable
def sgd_rule(x, g, s_t, lr):
    lr_t = lr * s_t
    return x - lr_t * g, lr_t


@jitable
def momentum_rule(x, g, buf, s_t, damp_t, lr, mu, nesterov, wd):
    return momentum_nodecay_rule(x, g + wd * x, buf, s_t, damp_t, lr, mu, nesterov, wd)


@jitable
def momentum_nodecay_rule(x, g, buf, s_t, damp_t, lr, mu, nesterov, wd):
    # weight_decay is 0 in every configuration (``base.coupled_decay``): g is not coupled to x
    lr_t = lr * s_t
    buf = mu * buf + damp_t * g
    # nesterov is a 0/1 flag: one of the two terms is exactly zero
    d = nesterov * (g + mu * buf) + (1.0 - nesterov) * buf
    return x - lr_t * d, lr_t, buf


def sgd(lr=0.01, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0, dampen_first=False, schedule=None,
        convention="practical") -> Kernel:
    """Projected SGD, optionally with momentum; see the module docstring."""
    opts = resolve_convention(convention, schedule=schedule)
    lr_a = hyper("lr", lr, 0, lo_open=True)
    mu = hyper("momentum", momentum, 0, 1, hi_open=True)
    damp = hyper("dampening", dampening, 0, 1)
    wd = hyper("weight_decay", weight_decay, 0)
    for key, flag in (("nesterov", nesterov), ("dampen_first", dampen_first)):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{key}={flag!r} must be true or false")
    if nesterov and (np.any(mu <= 0) or np.any(damp != 0)):
        raise ValueError(f"nesterov=True needs momentum > 0 and dampening = 0, got momentum={mu.tolist()}, "
                         f"dampening={damp.tolist()}")
    sched, label = schedules.lr_schedule(opts["schedule"])
    B = batch_of(lr=lr_a, momentum=mu, dampening=damp, weight_decay=wd)

    def lr_coeff(t):
        return schedules.multiplier(sched, t, B)

    hparams = {"lr": lr_a, "schedule": label}
    plain = not nesterov and not np.any(mu != 0) and not np.any(wd != 0)
    # with μ = 0 there is no buffer, so dampening has no effect (as in torch.optim.SGD)
    damp_eff = np.where(mu == 0, 0.0, damp)
    if plain:
        return Kernel(name="sgd", rule=sgd_rule, state_names=(), coeff_names=("s_t",),
                      coeff_fn=lambda t: (lr_coeff(t),), param_names=("lr",), params=(lr_a,), hparams=hparams,
                      convention=convention, batch=B, doc=sgd.__doc__)

    def coeff_fn(t):
        first = 1.0 - damp_eff[None, :] if dampen_first else 1.0
        damp_t = np.where((t == 1)[:, None], first, 1.0 - damp_eff[None, :])
        return lr_coeff(t), np.broadcast_to(damp_t, (len(t), damp_eff.shape[0]))

    hparams.update(momentum=mu, dampening=damp, nesterov=bool(nesterov), weight_decay=wd)
    if dampen_first:
        hparams["dampen_first"] = True
    return Kernel(name="sgd", rule=momentum_rule if coupled_decay(wd) else momentum_nodecay_rule, state_names=("buf",), coeff_names=("s_t", "damp_t"),
                  coeff_fn=coeff_fn, param_names=("lr", "momentum", "nesterov", "weight_decay"),
                  params=(lr_a, mu, np.array([float(nesterov)]), wd), hparams=hparams, convention=convention,
                  batch=B, doc=sgd.__doc__)
