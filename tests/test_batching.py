"""Batches, seeds and chunks: a configuration's numbers do not depend on what runs beside it."""
import numpy as np
import pytest

import regret


def _same(a, b):
    for f in ("regret", "loss", "comparator", "x", "eta"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f), err_msg=f)


@pytest.mark.parametrize("name", ["adam", "amsgrad", "sgd", "adabound", "amsbound"])
def test_batch_equals_separate_runs(name):
    lrs = [0.05, 0.1, 0.3]
    betas2 = [0.1, 0.5, 0.99]
    opts = dict(convention="theory") if name == "sgd" else dict(beta1=0.5, convention="theory")
    prob = regret.problem("reddi-online", C=3)
    if name == "sgd":
        batched = regret.run(prob, regret.optimizer(name, lr=lrs, **opts), 500)
        singles = [regret.run(prob, regret.optimizer(name, lr=lr, **opts), 500) for lr in lrs]
    else:
        batched = regret.run(prob, regret.optimizer(name, lr=lrs, beta2=betas2, **opts), 500)
        singles = [regret.run(prob, regret.optimizer(name, lr=lr, beta2=b2, **opts), 500)
                   for lr, b2 in zip(lrs, betas2)]
    for b, single in enumerate(singles):
        for f in ("regret", "x", "eta"):
            np.testing.assert_array_equal(getattr(batched, f)[:, b], getattr(single, f)[:, 0])


def test_problem_batch_equals_separate_problems():
    k = regret.optimizer("adam", beta1=0, beta2=0.1, lr=0.1, convention="theory")
    batched = regret.run(regret.problem("reddi-online", C=[3.0, 5.0], P=[3, 5]), k, 400)
    for b, (C, P) in enumerate([(3.0, 3), (5.0, 5)]):
        single = regret.run(regret.problem("reddi-online", C=C, P=P), k, 400)
        np.testing.assert_array_equal(batched.regret[:, b], single.regret[:, 0])


def test_same_seed_is_bitwise_identical_and_different_seed_is_not():
    k = regret.optimizer("adam", beta1=0.9, beta2=0.99, lr=0.1)
    run = lambda seed: regret.run(regret.problem("reddi-stochastic", C=3, delta=0.5, seed=seed), k, 2000)
    _same(run(7), run(7))
    assert not np.array_equal(run(7).regret, run(8).regret)


def test_stochastic_path_independent_of_batch_and_chunk():
    k = regret.optimizer("amsgrad", beta1=0.9, beta2=0.99, lr=0.05)
    both = regret.run(regret.problem("reddi-stochastic", C=3, delta=0.5, seed=[11, 12]), k, 3000, chunk=97)
    alone = regret.run(regret.problem("reddi-stochastic", C=3, delta=0.5, seed=12), k, 3000)
    for f in ("regret", "x", "expected_gap", "expected_regret"):
        np.testing.assert_array_equal(getattr(both, f)[:, 1], getattr(alone, f)[:, 0], err_msg=f)


def test_chunking_does_not_change_numbers():
    k = regret.optimizer("adabound", beta1=0.9, beta2=0.999, lr=0.01)
    prob = regret.problem("minus-one-two", C=7)
    _same(regret.run(prob, k, 5000, chunk=1), regret.run(prob, k, 5000, chunk=4096))


def test_blow_up_in_one_configuration_freezes_it_and_spares_the_rest():
    # lr = 1e308 overflows the first step of configuration 1 only.
    lrs = [0.1, 1e308, 0.01]
    k = regret.optimizer("sgd", lr=lrs)
    prob = regret.problem("periodic", pattern=[3.0, -1.0, -1.0], lo=-1e308, hi=1e308)
    res = regret.run(prob, k, 200, x0=1.0)
    assert [f["config"] for f in res.faults] == [1]
    assert res.faults[0] == {"config": 1, "t": 1, "quantity": "x"}
    assert np.all(np.isnan(res.regret[:, 1]))
    assert np.all(res.x[:, 1, 0] == 1.0), "a frozen configuration keeps its last finite iterate"
    for b in (0, 2):
        alone = regret.run(prob, regret.optimizer("sgd", lr=lrs[b]), 200, x0=1.0)
        np.testing.assert_array_equal(res.regret[:, b], alone.regret[:, 0])


def test_blow_up_on_a_general_problem_freezes_it_and_spares_the_rest():
    # f(x) = 2(x − 1/2)²: the gradient at x0 = 1 is 2, so lr = 1e308 overflows x̂ at t = 1.
    lrs = [0.1, 1e308, 0.01]
    prob = regret.problem("quadratic", a=4.0, c=0.5)
    res = regret.run(prob, regret.optimizer("sgd", lr=lrs, momentum=0.5), 300, x0=1.0)
    assert res.faults == [{"config": 1, "t": 1, "quantity": "x"}]
    assert np.all(np.isnan(res.regret[:, 1])) and np.all(res.x[:, 1, 0] == 1.0)
    for b in (0, 2):
        alone = regret.run(prob, regret.optimizer("sgd", lr=lrs[b], momentum=0.5), 300, x0=1.0)
        np.testing.assert_array_equal(res.regret[:, b], alone.regret[:, 0])
        np.testing.assert_array_equal(res.x[:, b], alone.x[:, 0])


@pytest.mark.parametrize("name", ["adam", "adabound", "radam"])
def test_a_sweep_over_lam_alone_equals_separate_runs(name):
    # λ of β1t = β1·λ^(t−1) is the only swept value: the kernel's batch must come from it too
    lams = [0.5, 0.9, 0.999]
    prob = regret.problem("reddi-online", C=3)
    batched = regret.run(prob, regret.optimizer(name, beta1=0.9, beta1_schedule="exp", lam=lams), 600)
    assert batched.batch == 3 and [c["lam"] for c in batched.configs] == lams
    for b, lam in enumerate(lams):
        alone = regret.run(prob, regret.optimizer(name, beta1=0.9, beta1_schedule="exp", lam=lam), 600)
        np.testing.assert_array_equal(batched.regret[:, b], alone.regret[:, 0])
