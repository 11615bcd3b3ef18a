"""The fused (compiled) engine against the numpy reference engine and independent references.

Every kernel in the registry is covered automatically: a kernel added to ``regret.OPTIMIZERS``
is run by both engines on the counterexample problems, single and batched, and must agree to
rounding (rtol 1e-12; on d = 1 the two engines do the same operations, so in practice bit for
bit), including which configurations fault, when, and on which quantity.
"""
import inspect
import math
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import regret
from regret import fused

NAMES = sorted(regret.OPTIMIZERS)
FIELDS = ("regret", "loss", "comparator", "x", "eta", "expected_gap", "expected_regret")


def _accepts(name, key):
    return key in inspect.signature(regret.OPTIMIZERS[name]).parameters


def _kernel(name, **hp):
    """The registry's kernel with the options it accepts among ``hp`` (theory convention when offered)."""
    opts = {k: v for k, v in hp.items() if _accepts(name, k)}
    if _accepts(name, "convention"):
        opts.setdefault("convention", "theory")
    return regret.optimizer(name, **opts)


def _agree(a, b, rtol=1e-12):
    assert a.engine == "fused" and b.engine == "numpy"
    for f in FIELDS:
        va, vb = getattr(a, f), getattr(b, f)
        if va is None:
            assert vb is None, f
            continue
        finite = np.abs(vb[np.isfinite(vb)])
        scale = min(float(finite.max()), 1e300) if finite.size else 1.0
        np.testing.assert_allclose(va, vb, rtol=rtol, atol=rtol * scale, equal_nan=True, err_msg=f)
    assert a.faults == b.faults


def _both(problem, kernel, T, **kw):
    return (regret.run(problem, kernel, T, engine="fused", **kw),
            regret.run(problem, kernel, T, engine="numpy", **kw))


@pytest.fixture
def variants(monkeypatch):
    """The loop variants the fused engine compiles or looks up while the test runs."""
    used = []
    real = fused.compiled

    def spy(kernel, variant=("row", False)):
        used.append(variant)
        return real(kernel, variant)

    monkeypatch.setattr(fused, "compiled", spy)
    return used


@pytest.mark.parametrize("name", NAMES)
def test_every_kernel_agrees_with_numpy_single_and_batched(name):
    online = regret.problem("reddi-online", C=3)
    # one configuration: the loop that also carries Σ g_t
    _agree(*_both(online, _kernel(name, lr=0.2, beta1=0.5, beta2=0.1), 3000))
    # batched hyperparameters on a stochastic problem (Σ x_t tracked), odd chunk size
    stoch = regret.problem("reddi-stochastic", C=3, delta=0.5, seed=[3, 4])
    k2 = _kernel(name, lr=[0.05, 0.3], beta1=[0.0, 0.9], beta2=[0.5, 0.99])
    _agree(*_both(stoch, k2, 2000, chunk=97))
    # a batch of problem instances against one configuration, and seven configurations
    # (the unroll-and-jam loop and its remainder)
    _agree(*_both(regret.problem("minus-one-two", C=[3, 7]), _kernel(name, lr=0.1, beta2=0.9), 1500))
    k7 = _kernel(name, lr=np.linspace(0.01, 0.5, 7), beta2=np.linspace(0.1, 0.999, 7))
    _agree(*_both(online, k7, 1500))


@pytest.mark.parametrize("name", NAMES)
def test_every_kernel_agrees_with_numpy_in_the_vectorised_loop(name, variants):
    # 21 configurations: the vectorised loop over whole vectors and its scalar remainder
    B = 21
    grid = dict(lr=np.linspace(0.01, 0.9, B), beta1=np.linspace(0.0, 0.95, B), beta2=np.linspace(0.05, 0.999, B),
                alpha=np.linspace(0.1, 1.0, B))  # alpha: Lookahead's only batched option here
    online = regret.problem("reddi-online", C=3)
    _agree(*_both(online, _kernel(name, **grid), 1200))
    # per-instance gradients and Σ x_t tracked, hyperparameters shared, an odd chunk size
    stoch = regret.problem("reddi-stochastic", C=3, delta=0.5, seed=np.arange(B))
    _agree(*_both(stoch, _kernel(name, lr=0.2, beta2=0.9), 900, chunk=97))
    assert {v[:2] for v in variants} == {("simd", False), ("simd", True)}, variants  # (kind, with Σ x_t)


