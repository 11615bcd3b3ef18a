"""The schedule lab (``regret schedule``, ``regret.studies.schedule_lab``): verdicts, runs, report.

Short horizons and a few problems keep these quick; the expected numbers are closed forms
derived by hand (the best M of the paper's band, its hidden requirement at t = 2, the limits
of the wrong band), not values read off the code.
"""
import json
import math

import numpy as np
import pytest

from regret import schedules
from regret.cli import main
from regret.studies import schedule_lab

PAPER = ("alpha*(1 - 1/(gamma*t + 1))", "alpha*(1 + 1/(gamma*t))")
WRONG = ("0.05*(1 - 1/(t + 1))", "0.2*(1 + 1/t)")      # limits 1/20 and 1/5: the band never closes
FEW = ["period-3", "savarese", "quadratic"]


def _check(study, prefix):
    hits = [c for c in study.claims if c.claim.startswith(prefix)]
    assert hits, f"no check starting with {prefix!r}: {[c.claim for c in study.claims]}"
    return hits[0]


@pytest.fixture(scope="module")
def paper_study():
    return schedule_lab.run(*PAPER, {"alpha": "0.1", "gamma": "0.01"}, T=2000, only=FEW)


def test_paper_schedule_reproduces_the_hidden_requirement_failure(paper_study):
    hidden = _check(paper_study, "hidden requirement:")
    assert not hidden.passed and "fails" in hidden.measured and "t = 2" in hidden.measured
    # by hand at t = 2: η_l(1)/η_u(2) = (1 − 1/1.01)/(1 + 1/0.02) < √(1/2)
    assert (1 - 1 / 1.01) / (1 + 1 / 0.02) < math.sqrt(0.5)
    band = _check(paper_study, "the hidden requirement on the kernel's band")
    assert band.passed and band.measured == "first violated at t = 2"
    assert all(_check(paper_study, c + ":").passed for c in schedule_lab.STATED)
    assert not paper_study.passed                      # a claim failed, so `regret schedule` exits 1


def test_paper_schedule_has_savaresese_corrected_sqrt_T(paper_study):
    M = _check(paper_study, "Savarese M:")
    assert M.passed
    assert paper_study.numbers["best_M"] == "2010"       # (1 + 2/γ)/α* = (1 + 200)/0.1
    corrected = _check(paper_study, "Savarese's corrected bound applies and is O(√T)")
    assert corrected.passed and "sqrt(T)" in corrected.measured
    stated = _check(paper_study, "Theorem 4's bound (as stated)")
    assert not stated.passed and "hidden requirement" in stated.measured
    for key in ("period-3", "Savarese's construction"):
        assert _check(paper_study, f"{key}").passed      # R_t ≤ the corrected bound at every checkpoint
    seen = _check(paper_study, "Savarese's terms on the band")
    assert seen.passed and 0.9 * 2010 < seen.measured <= 2010


def test_wrong_schedule_fails_the_common_limit_with_its_witness():
    st = schedule_lab.run(*WRONG, T=1000, only=["period-3", "quadratic"])
    lim = _check(st, "common limit:")
    assert not lim.passed and "lim η_l = 1/20" in lim.measured and "lim η_u = 1/5" in lim.measured
    assert st.numbers["witnesses"]["common limit"] == {"lim η_l": "1/20", "lim η_u": "1/5"}
    closes = _check(st, "the band closes")
    T = 1000
    width = 0.2 * (1 + 1 / T) - 0.05 * (1 - 1 / (T + 1))
    assert not closes.passed and f"{width:.4g}" in closes.measured
    assert not _check(st, "Savarese M:").passed
    assert not _check(st, "Savarese's corrected bound applies").passed
    assert not st.passed


def test_a_schedule_meeting_every_clause_passes_every_claim():
    st = schedule_lab.run(*PAPER, {"alpha": "0.1", "gamma": "8"}, T=1000, only=["period-3", "quadratic"])
    assert st.passed, [c.claim for c in st.claims if not c.passed]
    assert st.numbers["best_M"] == "25/2"              # (1 + 2/8)/0.1
    assert _check(st, "period-3 (C = 3): R_t ≤ Theorem 4's bound").passed   # its proof is valid for γ ≥ 4


