"""Reddi, Kale & Kumar (ICLR 2018), "On the Convergence of Adam and Beyond": the online and
stochastic counterexamples of Theorems 1–3 and the experiment of their Figure 1.

All live on F = [lo, hi] (default [−1, 1]) with linear losses, so gradients are time-only data
and the comparator is exact.
"""
from __future__ import annotations

import math

import numba
import numpy as np
from numba.extending import register_jitable

from .. import validate
from ..feasible import interval
from .base import GradientStream, JitGradient, LinearProblem, batch_param, param_value


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
        B = validate.batch_size({"C": len(self.C), "P": len(self.P), "b": len(self.b)})
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

    Randomness: the uniform of step t of instance i is the t-th ``nextDouble()`` of
    ``new SplittableRandom(seed_i).split()`` (SplitMix64, Steele, Lea & Flood, OOPSLA 2014; see
    ``splitmix_stream``), mix64(s_i + t·γ_i) >> 11 times 2^−53, computed directly from (seed_i, t):
    the generator is counter-based, so the sample path is a pure function of (seed, t).  It does
    not depend on the rest of the batch, the chunk size or what was drawn before, and a gradient
    stream has no state to save.  Instances sharing a seed share their uniforms (common random
    numbers), which is what a sweep over optimizers wants; pass an array of seeds for independent
    replicates.  (Until 2026-12-02 the draws came from one numpy PCG64 generator per instance,
    seeded by ``SeedSequence(seed_i)``, ~10× slower for 10^4 seeds; ``describe()["rng"]``
    records which generator a run used.)
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
        B = validate.batch_size({"C": len(self.C), "delta": len(self.delta), "b": len(self.b),
                               "p": len(self.p), "seed": len(self.seeds)})
        params = {"C": param_value(self.C), "delta": param_value(self.delta),
                  "p": param_value(self.p), "b": param_value(self.b),
                  "seed": int(self.seeds[0]) if len(self.seeds) == 1 else self.seeds.tolist(),
                  "lo": float(lo), "hi": float(hi)}
        super().__init__(interval(lo, hi), B, params, x0)

    def describe(self) -> dict:
        # the generator is provenance, not a constructor option: ``params`` must rebuild the
        # problem (``regret.studies.run_bounds``, sharded sweeps), ``rng`` says how it drew
        return {**super().describe(), "rng": RNG}

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
    """Stateless: g_t = C if u(seed, t) < p else −b, the uniforms from ``bernoulli_fill``; a chunk is
    computed on the engine's input thread while the compiled loop runs the previous one, or, in
    the fused engine's vectorised and one-configuration loops, drawn in the loop itself
    (``jitable``, the same function of (seed, t))."""

    def __init__(self, problem: ReddiStochastic):
        self.problem = problem
        n = problem.batch
        self._base, self._gamma = splitmix_streams(np.broadcast_to(problem.seeds, (n,)))
        self._C, self._b, self._p = (np.ascontiguousarray(np.broadcast_to(a, (n,)), dtype=np.float64)
                                     for a in (problem.C, problem.b, problem.p))

    def jitable(self) -> JitGradient:
        """The same draws inside the fused engine's loops: ``bernoulli_gradient`` of (s_i, γ_i)
        and (C_i, b_i, p_i)."""
        return JitGradient(bernoulli_gradient, np.stack([self._base, self._gamma]),
                           np.stack([self._C, self._b, self._p]))

    def take(self, t):
        t = np.asarray(t, dtype=np.int64)
        n = len(t)
        out = np.empty((n, self.problem.batch))
        if n:
            if t[-1] - t[0] == n - 1:  # consecutive steps (every chunk)
                bernoulli_fill(self._base, self._gamma, self._C, self._b, self._p, int(t[0]), out)
            else:
                for j, tj in enumerate(t.tolist()):
                    bernoulli_fill(self._base, self._gamma, self._C, self._b, self._p, tj, out[j:j + 1])
        return out[..., None]


#: the generator of the draws, recorded in the problem's provenance (``describe()["rng"]``)
RNG = "splitmix64"

