"""Gradients drawn inside the fused loops (``GradientStream.jitable``, ``JitGradient``) give the
same numbers, bit for bit, as the same run with gradient arrays (the stream's ``take``, forced by
hiding its generator) and as the numpy reference engine, which always uses ``take``.

reddi-stochastic is the stream that offers a generator.  Covered: the vectorised loop (B ≥
``SIMD_FROM`` per thread, split over two threads), the one-configuration loop (B = 1), faults
(an instance whose g² overflows, and the single configuration faulting, after which Σ g_t must
go on), several kernels and chunk sizes, and a run interrupted and resumed mid-way.
"""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import regret
from regret import fused
from regret.problems.base import JitGradient, check_jitable
from regret.problems.reddi import _BernoulliStream

FIELDS = ("regret", "loss", "comparator", "x", "eta", "expected_gap", "expected_regret")


def _same(a, b):
    for f in FIELDS:
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f), err_msg=f)  # NaN == NaN
    assert a.faults == b.faults


@pytest.fixture
def takes(monkeypatch):
    """Counts the stream's ``take`` calls (arrays made) while the test runs."""
    calls = []
    real = _BernoulliStream.take

    def spy(self, t):
        calls.append(len(t))
        return real(self, t)

    monkeypatch.setattr(_BernoulliStream, "take", spy)
    return calls


def _three(monkeypatch, takes, problem, kernel, T, **kw):
    """(generator run, array run, numpy run); the generator run must make no gradient array."""
    monkeypatch.setenv("REGRET_THREADS", "2")
    gen = regret.run(problem, kernel, T, engine="fused", **kw)
    made = list(takes)
    with monkeypatch.context() as m:
        m.setattr(_BernoulliStream, "jitable", lambda self: None)
        arr = regret.run(problem, kernel, T, engine="fused", **kw)
    ref = regret.run(problem, kernel, T, engine="numpy", **kw)
    assert gen.engine == arr.engine == "fused" and ref.engine == "numpy"
    return gen, arr, ref, made


KERNELS = {
    "adam practical": lambda B: regret.optimizer("adam", lr=0.5, beta1=np.linspace(0.0, 0.95, B),
                                                 beta2=np.linspace(0.5, 0.999, B), convention="practical"),
    "amsgrad theory": lambda B: regret.optimizer("amsgrad", lr=0.3, beta1=0.9, beta2=0.99, convention="theory"),
    "adabound practical": lambda B: regret.optimizer("adabound", lr=np.linspace(0.01, 0.5, B), convention="practical"),
    "sgd theory": lambda B: regret.optimizer("sgd", lr=np.linspace(0.05, 2.0, B), convention="theory"),
}


@pytest.mark.parametrize("name", sorted(KERNELS))
@pytest.mark.parametrize("chunk", [None, 97])
def test_vectorised_loop_draws_the_same_gradients_as_the_arrays(monkeypatch, takes, name, chunk):
    # 600 seeds: two threads' slices of 300, each a whole block, a partial one and no remainder
    B = 600
    prob = regret.problem("reddi-stochastic", C=3, delta=0.5, seed=np.arange(B))
    kw = {} if chunk is None else {"chunk": chunk}
    gen, arr, ref, made = _three(monkeypatch, takes, prob, KERNELS[name](B), 1500, **kw)
    assert made == []  # no gradient array in the generator run
    _same(gen, arr)
    _same(gen, ref)


@pytest.mark.parametrize("chunk", [None, 1, 50])
def test_one_configuration_draws_the_same_gradients_as_the_arrays(monkeypatch, takes, chunk):
    prob = regret.problem("reddi-stochastic", C=5, delta=0.4, seed=2**40 + 7)
    kw = {} if chunk is None else {"chunk": chunk}
    gen, arr, ref, made = _three(monkeypatch, takes, prob, regret.optimizer("adam", lr=0.2, convention="practical"),
                                 2000, **kw)
    assert made == []
    _same(gen, arr)
    _same(gen, ref)


