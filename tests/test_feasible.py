"""Feasible sets: ball and simplex against optimality conditions, brute force and scipy."""
import numpy as np
import pytest
from scipy.optimize import minimize

import regret
from regret.feasible import Ball, Box, Simplex

RNG = np.random.default_rng(7)


def _slsqp(obj, x_start, **kw):
    # scipy's answer is only a bound to beat: SLSQP may stop near the optimum without "success"
    r = minimize(obj, x_start, method="SLSQP", options={"ftol": 1e-13, "maxiter": 1000}, **kw)
    assert np.isfinite(r.fun)
    return r


# ---- ball ---------------------------------------------------------------------------------------

def test_ball_weighted_projection_meets_kkt_and_beats_scipy():
    ball = Ball(np.array([0.5, -0.2, 0.1, 0.0]), 0.7)
    y = RNG.normal(size=(40, 4)) * 3
    a = np.exp(RNG.normal(size=(40, 4)) * 2)          # weights spread over ~4 decades
    x = ball.project(y, a)
    z = x - ball.center
    n = np.linalg.norm(z, axis=1)
    outside = np.linalg.norm(y - ball.center, axis=1) > ball.radius
    assert outside.sum() > 30
    np.testing.assert_allclose(n[outside], ball.radius, rtol=1e-13)
    # stationarity: a ⊙ (y − x) = μ (x − c) with one μ ≥ 0 per row
    mu = (a * (y - x))[outside] / z[outside]
    assert np.all(mu > 0)
    np.testing.assert_allclose(mu, np.broadcast_to(mu[:, :1], mu.shape), rtol=1e-8)
    np.testing.assert_array_equal(x[~outside], y[~outside])
    for i in np.flatnonzero(outside)[:8]:
        obj = lambda v, i=i: np.sum(a[i] * (v - y[i]) ** 2)  # noqa: E731
        r = _slsqp(obj, ball.center, constraints=[{"type": "ineq",
                                                 "fun": lambda v: ball.radius ** 2 - np.sum((v - ball.center) ** 2)}])
        assert obj(x[i]) <= r.fun + 1e-9 * max(1.0, r.fun)
        np.testing.assert_allclose(x[i], r.x, atol=1e-6)


def test_ball_weighted_projection_2d_brute_force():
    # the minimiser lies on the circle: a dense search over the angle, then a local refinement
    ball = Ball(np.zeros(2), 1.0)
    y, a = np.array([2.0, 1.5]), np.array([10.0, 0.1])
    th = np.linspace(0, 2 * np.pi, 200001)
    pts = np.stack([np.cos(th), np.sin(th)], axis=1)
    f = np.sum(a * (pts - y) ** 2, axis=1)
    best = pts[np.argmin(f)]
    x = ball.project(y[None], a[None])[0]
    np.testing.assert_allclose(x, best, atol=5e-5)
    assert np.sum(a * (x - y) ** 2) <= f.min() + 1e-12
    # and it is not the plain (radial) projection
    assert np.linalg.norm(x - y / np.linalg.norm(y)) > 0.1


def test_ball_plain_projection_linear_answers_and_diameter():
    ball = Ball([1.0, 2.0], 3.0)
    y = np.array([[10.0, 2.0], [1.0, 2.5]])
    np.testing.assert_allclose(ball.project(y), [[4.0, 2.0], [1.0, 2.5]])
    np.testing.assert_allclose(ball.project(y, np.ones(2)), ball.project(y), rtol=1e-14)
    G = RNG.normal(size=(6, 2))
    x = ball.argmin_linear(G)
    np.testing.assert_allclose(np.sum(G * x, axis=1), ball.min_linear(G), rtol=1e-13)
    # no sampled point of the ball does better than the closed form
    s = RNG.normal(size=(5000, 2))
    s = ball.center + ball.radius * s / np.linalg.norm(s, axis=1, keepdims=True) * RNG.random((5000, 1)) ** 0.5
    assert np.all((G @ s.T).min(axis=1) >= ball.min_linear(G) - 1e-12)
    assert ball.diameter_inf == 6.0
    assert ball.contains(x).all() and not ball.contains([[5.0, 2.0]]).any()


