"""Comparators on a ball and a simplex (issue 13) against references written here.

References: an exact enumeration of the simplex's faces (least squares, d ≤ 5), the KKT
conditions solved here for the ball's multiplier, multi-start SLSQP on the full weighted sum,
an exact enumeration of a d = 2 disk's candidate points for the piecewise-linear losses, and a
Kelley cutting-plane LP (scipy ``linprog``) that brackets the ball's minimum in d = 4.
"""
import itertools
import warnings

import numpy as np
import pytest
from scipy.optimize import linprog, minimize

from regret.feasible import Ball, Simplex
from regret.problems import convex
from regret.problems.learning import Learning, _min_piecewise_full_lp

LOSS = {"squares": lambda z, y: 0.5 * (z - y) ** 2, "logistic": lambda z, y: np.logaddexp(0.0, -y * z),
        "hinge": lambda z, y: np.maximum(0.0, 1.0 - y * z), "absolute": lambda z, y: np.abs(z - y)}


def _weights(n, seed, zeros=True):
    w = np.random.default_rng(seed).integers(0 if zeros else 1, 5, n).astype(float)
    return w


def _objective(prob, w):
    return lambda x: float(np.sum(w * LOSS[prob.loss_name](prob.A @ x, prob.y)))


def _slsqp_best(fun, F, d, starts, seed=0):
    """The best of ``starts`` SLSQP runs from random points of F (tight tolerances)."""
    rng = np.random.default_rng(seed)
    if F.kind == "box":
        cons, bounds = [], list(zip(F.lo, F.hi))
    elif F.kind == "ball":
        cons = [{"type": "ineq", "fun": lambda x: F.radius ** 2 - (x - F.center) @ (x - F.center)}]
        bounds = None
    else:
        cons = [{"type": "eq", "fun": lambda x: np.sum(x) - F.scale}]
        bounds = [(0.0, None)] * d
    best = np.inf
    for _ in range(starts):
        x0 = (F.lo + (F.hi - F.lo) * rng.random(d) if F.kind == "box" else
              F.center + F.radius * rng.uniform(-1, 1, d) / np.sqrt(d) if F.kind == "ball"
              else F.scale * rng.dirichlet(np.ones(d)))
        res = minimize(fun, x0, method="SLSQP", constraints=cons, bounds=bounds,
                       options={"ftol": 1e-15, "maxiter": 2000})
        x = F.project(res.x)
        best = min(best, fun(x))
    return best


# -- least squares --------------------------------------------------------------------------

def _simplex_faces(H, b, s):
    """min of ½xᵀHx − bᵀx over {x ≥ 0, Σx = s} by every face: the KKT point of each support."""
    d = len(b)
    best = np.inf
    for k in range(1, d + 1):
        for S in itertools.combinations(range(d), k):
            S = list(S)
            K = np.block([[H[np.ix_(S, S)], np.ones((k, 1))], [np.ones((1, k)), np.zeros((1, 1))]])
            sol = np.linalg.lstsq(K, np.concatenate([b[S], [s]]), rcond=None)[0]
            x = np.zeros(d)
            x[S] = sol[:k]
            if np.all(x >= -1e-12) and abs(x.sum() - s) < 1e-9:
                x = np.maximum(x, 0)
                best = min(best, 0.5 * x @ H @ x - b @ x)
    return best