@pytest.mark.parametrize("name", NAMES)
def test_faults_are_identical_in_both_engines(name):
    # instance 1 has C = 1e308: g² overflows (the second moment) or lr·g does (the iterate)
    prob = regret.problem("reddi-online", C=[3.0, 1e308], P=3)
    k = _kernel(name, lr=[10.0, 10.0], beta2=[0.5, 0.9])
    a, b = _both(prob, k, 500)
    _agree(a, b)
    assert [f["config"] for f in a.faults] == [1], a.faults
    assert a.faults[0]["t"] == 1
    # the same in the vectorised loop: one faulting instance among 40
    C = np.full(40, 3.0)
    C[29] = 1e308
    a, b = _both(regret.problem("reddi-online", C=C, P=3), _kernel(name, lr=np.linspace(1.0, 10.0, 40)), 300)
    _agree(a, b)
    assert [f["config"] for f in a.faults] == [29], a.faults
    assert a.faults[0]["t"] == 1


def test_a_fault_mid_chunk_in_a_large_batch_leaves_the_others_alone(variants):
    # configuration 450 of 600 (second thread's slice, second block) overflows x̂ at t = 5;
    # the others see the same numbers as in a batch without it
    pattern = [1.0, -1.0, -1.0, 0.5, 1e200, -1.0, 2.0]
    prob = regret.problem("periodic", pattern=pattern)
    lrs = np.linspace(0.01, 1.0, 600)
    bad = lrs.copy()
    bad[450] = 1e200
    T = 1000
    a, b = _both(prob, regret.optimizer("sgd", lr=bad, convention="theory"), T)
    _agree(a, b)
    assert a.faults == [{"config": 450, "t": 5, "quantity": "x"}]
    assert all(v[0] == "simd" for v in variants), variants
    clean = regret.run(prob, regret.optimizer("sgd", lr=lrs, convention="theory"), T, engine="fused")
    others = np.arange(600) != 450
    for f in ("regret", "loss", "x", "eta"):
        np.testing.assert_array_equal(getattr(a, f)[:, others], getattr(clean, f)[:, others], err_msg=f)
    # frozen at its last finite values: x and η of t = 4, the loss of t = 1..5
    i5 = np.searchsorted(a.t, 5)
    assert np.all(np.isnan(a.regret[i5:, 450]))
    single = regret.run(prob, regret.optimizer("sgd", lr=1e200, convention="theory"), T, engine="fused")
    np.testing.assert_array_equal(a.x[-1, 450], single.x[-1, 0])
    np.testing.assert_array_equal(a.eta[-1, 450], single.eta[-1, 0])
    assert single.faults == [{"config": 0, "t": 5, "quantity": "x"}]


def test_faults_mid_chunk_in_the_unroll_and_jam_loop(variants):
    # six configurations: a full group of four lanes, and one whose last two lanes lie past the
    # slice; configuration 1 (full group) and 5 (last lane of the slice) overflow x̂ at t = 5
    pattern = [1.0, -1.0, -1.0, 0.5, 1e200, -1.0, 2.0]
    prob = regret.problem("periodic", pattern=pattern)
    lrs = np.linspace(0.01, 1.0, 6)
    bad = lrs.copy()
    bad[[1, 5]] = 1e200
    T = 1000
    a, b = _both(prob, regret.optimizer("sgd", lr=bad, convention="theory"), T)
    _agree(a, b)
    for f in ("regret", "loss", "x", "eta"):  # the same operations in the same order: bit for bit
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f), err_msg=f)
    assert a.faults == [{"config": 1, "t": 5, "quantity": "x"}, {"config": 5, "t": 5, "quantity": "x"}]
    assert {v[0] for v in variants} == {"jam"}, variants
    clean = regret.run(prob, regret.optimizer("sgd", lr=lrs, convention="theory"), T, engine="numpy")
    others = ~np.isin(np.arange(6), [1, 5])
    for f in ("regret", "loss", "x", "eta"):
        np.testing.assert_array_equal(getattr(a, f)[:, others], getattr(clean, f)[:, others], err_msg=f)


def test_fault_in_the_middle_of_a_chunk_of_one_configuration():
    # t = 5 carries an overflowing gradient; Σ g_t must go on after the configuration freezes
    pattern = [1.0, -1.0, -1.0, 0.5, 1e308, -1.0, 2.0]
    prob = regret.problem("periodic", pattern=pattern, lo=-1e308, hi=1e308)
    k = regret.optimizer("sgd", lr=10.0)
    a, b = _both(prob, k, 100, x0=0.25)
    _agree(a, b)
    assert a.faults == [{"config": 0, "t": 5, "quantity": "x"}]
    np.testing.assert_array_equal(a.comparator, b.comparator)


