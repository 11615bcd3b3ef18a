"""proofs.bounds / schedule_check / savarese / callables: orders, the schedule checker against
float loops typed here, the CLI.  No simulation: bounds evaluated on runs are in test_studies.py."""
import json

import numpy as np
import pytest
import sympy as sp

from proofs import bounds, callables, savarese, schedule_check
from regret.cli import main


def test_orders_are_decided():
    assert bounds.adabound_theorem4("geometric").is_sqrt_T       # Corollary 4.1
    assert bounds.savarese_corrected("zero").is_sqrt_T
    assert not bounds.adabound_theorem4("constant").is_sqrt_T
    assert bounds.adabound_theorem4("constant").order == bounds.T ** sp.Rational(3, 2)
    assert bounds.amsgrad("zero").order == sp.sqrt(bounds.T * sp.log(bounds.T))
    assert bounds.ogd().is_sqrt_T


def test_ogd_general_at_D_over_G_is_three_halves():
    b = bounds.ogd(general=True).expr.subs(bounds.alpha, bounds.D / bounds.G)
    D, G, T = bounds.D, bounds.G, bounds.T
    assert sp.simplify(b - (sp.Rational(3, 2) * D * G * sp.sqrt(T) - D * G / 2)) == 0


def test_a_bound_is_evaluated_with_its_constants_given_by_name():
    # D²√T/(2α) + (αG²/2)(2√T − 1) at D = 2, G = 3, α = 1/2, T = 100: 40 + 42.75 (by hand)
    assert bounds.ogd(general=True)(100, D=2, G=3, alpha=0.5) == pytest.approx(82.75, rel=1e-15)
    # Theorem 4, β1 = 0: D²√T·d/(2L) + (2√T − 1)·R·d·G² = 400 + 34.2 at D = 2, G = 3, L = 1/20, R = 1/5
    assert bounds.adabound_theorem4("zero")(100, D=2, G=3, L=0.05, R=0.2, d=1, beta1=0) == pytest.approx(434.2)
    with pytest.raises(ValueError, match="needs a value for G, alpha"):
        bounds.ogd(general=True)(100, D=2)
    with pytest.raises(ValueError, match="has no constant X; its constants are D, G, alpha"):
        bounds.ogd(general=True)(100, X=1)


def _paper_numpy(a, g):
    return (lambda t: a * (1 - 1 / (g * t + 1))), (lambda t: a * (1 + 1 / (g * t)))


def test_callables_match_the_paper_formula():
    lo, up = schedule_check.paper_schedule("0.1", "0.9")
    flo, fup = callables.of_t(lo), callables.of_t(up)
    nlo, nup = _paper_numpy(0.1, 0.9)
    ts = np.arange(1, 1000)
    np.testing.assert_allclose(flo(ts), nlo(ts), rtol=1e-14)
    np.testing.assert_allclose(fup(ts), nup(ts), rtol=1e-14)
    with pytest.raises(ValueError, match="gamma"):
        callables.of_t(schedule_check.paper_schedule("0.1")[0])


def test_paper_schedule_symbolic():
    rep = schedule_check.decide(*schedule_check.PAPER, {"alpha": None, "gamma": None})
    for c in ("lower positive", "lower nondecreasing", "upper nonincreasing", "lower <= upper", "common limit"):
        assert rep.verdict(c).status == "proved", rep.verdict(c)
    hidden = rep.verdict("hidden requirement")
    assert hidden.status == "fails" and hidden.witness["gamma"] == "(0, 4)" and hidden.witness["holds_for"] == "[4, ∞)"
    a, g = sp.Symbol("alpha", positive=True), sp.Symbol("gamma", positive=True)
    assert sp.simplify(rep.best_M - (1 + 2 / g) / a) == 0
    assert sp.simplify((3 + 2 / g) - rep.best_M.subs(a, 1)) == 2          # M ≤ 3 + 2/γ at α* = 1
    assert "O(√T)" in rep.order_corrected


def test_crossed_bounds_void_both_guarantees():
    # η_l = 2 > η_u = 1: the clip is not defined, so neither Theorem 4 nor Savarese's bound applies,
    # even though the M condition alone (sup of 1 − t/2 over t ≥ 2 and 1/η_l(1)) is finite
    rep = schedule_check.decide("2", "1")
    assert rep.verdict("lower <= upper").status == "fails"
    assert rep.verdict("Savarese M").status == "proved"
    assert "O(√T)" not in rep.order_corrected and "lower <= upper fails" in rep.order_corrected
    assert "lower <= upper fails" in rep.order_stated and "common limit fails" in rep.order_stated


