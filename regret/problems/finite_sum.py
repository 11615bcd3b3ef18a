"""Finite-sum constructions of the later literature: f = Σ_{j<n} f_j on an interval, f_t = f_{j_t}.

Both are one-dimensional with piecewise-quadratic components, so the comparator
min_{x∈[lo,hi]} Σ_j c_j f_j(x) (c_j: how often component j was presented in steps 1..T,
``IndexPath.counts``, O(n) memory) is exact in closed form — the minimum of a quadratic (or of
each quadratic piece) over an interval, at a stationary point or an end.  The presentation
order is cyclic (the papers' runs), reshuffle or iid (``sampling``), seeded per instance.

``zhang`` — Zhang, Chen, Shi, Sun & Luo, "Adam Can Converge Without Any Modification On Update
Rules" (NeurIPS 2022; journal version Zhang, Li, Chen, Luo & Sun, arXiv 2603.02092, 2026), their
counterexample (2.5).  Read, as restated by the first author in his thesis (Yushun Zhang, "On the
Principles Behind Neural Network Optimizers", CUHK-Shenzhen, §2.2, eq. (2.5), which says the
section is based on both papers; the NeurIPS/arXiv body itself was not reachable here, only its
abstract).  For n ≥ 3, a > 0, f(x) = (1/n) Σ_{i=0}^{n−1} f_i(x) on x ∈ ℝ with

    f_0(x) = (1 + (n−1)a)·x                                    (x ≥ −1)
             (1 + (n−1)a)/2·(x + 2)² − (3 + 3(n−1)a)/2          (x < −1)
    f_i(x) = −a·x                                              (x ≥ −1)
             −a/2·(x + 2)² + 3a/2                              (x < −1),    i = 1..n−1

i.e. f_j = w_j·h(x) with h(x) = x (x ≥ −1), ½(x + 2)² − 3/2 (x < −1), w_0 = 1 + (n−1)a,
w_i = −a.  Each piece joins C¹ at x = −1; Σ_j f_j = h, minimised at x* = −2 with h(x*) = −3/2
(the f_i, i ≥ 1, are concave; the sum is convex).  "For instance, when a = 1/(n−1)², we have
D_1 = 2n², D_0 = 0" (their affine-variance constants, Assumption 2.2) — the instance the text
names, and this preset's default a.  With ε = 0 Adam is invariant to scaling every gradient by
one constant, so on x ≥ −1 only the ratio w_0/a = n(n−1) (default a) matters.  Their Algorithm
samples τ_k uniformly from {0..n−1} (``order="iid"``); Reddi-style cyclic order is ``cyclic``.
The paper is unconstrained and its divergence is "to infinity"; here F = [lo, hi] (default
[−4, 2]), so a divergent run is one driven to hi.
Last session's preset was recalled from memory as the special case a = 1 (f_0 = n·x, f_i = −x);
``a=1`` still gives it.

``shi`` — Shi, Li, Hong & Sun, "RMSprop Converges with Proper Hyper-parameter" (ICLR 2021),
Appendix A.2/A.3, read from the authors' code (github.com/soundsinteresting/RMSprop,
realizable.m / nonrealizable.m): 10 components, at steps t ≡ 0 (mod 10) the gradient
10(x − dev), else −(x − 10·dev/9), i.e.

    f_9(x) = 5(x − dev)²,   f_j(x) = −½(x − 10·dev/9)²  (j = 0..8)

whose sum is ½x² − 5·dev²/9, minimised at x* = 0.  dev = 0 is their realizable example (every
component is stationary at x*), dev = 100 the non-realizable one.  Their runs: cyclic order,
β1 = 0, β2 = 0.999, α_t = 0.1/√(10⌈t/10⌉), x_1 = 0.01 (realizable) or 0 (non-realizable),
unconstrained; here the default domain is [lo, hi] = [−10, 10] (their plots stay within ±1 of
x*), and the authors' unusual start v_0 = 100(x_1 − dev)² + 10(x_1 − 10dev/9)² is not reproduced
(the kernels start from v_0 = 0).
"""
from __future__ import annotations

import numpy as np

from .. import validate
from ..feasible import interval
from .base import GeneralProblem
from .sampling import IndexPath, seeds_param


def _min_quadratic(a: float, b: float, c: float, lo: float, hi: float) -> tuple[float, float]:
    """(min, argmin) of a·x² + b·x + c over [lo, hi], exactly (stationary point or an end)."""
    cands = [lo, hi]
    if a > 0:
        cands.append(min(max(-b / (2 * a), lo), hi))
    vals = [a * x * x + b * x + c for x in cands]
    k = int(np.argmin(vals))
    return float(vals[k]), float(cands[k])


