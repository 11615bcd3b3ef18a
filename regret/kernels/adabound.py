"""AdaBound and AMSBound (Luo, Xiong, Liu & Sun, ICLR 2019).

Update rule (per coordinate):

    m_t = β1t·m_{t−1} + (1 − β1t)·g_t
    v_t = β2·v_{t−1} + (1 − β2)·g_t²                 AMSBound: v̂_t = max(v̂_{t−1}, v_t)
    η_t = s(t)·Clip(α·c_t/(√v_t + ε), η_l(t), η_u(t)),   c_t = √(1 − β2^t)/(1 − β1^t) or 1
    x_{t+1} = Π_{F, diag(1/η_t)}(x_t − η_t·m_t)

``convention="theory"`` is the paper's Algorithm 2: s(t) = 1/√t applied after the clip
(η_t = η̂_t/√t), no bias correction, ε = 0.  ``"practical"`` is the authors' release: s(t) = 1
unless a schedule is given (a schedule rescales lr and final_lr alike, as their code does via
lr/base_lr, which is the same as multiplying the clipped rate by s(t)), bias corrections and ε
inside the clipped quantity, ε on the raw √v_t.  AMSBound takes the max of the raw v.

Bound functions: by default the paper's η_l(t) = α*(1 − 1/(γt+1)), η_u(t) = α*(1 + 1/(γt)) with
α* = final_lr and γ = gamma (theory default γ = 1 − β2, the paper's example; practical default
γ = 10⁻³, the release's).  ``lower``/``upper`` accept any vectorised callables of t (for
instance a sympy expression lambdified by ``proofs``); η_l(t) ≤ η_u(t) is checked every chunk.
"""
from __future__ import annotations

import numpy as np

from .. import schedules
from .adam import moment_coeffs
from .base import Kernel, batch_of, clip, ema, hyper, jitable, resolve_convention


@jitable
def adabound_rule(x, g, m, v, beta1_t, step_t, lower_t, upper_t, beta2, eps):
    m = ema(m, g, beta1_t)
    v = ema(v, g * g, beta2)
    eta = clip(step_t / (np.sqrt(v) + eps), lower_t, upper_t)
    return x - eta * m, eta, m, v


@jitable
def amsbound_rule(x, g, m, v, vmax, beta1_t, step_t, lower_t, upper_t, beta2, eps):
    m = ema(m, g, beta1_t)
    v = ema(v, g * g, beta2)
    vmax = np.maximum(vmax, v)
    eta = clip(step_t / (np.sqrt(vmax) + eps), lower_t, upper_t)
    return x - eta * m, eta, m, v, vmax


def _bounded(name, rule, state_names, doc, lr, final_lr, gamma, beta1, beta2, eps, bias_correction,
             schedule, lower, upper, convention):
    opts = resolve_convention(convention, schedule=schedule, bias_correction=bias_correction, eps=eps)
    lr_a = hyper("lr", lr, 0, lo_open=True)
    b1 = hyper("beta1", beta1, 0, 1, hi_open=True)
    b2 = hyper("beta2", beta2, 0, 1, hi_open=True)
    e = hyper("eps", opts["eps"], 0)
    a_star = hyper("final_lr", final_lr, 0, lo_open=True)
    if gamma is None:
        gamma = 1.0 - b2 if convention == "theory" else 1e-3
    gam = hyper("gamma", gamma, 0, lo_open=True)
    B = batch_of(lr=lr_a, beta1=b1, beta2=b2, eps=e, final_lr=a_star, gamma=gam)
    if (lower is None) != (upper is None):
        raise ValueError("lower and upper must be given together (or neither, for the paper's bounds)")
    if lower is None:
        lower, upper = schedules.paper_bounds(a_star, gam)
        bounds_label = "paper"
    else:
        bounds_label = f"{getattr(lower, '__name__', 'callable')}/{getattr(upper, '__name__', 'callable')}"
    sched, sched_label = schedules.lr_schedule(opts["schedule"])
    moments = moment_coeffs(lr_a, b1, b2, e, opts["schedule"], opts["bias_correction"], B,
                            eps_corrected=False)

    def coeff_fn(t):
        b1_t, step, _ = moments(t)
        lo = schedules.evaluate("lower", lower, t, B)
        hi = schedules.evaluate("upper", upper, t, B)
        lo, hi = np.broadcast_arrays(lo, hi)
        if np.any(lo > hi):
            k, j = np.argwhere(lo > hi)[0]
            raise ValueError(f"lower(t)={lo[k, j]:.6g} > upper(t)={hi[k, j]:.6g} at t={int(t[k])}: "
                             "the bound functions must satisfy lower <= upper")
        s = schedules.evaluate("schedule", sched, t, B)
        return b1_t, step, lo * s, hi * s

    return Kernel(
        name=name, rule=rule, state_names=state_names,
        coeff_names=("beta1_t", "step_t", "lower_t", "upper_t"), coeff_fn=coeff_fn,
        param_names=("beta2", "eps"), params=(b2, e),
        hparams={"lr": lr_a, "final_lr": a_star, "gamma": gam, "beta1": b1, "beta2": b2, "eps": e,
                 "bias_correction": bool(opts["bias_correction"]), "schedule": sched_label,
                 "bounds": bounds_label},
        convention=convention, batch=B, doc=doc)


def adabound(lr=1e-3, final_lr=0.1, gamma=None, beta1=0.9, beta2=0.999, eps=None, bias_correction=None,
             schedule=None, lower=None, upper=None, convention="practical") -> Kernel:
    """AdaBound; see the module docstring for the rule, the conventions and the bounds."""
    return _bounded("adabound", adabound_rule, ("m", "v"), adabound.__doc__, lr, final_lr, gamma, beta1,
                    beta2, eps, bias_correction, schedule, lower, upper, convention)


def amsbound(lr=1e-3, final_lr=0.1, gamma=None, beta1=0.9, beta2=0.999, eps=None, bias_correction=None,
             schedule=None, lower=None, upper=None, convention="practical") -> Kernel:
    """AMSBound: AdaBound with v̂_t = max(v̂_{t−1}, v_t) inside the clip."""
    return _bounded("amsbound", amsbound_rule, ("m", "v", "vmax"), amsbound.__doc__, lr, final_lr, gamma,
                    beta1, beta2, eps, bias_correction, schedule, lower, upper, convention)