@pytest.mark.parametrize("gamma, fails", [(0.001, True), (0.5, True), (1.0, True), (3.9, True), (4.0, False), (10.0, False)])
def test_hidden_requirement_against_float_loop(gamma, fails):
    lo, up = _paper_numpy(0.1, gamma)
    ts = np.concatenate([np.arange(2, 10 ** 5, dtype=float), np.geomspace(1e5, 1e9, 200)])
    viol = lo(ts - 1) / up(ts) < np.sqrt(1 - 1 / ts) - 1e-15
    rep = schedule_check.decide(*schedule_check.PAPER, {"alpha": "0.1", "gamma": str(gamma)})
    assert (rep.verdict("hidden requirement").status == "fails") == fails
    if gamma not in (3.9,):            # γ = 3.9 only fails for t ~ 10¹⁰ (asymptotically 1 − 2/(γt) < 1 − 1/(2t))
        assert bool(viol.any()) == fails
    # best M against a numeric sup of t/η_l(t) − (t−1)/η_u(t−1)
    t = np.geomspace(2, 1e8, 2000)            # beyond ~1e9 the float difference cancels
    sup = max(1 / lo(1.0), np.max(t / lo(t) - (t - 1) / up(t - 1)))
    assert float(rep.best_M) == pytest.approx(sup, rel=2e-4)   # sup approached like 1/(γ²t)


def test_checker_flags_a_broken_schedule():
    rep = schedule_check.decide("1/(2*t)", "1", {})
    assert rep.verdict("lower nondecreasing").status == "fails"
    assert rep.verdict("common limit").status == "fails"


@pytest.mark.parametrize("text, needle", [("__import__('os')", "not an allowed function"), ("t.real", "attribute"),
                                          ("foo*t", "unknown symbol(s) foo"), ("t +", "not a valid expression"),
                                          ("2**10**10", "too large"), ("'a'", "only numbers"), ("[t]", "list")])
def test_parse_rejects(text, needle):
    with pytest.raises(ValueError, match=needle.replace("(", r"\(").replace(")", r"\)")):
        schedule_check.parse(text, "lower", {})


def test_savarese_bound_functions_and_corrected_M():
    # the run contradicting Theorem 4 with these functions is a study: tests/test_studies.py
    lo, up = savarese.bound_functions(0.1, 3.0, 0.1, 20_000)
    ts = np.arange(1, 40_001)
    assert np.all(np.diff(lo(ts)) == 0) and np.all(np.diff(up(ts)) <= 0) and up(ts)[-1] == lo(ts)[-1]
    t = np.arange(1, 40_001, dtype=float)
    ratio = t / lo(t) - (t - 1) / np.concatenate([[np.inf], up(t[:-1])])
    assert float(savarese.corrected_M(0.1, 3.0, 0.1, 20_000)) == pytest.approx(ratio.max(), rel=1e-12)


