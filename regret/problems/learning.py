"""Learning problems f_t(x) = ℓ(<a_{j_t}, x>, y_{j_t}) over a data set {(a_j, y_j)}_{j<n}.

Losses (ℓ(z, y) and the (sub)gradient ∂ℓ/∂z used, so ∇f_t(x) = ∂ℓ/∂z · a):

    squares    ½(z − y)²                 z − y
    logistic   log(1 + e^{−yz})          −y·σ(−yz),  y ∈ {−1, +1}
    hinge      max(0, 1 − yz)            −y·[yz < 1] (a subgradient), y ∈ {−1, +1}
    absolute   |z − y|                   sign(z − y) (a subgradient)

The data: ``A``/``y`` arrays (API), ``data=`` a path (.npy/.npz/.csv, see ``data.load_xy``) or
one of scikit-learn's bundled sets (iris, breast_cancer, diabetes: no download), or else the
seeded generator of ``data.generate`` (``n, d, sparsity, cond, noise, margin, data_seed``).
The order j_t: cyclic (= online: the data in order, repeated), reshuffle or iid
(``sampling``), seeded per instance by ``seed`` (an array gives a batch of instances).

Comparator: min_{x∈F} Σ_j c_j ℓ(<a_j, x>, y_j) with c_j the number of times point j was
presented in steps 1..T (``IndexPath.counts``, O(n) memory), solved in the d unknowns
(``convex``; n-length vectors and d×d matrices only).  Which are exact, and to what:
  * squares, from the sufficient statistics H = Σ c_j a_j a_jᵀ, b = Σ c_j y_j a_j, s = Σ c_j y_j²:
    ½xᵀHx − bᵀx + ½s; **exact up to rounding** on every set: a box by bounded-variable least
    squares (scipy ``lsq_linear``, BVLS, active set), a ball by the trust-region subproblem
    (eigendecomposition of H and the secular equation's root, ``convex.ball_qp``), a simplex by a
    primal active-set method (``convex.simplex_qp``);
  * hinge and absolute: **exact up to rounding and HiGHS's tolerances** on a box or simplex: a
    smoothed start, then linear programs (HiGHS) on the terms near their kink only, a relaxation
    whose bound meets its point's value (``convex.reduced_lp``; the full sparse LP as a fallback);
    on a ball **certified to a duality gap ≤ 1e-12·max(1, |min|)**: a smoothed start, then on
    the terms near their kink only (the same relaxation, ``convex.reduced_ball``) smoothing and
    Newton with the exact ball step, the pieces at the optimum solved in closed form (or, for an
    interior optimum, the simplex method's vertex walk), the gap from a dual point
    (``convex.piecewise_linear``; measured ~1e-15 relative);
  * logistic: Newton's method with the exact QP step over F (``convex.newton``; on a box from
    L-BFGS-B's point), **certified to a Frank–Wolfe gap ≤ 1e-12·max(1, |min|)**.
``minimize(w, with_gap=True)`` also returns the certified gap (rounding's size for the exact ones).
The expected gap of a stochastic order: ``expected_gap(x)`` = F(x) − min_F F with
F(x) = (1/n) Σ_j ℓ(<a_j, x>, y_j) (the expected loss under uniform sampling).
"""
from __future__ import annotations

import inspect

import numpy as np

from .. import validate
from ..feasible import from_options
from ..kernels.base import jitable
from .base import GeneralProblem
from . import convex
from .blas import one_blas_thread
from .data import BUNDLED, bundled, generate, load_array, load_xy
from .sampling import IndexPath, seeds_param

LOSSES = ("squares", "logistic", "hinge", "absolute")
TOL = 1e-12  # L-BFGS-B's gradient tolerance (logistic on a box, the start of Newton's steps)


@jitable
def loss_squares(z, y):
    return 0.5 * (z - y) * (z - y)


@jitable
def dloss_squares(z, y):
    return z - y


@jitable
def loss_logistic(z, y):
    m = -y * z
    return np.maximum(m, 0.0) + np.log1p(np.exp(-np.abs(m)))


