"""Adam (Kingma & Ba 2015), AMSGrad (Reddi, Kale & Kumar 2018) and AdamW (Loshchilov & Hutter 2019).

Update rule, both conventions (all operations per coordinate):

    g'_t = g_t + λ_c·x_t                              (coupled L2 decay, ``weight_decay``)
    m_t = β1t·m_{t−1} + (1 − β1t)·g'_t
    v_t = β2·v_{t−1} + (1 − β2)·g'_t²                AMSGrad: v̂_t = max(v̂_{t−1}, v_t)
    η_t = α_t·√(1 − β2^t)/(1 − β1^t) / (√v_t + ε·√(1 − β2^t))      (v̂_t for AMSGrad)
    x_{t+1} = Π_F(x_t − λ_d,t·x_t − η_t·m_t)          (AdamW: λ_d,t = α_t·λ, decoupled)

which is torch.optim.Adam's m̂/(√v̂ + ε) with the corrections moved into η_t (the same numbers to
rounding); the factors 1 − β1^t and 1 − β2^t are kept in the state (fields ``beta1_corr``,
``beta2_corr``, updated by c ← 1 − β·(1 − c), see ``base.correction_step``) whenever a bias correction is on.  ``convention="theory"`` (Reddi et al. Alg. 1–2)
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

from .. import validate, schedules
from .base import (batch_of, coupled_decay, ema, hyper, jitable, Kernel,
                   nonzero, correction_step, resolve_convention, rows, swept, with_corrections)


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


# With bias correction: the factors c1 = 1 − β1^t, c2 = 1 − β2^t are kept in the state
# (``base.correction_step``), so the correction costs a few flops per step instead of (n, B) arrays
# per chunk.  η_t = α_t·√(1−β2^t) / ((1−β1^t)·(√v_t + ε·√(1−β2^t))).

@jitable
def adam_bc_rule(x, g, m, v, c1, c2, beta1_t, lr_t, beta1, beta2, eps):
    c1 = correction_step(c1, beta1)
    c2 = correction_step(c2, beta2)
    m = ema(m, g, beta1_t)
    v = ema(v, g * g, beta2)
    r2 = np.sqrt(c2)
    eta = lr_t * r2 / (c1 * nonzero(np.sqrt(v) + eps * r2))
    return x - eta * m, eta, m, v, c1, c2


@jitable
def amsgrad_bc_rule(x, g, m, v, vmax, c1, c2, beta1_t, lr_t, beta1, beta2, eps):
    c1 = correction_step(c1, beta1)
    c2 = correction_step(c2, beta2)
    m = ema(m, g, beta1_t)
    v = ema(v, g * g, beta2)
    vmax = np.maximum(vmax, v)
    r2 = np.sqrt(c2)
    eta = lr_t * r2 / (c1 * nonzero(np.sqrt(vmax) + eps * r2))
    return x - eta * m, eta, m, v, vmax, c1, c2


# The general rules carry every option (coupled/decoupled decay, ε inside the root, the max of
# corrected v); a kernel uses them only when an option needs them, so the plain rules above stay
# the hot path.  Their factors start (and stay) at 1 exactly without bias correction.
# √(v/c + ε) = √(v + ε·c)/√c and √(v/c) + ε = (√v + ε·√c)/√c, c = 1 − β2^t; eps_in / eps_out
# are ε or 0, whichever place ε takes.

@jitable
def adam_general_rule(x, g, m, v, c1, c2, beta1_t, lr_t, decay_t, beta1, beta2, wd, eps_in, eps_out):
    return adam_general_uncoupled_rule(x, g + wd * x, m, v, c1, c2, beta1_t, lr_t, decay_t, beta1, beta2, wd, eps_in, eps_out)


@jitable
def adam_general_uncoupled_rule(x, g, m, v, c1, c2, beta1_t, lr_t, decay_t, beta1, beta2, wd, eps_in, eps_out):
    # weight_decay is 0 in every configuration (``base.coupled_decay``): g is not coupled to x
    c1 = correction_step(c1, beta1)
    c2 = correction_step(c2, beta2)
    m = ema(m, g, beta1_t)
    v = ema(v, g * g, beta2)
    r2 = np.sqrt(c2)
    eta = lr_t * r2 / (c1 * nonzero(np.sqrt(v + eps_in * c2) + eps_out * r2))
    return x - decay_t * x - eta * m, eta, m, v, c1, c2


@jitable
def amsgrad_general_rule(x, g, m, v, vmax, c1, c2, beta1_t, lr_t, decay_t, beta1, beta2, wd, eps_in, eps_out):
    return amsgrad_general_uncoupled_rule(x, g + wd * x, m, v, vmax, c1, c2, beta1_t, lr_t, decay_t, beta1, beta2, wd, eps_in, eps_out)


@jitable
def amsgrad_general_uncoupled_rule(x, g, m, v, vmax, c1, c2, beta1_t, lr_t, decay_t, beta1, beta2, wd, eps_in, eps_out):
    # weight_decay is 0 in every configuration (``base.coupled_decay``): g is not coupled to x
    c1 = correction_step(c1, beta1)
    c2 = correction_step(c2, beta2)
    m = ema(m, g, beta1_t)
    v = ema(v, g * g, beta2)
    vmax = np.maximum(vmax, v)
    r2 = np.sqrt(c2)
    eta = lr_t * r2 / (c1 * nonzero(np.sqrt(vmax + eps_in * c2) + eps_out * r2))
    return x - decay_t * x - eta * m, eta, m, v, vmax, c1, c2


@jitable
def amsgrad_corrected_rule(x, g, m, v, vmax, c1, c2, beta1_t, lr_t, decay_t, beta1, beta2, wd, eps_in, eps_out):
    return amsgrad_corrected_uncoupled_rule(x, g + wd * x, m, v, vmax, c1, c2, beta1_t, lr_t, decay_t, beta1, beta2, wd, eps_in, eps_out)


@jitable
def amsgrad_corrected_uncoupled_rule(x, g, m, v, vmax, c1, c2, beta1_t, lr_t, decay_t, beta1, beta2, wd, eps_in, eps_out):
    # vmax holds max_s v_s/(1−β2^s): the denominator is corrected already
    # weight_decay is 0 in every configuration (``base.coupled_decay``): g is not coupled to x
    c1 = correction_step(c1, beta1)
    c2 = correction_step(c2, beta2)
    m = ema(m, g, beta1_t)
    v = ema(v, g * g, beta2)
    vmax = np.maximum(vmax, v * (1.0 / c2))
    eta = lr_t / (c1 * nonzero(np.sqrt(vmax + eps_in) + eps_out))
    return x - decay_t * x - eta * m, eta, m, v, vmax, c1, c2


_UNCOUPLED = {adam_general_rule: adam_general_uncoupled_rule, amsgrad_general_rule: amsgrad_general_uncoupled_rule,
              amsgrad_corrected_rule: amsgrad_corrected_uncoupled_rule}


def moment_coeffs(lr, beta1, schedule, batch, beta1_schedule=None):
    """coeff_fn(t) -> (β1t, α_t) shared by the Adam family, each (n, B_k) or (n, 1).

    α_t = lr·s(t) (a broadcast view for the constant schedule); ``beta1_schedule`` is a
    multiplier s1(t) (``schedules.beta1_schedule``), β1t = β1·s1(t); None is constant.  Bias
    corrections are not here: the rules keep them in their state (``base.correction_step``).
    ``coeff_fn(t, s)`` takes the lr schedule's values s(t) when the caller has them already.
    """
    sched, _ = schedules.lr_schedule(schedule)

    def coeff_fn(t, s=None):
        n = len(t)
        if s is None:
            lr_t = schedules.lr_values(lr, sched, t, batch)
        else:
            lr_t = lr[None, :] * s
        b1t = rows(beta1, n) if beta1_schedule is None else schedules.beta1_values(beta1_schedule, beta1, t, batch)
        return b1t, lr_t

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
    validate.choice("max_of", max_of, ("raw", "corrected"))
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
    moments = moment_coeffs(lr_a, b1, opts["schedule"], B, beta1_schedule=b1_sched)
    moment_names = ("m", "v", "vmax") if ams else ("m", "v")
    powers = ("beta1_corr", "beta2_corr")
    if not general and not bc:
        def coeff_fn(t):
            return (*moments(t), rows(e, len(t)))

        return Kernel(
            name=name, rule=amsgrad_rule if ams else adam_rule, state_names=moment_names,
            coeff_names=("beta1_t", "step_t", "eps_t"), coeff_fn=coeff_fn,
            param_names=("beta2",), params=(b2,), hparams=hparams, convention=convention, batch=B, doc=doc)
    if not general:
        return Kernel(
            name=name, rule=amsgrad_bc_rule if ams else adam_bc_rule, state_names=moment_names + powers,
            coeff_names=("beta1_t", "lr_t"), coeff_fn=moments, param_names=("beta1", "beta2", "eps"),
            params=(b1, b2, e), hparams=hparams, convention=convention, batch=B, doc=doc,
            init_state=with_corrections(len(moment_names), 2, corrected=True))

    sched, _ = schedules.lr_schedule(opts["schedule"])
    zeros = np.zeros_like(e)

    def coeff_fn(t):
        n = len(t)
        b1t, lr_t = moments(t)
        if not decoupled:
            decay = np.zeros((n, 1))
        elif sched is schedules.constant:  # lr·1·λ = lr·λ: a time-constant view
            decay = rows(lr_a * wd, n)
        else:
            decay = lr_t * wd[None, :]
        return b1t, lr_t, np.broadcast_to(decay, (n, decay.shape[1]))

    if ams:
        rule = amsgrad_corrected_rule if (max_of == "corrected" and bc) else amsgrad_general_rule
    else:
        rule = adam_general_rule
    if not coupled_decay(wd, decoupled):
        rule = _UNCOUPLED[rule]
    return Kernel(name=name, rule=rule, state_names=moment_names + powers,
                  coeff_names=("beta1_t", "lr_t", "decay_t"), coeff_fn=coeff_fn,
                  param_names=("beta1", "beta2", "weight_decay", "eps_in", "eps_out"),
                  params=(b1, b2, zeros if decoupled else wd, e if eps_inside else zeros,
                          zeros if eps_inside else e),
                  hparams=hparams, convention=convention, batch=B, doc=doc,
                  init_state=with_corrections(len(moment_names), 2, corrected=bc))


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
