"""AdaBound, AMSBound and their decoupled-decay variants AdaBoundW, AMSBoundW (Luo, Xiong, Liu & Sun, ICLR 2019).

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
γ = 10⁻³, the release's).  ``lower``/``upper`` accept any vectorised callables of t, or an
expression of t as text or sympy (``regret.schedules.as_schedule``: the safe parser of ``regret
check bounds``), which may use the kernel's own hyperparameters by name (lr, final_lr, gamma,
beta1, beta2; a swept one sweeps the bound), e.g. ``lower="final_lr*(1 - 1/(gamma*t + 1))"``;
0 ≤ η_l(t) ≤ η_u(t) is checked every chunk.

Weight decay, as in the authors' code: ``weight_decay`` λ on adabound/amsbound is coupled
(g'_t = g_t + λ·x_t enters m and v); adaboundw/amsboundw decay decoupled and *not* scaled by
the learning rate, x_{t+1} = x_t − η_t·m_t − λ·x_t (the AdaBoundW class of the authors'
repository, github.com/Luolc/AdaBound, which the PyPI release 0.0.5 does not ship).
``beta1_schedule``/``lam``: β1t = β1·s1(t) as in ``regret.schedules`` (the paper's Theorem 4
allows β1t ≤ β1; Corollary 4.1 uses β1·λ^(t−1)); the authors' code has constant β1.

By-design differences from the authors' release: none in the practical convention (the
numbers agree to rounding; ``tests/test_kernels_reference.py``); the theory convention is the
paper's Algorithm 2, which the release does not implement (1/√t after the clip, no ε, no bias
correction).
"""
from __future__ import annotations

import numpy as np

from .. import schedules
from .adam import moment_coeffs
from .base import (batch_of, clip, coupled_decay, ema, hyper, jitable,
                   Kernel, correction_step, resolve_convention, rows, swept, with_corrections)


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


# With bias correction (the release's default): the factors c1 = 1 − β1^t, c2 = 1 − β2^t are kept
# in the state (``base.correction_step``), η_t = Clip(α_t·√(1−β2^t)/((1−β1^t)·(√v_t + ε)), η_l, η_u).

@jitable
def adabound_bc_rule(x, g, m, v, c1, c2, beta1_t, lr_t, lower_t, upper_t, beta1, beta2, eps):
    c1 = correction_step(c1, beta1)
    c2 = correction_step(c2, beta2)
    m = ema(m, g, beta1_t)
    v = ema(v, g * g, beta2)
    eta = clip(lr_t * np.sqrt(c2) / (c1 * (np.sqrt(v) + eps)), lower_t, upper_t)
    return x - eta * m, eta, m, v, c1, c2


@jitable
def amsbound_bc_rule(x, g, m, v, vmax, c1, c2, beta1_t, lr_t, lower_t, upper_t, beta1, beta2, eps):
    c1 = correction_step(c1, beta1)
    c2 = correction_step(c2, beta2)
    m = ema(m, g, beta1_t)
    v = ema(v, g * g, beta2)
    vmax = np.maximum(vmax, v)
    eta = clip(lr_t * np.sqrt(c2) / (c1 * (np.sqrt(vmax) + eps)), lower_t, upper_t)
    return x - eta * m, eta, m, v, vmax, c1, c2


# With weight decay (used only when a decay is set, so the plain rules stay the studies' hot path):
# λ_c coupled into the gradient, decay_t·x_t subtracted beside the step (decoupled).  The factors
# 1 − β^t start (and stay) at 1 exactly without bias correction.

@jitable
def adabound_decay_rule(x, g, m, v, c1, c2, beta1_t, lr_t, lower_t, upper_t, decay_t, beta1, beta2, eps, wd):
    return adabound_decay_uncoupled_rule(x, g + wd * x, m, v, c1, c2, beta1_t, lr_t, lower_t, upper_t, decay_t, beta1, beta2, eps, wd)


