"""Adam (Kingma & Ba 2015), AMSGrad (Reddi, Kale & Kumar 2018) and AdamW (Loshchilov & Hutter 2019).

Update rule, both conventions (all operations per coordinate):

    g'_t = g_t + λ_c·x_t                              (coupled L2 decay, ``weight_decay``)
    m_t = β1t·m_{t−1} + (1 − β1t)·g'_t
    v_t = β2·v_{t−1} + (1 − β2)·g'_t²                AMSGrad: v̂_t = max(v̂_{t−1}, v_t)
    η_t = α_t·√(1 − β2^t)/(1 − β1^t) / (√v_t + ε·√(1 − β2^t))      (v̂_t for AMSGrad)
    x_{t+1} = Π_F(x_t − λ_d,t·x_t − η_t·m_t)          (AdamW: λ_d,t = α_t·λ, decoupled)

which is torch.optim.Adam's m̂/(√v̂ + ε) with the corrections moved into the time-only
coefficients (the same numbers to rounding).  ``convention="theory"`` (Reddi et al. Alg. 1–2)
is α_t = α/√t, no bias correction (both factors 1), ε = 0; ``"practical"`` is constant α,
bias correction and ε = 1e-8.  Each option can be set on its own.  A coordinate with v = 0 and
ε = 0 has seen only zero gradients; its step is defined as 0 (the 0/0 of the formula).

Options where the literature differs (each documented difference from torch.optim is by design):

* ``eps_inside=True`` puts ε under the square root, √(v̂_t + ε) (as in some analyses and in
  TensorFlow's "epsilon hat" discussions); torch adds ε after the square root (default).
* ``max_of`` (AMSGrad): "raw" takes the max of the raw v_t and corrects afterwards, as
  torch.optim.Adam(amsgrad=True) does (default); "corrected" takes v̂_t = max(v̂_{t−1},
  v_t/(1 − β2^t)), the max of the bias-corrected estimates.  Without bias correction they agree.
* ``weight_decay`` on adam/amsgrad is coupled (L2 added to the gradient, torch.optim.Adam);
  adamw decays decoupled by α_t·λ·x_t (torch.optim.AdamW: x·(1 − α_t·λ), then the Adam step).
* ``beta1_schedule``: β1t = β1·s1(t) ("constant", "exp" with ``lam``: β1·λ^(t−1), "inv_t":
  β1/t, or a callable; see ``regret.schedules``).  The bias correction keeps 1 − β1^t with
  the base β1 (torch has no β1t schedule; the theory convention has no bias correction).

The effective learning rate η_t is what the kernel reports; the projection weight is 1/η_t.
"""
from __future__ import annotations

import numpy as np

from .. import checks, schedules
from .base import Kernel, batch_of, ema, hyper, jitable, nonzero, resolve_convention, rows, swept


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


# The general rules carry every option (coupled/decoupled decay, ε inside the root, the max of
# corrected v); a kernel uses them only when an option needs them, so the plain rules above stay
# the hot path of the counterexample studies.

@jitable
def adam_general_rule(x, g, m, v, beta1_t, step_t, eps_in_t, eps_t, decay_t, beta2, wd):
    g = g + wd * x
    m = ema(m, g, beta1_t)
    v = ema(v, g * g, beta2)
    eta = step_t / nonzero(np.sqrt(v + eps_in_t) + eps_t)
    return x - decay_t * x - eta * m, eta, m, v


@jitable
def amsgrad_general_rule(x, g, m, v, vmax, beta1_t, step_t, eps_in_t, eps_t, decay_t, vscale_t, beta2, wd):
    g = g + wd * x
    m = ema(m, g, beta1_t)
    v = ema(v, g * g, beta2)
    vmax = np.maximum(vmax, v * vscale_t)
    eta = step_t / nonzero(np.sqrt(vmax + eps_in_t) + eps_t)
    return x - decay_t * x - eta * m, eta, m, v, vmax


