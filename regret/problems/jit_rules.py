"""The jitable per-point rules of the x-dependent families, for ``regret.engine.compiled``.

Each ``point(x, t, k, p, data, idx, g)`` returns f_t(x) for one configuration's iterate x (d,)
and writes ∇f_t(x) into g; ``idx[k, p]`` is the component/data index of step ts[k] for problem
instance p (``IndexPath.indices`` of the chunk).  The formulas are those of the numpy methods
of each family (``Quadratic.grad``, ``Learning.grad``, ``Zhang.components``, …), one point at a
time; tests check that the two engines agree.
"""
from __future__ import annotations

import numba
import numpy as np
from numba.np.unsafe.ndarray import to_fixed_tuple

_CACHE: dict = {}
NO_INDEX = np.zeros((1, 1), dtype=np.int64)


@numba.njit(error_model="numpy")
def quadratic_point(x, t, k, p, data, idx, g):
    """½Σ a_i (x_i − c_i)², data = (a, c)."""
    a, c = data
    f = 0.0
    for i in range(x.shape[0]):
        r = x[i] - c[i]
        g[i] = a[i] * r
        f += a[i] * r * r
    return 0.5 * f


def learning_point(loss, dloss):
    """ℓ(<a_j, x>, y_j) with j = idx[k, p], data = (A, y)."""
    key = ("learning", loss, dloss)
    if key not in _CACHE:
        @numba.njit(error_model="numpy")
        def point(x, t, k, p, data, idx, g):
            A, y = data
            j = idx[k, p]
            z = 0.0
            for i in range(x.shape[0]):
                z += A[j, i] * x[i]
            dl = dloss(z, y[j])
            for i in range(x.shape[0]):
                g[i] = dl * A[j, i]
            return loss(z, y[j])

        _CACHE[key] = point
    return _CACHE[key]


@numba.njit(error_model="numpy")
def zhang_point(x, t, k, p, data, idx, g):
    """Zhang et al. (2.5): component j = idx[k, p], weight w_0 = data[0][0] for j = 0, else −a = −data[0][1]."""
    w = data[0][0] if idx[k, p] == 0 else -data[0][1]
    z = x[0]
    if z >= -1.0:
        g[0] = w
        return w * z
    g[0] = w * (z + 2.0)
    return w * (0.5 * (z + 2.0) ** 2 - 1.5)


@numba.njit(error_model="numpy")
def shi_point(x, t, k, p, data, idx, g):
    """Shi et al.: 5(x − dev)² for component 9, else −½(x − 10·dev/9)²; dev = data[0][0]."""
    dev = data[0][0]
    far = 10.0 * dev / 9.0
    z = x[0]
    if idx[k, p] == 9:
        g[0] = 10.0 * (z - dev)
        return 5.0 * (z - dev) ** 2
    g[0] = -(z - far)
    return -0.5 * (z - far) ** 2


def expression_point(f, grad, d: int):
    """A user's expression: f(t, x1..xd) and grad(t, x1..xd) (a tuple), both numba-compiled."""
    key = ("expression", f, grad, d)
    if key not in _CACHE:
        @numba.njit(error_model="numpy")
        def point(x, t, k, p, data, idx, g):
            xt = to_fixed_tuple(x, d)
            gt = grad(float(t), *xt)
            for i in range(d):
                g[i] = gt[i]
            return f(float(t), *xt)

        _CACHE[key] = point
    return _CACHE[key]