@jitable
def adabound_decay_uncoupled_rule(x, g, m, v, c1, c2, beta1_t, lr_t, lower_t, upper_t, decay_t, beta1, beta2, eps, wd):
    # weight_decay is 0 in every configuration (``base.coupled_decay``): g is not coupled to x
    c1 = correction_step(c1, beta1)
    c2 = correction_step(c2, beta2)
    m = ema(m, g, beta1_t)
    v = ema(v, g * g, beta2)
    eta = clip(lr_t * np.sqrt(c2) / (c1 * (np.sqrt(v) + eps)), lower_t, upper_t)
    return x - eta * m - decay_t * x, eta, m, v, c1, c2


@jitable
def amsbound_decay_rule(x, g, m, v, vmax, c1, c2, beta1_t, lr_t, lower_t, upper_t, decay_t, beta1, beta2, eps,
                        wd):
    return amsbound_decay_uncoupled_rule(x, g + wd * x, m, v, vmax, c1, c2, beta1_t, lr_t, lower_t, upper_t, decay_t, beta1, beta2, eps, wd)


@jitable
def amsbound_decay_uncoupled_rule(x, g, m, v, vmax, c1, c2, beta1_t, lr_t, lower_t, upper_t, decay_t, beta1, beta2, eps,
                        wd):
    # weight_decay is 0 in every configuration (``base.coupled_decay``): g is not coupled to x
    c1 = correction_step(c1, beta1)
    c2 = correction_step(c2, beta2)
    m = ema(m, g, beta1_t)
    v = ema(v, g * g, beta2)
    vmax = np.maximum(vmax, v)
    eta = clip(lr_t * np.sqrt(c2) / (c1 * (np.sqrt(vmax) + eps)), lower_t, upper_t)
    return x - eta * m - decay_t * x, eta, m, v, vmax, c1, c2


_BC_RULES = {adabound_rule: adabound_bc_rule, amsbound_rule: amsbound_bc_rule}
_DECAY_RULES = {adabound_rule: adabound_decay_rule, amsbound_rule: amsbound_decay_rule}
_UNCOUPLED = {adabound_decay_rule: adabound_decay_uncoupled_rule, amsbound_decay_rule: amsbound_decay_uncoupled_rule}


def _numpy_coeffs(moments, sched, lower, upper, user_bounds, wd, decoupled, B):
    """coeff_fn(t) -> (β1t, α_t, η_l(t)·s(t), η_u(t)·s(t)[, decay_t]) for any schedule and bounds;
    ``wd`` None means no decay coefficient."""

    def coeff_fn(t):
        s = schedules.evaluate("schedule", sched, t, B)
        b1_t, step = moments(t, s)
        lo = schedules.evaluate("lower", lower, t, B)
        hi = schedules.evaluate("upper", upper, t, B)
        # The paper's bounds need no check: in floating point α*·(1 − 1/(γt+1)) ≤ α* ≤
        # α*·(1 + 1/(γt)), since 1 − u ≤ 1 ≤ 1 + w round monotonically for u, w ≥ 0.
        if user_bounds and (np.any(lo < 0) or np.any(hi < 0)):
            which, arr = ("lower", lo) if np.any(lo < 0) else ("upper", hi)
            k, j = np.argwhere(arr < 0)[0]
            raise ValueError(f"{which}(t)={arr[k, j]:.6g} < 0 at t={int(t[k])}: bound functions must be >= 0")
        if user_bounds and np.any(lo > hi):
            lo, hi = np.broadcast_arrays(lo, hi)
            k, j = np.argwhere(lo > hi)[0]
            raise ValueError(f"lower(t)={lo[k, j]:.6g} > upper(t)={hi[k, j]:.6g} at t={int(t[k])}: "
                             "the bound functions must satisfy lower <= upper")
        lo, hi = lo * s, hi * s
        if lo.shape != hi.shape:
            lo, hi = np.broadcast_arrays(lo, hi)
        if wd is None:
            return b1_t, step, lo, hi
        return b1_t, step, lo, hi, _decay(wd, decoupled, len(t))

    return coeff_fn