def test_faulted_configurations_keep_summing_the_gradients(monkeypatch, takes):
    # instance 29 of 40 has C = 1e200: g² overflows at its first draw of C; G (the comparator)
    # still sums every one of its gradients, also after the fault
    C = np.full(40, 3.0)
    C[29] = 1e200
    prob = regret.problem("reddi-stochastic", C=C, p=0.3, seed=np.arange(40))
    k = regret.optimizer("adam", lr=0.1, beta2=0.9, convention="practical")
    gen, arr, ref, made = _three(monkeypatch, takes, prob, k, 800, chunk=64)
    assert made == []
    assert [f["config"] for f in gen.faults] == [29]
    _same(gen, arr)
    _same(gen, ref)
    G29 = prob.stream().take(np.arange(1, 801))[:, 29, 0].sum()
    np.testing.assert_allclose(gen.comparator[-1, 29], -abs(G29), rtol=1e-12)  # min over [-1, 1] of G·x


def test_a_single_configuration_that_faults_mid_chunk(monkeypatch, takes):
    # B = 1: the fault ends the configuration's chain mid-chunk, Σ g_t goes on to the chunk's end
    # in the loop; the later chunks (a dead configuration) are drawn into arrays by the generator
    # (seed 13 draws C first at t = 13, inside the chunk 2..129)
    prob = regret.problem("reddi-stochastic", C=1e200, p=0.3, seed=13)
    k = regret.optimizer("adam", lr=1.0, beta2=0.5, convention="practical")
    gen, arr, ref, made = _three(monkeypatch, takes, prob, k, 600, chunk=128, checkpoints=2)
    assert made == []
    assert gen.faults == [{"config": 0, "t": 13, "quantity": "v"}]
    G = prob.stream().take(np.arange(1, 601))[:, 0, 0].sum()
    np.testing.assert_allclose(gen.comparator[-1, 0], -abs(G), rtol=1e-12)
    _same(gen, arr)
    _same(gen, ref)


def test_interrupted_and_resumed_run_draws_on_where_it_stopped(monkeypatch, takes):
    monkeypatch.setenv("REGRET_THREADS", "2")
    B, T = 48, 3000
    prob = regret.problem("reddi-stochastic", C=3, delta=0.5, seed=np.arange(100, 100 + B))
    k = regret.optimizer("adam", lr=0.5, beta1=0.9, beta2=np.linspace(0.9, 0.999, B), convention="practical")
    whole = regret.run(prob, k, T, chunk=300)
    part = regret.run(prob, k, T, chunk=300, on_chunk=lambda i, t: t >= 1100)
    assert part.interrupted and 1100 <= part.t[-1] < T
    done = regret.run(prob, k, T, chunk=77, resume=part)
    assert takes == []
    _same(done, whole)
    ref = regret.run(prob, k, T, chunk=300, engine="numpy")
    _same(whole, ref)


def test_the_generator_is_the_streams_take(monkeypatch):
    # a direct check of the compiled draws against ``take``, far into the stream (t·γ wraps mod 2^64)
    prob = regret.problem("reddi-stochastic", C=[3.0, 7.0, 2.0], p=[0.3, 0.5, 0.9], b=[1.0, 2.0, 0.5],
                          seed=[0, 2**40 + 3, 5])
    stream = prob.stream()
    gen = stream.jitable()
    for t0 in (1, 12345, 2**40):
        got = fused._generated_array(gen, fused._generator_spec(gen), t0, 200)
        np.testing.assert_array_equal(got, stream.take(np.arange(t0, t0 + 200)))


