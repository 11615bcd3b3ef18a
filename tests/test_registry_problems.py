"""Registry-driven properties of problems: every entry of ``regret.PROBLEMS`` is covered.

For each problem (built with its defaults, or the sample options below): its description is
standard JSON, D∞ is its feasible set's, G∞ (when it states one) bounds every gradient it hands
out, a linear problem's gradients have the contract's shape, and both engines give the same
regret where the fused one applies.
"""
import inspect
import json

import numpy as np
import pytest

import regret
from regret.feasible import Box
from regret.jsonable import jsonable

NAMES = sorted(regret.PROBLEMS)
SAMPLE = {"periodic": {"pattern": [1.0, -2.0, 0.5]}}
# G∞ of today's problems at those options, typed from their constructions
KNOWN_G = {"reddi-online": 3.0, "reddi-stochastic": 3.0, "periodic": 2.0, "minus-one-two": 2.0,
           "quadratic": 1.5}      # quadratic: a = 1, c = 0.5 on [−1, 1]: max |x − c| = 1.5


def _build(name):
    params = inspect.signature(regret.PROBLEMS[name]).parameters
    missing = [k for k, p in params.items() if p.default is p.empty and p.kind is p.POSITIONAL_OR_KEYWORD
               and k not in SAMPLE.get(name, {})]
    if missing:
        pytest.skip(f"problem {name!r} needs {missing}: add sample options to SAMPLE")
    return regret.problem(name, **SAMPLE.get(name, {}))


def _gradients(problem, T=600, seed=0):
    """Gradients of steps 1..T, shape (T, B_p, d): the stream's, or ∇f_t at points drawn in F."""
    if problem.linear:
        return np.asarray(problem.stream().take(np.arange(1, T + 1, dtype=np.int64)))
    rng = np.random.default_rng(seed)
    lo, hi = problem.feasible.lo, problem.feasible.hi
    x = lo + (hi - lo) * rng.random((problem.batch, problem.dim))
    return np.stack([problem.grad(x, t) for t in range(1, 50)])


@pytest.mark.parametrize("name", NAMES)
def test_description_is_standard_json(name):
    p = _build(name)
    doc = json.loads(json.dumps(jsonable(p.describe()), allow_nan=False))
    assert doc["name"] == p.name and "params" in doc and "feasible" in doc


@pytest.mark.parametrize("name", NAMES)
def test_stated_constants_bound_the_problem(name):
    p = _build(name)
    if isinstance(p.feasible, Box):
        assert p.D_inf == float(np.max(p.feasible.hi - p.feasible.lo))
    G = p.G_inf
    if G is None:
        pytest.skip(f"problem {name!r} states no G_inf")
    G = np.asarray(G, dtype=np.float64)
    assert G.shape == (p.batch,) and np.all(np.isfinite(G)) and np.all(G >= 0)
    g = _gradients(p)
    assert np.all(np.abs(g).max(axis=(0, 2)) <= G * (1 + 1e-12)), (np.abs(g).max(axis=(0, 2)), G)
    if name in KNOWN_G:
        assert G.tolist() == [KNOWN_G[name]] * p.batch


@pytest.mark.parametrize("name", NAMES)
def test_linear_gradients_have_the_contract_shape(name):
    p = _build(name)
    if not p.linear:
        pytest.skip("not a linear problem")
    g = np.asarray(p.stream().take(np.arange(1, 12, dtype=np.int64)))
    assert g.shape == (11, p.batch, p.dim)
    # chunking does not change them: steps 1..11 taken in one piece or as 1..4 then 5..11
    s = p.stream()
    first = np.asarray(s.take(np.arange(1, 5, dtype=np.int64))).copy()
    np.testing.assert_array_equal(np.concatenate([first, s.take(np.arange(5, 12, dtype=np.int64))]), g)


@pytest.mark.parametrize("name", NAMES)
def test_both_engines_agree(name):
    from regret import fused

    p = _build(name)
    if fused.applies(p) is not None:
        pytest.skip(fused.applies(p))
    k = regret.optimizer("adam", lr=0.05, beta2=0.99)
    a = regret.run(p, k, 300, engine="numpy")
    b = regret.run(_build(name), k, 300, engine="fused")
    np.testing.assert_allclose(b.regret, a.regret, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.x, a.x, rtol=1e-10, atol=1e-12)
