"""The studies of what came after Theorems 1–4 (`figure1`, `shi`), run in quick mode.

Their numbers are held against loops written here from the papers and from Shi et al.'s released
MATLAB script (its update rule re-typed as a vectorised numpy loop, x_1 = 100 included), sharing
no code with the kernels, the engine or ``proofs``.
"""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from scalar_reference import reddi_gradient, run_scalar

KEYS = ["figure1", "shi"]


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("later")
    env = dict(os.environ, MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, "-m", "regret", "reproduce", *KEYS, "--quick", "--out", str(out)],
                          capture_output=True, text=True, env=env, timeout=300)
    with open(out / "results.json", encoding="utf-8") as fh:
        doc = json.load(fh)
    return proc, out, {s["key"]: s for s in doc["studies"]}


def test_verdicts_and_files(quick):
    proc, out, studies = quick
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert list(studies) == KEYS
    md = (out / "report.md").read_text(encoding="utf-8")
    for key, s in studies.items():
        assert s["verdict"] == "reproduced", [c for c in s["claims"] if not c["passed"]]
        assert len(s["figures"]) >= 2
        for f in s["figures"]:
            assert f["path"].startswith(key)
            assert (out / f["path"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            assert f"]({f['path']})" in md


def test_figure1_against_scalar_loops(quick):
    _, _, studies = quick
    s = studies["figure1"]
    T = s["settings"]["T"]
    n = s["numbers"]
    assert n["online_limit"] == pytest.approx(20 / 101, rel=1e-15)       # period mean 10/101, held at +1
    for name in ("adam", "amsgrad"):
        x, R = run_scalar(name, lambda t: reddi_gradient(t, 1010.0, P=101, b=10.0), T, x0=1.0, lr=1.0,
                          beta1=0.9, beta2=0.99)
        assert n["online"][name]["average_regret_T"] == pytest.approx(R / T, rel=1e-8), name
        assert n["online"][name]["x_T"] == pytest.approx(x, abs=1e-9), name
    assert n["online"]["adam"]["x_T"] == 1.0 and n["online"]["amsgrad"]["x_T"] < -0.9
    assert n["online_adam_fitted_limit"] == pytest.approx(20 / 101, rel=0.05)


def _steady_drift(C, beta2, periods=4000):
    """S = Σ_j m_j/√v_j over one period, β1 = 0, v run to its periodic steady state by iteration."""
    g = np.where(np.arange(1, C + 1) % C == 1 % C, float(C), -1.0)
    v = 0.0
    for _ in range(periods):
        for gj in g:
            v = beta2 * v + (1 - beta2) * gj * gj
    S = 0.0
    for gj in g:
        v = beta2 * v + (1 - beta2) * gj * gj
        S += gj / np.sqrt(v)
    return S


def _their_loop(C, beta2, T):
    """reddiexample.m (17 Jan 2021), vectorised over cells: x_1 = 100, v_0 = x_1·C, η = 1, β1 = 0,
    clip to [−1, 1]; returns the criterion's score sum(log10|x_k + 1|, k = 0.75T..T)/(T/4)."""
    C = np.asarray(C, dtype=float)
    x = np.full(C.shape, 100.0)
    v = 100.0 * C
    acc = np.zeros(C.shape)
    start = int(0.75 * T)
    with np.errstate(divide="ignore"):
        for k in range(1, T + 1):
            if k >= start:
                acc += np.log10(np.abs(x + 1.0))
            gr = np.where(np.mod(k, C) == 1, C, -1.0)
            v = v * beta2 + (1 - beta2) * gr * gr
            x = np.clip(x - gr / np.sqrt(v) * k ** -0.5, -1.0, 1.0)
    return acc / (T / 4)


def test_shi_against_their_script_and_the_steady_state(quick):
    _, _, studies = quick
    s = studies["shi"]
    n = s["numbers"]
    T = s["settings"]["T"]
    assert n["cells"] == 40 * 31
    measured = np.array(n["measured_map"], dtype=bool)         # rows C = 2..32, columns i = 1..40
    predicted = np.array(n["predicted_sign"])
    rows = [1, 8, 18, 30]                                      # C = 3, 10, 20, 32
    Cs = np.repeat(np.arange(2, 33)[rows], 40)
    b2 = np.tile(1 - 10.0 ** (-np.arange(1, 41) / 10), len(rows))
    theirs = _their_loop(Cs, b2, T) < -2
    mine = measured[rows].ravel()
    assert np.mean(theirs == mine) >= 0.99, np.argwhere(theirs != mine)
    # the sign of S against the steady state reached by iterating the EMA, on cells away from S = 0
    for r, c in [(1, 0), (1, 5), (8, 5), (8, 20), (18, 10), (18, 30), (30, 15), (30, 35)]:
        S = _steady_drift(int(2 + r), 1 - 10.0 ** (-(c + 1) / 10))
        assert np.sign(S) == predicted[r, c], (r, c, S)
    assert 0.95 <= n["share"] <= 1.0 and n["agree"] == round(n["share"] * n["cells"])