def test_generator_for_offers_it_only_to_loops_that_call_it(monkeypatch):
    monkeypatch.setenv("REGRET_THREADS", "2")
    def stream(B):
        return regret.problem("reddi-stochastic", seed=np.arange(B)).stream()

    assert fused.generator_for(stream(40), 40, 40, 1) is not None
    assert fused.generator_for(stream(8), 8, 8, 1) is None     # slices of 4: the unroll-and-jam loop
    assert fused.generator_for(stream(40), 40, 40, 2) is None  # d > 1
    one = regret.problem("reddi-stochastic", seed=3).stream()
    assert fused.generator_for(one, 1, 1, 1) is not None
    assert fused.generator_for(one, 40, 1, 1) is None          # one instance shared: an (n, 1) array
    assert fused.generator_for(regret.problem("reddi-online").stream(), 1, 1, 1) is None  # no generator


def test_a_malformed_generator_is_refused_by_name():
    gen = regret.problem("reddi-stochastic", seed=np.arange(4)).stream().jitable()
    check_jitable(gen, 4)
    with pytest.raises(ValueError,
                       match=r"JitGradient.ints must be a C-contiguous uint64 array of shape \(m >= 1, 4\)"):
        check_jitable(gen._replace(ints=gen.ints.astype(np.int64)), 4)
    with pytest.raises(ValueError,
                       match=r"JitGradient.ints .* shape \(m >= 1, 5\).*got uint64 array of shape \(2, 4\)"):
        check_jitable(gen, 5)
    with pytest.raises(ValueError, match=r"JitGradient.floats must be a C-contiguous float64 .* got float32"):
        check_jitable(gen._replace(floats=gen.floats.astype(np.float32)), 4)
    with pytest.raises(ValueError, match="must return None or a JitGradient"):
        check_jitable((gen.fn, gen.ints, gen.floats), 4)
    assert isinstance(gen, JitGradient)


def test_a_rule_that_does_not_compile_runs_on_numpy_in_array_sized_pieces(monkeypatch, takes):
    # the chunks were sized for loops that draw their own gradients (no array cap): when the
    # rule does not compile, numpy takes each chunk's gradients in pieces under CHUNK_ELEMENTS
    import dataclasses

    from numba.extending import register_jitable

    from regret.engine import CHUNK_ELEMENTS

    def bad_rule(x, g, s_t, lr):  # sgd's signature; a Python object: not nopython-compilable
        return x - lr * s_t * g * float(len([object()])), lr * s_t

    monkeypatch.setenv("REGRET_THREADS", "2")
    B, T = 2000, 3000
    prob = regret.problem("reddi-stochastic", C=3, delta=0.5, seed=np.arange(B))
    base = regret.optimizer("sgd", lr=0.1)
    k = dataclasses.replace(base, rule=register_jitable(bad_rule), name="sgd-bad")
    with pytest.warns(RuntimeWarning, match="sgd-bad"):
        res = regret.run(prob, k, T, checkpoints=3)
    assert res.engine == "numpy"
    assert takes and max(takes) <= CHUNK_ELEMENTS // B < T  # pieces, not one array of the chunk
    _same(res, regret.run(prob, base, T, checkpoints=3, engine="numpy"))


def test_the_loops_that_draw_are_cached_across_processes(tmp_path):
    # the loop closes over the generator (a register_jitable function, pickled by reference), so
    # numba's disk cache finds it again in a new process
    script = textwrap.dedent("""
        import numpy as np
        import regret
        from regret import fused
        prob = regret.problem("reddi-stochastic", seed=np.arange(40))
        regret.run(prob, regret.optimizer("adam", lr=0.1), 100, engine="fused")
        drawn = [fn for key, fn in fused._COMPILED.items() if key[-1][0] == "simd" and key[-1][-1] is not None]
        print(len(drawn), sum(sum(fn.stats.cache_hits.values()) for fn in drawn))
    """)
    env = dict(os.environ, REGRET_CACHE_DIR=str(tmp_path), REGRET_THREADS="2")
    first = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    second = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert first.stdout.split()[-2:] == ["1", "0"]
    assert second.stdout.split()[-2] == "1" and int(second.stdout.split()[-1]) >= 1
    assert list((tmp_path / "fused").glob("k_adam_simd_xs_*_gen_bernoulli_gradient_2_3_*/*.nbi"))
