"""Theory variants and options that no library implements, against plain scalar loops.

Each loop below is written from the paper's formulas (cited) on Python floats, one coordinate at a
time, and shares nothing with the kernels but the gradient sequence.  Both the iterates and the
reported effective learning rate η_t are compared.
"""
import math

import numpy as np
import pytest

import regret

RNG = np.random.default_rng(3)
G = RNG.standard_normal((150, 2)) * np.array([0.3, 2.0])
G[:5, 0] = 0.0  # a coordinate that starts with zero gradients: the ε = 0 paths meet v = 0
X0 = 0.2


def _replay(k):
    r = regret.replay(k, G, X0, full=True)
    return r.x, r.eta


def _loop(step):
    """Run ``step(t, g, state) -> (x_new, eta, state)`` per coordinate; returns x (T+1, d), eta (T, d)."""
    T, d = G.shape
    xs, etas = np.empty((T + 1, d)), np.empty((T, d))
    for i in range(d):
        x, st = X0, {}
        xs[0, i] = x
        for t in range(1, T + 1):
            x, eta, st = step(t, float(G[t - 1, i]), x, st)
            xs[t, i], etas[t - 1, i] = x, eta
    return xs, etas


def _agree(kernel, step, rtol=1e-12):
    x, eta = _replay(kernel)
    xr, er = _loop(step)
    np.testing.assert_allclose(x, xr, rtol=rtol, atol=1e-14)
    np.testing.assert_allclose(eta, er, rtol=rtol, atol=1e-14)


def test_sgd_momentum_and_nesterov_theory():
    a, mu = 0.1, 0.7

    def heavy(t, g, x, s):
        b = mu * s.get("b", 0.0) + g if t > 1 else g
        return x - a / math.sqrt(t) * b, a / math.sqrt(t), {"b": b}

    def nesterov(t, g, x, s):
        b = mu * s.get("b", 0.0) + g if t > 1 else g
        return x - a / math.sqrt(t) * (g + mu * b), a / math.sqrt(t), {"b": b}

    _agree(regret.optimizer("sgd", lr=a, momentum=mu, convention="theory"), heavy)
    _agree(regret.optimizer("sgd", lr=a, momentum=mu, nesterov=True, convention="theory"), nesterov)


def test_adagrad_theory_is_reddis_generic_method_with_sum_over_t():
    a = 0.5

    def step(t, g, x, s):  # Reddi et al. 2018, Alg. 1: α_t = α/√t, V_t = Σg²/t
        acc = s.get("acc", 0.0) + g * g
        v = acc / t
        eta = (a / math.sqrt(t)) / math.sqrt(v) if v > 0 else a / math.sqrt(t)
        return x - eta * g, eta, {"acc": acc}

    x, eta = _replay(regret.optimizer("adagrad", lr=a, convention="theory"))
    xr, er = _loop(step)
    np.testing.assert_allclose(x, xr, rtol=1e-12, atol=1e-14)
    # η is only observable where a gradient was seen (0/0 is defined as α, the step is 0 anyway)
    seen = np.cumsum(G * G, axis=0) > 0
    np.testing.assert_allclose(eta[seen], er[seen], rtol=1e-12)


def test_rmsprop_and_adadelta_theory():
    a, b2 = 0.05, 0.9

    def rms(t, g, x, s):
        v = b2 * s.get("v", 0.0) + (1 - b2) * g * g
        eta = a / math.sqrt(t) / math.sqrt(v) if v > 0 else a / math.sqrt(t)
        return x - eta * g, eta, {"v": v}

    _agree(regret.optimizer("rmsprop", lr=a, beta2=b2, convention="theory"), rms)
    rho, eps = 0.95, 1e-6

    def adadelta(t, g, x, s):  # Zeiler 2012, Alg. 1, with the schedule multiplier 1/√t
        v = rho * s.get("v", 0.0) + (1 - rho) * g * g
        dx = -math.sqrt(s.get("u", 0.0) + eps) / math.sqrt(v + eps) * g
        u = rho * s.get("u", 0.0) + (1 - rho) * dx * dx
        return x + dx / math.sqrt(t), math.sqrt(s.get("u", 0.0) + eps) / math.sqrt(v + eps) / math.sqrt(t), \
            {"v": v, "u": u}

    _agree(regret.optimizer("adadelta", lr=1.0, rho=rho, eps=eps, convention="theory"), adadelta)


