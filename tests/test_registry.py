"""Registry-driven properties: every entry of ``regret.OPTIMIZERS`` is covered automatically.

For each optimizer: state shapes are stable, a batch of B configurations equals B separate
runs, runs are deterministic, it converges on the quadratic problem, and the special-case
identities between kernels hold (Adam with β1 = 0 is RMSProp with bias correction; AMSGrad whose
max never binds is Adam; AdaBound with η_l = η_u = α is SGD with momentum; …).
"""
import inspect

import numpy as np
import pytest

import regret

NAMES = sorted(regret.OPTIMIZERS)
RNG = np.random.default_rng(11)
GRADS = RNG.standard_normal((120, 3)) * np.array([0.1, 1.0, 5.0])


def _takes(name, key):
    params = inspect.signature(regret.OPTIMIZERS[name]).parameters
    return key in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def _build(name, **hp):
    """The registry's kernel with the options it takes among ``hp`` (lookahead forwards to its inner)."""
    return regret.optimizer(name, **{k: v for k, v in hp.items() if _takes(name, k)})


# a batched option each optimizer takes, and the per-kernel learning rate for the quadratic
SWEEP = {"lr": [0.01, 0.05, 0.2]}
QUAD_LR = {"adadelta": 1.0, "adagrad": 0.5, "rmsprop": 0.05}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("convention", ["practical", "theory"])
def test_state_shapes_are_stable(name, convention):
    k = _build(name, lr=0.1, convention=convention)
    x0 = RNG.standard_normal((4, 3))
    state = k.init(x0)
    assert type(state)._fields == ("x",) + k.state_names
    shapes = [np.shape(s) for s in state]
    assert all(s == (4, 3) for s in shapes), shapes
    for t in range(1, 30):
        state, eta = k.step(state, GRADS[t], t)
        assert [np.shape(s) for s in state] == shapes
        assert np.broadcast_to(eta, (4, 3)).shape == (4, 3)
        assert np.all(np.isfinite(eta)) and np.all(np.asarray(eta) >= 0)
    # the coefficient and parameter tables agree with the rule's arity
    assert len(inspect.signature(k.rule).parameters) == 2 + len(k.state_names) + len(k.coeff_names) + len(k.param_names)
    assert all(c.shape[0] == 5 and c.shape[1] in (1, k.batch) for c in k.coeffs(np.arange(1, 6)))


@pytest.mark.parametrize("name", NAMES)
def test_batch_equals_separate_runs(name):
    batched = _build(name, **SWEEP)
    assert batched.batch == 3
    xb = regret.replay(batched, GRADS, np.full(3, 0.5), full=True)
    for b, lr in enumerate(SWEEP["lr"]):
        single = regret.replay(_build(name, lr=lr), GRADS, np.full(3, 0.5), full=True)
        np.testing.assert_array_equal(xb.x[:, b], single.x)
        np.testing.assert_array_equal(xb.eta[:, b], single.eta)
    # and a batch of start points / gradient sequences against one configuration
    g3 = np.stack([GRADS, -GRADS, 2 * GRADS], axis=1)
    x03 = np.array([[0.1, 0.2, 0.3], [-1.0, 0.0, 1.0], [0.5, 0.5, 0.5]])
    k = _build(name, lr=0.05)
    xs = regret.replay(k, g3, x03)
    for b in range(3):
        np.testing.assert_array_equal(xs[:, b], regret.replay(k, g3[:, b], x03[b]))


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_result(name):
    prob = regret.problem("reddi-stochastic", C=3, delta=0.5, seed=5)
    k = _build(name, lr=0.05, beta2=0.99)
    a = regret.run(prob, k, 400, engine="numpy")
    b = regret.run(regret.problem("reddi-stochastic", C=3, delta=0.5, seed=5), _build(name, lr=0.05, beta2=0.99),
                   400, engine="numpy")
    np.testing.assert_array_equal(a.regret, b.regret)
    np.testing.assert_array_equal(a.x, b.x)
    c = regret.run(regret.problem("reddi-stochastic", C=3, delta=0.5, seed=6), k, 400, engine="numpy")
    assert not np.array_equal(a.loss, c.loss)


@pytest.mark.parametrize("name", NAMES)
def test_converges_on_the_quadratic(name):
    prob = regret.problem("quadratic", a=[1.0, 4.0], c=[0.5, -0.25], d=2)
    lr = QUAD_LR.get(name, 0.05)
    res = regret.run(prob, _build(name, lr=lr, convention="practical"), 3000, engine="numpy")
    np.testing.assert_allclose(res.x[-1, 0], [0.5, -0.25], atol=2e-2)
    avg = res.regret[:, 0] / res.t
    assert avg[-1] < 0.05 * avg[0]


# ---- special-case identities ---------------------------------------------------------------------

def _x(k, g=GRADS, x0=0.3):
    return regret.replay(k, g, x0)


