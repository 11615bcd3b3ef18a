"""Linear losses with a user-given repeating gradient pattern on a box, and the presets built
from it: Luo, Xiong, Liu & Sun (ICLR 2019), Section 3, "the −1/2 example".
"""
from __future__ import annotations

import math

import numpy as np

from .. import validate
from ..feasible import Box
from ..feasible import interval
from .base import LinearProblem, batch_param, param_value
from .reddi import _PeriodicLinear


class Periodic(LinearProblem):
    """f_t(x) = <g_t, x> with g_t = pattern[(t − 1) mod P] on the box [lo, hi]^d.

    ``pattern`` has shape (P,) for d = 1 or (P, d).  The comparator is exact (linear losses).
    """

    name = "periodic"

    def __init__(self, pattern, lo=-1.0, hi=1.0, x0=None, name: str | None = None):
        pat = validate.finite("pattern", pattern)
        if pat.ndim == 1:
            pat = pat[:, None]
        if pat.ndim != 2 or pat.shape[0] < 1:
            raise ValueError(f"pattern must have shape (P,) or (P, d) with P >= 1, got shape {pat.shape}")
        self.pattern = pat.copy()
        d = pat.shape[1]
        feasible = Box(np.broadcast_to(validate.finite("lo", lo), (d,)),
                       np.broadcast_to(validate.finite("hi", hi), (d,)))
        params = {"pattern": pat[:, 0].tolist() if d == 1 else pat.tolist(),
                  "lo": feasible.lo.tolist() if d > 1 else float(feasible.lo[0]),
                  "hi": feasible.hi.tolist() if d > 1 else float(feasible.hi[0])}
        if name:
            self.name = name
        super().__init__(feasible, 1, params, x0)

    def stream(self):
        return _PeriodicLinear(self)

    @property
    def G_inf(self) -> np.ndarray:
        """G∞ = max |pattern| (one instance)."""
        return np.array([float(np.max(np.abs(self.pattern)))])

    @property
    def period(self) -> int:
        return self.pattern.shape[0]

    def gradients(self, t: np.ndarray) -> np.ndarray:
        idx = (np.asarray(t, dtype=np.int64) - 1) % self.pattern.shape[0]
        return self.pattern[idx][:, None, :]


class PeriodicBatch(LinearProblem):
    """B_p periodic problems of one period P in one batch: instance i has g_t = patterns[i, (t − 1) mod P]
    on the box [lo, hi]^d.

    ``patterns`` has shape (B_p, P) for d = 1 or (B_p, P, d).  This is what lets one engine run
    carry thousands of candidate patterns (``regret.search``); each instance is the same
    problem as ``Periodic(patterns[i])``, to the bit.  Not in the registry: a spec names one
    pattern (``periodic:pattern=[...]``).
    """

    name = "periodic-batch"

    def __init__(self, patterns, lo=-1.0, hi=1.0, x0=None):
        pat = validate.finite("patterns", patterns)
        if pat.ndim == 2:
            pat = pat[:, :, None]
        if pat.ndim != 3 or pat.shape[0] < 1 or pat.shape[1] < 1:
            raise ValueError(f"patterns must have shape (B_p, P) or (B_p, P, d) with B_p, P >= 1, got shape {pat.shape}")
        self.patterns = np.ascontiguousarray(pat, dtype=np.float64)
        d = pat.shape[2]
        feasible = Box(np.broadcast_to(validate.finite("lo", lo), (d,)),
                       np.broadcast_to(validate.finite("hi", hi), (d,)))
        params = {"patterns": f"{pat.shape[0]} patterns of period {pat.shape[1]}",
                  "lo": feasible.lo.tolist() if d > 1 else float(feasible.lo[0]),
                  "hi": feasible.hi.tolist() if d > 1 else float(feasible.hi[0])}
        super().__init__(feasible, pat.shape[0], params, x0)

    def stream(self):
        return _PeriodicLinear(self)

    @property
    def period(self) -> int:
        return self.patterns.shape[1]

    def gradients(self, t: np.ndarray) -> np.ndarray:
        idx = (np.asarray(t, dtype=np.int64) - 1) % self.patterns.shape[1]
        return np.ascontiguousarray(self.patterns[:, idx, :].transpose(1, 0, 2))


class MinusOneTwo(LinearProblem):
    """Luo et al. (2019), Section 3: g_t = −1 if t mod C = 1, +2 if t mod C = 2, else 0, on [lo, hi].

    A period sums to +1, so x* = lo.  With β1 = 0, the +2 step meets a larger second moment
    than the −1 step before it, its effective learning rate is smaller, and for β2 near enough
    to 1 relative to C Adam drifts towards hi.  (The paper's exact feasible set is not
    recorded in this project's reference; [−1, 1] is the default.)  C may be a 1-d array of
    integers ≥ 3 (a batch of instances, e.g. the (β2, C) map).
    """

    name = "minus-one-two"

    def __init__(self, C=10, lo=-1.0, hi=1.0, x0=None):
        self.C = batch_param("C", C, 3)
        if np.any(self.C != np.round(self.C)):
            raise ValueError(f"C={param_value(self.C)} must be an integer >= 3")
        params = {"C": int(self.C[0]) if len(self.C) == 1 else self.C.astype(int).tolist(),
                  "lo": float(lo), "hi": float(hi)}
        super().__init__(interval(lo, hi), len(self.C), params, x0)

    def stream(self):
        return _PeriodicLinear(self)

    @property
    def G_inf(self) -> np.ndarray:
        """g_t ∈ {−1, +2, 0}: G∞ = 2 for every instance."""
        return np.full(self.batch, 2.0)

    @property
    def period(self) -> int:
        """The period of g_t over the whole batch of instances: the lcm of the C's."""
        return math.lcm(*(int(c) for c in np.unique(self.C)))

    def gradients(self, t: np.ndarray) -> np.ndarray:
        phase = (np.asarray(t, dtype=np.int64)[:, None] - 1) % self.C.astype(np.int64)[None, :]
        return np.where(phase == 0, -1.0, np.where(phase == 1, 2.0, 0.0))[..., None]


def minus_one_two(C=10, lo=-1.0, hi=1.0, x0=None) -> MinusOneTwo:
    """The −1/2 example of Luo et al. (2019); see ``MinusOneTwo``."""
    return MinusOneTwo(C=C, lo=lo, hi=hi, x0=x0)
