"""The parametrised studies of ``regret.studies`` (a prediction of ``proofs`` held against a run)
and the bounds of ``proofs.bounds`` evaluated on runs (``regret.studies.run_bounds``).

Each asserts the study's verdict and, independently of it, the measured numbers against the
closed forms typed here.  (The theory these use is tested without any run in test_proofs_*.)
"""
import numpy as np
import pytest

import regret
from proofs import bounds, schedule_check
from proofs.exact import t as t_sym
from regret.studies import REPRODUCED, minus_one_two, run_bounds, savarese, theorem1, theorem2, theorem3


def test_theorem1_predicted_average_regret_against_long_run():
    s = theorem1.sweep(C=[3, 4, 6, 10], lr=[0.1, 0.1, 0.05, 0.05], T=30_000)
    limits = (2 * np.array([3, 4, 6, 10]) - 4) / 3
    measured, predicted = s.numbers["measured"], s.numbers["predicted"]
    assert s.verdict == REPRODUCED, s.claims
    assert np.all(np.abs(measured - predicted) <= s.numbers["tolerance"])
    # the √T correction is real: the run sits above the limit by about c/√T
    assert np.all(measured > limits) and np.all(measured - limits < 0.01)


def test_minus_one_two_condition_splits_the_simulated_grid():
    s = minus_one_two.grid([0.05, 0.2, 0.3, 0.45, 0.55, 0.7, 0.8, 0.9], [3, 4, 5, 6, 8], lr=1.0, T=40_000)
    assert s.verdict == REPRODUCED
    # on this grid every cell agrees; near-boundary cells would be listed in numbers["explained"]
    assert s.numbers["agree"] == s.numbers["total"] == 40
    assert any(s.numbers["predicted"]) and not all(s.numbers["predicted"])


def test_theorem2_derived_C_fails_in_a_run_and_smaller_C_converges():
    s = theorem2.sweep(0, 0.9, [4, 5, 6, 7, 8, 9], lr=1.0, T=60_000)
    assert s.verdict == REPRODUCED, s.claims
    fails = s.numbers["fails_to_converge"]
    assert list(fails) == [False, False, False, True, True, True]
    C = np.array([4, 5, 6, 7, 8, 9])
    measured = s.numbers["measured"]
    assert np.all(measured[fails] > 0.8 * 2 / C[fails])        # R_T/T stays near 2/C
    assert np.all(measured[~fails] < 0.1 * 2 / C[~fails])      # and vanishes below the threshold


def test_theorem3_drift_sign_predicts_the_stochastic_runs():
    s = theorem3.sweep([2, 20], delta=0.1, beta2=0.9, lr=0.5, T=30_000)
    assert s.numbers["predicted"] == [1, -1] and s.verdict == REPRODUCED, s.claims
    assert s.numbers["x_final_mean"][1] > 0.5                     # held near +1, x* = −1
    assert s.numbers["expected_gap"][1] > 0.1                     # E f(x_T) − f(x*) = δ(x_T+1) ≈ 2δ


def test_savarese_counterexample_contradicts_theorem4():
    s = savarese.counterexample(C=3.0, delta=0.5, beta2=0.1, lr=0.1, K=20_000)
    assert s.verdict == REPRODUCED, s.claims
    assert np.all(s.numbers["measured"] > s.numbers["predicted"])      # R_K above Theorem 4's bound
    assert s.numbers["max_abs_x_diff_vs_adam"] == 0.0                  # the clip is the identity: AdaBound = Adam


# ---------------------------------------------------------------- bounds evaluated on runs

@pytest.mark.parametrize("prob", [dict(name="reddi-online", C=3.0), dict(name="reddi-stochastic", C=3.0, delta=0.5, seed=1)])
def test_measured_adabound_regret_below_corrected_bound_everywhere(prob):
    p = regret.problem(prob.pop("name"), **prob)
    k = regret.optimizer("adabound", beta1=[0.0, 0.5], beta2=0.1, lr=0.1, convention="theory")
    res = regret.run(p, k, 30_000)
    claim = run_bounds.compare(res, run_bounds.savarese(res, p), "savarese")
    assert claim.passed, claim.criterion
    assert run_bounds.compare(res, run_bounds.adabound_theorem4(res, p), "thm4").passed


