"""The `zhang` study (Zhang et al. 2022, counterexample (2.5)) in quick mode: verdicts, files, and
its map cells against a plain scalar Adam loop written here from the paper's Algorithm 1.1
(no bias correction, ε = 0, η_k = 0.1/√k, projection onto the study's F), sharing no code with
the kernels or the engine; only the sampled component indices are read from the problem."""
import numpy as np
import pytest

import regret
from regret.studies import zhang


def _f_prime(j, x, n):
    a = 1 / (n - 1) ** 2
    w = 1 + (n - 1) * a if j == 0 else -a
    return w if x >= -1 else w * (x + 2)


def _adam_loop(n, beta1, beta2, seed, T):
    a = 1 / (n - 1) ** 2
    idx = regret.problem("zhang", n=n, order="iid", seed=seed).path.indices(np.arange(1, T + 1))[:, 0]
    x, m, v = 0.0, 0.0, ((1 + (n - 1) * a) ** 2 + (n - 1) * a * a) / n
    for t in range(1, T + 1):
        g = _f_prime(idx[t - 1], x, n)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        x = min(max(x - 0.1 / np.sqrt(t) * m / np.sqrt(v), zhang.LO), zhang.HI)
    return x


@pytest.fixture(scope="module")
def quick():
    return zhang.run(quick=True)


def test_verdicts_and_figures(quick, tmp_path):
    assert quick.verdict == "reproduced", [c for c in quick.claims if not c.passed]
    figs = zhang.plot(quick, tmp_path)
    assert [f.path for f in figs] == ["zhang-phase-maps.png", "zhang-threshold.png"]
    for f in figs:
        assert (tmp_path / f.path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    n = quick.numbers
    # 1 − β2*(n) shrinks with n far more slowly than the theorem's sufficient n^(−5)
    assert 0 < n["exponent_measured"] < 2 and 0 < n["exponent_drift"] < 2
    for key, u in n["u_star_measured"].items():
        assert abs(u - n["u_star_drift"][key]) <= zhang.AGREE_U


def test_map_cells_against_a_scalar_loop(quick):
    d = quick.data
    b1, u, T = d["b1_axis"], d["u_axis"], quick.settings["T"]
    for n, (r, c) in [(10, (0, 0)), (20, (len(u) - 1, 2)), (50, (1, len(b1) - 1))]:
        seed = r * len(b1) + c                                 # one seed per cell, in ravel order
        x = _adam_loop(n, b1[c], 1 - 10.0 ** -u[r], seed, T)
        assert d["maps"][n][r, c] == pytest.approx(x, rel=1e-9, abs=1e-9), (n, r, c)
    assert d["maps"][10][0, 0] > 0 > d["maps"][20][-1, 2]     # a divergent and a convergent cell