@jitable
def dloss_logistic(z, y):
    # −y·σ(m), m = −yz, from the loss's e = exp(−|m|): σ(m) = 1/(1 + e) for m ≥ 0, e/(1 + e) below
    # (min(1, e + [m ≥ 0]) is that numerator exactly, for arrays and scalars alike).  Compiled
    # beside ``loss_logistic``, the two share one exp (LLVM merges the calls); relative error a few
    # ulps for every m, where 0.5·(1 + tanh(m/2)) lost all digits below m ≈ −37
    m = -y * z
    e = np.exp(-np.abs(m))
    return -y * (np.minimum(1.0, e + (m >= 0.0)) / (1.0 + e))


@jitable
def loss_hinge(z, y):
    return np.maximum(0.0, 1.0 - y * z)


@jitable
def dloss_hinge(z, y):
    return -y * (y * z < 1.0)


@jitable
def loss_absolute(z, y):
    return np.abs(z - y)


@jitable
def dloss_absolute(z, y):
    return np.sign(z - y)


LOSS_FUNCTIONS = {"squares": (loss_squares, dloss_squares), "logistic": (loss_logistic, dloss_logistic),
                  "hinge": (loss_hinge, dloss_hinge), "absolute": (loss_absolute, dloss_absolute)}


class Learning(GeneralProblem):
    """f_t(x) = ℓ(<a_{j_t}, x>, y_{j_t}) on a box, ball or simplex; see the module docstring."""

    name = "learning"

    def __init__(self, loss="squares", data=None, A=None, y=None, n=1000, d=10, sparsity=0.0, cond=1.0,
                 noise=0.1, margin=0.0, data_seed=0, order="iid", seed=0, feasible="box", lo=-1.0, hi=1.0,
                 radius=1.0, center=0.0, simplex_scale=1.0, x0=None):
        self.loss_name = validate.choice("loss", loss, LOSSES)
        classify = self.loss_name in ("logistic", "hinge")
        if A is not None or y is not None:
            if data is not None:
                raise ValueError("give the data either as A=/y= arrays or as data=, not both")
            if A is None or y is None:
                raise ValueError("A= and y= go together (features (n, d) and targets (n,))")
            A, y = load_array("A", A), load_array("y", y)
            source = "arrays"
        elif data is None:
            A, y, _ = generate(n, d, "classification" if classify else "regression", sparsity, cond, noise,
                               margin, data_seed)
            source = "generated"
        elif isinstance(data, str) and data in BUNDLED:
            A, y, _task = bundled(data)
            source = data
        else:
            A, y = load_xy("data", data)
            source = data if isinstance(data, str) else "array"
        if A.ndim == 1:
            A = A[:, None]
        if A.ndim != 2 or y.ndim != 1 or A.shape[0] != y.shape[0]:
            raise ValueError(f"A must be (n, d) and y (n,) with the same n, got shapes {A.shape} and {y.shape}")
        if classify and not np.all(np.isin(y, (-1.0, 1.0))):
            bad = y[~np.isin(y, (-1.0, 1.0))][0]
            raise ValueError(f"y holds {bad:g}: the {self.loss_name} loss needs labels -1 or +1")
        self.A, self.y = np.ascontiguousarray(A), np.ascontiguousarray(y)
        n, d = self.A.shape
        self.seeds = seeds_param(seed)
        self.path = IndexPath(n, order, self.seeds)
        batch = len(self.seeds) if self.path.random else 1
        if not self.path.random:
            self.path = IndexPath(n, order, self.seeds[:1])
        F = from_options(feasible, d, lo=lo, hi=hi, radius=radius, center=center, scale=simplex_scale)
        self._loss, self._dloss = LOSS_FUNCTIONS[self.loss_name]
        params = {"loss": self.loss_name, "data": source, "n": n, "d": d, "order": order, "feasible": F.kind,
                  "seed": int(self.seeds[0]) if len(self.seeds) == 1 else self.seeds.tolist()}
        if source == "generated":
            params.update(sparsity=sparsity, cond=cond, noise=noise, margin=margin, data_seed=data_seed)
        if x0 is None and F.kind != "box":
            x0 = F.center if F.kind == "ball" else np.full(d, F.scale / d)
        super().__init__(F, batch, params, x0)
        self._opt_cache: dict = {}

    @property
    def stochastic(self) -> bool:  # type: ignore[override]
        return self.path.random

    # -- the losses ---------------------------------------------------------------------------
    def _points(self, t: int):
        j = self.path.indices(np.array([t]))[0]  # (B_p,)
        return self.A[j], self.y[j]

    def grad(self, x, t):
        a, y = self._points(t)
        z = np.sum(a * x, axis=-1)
        return self._dloss(z, y)[:, None] * a

    def loss(self, x, t):
        a, y = self._points(t)
        return self._loss(np.sum(a * x, axis=-1), y)

    def jit_rule(self):
        """The compiled engine's rule (``regret.engine.compiled``): ``jit_rules.learning_point``."""
        from .jit_rules import learning_point

        return learning_point(self._loss, self._dloss), (self.A, self.y)

    def jit_block(self):
        """The compiled engine's rule for a block of configurations: ``jit_rules.learning_point(block=True)``."""
        from .jit_rules import learning_point

        return learning_point(self._loss, self._dloss, block=True)

    def jit_chunk(self, ts):
        return self.path.indices(ts)

    @property
    def G_inf(self) -> np.ndarray:
        """A bound on ‖∇f_t‖∞ over F: max_j |∂ℓ| · ‖a_j‖∞ (|∂ℓ| ≤ 1 except for squares)."""
        amax = np.max(np.abs(self.A), axis=1)
        if self.loss_name != "squares":
            return np.full(self.batch, float(np.max(amax)))
        F = self.feasible  # |<a, x>| ≤ ‖a‖₁ · max_F ‖x‖∞
        xinf = (float(np.max(np.abs(np.concatenate([F.lo, F.hi])))) if F.kind == "box" else
                float(np.max(np.abs(F.center)) + F.radius) if F.kind == "ball" else F.scale)
        zmax = np.sum(np.abs(self.A), axis=1) * xinf
        return np.full(self.batch, float(np.max((zmax + np.abs(self.y)) * amax)))

    @property
    def D_inf(self) -> float:
        return float(self.feasible.diameter_inf)

    # -- comparators --------------------------------------------------------------------------
    def comparator(self, T):
        counts = self.path.counts(T)
        return np.array([self.minimize(c.astype(np.float64))[0] for c in counts])

    def expected_gap(self, x) -> np.ndarray:
        """F(x) − min_F F for x of shape (B, d), F the average loss over the data."""
        key = "uniform"
        if key not in self._opt_cache:
            self._opt_cache[key] = self.minimize(np.full(self.A.shape[0], 1.0 / self.A.shape[0]))[0]
        # one matrix-vector product per configuration: a (B, d) @ (d, n) product rounds
        # differently with B (BLAS blocking), and a configuration's gap must not depend on
        # which batch or shard it ran in.  Eight configurations at a time: the loss's temporaries
        # (8·n values each) then stay in cache instead of being fresh pages at every checkpoint,
        # 2x faster at B = 100, n = 10^4 (13 → 6.5 ms a checkpoint), the same numbers (rows apart)
        X = np.atleast_2d(np.asarray(x, dtype=float))
        out = np.empty(X.shape[0])
        for s in range(0, X.shape[0], 8):
            z = np.stack([self.A @ row for row in X[s:s + 8]])
            out[s:s + 8] = np.mean(self._loss(z, self.y), axis=-1)
        return out - self._opt_cache[key]

    def objective(self, w: np.ndarray, x: np.ndarray) -> float:
        """Σ_j w_j ℓ(<a_j, x>, y_j) (the weighted full sum)."""
        return float(np.sum(w * self._loss(self.A @ x, self.y)))

    def minimize(self, w: np.ndarray, with_gap: bool = False):
        """(min, argmin) over F of Σ_j w_j ℓ(<a_j, x>, y_j), w ≥ 0 (see the module docstring).

        ``with_gap``: (min, argmin, gap) with the solver's certified bound on value − minimum:
        the Frank–Wolfe gap for least squares (exact: rounding's size), the LP bound's distance
        (0 for the full LP, exact to HiGHS's tolerances) or the dual gap for
        hinge/absolute, the Frank–Wolfe gap for logistic.
        """
        keep = w > 0
        A, y, w = self.A[keep], self.y[keep], w[keep]
        F = self.feasible
        if A.shape[0] == 0:
            out = (0.0, np.asarray(self.x0))
            return out + (0.0,) if with_gap else out
        with one_blas_thread():  # small solves: BLAS threads only oversubscribe (``blas``)
            if self.loss_name == "squares":
                out = _min_squares(A, y, w, F)
            elif self.loss_name in ("hinge", "absolute") and F.kind != "ball":
                out = _min_piecewise_lp(A, y, w, F, self.loss_name)
            elif self.loss_name in ("hinge", "absolute"):
                out = _min_piecewise_ball(A, y, w, F, self.loss_name)
            else:
                out = _min_smooth(A, y, w, F, self._loss, self._dloss, self.loss_name)
        return out if with_gap else out[:2]


