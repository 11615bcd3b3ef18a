"""Reddi, Kale & Kumar (ICLR 2018), "On the Convergence of Adam and Beyond": the online and
stochastic counterexamples of Theorems 1–3 and the experiment of their Figure 1.

All live on F = [lo, hi] (default [−1, 1]) with linear losses, so gradients are time-only data
and the comparator is exact.
"""
from __future__ import annotations

import math

import numpy as np

from .. import checks
from ..feasible import interval
from .base import GradientStream, LinearProblem, batch_param, param_value


class ReddiOnline(LinearProblem):
    """f_t(x) = C·x if t mod P = 1, else −b·x, on [lo, hi].

    P = 3, b = 1 is Theorem 1's construction (Adam with β1 = 0, β2 = 1/(1+C²) fails for C > 2);
    P = C is Theorem 2's; C = 1010, P = 101, b = 10 is Figure 1's online experiment.  A period
    sums to C − (P−1)·b, positive in every construction, so the comparator is x* = lo.
    C, P and b may be 1-d arrays (a batch of instances).
    """

    name = "reddi-online"

    def __init__(self, C=3.0, P=3, b=1.0, lo=-1.0, hi=1.0, x0=None):
        self.C = batch_param("C", C, 0, lo_open=True)
        self.P = batch_param("P", P, 2)
        if np.any(self.P != np.round(self.P)):
            raise ValueError(f"P={param_value(self.P)} must be an integer >= 2")
        self.b = batch_param("b", b, 0)
        B = checks.batch_size({"C": len(self.C), "P": len(self.P), "b": len(self.b)})
        params = {"C": param_value(self.C), "P": int(self.P[0]) if len(self.P) == 1 else self.P.astype(int).tolist(),
                  "b": param_value(self.b), "lo": float(lo), "hi": float(hi)}
        super().__init__(interval(lo, hi), B, params, x0)

    def stream(self) -> GradientStream:
        return _PeriodicLinear(self)

    @property
    def G_inf(self) -> np.ndarray:
        """|g_t| is C or b: G∞ = max(C, b) per instance."""
        return _gradient_bound(self)

    @property
    def period(self) -> int:
        """The period of g_t over the whole batch of instances: the lcm of the P's."""
        return math.lcm(*(int(p) for p in np.unique(self.P)))

    def gradients(self, t: np.ndarray) -> np.ndarray:
        """g_t for integer steps t, shape (n, B_p, 1)."""
        t = np.asarray(t, dtype=np.int64)[:, None]
        P = self.P.astype(np.int64)[None, :]
        big = (t - 1) % P == 0
        return np.where(big, self.C[None, :], -self.b[None, :])[..., None]


