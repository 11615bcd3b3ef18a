"""Online linear problems in d dimensions: f_t(x) = <g_t, x> on a box, ball or simplex.

The gradients are time-only data and the comparator is exact on every set
(min_{x∈F} <Σ_t g_t, x>: ``Box``/``Ball``/``Simplex.min_linear``).  The seeded adversaries are
i.i.d. over t with mean μ, so they are stochastic problems with E f(x) = <μ, x> and the engine
also reports the expected gap <μ, x_t> − min_F <μ, x>:

    gaussian     g_{t,i} = μ_i + s_i·ξ,  ξ ~ N(0, 1)
    rademacher   g_{t,i} = μ_i + s_i·ξ,  ξ = ±1 with probability ½ each
    sparse       g_{t,i} = μ_i + s_i·b·ξ, b ~ Bernoulli(p_i), ξ = ±1: coordinate i is seen with
                 frequency p_i and scale s_i — the regime where AdaGrad's per-coordinate rates
                 beat one global rate (Duchi, Hazan & Singer 2011; McMahan & Streeter 2010)

A user-given sequence (``grads``: an array (n, d), or a .npy/.npz/.csv path) is an online,
deterministic adversary; t > n repeats it (g_t = grads[(t − 1) mod n]).

Randomness: instance i (one per entry of ``seed``) draws block k of 1024 steps from
``SeedSequence(seed_i, spawn_key=(k,))`` (``sampling.block_rng``), so the stream is a function
of t: its sample path does not depend on the chunk size nor on the rest of the batch.
"""
from __future__ import annotations

import numpy as np

from .. import validate
from ..feasible import from_options
from .base import GradientStream, LinearProblem
from .data import load_array
from .reddi import _PeriodicLinear
from .sampling import block_rng, seeds_param

KINDS = ("gaussian", "rademacher", "sparse", "sequence")
BLOCK = 1024


def _per_coord(name, value, d, lo=None, hi=None, **kw) -> np.ndarray:
    arr = validate.in_range(name, value, lo, hi, **kw)
    if arr.ndim > 1 or (arr.ndim == 1 and arr.shape[0] not in (1, d)):
        raise ValueError(f"{name} must be a scalar or have d={d} entries, got shape {arr.shape}")
    return np.broadcast_to(arr, (d,)).astype(np.float64).copy()