def _start(F) -> np.ndarray:
    if F.kind == "box":
        return np.clip(0.0, F.lo, F.hi) + 0.0 * F.lo
    if F.kind == "ball":
        return F.center.copy()
    return np.full(F.dim, F.scale / F.dim)


def _min_squares(A, y, w, F):
    H = A.T @ (w[:, None] * A)
    b = A.T @ (w * y)
    s = float(np.sum(w * y * y))

    def f(x):
        return 0.5 * x @ H @ x - b @ x + 0.5 * s

    if F.kind == "box":
        x = convex.box_qp(H, b, F.lo, F.hi)
        return f(x), x, convex.fw_gap(F, x, H @ x - b)
    if F.kind == "ball":
        x = convex.ball_qp(H, b, F.center, F.radius)
    else:
        x = convex.simplex_qp(H, b, F.scale)[0]
    x = F.project(x)
    return f(x), x, convex.fw_gap(F, x, H @ x - b)  # exact: the gap is the rounding's


def _min_smooth(A, y, w, F, loss, dloss, name):
    """Logistic: Newton with the exact QP step over F (``convex.newton``), from L-BFGS-B's point on a box."""
    from scipy.optimize import minimize

    def f(x):
        return float(np.sum(w * loss(A @ x, y)))

    def g(x):
        return A.T @ (w * dloss(A @ x, y))

    def fgh(x, order):
        z = A @ x
        val = f(x) if order == 0 else float(np.sum(w * loss(z, y)))
        if order == 0:
            return val
        q = dloss(z, y)  # −y·σ(−yz): |q| = σ(−yz), and ℓ'' = σ(−yz)·σ(yz)
        grad = A.T @ (w * q)
        if order == 1:
            return val, grad
        curv = np.abs(q) * (1.0 - np.abs(q))
        return val, grad, A.T @ ((w * curv)[:, None] * A)

    x0 = _start(F)
    if F.kind == "box":  # L-BFGS-B's point (to ~1e-8 relative), then Newton's steps certify it
        res = minimize(f, x0, jac=g, method="L-BFGS-B", bounds=list(zip(F.lo, F.hi)),
                       options={"ftol": 1e-15, "gtol": TOL, "maxiter": 10000})
        x0 = F.project(res.x)
    x, _val, gap, _it = convex.newton(fgh, F, x0, rtol=convex.GAP_RTOL)
    x = F.project(x)
    return f(x), x, gap


