"""Feasible sets F with plain and weighted projection, batched over the leading axis.

The weighted projection of the generic adaptive method (Reddi et al. 2018, Alg. 1) is

    Π_{F,A}(y) = argmin_{x ∈ F} ‖A^{1/2} (x − y)‖,   A = diag(a) with a > 0,

and ``project(y, weight=a)`` computes it for every row of ``y`` (shape (B, d)) with its own row
of weights.  On a box the weighted projection equals coordinatewise clipping whatever the
weights, so ``Box`` ignores them; sets where it does not (ball, simplex) use them.  A weight may
be +inf (a coordinate whose effective learning rate is 0, so it must not move); a row already
inside F is returned unchanged whatever its weights (it is its own projection).

Every set also answers the linear-comparator question exactly: ``min_linear(G)`` is
min_{x ∈ F} <G, x> per row, which with G = Σ_t g_t is the comparator of linear regret.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import validate


@dataclass(frozen=True, eq=False)
class Box:
    """F = {x : lo ≤ x ≤ hi} (coordinatewise), lo and hi of shape (d,)."""

    lo: np.ndarray
    hi: np.ndarray

    def __post_init__(self):
        lo = np.atleast_1d(validate.finite("lo", self.lo)).astype(np.float64)
        hi = np.atleast_1d(validate.finite("hi", self.hi)).astype(np.float64)
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


def _rows(y: np.ndarray, weight, d: int) -> tuple[np.ndarray, np.ndarray]:
    """y as (B, d) float and b = 1/weight broadcast to it (b = 1 for the plain projection)."""
    y = np.asarray(y, dtype=np.float64)
    if y.shape[-1] != d:
        raise ValueError(f"points have {y.shape[-1]} coordinates; the set lives in dimension {d}")
    if weight is None:
        return y, np.ones_like(y)
    w = np.asarray(weight, dtype=np.float64)
    if np.any(~(w > 0)):
        raise ValueError("projection weights must be positive (+inf allowed)")
    with np.errstate(divide="ignore"):
        b = np.broadcast_to(1.0 / w, y.shape)
    return y, b


@dataclass(frozen=True, eq=False)
class Ball:
    """F = {x : ‖x − center‖₂ ≤ radius}, center of shape (d,).

    Weighted projection, A = diag(a), z = y − c outside the ball: the KKT conditions give
    x_i − c_i = z_i/(1 + μ·b_i), b_i = 1/a_i, with the multiplier μ > 0 the root of
    ‖x(μ)‖ = radius.  It is found per row by Newton's method on the secular equation
    ψ(μ) = 1/‖x(μ)‖ − 1/radius, which is concave and increasing, so Newton from μ = 0
    increases monotonically to the root (Moré & Sorensen 1983, the trust-region subproblem).
    With equal weights this is the radial projection c + z·radius/‖z‖.
    """

    center: np.ndarray
    radius: float = 1.0

    kind = "ball"

    def __post_init__(self):
        c = np.atleast_1d(validate.finite("center", self.center)).astype(np.float64)
        if c.ndim != 1:
            raise ValueError(f"center must be a 1-d point, got shape {c.shape}")
        r = float(validate.in_range("radius", self.radius, 0, lo_open=True))
        object.__setattr__(self, "center", c.copy())
        object.__setattr__(self, "radius", r)

    @property
    def dim(self) -> int:
        return self.center.shape[0]

    @property
    def diameter_inf(self) -> float:
        """D∞ = max_{x,y ∈ F} ‖x − y‖∞ = 2·radius (along a coordinate axis)."""
        return 2.0 * self.radius

    def contains(self, x: np.ndarray, tol: float = 0.0) -> np.ndarray:
        z = np.asarray(x, dtype=np.float64) - self.center
        return np.sqrt(np.sum(z * z, axis=-1)) <= self.radius * (1.0 + 1e-12) + tol

    def min_linear(self, G: np.ndarray) -> np.ndarray:
        """min_{x∈F} <G, x> = <G, c> − radius·‖G‖₂, per row."""
        G = np.asarray(G, dtype=np.float64)
        return G @ self.center - self.radius * np.sqrt(np.sum(G * G, axis=-1))

    def argmin_linear(self, G: np.ndarray) -> np.ndarray:
        """c − radius·G/‖G‖ (the center where G = 0)."""
        G = np.asarray(G, dtype=np.float64)
        n = np.sqrt(np.sum(G * G, axis=-1, keepdims=True))
        return self.center - self.radius * G / np.where(n > 0, n, 1.0)

    def project(self, y: np.ndarray, weight: np.ndarray | None = None, *, iters: int = 100) -> np.ndarray:
        """Π_{F,diag(weight)}(y) per row; the radial projection when ``weight`` is None."""
        y, b = _rows(y, weight, self.dim)
        y2 = np.atleast_2d(y)
        z = y2 - self.center
        b = np.atleast_2d(np.broadcast_to(b, y.shape))
        r = self.radius
        out = y2.copy()
        norm = np.sqrt(np.sum(z * z, axis=-1))
        outside = norm > r
        if np.any(outside):
            zo, bo = z[outside], b[outside]
            if weight is None:
                xo = zo * (r / norm[outside])[:, None]
            else:
                xo = self._weighted(zo, bo, r, iters)
            out[outside] = self.center + xo
        return out.reshape(y.shape)

    @classmethod
    def _weighted(cls, z: np.ndarray, b: np.ndarray, r: float, iters: int) -> np.ndarray:
        # Two rows Newton cannot take, both answered by the limit μ → ∞ (the coordinates that
        # may move at the center), pulled inside: the coordinates that must not move (b = 0)
        # alone outside the ball, where ψ < 0 for every μ (Newton would run μ to +inf, NaN at
        # b = 0), and a finite z whose ‖z‖² overflows (a blow-up in progress).
        z2 = z * z
        fixed2 = np.sum(np.where(b == 0, z2, 0.0), axis=-1)
        special = ~(fixed2 < r * r) | ~np.isfinite(np.sum(z2, axis=-1))
        if np.any(special):
            x = np.where(b == 0, z, 0.0)
            m = np.max(np.abs(x[special]), axis=-1)  # ‖x‖ = m·‖x/m‖ does not overflow
            n = m * np.sqrt(np.sum((x[special] / np.where(m > 0, m, 1.0)[:, None]) ** 2, axis=-1))
            x[special] *= np.minimum(1.0, r / np.where(n > 0, n, r))[:, None]
            if not np.all(special):
                x[~special] = cls._newton(z[~special], b[~special], r, iters)
            return x
        return cls._newton(z, b, r, iters)

    @staticmethod
    def _newton(z: np.ndarray, b: np.ndarray, r: float, iters: int) -> np.ndarray:
        # Start at μ₀ = (‖z‖/r − 1)/max_i b_i ≤ μ*: there ‖x(μ₀)‖ ≥ ‖z‖/(1 + μ₀ max b) = r, so
        # Newton still increases monotonically to the root, in a few steps instead of dozens.
        z2 = z * z
        bmax = np.max(b, axis=-1)
        mu = np.where(bmax > 0, (np.sqrt(np.sum(z2, axis=-1)) / r - 1.0) / np.where(bmax > 0, bmax, 1.0), 0.0)
        for _ in range(iters):
            q = 1.0 / (1.0 + mu[:, None] * b)
            s = np.sum(z2 * q * q, axis=-1)                      # ‖x(μ)‖²
            ds = np.sum(b * z2 * q * q * q, axis=-1)             # −½ d‖x‖²/dμ
            psi = 1.0 / np.sqrt(s) - 1.0 / r
            dpsi = ds / s ** 1.5
            # fixed coordinates (b = 0) alone outside the ball: no μ helps; stop there
            step = np.where(dpsi > 0, -psi / np.where(dpsi > 0, dpsi, 1.0), 0.0)
            mu = mu + step
            # Newton from below takes positive steps; a step that is not (rounding at the root) ends it
            if np.all(step <= 1e-15 * np.maximum(mu, 1e-300)):
                break
        x = z / (1.0 + mu[:, None] * b)
        n = np.sqrt(np.sum(x * x, axis=-1))
        # the root is approached from inside-out (monotone Newton); pull the last ulp inside
        return x * np.minimum(1.0, r / np.where(n > 0, n, r))[:, None]

    def describe(self) -> dict:
        return {"kind": "ball", "center": self.center.tolist(), "radius": self.radius}


@dataclass(frozen=True, eq=False)
class Simplex:
    """F = {x : x ≥ 0, Σ_i x_i = scale} in dimension ``dim`` (the probability simplex for scale 1).

    Weighted projection, A = diag(a), b = 1/a: the KKT conditions give x_i = max(0, y_i − λ·b_i)
    with λ the root of Σ_i max(0, y_i − λ b_i) = scale, a decreasing piecewise-linear function.
    Sorting the breakpoints y_i/b_i in decreasing order, the active set is the longest prefix j
    with y_(j) − λ_j b_(j) > 0, λ_j = (Σ_{k≤j} y_(k) − scale)/Σ_{k≤j} b_(k): the weighted form
    of the sort-based algorithm of Held, Wolfe & Crowder (1974) / Duchi et al. (2008),
    vectorised over rows.
    """

    dim: int
    scale: float = 1.0

    kind = "simplex"

    def __post_init__(self):
        object.__setattr__(self, "dim", validate.positive_int("dim", self.dim))
        object.__setattr__(self, "scale", float(validate.in_range("scale", self.scale, 0, lo_open=True)))

    @property
    def diameter_inf(self) -> float:
        """D∞ = scale (between two vertices scale·e_i, scale·e_j; 0 when dim = 1)."""
        return self.scale if self.dim > 1 else 0.0

    def contains(self, x: np.ndarray, tol: float = 0.0) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        slack = tol + 1e-12 * self.scale * self.dim
        return np.all(x >= -tol, axis=-1) & (np.abs(np.sum(x, axis=-1) - self.scale) <= slack)

    def min_linear(self, G: np.ndarray) -> np.ndarray:
        """min_{x∈F} <G, x> = scale·min_i G_i, per row (a vertex is optimal)."""
        return self.scale * np.min(np.asarray(G, dtype=np.float64), axis=-1)

    def argmin_linear(self, G: np.ndarray) -> np.ndarray:
        """The vertex scale·e_i, i = argmin_i G_i (the first one on ties)."""
        G = np.asarray(G, dtype=np.float64)
        out = np.zeros(G.shape)
        np.put_along_axis(out, np.argmin(G, axis=-1)[..., None], self.scale, axis=-1)
        return out

    def project(self, y: np.ndarray, weight: np.ndarray | None = None) -> np.ndarray:
        """Π_{F,diag(weight)}(y) per row (Euclidean when ``weight`` is None)."""
        y, b = _rows(y, weight, self.dim)
        y2 = np.atleast_2d(y)
        b2 = np.atleast_2d(np.broadcast_to(b, y.shape))
        out = y2.copy()
        inside = self.contains(y2)
        todo = ~inside
        if np.any(todo):
            out[todo] = self._project(y2[todo], b2[todo])
        return out.reshape(y.shape)

    def _project(self, y: np.ndarray, b: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            brk = np.where(b > 0, y / np.where(b > 0, b, 1.0), np.inf)   # b = 0: never leaves
            order = np.argsort(-brk, axis=-1, kind="stable")
            ys = np.take_along_axis(y, order, axis=-1)
            bs = np.take_along_axis(b, order, axis=-1)
            cy, cb = np.cumsum(ys, axis=-1), np.cumsum(bs, axis=-1)
            lam_j = np.where(cb > 0, (cy - self.scale) / np.where(cb > 0, cb, 1.0), -np.inf)
            ok = ys - lam_j * bs > 0
            ok |= bs == 0
            # the active prefix: the last j where the condition holds (it holds for every j ≤ ρ)
            rho = self.dim - 1 - np.argmax(ok[:, ::-1], axis=-1)
            lam = np.take_along_axis(lam_j, rho[:, None], axis=-1)
            lam = np.where(np.isfinite(lam), lam, 0.0)
            return np.maximum(0.0, y - lam * b)

    def describe(self) -> dict:
        return {"kind": "simplex", "dim": self.dim, "scale": self.scale}


FEASIBLE_KINDS = ("box", "ball", "simplex")


def from_options(kind: str, dim: int, lo=-1.0, hi=1.0, radius=1.0, center=0.0, scale=1.0):
    """The feasible set a problem's ``feasible=`` option names, in dimension ``dim``.

    ``"box"``: [lo, hi]^d (lo, hi scalars or (d,)); ``"ball"``: {‖x − center‖₂ ≤ radius};
    ``"simplex"``: {x ≥ 0, Σx = scale}.  Every one answers the exact linear comparator
    (``min_linear``) and the weighted projection Π_{F,diag(1/η)} the adaptive methods need.
    """
    kind = validate.choice("feasible", kind, FEASIBLE_KINDS)
    dim = validate.positive_int("d", dim)
    if kind == "box":
        try:
            lo_, hi_ = (np.broadcast_to(validate.finite(n, v), (dim,)) for n, v in (("lo", lo), ("hi", hi)))
        except ValueError as exc:
            if "must be finite" in str(exc):
                raise
            raise ValueError(f"lo/hi must be scalars or have d={dim} entries, got shapes "
                             f"{np.shape(lo)} and {np.shape(hi)}") from None
        return Box(lo_, hi_)
    if kind == "ball":
        c = validate.finite("center", center)
        if c.ndim > 1 or (c.ndim == 1 and c.shape[0] not in (1, dim)):
            raise ValueError(f"center must be a scalar or have d={dim} entries, got shape {c.shape}")
        return Ball(np.broadcast_to(c, (dim,)).copy(), radius)
    return Simplex(dim, scale)