def test_cli_writes_the_report_and_exit_status_says_whether_every_claim_held(tmp_path, capsys):
    out = tmp_path / "rep"
    rc = main(["schedule", "--lower", PAPER[0], "--upper", PAPER[1], "--param", "alpha=0.1", "--param",
               "gamma=0.01", "--T", "600", "--problems", "period-3,quadratic", "--out", str(out)])
    text = capsys.readouterr().out
    assert rc == 1 and "FAIL  hidden requirement" in text and "claims held" in text
    for name in ("report.md", "report.html", "results.json", "schedule-average-regret.png",
                 "schedule-regret-vs-bounds.png", "schedule-learning-rate-band.png", "schedule-band-closing.png"):
        assert (out / name).stat().st_size > 0, name
    html = (out / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 4 and "<img src='schedule" not in html
    doc = json.loads((out / "results.json").read_text())
    study, = doc["studies"]
    assert study["key"] == "schedule" and study["verdict"] == "not reproduced"
    assert "Counterexample search" in study["statement"]
    rc = main(["schedule", "--lower", PAPER[0], "--upper", PAPER[1], "--param", "alpha=0.1", "--param", "gamma=8",
               "--T", "600", "--problems", "period-3", "--out", str(out), "--no-plots"])
    assert rc == 0, capsys.readouterr().out


@pytest.mark.parametrize("args, fragment", [
    (["--lower", "alpha*(1 - ", "--upper", "0.2"], "lower='alpha*(1 - ' is not a valid expression"),
    (["--lower", "beta*t", "--upper", "0.2"], "lower='beta*t' uses unknown symbol(s) beta"),
    (["--lower", "__import__('os').system('true')", "--upper", "0.2"], "is not an allowed function"),
    (["--lower", "0.1", "--upper", "0.2", "--param", "alpha"], "--param alpha needs a value"),
    (["--lower", "0.1", "--upper", "0.2", "--sweep", "gamma=1,2"], "neither --lower nor --upper uses gamma"),
    (["--lower", "0.1", "--upper", "0.2", "--problems", "nope"], "problem 'nope' is not one of"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, args, fragment):
    rc = main(["schedule", *args, "--T", "100", "--no-plots", "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert rc == 2 and fragment in err and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("lower, upper, clause, band", [
    ("0.1 + 0.1/t", "0.15", "lower <= upper: η_l(t) ≤ η_u(t)", "lower(t) = 0.2 > upper(t) = 0.15 at t = 1"),
    ("0.05 - 0.1/t", "0.2", "lower positive: η_l(t) > 0", "lower(t) = -0.05 < 0 at t = 1"),
    ("0.1 - 0.1/(t - 1)", "0.2", None, "lower is not finite at t = 1"),
])
def test_a_band_that_breaks_somewhere_is_a_failing_verdict_with_witness(tmp_path, capsys, lower, upper, clause, band):
    rc = main(["schedule", "--lower", lower, "--upper", upper, "--T", "100", "--problems", "period-3",
               "--no-plots", "--out", str(tmp_path / "r")])
    text = capsys.readouterr()
    assert rc == 1 and "Traceback" not in text.err
    assert f"FAIL  the band is well defined on the run: finite, 0 ≤ η_l(t) ≤ η_u(t) for t = 1…T: {band}" in text.out
    if clause:
        assert f"FAIL  {clause}" in text.out and "(witness: t = 1)" in text.out


def test_sweep_is_one_batched_run_equal_to_separate_runs_and_decides_each_value():
    grid = ["1", "4", "16"]
    st = schedule_lab.run(*PAPER, {"alpha": "0.1"}, T=500, only=["period-3"], sweep={"gamma": grid})
    sw = st.data["sweep"]
    # γ³(γ − 4) < 0 exactly for γ < 4: the hidden requirement fails at 1, holds at 4 and 16
    assert [v["hidden requirement"] for v in sw["verdicts"]] == ["fails", "proved", "proved"]
    assert sw["boundaries"]["hidden requirement"] == 4.0
    import regret

    prob = regret.problem("reddi-online", C=3, P=3, b=1)
    for j, g in enumerate(grid):
        fn = {k: schedules.as_schedule(e, k, {"alpha": 0.1, "gamma": float(g)}) for k, e in zip(("lower", "upper"), PAPER)}
        r = regret.run(prob, regret.optimizer("adabound", beta1=0.0, beta2=0.1, lr=0.1, convention="theory", **fn), 500)
        assert sw["problems"]["period-3"]["R_T/sqrtT"][j] == r.regret_final[0] / np.sqrt(500)
    assert any(c.claim.startswith("sweep over gamma, period-3") and c.passed for c in st.claims)


def test_search_hook_is_reported_absent_or_filled():
    out = schedule_lab.search_section(*PAPER, {"alpha": "0.1", "gamma": "0.01"}, T=100, quick=True)
    assert out["text"].startswith("Counterexample search:")