def _pieces(A, y, name):
    """(M, τ, lo): the loss of point j is max_{α∈[lo,1]} α·(M_j·x + τ_j)."""
    if name == "hinge":  # max(0, 1 − y<a, x>)
        return -(y[:, None] * A), np.ones(len(y)), 0.0
    return A, -y, -1.0   # |<a, x> − y|


def _min_piecewise_lp(A, y, w, F, name):
    """Hinge or absolute loss on a box or simplex: ``convex.piecewise_linear`` to a relative gap of
    1e-4 or 12 smoothing stages (a start, no more), then ``convex.reduced_lp``, the linear programs of the terms near
    their kink there only, exact; the full LP (``_min_piecewise_full_lp``) if that did not close.
    """
    M, tau, lo = _pieces(A, y, name)
    x, _val, _gap = convex.piecewise_linear(M, tau, w, lo, F, _start(F), rtol=1e-4, stages=12)
    x, val, lower = convex.reduced_lp(M, tau, w, lo, F, x)
    if val - lower <= convex.GAP_RTOL * max(1.0, abs(val)):
        return val, x, max(0.0, val - lower)
    return _min_piecewise_full_lp(A, y, w, F, name)


def _min_piecewise_full_lp(A, y, w, F, name):
    """Hinge or absolute loss on a box or simplex: the linear program of the epigraph (HiGHS).

    Hinge: min Σ w ξ, ξ ≥ 1 − y<a, x>, ξ ≥ 0; absolute: <a, x> − y = p − q, min Σ w (p + q),
    p, q ≥ 0.  The constraint matrix is sparse (the slack block is an identity): a dense one
    is n² numbers (0.8 GB at n = 10^4) and took seconds to build and pass.
    """
    import scipy.sparse as sp
    from scipy.optimize import linprog

    n, d = A.shape
    eye = sp.identity(n, format="csr")
    box = list(zip(F.lo, F.hi)) if F.kind == "box" else [(0.0, None)] * d
    A_eq, b_eq = (None, None) if F.kind == "box" else ([np.ones(d)], [F.scale])
    if name == "hinge":
        G = sp.hstack([sp.csr_matrix(-(y[:, None] * A)), -eye], format="csr")
        cost = np.concatenate([np.zeros(d), w])
        if A_eq is not None:
            A_eq = sp.csr_matrix(np.concatenate([np.ones(d), np.zeros(n)])[None, :])
        res = linprog(cost, A_ub=G, b_ub=-np.ones(n), A_eq=A_eq, b_eq=b_eq, bounds=box + [(0.0, None)] * n,
                      method="highs")
    else:
        E = sp.hstack([sp.csr_matrix(A), -eye, eye], format="csr")
        rhs = y
        if A_eq is not None:
            E = sp.vstack([E, sp.csr_matrix(np.concatenate([np.ones(d), np.zeros(2 * n)])[None, :])], format="csr")
            rhs = np.concatenate([y, b_eq])
        res = linprog(np.concatenate([np.zeros(d), w, w]), A_eq=E, b_eq=rhs, bounds=box + [(0.0, None)] * (2 * n),
                      method="highs")
    x = F.project(res.x[:d])
    loss = LOSS_FUNCTIONS[name][0]
    return float(np.sum(w * loss(A @ x, y))), x, 0.0