@pytest.mark.parametrize("fallback", ["sgd", "skip"])
def test_radam_theory_threshold_four(fallback):
    a, b1, b2 = 0.05, 0.9, 0.95   # ρ∞ = 39: ρ_t passes 4 at t = 4 and 5 only at t = 5

    def step(t, g, x, s):  # Liu et al. 2020, Alg. 2, ρ_t > 4, α_t = α/√t, ε = 0
        m = b1 * s.get("m", 0.0) + (1 - b1) * g
        v = b2 * s.get("v", 0.0) + (1 - b2) * g * g
        rho_inf = 2 / (1 - b2) - 1
        rho = rho_inf - 2 * t * b2 ** t / (1 - b2 ** t)
        mhat = m / (1 - b1 ** t)
        lr = a / math.sqrt(t)
        if rho > 4:
            r = math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
            vhat = math.sqrt(v / (1 - b2 ** t))
            eta = lr * r / vhat / (1 - b1 ** t) if vhat > 0 else lr * r * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
            x = x - lr * r * mhat / vhat if vhat > 0 else x
        elif fallback == "sgd":
            eta = lr / (1 - b1 ** t)
            x = x - lr * mhat
        else:
            eta = 0.0
        return x, eta, {"m": m, "v": v}

    k = regret.optimizer("radam", lr=a, beta1=b1, beta2=b2, fallback=fallback, convention="theory")
    assert k.hparams["threshold"][0] == 4.0
    x, eta = _replay(k)
    xr, er = _loop(step)
    np.testing.assert_allclose(x, xr, rtol=1e-12, atol=1e-14)
    seen = np.cumsum(G * G, axis=0) > 0
    np.testing.assert_allclose(eta[seen], er[seen], rtol=1e-12)
    # threshold 5 (torch) gives a different trajectory on this β2: the option matters
    x5, _ = _replay(regret.optimizer("radam", lr=a, beta1=b1, beta2=b2, fallback=fallback, threshold=5,
                                     convention="theory"))
    assert np.max(np.abs(x5 - x)) > 1e-6


def test_amsgrad_max_of_corrected_v_and_eps_inside():
    a, b1, b2, eps = 0.05, 0.9, 0.99, 1e-3

    def ams_corrected(t, g, x, s):
        m = b1 * s.get("m", 0.0) + (1 - b1) * g
        v = b2 * s.get("v", 0.0) + (1 - b2) * g * g
        vmax = max(s.get("vmax", 0.0), v / (1 - b2 ** t))
        eta = a / (1 - b1 ** t) / (math.sqrt(vmax) + eps)
        return x - eta * m, eta, {"m": m, "v": v, "vmax": vmax}

    _agree(regret.optimizer("amsgrad", lr=a, beta1=b1, beta2=b2, eps=eps, max_of="corrected"), ams_corrected)

    def adam_inside(t, g, x, s):
        m = b1 * s.get("m", 0.0) + (1 - b1) * g
        v = b2 * s.get("v", 0.0) + (1 - b2) * g * g
        eta = a / (1 - b1 ** t) / math.sqrt(v / (1 - b2 ** t) + eps)
        return x - eta * m, eta, {"m": m, "v": v}

    _agree(regret.optimizer("adam", lr=a, beta1=b1, beta2=b2, eps=eps, eps_inside=True), adam_inside)


@pytest.mark.parametrize("sched", ["exp", "inv_t", "callable"])
def test_beta1_schedules_in_the_theory_convention(sched):
    a, b1, b2, lam = 0.05, 0.9, 0.99, 0.97
    b1t = {"exp": lambda t: b1 * lam ** (t - 1), "inv_t": lambda t: b1 / t,
           "callable": lambda t: b1 * (0.5 + 0.5 / t)}[sched]

    def step(t, g, x, s):  # Reddi et al. 2018, Alg. 2 with β1t
        m = b1t(t) * s.get("m", 0.0) + (1 - b1t(t)) * g
        v = b2 * s.get("v", 0.0) + (1 - b2) * g * g
        vmax = max(s.get("vmax", 0.0), v)
        eta = a / math.sqrt(t) / math.sqrt(vmax) if vmax > 0 else a / math.sqrt(t)
        return x - eta * m, eta, {"m": m, "v": v, "vmax": vmax}

    opts = {"exp": {"beta1_schedule": "exp", "lam": lam}, "inv_t": {"beta1_schedule": "inv_t"},
            "callable": {"beta1_schedule": lambda t: 0.5 + 0.5 / np.asarray(t, float)}}[sched]
    k = regret.optimizer("amsgrad", lr=a, beta1=b1, beta2=b2, convention="theory", **opts)
    x, eta = _replay(k)
    xr, er = _loop(step)
    np.testing.assert_allclose(x, xr, rtol=1e-12, atol=1e-14)
    # the same schedule drives AdaBound's first moment
    kb = regret.optimizer("adabound", lr=a, beta1=b1, beta2=b2, convention="theory", **opts)
    assert np.max(np.abs(regret.replay(kb, G, X0) - x)) > 0  # a different method, same β1t machinery
    np.testing.assert_allclose(kb.coeffs(np.arange(1, 6))[0][:, 0], [b1t(t) for t in range(1, 6)], rtol=1e-15)