def test_cli_condition(capsys):
    assert main(["check", "condition", "--beta1", "0.9", "--beta2", "0.81"]) == 1   # fails: exit 1
    assert "fails" in capsys.readouterr().out
    assert main(["check", "condition", "--beta1", "0.9", "--beta2", "0.82", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["overall"] == "proved"


def test_cli_bounds_json(capsys):
    assert main(["check", "bounds", "--lower", schedule_check.PAPER[0], "--upper", schedule_check.PAPER[1],
                 "--param", "alpha=0.1", "--param", "gamma=0.001", "--json"]) == 1  # the hidden requirement fails
    out = json.loads(capsys.readouterr().out)
    st = {c["clause"]: c["status"] for c in out["clauses"]}
    assert st["hidden requirement"] == "fails" and st["lower nondecreasing"] == "proved"
    assert float(sp.sympify(out["best_M"])) == pytest.approx((1 + 2 / 0.001) / 0.1)


@pytest.mark.parametrize("argv, needle", [
    (["check", "bounds", "--lower", "t +", "--upper", "1"], "not a valid expression"),
    (["check", "bounds", "--lower", "foo", "--upper", "1"], "unknown symbol(s) foo"),
    (["check", "bounds", "--lower", "t", "--upper", "1", "--param", "gamma=-1"], "gamma=-1"),
    (["check", "condition", "--beta1", "0.5", "--beta2", "2"], "beta2=2"),
])
def test_cli_errors_are_one_line(argv, needle, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and needle in err and "Traceback" not in err


# ---------------------------------------------------------------- schedules that switch at t = K

SAVARESE = ("alpha/C", "Piecewise((alpha/sqrt(1 - beta2), t <= K), (alpha/C, True))")


def test_savarese_schedule_meets_every_stated_assumption_and_breaks_the_hidden_one():
    # Savarese (2019), Theorem 2: η_l = α/C, η_u = α/√(1−β2) up to K, α/C after
    a, C, b2, K = 0.1, 3, 0.9, 1000
    rep = schedule_check.decide(*SAVARESE, {"alpha": str(a), "C": str(C), "beta2": str(b2), "K": str(K)})
    for c in ("lower positive", "lower nondecreasing", "upper nonincreasing", "lower <= upper", "common limit",
              "R_inf finite"):
        assert rep.verdict(c).status == "proved", rep.verdict(c)
    assert rep.verdict("hidden requirement").status == "fails"
    assert rep.verdict("hidden requirement").witness == {"t": 2}
    # t/η_l(t) − (t−1)/η_u(t−1) grows until the switch, then is C/α: sup at t = K + 1, by hand
    M_hand = ((K + 1) * C - K * (1 - b2) ** 0.5) / a
    assert float(rep.best_M) == pytest.approx(M_hand, rel=1e-9)
    assert "O(√T)" in rep.order_corrected


def test_a_switch_far_past_the_dense_scan_is_found_exactly():
    # η_u jumps *up* at t = 5001: nonincreasing fails there and only there
    rep = schedule_check.decide("1/2", "Piecewise((1, t <= 5000), (2, True))")
    v = rep.verdict("upper nonincreasing")
    assert v.status == "fails" and v.witness == {"t": 5000}, v
    assert rep.verdict("common limit").status == "fails"


def test_min_max_schedules_are_split_into_pieces_not_a_traceback(capsys):
    from regret.cli import main

    # the same Savarese schedule written with Min/Max (sympy cannot expand Max at ∞)
    up = "alpha/C + (alpha/sqrt(1-beta2) - alpha/C)*Max(0, Min(1, K + 1 - t))"
    args = ["check", "bounds", "--lower", "alpha/C", "--upper", up]
    for kv in ("alpha=0.1", "C=3", "beta2=0.9", "K=1000"):
        args += ["--param", kv]
    assert main(args + ["--json"]) == 1   # exit 1: the hidden requirement fails
    out = json.loads(capsys.readouterr().out)
    status = {c["clause"]: c["status"] for c in out["clauses"]}
    assert status["upper nonincreasing"] == status["lower <= upper"] == status["common limit"] == "proved"
    assert status["hidden requirement"] == "fails"


def test_floor_and_ceiling_schedules_do_not_send_sympy_into_a_long_limit():
    # sympy's limit of ceiling(1000/t) − ceiling(1000/(t+1)) ran for minutes: now undecided, fast
    rep = schedule_check.decide("1/(t+1)", "ceiling(1000/t)")
    assert rep.verdict("common limit").status == "undecided"
    assert rep.verdict("lower nondecreasing").status == "fails"


def test_check_bounds_gives_up_after_timeout_in_one_line(monkeypatch, capsys):
    import time

    def slow(*args, **kwargs):
        time.sleep(5)

    monkeypatch.setattr(schedule_check, "decide", slow)
    assert main(["check", "bounds", "--lower", "1", "--upper", "2", "--timeout", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--timeout=1" in err and "Traceback" not in err


def test_a_piece_undefined_at_an_integer_is_not_called_proved():
    from proofs.exact import nonneg_for_all_t, t

    e = sp.Piecewise((1 / (t - 5) ** 2, t <= 10), (1, True))
    status, reason, _ = nonneg_for_all_t(e, 1, (), False, "E")
    assert status == "undecided" and "t = 5" in reason
    assert nonneg_for_all_t(sp.Piecewise((1 / (t - sp.Rational(11, 2)) ** 2, t <= 10), (1, True)), 1)[0] == "proved"
