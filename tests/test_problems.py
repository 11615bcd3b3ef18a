"""Problem families: gradients as defined, exact comparators, expected losses."""
import itertools

import numpy as np
import pytest

import regret
from regret.feasible import Box


def test_reddi_online_gradient_pattern():
    g = regret.problem("reddi-online", C=1010, P=101, b=10).gradients(np.arange(1, 205))[:, 0, 0]
    assert g[0] == 1010 and g[101] == 1010 and g[202] == 1010
    assert np.count_nonzero(g == -10) == 204 - 3


def test_minus_one_two_pattern_and_comparator():
    p = regret.problem("minus-one-two", C=5)
    g = p.gradients(np.arange(1, 11))[:, 0, 0]
    assert g.tolist() == [-1, 2, 0, 0, 0, -1, 2, 0, 0, 0]
    res = regret.run(p, regret.optimizer("sgd", lr=1e-9), 10, x0=0.0)
    # A period sums to +1, so after two periods the comparator is x = -1: min = -2.
    assert res.comparator[-1, 0] == pytest.approx(-2.0)


def test_box_comparator_equals_best_vertex():
    rng = np.random.default_rng(0)
    box = Box(np.array([-1.0, 0.0, -2.0]), np.array([1.0, 0.5, 3.0]))
    G = rng.normal(size=(20, 3))
    vertices = np.array(list(itertools.product(*zip(box.lo, box.hi))))
    best = (G @ vertices.T).min(axis=1)
    np.testing.assert_allclose(box.min_linear(G), best, rtol=1e-14)


def test_stochastic_mean_gradient_is_delta_and_sample_frequency_matches_p():
    p = regret.problem("reddi-stochastic", C=10, delta=0.5, seed=1)
    assert p.mean_gradient[0, 0] == pytest.approx(0.5)
    g = p.stream().take(np.arange(1, 200_001))[:, 0, 0]
    freq = np.mean(g == 10)
    assert abs(freq - 1.5 / 11) < 4 * np.sqrt(freq * (1 - freq) / len(g))


def test_expected_gap_is_delta_times_distance_to_minus_one():
    p = regret.problem("reddi-stochastic", C=3, delta=0.25, seed=2)
    res = regret.run(p, regret.optimizer("sgd", lr=0.01), 500)
    np.testing.assert_allclose(res.expected_gap[:, 0], 0.25 * (res.x[:, 0, 0] + 1.0), rtol=1e-12)


def test_quadratic_regret_is_nonnegative_and_sgd_converges():
    p = regret.problem("quadratic", a=[1.0, 4.0], c=[0.3, 2.0])
    res = regret.run(p, regret.optimizer("sgd", lr=0.1), 2000)
    np.testing.assert_allclose(res.x_final[0], [0.3, 1.0], atol=1e-6)
    assert np.all(res.regret[:, 0] >= -1e-12)


def test_minus_one_two_batched_periods_match_single_instances():
    p = regret.problem("minus-one-two", C=[3, 4, 7])
    g = p.gradients(np.arange(1, 30))
    for i, C in enumerate([3, 4, 7]):
        expected = [(-1.0 if (t - 1) % C == 0 else 2.0 if (t - 1) % C == 1 else 0.0) for t in range(1, 30)]
        assert g[:, i, 0].tolist() == expected


@pytest.mark.parametrize("make", [
    lambda: regret.problem("reddi-online", C=[3.0, 5.0], P=[3, 4]),          # period lcm(3, 4) = 12
    lambda: regret.problem("minus-one-two", C=[3, 7]),
    lambda: regret.problem("periodic", pattern=[[1.0, -2.0], [0.5, 0.0], [-3.0, 1.0]]),  # d = 2
    lambda: regret.problem("reddi-online", C=3.0, P=list(range(2, 40))),      # lcm too long: per step
])
def test_periodic_streams_hand_out_exactly_the_defined_gradients(make):
    """The streams repeat one precomputed period; every chunk must equal the per-step definition,
    written out here from the papers' formulas, at every offset into the period."""
    p = make()
    stream = p.stream()

    def defined(t):
        if p.name == "reddi-online":
            P = p.P.astype(int)[None, :]
            return np.where((t[:, None] - 1) % P == 0, p.C[None, :], -p.b[None, :])[..., None]
        if p.name == "minus-one-two":
            phase = (t[:, None] - 1) % p.C.astype(int)[None, :]
            return np.select([phase == 0, phase == 1], [-1.0, 2.0], 0.0)[..., None]
        return p.pattern[(t - 1) % len(p.pattern)][:, None, :]

    t0 = 1
    for n in [1, 2, 5, 12, 13, 100, 7, 1000, 3]:  # consecutive chunks, shorter and longer than a period
        ts = np.arange(t0, t0 + n)
        g = stream.take(ts)
        np.testing.assert_array_equal(g, defined(ts))
        if g.flags.writeable:  # a chunk is either a fresh array or a read-only view of the period
            g[...] = 99.0
        t0 += n
    np.testing.assert_array_equal(stream.take(np.arange(1, 40)), defined(np.arange(1, 40)))
    far = np.arange(10**9 + 5, 10**9 + 40)
    np.testing.assert_array_equal(stream.take(far), defined(far))
    scattered = np.array([4, 1, 9, 2])  # not consecutive: outside the contract, still the definition
    np.testing.assert_array_equal(stream.take(scattered), defined(scattered))


def test_stochastic_draws_are_splitmix64_of_seed_and_t_whatever_the_chunk():
    """The uniform of step t is the t-th nextDouble() of Java's ``new SplittableRandom(seed).split()``,
    written out here with Python integers from Steele, Lea & Flood (2014); a chunk starting anywhere
    (and single steps out of order) gives the same gradients."""
    mask = (1 << 64) - 1
    golden = 0x9E3779B97F4A7C15

    def mix64(z):
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        return z ^ (z >> 31)

    def mix_gamma(z):
        z = ((z ^ (z >> 33)) * 0xFF51AFD7ED558CCD) & mask
        z = ((z ^ (z >> 33)) * 0xC4CEB9FE1A85EC53) & mask
        z = (z ^ (z >> 33)) | 1
        return z ^ 0xAAAAAAAAAAAAAAAA if bin(z ^ (z >> 1)).count("1") < 24 else z

    def uniforms(seed, T):
        parent = seed
        parent = (parent + golden) & mask
        s = mix64(parent)                     # split(): the child's seed ...
        parent = (parent + golden) & mask
        g = mix_gamma(parent)                 # ... and its gamma
        out = []
        for _ in range(T):
            s = (s + g) & mask
            out.append((mix64(s) >> 11) * 2.0**-53)
        return np.array(out)

    seeds = [0, 5, 2**40 + 3, 5]
    p = regret.problem("reddi-stochastic", C=10, delta=0.5, seed=seeds)
    assert p.describe()["rng"] == "splitmix64" and "rng" not in p.describe()["params"]
    T = 700
    expected = np.stack([np.where(uniforms(s, T) < p.p[0], 10.0, -1.0) for s in seeds], axis=1)
    whole = p.stream().take(np.arange(1, T + 1))[:, :, 0]
    np.testing.assert_array_equal(whole, expected)
    stream = p.stream()
    parts = [stream.take(np.arange(a, b)) for a, b in [(300, 701), (1, 2), (2, 300)]]
    np.testing.assert_array_equal(np.concatenate([parts[1], parts[2], parts[0]])[:, :, 0], expected)
    odd = np.array([9, 3, 650])
    np.testing.assert_array_equal(stream.take(odd)[:, :, 0], expected[odd - 1])
