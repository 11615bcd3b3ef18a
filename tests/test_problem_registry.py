"""Registry-driven properties of every problem in ``regret.PROBLEMS``.

Each registered name needs an entry in ``SAMPLES`` (small options that run in milliseconds), so a
new family is covered the moment it is registered: a batch of instances equals separate runs,
runs are deterministic and independent of the chunk size, an interrupted run resumes to the
same numbers bit for bit, and a configuration that overflows is frozen without touching the rest.
"""
import numpy as np
import pytest

import regret

SAMPLES = {
    "reddi-online": dict(C=[3.0, 4.0]),
    "reddi-stochastic": dict(C=3.0, delta=0.3, seed=[5, 6]),
    "periodic": dict(pattern=[3.0, -1.0, -1.0]),
    "minus-one-two": dict(C=[5, 7]),
    "quadratic": dict(a=[1.0, 4.0], c=[0.5, -0.25], d=2),
    "linear": dict(kind="gaussian", d=3, scale=3.0, mean=[0.5, -0.5, 0.0], seed=[1, 2]),
    "least-squares": dict(n=40, d=3, order="iid", seed=[1, 2], feasible="ball", radius=2.0),
    "logistic": dict(n=40, d=3, order="reshuffle", seed=[1, 2], cond=10.0),
    "hinge": dict(n=40, d=3, order="iid", seed=[3, 4]),
    "absolute": dict(n=40, d=3, order="cyclic", feasible="simplex", simplex_scale=2.0),
    "zhang": dict(n=5, order="iid", seed=[1, 2]),
    "shi": dict(dev=100.0, order="reshuffle", seed=[7, 8]),
    "expression": dict(loss="2*(x1 - 1/2)^2 + exp(x2) + x2*Piecewise((3, t - 2*floor((t-1)/2) <= 1), (-1, True))",
                       period=2),
}
NAMES = sorted(regret.PROBLEMS)
T = 400
CK = 10  # checkpoints: each one solves a comparator (scipy) for the data families


def test_every_registered_problem_has_a_sample():
    assert sorted(SAMPLES) == NAMES


def _kernel(**kw):
    return regret.optimizer("adam", lr=kw.pop("lr", 0.05), beta2=0.99, **kw)


def _batched(name):
    """(option, values) of the batched option of a sample, if any."""
    for k, v in SAMPLES[name].items():
        if isinstance(v, list) and k in ("seed", "C"):
            return k, v
    return None


@pytest.mark.parametrize("name", NAMES)
def test_batch_of_instances_equals_separate_runs(name):
    spec = _batched(name)
    if spec is None:
        pytest.skip("no batch of instances in this sample")
    key, values = spec
    res = regret.run(regret.problem(name, **SAMPLES[name]), _kernel(), T, engine="numpy", checkpoints=CK)
    assert res.batch == len(values)
    for b, v in enumerate(values):
        alone = regret.run(regret.problem(name, **{**SAMPLES[name], key: v}), _kernel(), T, engine="numpy", checkpoints=CK)
        np.testing.assert_array_equal(res.regret[:, b], alone.regret[:, 0])
        np.testing.assert_array_equal(res.x[:, b], alone.x[:, 0])


@pytest.mark.parametrize("name", NAMES)
def test_deterministic_and_independent_of_the_chunk(name):
    a = regret.run(regret.problem(name, **SAMPLES[name]), _kernel(), T, engine="numpy", chunk=7, checkpoints=CK)
    b = regret.run(regret.problem(name, **SAMPLES[name]), _kernel(), T, engine="numpy", checkpoints=CK)
    for f in ("regret", "loss", "comparator", "x", "eta"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f), err_msg=f)


@pytest.mark.parametrize("name", NAMES)
def test_interrupt_and_resume_bit_for_bit(name):
    prob = regret.problem(name, **SAMPLES[name])
    whole = regret.run(prob, _kernel(), T, chunk=50, checkpoints=CK)
    part = regret.run(regret.problem(name, **SAMPLES[name]), _kernel(), T, chunk=50, checkpoints=CK,
                      on_chunk=lambda i, t: t >= 150)
    assert part.interrupted
    rest = regret.run(regret.problem(name, **SAMPLES[name]), _kernel(), T, chunk=50, checkpoints=CK, resume=part)
    for f in ("t", "regret", "loss", "comparator", "x", "eta"):
        np.testing.assert_array_equal(getattr(rest, f), getattr(whole, f), err_msg=f)


@pytest.mark.parametrize("name", NAMES)
def test_an_overflowing_configuration_is_frozen_and_spares_the_rest(name):
    lrs = [0.1, 1e308, 0.01]
    opts = dict(SAMPLES[name])
    k = regret.optimizer("sgd", lr=lrs)
    spec = _batched(name)
    if spec is not None:  # one instance: the batch is the kernel's
        opts[spec[0]] = spec[1][0]
    prob = regret.problem(name, **opts)
    res = regret.run(prob, k, 200, checkpoints=CK)  # x̂ = x − 1e308·g overflows (before projection) once |g| > 1.8
    assert [f["config"] for f in res.faults] == [1], res.faults
    assert np.all(np.isfinite(res.x[:, 1]))
    assert np.isnan(res.regret[-1, 1])
    for b in (0, 2):
        alone = regret.run(prob, regret.optimizer("sgd", lr=lrs[b]), 200, checkpoints=CK)
        np.testing.assert_array_equal(res.regret[:, b], alone.regret[:, 0])
