"""The verdict vocabulary (proved / fails / numerical evidence / undecided), the exit statuses
of ``regret check``, exponential schedules decided by u = e^(−γt), and the interval sign."""
import json

import mpmath
import pytest
import sympy as sp

from proofs import exact, schedule_check
from proofs.exact import nonneg_for_all_t, t
from proofs.verdicts import EXIT_STATUS, STATUSES, Verdict, overall
from regret.cli import main

EXP = ("alpha*(1-exp(-gamma*t))", "alpha*(1+exp(-gamma*t))")


def test_vocabulary_and_overall():
    assert STATUSES == ("proved", "fails", "numerical evidence", "undecided")
    with pytest.raises(ValueError, match="holds"):
        Verdict("x", "holds", "the old word is gone")
    v = {s: Verdict(s, s, "") for s in STATUSES}
    assert overall([v["proved"], v["numerical evidence"]]) == "numerical evidence"
    assert overall([v["numerical evidence"], v["undecided"]]) == "undecided"
    assert overall([v["undecided"], v["fails"]]) == "fails"
    assert overall([v["proved"]]) == "proved"
    assert EXIT_STATUS == {"proved": 0, "fails": 1, "numerical evidence": 3, "undecided": 3}


@pytest.mark.parametrize("argv, code", [
    (["check", "condition", "--beta1", "0.9", "--beta2", "0.82"], 0),     # 0.81 < 0.82: proved
    (["check", "condition", "--beta1", "0.9", "--beta2", "0.81"], 1),     # on the boundary: fails
    (["check", "bounds", "--lower", EXP[0], "--upper", EXP[1], "--param", "alpha=0.1", "--param", "gamma=0.01"], 1),
    (["check", "bounds", "--lower", EXP[0], "--upper", EXP[1], "--param", "alpha", "--param", "gamma"], 3),
    (["check", "bounds", "--lower", "1/10", "--upper", "1/10", "--param", "alpha=1"], 0),
    (["check", "condition", "--beta1", "2", "--beta2", "0.5"], 2),
])
def test_check_exit_status(argv, code, capsys):
    assert main(argv) == code
    assert main(argv + ["--json"]) == code
    out = capsys.readouterr().out.strip().splitlines()
    if code != 2:
        assert EXIT_STATUS[json.loads(out[-1])["overall"]] == code


def test_exponential_schedule_is_decided():
    # η_l = α(1 − u), η_u = α(1 + u), u = e^(−γt) ∈ (0, 1): positivity, both monotonicity clauses
    # (η_l(t+1) − η_l(t) = αu(1 − e^(−γ)) ≥ 0) and η_u − η_l = 2αu ≥ 0, for every α, γ > 0.
    rep = schedule_check.decide(*EXP, {"alpha": None, "gamma": None})
    for c in ("lower positive", "lower nondecreasing", "upper nonincreasing", "lower <= upper", "common limit"):
        assert rep.verdict(c).status == "proved", rep.verdict(c)
    assert rep.verdict("hidden requirement").status == "undecided"     # depends on γ: not claimed
    assert "does not apply" not in rep.order_stated + rep.order_corrected
    # the same machinery refutes a decreasing lower bound, with a witness
    bad = schedule_check.decide("alpha*(1+exp(-gamma*t))", EXP[1], {"alpha": None, "gamma": None})
    assert bad.verdict("lower nondecreasing").status == "fails"
    assert "Theorem 4 does not apply: lower nondecreasing fails" in bad.order_stated


def test_undecided_hypothesis_is_not_reported_as_failure():
    rep = schedule_check.decide(*EXP, {"alpha": None, "gamma": None})
    assert rep.verdict("Savarese M").status in ("undecided", "numerical evidence")
    assert rep.order_corrected.startswith("O(√T)") and "if the hypotheses not proved hold" in rep.order_corrected


@pytest.mark.parametrize("expr, proved", [
    (sp.exp(-t / 7) - sp.exp(-2 * t / 7), True),          # u − u² ≥ 0, u = e^(−t/7) ∈ (0, e^(−1/7)]
    (1 - 3 * sp.exp(-t) + sp.exp(-2 * t), True),          # 1 − 3u + u² > 0 for u ≤ 1/e < (3 − √5)/2
    (1 - 3 * sp.exp(-t / 2) + sp.exp(-t), False),          # negative at t = 1: refuted with a witness
])
def test_exp_certificate_against_plain_values(expr, proved):
    st, _, wit = nonneg_for_all_t(expr, 1)
    vals = [float(expr.subs(t, k)) for k in range(1, 200)]
    assert st == ("proved" if proved else "fails")
    assert (min(vals) >= 0) == proved                      # the plain values agree
    if not proved:
        assert float(expr.subs(t, wit["t"])) < 0


def test_numerical_scan_is_not_called_proved():
    st, reason, _ = nonneg_for_all_t(sp.cos(1 / t) + sp.Rational(1, 100), 1)
    assert st == "numerical evidence" and "not proved" in reason


def test_savarese_M_scan_is_numerical_evidence():
    rep = schedule_check.decide(*EXP, {"alpha": "0.1", "gamma": "0.01"})
    v = rep.verdict("Savarese M")
    assert v.status == "numerical evidence" and "not proved" in v.reason
    # M is the value at t = 2, S(2) = 2/η_l(2) − 1/η_u(1), computed here with mpmath
    S2 = 2 / (0.1 * (1 - mpmath.exp(-0.02))) - 1 / (0.1 * (1 + mpmath.exp(-0.01)))
    assert float(rep.best_M) == pytest.approx(float(S2), rel=1e-12)


def test_wrong_sympy_limit_is_caught():
    # sympy 1.x returns 0 here; the true limit is 1 (t(1 + u) − (t − 1)(1 − u·e^(1/100)) → 1)
    S = t / (1 - sp.exp(-t / 100)) - (t - 1) / (1 + sp.exp((1 - t) / 100))
    lim = exact.limit_at_infinity(S)
    assert lim is None or lim == 1


def test_sign_is_rigorous():
    assert exact.sign(sp.sqrt(2) - sp.Rational(14142135623730951, 10 ** 16)) == -1   # the float 1.4142135623730951 > √2
    assert exact.sign(sp.pi - sp.Rational(355, 113)) == -1
    assert exact.sign(sp.sqrt(8) - 2 * sp.sqrt(2)) == 0
    x = sp.Rational(1, 10 ** 400)
    assert exact.sign(sp.exp(x) - 1 - x) is None     # > 0 by 1e-800: beyond 1024 bits, so undecided, not a guess
    lo, hi = exact.enclosure(sp.exp(sp.Rational(-1, 100)), 64)
    with mpmath.workdps(60):
        assert lo <= mpmath.exp(mpmath.mpf(-1) / 100) <= hi and hi - lo < 1e-17


def test_huge_rationals_printed_with_decimals():
    r = sp.Rational(-251503252999, 503006506002)
    assert exact.show_number(r) == "-251503252999/503006506002 (≈ -0.499999999996024)"
    assert exact.show_number(sp.Rational(3, 4)) == "3/4"
    rep = schedule_check.decide(*schedule_check.PAPER, {"alpha": "0.1", "gamma": "0.001"})
    assert "(≈ -0.4999999999" in rep.verdict("hidden requirement").reason
