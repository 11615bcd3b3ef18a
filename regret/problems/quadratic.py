"""A stationary strongly convex problem, the "easy problem" every optimizer must solve."""
from __future__ import annotations

import numpy as np

from .. import validate, limits
from ..feasible import Box
from .base import GeneralProblem


class Quadratic(GeneralProblem):
    """f_t(x) = ½ Σ_i a_i (x_i − c_i)² on the box [lo, hi]^d, the same at every t.

    The comparator is exact: the box is a product set and f is separable, so
    x* = clip(c, lo, hi) and min_x Σ_{t≤T} f_t(x) = T·f(x*).
    """

    name = "quadratic"

    def __init__(self, a=1.0, c=0.5, d: int | None = None, lo=-1.0, hi=1.0, x0=None):
        a = np.atleast_1d(validate.in_range("a", a, 0, lo_open=True))
        c = np.atleast_1d(validate.finite("c", c))
        dim = limits.check_dimension("d", validate.positive_int("d", d)) if d is not None else max(a.shape[0], c.shape[0])
        try:
            self.a, self.c = (np.broadcast_to(v, (dim,)).astype(float) for v in (a, c))
        except ValueError:
            raise ValueError(f"a has {a.shape[0]} and c has {c.shape[0]} entries; each must be 1 or d={dim}") from None
        feasible = Box(np.broadcast_to(validate.finite("lo", lo), (dim,)),
                       np.broadcast_to(validate.finite("hi", hi), (dim,)))
        params = {"a": self.a.tolist(), "c": self.c.tolist(), "lo": feasible.lo.tolist(),
                  "hi": feasible.hi.tolist()}
        super().__init__(feasible, 1, params, x0)
        self.x_star = feasible.project(self.c)

    @property
    def G_inf(self) -> np.ndarray:
        """G∞ = max_i a_i·max(|lo_i − c_i|, |hi_i − c_i|): the largest |∂f/∂x_i| on the box."""
        lo, hi = self.feasible.lo, self.feasible.hi
        return np.array([float(np.max(self.a * np.maximum(np.abs(lo - self.c), np.abs(hi - self.c))))])

    def grad(self, x, t):
        return self.a * (x - self.c)

    def loss(self, x, t):
        return 0.5 * np.sum(self.a * (x - self.c) ** 2, axis=-1)

    def comparator(self, T):
        return np.atleast_1d(T * self.loss(self.x_star, T))

    def jit_rule(self):
        """The compiled engine's rule (``regret.engine.compiled``)."""
        from .jit_rules import quadratic_point

        return quadratic_point, (self.a, self.c)

    def jit_chunk(self, ts):
        from .jit_rules import NO_INDEX

        return NO_INDEX