def test_ball_infinite_weight_freezes_a_coordinate():
    ball = Ball(np.zeros(3), 1.0)
    y = np.array([[0.5, 2.0, -1.0]])
    x = ball.project(y, np.array([[np.inf, 1.0, 3.0]]))
    assert x[0, 0] == 0.5
    np.testing.assert_allclose(np.linalg.norm(x), 1.0, rtol=1e-13)



def test_ball_fixed_coordinates_alone_outside_give_the_limit_of_large_weights():
    # coordinates 0 and 2 must not move (weight +inf) but are alone 6.4 from the center, outside
    # the ball: no point keeps them; the answer is the limit of ever larger finite weights (the
    # free coordinates at the center, the fixed ones pulled radially onto the sphere), not NaN
    ball = Ball(np.array([0.1, 0.0, -0.2, 0.0, 0.3]), 0.7)
    y = np.array([[1.94824165, -4.49037738, 6.06799944, -1.120228, -2.56189175]])
    a = np.array([[np.inf, 1.05, np.inf, 0.80, 0.43]])
    with np.errstate(all="raise"):
        x = ball.project(y, a)
    z = (y - ball.center)[0]
    want = ball.center + np.where(np.isinf(a[0]), z, 0.0) * 0.7 / np.linalg.norm(z[[0, 2]])
    np.testing.assert_allclose(x[0], want, rtol=1e-14)
    big = np.where(np.isinf(a), 1e10, a)
    np.testing.assert_allclose(ball.project(y, big)[0], want, atol=1e-8)
    # in a batch with ordinary rows, those rows are untouched by the special case
    y2 = np.vstack([y, [[0.5, 0.4, 0.3, 0.2, 0.9]]])
    a2 = np.vstack([a, [[1.0, 2.0, 3.0, 4.0, 5.0]]])
    x2 = ball.project(y2, a2)
    np.testing.assert_array_equal(x2[0], x[0])
    np.testing.assert_array_equal(x2[1], ball.project(y2[1:], a2[1:])[0])


def test_ball_projection_of_a_point_whose_squared_norm_overflows():
    # x̂ = x − 1e308·g in a blow-up: finite, but ‖z‖² is not; the answer is the same limit
    # (free coordinates at the center), in the reference and in the compiled loop alike
    from regret.engine import compiled

    ball = Ball(np.array([0.1, 0.0, -0.2]), 2.0)
    y = np.array([[3e200, -1e250, 5.0]])
    for a, want in ((np.array([[1.0, 2.0, 3.0]]), ball.center),
                    (np.array([[np.inf, 2.0, 3.0]]), ball.center + [2.0, 0.0, 0.0])):
        with np.errstate(over="ignore", invalid="raise"):  # ‖z‖² overflows by design; no NaN made
            x = ball.project(y, a)
        np.testing.assert_allclose(x[0], want, rtol=1e-15)
        out = np.empty(3)
        compiled._ball(y[0], 1.0 / a[0], out, out, ball.center, ball.radius, 0.0, out)
        np.testing.assert_allclose(out, want, rtol=1e-15)

# ---- simplex -------------------------------------------------------------------------------------

def test_simplex_euclidean_projection_matches_a_known_case_and_scipy():
    s = Simplex(3)
    # closed form: (0.5, 0.2, -1) → subtract τ = −0.15 from the two positive entries → (0.65, 0.35, 0)
    np.testing.assert_allclose(s.project(np.array([0.5, 0.2, -1.0])), [0.65, 0.35, 0.0], rtol=1e-14)
    y = RNG.normal(size=(10, 3)) * 2
    x = s.project(y)
    for i in range(10):
        obj = lambda v, i=i: np.sum((v - y[i]) ** 2)  # noqa: E731
        r = _slsqp(obj, np.ones(3) / 3, bounds=[(0, None)] * 3,
                   constraints=[{"type": "eq", "fun": lambda v: v.sum() - 1.0}])
        np.testing.assert_allclose(x[i], r.x, atol=1e-6)
        assert obj(x[i]) <= r.fun + 1e-9


