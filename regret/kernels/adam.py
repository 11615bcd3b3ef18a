"""Adam (Kingma & Ba 2015) and AMSGrad (Reddi, Kale & Kumar 2018).

Update rule, both conventions (all operations per coordinate):

    m_t = β1t·m_{t−1} + (1 − β1t)·g_t
    v_t = β2·v_{t−1} + (1 − β2)·g_t²                 AMSGrad: v̂_t = max(v̂_{t−1}, v_t)
    η_t = α_t·√(1 − β2^t)/(1 − β1^t) / (√v_t + ε·√(1 − β2^t))      (v̂_t for AMSGrad)
    x_{t+1} = Π_F(x_t − η_t·m_t)

which is torch.optim.Adam's m̂/(√v̂ + ε) with the corrections moved into the time-only
coefficients (the same numbers to rounding).  ``convention="theory"`` (Reddi et al. Alg. 1–2)
is α_t = α/√t, no bias correction (both factors 1), ε = 0; ``"practical"`` is constant α,
bias correction and ε = 1e-8.  Each option can be set on its own.  AMSGrad takes the max of the
raw v (as torch does), then corrects.  A coordinate with v = 0 and ε = 0 has seen only zero
gradients; its step is defined as 0 (the 0/0 of the formula).
"""
from __future__ import annotations

import numpy as np

from .. import schedules
from .base import Kernel, batch_of, ema, hyper, jitable, nonzero, resolve_convention, rows


@jitable
def adam_rule(x, g, m, v, beta1_t, step_t, eps_t, beta2):
    m = ema(m, g, beta1_t)
    v = ema(v, g * g, beta2)
    eta = step_t / nonzero(np.sqrt(v) + eps_t)
    return x - eta * m, eta, m, v


@jitable
def amsgrad_rule(x, g, m, v, vmax, beta1_t, step_t, eps_t, beta2):
    m = ema(m, g, beta1_t)
    v = ema(v, g * g, beta2)
    vmax = np.maximum(vmax, v)
    eta = step_t / nonzero(np.sqrt(vmax) + eps_t)
    return x - eta * m, eta, m, v, vmax


def _powers(beta: np.ndarray, tf: np.ndarray) -> np.ndarray:
    """β^t as an (n, B_k) array, one column per configuration.

    Computed column by column on purpose: numpy's vectorised (SIMD) pow and its scalar loop can
    differ in the last bit, and which one runs depends on the array layout, i.e. on the batch
    size; a configuration's numbers must not depend on what else is in the batch.
    """
    return np.stack([np.power(float(b), tf) for b in beta], axis=1)


def moment_coeffs(lr, beta1, beta2, eps, schedule, bias_correction, batch, eps_corrected=True):
    """coeff_fn(t) -> (β1t, α_t·√(1−β2^t)/(1−β1^t), ε_t) shared by the Adam family.

    ε_t = ε·√(1−β2^t) puts ε after the corrected square root (torch); ``eps_corrected=False``
    puts it on the raw √v_t (the AdaBound release), i.e. ε_t = ε.
    """
    sched, _ = schedules.lr_schedule(schedule)

    def coeff_fn(t):
        n = len(t)
        s = schedules.evaluate("schedule", sched, t, batch)
        lr_t = lr[None, :] * s
        if bias_correction:
            tf = t.astype(np.float64)
            bc1 = 1.0 - _powers(beta1, tf)
            sq_bc2 = np.sqrt(1.0 - _powers(beta2, tf))
            step = lr_t * sq_bc2 / bc1
            eps_t = eps[None, :] * sq_bc2 if eps_corrected else rows(eps, n)
        else:
            step = lr_t
            eps_t = rows(eps, n)
        return rows(beta1, n), step, np.broadcast_to(eps_t, (n, eps_t.shape[1]))

    return coeff_fn


def _adam_like(name, rule, state_names, doc, lr, beta1, beta2, eps, bias_correction, schedule, convention):
    opts = resolve_convention(convention, schedule=schedule, bias_correction=bias_correction, eps=eps)
    lr_a = hyper("lr", lr, 0, lo_open=True)
    b1 = hyper("beta1", beta1, 0, 1, hi_open=True)
    b2 = hyper("beta2", beta2, 0, 1, hi_open=True)
    e = hyper("eps", opts["eps"], 0)
    B = batch_of(lr=lr_a, beta1=b1, beta2=b2, eps=e)
    _, sched_label = schedules.lr_schedule(opts["schedule"])
    return Kernel(
        name=name, rule=rule, state_names=state_names,
        coeff_names=("beta1_t", "step_t", "eps_t"),
        coeff_fn=moment_coeffs(lr_a, b1, b2, e, opts["schedule"], opts["bias_correction"], B),
        param_names=("beta2",), params=(b2,),
        hparams={"lr": lr_a, "beta1": b1, "beta2": b2, "eps": e,
                 "bias_correction": bool(opts["bias_correction"]), "schedule": sched_label},
        convention=convention, batch=B, doc=doc)


def adam(lr=1e-3, beta1=0.9, beta2=0.999, eps=None, bias_correction=None, schedule=None,
         convention="practical") -> Kernel:
    """Adam; see the module docstring for the rule and the two conventions."""
    return _adam_like("adam", adam_rule, ("m", "v"), adam.__doc__, lr, beta1, beta2, eps,
                      bias_correction, schedule, convention)


def amsgrad(lr=1e-3, beta1=0.9, beta2=0.999, eps=None, bias_correction=None, schedule=None,
            convention="practical") -> Kernel:
    """AMSGrad (Reddi et al. 2018, Alg. 2): Adam with v̂_t = max(v̂_{t−1}, v_t) in the denominator."""
    return _adam_like("amsgrad", amsgrad_rule, ("m", "v", "vmax"), amsgrad.__doc__, lr, beta1, beta2,
                      eps, bias_correction, schedule, convention)