@pytest.mark.parametrize("convention", ["practical", "theory"])
def test_adam_with_beta1_zero_is_rmsprop_with_bias_correction(convention):
    opts = dict(lr=0.03, beta2=[0.9, 0.999], eps=1e-6 if convention == "practical" else 0.0, convention=convention)
    a = _x(regret.optimizer("adam", beta1=0.0, bias_correction=True, **opts))
    r = _x(regret.optimizer("rmsprop", bias_correction=True, **opts))
    np.testing.assert_allclose(a, r, rtol=1e-13, atol=1e-15)
    # and without bias correction, plain RMSProp (torch's) is Adam with β1 = 0 uncorrected
    a = _x(regret.optimizer("adam", beta1=0.0, bias_correction=False, **opts))
    r = _x(regret.optimizer("rmsprop", **opts))
    np.testing.assert_allclose(a, r, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("convention", ["practical", "theory"])
def test_amsgrad_whose_max_never_binds_is_adam(convention):
    # |g_t| grows, so v_t is nondecreasing and max(v̂_{t−1}, v_t) = v_t every step
    g = np.outer(np.linspace(0.1, 3.0, 150), [1.0, -2.0, 0.5]) * np.where(np.arange(150) % 2, 1, -1)[:, None]
    opts = dict(lr=0.05, beta1=0.9, beta2=0.99, convention=convention)
    np.testing.assert_array_equal(_x(regret.optimizer("amsgrad", **opts), g),
                                  _x(regret.optimizer("adam", **opts), g))
    # where it binds they differ (the test can fail)
    assert np.max(np.abs(_x(regret.optimizer("amsgrad", **opts), g[::-1]) -
                         _x(regret.optimizer("adam", **opts), g[::-1]))) > 1e-6


@pytest.mark.parametrize("name", ["adabound", "amsbound"])
@pytest.mark.parametrize("convention", ["practical", "theory"])
def test_adabound_with_equal_bounds_is_sgd_with_momentum(name, convention):
    alpha, beta1 = 0.07, 0.8

    def const(t):
        return np.full(len(t), alpha)

    k = regret.optimizer(name, lr=0.3, beta1=beta1, lower=const, upper=const, convention=convention)
    sgd = regret.optimizer("sgd", lr=alpha, momentum=beta1, dampening=beta1, dampen_first=True, convention=convention)
    np.testing.assert_allclose(_x(k), _x(sgd), rtol=1e-14, atol=1e-15)
    eta = regret.replay(k, GRADS, 0.3, full=True).eta
    expected = alpha / np.sqrt(np.arange(1, len(GRADS) + 1)) if convention == "theory" else alpha
    np.testing.assert_allclose(eta[:, 0], expected, rtol=1e-15)


def test_adabound_with_open_bounds_is_adam_with_eps_on_the_raw_root():
    k = regret.optimizer("adabound", lr=0.01, eps=0.0, lower=lambda t: np.zeros(len(t)),
                         upper=lambda t: np.full(len(t), 1e300))
    np.testing.assert_allclose(_x(k), _x(regret.optimizer("adam", lr=0.01, eps=0.0)), rtol=1e-13)


def test_decay_free_and_trivial_wrappers_are_the_plain_kernels():
    # AdamW with λ = 0 is Adam; AdaBoundW with λ = 0 is AdaBound; momentum 0 is plain SGD
    np.testing.assert_array_equal(_x(regret.optimizer("adamw", weight_decay=0.0)), _x(regret.optimizer("adam")))
    np.testing.assert_array_equal(_x(regret.optimizer("adaboundw")), _x(regret.optimizer("adabound")))
    np.testing.assert_array_equal(_x(regret.optimizer("sgd", lr=0.1, momentum=0.0, weight_decay=0.0)),
                                  _x(regret.optimizer("sgd", lr=0.1)))
    # Lookahead that never syncs (k > T) is its inner kernel; with α = 1 it syncs to the fast weights
    inner = regret.optimizer("radam", lr=0.01)
    np.testing.assert_array_equal(_x(regret.optimizer("lookahead", inner=inner, k=1000)), _x(inner))
    np.testing.assert_allclose(_x(regret.optimizer("lookahead", inner="adam", k=3, alpha=1.0, lr=0.02)),
                               _x(regret.optimizer("adam", lr=0.02)), rtol=1e-13, atol=1e-15)
    # Ranger is Lookahead(6, 0.5) over RAdam with its defaults
    np.testing.assert_array_equal(
        _x(regret.optimizer("ranger", lr=0.01)),
        _x(regret.optimizer("lookahead", inner="radam", k=6, alpha=0.5, lr=0.01, beta1=0.95, eps=1e-5)))


def test_radam_threshold_above_rho_inf_is_momentum_sgd_on_the_corrected_mean():
    # ρ∞ = 2/(1 − 0.9) − 1 = 19 < threshold: the fallback runs every step, x −= α m_t/(1 − β1^t)
    k = regret.optimizer("radam", lr=0.02, beta1=0.9, beta2=0.9, threshold=50)
    x, m = 0.3, np.zeros(3)
    for t, g in enumerate(GRADS, 1):
        m = 0.9 * m + 0.1 * g
        x = x - 0.02 * m / (1 - 0.9 ** t)
    np.testing.assert_allclose(_x(k)[-1], x, rtol=1e-13)
    skip = regret.optimizer("radam", lr=0.02, beta1=0.9, beta2=0.9, threshold=50, fallback="skip")
    np.testing.assert_array_equal(_x(skip), np.full((len(GRADS) + 1, 3), 0.3))


def test_every_registered_optimizer_is_listed():
    assert set(NAMES) == {"sgd", "adagrad", "rmsprop", "adadelta", "adam", "adamw", "amsgrad", "adabound",
                          "amsbound", "adaboundw", "amsboundw", "radam", "lookahead", "ranger"}