def _min_piecewise_ball(A, y, w, F, name):
    """Hinge or absolute loss on a ball: ``convex.piecewise_linear`` (smoothing, Newton, dual gap)
    to a relative gap of 1e-4 or 12 stages (a start), then on the terms near their kink only
    (``convex.reduced_ball``); on the whole sum again if that did not close."""
    M, tau, lo = _pieces(A, y, name)
    x, _val, gap = convex.piecewise_linear(M, tau, w, lo, F, F.center.copy(), rtol=1e-4, stages=12)
    x, val, lower = convex.reduced_ball(M, tau, w, lo, F, x)
    if val - lower > convex.GAP_RTOL * max(1.0, abs(val)):  # not closed: the whole sum from there
        x, val, gap = convex.piecewise_linear(M, tau, w, lo, F, x)
        lower = val - gap
    x = F.project(x)
    loss = LOSS_FUNCTIONS[name][0]
    return float(np.sum(w * loss(A @ x, y))), x, max(0.0, val - lower)


def _family(loss: str):
    """The registry factory of one loss: ``Learning`` with ``loss`` fixed (its own option list)."""
    def factory(**kw):
        return Learning(loss=loss, **kw)

    sig = inspect.signature(Learning.__init__)
    factory.__signature__ = sig.replace(parameters=[p for n, p in sig.parameters.items()
                                                    if n not in ("self", "loss")])
    title = {"squares": "least squares ½(<a,x> − y)²", "logistic": "logistic regression log(1 + e^{−y<a,x>})",
             "hinge": "hinge loss max(0, 1 − y<a,x>) (linear SVM)", "absolute": "absolute loss |<a,x> − y|"}[loss]
    factory.__doc__ = f"f_t(x) = {title} at the data point j_t; see ``regret.problems.learning``.\n\n" + (
        inspect.getdoc(Learning) or "")
    factory.__name__ = f"learning_{loss}"
    factory.__module__ = __name__
    return factory


least_squares, logistic, hinge, absolute = (_family(k) for k in LOSSES)