def moment_coeffs(lr, beta1, beta2, eps, schedule, bias_correction, batch, eps_corrected=True,
                  beta1_schedule=None):
    """coeff_fn(t) -> (β1t, α_t·√(1−β2^t)/(1−β1^t), ε_t) shared by the Adam family.

    ε_t = ε·√(1−β2^t) puts ε after the corrected square root (torch); ``eps_corrected=False``
    puts it on the raw √v_t (the AdaBound release), i.e. ε_t = ε.  ``beta1_schedule`` is a
    multiplier s1(t) (``schedules.beta1_schedule``), β1t = β1·s1(t); None is constant.
    ``coeff_fn(t, s)`` takes the schedule's values s(t) when the caller has them already.
    """
    sched, _ = schedules.lr_schedule(schedule)

    def coeff_fn(t, s=None):
        n = len(t)
        if s is None:
            s = schedules.evaluate("schedule", sched, t, batch)
        lr_t = lr[None, :] * s
        if bias_correction:
            tf = t.astype(np.float64)
            bc1 = 1.0 - schedules.column_powers(beta1, tf)
            sq_bc2 = np.sqrt(1.0 - schedules.column_powers(beta2, tf))
            step = lr_t * sq_bc2 / bc1
            eps_t = eps[None, :] * sq_bc2 if eps_corrected else rows(eps, n)
        else:
            step = lr_t
            eps_t = rows(eps, n)
        b1t = rows(beta1, n) if beta1_schedule is None else schedules.beta1_values(beta1_schedule, beta1, t, batch)
        return b1t, step, np.broadcast_to(eps_t, (n, eps_t.shape[1]))

    return coeff_fn


def _adam_like(name, doc, lr, beta1, beta2, eps, bias_correction, schedule, convention, *, ams=False,
               weight_decay=0.0, decoupled=False, eps_inside=False, max_of="raw", beta1_schedule=None,
               lam=None):
    opts = resolve_convention(convention, schedule=schedule, bias_correction=bias_correction, eps=eps)
    lr_a = hyper("lr", lr, 0, lo_open=True)
    b1 = hyper("beta1", beta1, 0, 1, hi_open=True)
    b2 = hyper("beta2", beta2, 0, 1, hi_open=True)
    e = hyper("eps", opts["eps"], 0)
    wd = hyper("weight_decay", weight_decay, 0)
    if not isinstance(eps_inside, (bool, np.bool_)):
        raise TypeError(f"eps_inside={eps_inside!r} must be true or false")
    checks.choice("max_of", max_of, ("raw", "corrected"))
    b1_sched, b1_label = schedules.beta1_schedule(beta1_schedule, lam)
    lam_a = None if lam is None else hyper("lam", lam, 0, 1, lo_open=True)
    B = batch_of(lr=lr_a, beta1=b1, beta2=b2, eps=e, weight_decay=wd, **swept(lam=lam_a))
    _, sched_label = schedules.lr_schedule(opts["schedule"])
    bc = bool(opts["bias_correction"])
    hparams = {"lr": lr_a, "beta1": b1, "beta2": b2, "eps": e, "bias_correction": bc,
               "schedule": sched_label}
    if b1_label != "constant":
        hparams["beta1_schedule"] = b1_label
    if lam_a is not None:
        hparams["lam"] = lam_a
    general = decoupled or eps_inside or (ams and max_of == "corrected" and bc) or bool(np.any(wd != 0))
    if decoupled or np.any(wd != 0):
        hparams["weight_decay"] = wd
    if eps_inside:
        hparams["eps_inside"] = True
    if ams and max_of != "raw":
        hparams["max_of"] = max_of
    if not general:
        rule = amsgrad_rule if ams else adam_rule
        return Kernel(
            name=name, rule=rule, state_names=("m", "v", "vmax") if ams else ("m", "v"),
            coeff_names=("beta1_t", "step_t", "eps_t"),
            coeff_fn=moment_coeffs(lr_a, b1, b2, e, opts["schedule"], bc, B, beta1_schedule=b1_sched),
            param_names=("beta2",), params=(b2,), hparams=hparams, convention=convention, batch=B, doc=doc)

    sched, _ = schedules.lr_schedule(opts["schedule"])
    corrected_max = ams and max_of == "corrected" and bc
    zeros = np.zeros_like(e)

    def coeff_fn(t):
        n = len(t)
        tf = t.astype(np.float64)
        lr_t = lr_a[None, :] * schedules.evaluate("schedule", sched, t, B)
        bc1 = 1.0 - schedules.column_powers(b1, tf) if bc else np.ones((n, 1))
        bc2 = 1.0 - schedules.column_powers(b2, tf) if bc else np.ones((n, 1))
        if corrected_max:
            # vmax holds max_s v_s/(1−β2^s): the denominator is corrected already
            step, vscale = lr_t / bc1, 1.0 / bc2
            eps_in, eps_out = e[None, :] * np.ones((n, 1)), e[None, :] * np.ones((n, 1))
        else:
            step, vscale = lr_t * np.sqrt(bc2) / bc1, np.ones((n, 1))
            # √(v/c + ε) = √(v + ε·c)/√c and √(v/c) + ε = (√v + ε·√c)/√c, c = 1 − β2^t
            eps_in, eps_out = e[None, :] * bc2, e[None, :] * np.sqrt(bc2)
        if eps_inside:
            eps_out = zeros[None, :] * eps_out
        else:
            eps_in = zeros[None, :] * eps_in
        decay = lr_t * wd[None, :] if decoupled else np.zeros((n, 1))
        b1t = rows(b1, n) if b1_sched is None else schedules.beta1_values(b1_sched, b1, t, B)
        out = [b1t, step, eps_in, eps_out, decay] + ([vscale] if ams else [])
        return tuple(np.broadcast_to(c, (n, c.shape[1])) for c in out)

    coupled = zeros if decoupled else wd
    if ams:
        rule, states = amsgrad_general_rule, ("m", "v", "vmax")
        coeffs = ("beta1_t", "step_t", "eps_in_t", "eps_t", "decay_t", "vscale_t")
    else:
        rule, states = adam_general_rule, ("m", "v")
        coeffs = ("beta1_t", "step_t", "eps_in_t", "eps_t", "decay_t")
    return Kernel(name=name, rule=rule, state_names=states, coeff_names=coeffs, coeff_fn=coeff_fn,
                  param_names=("beta2", "weight_decay"), params=(b2, coupled),
                  hparams=hparams, convention=convention, batch=B, doc=doc)


