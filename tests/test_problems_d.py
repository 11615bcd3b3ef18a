"""The d-dimensional families against independent implementations written here: plain loops over
the steps, closed forms, scipy on the full sum, brute force over vertices and grids."""
import itertools

import numpy as np
import pytest
from scipy.optimize import minimize, minimize_scalar

import regret
from regret.feasible import from_options
from regret.problems.learning import Learning
from regret.problems.sampling import IndexPath

# ---- online linear --------------------------------------------------------------------------


def _plain_ogd(grads, F, lr, x0):
    """Projected SGD with α_t = lr, by hand: x_{t+1} = Π_F(x_t − lr·g_t); returns Σ<g_t, x_t>."""
    x, total = np.array(x0, dtype=float), 0.0
    for g in grads:
        total += float(g @ x)
        y = x - lr * g
        if F == "box":
            x = np.clip(y, -1.0, 1.0)
        elif F == "ball":
            n = np.linalg.norm(y)
            x = y if n <= 1.0 else y / n
        else:  # Euclidean projection on the simplex by bisection on the shift
            lo_, hi_ = y.min() - 1.0, y.max()
            for _ in range(200):
                mid = 0.5 * (lo_ + hi_)
                lo_, hi_ = (mid, hi_) if np.maximum(y - mid, 0).sum() > 1.0 else (lo_, mid)
            x = np.maximum(y - 0.5 * (lo_ + hi_), 0.0)
    return total


@pytest.mark.parametrize("feasible", ["box", "ball", "simplex"])
@pytest.mark.parametrize("kind", ["gaussian", "rademacher", "sparse"])
def test_linear_regret_against_a_plain_loop_and_brute_force_comparators(kind, feasible):
    T, d = 300, 3
    prob = regret.problem("linear", kind=kind, d=d, seed=4, feasible=feasible, freq=[0.9, 0.5, 0.2],
                          scale=[1.0, 2.0, 0.5], mean=[0.2, -0.1, 0.0])
    grads = prob.stream().take(np.arange(1, T + 1))[:, 0]
    res = regret.run(prob, regret.optimizer("sgd", lr=0.05, convention="practical"), T, checkpoints=[T],
                     engine="numpy")
    G = grads.sum(axis=0)
    if feasible == "box":
        best = min(float(G @ np.array(v)) for v in itertools.product([-1.0, 1.0], repeat=d))
    elif feasible == "ball":
        best = minimize(lambda x: G @ x, np.zeros(d), constraints=[{"type": "ineq", "fun": lambda x: 1 - x @ x}],
                        method="SLSQP", options={"ftol": 1e-14}).fun
    else:
        best = float(G.min())  # a vertex e_i of the simplex
    np.testing.assert_allclose(res.comparator[-1, 0], best, rtol=1e-7)
    loss = _plain_ogd(grads, feasible, 0.05, prob.x0)
    np.testing.assert_allclose(res.loss[-1, 0], loss, rtol=1e-9, atol=1e-9)


def test_linear_streams_have_the_stated_laws():
    T = 20000
    g = regret.problem("linear", kind="sparse", d=3, freq=[0.5, 0.1, 0.01], scale=[1.0, 3.0, 7.0],
                       seed=2).stream().take(np.arange(1, T + 1))[:, 0]
    np.testing.assert_allclose((g != 0).mean(axis=0), [0.5, 0.1, 0.01], atol=0.015)
    assert set(np.unique(np.abs(g[:, 1]))) <= {0.0, 3.0}
    r = regret.problem("linear", kind="rademacher", d=2, mean=[1.0, 0.0], scale=[0.5, 2.0]).stream().take(
        np.arange(1, 1001))[:, 0]
    assert set(np.unique(r[:, 0])) == {0.5, 1.5} and set(np.unique(r[:, 1])) == {-2.0, 2.0}
    n = regret.problem("linear", d=2, mean=[1.0, -2.0], scale=[0.5, 2.0]).stream().take(np.arange(1, T + 1))[:, 0]
    np.testing.assert_allclose(n.mean(axis=0), [1.0, -2.0], atol=0.05)
    np.testing.assert_allclose(n.std(axis=0), [0.5, 2.0], rtol=0.03)