def test_adaboundw_theory_is_algorithm_two_with_decoupled_decay():
    a, a_star, b1, b2, wd = 0.1, 0.05, 0.9, 0.99, 0.01
    gamma = 1 - b2

    def step(t, g, x, s):  # Luo et al. 2019, Alg. 2, then x −= λ x (authors' AdaBoundW)
        m = b1 * s.get("m", 0.0) + (1 - b1) * g
        v = b2 * s.get("v", 0.0) + (1 - b2) * g * g
        lo, hi = a_star * (1 - 1 / (gamma * t + 1)), a_star * (1 + 1 / (gamma * t))
        raw = a / math.sqrt(v) if v > 0 else math.inf
        eta = min(max(raw, lo), hi) / math.sqrt(t)
        return x - eta * m - wd * x, eta, {"m": m, "v": v}

    _agree(regret.optimizer("adaboundw", lr=a, final_lr=a_star, beta1=b1, beta2=b2, weight_decay=wd,
                            convention="theory"), step)


@pytest.mark.parametrize("name", ["adabound", "amsbound"])
def test_adabound_and_amsbound_theory_are_algorithm_two(name):
    a, a_star, b1, b2 = 0.1, 0.05, 0.9, 0.99
    gamma = 1 - b2

    def step(t, g, x, s):  # Luo et al. 2019, Alg. 2 (AMSBound: the max of v inside the clip)
        m = b1 * s.get("m", 0.0) + (1 - b1) * g
        v = b2 * s.get("v", 0.0) + (1 - b2) * g * g
        vmax = max(s.get("vmax", 0.0), v) if name == "amsbound" else v
        lo, hi = a_star * (1 - 1 / (gamma * t + 1)), a_star * (1 + 1 / (gamma * t))
        raw = a / math.sqrt(vmax) if vmax > 0 else math.inf
        eta = min(max(raw, lo), hi) / math.sqrt(t)
        return x - eta * m, eta, {"m": m, "v": v, "vmax": vmax}

    _agree(regret.optimizer(name, lr=a, final_lr=a_star, beta1=b1, beta2=b2, convention="theory"), step)


@pytest.mark.parametrize("schedule", ["inv_sqrt", "constant"])
@pytest.mark.parametrize("sweep", [{}, {"lr": [0.1, 0.5, 1.0]}, {"final_lr": [0.01, 0.1, 0.3]},
                                   {"gamma": [1e-3, 0.1, 0.5], "lr": [0.1, 0.2, 0.3]}])
def test_compiled_paper_band_equals_the_numpy_evaluation_bit_for_bit(schedule, sweep):
    """The theory AdaBound coefficients come from one compiled pass (``schedules.paper_band``);
    passing the paper's bounds as callables takes the numpy path: same numbers, same shapes."""
    opts = dict(lr=0.5, final_lr=0.1, gamma=0.01, beta1=0.9, beta2=0.999, schedule=schedule,
                convention="theory")
    opts.update(sweep)
    fast = regret.optimizer("adabound", **opts)
    lower, upper = regret.schedules.paper_bounds(np.atleast_1d(opts["final_lr"]), np.atleast_1d(opts["gamma"]))
    slow = regret.optimizer("adabound", lower=lower, upper=upper, **opts)
    t = np.concatenate([np.arange(1, 2000), [10**6, 10**9, 2**53]])
    for c_fast, c_slow in zip(fast.coeffs(t), slow.coeffs(t)):
        c_slow = np.broadcast_to(c_slow, (len(t), c_slow.shape[1]))
        assert c_fast.shape == c_slow.shape
        np.testing.assert_array_equal(c_fast, c_slow)
    # and against the formulas written out here
    lo = np.array([0.1 * (1 - 1 / (0.01 * k + 1)) for k in t[:50]])
    if schedule == "inv_sqrt" and not sweep:
        np.testing.assert_allclose(fast.coeffs(t[:50])[2][:, 0], lo / np.sqrt(t[:50]), rtol=1e-15)


