"""Projected (online) gradient descent.

    x_{t+1} = Π_F(x_t − α_t·g_t),   α_t = lr·s(t)

``convention="theory"``: s(t) = 1/√t (Zinkevich 2003; with lr = D/G, R_T ≤ (3/2)·D·G·√T);
``"practical"``: constant lr (torch.optim.SGD without momentum).
"""
from __future__ import annotations

from .. import schedules
from .base import Kernel, hyper, jitable, resolve_convention


@jitable
def sgd_rule(x, g, lr_t):
    return x - lr_t * g, lr_t


def sgd(lr=0.01, schedule=None, convention="practical") -> Kernel:
    """Projected SGD; see the module docstring."""
    opts = resolve_convention(convention, schedule=schedule)
    lr_a = hyper("lr", lr, 0, lo_open=True)
    sched, label = schedules.lr_schedule(opts["schedule"])
    B = lr_a.shape[0]

    def coeff_fn(t):
        return (lr_a[None, :] * schedules.evaluate("schedule", sched, t, B),)

    return Kernel(name="sgd", rule=sgd_rule, state_names=(), coeff_names=("lr_t",), coeff_fn=coeff_fn,
                  param_names=(), params=(), hparams={"lr": lr_a, "schedule": label},
                  convention=convention, batch=B, doc=sgd.__doc__)