class FiniteSum1D(GeneralProblem):
    """f_t = f_{j_t} for components j < n on [lo, hi]; subclasses give the components."""

    def __init__(self, n: int, order, seed, lo, hi, x0, params: dict):
        self.n = n
        self.seeds = seeds_param(seed)
        path = IndexPath(n, order, self.seeds)
        if not path.random:
            path = IndexPath(n, order, self.seeds[:1])
        self.path = path
        params = dict(params, order=order, lo=float(lo), hi=float(hi),
                      seed=int(self.seeds[0]) if len(self.seeds) == 1 else self.seeds.tolist())
        super().__init__(interval(lo, hi), len(path.seeds), params, x0)

    @property
    def stochastic(self) -> bool:  # type: ignore[override]
        return self.path.random

    def components(self, j: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(f_j(x), f_j'(x)) elementwise."""
        raise NotImplementedError

    def sum_min(self, counts: np.ndarray) -> tuple[float, float]:
        """(min, argmin) over [lo, hi] of Σ_j counts_j f_j, exactly."""
        raise NotImplementedError

    def grad(self, x, t):
        j = self.path.indices(np.array([t]))[0][:, None]
        return self.components(j, x)[1]

    def loss(self, x, t):
        j = self.path.indices(np.array([t]))[0]
        return self.components(j, x[..., 0])[0]

    def comparator(self, T):
        return np.array([self.sum_min(c.astype(np.float64))[0] for c in self.path.counts(T)])

    def jit_chunk(self, ts):
        return self.path.indices(ts)

    def expected_gap(self, x) -> np.ndarray:
        """(1/n)Σ_j f_j(x) − min_F (1/n)Σ_j f_j for x of shape (B, 1)."""
        j = np.arange(self.n)
        mean = np.mean(self.components(j[None, :], np.asarray(x)[:, :1])[0], axis=-1)
        return mean - self.sum_min(np.full(self.n, 1.0 / self.n))[0]

    @property
    def D_inf(self) -> float:
        return float(self.feasible.diameter_inf)

    @property
    def G_inf(self) -> np.ndarray:
        """max over components and the two ends of |f_j'| (every f_j' is monotone on each piece)."""
        j = np.arange(self.n)[:, None]
        ends = np.array([[self.feasible.lo[0], self.feasible.hi[0], -1.0]])
        ends = np.clip(ends, self.feasible.lo[0], self.feasible.hi[0])
        return np.full(self.batch, float(np.max(np.abs(self.components(j, ends)[1]))))


class Zhang(FiniteSum1D):
    """Zhang et al. (NeurIPS 2022), counterexample (2.5): n components on [lo, hi] (module docstring).

    Options: ``n`` (components, ≥ 2; the paper asks n ≥ 3), ``a`` (> 0, default 1/(n−1)², the
    paper's instance with D_1 = 2n²), ``order`` (cyclic | reshuffle | iid — the paper's Algorithm
    samples i.i.d.), ``seed``, the interval (default [−4, 2], which holds x* = −2 and the kink at
    −1) and ``x0`` (default hi).  Comparator exact: Σ_j c_j f_j = k·h(x), k = w_0·c_0 − a·Σ_{j≥1} c_j,
    h(x) = x (x ≥ −1), ½(x + 2)² − 3/2 (x < −1), minimised (k > 0) or maximised (k < 0) in closed form.
    """

    name = "zhang"

    def __init__(self, n=10, a=None, order="cyclic", seed=0, lo=-4.0, hi=2.0, x0=None):
        n = validate.positive_int("n", n, minimum=2)
        a = 1.0 / (n - 1) ** 2 if a is None else float(validate.in_range("a", a, 0.0, lo_open=True))
        self.a = a
        self.w0 = 1.0 + (n - 1) * a
        super().__init__(n, order, seed, lo, hi, x0, {"n": n, "a": a})

    def jit_rule(self):
        from .jit_rules import zhang_point

        return zhang_point, (np.array([self.w0, self.a]),)

    def components(self, j, x):
        j, x = np.broadcast_arrays(j, x)
        w = np.where(j == 0, self.w0, -self.a)
        up = x >= -1.0
        f = np.where(up, w * x, w * (0.5 * (x + 2.0) ** 2 - 1.5))
        g = np.where(up, w, w * (x + 2.0))
        return f, g

    def sum_min(self, counts):
        k = self.w0 * counts[0] - self.a * np.sum(counts[1:])
        lo, hi = float(self.feasible.lo[0]), float(self.feasible.hi[0])
        # h on the two pieces: x on [max(lo, −1), hi]; ½x² + 2x + 1/2 on [lo, min(hi, −1)]
        best = []
        if hi >= -1.0:
            best.append(_min_quadratic(0.0, k, 0.0, max(lo, -1.0), hi))
        if lo < -1.0:
            best.append(_min_quadratic(0.5 * k, 2.0 * k, 0.5 * k, lo, min(hi, -1.0)))
        return min(best)


class Shi(FiniteSum1D):
    """Shi et al. (ICLR 2021), Appendix: the 10-component quadratic with offset ``dev`` (module docstring).

    dev = 0: realizable (every f_j is stationary at x* = 0); dev = 100: non-realizable.  Options:
    ``dev``, ``order`` (cyclic, the paper's, | reshuffle | iid), ``seed``, the interval (default
    [−10, 10]) and ``x0`` (default 0.01, the realizable run's start).  Comparator exact: the
    weighted sum is the quadratic 5c_9(x − dev)² − ½(Σ_{j<9} c_j)(x − 10dev/9)², minimised over
    the interval in closed form.
    """

    name = "shi"

    def __init__(self, dev=0.0, order="cyclic", seed=0, lo=-10.0, hi=10.0, x0=0.01):
        self.dev = float(validate.finite("dev", dev))
        super().__init__(10, order, seed, lo, hi, x0, {"dev": self.dev})

    def jit_rule(self):
        from .jit_rules import shi_point

        return shi_point, (np.array([self.dev]),)

    def components(self, j, x):
        j, x = np.broadcast_arrays(j, x)
        big = j == 9
        dev, far = self.dev, 10.0 * self.dev / 9.0
        f = np.where(big, 5.0 * (x - dev) ** 2, -0.5 * (x - far) ** 2)
        g = np.where(big, 10.0 * (x - dev), -(x - far))
        return f, g

    def sum_min(self, counts):
        c9, cr = counts[9], float(np.sum(counts[:9]))
        dev, far = self.dev, 10.0 * self.dev / 9.0
        a = 5.0 * c9 - 0.5 * cr
        b = -10.0 * c9 * dev + cr * far
        c = 5.0 * c9 * dev ** 2 - 0.5 * cr * far ** 2
        return _min_quadratic(a, b, c, float(self.feasible.lo[0]), float(self.feasible.hi[0]))
