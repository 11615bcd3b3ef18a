"""The jitable per-point rules of the x-dependent families, for ``regret.engine.compiled``.

Each ``point(X, b, t, k, p, data, idx, G, r)`` returns f_t(x) at the iterate x = X[b] (a row of
the (B, d) iterates) and writes ∇f_t(x) into the row G[r]; ``idx[k, p]`` is the component/data
index of step ts[k] for problem instance p (``IndexPath.indices`` of the chunk).  Rows are
passed as (array, row index), not as row views: a view costs a reference-count increment and
decrement (atomic) per call, a third of a least-squares step at d = 20.  The formulas are those
of the numpy methods of each family (``Quadratic.grad``, ``Learning.grad``, ``Zhang.components``,
…), one point at a time; tests check that the two engines agree.

The rules are ``register_jitable`` functions importable by name (``learning_point`` returns the
module-level one of each loss), so the compiled loop that closes over one pickles it by
reference and numba's disk cache finds the loop again in a new process
(``engine.compiled``); a user's expression compiles its own, which is not cached on disk.
"""
from __future__ import annotations

import sys

import numpy as np
from numba.extending import register_jitable
from numba.np.unsafe.ndarray import to_fixed_tuple

_CACHE: dict = {}
NO_INDEX = np.zeros((1, 1), dtype=np.int64)


@register_jitable(inline="always")
def quadratic_point(X, b, t, k, p, data, idx, G, r):
    """½Σ a_i (x_i − c_i)², data = (a, c)."""
    a, c = data
    f = 0.0
    for i in range(X.shape[1]):
        e = X[b, i] - c[i]
        G[r, i] = a[i] * e
        f += a[i] * e * e
    return 0.5 * f


def _learning_rule(loss, dloss, name, public: bool):
    def point(X, b, t, k, p, data, idx, G, r):
        A, y = data
        j = idx[k, p]
        z = 0.0
        for i in range(X.shape[1]):
            z += A[j, i] * X[b, i]
        dl = dloss(z, y[j])
        for i in range(X.shape[1]):
            G[r, i] = dl * A[j, i]
        return loss(z, y[j])

    point.__doc__ = f"ℓ(<a_j, x>, y_j) with ℓ = {getattr(loss, '__name__', loss)}, j = idx[k, p], data = (A, y)."
    return _jitable(point, name, public)


def _jitable(fn, name, public: bool):
    """``fn`` as a ``register_jitable`` rule; with ``public``, under a module-level ``name``, so that
    pickle (numba's cache key of a closure over it) refers to it by name instead of by value; only
    for the losses of ``learning``, whose source the key hashes (``engine.compiled._stem``): any
    other stays unimportable, not disk-cached."""
    rule = register_jitable(inline="always")(fn)
    if public:
        fn.__name__ = fn.__qualname__ = name
        fn.__module__ = __name__
        setattr(sys.modules[__name__], name, rule)
    return rule


def _learning_block_rule(loss, dloss, name, public: bool):
    point = learning_point(loss, dloss)

    def block(X, w, alive, t, k, b0, bp, data, idx, G, F):
        A, y = data
        d = X.shape[0]
        if bp > 1:  # an instance, and so a data point, per configuration: the point rule, column by column
            XV = X.T
            GV = G.T
            for r in range(w):
                F[r] = point(XV, r, t, k, b0 + r, data, idx, GV, r)
            return
        j = idx[k, 0]
        yj = y[j]
        for r in range(w):
            F[r] = 0.0
        for i in range(d):  # z_r = Σ_i a_i x_ri in the order of ``point``: the same numbers
            a = A[j, i]
            for r in range(w):
                F[r] += a * X[i, r]
        last = d - 1
        for r in range(w):  # ℓ'(z_r) parked in G's last row
            z = F[r]
            G[last, r] = dloss(z, yj)
            F[r] = loss(z, yj)
        for i in range(last):
            a = A[j, i]
            for r in range(w):
                G[i, r] = G[last, r] * a
        a = A[j, last]
        for r in range(w):
            G[last, r] = G[last, r] * a

    block.__doc__ = f"The block rule of ℓ(<a_j, x>, y_j), ℓ = {getattr(loss, '__name__', loss)} (``jit_block``)."
    return _jitable(block, name, public)


def learning_point(loss, dloss, block: bool = False):
    """The point rule of ℓ(<a_j, x>, y_j) (its block rule with ``block=True``): the module-level
    ``learning_<loss>_point`` (``_block``) of a ``learning`` loss, else one built for this
    (loss, dloss) pair."""
    key = ("learning", loss, dloss, block)
    if key not in _CACHE:
        make = _learning_block_rule if block else _learning_rule
        name = getattr(loss, "__name__", "loss")
        mod = getattr(loss, "__module__", "")
        if (mod == "regret.problems.learning" and name.startswith("loss_")
                and getattr(sys.modules.get(mod), name, None) is loss):
            label = f"learning_{name[5:]}_{'block' if block else 'point'}"
            fn = globals().get(label) or make(loss, dloss, label, public=True)
        else:  # not importable by name: compiled, not disk-cached
            fn = make(loss, dloss, "", public=False)
        _CACHE[key] = fn
    return _CACHE[key]


@register_jitable(inline="always")
def zhang_point(X, b, t, k, p, data, idx, G, r):
    """Zhang et al. (2.5): component j = idx[k, p], weight w_0 = data[0][0] for j = 0, else −a = −data[0][1]."""
    w = data[0][0] if idx[k, p] == 0 else -data[0][1]
    z = X[b, 0]
    if z >= -1.0:
        G[r, 0] = w
        return w * z
    G[r, 0] = w * (z + 2.0)
    return w * (0.5 * (z + 2.0) ** 2 - 1.5)


@register_jitable(inline="always")
def shi_point(X, b, t, k, p, data, idx, G, r):
    """Shi et al.: 5(x − dev)² for component 9, else −½(x − 10·dev/9)²; dev = data[0][0]."""
    dev = data[0][0]
    far = 10.0 * dev / 9.0
    z = X[b, 0]
    if idx[k, p] == 9:
        G[r, 0] = 10.0 * (z - dev)
        return 5.0 * (z - dev) ** 2
    G[r, 0] = -(z - far)
    return -0.5 * (z - far) ** 2


def expression_point(f, grad, d: int):
    """A user's expression: f(t, x1..xd) and grad(t, x1..xd) (a tuple), both numba-compiled."""
    key = ("expression", f, grad, d)
    if key not in _CACHE:
        @register_jitable(inline="always")
        def point(X, b, t, k, p, data, idx, G, r):
            xt = to_fixed_tuple(X[b], d)
            gt = grad(float(t), *xt)
            for i in range(d):
                G[r, i] = gt[i]
            return f(float(t), *xt)

        _CACHE[key] = point
    return _CACHE[key]