@pytest.mark.parametrize("B", [1, 5, 40])  # the one-configuration, unroll-and-jam and vectorised loops
def test_finite_values_whose_sum_overflows_are_not_a_fault(B):
    # x̂ = 1 + 1.5e308 and η = 1.5e308 are finite, their sum is not: the compiled loops test the
    # sum first and must then find every quantity finite
    prob = regret.problem("periodic", pattern=[-1.0])
    a, b = _both(prob, regret.optimizer("sgd", lr=np.full(B, 1.5e308)), 50, x0=0.25)
    _agree(a, b)
    assert a.faults == [] and np.all(a.x[-1] == 1.0) and np.all(a.eta[-1] == 1.5e308)


def test_matches_a_plain_scalar_loop_of_theory_adam():
    # written from Reddi et al. Alg. 1 with β1t = β1, α_t = α/√t, no ε, independent of the package
    C, T, lr, b1, b2 = 3.0, 20000, 0.5, 0.3, 0.2
    x, m, v, loss, G = 1.0, 0.0, 0.0, [], 0.0
    for t in range(1, T + 1):
        g = C if t % 3 == 1 else -1.0
        loss.append(g * x)
        G += g
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        x = min(max(x - lr / math.sqrt(t) * m / math.sqrt(v), -1.0), 1.0)
    k = regret.optimizer("adam", lr=lr, beta1=b1, beta2=b2, convention="theory")
    res = regret.run(regret.problem("reddi-online", C=C), k, T, checkpoints=[T], engine="fused")
    assert res.engine == "fused"
    np.testing.assert_allclose(res.x[-1, 0, 0], x, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(res.regret[-1, 0], math.fsum(loss) - min(-G, G), rtol=1e-10)


def test_general_dimension_and_batched_hyperparameters():
    pattern = np.array([[0.3, -1.2, 0.7], [-0.9, 0.4, 0.05], [0.2, 0.9, -0.6], [0.1, -0.3, 1.1]])
    prob = regret.problem("periodic", pattern=pattern, lo=[-1.0, -0.5, 0.0], hi=[1.0, 2.0, 0.5])
    for name in NAMES:
        k = _kernel(name, lr=[0.05, 0.4, 0.9], beta2=[0.3, 0.9, 0.99])
        _agree(*_both(prob, k, 700))


def test_large_batch_runs_on_threads_and_equals_separate_runs(variants):
    # two slices of 200 in the vectorised loop, against single runs in the row loop
    B = 400
    lrs = np.linspace(0.01, 1.0, B)
    b2 = np.linspace(0.05, 0.999, B)
    k = regret.optimizer("amsgrad", lr=lrs, beta1=0.8, beta2=b2, convention="theory")
    prob = regret.problem("reddi-online", C=5, P=5)
    a, b = _both(prob, k, 3000)
    _agree(a, b)
    for j in (0, 123, B - 1):  # each slice and the row loop give the same numbers as the batch
        one = regret.run(prob, regret.optimizer("amsgrad", lr=lrs[j], beta1=0.8, beta2=b2[j],
                                                convention="theory"), 3000, engine="fused")
        np.testing.assert_array_equal(a.regret[:, j], one.regret[:, 0])
        np.testing.assert_array_equal(a.x[:, j], one.x[:, 0])
    # (time, configuration) strides: β1t constant and shared (a broadcast view), α_t = lr/√t per
    # step and configuration, ε constant; β2 a per-configuration parameter
    assert variants[:2] == [("simd", False, ((0, 0), (1, 1), (0, 0)), (1,), 0, None)] * 2, variants


def test_vectorised_loop_with_a_time_varying_per_configuration_beta1t(variants):
    # β1t = β1·λ^(t−1) with λ per configuration: the β1t coefficient has both strides 1
    B = 24
    lam = np.linspace(0.9, 0.9999, B)
    k = regret.optimizer("adam", lr=0.3, beta1=0.9, beta2=0.99, beta1_schedule="exp", lam=lam, convention="theory")
    prob = regret.problem("reddi-online", C=4, P=4)
    a, b = _both(prob, k, 2500)
    _agree(a, b)
    assert variants and variants[0][0] == "simd" and variants[0][2][0] == (1, 1), variants


@pytest.mark.parametrize("name", ["adabound", "rmsprop", "lookahead"])
def test_vectorised_batch_equals_separate_runs(name, variants):
    # every configuration of a batch of 40 (both slices, one scalar remainder each) is bit for
    # bit the run of that configuration alone
    B, T = 40, 6000
    lrs, b2 = np.linspace(0.01, 1.0, B), np.linspace(0.05, 0.999, B)
    prob = regret.problem("reddi-online", C=5, P=5)
    alphas = np.linspace(0.1, 1.0, B)
    batch = regret.run(prob, _kernel(name, lr=lrs, beta2=b2, alpha=alphas), T, engine="fused")
    assert variants and all(v[0] == "simd" for v in variants), variants
    for j in range(B):
        one = regret.run(prob, _kernel(name, lr=lrs[j], beta2=b2[j], alpha=alphas[j]), T, engine="fused")
        for f in ("regret", "loss", "x", "eta"):
            np.testing.assert_array_equal(getattr(batch, f)[:, j], getattr(one, f)[:, 0], err_msg=f"{f} {j}")


def test_running_loss_is_compensated():
    # x stays pinned at hi = 1 (every gradient is negative), so f_t = g_t and Σ f_t is exactly
    # math.fsum of the pattern repeated; a plain float sum drifts by thousands of ulps over 5·10^4 steps
    pattern = [-0.1, -0.7, -0.3, -1e-3, -0.123456789]
    T = 50_000
    prob = regret.problem("periodic", pattern=pattern)
    exact = math.fsum(pattern[t % len(pattern)] for t in range(T))
    naive = 0.0
    for t in range(T):
        naive += pattern[t % len(pattern)]
    for engine in ("fused", "numpy"):
        res = regret.run(prob, regret.optimizer("sgd", lr=0.01), T, checkpoints=[T], engine=engine)
        assert res.x[-1, 0, 0] == 1.0
        assert abs(res.loss[-1, 0] - exact) <= 2 * math.ulp(exact), engine
    assert abs(naive - exact) > 100 * math.ulp(exact), "the check would not see a plain sum"


def test_engine_selection_and_provenance():
    k = regret.optimizer("adam", lr=0.1)
    res = regret.run(regret.problem("reddi-online"), k, 50)
    assert res.engine == "fused" and res.provenance["engine"] == "fused" and "numba" in res.provenance
    quad = regret.problem("quadratic")
    assert regret.run(quad, k, 50).engine == "compiled"  # x-dependent: regret.compiled under "auto"
    assert regret.run(quad, k, 50, engine="numpy").engine == "numpy"
    with pytest.raises(ValueError, match="engine='fused'.*not linear"):
        regret.run(quad, k, 50, engine="fused")
    with pytest.raises(ValueError, match="engine"):
        regret.run(regret.problem("reddi-online"), k, 50, engine="jit")


def test_compiled_loops_are_cached_across_processes(tmp_path):
    script = textwrap.dedent("""
        import regret
        from regret import fused
        k = regret.optimizer("adabound", lr=0.1, convention="theory")
        regret.run(regret.problem("reddi-online"), k, 100, engine="fused")
        print(sum(fused.compiled(k, ("row_G", False, None, None)).stats.cache_hits.values()))
    """)
    env = dict(os.environ, REGRET_CACHE_DIR=str(tmp_path))
    first = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    second = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert first.stdout.split()[-1] == "0"
    assert int(second.stdout.split()[-1]) >= 1
    # the plain loop's numba cache (index and machine code) lives under REGRET_CACHE_DIR
    assert list((tmp_path / "fused").glob("k_adabound_row_G_*/*.nbi"))


def test_a_rule_that_does_not_compile_falls_back_to_numpy_under_auto():
    base = regret.optimizer("sgd", lr=0.1)

    def bad_rule(x, g, s_t, lr):  # sgd's signature; a Python object: not nopython-compilable
        return x - lr * s_t * g * float(len([object()])), lr * s_t

    import dataclasses

    from numba.extending import register_jitable

    k = dataclasses.replace(base, rule=register_jitable(bad_rule), name="sgd-bad")
    with pytest.warns(RuntimeWarning, match="sgd-bad"):
        res = regret.run(regret.problem("reddi-online"), k, 30)
    assert res.engine == "numpy"
    with pytest.raises(fused.FusedUnavailable):
        regret.run(regret.problem("reddi-online"), k, 30, engine="fused")


@pytest.mark.parametrize("name", NAMES)
def test_practical_convention_agrees_with_numpy(name):
    """The default convention too (bias corrections from running powers in the state): one
    configuration, and nine in the vectorised loop, on a stochastic problem (Σ x_t tracked)."""
    stoch = regret.problem("reddi-stochastic", C=3, delta=0.5, seed=[1, 2, 3, 4, 5, 6, 7, 8, 9])
    one = {k: v for k, v in dict(lr=0.2, beta1=0.5, beta2=0.9).items() if _accepts(name, k)}
    nine = {k: v for k, v in dict(lr=np.linspace(0.01, 0.5, 9), beta2=np.linspace(0.5, 0.999, 9)).items()
            if _accepts(name, k)}
    for a, b in (_both(regret.problem("reddi-online", C=3), regret.optimizer(name, **one), 400),
                 _both(stoch, regret.optimizer(name, **nine), 300, chunk=97)):
        _agree(a, b)
        for f in ("regret", "x", "eta"):  # and on d = 1 the same operations: bit for bit
            np.testing.assert_array_equal(getattr(a, f), getattr(b, f), err_msg=f)