def adam(lr=1e-3, beta1=0.9, beta2=0.999, eps=None, bias_correction=None, schedule=None, weight_decay=0.0,
         eps_inside=False, beta1_schedule=None, lam=None, convention="practical") -> Kernel:
    """Adam; see the module docstring for the rule, the two conventions and the options."""
    return _adam_like("adam", adam.__doc__, lr, beta1, beta2, eps, bias_correction, schedule, convention,
                      weight_decay=weight_decay, eps_inside=eps_inside, beta1_schedule=beta1_schedule, lam=lam)


def amsgrad(lr=1e-3, beta1=0.9, beta2=0.999, eps=None, bias_correction=None, schedule=None, weight_decay=0.0,
            eps_inside=False, max_of="raw", beta1_schedule=None, lam=None, convention="practical") -> Kernel:
    """AMSGrad (Reddi et al. 2018, Alg. 2): Adam with v̂_t = max(v̂_{t−1}, v_t) in the denominator."""
    return _adam_like("amsgrad", amsgrad.__doc__, lr, beta1, beta2, eps, bias_correction, schedule, convention,
                      ams=True, weight_decay=weight_decay, eps_inside=eps_inside, max_of=max_of,
                      beta1_schedule=beta1_schedule, lam=lam)


def adamw(lr=1e-3, beta1=0.9, beta2=0.999, eps=None, bias_correction=None, schedule=None, weight_decay=1e-2,
          amsgrad=False, eps_inside=False, beta1_schedule=None, lam=None, convention="practical") -> Kernel:
    """AdamW (Loshchilov & Hutter 2019; torch.optim.AdamW): x ← x − α_t·λ·x − η_t·m_t, decoupled decay.

    ``amsgrad=True`` is torch.optim.AdamW(amsgrad=True) (max of the raw v).  Loshchilov & Hutter
    scale the decay by the schedule multiplier η_t alone; torch (and this kernel) by α_t = lr·s(t).
    """
    if not isinstance(amsgrad, (bool, np.bool_)):
        raise TypeError(f"amsgrad={amsgrad!r} must be true or false")
    return _adam_like("adamw", adamw.__doc__, lr, beta1, beta2, eps, bias_correction, schedule, convention,
                      ams=bool(amsgrad), weight_decay=weight_decay, decoupled=True, eps_inside=eps_inside,
                      beta1_schedule=beta1_schedule, lam=lam)