def _decay(wd, decoupled, n):
    return rows(wd, n) if decoupled else np.broadcast_to(np.zeros((1, 1)), (n, 1))


def _bounded(name, rule, state_names, doc, lr, final_lr, gamma, beta1, beta2, eps, bias_correction,
             schedule, lower, upper, convention, weight_decay=0.0, decoupled=False, beta1_schedule=None,
             lam=None):
    opts = resolve_convention(convention, schedule=schedule, bias_correction=bias_correction, eps=eps)
    lr_a = hyper("lr", lr, 0, lo_open=True)
    b1 = hyper("beta1", beta1, 0, 1, hi_open=True)
    b2 = hyper("beta2", beta2, 0, 1, hi_open=True)
    e = hyper("eps", opts["eps"], 0)
    a_star = hyper("final_lr", final_lr, 0, lo_open=True)
    if gamma is None:
        gamma = 1.0 - b2 if convention == "theory" else 1e-3
    gam = hyper("gamma", gamma, 0, lo_open=True)
    wd = hyper("weight_decay", weight_decay, 0)
    b1_sched, b1_label = schedules.beta1_schedule(beta1_schedule, lam)
    lam_a = None if lam is None else hyper("lam", lam, 0, 1, lo_open=True)
    if (lower is None) != (upper is None):
        raise ValueError("lower and upper must be given together (or neither, for the paper's bounds)")
    user_bounds = lower is not None
    if user_bounds:  # text or sympy: an expression of t and of this kernel's own hyperparameters
        names = {"lr": lr_a, "final_lr": a_star, "gamma": gam, "beta1": b1, "beta2": b2}
        lower, upper = (schedules.as_schedule(f, n, names) for f, n in ((lower, "lower"), (upper, "upper")))
    B = batch_of(lr=lr_a, beta1=b1, beta2=b2, eps=e, final_lr=a_star, gamma=gam, weight_decay=wd,
                 **swept(lam=lam_a), **schedules.widths(lower=lower, upper=upper))
    bounds_label = ("paper" if not user_bounds else
                    f"{getattr(lower, '__name__', 'callable')}/{getattr(upper, '__name__', 'callable')}")
    sched, sched_label = schedules.lr_schedule(opts["schedule"])
    with_decay = decoupled or bool(np.any(wd != 0))
    bc = bool(opts["bias_correction"])
    if not user_bounds and b1_sched is None and opts["schedule"] in ("constant", "inv_sqrt"):  # not a text schedule
        # the paper's bounds with a built-in schedule (every study, and the release's defaults):
        # one compiled pass instead of numpy's ~20, the same numbers
        band = schedules.paper_band(lr_a, a_star, gam, sched_label)

        def coeff_fn(t):
            n = len(t)
            head = (rows(b1, n),) + band(t)
            return head + (_decay(wd, decoupled, n),) if with_decay else head
    else:
        if not user_bounds:
            lower, upper = schedules.paper_bounds(a_star, gam)
        moments = moment_coeffs(lr_a, b1, opts["schedule"], B, beta1_schedule=b1_sched)
        coeff_fn = _numpy_coeffs(moments, sched, lower, upper, user_bounds, wd if with_decay else None,
                                 decoupled, B)

    hparams = {"lr": lr_a, "final_lr": a_star, "gamma": gam, "beta1": b1, "beta2": b2, "eps": e,
               "bias_correction": bool(opts["bias_correction"]), "schedule": sched_label,
               "bounds": bounds_label}
    if b1_label != "constant":
        hparams["beta1_schedule"] = b1_label
    if lam_a is not None:
        hparams["lam"] = lam_a
    n_moments = len(state_names)
    powers = ("beta1_corr", "beta2_corr")
    if with_decay:
        hparams["weight_decay"] = wd
        return Kernel(
            name=name, rule=(_DECAY_RULES[rule] if coupled_decay(wd, decoupled) else _UNCOUPLED[_DECAY_RULES[rule]]), state_names=state_names + powers,
            coeff_names=("beta1_t", "lr_t", "lower_t", "upper_t", "decay_t"), coeff_fn=coeff_fn,
            param_names=("beta1", "beta2", "eps", "weight_decay"),
            params=(b1, b2, e, np.zeros_like(wd) if decoupled else wd),
            hparams=hparams, convention=convention, batch=B, doc=doc,
            init_state=with_corrections(n_moments, 2, corrected=bc))
    if bc:
        return Kernel(
            name=name, rule=_BC_RULES[rule], state_names=state_names + powers,
            coeff_names=("beta1_t", "lr_t", "lower_t", "upper_t"), coeff_fn=coeff_fn,
            param_names=("beta1", "beta2", "eps"), params=(b1, b2, e), hparams=hparams, convention=convention,
            batch=B, doc=doc, init_state=with_corrections(n_moments, 2, corrected=True))
    return Kernel(
        name=name, rule=rule, state_names=state_names, coeff_names=("beta1_t", "step_t", "lower_t", "upper_t"),
        coeff_fn=coeff_fn, param_names=("beta2", "eps"), params=(b2, e), hparams=hparams, convention=convention,
        batch=B, doc=doc)


