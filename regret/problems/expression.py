"""A user-defined loss: f_t(x) given as a safe sympy expression in x (and t), on a box, ball or simplex.

The text is parsed by the project's one safe parser, ``proofs.schedule_check.parse`` (a
whitelist of Python syntax checked before sympy sees it; the variables are real symbols of any
sign), the gradient is sympy's derivative, and both are lambdified once to numpy functions (the
reference engine) and, on demand, to numba-compiled scalar functions (``jit_functions``; the
compiled engine calls them inside its time loop).

Variables: ``x`` in one dimension, ``x1, …, xd`` in d dimensions (d is the largest index used,
or ``d=``).  An expression that uses ``t`` needs ``period=P`` (f_{t+P} = f_t): the comparator
is then exact in structure — Σ_{t≤T} f_t = q·Σ_{s≤P} f_s + Σ_{s≤r} f_s with T = qP + r — and
minimised over F by Newton's method with sympy's Hessian and the exact QP step over F
(``convex.newton``: BVLS on a box, the trust-region subproblem on a ball, an active set on a
simplex), on a box from L-BFGS-B's point (gradient tolerance 1e-12), and certified to a
Frank–Wolfe gap ≤ 1e-12·max(1, |min|) for the convex losses admitted below.  When Newton's
point is not certified, SLSQP (tolerance 1e-14) is tried too on a ball or simplex; of all the
points the lowest is kept, with the gap its value − max_x (f(x) − gap(x)), a bound for a convex
loss whatever its size.  ``minimize(w, with_gap=True)`` returns it; a comparator whose gap is
above the tolerance (an ill-conditioned loss, whose gradient rounds at the optimum beyond it)
is returned with a RuntimeWarning naming the gap (the first such of a problem), never silently.

Admitted losses: differentiable (no Abs, Min, Max, floor, ceiling, Piecewise, sign in x) and
convex on F, the latter *checked numerically*: the Hessian is evaluated at 256 seeded points of
F (for each t of a period, at most 50) and a negative eigenvalue beyond rounding rejects the
loss, naming the point — numerical evidence, not a proof, of convexity.
"""
from __future__ import annotations

import re
import warnings

import numpy as np
import sympy as sp

from .. import validate
from ..feasible import from_options
from . import convex
from .base import GeneralProblem
from .blas import one_blas_thread

_NONSMOOTH = (sp.Abs, sp.Min, sp.Max, sp.floor, sp.ceiling, sp.Piecewise, sp.sign)


def _variables(text: str, d) -> list[str]:
    names = set(re.findall(r"\bx(\d*)\b", text))
    idx = [int(n) for n in names if n]
    if d is None:
        d = max(idx) if idx else 1
    d = validate.positive_int("d", d)
    if "" in names and d > 1:
        raise ValueError(f"loss={text!r}: in d={d} dimensions the variables are x1..x{d}, not x")
    if any(i < 1 or i > d for i in idx):
        bad = next(i for i in idx if i < 1 or i > d)
        raise ValueError(f"loss={text!r} uses x{bad}; the variables are x1..x{d} (d={d})")
    return ["x"] if d == 1 and "" in names or (d == 1 and not idx) else [f"x{i}" for i in range(1, d + 1)]