class OnlineLinear(LinearProblem):
    """f_t(x) = <g_t, x> in d dimensions, g_t from a seeded adversary or a given sequence.

    ``kind``: gaussian | rademacher | sparse | sequence (see the module docstring).  ``mean``
    (μ), ``scale`` (s) and ``freq`` (p, sparse only) are scalars or (d,) arrays; ``seed`` an
    integer or a 1-d array (one instance each).  ``feasible``: box ([lo, hi]^d), ball (radius
    around center) or simplex (Σx = scale_F).  The comparator is exact on every set.
    ``G_inf``/``D_inf``: max |g_{t,i}| (exact for rademacher, sparse and sequences; for a
    Gaussian it is unbounded and reported as inf) and the ∞-diameter of F.
    """

    name = "linear"

    def __init__(self, kind="gaussian", d=10, mean=0.0, scale=1.0, freq=0.1, seed=0, grads=None,
                 feasible="box", lo=-1.0, hi=1.0, radius=1.0, center=0.0, simplex_scale=1.0, x0=None):
        self.kind = validate.choice("kind", kind, KINDS)
        if self.kind == "sequence":
            if grads is None:
                raise ValueError("kind='sequence' needs grads= (an (n, d) array or a .npy/.npz/.csv path)")
            seq = load_array("grads", grads)
            if seq.ndim == 1:
                seq = seq[:, None]
            if seq.ndim != 2 or seq.shape[0] < 1:
                raise ValueError(f"grads must have shape (n,) or (n, d), got shape {seq.shape}")
            self.sequence = seq
            d = seq.shape[1]
        elif grads is not None:
            raise ValueError(f"grads= is only for kind='sequence', not kind={kind!r}")
        d = validate.positive_int("d", d)
        self.mean = _per_coord("mean", mean, d)
        self.scale = _per_coord("scale", scale, d, 0)
        self.freq = _per_coord("freq", freq, d, 0, 1)
        self.seeds = seeds_param(seed)
        F = from_options(feasible, d, lo=lo, hi=hi, radius=radius, center=center, scale=simplex_scale)
        params = {"kind": self.kind, "d": d, "feasible": F.kind}
        if self.kind == "sequence":
            params["grads"] = grads if isinstance(grads, str) else self.sequence.tolist()
        else:
            params.update(mean=self.mean.tolist(), scale=self.scale.tolist(),
                          seed=int(self.seeds[0]) if len(self.seeds) == 1 else self.seeds.tolist())
            if self.kind == "sparse":
                params["freq"] = self.freq.tolist()
        batch = 1 if self.kind == "sequence" else len(self.seeds)
        if x0 is None and F.kind != "box":  # the center of a ball, the barycenter of a simplex
            x0 = F.center if F.kind == "ball" else np.full(d, F.scale / d)
        super().__init__(F, batch, params, x0)

    @property
    def stochastic(self) -> bool:  # type: ignore[override]
        return self.kind != "sequence"

    @property
    def period(self) -> int:
        return self.sequence.shape[0]

    def gradients(self, t: np.ndarray) -> np.ndarray:
        """A given sequence's g_t, shape (m, 1, d) (used by the periodic stream)."""
        idx = (np.asarray(t, dtype=np.int64) - 1) % self.sequence.shape[0]
        return self.sequence[idx][:, None, :]

    def stream(self) -> GradientStream:
        return _PeriodicLinear(self) if self.kind == "sequence" else _SeededLinear(self)

    @property
    def mean_gradient(self):
        if self.kind == "sequence":
            return None
        return np.broadcast_to(self.mean, (self.batch, self.dim)).copy()

    @property
    def G_inf(self) -> np.ndarray | None:
        """sup_t ‖g_t‖∞ per instance (the base class's contract: shape (B_p,)); None for the
        Gaussian adversary, whose gradients have no finite bound."""
        if self.kind == "sequence":
            return np.full(self.batch, float(np.max(np.abs(self.sequence))))
        if self.kind == "gaussian" and np.any(self.scale > 0):
            return None
        return np.full(self.batch, float(np.max(np.abs(self.mean) + self.scale)))

    @property
    def D_inf(self) -> float:
        return float(self.feasible.diameter_inf)

    def draw_block(self, i: int, k: int) -> np.ndarray:
        """Instance i's gradients for steps kL+1..(k+1)L, shape (L, d) (the definition of the stream)."""
        rng = block_rng(self.seeds[i], k)
        d = self.dim
        if self.kind == "gaussian":
            xi = rng.standard_normal((BLOCK, d))
        elif self.kind == "rademacher":
            xi = np.where(rng.random((BLOCK, d)) < 0.5, -1.0, 1.0)
        else:
            seen = rng.random((BLOCK, d)) < self.freq
            xi = np.where(seen, np.where(rng.random((BLOCK, d)) < 0.5, -1.0, 1.0), 0.0)
        return self.mean + self.scale * xi


class _SeededLinear(GradientStream):
    """Stateless: the gradients of step t are read from block ⌊(t − 1)/L⌋ of each instance."""

    def __init__(self, problem: OnlineLinear):
        self.problem = problem
        self._cache: dict[int, np.ndarray] = {}

    def _blocks(self, k: int) -> np.ndarray:
        blk = self._cache.get(k)
        if blk is None:
            pr = self.problem
            blk = np.stack([pr.draw_block(i, k) for i in range(pr.batch)], axis=1)  # (L, B_p, d)
            if len(self._cache) > 4:
                self._cache.clear()
            self._cache[k] = blk
        return blk

    def take(self, t):
        t = np.asarray(t, dtype=np.int64)
        pr = self.problem
        out = np.empty((len(t), pr.batch, pr.dim))
        k = (t - 1) // BLOCK
        pos = (t - 1) % BLOCK
        for kk in np.unique(k):
            sel = k == kk
            out[sel] = self._blocks(int(kk))[pos[sel]]
        return out