class ReddiStochastic(LinearProblem):
    """f_t(x) = C·x with probability p, else −b·x, on [lo, hi], i.i.d. over t.

    Theorem 3's construction takes b = 1 and p = (1+δ)/(C+1), so E[g_t] = pC − (1−p)b = δ > 0
    and x* = lo = −1; Figure 1's stochastic experiment is C = 1010, b = 10, p = 0.01.  Pass
    ``p`` to override the δ-parametrisation.

    Randomness: instance i draws from its own ``numpy.random.Generator`` seeded by
    ``SeedSequence(seed_i)``, one uniform per step, so its sample path does not depend on the
    rest of the batch nor on the chunk size.  Instances sharing a seed share their uniforms
    (common random numbers), which is what a sweep over optimizers wants; pass an array of
    seeds for independent replicates.
    """

    name = "reddi-stochastic"
    stochastic = True

    def __init__(self, C=3.0, delta=0.1, p=None, b=1.0, seed=0, lo=-1.0, hi=1.0, x0=None):
        self.C = batch_param("C", C, 0, lo_open=True)
        self.delta = batch_param("delta", delta, 0)
        self.b = batch_param("b", b, 0)
        if p is None:
            p_arr = (1.0 + self.delta) / (self.C + 1.0)
            if np.any((p_arr <= 0) | (p_arr >= 1)):
                raise ValueError(
                    f"delta={param_value(self.delta)} with C={param_value(self.C)} gives "
                    f"p=(1+delta)/(C+1)={param_value(p_arr)}, outside (0, 1): need delta < C")
            self.p = p_arr
        else:
            self.p = batch_param("p", p, 0, 1, lo_open=True, hi_open=True)
        seeds = np.atleast_1d(np.asarray(seed))
        if seeds.ndim != 1 or not np.issubdtype(seeds.dtype, np.integer) or np.any(seeds < 0):
            raise ValueError(f"seed={seed!r} must be a non-negative integer or a 1-d array of them")
        self.seeds = seeds.astype(np.int64)
        B = checks.batch_size({"C": len(self.C), "delta": len(self.delta), "b": len(self.b),
                               "p": len(self.p), "seed": len(self.seeds)})
        params = {"C": param_value(self.C), "delta": param_value(self.delta),
                  "p": param_value(self.p), "b": param_value(self.b),
                  "seed": int(self.seeds[0]) if len(self.seeds) == 1 else self.seeds.tolist(),
                  "lo": float(lo), "hi": float(hi)}
        super().__init__(interval(lo, hi), B, params, x0)

    def stream(self) -> GradientStream:
        return _BernoulliStream(self)

    @property
    def G_inf(self) -> np.ndarray:
        """|g_t| is C or b: G∞ = max(C, b) per instance."""
        return _gradient_bound(self)

    @property
    def mean_gradient(self) -> np.ndarray:
        mu = self.p * self.C - (1.0 - self.p) * self.b
        return np.broadcast_to(mu, (self.batch,))[:, None].copy()


def _gradient_bound(problem) -> np.ndarray:
    return np.broadcast_to(np.maximum(problem.C, problem.b), (problem.batch,)).copy()


class _PeriodicLinear(GradientStream):
    """Stateless: g_t is a function of t that repeats with period L = ``problem.period``.

    One period is computed once; a chunk of consecutive steps is then a slice of a read-only
    repetition of it, with no per-step arithmetic (the modulo of t by the period, done per step,
    was a third of the time-only work of a B = 1 run).  A period of more than ``MAX_ELEMENTS``
    gradients over the batch (the lcm of a batch of coprime periods, say) is computed per step.
    """

    MAX_ELEMENTS = 1 << 20

    def __init__(self, problem):
        self.problem = problem
        L = int(problem.period)
        small = L * problem.batch * problem.dim <= self.MAX_ELEMENTS
        self._period = problem.gradients(np.arange(1, L + 1, dtype=np.int64)) if small else None
        self._tiled = None  # the period repeated, at least n + L steps: any n consecutive steps are a slice

    def take(self, t):
        t = np.asarray(t, dtype=np.int64)
        n, pat = len(t), self._period
        if pat is None or n == 0 or t[-1] - t[0] != n - 1:
            return self.problem.gradients(t)
        L = pat.shape[0]
        if self._tiled is None or self._tiled.shape[0] < n + L:
            tiled = np.tile(pat, (-(-(n + L) // L), 1, 1))
            tiled.flags.writeable = False  # slices are handed out: nobody may write through them
            self._tiled = tiled
        off = int((t[0] - 1) % L)
        return self._tiled[off:off + n]


class _BernoulliStream(GradientStream):
    def __init__(self, problem: ReddiStochastic):
        self.problem = problem
        n_inst = problem.batch
        seeds = np.broadcast_to(problem.seeds, (n_inst,))
        self._rngs = [np.random.Generator(np.random.PCG64(np.random.SeedSequence(int(s))))
                      for s in seeds]

    def take(self, t):
        pr = self.problem
        n = len(t)
        u = np.empty((n, pr.batch))
        for i, rng in enumerate(self._rngs):
            u[:, i] = rng.random(n)
        C = np.broadcast_to(pr.C, (pr.batch,))
        b = np.broadcast_to(pr.b, (pr.batch,))
        p = np.broadcast_to(pr.p, (pr.batch,))
        return np.where(u < p, C, -b)[..., None]

    def state(self):
        return [rng.bit_generator.state for rng in self._rngs]

    def restore(self, state):
        for rng, s in zip(self._rngs, state):
            rng.bit_generator.state = s