def test_amsgrad_and_ogd_bounds_hold_on_runs():
    p = regret.problem("reddi-online", C=3.0)
    ams = regret.run(p, regret.optimizer("amsgrad", beta1=[0.0, 0.3], beta2=0.5, lr=0.1, convention="theory"), 20_000)
    assert run_bounds.compare(ams, run_bounds.amsgrad(ams, p), "amsgrad").passed
    sgd = regret.run(p, regret.optimizer("sgd", lr=[2 / 3, 0.1], convention="theory"), 20_000)
    ob = run_bounds.ogd(sgd, p)
    assert run_bounds.compare(sgd, ob, "ogd").passed
    # at α = D/G = 2/3 the bound is (3/2)·D·G·√T − DG/2, D = 2, G = 3 (typed here)
    np.testing.assert_allclose(ob[:, 0], 1.5 * 2 * 3 * np.sqrt(sgd.t) - 3, rtol=1e-12)


def test_bounds_refuse_practical_runs():
    p = regret.problem("reddi-online", C=3.0)
    res = regret.run(p, regret.optimizer("adabound"), 10)
    with pytest.raises(ValueError, match="theory convention"):
        run_bounds.savarese(res, p)


def test_bounds_take_the_constants_the_problem_states_and_refuse_another_problem():
    p = regret.problem("reddi-online", C=[3.0, 5.0], b=[1.0, 7.0])
    res = regret.run(p, regret.optimizer("sgd", lr=0.1, convention="theory"), 50)
    # G∞ = max(C, b) per instance, D∞ = hi − lo = 2 (typed here from the construction)
    assert [run_bounds.constants(res, p, b)["G"] for b in range(2)] == [3.0, 7.0]
    assert run_bounds.constants(res, p, 0)["D"] == 2.0
    with pytest.raises(ValueError, match="not the problem of this run"):
        run_bounds.ogd(res, regret.problem("reddi-online", C=3.0))


def test_evaluated_bounds_against_proofs_expressions():
    # the evaluators use the run's own η_T where the expressions use its bounds: OGD's is the same
    # expression, Theorem 4's (β1 = 0, η̂_T ≥ η_l(T) ≥ η_l(1) = L, R = η_u(1)) lies below it
    p = regret.problem("reddi-online", C=3.0)
    sgd = regret.run(p, regret.optimizer("sgd", lr=[2 / 3, 0.1], convention="theory"), 2000, checkpoints=12)
    ogd = bounds.ogd(general=True)
    for b, lr in enumerate([2 / 3, 0.1]):
        want = [ogd(int(t), D=2, G=3, alpha=lr) for t in sgd.t]
        np.testing.assert_allclose(run_bounds.ogd(sgd, p)[:, b], want, rtol=1e-12)
    ada = regret.run(p, regret.optimizer("adabound", beta1=0.0, beta2=0.1, lr=0.1, convention="theory"), 2000,
                     checkpoints=12)
    cfg = ada.configs[0]                                    # the band the kernel used: α*, γ
    lo, up = schedule_check.paper_schedule(cfg["final_lr"], cfg["gamma"])
    L, R = float(lo.subs(t_sym, 1)), float(up.subs(t_sym, 1))
    thm4 = bounds.adabound_theorem4("zero")
    expr = np.array([thm4(int(t), D=2, G=3, L=L, R=R, d=1, beta1=0) for t in ada.t])
    evaluated = run_bounds.adabound_theorem4(ada, p)[:, 0]
    assert np.all(evaluated <= expr * (1 + 1e-12)) and evaluated[-1] < expr[-1]



def test_bounds_rebuild_the_problem_of_a_reloaded_run(tmp_path):
    from regret import storage

    p = regret.problem("reddi-stochastic", C=[3.0, 4.0], delta=0.5, seed=[1, 2])
    res = regret.run(p, regret.optimizer("sgd", lr=0.1, convention="theory"), 200)
    want = run_bounds.ogd(res, p)
    np.testing.assert_array_equal(run_bounds.ogd(res), want)         # rebuilt from res.problem
    storage.save(tmp_path / "run.json", res)
    loaded = storage.load(tmp_path / "run.json").results[0]
    np.testing.assert_array_equal(run_bounds.ogd(loaded), want)
    assert run_bounds.constants(loaded, b=1)["G"] == 4.0               # max(C, b) of instance 1


def test_bound_sums_over_t_take_bounded_memory(monkeypatch):
    # Σ_{s≤τ} f(s) at the checkpoints, summed in pieces: equal to a cumulative sum typed here, with
    # pieces far shorter than the run (a bound on a run of T = 10^9 must not allocate O(T))
    from regret.studies import run_bounds

    t = np.array([1, 2, 9, 10, 11, 500, 4097])
    ref = np.cumsum(np.sqrt(np.arange(1, 4098)) / (1 + np.arange(1, 4098) % 3))[t - 1]
    monkeypatch.setattr(run_bounds, "SUM_PIECE", 7)
    got = run_bounds.sums_at(lambda s: np.sqrt(s) / (1 + s % 3), t)
    np.testing.assert_allclose(got, ref, rtol=1e-13)
