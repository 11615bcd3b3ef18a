"""The compiled loop of x-dependent problems against the numpy reference engine: every kernel on
one problem (each projection), every problem family on two kernels; faults are the same."""
import numpy as np
import pytest

import regret
from regret.engine import compiled

KERNELS = sorted(regret.OPTIMIZERS)
FAMILIES = {
    "quadratic": dict(a=[1.0, 4.0, 0.5], c=[0.5, -0.25, 2.0], d=3),
    "least-squares": dict(n=30, d=3, seed=[1, 2], cond=10.0),
    "logistic": dict(n=30, d=3, seed=[1, 2], order="reshuffle"),
    "hinge": dict(n=30, d=3, order="cyclic"),
    "absolute": dict(n=30, d=3, seed=3),
    "zhang": dict(n=6, order="iid", seed=[1, 2]),
    "shi": dict(dev=100.0),
    "expression": dict(loss="(x1 - 1/2)^2 + exp(x2) + 3*x1*x2 + 4*x2^2"),
}
T = 300


def _close(a, b):
    for f in ("regret", "loss", "comparator", "x", "eta"):
        va, vb = getattr(a, f), getattr(b, f)
        scale = 1.0 + np.max(np.abs(va))
        np.testing.assert_allclose(va, vb, rtol=1e-9, atol=1e-11 * scale, err_msg=f)
    assert a.faults == b.faults


def _hp(name):
    return {"lr": 0.05} if name != "adadelta" else {"lr": 1.0}


def test_every_general_family_supplies_a_rule():
    from test_problem_registry import SAMPLES  # one runnable sample of every registered problem

    general = [n for n in regret.PROBLEMS if not regret.problem(n, **SAMPLES[n]).linear]
    assert sorted(general) == sorted(FAMILIES)
    for name, opts in FAMILIES.items():
        assert compiled.applies(regret.problem(name, **opts)) is None


# each kernel on one projection, the three projections in turn (a compilation costs ~1 s)
PAIRS = [(k, ("box", "ball", "simplex")[i % 3]) for i, k in enumerate(KERNELS)]


@pytest.mark.parametrize("kname, feasible", PAIRS)
def test_every_kernel_agrees_with_numpy_on_a_projection(kname, feasible):
    opts = dict(n=30, d=4, seed=[1, 2], feasible=feasible, radius=0.3)
    k = regret.optimizer(kname, **_hp(kname))
    a = regret.run(regret.problem("least-squares", **opts), k, T, engine="numpy", checkpoints=8)
    b = regret.run(regret.problem("least-squares", **opts), k, T, checkpoints=8)
    assert b.engine == "compiled" and a.engine == "numpy"
    _close(a, b)


@pytest.mark.parametrize("name, kname", [(n, ("adam", "amsbound")[i % 2]) for i, n in enumerate(sorted(FAMILIES))])
def test_every_family_agrees_with_numpy(name, kname):
    k = regret.optimizer(kname, lr=0.05, beta2=[0.9, 0.999])
    if name in ("least-squares", "logistic", "zhang"):  # two instances × two configurations: one row each
        k = regret.optimizer(kname, lr=0.05, beta2=0.99)
    a = regret.run(regret.problem(name, **FAMILIES[name]), k, T, engine="numpy", checkpoints=8)
    b = regret.run(regret.problem(name, **FAMILIES[name]), k, T, checkpoints=8)
    assert b.engine == "compiled"
    _close(a, b)


def test_faults_are_recorded_as_on_numpy():
    prob = regret.problem("quadratic", a=4.0, c=0.5)
    k = regret.optimizer("sgd", lr=[0.1, 1e308, 0.01], momentum=0.5)
    a = regret.run(prob, k, 100, x0=1.0, engine="numpy")
    b = regret.run(prob, k, 100, x0=1.0)
    assert b.engine == "compiled" and b.faults == a.faults == [{"config": 1, "t": 1, "quantity": "x"}]
    np.testing.assert_array_equal(a.regret, b.regret)


def test_compiled_projections_equal_the_numpy_sets():
    from regret.feasible import Ball, Simplex

    rng = np.random.default_rng(0)
    for _ in range(200):
        d = int(rng.integers(1, 8))
        y = rng.standard_normal(d) * 3
        eta = np.exp(rng.standard_normal(d))
        eta[rng.random(d) < 0.2] = 0.0  # a coordinate that must not move
        out = np.empty(d)
        ball = Ball(rng.standard_normal(d) * 0.1, 0.7)
        compiled._ball(y, eta, out, out, ball.center, ball.radius, 0.0, out)
        with np.errstate(divide="ignore"):
            ref = ball.project(y[None], 1.0 / eta[None])[0]
        np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-12)
        sim = Simplex(d, 1.5)
        compiled._simplex(y, eta + 0.1, out, out, out, 0.0, 1.5, out)
        ref = sim.project(y[None], 1.0 / (eta[None] + 0.1))[0]
        np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-12)