@pytest.mark.parametrize("T", [2, 7, 200])  # T < d: a singular H
def test_least_squares_on_a_simplex_equals_the_best_face(T):
    prob = Learning("squares", n=40, d=5, order="iid", seed=3, feasible="simplex", simplex_scale=2.0)
    w = prob.path.counts(T)[0].astype(float)
    H = prob.A.T @ (w[:, None] * prob.A)
    b = prob.A.T @ (w * prob.y)
    ref = _simplex_faces(H, b, 2.0) + 0.5 * np.sum(w * prob.y ** 2)
    got, x, gap = prob.minimize(w, with_gap=True)
    assert prob.feasible.contains(x, tol=1e-12)
    np.testing.assert_allclose(got, ref, rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(prob.comparator(T)[0], ref, rtol=1e-11, atol=1e-11)
    assert 0.0 <= gap <= 1e-12 * max(1.0, abs(got))  # exact: its Frank–Wolfe gap is rounding


@pytest.mark.parametrize("T", [3, 200])
@pytest.mark.parametrize("radius", [0.3, 50.0])  # the sphere active / the interior optimum
def test_least_squares_on_a_ball_satisfies_kkt_and_beats_slsqp(T, radius):
    prob = Learning("squares", n=40, d=4, order="iid", seed=1, feasible="ball", radius=radius, center=0.2)
    w = prob.path.counts(T)[0].astype(float)
    F = prob.feasible
    H = prob.A.T @ (w[:, None] * prob.A)
    b = prob.A.T @ (w * prob.y)
    got, x = prob.minimize(w)
    u = x - F.center
    r = b - H @ x  # stationarity: H x − b + ν (x − c) = 0, ν ≥ 0, ν (‖u‖ − r) = 0
    if np.linalg.norm(u) < radius * (1 - 1e-9):
        assert np.linalg.norm(r) <= 1e-9 * (1 + np.linalg.norm(b))
    else:
        nu = float(u @ r) / float(u @ u)
        assert nu >= -1e-9
        assert np.linalg.norm(r - nu * u) <= 1e-9 * (1 + np.linalg.norm(b))
    ref = _slsqp_best(_objective(prob, w), F, 4, starts=5)
    assert got <= ref + 1e-10 * max(1, abs(ref))
    assert got >= ref - 1e-6 * max(1, abs(ref))


def test_least_squares_on_a_ball_in_two_dimensions_against_a_polar_grid():
    prob = Learning("squares", n=30, d=2, order="iid", seed=4, feasible="ball", radius=0.4)
    w = _weights(30, 2)
    fun = _objective(prob, w)
    th = np.linspace(0, 2 * np.pi, 200_001)
    circle = 0.4 * np.stack([np.cos(th), np.sin(th)], 1)
    Z = circle @ prob.A.T
    vals = np.sum(w * 0.5 * (Z - prob.y) ** 2, axis=1)
    H = prob.A.T @ (w[:, None] * prob.A)
    xu = np.linalg.solve(H, prob.A.T @ (w * prob.y))
    ref = fun(xu) if np.linalg.norm(xu) <= 0.4 else float(vals.min())
    assert np.linalg.norm(xu) > 0.4  # the case this test is for
    got = prob.minimize(w)[0]
    assert got <= ref + 1e-12 * ref and got >= ref - 1e-8 * ref  # the grid's spacing: ~1e-10 in value


def test_ball_qp_handles_a_zero_and_a_flat_hessian():
    F = Ball(np.zeros(3), 2.0)
    x = convex.ball_qp(np.zeros((3, 3)), np.array([3.0, 0.0, -4.0]), F.center, F.radius)
    np.testing.assert_allclose(x, [1.2, 0.0, -1.6], rtol=1e-14)  # c + r·b/‖b‖ for a linear objective
    np.testing.assert_array_equal(convex.ball_qp(np.eye(3), np.zeros(3), F.center, F.radius), np.zeros(3))


# -- logistic (Newton with the exact QP step) ------------------------------------------------

@pytest.mark.parametrize("feasible", ["box", "ball", "simplex"])
def test_logistic_comparators_against_multistart_slsqp(feasible):
    prob = Learning("logistic", n=60, d=4, order="iid", seed=2, feasible=feasible, radius=3.0, margin=0.5,
                    lo=-2.0, hi=1.5)
    w = _weights(60, 5)
    fun = _objective(prob, w)
    got, x, gap = prob.minimize(w, with_gap=True)
    ref = _slsqp_best(fun, prob.feasible, 4, starts=6)
    assert prob.feasible.contains(x, tol=1e-12)
    np.testing.assert_allclose(fun(x), got, rtol=1e-14)
    assert 0.0 <= gap <= convex.GAP_RTOL * max(1.0, abs(got))
    assert got <= ref + 1e-10 * abs(ref)          # never worse than the reference
    assert got - gap <= ref + 1e-12 * abs(ref)    # the certificate is a true lower bound


def test_frank_wolfe_gap_bounds_the_suboptimality_of_a_convex_quadratic():
    rng = np.random.default_rng(0)
    R = rng.normal(size=(6, 3))
    H, b = R.T @ R, rng.normal(size=3)
    F = Simplex(3, 1.0)
    fmin = _simplex_faces(H, b, 1.0)
    for x in rng.dirichlet(np.ones(3), 50):
        assert convex.fw_gap(F, x, H @ x - b) >= 0.5 * x @ H @ x - b @ x - fmin - 1e-12


# -- hinge and absolute on a ball ------------------------------------------------------------

def _disk_exact(M, tau, w, lo, r):
    """min over the disk ‖x‖ ≤ r (d = 2) of Σ w max_{α∈[lo,1]} α(Mx + τ): every candidate point.

    f is linear between the lines m_j = 0, so its minimum is at a vertex of their arrangement in
    the disk, at a line's crossing with the circle, or where a piece's gradient is normal to the
    circle (x = −r·g/‖g‖, g the gradient of the piece there).
    """
    def f(X):
        m = X @ M.T + tau
        return (np.maximum(m, 0) if lo == 0 else np.abs(m)) @ w

    cands = [np.zeros(2)]
    n = len(tau)
    for i in range(n):
        for j in range(i + 1, n):
            K = M[[i, j]]
            if abs(np.linalg.det(K)) > 1e-12:
                p = np.linalg.solve(K, -tau[[i, j]])
                if p @ p <= r * r:
                    cands.append(p)
        a, c = M[i], tau[i]  # a·x + c = 0 on the circle: x = −c a/‖a‖² ± t a⊥
        na = a @ a
        base = -c * a / na
        h2 = r * r - base @ base
        if h2 >= 0:
            perp = np.array([-a[1], a[0]]) / np.sqrt(na)
            cands += [base + np.sqrt(h2) * perp, base - np.sqrt(h2) * perp]
    cands = np.array(cands)
    # the pieces' stationary points on the circle: the gradient of f at each candidate's
    # neighbourhoods is one of the pieces' gradients; try every gradient met at sample points
    th = np.linspace(0, 2 * np.pi, 4001)
    circ = r * np.stack([np.cos(th), np.sin(th)], 1)
    m = circ @ M.T + tau
    slopes = (m > 0).astype(float) if lo == 0 else np.sign(m)
    G = (slopes * w) @ M
    normal = -r * G / np.linalg.norm(G, axis=1, keepdims=True)
    return float(min(f(cands).min(), f(normal).min(), f(circ).min()))


@pytest.mark.parametrize("loss", ["hinge", "absolute"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_piecewise_linear_on_a_disk_against_exact_enumeration(loss, seed):
    prob = Learning(loss, n=25, d=2, order="iid", seed=seed, feasible="ball", radius=0.6, data_seed=seed)
    w = _weights(25, seed)
    keep = w > 0
    A, y = prob.A[keep], prob.y[keep]
    M, tau, lo = (-(y[:, None] * A), np.ones(len(y)), 0.0) if loss == "hinge" else (A, -y, -1.0)
    ref = _disk_exact(M, tau, w[keep], lo, 0.6)
    got, x, gap = prob.minimize(w, with_gap=True)
    assert prob.feasible.contains(x, tol=1e-12)
    assert 0.0 <= gap <= convex.GAP_RTOL * max(1.0, got)
    assert ref - 1e-12 * ref <= got <= ref + gap + 1e-12 * ref


@pytest.mark.parametrize("loss", ["hinge", "absolute"])
def test_piecewise_linear_on_a_disk_with_more_terms_than_the_reduced_set(loss):
    # n = 300 > the 128 terms ``reduced_ball`` keeps at first: its relaxation and rounds are used
    prob = Learning(loss, n=300, d=2, order="iid", seed=5, feasible="ball", radius=0.5, data_seed=5)
    w = _weights(300, 5, zeros=False)
    M, tau, lo = (-(prob.y[:, None] * prob.A), np.ones(300), 0.0) if loss == "hinge" else (prob.A, -prob.y, -1.0)
    ref = _disk_exact(M, tau, w, lo, 0.5)
    got, x, gap = prob.minimize(w, with_gap=True)
    assert ref - 1e-12 * ref <= got <= ref + gap + 1e-12 * ref
    assert gap <= convex.GAP_RTOL * got
    # and from the center with 10 terms kept: more rounds, the same minimum and a true bound
    xr, val, lower = convex.reduced_ball(M, tau, w, lo, prob.feasible, np.zeros(2), size=10)
    assert lower <= ref + 1e-12 * ref and abs(val - ref) <= 1e-9 * ref


def _kelley(A, y, w, loss, r, rounds=300):
    """[lower, upper] bounds on min over ‖x‖ ≤ r by LPs on outer polyhedra of the ball (cuts)."""
    n, d = A.shape
    if loss == "hinge":
        G, h, free = np.hstack([-(y[:, None] * A), -np.eye(n)]), -np.ones(n), (0.0, None)
    else:
        G = np.vstack([np.hstack([A, -np.eye(n)]), np.hstack([-A, -np.eye(n)])])
        h, free = np.concatenate([y, -y]), (None, None)
    cuts = []
    lower, upper = -np.inf, np.inf
    f = lambda x: float(np.sum(w * LOSS[loss](A @ x, y)))  # noqa: E731
    for _ in range(rounds):
        Gc = np.vstack([G] + [np.concatenate([c, np.zeros(n)])[None] for c in cuts]) if cuts else G
        hc = np.concatenate([h, np.full(len(cuts), r)])
        res = linprog(np.concatenate([np.zeros(d), w]), A_ub=Gc, b_ub=hc, bounds=[(-r, r)] * d + [free] * n,
                      method="highs")
        lower = max(lower, res.fun)
        x = res.x[:d]
        nx = np.linalg.norm(x)
        upper = min(upper, f(x * min(1.0, r / nx)))
        if nx <= r * (1 + 1e-12) or upper - lower <= 1e-9 * abs(upper):
            break
        cuts.append(x / nx)
    return lower, upper


@pytest.mark.parametrize("loss", ["hinge", "absolute"])
def test_piecewise_linear_on_a_ball_within_kelley_s_bracket(loss):
    prob = Learning(loss, n=30, d=4, order="iid", seed=7, feasible="ball", radius=0.8, data_seed=3)
    w = _weights(30, 7, zeros=False)
    lower, upper = _kelley(prob.A, prob.y, w, loss, 0.8)
    got, x, gap = prob.minimize(w, with_gap=True)
    assert got >= lower - 1e-9 * abs(lower)                # no point of the ball beats a relaxation
    assert got <= upper + 1e-9 * abs(upper)                # nor loses to Kelley's best point
    assert got - gap <= upper + 1e-9 * abs(upper)
    assert upper - lower <= 1e-6 * abs(upper)              # the bracket is tight enough to mean it


def test_piecewise_linear_on_a_ball_with_an_interior_optimum():
    # a large ball: the optimum is the unconstrained LP's (checked on a box that holds it)
    prob = Learning("absolute", n=50, d=3, order="iid", seed=0, feasible="ball", radius=100.0)
    big = Learning("absolute", n=50, d=3, order="iid", seed=0, lo=-50.0, hi=50.0)
    w = _weights(50, 1)
    ref, xb = big.minimize(w)
    assert np.linalg.norm(xb) < 50
    got, x, gap = prob.minimize(w, with_gap=True)
    assert ref - 1e-12 * ref <= got <= ref + max(gap, 1e-12 * ref)


# -- the sparse LPs (box, simplex) -----------------------------------------------------------

@pytest.mark.parametrize("loss", ["hinge", "absolute"])
@pytest.mark.parametrize("feasible", ["box", "simplex"])
def test_box_and_simplex_comparators_equal_the_full_dense_lp(loss, feasible):
    # n = 300 > the 64 terms the reduced LP starts from: the relaxation and its rounds are used
    prob = Learning(loss, n=300, d=3, order="iid", seed=1, feasible=feasible, lo=-0.5, hi=0.7)
    w = _weights(300, 3, zeros=False)
    n, d = prob.A.shape
    A, y = prob.A, prob.y
    if loss == "hinge":
        G, h, free = np.hstack([-(y[:, None] * A), -np.eye(n)]), -np.ones(n), (0.0, None)
    else:
        G = np.vstack([np.hstack([A, -np.eye(n)]), np.hstack([-A, -np.eye(n)])])
        h, free = np.concatenate([y, -y]), (None, None)
    F = prob.feasible
    box = list(zip(F.lo, F.hi)) if feasible == "box" else [(0.0, None)] * d
    eq = {} if feasible == "box" else {"A_eq": np.concatenate([np.ones(d), np.zeros(n)])[None], "b_eq": [1.0]}
    ref = linprog(np.concatenate([np.zeros(d), w]), A_ub=G, b_ub=h, bounds=box + [free] * n, method="highs-ipm",
                  **eq).fun
    got, x, gap = prob.minimize(w, with_gap=True)
    np.testing.assert_allclose(got, ref, rtol=1e-9)
    assert gap <= 1e-9 * abs(ref)
    full = _min_piecewise_full_lp(prob.A, prob.y, w, F, loss)[0]  # the sparse full LP, the fallback
    np.testing.assert_allclose(full, ref, rtol=1e-9)


@pytest.mark.parametrize("feasible", ["box", "simplex"])
def test_reduced_lp_from_a_poor_start_brackets_the_minimum(feasible):
    # from the center (no smoothing) many dropped terms change piece: several rounds
    prob = Learning("absolute", n=400, d=4, order="iid", seed=2, feasible=feasible)
    w = _weights(400, 9, zeros=False)
    ref = prob.minimize(w)[0]
    M, tau = prob.A, -prob.y
    x0 = np.zeros(4) if feasible == "box" else np.full(4, 0.25)
    x, val, lower = convex.reduced_lp(M, tau, w, -1.0, prob.feasible, x0, size=8)
    assert lower <= ref + 1e-9 * ref and val >= ref - 1e-9 * ref
    np.testing.assert_allclose([val, lower], [ref, ref], rtol=1e-9)


def test_every_comparator_of_a_batch_equals_its_single_instance():
    for loss, feasible in [("squares", "simplex"), ("logistic", "ball"), ("hinge", "ball")]:
        kw = dict(n=30, d=3, order="iid", feasible=feasible, radius=0.5)
        batch = Learning(loss, seed=[4, 5], **kw).comparator(50)
        singles = [Learning(loss, seed=s, **kw).comparator(50)[0] for s in (4, 5)]
        np.testing.assert_array_equal(batch, singles)


# -- user expressions on a ball and a simplex (Newton with sympy's Hessian) ---------------

def test_expression_comparators_on_ball_and_simplex_equal_closed_forms():
    import regret

    ball = regret.problem("expression", loss="(x1 - 2)^2 + (x2 + 1)^2", feasible="ball", radius=1.0)
    np.testing.assert_allclose(ball.comparator(7), [7 * (np.sqrt(5) - 1) ** 2], rtol=1e-13)  # distance² to the ball
    simp = regret.problem("expression", loss="(x1 - 1)^2 + (x2 - 1)^2 + x3^2", feasible="simplex")
    np.testing.assert_allclose(simp.comparator(4), [4 * 0.5], rtol=1e-13)  # the projection (1/2, 1/2, 0)


@pytest.mark.parametrize("feasible", ["ball", "simplex"])
def test_expression_comparator_with_a_period_against_multistart_slsqp(feasible):
    import regret

    s = "(t - 2*floor(t/2))"  # 1, 0, 1, 0, …: period 2
    text = f"exp(x1/2) + x2^2 - x1*x2*{s}/3 + log(1 + exp(x3 - x1)) + (x3 - {s})^2"
    prob = regret.problem("expression", loss=text, period=2, feasible=feasible, radius=1.5)
    T = 5  # s = 1, 0, 1, 0, 1 (summed here step by step)
    fun = lambda x: sum(float(prob.loss(x, t)) for t in range(1, T + 1))  # noqa: E731
    ref = _slsqp_best(fun, prob.feasible, 3, starts=6)
    got = prob.comparator(T)[0]
    assert got <= ref + 1e-12 * abs(ref)
    assert got >= ref - 1e-7 * abs(ref)


# -- user expressions on a box (L-BFGS-B's point, then Newton: certified) -----------------

def _box_reference(fun, grad, lo, hi, starts=8, seed=0):
    """(min, argmin) by multistart L-BFGS-B with the gradient written here, then SLSQP from the
    best, both at tight tolerance; the KKT conditions of the box are checked at the point."""
    rng = np.random.default_rng(seed)
    best = (np.inf, None)
    for _ in range(starts):
        res = minimize(fun, lo + (hi - lo) * rng.random(len(lo)), jac=grad, method="L-BFGS-B",
                       bounds=list(zip(lo, hi)), options={"ftol": 1e-16, "gtol": 1e-13, "maxiter": 10000})
        x = np.clip(res.x, lo, hi)
        if fun(x) < best[0]:
            best = (fun(x), x)
    res = minimize(fun, best[1], jac=grad, method="SLSQP", bounds=list(zip(lo, hi)),
                   options={"ftol": 1e-16, "maxiter": 1000})
    x = np.clip(res.x, lo, hi)
    val, x = min((fun(x), tuple(x)), (best[0], tuple(best[1])))
    x = np.array(x)
    g = grad(x)
    # KKT on a box: g_i ≥ 0 at lo_i, ≤ 0 at hi_i, = 0 inside (to the solvers' tolerance)
    scale = 1.0 + np.max(np.abs(g))
    kkt = np.where(x <= lo + 1e-9, np.minimum(g, 0.0), np.where(x >= hi - 1e-9, np.maximum(g, 0.0), g))
    assert np.max(np.abs(kkt)) <= 1e-6 * scale, (x, g)
    return val, x


def _check_certified(got, gap, ref):
    """The certificate: gap within the tolerance, the value never above the reference beyond
    rounding, and the reference (≥ the true minimum) never below value − gap beyond rounding."""
    scale = max(1.0, abs(ref))
    assert gap <= 1e-12 * max(1.0, abs(got))
    assert got <= ref + 1e-14 * scale
    assert ref >= got - gap - 1e-14 * scale
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-12)


def test_expression_on_a_box_separable_with_the_optimum_on_a_face_equals_its_closed_form():
    import regret

    prob = regret.problem("expression", loss="(x1 - 2)^2 + exp(x2) - x2/2", lo=-1, hi=1)
    exact = 1.0 + 0.5 + np.log(2.0) / 2  # x1 = 1 (the face), exp(x2) = 1/2 inside
    got, x, gap = prob.minimize([1.0], with_gap=True)
    _check_certified(got, gap, exact)
    np.testing.assert_allclose(x, [1.0, -np.log(2.0)], atol=1e-7)
    np.testing.assert_allclose(prob.comparator(9), [9 * exact], rtol=1e-14)


def _active_sets(H, b, lo, hi):
    """min of ½xᵀHx − bᵀx over lo ≤ x ≤ hi, H ≻ 0, by every assignment of each coordinate to its
    lower end, its upper end or free: the stationary point of each face, feasible ones kept."""
    d = len(b)
    best = np.inf
    for pattern in itertools.product((0, 1, 2), repeat=d):
        x = np.where(np.array(pattern) == 0, lo, hi).astype(float)
        free = [i for i in range(d) if pattern[i] == 2]
        if free:
            fix = [i for i in range(d) if pattern[i] != 2]
            rhs = b[free] - H[np.ix_(free, fix)] @ x[fix]
            x[free] = np.linalg.solve(H[np.ix_(free, free)], rhs)
        if np.all(x >= lo - 1e-12) and np.all(x <= hi + 1e-12):
            x = np.clip(x, lo, hi)
            best = min(best, 0.5 * x @ H @ x - b @ x)
    return best


def test_expression_on_a_box_coupled_quadratic_equals_the_exact_active_set_enumeration():
    import regret

    M = np.array([[2, -1, 0, 1], [1, 3, -1, 0], [0, 1, 2, -2], [1, 0, 1, 1], [0, 2, 0, 1]])
    H = M.T @ M  # integer, positive definite
    b = np.array([9, -4, 6, 1])  # large enough that several coordinates sit on the box's faces
    quad = " + ".join(f"({H[i, j]})*x{i + 1}*x{j + 1}/2" for i in range(4) for j in range(4))
    text = quad + " - " + " - ".join(f"({b[i]})*x{i + 1}" for i in range(4))
    lo, hi = np.array([-1.0, -1.0, -0.5, -1.0]), np.array([1.0, 1.0, 0.5, 2.0])
    prob = regret.problem("expression", loss=text, lo=lo.tolist(), hi=hi.tolist())
    exact = _active_sets(H.astype(float), b.astype(float), lo, hi)
    got, x, gap = prob.minimize([1.0], with_gap=True)
    _check_certified(got, gap, exact)
    assert np.sum((x <= lo) | (x >= hi)) >= 2  # the case asked for: the optimum on a face


def test_expression_on_a_box_with_exp_and_log_terms_against_multistart_lbfgsb():
    import regret

    text = "exp(x1 - x2) + log(1 + exp(x2 + x3)) + (x1 - 7/10)^2 + x3^2/2 - x2 + x4^2 - 3*x4"
    prob = regret.problem("expression", loss=text, lo=-1, hi=1)

    def fun(x):
        return float(np.exp(x[0] - x[1]) + np.logaddexp(0.0, x[1] + x[2]) + (x[0] - 0.7) ** 2
                     + x[2] ** 2 / 2 - x[1] + x[3] ** 2 - 3 * x[3])

    def grad(x):
        e, s = np.exp(x[0] - x[1]), 1.0 / (1.0 + np.exp(-(x[1] + x[2])))
        return np.array([e + 2 * (x[0] - 0.7), -e + s - 1.0, s + x[2], 2 * x[3] - 3.0])

    ref, _xr = _box_reference(fun, grad, -np.ones(4), np.ones(4))
    got, x, gap = prob.minimize([1.0], with_gap=True)
    _check_certified(got, gap, ref)
    assert x[3] == 1.0  # x4 on its face (x4² − 3x4 decreases up to 3/2)


def test_expression_on_a_box_with_a_period_against_a_plain_loop_and_a_grid():
    import regret

    s = "(t - 3*floor((t-1)/3))"  # 1, 2, 3, 1, 2, 3, …: period 3
    text = f"(x1 - {s}/2)^2 + exp(x2 - {s}/3) + x1*x2/4 - x2"
    prob = regret.problem("expression", loss=text, period=3, lo=[-1, -1], hi=[1, 1.5])
    lo, hi = np.array([-1.0, -1.0]), np.array([1.0, 1.5])
    for T in (3, 7, 11):
        cs = [(t - 1) % 3 + 1 for t in range(1, T + 1)]

        def fun(x, cs=cs):
            return float(sum((x[0] - c / 2) ** 2 + np.exp(x[1] - c / 3) + x[0] * x[1] / 4 - x[1] for c in cs))

        def grad(x, cs=cs):
            return np.array([sum(2 * (x[0] - c / 2) + x[1] / 4 for c in cs),
                             sum(np.exp(x[1] - c / 3) + x[0] / 4 - 1.0 for c in cs)])

        ref, _xr = _box_reference(fun, grad, lo, hi)
        counts = [cs.count(k) for k in (1, 2, 3)]
        got, x, gap = prob.minimize(counts, with_gap=True)
        _check_certified(got, gap, ref)
        assert prob.comparator(T)[0] == got
        # a dense grid (no solver): the certified value is never above it
        g1, g2 = np.meshgrid(np.linspace(lo[0], hi[0], 801), np.linspace(lo[1], hi[1], 1001), indexing="ij")
        grid = sum((g1 - c / 2) ** 2 + np.exp(g2 - c / 3) + g1 * g2 / 4 - g2 for c in cs)
        assert got <= float(grid.min()) + 1e-14 * abs(got)


def test_expression_on_a_box_linear_and_singular_hessian_losses_are_certified():
    import regret

    lin = regret.problem("expression", loss="x1 - 2*x2 + x3/3", lo=-1, hi=[1, 1, 2])
    got, x, gap = lin.minimize([1.0], with_gap=True)
    _check_certified(got, gap, -1.0 - 2.0 - 1.0 / 3)  # each coordinate at its end
    quartic = regret.problem("expression", loss="(x1 - 3/10)^4 + (x2 + x1 - 1/2)^2", lo=-1, hi=1)
    got, x, gap = quartic.minimize([1.0], with_gap=True)  # the Hessian is singular at the optimum
    assert 0.0 <= got <= gap <= 1e-12  # the minimum is 0: the gap bounds the true distance


def test_expression_on_a_box_that_newton_cannot_certify_is_reported_uncertified():
    import regret

    # condition number ~1e12: the gradient rounds at the optimum far above the tolerance
    prob = regret.problem("expression", loss="1e12*(x1 + x2/7 - 3/10)^2 + (x2 - 1/10)^2", lo=-1, hi=1)
    got, x, gap = prob.minimize([1.0], with_gap=True)
    exact = 0.0  # at x2 = 1/10, x1 = 3/10 − 1/70, inside the box
    assert not convex.certified(got, gap) and gap > 1e-12
    assert got - exact > 1e-12  # truly not within the tolerance: a certificate would have been false
    assert got - exact <= gap  # but the gap it does give is a bound
    with pytest.warns(RuntimeWarning, match=r"T=5 is not certified: .*Frank-Wolfe gap"):
        assert prob.comparator(5)[0] == 5 * got
    with warnings.catch_warnings():  # once per problem, not once per checkpoint
        warnings.simplefilter("error")
        assert prob.comparator(6)[0] == 6 * got