class Expression(GeneralProblem):
    """f_t(x) = the expression ``loss`` in x (x1..xd) and t, on F; see the module docstring."""

    name = "expression"

    def __init__(self, loss="(x - 1/2)^2", d=None, period=None, feasible="box", lo=-1.0, hi=1.0, radius=1.0,
                 center=0.0, simplex_scale=1.0, x0=None):
        from proofs.schedule_check import parse

        if not isinstance(loss, str):
            raise ValueError(f"loss={loss!r} must be an expression string, e.g. '(x - 1/2)^2'")
        names = _variables(loss, d)
        expr = parse(loss, "loss", real=names)
        syms = [sp.Symbol(n, real=True) for n in names]
        t = sp.Symbol("t", positive=True)
        uses_t = any(s.name == "t" for s in expr.free_symbols)
        for node in sp.preorder_traversal(expr):
            if isinstance(node, _NONSMOOTH) and node.free_symbols & set(syms):
                raise ValueError(f"loss={loss!r} is not differentiable in x ({node.func.__name__} of x); "
                                 "write a smooth loss")
        if uses_t:
            if period is None:
                raise ValueError(f"loss={loss!r} depends on t: give its period=P (f_(t+P) = f_t) so that the "
                                 "comparator can be computed")
            period = validate.positive_int("period", period)
        elif period is not None:
            period = validate.positive_int("period", period)
        self.expr, self.syms, self.period = expr, syms, period if uses_t else None
        grad = [sp.diff(expr, s) for s in syms]
        hess = [[sp.diff(g, s) for s in syms] for g in grad]
        args = [t] + syms
        self._f = sp.lambdify(args, expr, "numpy")
        self._g = sp.lambdify(args, grad, "numpy")
        # the d² entries flat (row-major), their common subexpressions (an exp of a sum) computed once
        self._h = sp.lambdify(args, [e for row in hess for e in row], "numpy", cse=True)
        self.grad_exprs = grad
        dim = len(syms)
        F = from_options(feasible, dim, lo=lo, hi=hi, radius=radius, center=center, scale=simplex_scale)
        params = {"loss": loss, "d": dim, "period": self.period, "feasible": F.kind}
        if x0 is None and F.kind != "box":
            x0 = F.center if F.kind == "ball" else np.full(dim, F.scale / dim)
        super().__init__(F, 1, params, x0)
        self._check_convex(loss)
        self._cache: dict = {}

    # -- evaluation ------------------------------------------------------------------------------
    def _cols(self, x):
        x = np.asarray(x, dtype=np.float64)
        return [x[..., i] for i in range(x.shape[-1])]

    def loss(self, x, t):
        return np.broadcast_to(self._f(float(t), *self._cols(x)), np.shape(x)[:-1]).astype(np.float64)

    def grad(self, x, t):
        x = np.asarray(x, dtype=np.float64)
        gs = self._g(float(t), *self._cols(x))
        return np.stack([np.broadcast_to(np.asarray(g, dtype=np.float64), x.shape[:-1]) for g in gs], axis=-1)

    def _sample(self, n: int) -> np.ndarray:
        rng = np.random.default_rng(12345)
        F, d = self.feasible, self.dim
        if F.kind == "box":
            return F.lo + (F.hi - F.lo) * rng.random((n, d))
        if F.kind == "ball":
            z = rng.standard_normal((n, d))
            z *= (rng.random((n, 1)) ** (1 / d)) / np.linalg.norm(z, axis=1, keepdims=True)
            return F.center + F.radius * z
        return F.scale * rng.dirichlet(np.ones(d), n)

    def _check_convex(self, text: str) -> None:
        pts = self._sample(256)
        ts = range(1, min(self.period, 50) + 1) if self.period else [1]
        with np.errstate(all="ignore"):
            for t in ts:
                f = self.loss(pts, t)
                g = self.grad(pts, t)
                if not (np.all(np.isfinite(f)) and np.all(np.isfinite(g))):
                    k = int(np.argmax(~np.isfinite(f) | ~np.all(np.isfinite(g), axis=-1)))
                    raise ValueError(f"loss={text!r} is not finite on F at x={pts[k].round(6).tolist()}, t={t}")
                H = np.empty((len(pts), self.dim, self.dim))
                hs = self._h(float(t), *self._cols(pts))
                for i in range(self.dim):
                    for j in range(self.dim):
                        H[:, i, j] = np.broadcast_to(np.asarray(hs[i * self.dim + j], dtype=np.float64), len(pts))
                lam = np.linalg.eigvalsh(H)[:, 0]
                scale = 1.0 + np.max(np.abs(H), axis=(1, 2))
                bad = lam < -1e-9 * scale
                if np.any(bad):
                    k = int(np.argmax(bad))
                    raise ValueError(f"loss={text!r} is not convex on F: its Hessian has eigenvalue {lam[k]:.3g} at "
                                     f"x={pts[k].round(6).tolist()}, t={t}")

    # -- comparator -----------------------------------------------------------------------------
    def minimize(self, w, with_gap: bool = False):
        """(min, argmin) over F of Σ_s w_s f_s(x), s = 1..P (one weight without t), w ≥ 0.

        ``with_gap``: (min, argmin, gap) with gap ≥ value − minimum for a convex loss: the best
        Frank–Wolfe bound among the solver's points (module docstring).  The value is certified
        when gap ≤ ``convex.GAP_RTOL``·max(1, |min|) (``convex.certified``); a larger gap is
        returned as it is, with the best point found.
        """
        n = self.period or 1
        w = validate.finite("w", w).reshape(-1)
        if w.shape != (n,) or np.any(w < 0):
            raise ValueError(f"w={w.tolist()!r} must be {n} weight(s) >= 0, one per t = 1..{n} of the period"
                             if self.period else f"w={w.tolist()!r} must be one weight >= 0 (the loss has no t)")
        out = self._minimize(tuple((s, float(v)) for s, v in enumerate(w, start=1) if v > 0))
        return out if with_gap else out[:2]

    def _minimize(self, items: tuple) -> tuple[float, np.ndarray, float]:
        """(min, argmin, gap) of Σ_t w_t f_t over F, ``items`` the pairs (t, w_t), w_t > 0.

        Box: L-BFGS-B's point, then Newton's steps from it; ball, simplex: Newton from x0, and
        SLSQP as well when Newton's point is not certified.  Of the points found the lowest is
        returned, with the gap from the best lower bound f(x) − gap(x) over all of them (each is a
        lower bound for a convex loss): a point that L-BFGS-B left at rounding's distance, where
        Newton's model steps cannot improve, is kept.
        """
        F = self.feasible
        if not items:
            return 0.0, np.asarray(self.x0, dtype=np.float64).copy(), 0.0
        if items in self._cache:
            val, x, gap = self._cache[items]
            return val, x.copy(), gap

        def fun(x):
            return float(sum(w * self._f(float(t), *x) for t, w in items))

        def jac(x):
            return np.sum([w * np.asarray(self._g(float(t), *x), dtype=np.float64) for t, w in items], axis=0)

        x0 = np.asarray(self.x0, dtype=np.float64)
        points = []
        with one_blas_thread():  # small solves: BLAS threads only oversubscribe (``blas``)
            if F.kind == "box":
                points.append(F.project(self._solve(fun, jac, x0).x))
            points.append(F.project(self._newton(items, fun, jac, points[-1] if points else F.project(x0))))
            out = _best(F, points, fun, jac)
            if F.kind != "box" and not convex.certified(out[0], out[2]):  # a loss convex only numerically?
                points.append(F.project(self._solve(fun, jac, x0).x))
                out = _best(F, points, fun, jac)
        self._cache[items] = out
        return out[0], out[1].copy(), out[2]

    def _hess(self, x, items):
        d = self.dim
        H = np.zeros((d, d))
        for t, w in items:
            H += w * np.array(self._h(float(t), *map(float, x)), dtype=np.float64).reshape(d, d)
        return 0.5 * (H + H.T)

    def _newton(self, items, fun, jac, x0):
        """Newton's point (``convex.newton``, sympy's Hessian, the exact QP step over F) from x0 ∈ F."""
        def fgh(x, order):
            val = fun(x)
            if order == 0:
                return val if np.isfinite(val) else np.inf
            return (val, jac(x)) if order == 1 else (val, jac(x), self._hess(x, items))

        return convex.newton(fgh, self.feasible, x0, rtol=convex.GAP_RTOL)[0]

    def _solve(self, fun, jac, x0):
        """L-BFGS-B on a box (Newton's start), SLSQP on a ball or simplex (the fallback when Newton's
        point is not certified)."""
        from scipy.optimize import minimize

        F = self.feasible
        if F.kind == "box":
            res = minimize(fun, x0, jac=jac, method="L-BFGS-B", bounds=list(zip(F.lo, F.hi)),
                           options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 5000})
        elif F.kind == "ball":
            cons = [{"type": "ineq", "fun": lambda x: np.array([F.radius ** 2 - (x - F.center) @ (x - F.center)]),
                     "jac": lambda x: -2.0 * (x - F.center)[None, :]}]
            res = minimize(fun, x0, jac=jac, method="SLSQP", constraints=cons, options={"ftol": 1e-14, "maxiter": 1000})
        else:
            cons = [{"type": "eq", "fun": lambda x: np.array([np.sum(x) - F.scale]),
                     "jac": lambda x: np.ones((1, len(x)))}]
            res = minimize(fun, x0, jac=jac, method="SLSQP", constraints=cons, bounds=[(0.0, None)] * self.dim,
                           options={"ftol": 1e-14, "maxiter": 1000})
        return res

    def comparator(self, T):
        """[min_F Σ_{t≤T} f_t]; a RuntimeWarning names the gap of the first one not certified."""
        T = int(T)
        if self.period is None:  # T·min f: certified as the one solve it is
            val, _x, gap = self.minimize([1.0], with_gap=True)
        else:
            q, r = divmod(T, self.period)
            val, _x, gap = self.minimize([q + (1 if s <= r else 0) for s in range(1, self.period + 1)], with_gap=True)
        if not convex.certified(val, gap) and not self._cache.get("warned"):
            self._cache["warned"] = True  # once per problem: a run asks for a comparator per checkpoint
            warnings.warn(f"expression loss={self.params['loss']!r}: the comparator at T={T} is not certified: "
                          f"min {val:.17g} with Frank-Wolfe gap {gap:.3g} > {convex.GAP_RTOL:g}*max(1, |min|) "
                          "(the best of L-BFGS-B's or SLSQP's point and Newton's; minimize(w, with_gap=True) "
                          "gives each gap)", RuntimeWarning, stacklevel=2)
        return np.array([T * val if self.period is None else val])

    def jit_rule(self):
        """The compiled engine's rule (``regret.engine.compiled``): ``jit_rules.expression_point``."""
        from .jit_rules import expression_point

        f, g = self.jit_functions()
        return expression_point(f, g, self.dim), ()

    def jit_chunk(self, ts):
        from .jit_rules import NO_INDEX

        return NO_INDEX

    def jit_functions(self):
        """(loss, grad) as numba-compiled scalar functions of (t, x1, …, xd) (grad returns a tuple)."""
        if "jit" not in self._cache:
            import numba

            t = sp.Symbol("t", positive=True)
            f = numba.njit(error_model="numpy")(sp.lambdify([t] + self.syms, self.expr, "math"))
            # × 1.0 so that a constant derivative is a float too: the tuple stays homogeneous
            g = numba.njit(error_model="numpy")(sp.lambdify([t] + self.syms, tuple(sp.Float(1.0) * e for e in self.grad_exprs), "math"))
            self._cache["jit"] = (f, g)
        return self._cache["jit"]


def _best(F, points, fun, jac) -> tuple[float, np.ndarray, float]:
    """(value, point, gap): the lowest of ``points`` ∈ F, gap = its value − max_x (f(x) − FW gap(x))."""
    best, lower = None, -np.inf
    with np.errstate(all="ignore"):
        for x in points:
            val = fun(x)
            g = jac(x)
            if not (np.isfinite(val) and np.all(np.isfinite(g))):
                continue
            lower = max(lower, val - convex.fw_gap(F, x, g))
            if best is None or val < best[0]:
                best = (val, x)
    if best is None:
        raise RuntimeError("the expression comparator found no point of F with a finite loss and gradient")
    return best[0], best[1], max(0.0, best[0] - lower)