_GOLDEN = 0x9E3779B97F4A7C15
_MASK64 = (1 << 64) - 1


def _mix64(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


def _mix_gamma(z: int) -> int:
    z = ((z ^ (z >> 33)) * 0xFF51AFD7ED558CCD) & _MASK64
    z = ((z ^ (z >> 33)) * 0xC4CEB9FE1A85EC53) & _MASK64
    z = (z ^ (z >> 33)) | 1
    return z ^ 0xAAAAAAAAAAAAAAAA if bin(z ^ (z >> 1)).count("1") < 24 else z


def splitmix_stream(seed: int) -> tuple[int, int]:
    """(s, γ) of instance ``seed``: the child ``new SplittableRandom(seed).split()`` of Java's
    SplittableRandom (Steele, Lea & Flood, "Fast splittable pseudorandom number generators",
    OOPSLA 2014), whose t-th output is mix64(s + t·γ) mod 2^64: counter-based, so the draw of step
    t needs nothing drawn before it."""
    z = (int(seed) + _GOLDEN) & _MASK64
    s = _mix64(z)
    z = (z + _GOLDEN) & _MASK64
    return s, _mix_gamma(z)


def splitmix_streams(seeds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``splitmix_stream`` of each seed, as two uint64 arrays (numpy's uint64 arithmetic wraps
    modulo 2^64, as the generator's does; tested against the integer version)."""
    u = np.uint64
    z = seeds.astype(np.uint64) + u(_GOLDEN)

    def mix64(z):
        z = (z ^ (z >> u(30))) * u(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> u(27))) * u(0x94D049BB133111EB)
        return z ^ (z >> u(31))

    base = mix64(z)
    z = z + u(_GOLDEN)
    z = (z ^ (z >> u(33))) * u(0xFF51AFD7ED558CCD)
    z = (z ^ (z >> u(33))) * u(0xC4CEB9FE1A85EC53)
    z = (z ^ (z >> u(33))) | u(1)
    gamma = np.where(np.bitwise_count(z ^ (z >> u(1))) < 24, z ^ u(0xAAAAAAAAAAAAAAAA), z)
    return np.ascontiguousarray(base), np.ascontiguousarray(gamma)


_C1, _C2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)


@numba.njit(cache=True, nogil=True)
def bernoulli_fill(base, gamma, C, b, p, t0, out):
    """out[j, i] = C_i if u_i(t0 + j) < p_i else −b_i, where u_i(t) = (mix64(base_i + t·γ_i) >> 11)·2^−53
    is the t-th ``nextDouble()`` of instance i's SplittableRandom (``splitmix_stream``).  The loop
    over instances is innermost and branch-free, so LLVM vectorises it (64-bit multiplies)."""
    n, m = out.shape
    if m < 8:  # few instances: the loop over steps innermost (a run of one configuration)
        for i in range(m):
            col = out[:, i]
            for j in range(n):
                col[j] = _bernoulli(base[i], gamma[i], C[i], b[i], p[i], np.uint64(t0 + j))
        return
    for j in range(n):
        tj = np.uint64(t0 + j)
        for i in range(m):
            out[j, i] = _bernoulli(base[i], gamma[i], C[i], b[i], p[i], tj)


@numba.njit(inline="always")
def _bernoulli(base, gamma, C, b, p, t):
    z = base + t * gamma
    z = (z ^ (z >> _S30)) * _C1
    z = (z ^ (z >> _S27)) * _C2
    z = z ^ (z >> _S31)
    # z >> 11 < 2^53 is exact as a signed integer, whose conversion to float is one instruction
    u = float(np.int64(z >> _S11)) * (1.0 / 9007199254740992.0)
    return C if u < p else -b


@register_jitable
def bernoulli_gradient(t, ints, floats):
    """g_t of one instance (``JitGradient``): ints = (s, γ), floats = (C, b, p), its columns of the
    stream's data; the same ``_bernoulli`` as ``bernoulli_fill``, so the same numbers bit for bit."""
    return _bernoulli(ints[0], ints[1], floats[0], floats[1], floats[2], np.uint64(t))
