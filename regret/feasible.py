"""Feasible sets F with plain and weighted projection, batched over the leading axis.

The weighted projection of the generic adaptive method (Reddi et al. 2018, Alg. 1) is

    Π_{F,A}(y) = argmin_{x ∈ F} ‖A^{1/2} (x − y)‖,   A = diag(a) with a > 0,

and ``project(y, weight=a)`` computes it for every row of ``y`` (shape (B, d)) with its own row
of weights.  On a box the weighted projection equals coordinatewise clipping whatever the
weights, so ``Box`` ignores them; sets where it does not (ball, simplex) use them.

Every set also answers the linear-comparator question exactly: ``min_linear(G)`` is
min_{x ∈ F} <G, x> per row, which with G = Σ_t g_t is the comparator of linear regret.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import checks


@dataclass(frozen=True, eq=False)
class Box:
    """F = {x : lo ≤ x ≤ hi} (coordinatewise), lo and hi of shape (d,)."""

    lo: np.ndarray
    hi: np.ndarray

    def __post_init__(self):
        lo = np.atleast_1d(checks.finite("lo", self.lo)).astype(np.float64)
        hi = np.atleast_1d(checks.finite("hi", self.hi)).astype(np.float64)
        lo, hi = np.broadcast_arrays(lo, hi)
        if lo.ndim != 1:
            raise ValueError(f"lo/hi must be scalars or 1-d arrays, got shape {lo.shape}")
        if np.any(lo > hi):
            i = int(np.argmax(lo > hi))
            raise ValueError(f"lo={lo[i]:g} > hi={hi[i]:g} in coordinate {i}: a box needs lo <= hi")
        object.__setattr__(self, "lo", lo.copy())
        object.__setattr__(self, "hi", hi.copy())

    kind = "box"

    @property
    def dim(self) -> int:
        return self.lo.shape[0]

    @property
    def diameter_inf(self) -> float:
        """D∞ = max_{x,y ∈ F} ‖x − y‖∞."""
        return float(np.max(self.hi - self.lo))

    def project(self, y: np.ndarray, weight: np.ndarray | None = None) -> np.ndarray:
        """Clip; equals Π_{F,diag(weight)} for every positive weight because F is a product set."""
        return np.minimum(np.maximum(y, self.lo), self.hi)

    def contains(self, x: np.ndarray, tol: float = 0.0) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        return np.all((x >= self.lo - tol) & (x <= self.hi + tol), axis=-1)

    def min_linear(self, G: np.ndarray) -> np.ndarray:
        """min_{x∈F} <G, x> = Σ_i min(lo_i G_i, hi_i G_i), per row of G."""
        return np.sum(np.minimum(self.lo * G, self.hi * G), axis=-1)

    def argmin_linear(self, G: np.ndarray) -> np.ndarray:
        """A minimiser of <G, x> over F (the upper end where G_i < 0, else the lower end)."""
        return np.where(G < 0, self.hi, self.lo)

    def describe(self) -> dict:
        return {"kind": "box", "lo": self.lo.tolist(), "hi": self.hi.tolist()}


def interval(lo: float = -1.0, hi: float = 1.0) -> Box:
    """The one-dimensional box [lo, hi] of the counterexamples."""
    return Box(np.array([lo], dtype=np.float64), np.array([hi], dtype=np.float64))
