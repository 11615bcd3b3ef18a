"""Replay a kernel on a fixed gradient sequence: the bridge for comparing with other libraries.

    x_1 = x0;   (x̂_{t+1}, η_t, s_t) = rule(x_t, g_t, s_{t−1}, coeffs(t), params);   x_{t+1} = x̂_{t+1}

No problem, no projection, no regret: the gradients are given in advance, so the iterates are
exactly what a library such as torch.optim produces when fed the same gradients.  The rule is
evaluated by the same numpy code as the reference engine, all coefficients of the T steps at once.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import validate
from .kernels.base import Kernel


class Replay(NamedTuple):
    """Iterates x (T+1, …) with x[0] = x0, effective learning rates eta (T, …), final state."""

    x: np.ndarray
    eta: np.ndarray
    state: tuple


def replay(opt: Kernel, grads, x0, *, full: bool = False):
    """Apply ``opt`` to ``grads`` of shape (T, d) or (T, B, d) from ``x0``; return the iterates.

    ``x0``: a scalar, (d,) or (B, d).  The batch B is that of the gradients, x0 and the kernel's
    configurations broadcast together (each 1 or B).  Returns x of shape (T+1, d) for (T, d)
    gradients with one configuration, else (T+1, B, d); with ``full=True`` a ``Replay`` that also
    holds η_t (T, …) and the final state.
    """
    if not isinstance(opt, Kernel):
        raise TypeError(f"opt must be a Kernel (see regret.optimizer), got {opt!r}")
    g = validate.finite("grads", grads)
    if g.ndim not in (2, 3):
        raise ValueError(f"grads has shape {g.shape}; expected (T, d) or (T, B, d)")
    T, d = g.shape[0], g.shape[-1]
    if T < 1:
        raise ValueError("grads must hold at least one step (T >= 1)")
    x0a = validate.finite("x0", x0)
    if x0a.ndim > 2:
        raise ValueError(f"x0 has shape {x0a.shape}; expected a scalar, ({d},) or (B, {d})")
    B = validate.batch_size({"optimizer batch": opt.batch, "grads batch": g.shape[1] if g.ndim == 3 else 1,
                           "x0 batch": x0a.shape[0] if x0a.ndim == 2 else 1})
    try:
        x_start = np.array(np.broadcast_to(x0a, (B, d)), dtype=np.float64)
    except ValueError:
        raise ValueError(f"x0 has shape {x0a.shape}; expected a scalar, ({d},) or ({B}, {d})") from None
    gb = np.broadcast_to(g if g.ndim == 3 else g[:, None, :], (T, B, d))
    state = opt.init(x_start)
    x, *s = state
    params = opt.column_params()
    coeffs = [np.asarray(c)[:, :, None] for c in opt.coeffs(np.arange(1, T + 1))]
    xs = np.empty((T + 1, B, d))
    etas = np.empty((T, B, d))
    xs[0] = x
    with np.errstate(all="ignore"):  # a diverging run is the caller's to inspect, not to warn about
        for k in range(T):
            x, eta, *s = opt.rule(x, gb[k], *s, *(c[k] for c in coeffs), *params)
            xs[k + 1] = x
            etas[k] = np.broadcast_to(eta, (B, d))
    squeeze = g.ndim == 2 and B == 1
    if squeeze:
        xs, etas = xs[:, 0], etas[:, 0]
    if full:
        return Replay(xs, etas, opt.State(x, *s))
    return xs
