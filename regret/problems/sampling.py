"""The order in which a finite-sum or data problem presents its n components, and seeded blocks.

Every order is a *function of (t, instance)*, never a running generator: the components of any
chunk of steps are computed from t alone, so a sample path does not depend on the chunk size,
on the rest of the batch, nor on where a run was interrupted and resumed (nothing to save).

    cyclic      j_t = (t − 1) mod n                       (the data in its own order, repeated;
                                                            ``online`` is the same sequence)
    reshuffle   epoch e = ⌊(t − 1)/n⌋ takes a fresh permutation π_e of {0..n−1}, j_t = π_e((t−1) mod n)
                (random reshuffling: sampling without replacement within an epoch)
    iid         j_t uniform on {0..n−1}, independent over t (sampling with replacement)

Randomness: instance i with seed s_i draws block k (steps kL+1..(k+1)L for i.i.d., epoch k for
reshuffling) from ``numpy.random.Generator(PCG64(SeedSequence(s_i, spawn_key=(k,))))``: one
SeedSequence stream per instance, split into independent blocks by its spawn key.

``counts(T)`` — how often each component was presented in steps 1..T, shape (B_p, n) — is what
an exact finite-sum comparator needs: O(n) memory whatever T is.  For cyclic and reshuffled
orders it is closed form (full epochs count once each); for i.i.d. it is tallied block by block
(O(T) time, extended incrementally from the last T asked).
"""
from __future__ import annotations

import numpy as np

from .. import validate

ORDERS = ("cyclic", "online", "reshuffle", "iid")
#: steps per seeded block of i.i.d. indices
BLOCK = 4096


def seeds_param(seed) -> np.ndarray:
    """A non-negative integer seed or a 1-d array of them (one problem instance each)."""
    seeds = np.atleast_1d(np.asarray(seed))
    if seeds.ndim != 1 or not np.issubdtype(seeds.dtype, np.integer) or np.any(seeds < 0):
        raise ValueError(f"seed={seed!r} must be a non-negative integer or a 1-d array of them")
    return seeds.astype(np.int64)


def block_rng(seed: int, block: int) -> np.random.Generator:
    """The generator of one block of one instance's stream."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(int(seed), spawn_key=(int(block),))))


class IndexPath:
    """Component index j_t ∈ {0..n−1} for every step t and instance (see the module docstring)."""

    def __init__(self, n: int, order: str, seeds: np.ndarray):
        self.n = validate.positive_int("n", n)
        self.order = validate.choice("order", order, ORDERS)
        self.seeds = np.asarray(seeds, dtype=np.int64)
        self._blocks: dict[tuple[int, int], np.ndarray] = {}
        self._counted_T = 0
        self._counts = np.zeros((len(self.seeds), self.n), dtype=np.int64)

    @property
    def random(self) -> bool:
        return self.order in ("reshuffle", "iid")

    def _block(self, i: int, k: int) -> np.ndarray:
        key = (i, k)
        blk = self._blocks.get(key)
        if blk is None:
            rng = block_rng(self.seeds[i], k)
            blk = rng.permutation(self.n) if self.order == "reshuffle" else rng.integers(0, self.n, BLOCK)
            if len(self._blocks) > 64:  # a chunk touches a few consecutive blocks: keep memory bounded
                self._blocks.clear()
            self._blocks[key] = blk
        return blk

    def indices(self, t: np.ndarray) -> np.ndarray:
        """j_t for the steps ``t`` (int64, (m,)): shape (m, B_p)."""
        t = np.asarray(t, dtype=np.int64)
        B = len(self.seeds)
        if not self.random:
            return np.broadcast_to(((t - 1) % self.n)[:, None], (len(t), B)).copy()
        L = self.n if self.order == "reshuffle" else BLOCK
        out = np.empty((len(t), B), dtype=np.int64)
        k = (t - 1) // L
        pos = (t - 1) % L
        for i in range(B):
            for kk in np.unique(k):
                sel = k == kk
                out[sel, i] = self._block(i, int(kk))[pos[sel]]
        return out

    def counts(self, T: int) -> np.ndarray:
        """How often each component was presented in steps 1..T: (B_p, n) int64."""
        T = int(T)
        B, n = len(self.seeds), self.n
        if self.order in ("cyclic", "online"):
            c = np.full(n, T // n, dtype=np.int64)
            c[: T % n] += 1
            return np.broadcast_to(c, (B, n)).copy()
        if self.order == "reshuffle":
            out = np.full((B, n), T // n, dtype=np.int64)
            r = T % n
            if r:
                for i in range(B):
                    out[i, self._block(i, T // n)[:r]] += 1
            return out
        if T < self._counted_T:
            self._counted_T, self._counts = 0, np.zeros((B, n), dtype=np.int64)
        t0 = self._counted_T + 1
        while t0 <= T:
            t1 = min(T, (t0 - 1) // BLOCK * BLOCK + BLOCK)
            idx = self.indices(np.arange(t0, t1 + 1))
            for i in range(B):
                self._counts[i] += np.bincount(idx[:, i], minlength=n)
            t0 = t1 + 1
        self._counted_T = T
        return self._counts.copy()
