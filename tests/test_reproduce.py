"""`regret reproduce --quick`: the files, the verdicts, and the numbers against independent loops.

One quick run (about 20 s on two cores) is shared by the module.  Its numbers are checked against
the plain scalar loops of ``scalar_reference`` (written from the papers, sharing no code with the
kernels or the studies) and against closed forms from the papers.
"""
import base64
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from scalar_reference import reddi_gradient, run_scalar

STUDIES = ["theorem1", "theorem2", "theorem3", "theorem4", "minus-one-two", "savarese", "phase", "figure1", "shi", "zhang"]


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    env = dict(os.environ, MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, "-m", "regret", "reproduce", "--quick", "--out", str(out)],
                          capture_output=True, text=True, env=env, timeout=300)
    with open(out / "results.json", encoding="utf-8") as fh:
        doc = json.load(fh)
    return proc, out, doc, {s["key"]: s for s in doc["studies"]}


def test_exit_status_and_verdict_table(quick):
    proc, _, _, studies = quick
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""                       # no progress bar when stderr is not a terminal
    for key in STUDIES:
        assert re.search(rf"^{re.escape(key)}\s+reproduced\s+(\d+)/\1\s", proc.stdout, re.M), proc.stdout
    assert list(studies) == STUDIES


def test_files_and_embedded_figures(quick):
    _, out, doc, studies = quick
    html = (out / "report.html").read_text(encoding="utf-8")
    md = (out / "report.md").read_text(encoding="utf-8")
    embedded = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", html)
    figures = [f["path"] for s in doc["studies"] for f in s["figures"]]
    assert len(figures) >= 14 and len(embedded) == len(figures)
    assert "<img src=" not in html.replace("src='data:", "")     # nothing linked: self-contained
    for path, data in zip(figures, embedded):
        raw = (out / path).read_bytes()
        assert raw[:8] == b"\x89PNG\r\n\x1a\n"
        assert base64.b64decode(data) == raw                 # the HTML carries the very same PNG
        assert f"]({path})" in md
    for key in STUDIES:
        assert f"id='{key}'" in html and f'<a id="{key}"></a>' in md


def test_results_json_holds_the_curves_of_every_figure(quick):
    _, out, doc, studies = quick
    for s in doc["studies"]:
        for f in s["figures"]:
            assert f["data_file"] == f["path"][:-4] + ".json" and (out / f["data_file"]).exists()
            axes = f["data"]["axes"]
            assert axes and all(ax["lines"] or ax.get("maps") for ax in axes), f["path"]
            for line in (ln for ax in axes for ln in ax["lines"]):
                assert len(line["x"]) == len(line["y"]) > 0
    # the Theorem 1 figure's Adam curve is R_t/t: its last value is the R_T/T the study measured
    fig = next(f for f in studies["theorem1"]["figures"] if f["path"] == "theorem1-average-regret.png")
    adam = next(ln for ln in fig["data"]["axes"][0]["lines"] if ln["label"] == "Adam")
    assert adam["y"][-1] == pytest.approx(studies["theorem1"]["numbers"]["adam"]["average_regret_T"], rel=1e-12)


def test_settings_name_gamma_once_and_bounds_are_judged_over_the_run(quick):
    _, _, _, studies = quick
    for key, s in studies.items():
        assert not ("gamma" in s["settings"] and "gamma (bounds)" in s["settings"]), key
    assert studies["theorem4"]["settings"]["gamma (bounds)"] == 0.01
    bound_checks = [c for c in studies["theorem4"]["claims"] if "bound" in c["claim"] and "R_t ≤" in c["claim"]]
    assert len(bound_checks) == 4
    for c in bound_checks:
        assert c["predicted"] == "max_t R_t/bound_t ≤ 1" and c["measured"].startswith("max R_t/bound_t = ")


def test_verdicts_follow_from_checks(quick):
    _, _, _, studies = quick
    for key, s in studies.items():
        assert s["claims"], key
        assert s["verdict"] == ("reproduced" if all(c["passed"] for c in s["claims"]) else "not reproduced")
        assert s["verdict"] == "reproduced", [c for c in s["claims"] if not c["passed"]]


def test_theorem1_numbers_against_scalar_loops(quick):
    _, _, _, studies = quick
    s = studies["theorem1"]
    T, C = s["settings"]["T"], 3
    assert s["numbers"]["predicted_limit"] == pytest.approx((2 * C - 4) / 3, rel=1e-12)   # Reddi et al.
    for name in ("adam", "amsgrad", "sgd", "adabound", "amsbound"):
        _, R = run_scalar(name, lambda t: reddi_gradient(t, C), T, lr=0.1, beta1=0.0, beta2=1 / (1 + C * C),
                          final_lr=0.1)
        assert s["numbers"][name]["average_regret_T"] == pytest.approx(R / T, rel=1e-9, abs=1e-12), name
    adam = s["numbers"]["adam"]["average_regret_T"]
    assert abs(adam - 2 / 3) < 0.01 and s["numbers"]["amsgrad"]["average_regret_T"] < 0.5 * adam