def test_simplex_weighted_projection_meets_kkt_and_beats_scipy():
    s = Simplex(5, scale=2.0)
    y = RNG.normal(size=(30, 5)) * 2
    a = np.exp(RNG.normal(size=(30, 5)) * 1.5)
    x = s.project(y, a)
    assert s.contains(x, tol=1e-12).all()
    # KKT: a_i (y_i − x_i) = λ/2·... i.e. a_i(y_i − x_i) is one constant on the support and ≤ it off it
    g = a * (y - x)
    for i in range(30):
        on = x[i] > 0
        np.testing.assert_allclose(g[i, on], g[i, on][0], rtol=1e-10, atol=1e-12)
        assert np.all(g[i, ~on] <= g[i, on][0] + 1e-12)
    for i in range(6):
        obj = lambda v, i=i: np.sum(a[i] * (v - y[i]) ** 2)  # noqa: E731
        r = _slsqp(obj, np.full(5, 0.4), bounds=[(0, None)] * 5,
                   constraints=[{"type": "eq", "fun": lambda v: v.sum() - 2.0}])
        assert obj(x[i]) <= r.fun + 1e-9 * max(1.0, r.fun)
    # the weights matter: the Euclidean projection is a different point
    assert np.max(np.abs(s.project(y) - x)) > 0.1


def test_simplex_linear_answers_inside_points_and_infinite_weight():
    s = Simplex(4)
    G = RNG.normal(size=(7, 4))
    np.testing.assert_allclose(np.sum(G * s.argmin_linear(G), axis=1), s.min_linear(G))
    verts = np.eye(4)
    np.testing.assert_allclose(s.min_linear(G), (G @ verts.T).min(axis=1))
    p = np.array([[0.1, 0.2, 0.3, 0.4]])
    np.testing.assert_array_equal(s.project(p, RNG.random((1, 4)) + 0.1), p)
    x = s.project(np.array([[0.3, 0.9, 0.5, -0.2]]), np.array([[np.inf, 1.0, 1.0, 1.0]]))
    assert x[0, 0] == 0.3 and abs(x.sum() - 1.0) < 1e-14 and x.min() >= 0
    assert s.diameter_inf == 1.0 and Simplex(1).diameter_inf == 0.0


def test_box_weighted_projection_is_clipping_whatever_the_weights():
    box = Box(-np.ones(3), np.ones(3))
    y = RNG.normal(size=(5, 3)) * 3
    np.testing.assert_array_equal(box.project(y, np.exp(RNG.normal(size=(5, 3)))), np.clip(y, -1, 1))


@pytest.mark.parametrize("make, msg", [
    (lambda: Ball([0.0, 0.0], -1.0), "radius=-1"),
    (lambda: Ball([[0.0]], 1.0), "center"),
    (lambda: Simplex(0), "dim=0"),
    (lambda: Simplex(3, scale=0.0), "scale=0"),
    (lambda: Ball([0.0], 1.0).project(np.ones((2, 3))), "dimension 1"),
    (lambda: Simplex(2).project(np.ones((1, 2)), np.array([[1.0, -1.0]])), "weights must be positive"),
])
def test_bad_sets_name_the_parameter(make, msg):
    with pytest.raises(ValueError, match=msg):
        make()


def test_sets_are_exported():
    assert regret.Ball is Ball and regret.Simplex is Simplex


def test_a_kernel_step_projects_with_the_weight_one_over_eta():
    # Reddi et al. 2018, Alg. 1: x_{t+1} = Π_{F, diag(1/η_t)}(x̂_{t+1}); on a ball this is not radial
    ball = Ball(np.zeros(2), 1.0)
    k = regret.optimizer("adam", lr=0.5, beta1=0.0, beta2=0.9, convention="theory")
    state = k.init(np.array([[0.6, 0.6]]))
    g = np.array([[-5.0, -0.01]])
    free, eta = k.step(state, g, 1)
    proj, eta2 = k.step(state, g, 1, feasible=ball)
    np.testing.assert_array_equal(eta, eta2)
    np.testing.assert_allclose(proj.x, ball.project(free.x, 1.0 / eta), rtol=1e-15)
    assert np.linalg.norm(proj.x) == pytest.approx(1.0, rel=1e-13)
    assert np.max(np.abs(proj.x - ball.project(free.x))) > 1e-3
    # a step of η = 0 (RAdam skipping) leaves a feasible point where it is, whatever the weight
    skip = regret.optimizer("radam", beta2=0.9, threshold=50, fallback="skip")
    s2, eta0 = skip.step(skip.init(np.array([[0.6, 0.6]])), g, 1, feasible=ball)
    assert np.all(eta0 == 0) and np.array_equal(s2.x, [[0.6, 0.6]])
