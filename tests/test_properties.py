"""Property-based tests (hypothesis) over random problems and hyperparameters.

* projection lands in F, is idempotent and is the weighted-nearest point of F;
* regret against the comparator ≥ regret against any other fixed point of F (with the loss
  recomputed in the test from the recorded iterates and the problem's own gradient pattern);
* a configuration's numbers do not depend on the batch it runs in, nor on the chunk size.
"""
import itertools

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import regret
from regret.feasible import Box

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


@st.composite
def boxes(draw, max_dim=4):
    d = draw(st.integers(1, max_dim))
    lo = np.array(draw(st.lists(finite, min_size=d, max_size=d)))
    width = np.array(draw(st.lists(st.floats(0, 100), min_size=d, max_size=d)))
    return Box(lo, lo + width)


@FAST
@given(box=boxes(), data=st.data())
def test_projection_lands_in_F_is_idempotent_and_nearest(box, data):
    d = box.dim
    B = data.draw(st.integers(1, 5))
    y = np.array(data.draw(st.lists(st.lists(st.floats(-1e6, 1e6), min_size=d, max_size=d),
                                    min_size=B, max_size=B)))
    w = np.array(data.draw(st.lists(st.lists(st.floats(1e-3, 1e3), min_size=d, max_size=d),
                                    min_size=B, max_size=B)))
    p = box.project(y, w)
    assert np.all(box.contains(p))
    np.testing.assert_array_equal(box.project(p, w), p)
    # No point of F is closer in the weighted norm ‖diag(w)^{1/2}(· − y)‖: try the vertices and
    # random points of F.
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    cands = [np.array(v) for v in itertools.product(*zip(box.lo, box.hi))]
    cands += list(box.lo + rng.random((20, d)) * (box.hi - box.lo))
    best = np.sum(w * (p - y) ** 2, axis=-1)
    for z in cands:
        assert np.all(best <= np.sum(w * (z - y) ** 2, axis=-1) * (1 + 1e-12) + 1e-9)


KERNELS = ["sgd", "adam", "amsgrad", "adabound", "amsbound"]


@st.composite
def kernel_opts(draw, name, n):
    """n configurations of kernel ``name``: lists of hyperparameters of length n."""
    opts = {"lr": [draw(st.floats(1e-3, 1.0)) for _ in range(n)],
            "convention": draw(st.sampled_from(["theory", "practical"]))}
    if name != "sgd":
        opts["beta1"] = [draw(st.floats(0.0, 0.99)) for _ in range(n)]
        opts["beta2"] = [draw(st.floats(0.0, 0.999)) for _ in range(n)]
    return opts


@st.composite
def periodic_problems(draw):
    d = draw(st.integers(1, 3))
    P = draw(st.integers(1, 6))
    pattern = np.array(draw(st.lists(st.lists(st.floats(-5, 5), min_size=d, max_size=d),
                                     min_size=P, max_size=P)))
    lo = np.array(draw(st.lists(st.floats(-3, 0), min_size=d, max_size=d)))
    hi = lo + np.array(draw(st.lists(st.floats(0.1, 3), min_size=d, max_size=d)))
    return regret.problem("periodic", pattern=pattern, lo=lo, hi=hi), pattern


@FAST
@given(prob_pat=periodic_problems(), name=st.sampled_from(KERNELS), T=st.integers(1, 120), data=st.data())
def test_regret_against_comparator_dominates_any_fixed_point(prob_pat, name, T, data):
    prob, pattern = prob_pat
    opts = data.draw(kernel_opts(name, 1))
    res = regret.run(prob, regret.optimizer(name, **opts), T, checkpoints=np.arange(1, T + 1))
    F = prob.feasible
    # Losses recomputed from the recorded iterates: x_1 = x0 and x_{t+1} = res.x[t-1].
    xs = np.vstack([prob.x0[None, :], res.x[:-1, 0, :]])
    grads = pattern[(np.arange(1, T + 1) - 1) % len(pattern)]
    loss = np.cumsum(np.sum(grads * xs, axis=1))
    np.testing.assert_allclose(res.loss[:, 0], loss, rtol=1e-12, atol=1e-9)
    G = np.cumsum(grads, axis=0)
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    points = [np.array(v) for v in itertools.product(*zip(F.lo, F.hi))]
    points += list(F.lo + rng.random((10, F.dim)) * (F.hi - F.lo))
    for u in points:
        regret_u = loss - G @ u
        assert np.all(res.regret[:, 0] >= regret_u - 1e-9 * (1 + np.abs(regret_u)))
    # ... and the comparator is attained by a vertex (a linear function on a box).
    vertex_min = np.min(np.stack([G @ np.array(v) for v in itertools.product(*zip(F.lo, F.hi))]), axis=0)
    np.testing.assert_allclose(res.comparator[:, 0], vertex_min, rtol=1e-12, atol=1e-12)


@FAST
@given(prob_pat=periodic_problems(), name=st.sampled_from(KERNELS), n=st.integers(2, 4),
       T=st.integers(1, 150), data=st.data())
def test_batch_equals_separate_runs(prob_pat, name, n, T, data):
    prob, _ = prob_pat
    opts = data.draw(kernel_opts(name, n))
    batched = regret.run(prob, regret.optimizer(name, **opts), T)
    for b in range(n):
        single_opts = {k: (v[b] if isinstance(v, list) else v) for k, v in opts.items()}
        single = regret.run(prob, regret.optimizer(name, **single_opts), T)
        for f in ("regret", "loss", "x", "eta"):
            np.testing.assert_array_equal(getattr(batched, f)[:, b], getattr(single, f)[:, 0], err_msg=f)


@FAST
@given(name=st.sampled_from(KERNELS), T=st.integers(1, 400), chunk=st.integers(1, 64),
       seeds=st.lists(st.integers(0, 2**31), min_size=1, max_size=3),
       delta=st.floats(0.0, 1.5), data=st.data())
def test_chunked_equals_unchunked_on_a_stochastic_problem(name, T, chunk, seeds, delta, data):
    prob = regret.problem("reddi-stochastic", C=3.0, delta=delta, seed=seeds)
    k = regret.optimizer(name, **data.draw(kernel_opts(name, 1)))
    whole = regret.run(prob, k, T, chunk=T)
    chunked = regret.run(prob, k, T, chunk=chunk)
    for f in ("regret", "loss", "comparator", "x", "eta", "expected_gap", "expected_regret"):
        np.testing.assert_array_equal(getattr(chunked, f), getattr(whole, f), err_msg=f)
    # A seed's sample path is its own whatever else is in the batch.
    alone = regret.run(regret.problem("reddi-stochastic", C=3.0, delta=delta, seed=seeds[-1]), k, T,
                       chunk=chunk)
    np.testing.assert_array_equal(chunked.regret[:, -1], alone.regret[:, 0])