def test_linear_stream_is_a_function_of_t_and_of_the_seed_alone():
    one = regret.problem("linear", d=2, seed=9).stream()
    both = regret.problem("linear", d=2, seed=[3, 9]).stream()
    whole = one.take(np.arange(1, 3001))
    pieces = np.concatenate([both.take(np.arange(a, b)) for a, b in [(1, 1000), (1000, 1030), (1030, 3001)]])
    np.testing.assert_array_equal(pieces[:, 1], whole[:, 0])


def test_linear_given_sequence_and_its_comparator(tmp_path):
    seq = np.array([[1.0, -2.0], [0.5, 0.5], [-3.0, 1.0]])
    path = tmp_path / "g.npy"
    np.save(path, seq)
    prob = regret.problem("linear", kind="sequence", grads=str(path), feasible="ball", radius=2.0)
    T = 7
    res = regret.run(prob, regret.optimizer("sgd", lr=1e-300), T, checkpoints=[T], engine="numpy")
    G = sum(seq[(t - 1) % 3] for t in range(1, T + 1))
    np.testing.assert_allclose(res.comparator[-1, 0], -2.0 * np.linalg.norm(G), rtol=1e-12)
    assert prob.G_inf == 3.0 and prob.D_inf == 4.0


# ---- orders of presentation ---------------------------------------------------------------------


@pytest.mark.parametrize("order", ["cyclic", "reshuffle", "iid"])
def test_counts_equal_a_tally_of_the_presented_indices(order):
    path = IndexPath(7, order, np.array([1, 2]))
    idx = path.indices(np.arange(1, 5001))
    for T in (1, 6, 7, 50, 4096, 4097, 5000):
        tally = np.stack([np.bincount(idx[:T, i], minlength=7) for i in range(2)])
        np.testing.assert_array_equal(path.counts(T), tally)
    if order == "reshuffle":  # every epoch is a permutation
        for e in range(20):
            assert sorted(idx[7 * e:7 * e + 7, 0]) == list(range(7))
    if order == "iid":
        np.testing.assert_allclose(np.bincount(idx[:, 0], minlength=7) / 5000, 1 / 7, atol=0.02)


# ---- learning losses ------------------------------------------------------------------------------

SCALAR = {
    "squares": lambda z, y: 0.5 * (z - y) ** 2,
    "logistic": lambda z, y: float(np.log(1.0 + np.exp(-y * z))),
    "hinge": lambda z, y: max(0.0, 1.0 - y * z),
    "absolute": lambda z, y: abs(z - y),
}