def adabound(lr=1e-3, final_lr=0.1, gamma=None, beta1=0.9, beta2=0.999, eps=None, bias_correction=None,
             schedule=None, lower=None, upper=None, weight_decay=0.0, beta1_schedule=None, lam=None,
             convention="practical") -> Kernel:
    """AdaBound; see the module docstring for the rule, the conventions and the bounds."""
    return _bounded("adabound", adabound_rule, ("m", "v"), adabound.__doc__, lr, final_lr, gamma, beta1,
                    beta2, eps, bias_correction, schedule, lower, upper, convention, weight_decay,
                    beta1_schedule=beta1_schedule, lam=lam)


def amsbound(lr=1e-3, final_lr=0.1, gamma=None, beta1=0.9, beta2=0.999, eps=None, bias_correction=None,
             schedule=None, lower=None, upper=None, weight_decay=0.0, beta1_schedule=None, lam=None,
             convention="practical") -> Kernel:
    """AMSBound: AdaBound with v̂_t = max(v̂_{t−1}, v_t) inside the clip."""
    return _bounded("amsbound", amsbound_rule, ("m", "v", "vmax"), amsbound.__doc__, lr, final_lr, gamma,
                    beta1, beta2, eps, bias_correction, schedule, lower, upper, convention, weight_decay,
                    beta1_schedule=beta1_schedule, lam=lam)


def adaboundw(lr=1e-3, final_lr=0.1, gamma=None, beta1=0.9, beta2=0.999, eps=None, bias_correction=None,
              schedule=None, lower=None, upper=None, weight_decay=0.0, beta1_schedule=None, lam=None,
              convention="practical") -> Kernel:
    """AdaBoundW: AdaBound with decoupled decay x_{t+1} = x_t − η_t·m_t − λ·x_t (authors' AdaBoundW)."""
    return _bounded("adaboundw", adabound_rule, ("m", "v"), adaboundw.__doc__, lr, final_lr, gamma, beta1,
                    beta2, eps, bias_correction, schedule, lower, upper, convention, weight_decay,
                    decoupled=True, beta1_schedule=beta1_schedule, lam=lam)


def amsboundw(lr=1e-3, final_lr=0.1, gamma=None, beta1=0.9, beta2=0.999, eps=None, bias_correction=None,
              schedule=None, lower=None, upper=None, weight_decay=0.0, beta1_schedule=None, lam=None,
              convention="practical") -> Kernel:
    """AMSBoundW: AMSBound with decoupled decay (authors' AdaBoundW(amsbound=True))."""
    return _bounded("amsboundw", amsbound_rule, ("m", "v", "vmax"), amsboundw.__doc__, lr, final_lr, gamma,
                    beta1, beta2, eps, bias_correction, schedule, lower, upper, convention, weight_decay,
                    decoupled=True, beta1_schedule=beta1_schedule, lam=lam)
