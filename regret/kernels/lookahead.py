"""Lookahead (Zhang, Lucas, Hinton & Ba, NeurIPS 2019) over any kernel, and Ranger = Lookahead(RAdam).

    fast weights θ (the iterate x), slow weights φ (φ_0 = x_0), inner kernel A:
    θ_{t+1} = A(θ_t, g_t)                                   every step
    if t ≡ 0 (mod k):  φ ← φ + α·(θ_{t+1} − φ),  θ_{t+1} ← φ   (sync)

The composed rule stays elementwise: the sync is a 0/1 time-only coefficient s_t = [t mod k = 0]
and the rule computes φ' = φ + (s_t·α)(x̂ − φ), x̂' = s_t·φ' + (1 − s_t)·x̂ (with s_t = 0 the
slow weights and the inner step come through exactly).  The inner kernel's state, coefficients
and parameters are passed through unchanged, followed by φ, s_t and α.

How the rule is built: its Python source is *generated* for the inner rule's arity (states,
coefficients, parameters), exec'd with the inner rule bound as a global, and decorated with
``register_jitable``, so it is an ordinary positional elementwise function that numpy calls on
(B, d) arrays and numba inlines into the fused loop (where it is compiled once per process; it
has no importable name for the on-disk cache).  A closure taking ``*rest`` compiles, but then the
rule's signature no longer names its arguments, which the kernel contract asks (and numba binds
arguments by the signature it sees, so it cannot be papered over with ``__signature__``); hence
the generated source, compiled through ``regret.codegen``.  One composed function is kept per (inner rule,
arity), so kernels built twice share their compiled loop.

By design: the effective learning rate η_t reported is the inner kernel's.  On a constrained
problem the engine projects the rule's output, so the played point is Π_F(φ') at a sync, while
φ' itself is formed from the inner step's unprojected x̂ (the rule does not see the projection);
on an unconstrained replay (``regret.replay``) this is exactly the published algorithm.
"""
from __future__ import annotations

import threading

import numpy as np

from .. import validate
from ..codegen import exec_generated
from .base import Kernel, hyper, jitable, zeros_like_state

_COMPOSED: dict = {}
_LOCK = threading.Lock()


def composed_rule(inner_rule, ns: int, nc: int, npar: int):
    """The Lookahead rule around ``inner_rule`` with ns states, nc coefficients, npar parameters."""
    key = (inner_rule, ns, nc, npar)
    with _LOCK:
        fn = _COMPOSED.get(key)
        if fn is not None:
            return fn
        S = [f"s{i}" for i in range(ns)]
        C = [f"c{i}" for i in range(nc)]
        P = [f"p{i}" for i in range(npar)]
        name = f"_lookahead_{getattr(inner_rule, '__name__', 'rule')}_{len(_COMPOSED)}"
        outs = ", ".join(["x_in", "eta"] + S)
        src = "\n".join([
            f"def {name}({', '.join(['x', 'g'] + S + ['phi'] + C + ['sync'] + P + ['alpha'])}):",
            f"    {outs} = inner({', '.join(['x', 'g'] + S + C + P)})",
            "    phi = phi + (sync * alpha) * (x_in - phi)",
            f"    return {', '.join(['sync * phi + (1.0 - sync) * x_in', 'eta'] + S + ['phi'])}",
        ])
        namespace = {"inner": inner_rule, "np": np, "__name__": __name__}
        fn = jitable(exec_generated(src + "\n", namespace, f"regret.kernels.lookahead {name}", attr=name))
        fn.__doc__ = f"Lookahead around {getattr(inner_rule, '__name__', 'rule')}; generated source:\n\n{src}"
        _COMPOSED[key] = fn
        return fn


def wrap(inner: Kernel, k=5, alpha=0.5, name: str = "lookahead") -> Kernel:
    """Lookahead(k, α) around an already built kernel ``inner``."""
    if not isinstance(inner, Kernel):
        raise TypeError(f"inner={inner!r} must be an optimizer name or a Kernel")
    k_a = hyper("k", k, 1)
    if np.any(k_a != np.round(k_a)):
        raise ValueError(f"k={k!r} must be a positive integer (steps between syncs)")
    a = hyper("alpha", alpha, 0, 1, lo_open=True)
    B = validate.batch_size({"inner batch": inner.batch, "k": len(k_a), "alpha": len(a)})
    k_int = k_a.astype(np.int64)
    inner_init = inner.init_state or zeros_like_state(len(inner.state_names))

    def coeff_fn(t):
        sync = (t[:, None] % k_int[None, :] == 0).astype(np.float64)
        return (*inner.coeff_fn(t), sync)

    def init_state(x0):
        return (*inner_init(x0), np.array(x0, dtype=np.float64))

    rule = composed_rule(inner.rule, len(inner.state_names), len(inner.coeff_names), len(inner.param_names))
    hparams = {"inner": inner.name, **inner.hparams, "k": k_a, "alpha": a}
    return Kernel(name=name, rule=rule, state_names=inner.state_names + ("slow",),
                  coeff_names=inner.coeff_names + ("sync_t",), coeff_fn=coeff_fn,
                  param_names=inner.param_names + ("alpha",), params=inner.params + (a,), hparams=hparams,
                  convention=inner.convention, batch=B, init_state=init_state, doc=(inner.doc or "") + __doc__)


def lookahead(inner="adam", k=5, alpha=0.5, **inner_hparams) -> Kernel:
    """Lookahead(k, α) around the registered optimizer ``inner`` built with ``inner_hparams``
    (or around a Kernel, then without further options); see the module docstring."""
    if isinstance(inner, Kernel):
        if inner_hparams:
            raise ValueError(f"inner is an already built Kernel; options {sorted(inner_hparams)} cannot apply")
        return wrap(inner, k, alpha)
    from . import optimizer

    return wrap(optimizer(inner, **inner_hparams), k, alpha)


def ranger(lr=1e-3, beta1=0.95, beta2=0.999, eps=1e-5, threshold=5.0, weight_decay=0.0, k=6, alpha=0.5,
           schedule=None, convention="practical") -> Kernel:
    """Ranger (Wright 2019): Lookahead(k=6, α=0.5) over RAdam, with the release's defaults
    β = (0.95, 0.999), ε = 1e-5, threshold 5 and the SGD fallback.

    ``weight_decay`` λ is decoupled, x ← x − α_t·λ·x on every step (the SGD-fallback steps
    included), as in the release (lessw2020/Ranger-Deep-Learning-Optimizer) and
    pytorch_optimizer's Ranger: it never enters the moments.  (radam's own default is torch's
    coupled λx in the gradient.)  The release's gradient centralization is not part of this
    kernel (pytorch_optimizer applies it only to tensors of two or more dimensions)."""
    from .radam import radam

    inner = radam(lr=lr, beta1=beta1, beta2=beta2, eps=eps, threshold=threshold, weight_decay=weight_decay,
                  decoupled=True, schedule=schedule, convention=convention)
    return wrap(inner, k, alpha, name="ranger")