def test_theorem2_numbers_against_scalar_loops(quick):
    _, _, _, studies = quick
    s = studies["theorem2"]
    T, C = s["settings"]["T"], s["numbers"]["C"]
    b1, b2, lr = s["settings"]["beta1"], s["settings"]["beta2"], s["settings"]["lr"]
    for name in ("adam", "amsgrad"):
        _, R = run_scalar(name, lambda t: reddi_gradient(t, C, P=C), T, lr=lr, beta1=b1, beta2=b2)
        assert s["numbers"][name]["average_regret_T"] == pytest.approx(R / T, rel=1e-9), name
    # Adam on the period-C problem: held at +1, a period costs 2, so R_T/T is near 2/C.
    assert s["numbers"]["adam"]["average_regret_T"] == pytest.approx(2 / C, rel=0.2)
    # The sweep's failing periods are exactly C ≥ C*.
    sweep = s["numbers"]["sweep"]
    fails = np.array(sweep["R_T_over_T_times_C_over_2"]) >= 0.5
    assert np.array_equal(fails, np.array(sweep["C"]) >= s["numbers"]["C_min"])


def test_minus_one_two_cells_against_closed_form(quick):
    _, _, _, studies = quick
    n = studies["minus-one-two"]["numbers"]
    # Luo et al.'s −1/2 example, β1 = 0: the steady state moves Adam away from x* iff β2^(C−2) < 1/16
    # (quick grid: β2 ∈ linspace(0.02, 0.98, 25), C = 3..30).
    b2, C = np.meshgrid(np.linspace(0.02, 0.98, 25), np.arange(3, 31))
    assert n["cells"] == b2.size
    assert n["exact_wrong_way"] == int(np.sum(b2 ** (C - 2) < 1 / 16))
    assert n["agree"] == n["cells"] and n["max_relative_drift_error"] < 0.05


def test_savarese_contradiction(quick):
    _, _, _, studies = quick
    n = studies["savarese"]["numbers"]
    assert n["max_x_diff_t_le_K"] == 0.0
    assert all(r > b for r, b in zip(n["R_K"], n["theorem4_bound_K"]))


def test_one_study_without_plots(tmp_path):
    from regret.cli import main

    rc = main(["reproduce", "theorem1", "--quick", "--T", "600", "--no-plots", "--out", str(tmp_path)])
    doc = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    # At T = 600 AMSGrad has not yet started to decay: the verdict says so, and so does the status.
    assert rc == (0 if doc["meta"]["all_reproduced"] else 1) == 1
    failed = [c["claim"] for c in doc["studies"][0]["claims"] if not c["passed"]]
    assert failed == ["AMSGrad's R_T/T tends to 0"]
    assert [s["key"] for s in doc["studies"]] == ["theorem1"]
    assert doc["studies"][0]["settings"]["T"] == 600
    assert not list(tmp_path.glob("*.png"))


@pytest.mark.parametrize("argv, fragment", [
    (["reproduce", "theorem5"], "study='theorem5' is not one of"),
    (["reproduce", "--T", "5"], "--T=5 must be an integer >= 10"),
    (["reproduce", "--T", "1e9.5"], "--T="),
    (["reproduce", "--engine", "gpu"], "invalid choice"),
    (["reproduce", "--out", __file__], "exists and is not a directory"),
    (["reproduce", "minus-one-two", "--T", "100"], "too short for study 'minus-one-two'"),
])
def test_usage_errors(argv, fragment, capsys, tmp_path):
    from regret.cli import main

    assert main(argv if "--out" in argv else argv + ["--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1


def test_held_limit_against_a_fixed_learner():
    from fractions import Fraction

    from proofs.reproduce_support import held_limit, minus_one_two_pattern

    for C in (3, 10, 17):
        pattern = minus_one_two_pattern(C)
        T = 50 * C
        grads = [pattern[(t - 1) % C] for t in range(1, T + 1)]
        G = sum(grads)
        regret_fixed = sum(g * 1.0 for g in grads) - min(-G, G)     # x_t ≡ +1 against the best end of [−1, 1]
        assert held_limit(pattern) == Fraction(2, C) == Fraction(regret_fixed).limit_denominator() / T
    assert held_limit(Fraction(1, 2)) == 1                            # stochastic: E g = δ, limit 2δ
    with pytest.raises(ValueError, match="not a comparator"):
        held_limit([-1, -1], held=1, optimum=-1)


def test_measures_against_closed_forms():
    from regret.studies import measures

    t = np.unique(np.round(np.geomspace(1, 1e5, 60)))
    assert measures.tail_slope(t, 3.0 * t ** -0.5) == pytest.approx(-0.5, abs=1e-12)   # O(√T) regret as R_t/t
    assert measures.tail_slope(t, np.full_like(t, 2 / 3)) == pytest.approx(0.0, abs=1e-12)
    assert np.isnan(measures.tail_slope(t, -t))                                      # log of a negative
    assert measures.tail_ratio(t, 1 / t) == pytest.approx(10.0 ** -1, rel=0.05)