def test_compiled_paper_band_refuses_a_bound_that_overflows():
    k = regret.optimizer("adabound", gamma=1e-320, convention="theory")
    with pytest.raises(ValueError, match=r"upper is not finite at t=1"):
        k.coeffs(np.arange(1, 10))


def test_lookahead_over_theory_sgd():
    a, k, alpha = 0.1, 4, 0.6

    def step(t, g, x, s):  # Zhang et al. 2019, Alg. 1
        slow = s.get("slow", X0)
        x = x - a / math.sqrt(t) * g
        if t % k == 0:
            slow = slow + alpha * (x - slow)
            x = slow
        return x, a / math.sqrt(t), {"slow": slow}

    _agree(regret.optimizer("lookahead", inner="sgd", k=k, alpha=alpha, lr=a, convention="theory"), step)


@pytest.mark.parametrize("make, msg", [
    (lambda: regret.optimizer("adam", beta1_schedule="linear"), "beta1_schedule='linear'"),
    (lambda: regret.optimizer("adam", beta1_schedule="exp"), "needs lam"),
    (lambda: regret.optimizer("adam", beta1_schedule="exp", lam=1.5), "lam=1.5"),
    (lambda: regret.optimizer("adam", lam=0.9), "lam is only used"),
    (lambda: regret.optimizer("radam", threshold=3), "threshold=3"),
    (lambda: regret.optimizer("radam", fallback="none"), "fallback='none'"),
    (lambda: regret.optimizer("sgd", nesterov=True), "nesterov=True needs momentum > 0"),
    (lambda: regret.optimizer("sgd", momentum=1.0), "momentum=1"),
    (lambda: regret.optimizer("rmsprop", centered=True, bias_correction=True), "centered=True"),
    (lambda: regret.optimizer("adadelta", eps=0), "eps=0"),
    (lambda: regret.optimizer("amsgrad", max_of="both"), "max_of='both'"),
    (lambda: regret.optimizer("lookahead", k=2.5), "k=2.5"),
    (lambda: regret.optimizer("lookahead", alpha=0), "alpha=0"),
    (lambda: regret.optimizer("lookahead", inner="adm"), "did you mean 'adam'"),
    (lambda: regret.optimizer("lookahead", inner="adam", betta1=0.5), "betta1"),
    (lambda: regret.optimizer("adamw", weight_decay=-1), "weight_decay=-1"),
])
def test_bad_options_name_the_parameter(make, msg):
    with pytest.raises(ValueError, match=msg.replace("(", r"\(").replace(")", r"\)")):
        make()


def test_a_beta1_schedule_leaving_the_unit_interval_is_refused_at_its_step():
    k = regret.optimizer("adam", beta1=0.9, beta1_schedule=lambda t: np.where(np.asarray(t) > 3, 1.2, 1.0))
    with pytest.raises(ValueError, match="t=4"):
        regret.replay(k, G, X0)


def test_column_powers_are_each_configurations_own_power_bit_for_bit():
    """β^t for a batch must be, column by column, the numbers of ``np.power(β_j, t)`` alone: numpy's
    vectorised and scalar pow differ in the last bit and its layout decides which runs (with one
    step, a batch of bases would meet the scalar-exponent path, x**2 = x*x)."""
    rng = np.random.default_rng(7)
    cases = [(np.array([0.0, 0.0, 0.674367840699113]), np.array([2.0]))]
    for _ in range(200):
        base = rng.choice(rng.uniform(0.0, 1.0, 6) ** 0.3, size=int(rng.integers(1, 40)))  # with repeats
        t0, n = int(rng.integers(1, 10**7)), int(rng.integers(1, 300))
        cases.append((base, np.arange(t0, t0 + n, dtype=np.float64)))
    for base, tf in cases:
        got = regret.schedules.column_powers(base, tf)
        assert got.shape == (len(tf), len(base))
        for j, b in enumerate(base):
            np.testing.assert_array_equal(got[:, j], np.power(float(b), tf))