@pytest.mark.parametrize("loss", list(SCALAR))
def test_learning_losses_and_gradients_against_scalar_formulas(loss):
    prob = Learning(loss, n=30, d=3, order="iid", seed=[1, 2])
    x = np.array([[0.3, -0.2, 0.5], [-0.4, 0.1, 0.9]])
    idx = prob.path.indices(np.arange(1, 21))
    for t in range(1, 21):
        f, g = prob.loss(x, t), prob.grad(x, t)
        for b in range(2):
            a, y = prob.A[idx[t - 1, b]], prob.y[idx[t - 1, b]]
            np.testing.assert_allclose(f[b], SCALAR[loss](float(a @ x[b]), y), rtol=1e-12)
            h = 1e-6  # central differences (away from the kinks of hinge/absolute)
            fd = np.array([(SCALAR[loss](float(a @ (x[b] + h * e)), y) - SCALAR[loss](float(a @ (x[b] - h * e)), y))
                           / (2 * h) for e in np.eye(3)])
            np.testing.assert_allclose(g[b], fd, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("loss", ["logistic", "squares"])
def test_the_expected_gap_of_a_configuration_does_not_depend_on_its_batch(loss):
    """``expected_gap`` evaluates configurations in groups of 8: a row's gap is the same, bit for
    bit, alone or in a batch of 21 (groups 8, 8, 5), and equals the population loss summed here."""
    prob = Learning(loss, n=200, d=4, order="iid", seed=3)
    X = np.random.default_rng(2).uniform(-1, 1, (21, 4))
    batch = prob.expected_gap(X)
    alone = np.array([prob.expected_gap(row[None])[0] for row in X])
    np.testing.assert_array_equal(batch, alone)
    pop = [np.mean([SCALAR[loss](float(a @ x), yy) for a, yy in zip(prob.A, prob.y)]) for x in X]
    opt = prob.minimize(np.full(200, 1 / 200))[0]
    np.testing.assert_allclose(batch, np.array(pop) - opt, rtol=1e-10, atol=1e-12)


def test_the_logistic_derivative_keeps_its_digits_in_both_tails():
    """−y·σ(−yz) against mpmath at 50 digits, as arrays (numpy engine) and as scalars (numba):
    relative error ≤ 4 ulps from m = −yz = −740 (σ ≈ 4e-322) to 740 (the old 0.5·(1 + tanh(m/2))
    gave 0 below m ≈ −37)."""
    import mpmath
    import numba

    from regret.problems.learning import dloss_logistic, loss_logistic

    mpmath.mp.dps = 50
    m = np.concatenate([-np.geomspace(1e-12, 700, 60), [0.0], np.geomspace(1e-12, 740, 60), [-1.0, 1.0, -37.5, -40.0]])
    y = np.where(np.arange(m.size) % 2 == 0, 1.0, -1.0)
    z = -m / y  # exact: y = ±1
    ref_d = np.array([float(-yy / (1 + mpmath.exp(-mpmath.mpf(mm)))) for mm, yy in zip(m, y)])
    ref_l = np.array([float(mpmath.log1p(mpmath.exp(mpmath.mpf(mm)))) for mm in m])
    scalar = numba.njit(lambda z, y: (dloss_logistic(z, y), loss_logistic(z, y)))
    for got_d, got_l in [(dloss_logistic(z, y), loss_logistic(z, y)),
                         tuple(np.array(v) for v in zip(*[scalar(a, b) for a, b in zip(z, y)]))]:
        assert np.all(np.abs(got_d - ref_d) <= 4 * np.spacing(np.abs(ref_d))), m[np.abs(got_d - ref_d) > 4 * np.spacing(np.abs(ref_d))]
        assert np.all(np.abs(got_l - ref_l) <= 4 * np.spacing(np.abs(ref_l)))
    assert dloss_logistic(np.array([40.0]), np.array([1.0]))[0] < 0  # was −0.0


def _full_sum(prob, T, b=0):
    """Σ_{t≤T} f_t(x) by a loop over the steps (not from counts)."""
    idx = prob.path.indices(np.arange(1, T + 1))[:, b]
    A, y = prob.A[idx], prob.y[idx]
    return lambda x: sum(SCALAR[prob.loss_name](float(A[k] @ x), y[k]) for k in range(T))


@pytest.mark.parametrize("loss", ["squares", "logistic"])
@pytest.mark.parametrize("feasible", ["box", "ball", "simplex"])
def test_smooth_comparators_against_scipy_on_the_full_sum(loss, feasible):
    prob = Learning(loss, n=25, d=3, order="iid", seed=5, feasible=feasible, radius=0.5, lo=-0.3, hi=0.4)
    T = 60
    fsum = _full_sum(prob, T)
    F = prob.feasible
    if feasible == "box":
        ref = minimize(fsum, np.zeros(3), method="L-BFGS-B", bounds=list(zip(F.lo, F.hi)), options={"ftol": 1e-14}).fun
    elif feasible == "ball":
        ref = minimize(fsum, np.zeros(3), method="SLSQP", constraints=[{"type": "ineq", "fun": lambda x: 0.25 - x @ x}],
                       options={"ftol": 1e-14}).fun
    else:
        ref = minimize(fsum, np.full(3, 1 / 3), method="SLSQP", bounds=[(0, None)] * 3,
                       constraints=[{"type": "eq", "fun": lambda x: x.sum() - 1}], options={"ftol": 1e-14}).fun
    got = prob.comparator(T)[0]
    np.testing.assert_allclose(got, ref, rtol=1e-6)
    assert got <= ref + 1e-9 * abs(ref)  # our solver is never worse than the reference


def test_least_squares_unconstrained_optimum_is_the_normal_equations():
    prob = Learning("squares", n=30, d=3, order="cyclic", lo=-100.0, hi=100.0)
    T = 90  # three epochs: weights 3 each
    w = np.linalg.lstsq(prob.A, prob.y, rcond=None)[0]
    ref = 3 * 0.5 * np.sum((prob.A @ w - prob.y) ** 2)
    np.testing.assert_allclose(prob.comparator(T)[0], ref, rtol=1e-10)


@pytest.mark.parametrize("loss", ["hinge", "absolute"])
@pytest.mark.parametrize("feasible", ["box", "ball", "simplex"])
def test_piecewise_linear_comparators_against_a_grid(loss, feasible):
    prob = Learning(loss, n=20, d=2, order="iid", seed=3, feasible=feasible, radius=0.7)
    T = 40
    fsum = _full_sum(prob, T)
    F = prob.feasible
    if feasible == "simplex":
        pts = [np.array([s, 1 - s]) for s in np.linspace(0, 1, 4001)]
    else:
        grid = np.linspace(-1, 1, 201)
        pts = [np.array(p) for p in itertools.product(grid, grid)]
        pts = [p for p in pts if F.contains(p)]
    idx = prob.path.indices(np.arange(1, T + 1))[:, 0]
    Z = np.array(pts) @ prob.A[idx].T  # (points, T): every step's <a, x> at every grid point
    y = prob.y[idx]
    vals = np.maximum(0, 1 - y * Z).sum(axis=1) if loss == "hinge" else np.abs(Z - y).sum(axis=1)
    best = float(vals.min())
    assert np.isclose(best, fsum(pts[int(np.argmin(vals))]))
    got = prob.comparator(T)[0]
    lip = sum(np.abs(prob.A[j]).sum() for j in prob.path.indices(np.arange(1, T + 1))[:, 0])
    h = 0.01 if feasible != "simplex" else 1 / 4000
    assert got <= best + 1e-9 and got >= best - lip * h  # within the grid's resolution


@pytest.mark.parametrize("loss", ["logistic", "least-squares", "hinge"])
def test_expected_gap_of_a_configuration_does_not_depend_on_its_batch(loss):
    # batch == singles (and a shard == the whole run) for the expected-gap record
    prob = regret.problem(loss, d=20, n=500, order="iid", seed=1)
    X = np.random.default_rng(0).normal(size=(64, 20)) * 0.1
    whole = prob.expected_gap(X)
    single = np.array([prob.expected_gap(X[b:b + 1])[0] for b in range(64)])
    assert np.array_equal(whole, single)


def test_expected_gap_is_zero_at_the_population_minimiser():
    prob = Learning("squares", n=40, d=2, order="iid", lo=-5.0, hi=5.0)
    w = np.linalg.lstsq(prob.A, prob.y, rcond=None)[0]
    np.testing.assert_allclose(prob.expected_gap(w[None, :]), [0.0], atol=1e-10)
    assert prob.expected_gap(np.array([[1.0, 1.0]]))[0] > 0


def test_generator_controls_condition_sparsity_and_separability():
    from regret.problems.data import generate

    A, y, w = generate(n=20000, d=4, cond=100.0, sparsity=0.5, seed=1)
    cov = A.T @ A / len(A)
    ev = np.linalg.eigvalsh(cov)
    np.testing.assert_allclose(ev.max() / ev.min(), 100.0, rtol=0.1)
    np.testing.assert_allclose((A == 0).mean(), 0.5, atol=0.01)
    A, y, w = generate(n=500, d=3, task="classification", margin=0.2, noise=0.0, seed=2)
    assert np.all(y * (A @ w) >= 0.2 * np.linalg.norm(w) - 1e-12)


def test_bundled_data_sets_load_without_download():
    pytest.importorskip("sklearn")
    for name in ("iris", "breast_cancer", "diabetes"):
        loss = "squares" if name == "diabetes" else "logistic"
        prob = Learning(loss, data=name, order="iid")
        assert prob.A.shape[0] > 100 and np.allclose(prob.A.mean(axis=0), 0, atol=1e-9)


def test_user_arrays_and_files_give_the_same_problem(tmp_path):
    rng = np.random.default_rng(0)
    A, y = rng.standard_normal((12, 3)), rng.standard_normal(12)
    np.savetxt(tmp_path / "d.csv", np.column_stack([A, y]), delimiter=",", header="a1,a2,a3,y", comments="")
    np.savez(tmp_path / "d.npz", A=A, y=y)
    np.save(tmp_path / "d.npy", np.column_stack([A, y]))
    ref = Learning("squares", A=A, y=y, order="cyclic").comparator(30)
    for f in ("d.csv", "d.npz", "d.npy"):
        prob = Learning("squares", data=str(tmp_path / f), order="cyclic")
        np.testing.assert_allclose(prob.comparator(30), ref, rtol=1e-12)


# ---- finite sums --------------------------------------------------------------------------------


def _zhang_f(j, x, n, a=None):
    """Zhang et al. (2.5) typed from the paper's display, piece by piece (not as weight × h)."""
    a = 1 / (n - 1) ** 2 if a is None else a
    if j == 0:
        return (1 + (n - 1) * a) * x if x >= -1 else (1 + (n - 1) * a) / 2 * (x + 2) ** 2 - (3 + 3 * (n - 1) * a) / 2
    return -a * x if x >= -1 else -a / 2 * (x + 2) ** 2 + 3 * a / 2


def _shi_f(j, x, dev):
    return 5 * (x - dev) ** 2 if j == 9 else -0.5 * (x - 10 * dev / 9) ** 2


@pytest.mark.parametrize("name, opts, f", [("zhang", dict(n=6), lambda j, x: _zhang_f(j, x, 6)),
                                            ("zhang", dict(n=5, a=1.0), lambda j, x: _zhang_f(j, x, 5, 1.0)),
                                            ("shi", dict(dev=100.0), lambda j, x: _shi_f(j, x, 100.0)),
                                            ("shi", dict(dev=0.0), lambda j, x: _shi_f(j, x, 0.0))])
@pytest.mark.parametrize("order", ["cyclic", "iid"])
def test_finite_sums_against_plain_formulas_and_a_dense_search(name, opts, f, order):
    prob = regret.problem(name, order=order, seed=3, **opts)
    lo, hi = float(prob.feasible.lo[0]), float(prob.feasible.hi[0])
    xs = np.linspace(lo, hi, 13)
    idx = prob.path.indices(np.arange(1, 41))[:, 0]
    for t in range(1, 41):
        j = idx[t - 1]
        got_f = prob.loss(xs[:, None], t)
        np.testing.assert_allclose(got_f, [f(j, x) for x in xs], rtol=1e-12, atol=1e-9)
        fd = [(f(j, x + 1e-6) - f(j, x - 1e-6)) / 2e-6 for x in xs]
        np.testing.assert_allclose(prob.grad(xs[:, None], t)[:, 0], fd, rtol=1e-5, atol=1e-4)
    for T in (1, 9, 10, 37, 40):
        total = lambda x: sum(f(j, x) for j in idx[:T])  # noqa: E731
        grid = np.linspace(lo, hi, 2001)
        ref = min(min(total(x) for x in grid), minimize_scalar(total, bounds=(lo, hi), method="bounded",
                                                               options={"xatol": 1e-12}).fun)
        got = prob.comparator(T)[0]
        assert got <= ref + 1e-7 * max(1, abs(ref))
        assert got >= ref - 1e-3 * max(1, abs(ref))


def test_finite_sum_averages_have_the_stated_minimisers():
    z = regret.problem("zhang", n=8, lo=-5, hi=3)
    assert z.a == 1 / 49 and z.params["a"] == 1 / 49                  # the paper's instance a = 1/(n−1)²
    val, x = z.sum_min(np.ones(8))                                    # Σ_j f_j = h: min −3/2 at x* = −2
    assert x == -2.0 and val == pytest.approx(-1.5, rel=1e-14)
    s = regret.problem("shi", dev=100.0, lo=-50, hi=50)
    val, x = s.sum_min(np.ones(10))
    assert x == 0.0 and np.isclose(val, -5 * 100.0 ** 2 / 9)
    np.testing.assert_allclose(s.expected_gap(np.array([[2.0]])), [0.5 * 4 / 10], rtol=1e-9)


# ---- user-defined loss ---------------------------------------------------------------------------

PHASE = "Piecewise((1, t - 3*floor((t-1)/3) <= 1), (-1/2, True))"


def _by_hand(x1, x2, t):
    c = 1.0 if (t - 1) % 3 == 0 else -0.5
    return np.log1p(np.exp(-x1)) + (x2 - 0.5) ** 2 + c * x1, (-1 / (1 + np.exp(x1)) + c, 2 * (x2 - 0.5))


@pytest.mark.parametrize("feasible", ["box", "ball", "simplex"])
def test_expression_loss_gradient_and_comparator(feasible):
    prob = regret.problem("expression", loss=f"log(1+exp(-x1)) + (x2-1/2)^2 + x1*{PHASE}", period=3,
                          feasible=feasible, radius=0.8)
    pts = np.array([[0.1, -0.3], [0.5, 0.5], [-0.2, 0.9]])
    for t in range(1, 7):
        f, g = _by_hand(pts[:, 0], pts[:, 1], t)
        np.testing.assert_allclose(prob.loss(pts, t), f, rtol=1e-13)
        np.testing.assert_allclose(prob.grad(pts, t), np.stack(g, axis=-1), rtol=1e-13)
    fj, gj = prob.jit_functions()
    np.testing.assert_allclose(fj(2.0, 0.1, -0.3), _by_hand(0.1, -0.3, 2)[0], rtol=1e-13)
    np.testing.assert_allclose(gj(2.0, 0.1, -0.3), _by_hand(0.1, -0.3, 2)[1], rtol=1e-13)
    T = 11
    total = lambda x: sum(_by_hand(x[0], x[1], t)[0] for t in range(1, T + 1))  # noqa: E731
    F = prob.feasible
    if feasible == "box":
        ref = minimize(total, np.zeros(2), method="L-BFGS-B", bounds=[(-1, 1)] * 2, options={"ftol": 1e-15}).fun
    elif feasible == "ball":
        ref = minimize(total, np.zeros(2), method="SLSQP", constraints=[{"type": "ineq", "fun": lambda x: 0.64 - x @ x}],
                       options={"ftol": 1e-15}).fun
    else:
        ref = minimize(total, np.full(2, 0.5), method="SLSQP", bounds=[(0, None)] * 2,
                       constraints=[{"type": "eq", "fun": lambda x: x.sum() - 1}], options={"ftol": 1e-15}).fun
    np.testing.assert_allclose(prob.comparator(T)[0], ref, rtol=1e-7)
    assert F.contains(prob.x0)


def test_expression_without_t_has_T_times_the_minimum():
    prob = regret.problem("expression", loss="(x - 2)^2", lo=-1, hi=1)  # the minimum is at the edge x = 1
    np.testing.assert_allclose(prob.comparator(50), [50.0], rtol=1e-12)


@pytest.mark.parametrize("text, needles", [
    ("x^3", ["not convex", "Hessian"]),
    ("-(x1^2) + x2^2", ["not convex"]),
    ("Abs(x)", ["not differentiable", "Abs"]),
    ("Max(x, 0)^2", ["not differentiable"]),
    ("__import__('os').system('true')", ["not an allowed function"]),
    ("x.real", ["attribute syntax"]),
    ("exp(t)*x", ["period"]),
    ("log(x)", ["not finite"]),
    ("x +* 2", ["not a valid expression"]),
    ("y^2", ["unknown symbol", "y"]),
])
def test_expression_rejects_unsafe_nonconvex_and_nonsmooth_losses(text, needles):
    with pytest.raises(ValueError) as info:
        regret.problem("expression", loss=text, lo=-1, hi=1)
    for needle in needles:
        assert needle in str(info.value), str(info.value)
    assert "loss=" in str(info.value)


def test_comparator_solves_run_on_one_blas_thread_and_restore_the_caller_s_threads():
    from threadpoolctl import threadpool_info

    from regret.problems.blas import one_blas_thread

    before = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    with one_blas_thread():
        inside = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    assert inside and all(n == 1 for n in inside)
    assert [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"] == before


@pytest.mark.parametrize("kw, w, needles", [
    (dict(loss="(x - 1/2)^2"), [1.0, 2.0], ["w=[1.0, 2.0]", "one weight"]),
    (dict(loss="(x - t)^2", period=3), [1.0, 1.0], ["w=[1.0, 1.0]", "3 weight(s) >= 0", "t = 1..3"]),
    (dict(loss="(x - t)^2", period=2), [1.0, -1.0], ["w=[1.0, -1.0]", ">= 0"]),
    (dict(loss="(x - 1/2)^2"), [np.nan], ["w=", "finite"]),
])
def test_expression_minimize_rejects_bad_weights_naming_them(kw, w, needles):
    prob = regret.problem("expression", lo=-1, hi=1, **kw)
    with pytest.raises(ValueError) as info:
        prob.minimize(w)
    for needle in needles:
        assert needle in str(info.value), str(info.value)


def test_expression_minimize_weights_are_the_counts_of_the_period():
    prob = regret.problem("expression", loss="(x - t)^2", period=3, lo=-5, hi=5)
    # Σ_s w_s (x − s)² is least at the weighted mean of s (inside the box)
    w = np.array([2.0, 0.0, 5.0])
    mean = float(w @ [1, 2, 3] / w.sum())
    got, x, gap = prob.minimize(w, with_gap=True)
    np.testing.assert_allclose(x, [mean], rtol=1e-14)
    np.testing.assert_allclose(got, float(w @ (mean - np.array([1, 2, 3])) ** 2), rtol=1e-13)
    assert gap <= 1e-12 * max(1.0, got)
