"""proofs: the symbolic side of ``regret`` (sympy) — every formula of the theory, decided exactly.

The numeric side calls these instead of re-typing formulas; every decision is exact (rational
inputs: "0.81" is 81/100; symbolic limits; polynomial certificates; rigorous interval
arithmetic).  This package imports nothing from ``regret`` and runs no simulation: it holds
formulas, exact decisions, predictions and bounds (sympy expressions, lambdified callables).
Where a prediction meets a run — the studies, in PEPit's style, predicted beside measured with
a verdict — is ``regret.studies`` (tests/test_architecture.py checks the direction).

Public API (one module per concern)
-----------------------------------
betas           beta_condition(β1, β2) -> Verdict (β1 < √β2 exact); gamma(β1, β2); region_curve(n).
conditions      the above re-exported; decide(theorem, **params) -> [Verdict] for theorem1/theorem2/theorem3/minus_one_two/
                amsgrad/adabound; verdicts.explain(verdicts) says which clause fails and why.
theorem1        predict(C, beta2=None, lr) -> Prediction (drift S, average_regret_limit = (2C−4)/3,
                correction c: R_T/T ≈ limit + c/√T, average_regret(T)); conditions(...);
                derivation() (sympy-verified steps for symbolic C).
theorem2        find_C(beta1, beta2, lr) -> Prediction (smallest C with steady-state drift S(C) < 0,
                average_regret_limit = 2/C); predict(C, β1, β2); drift(C, β1, β2) (rigorous interval);
                literature_condition(C, β2), compare_literature(β2s, Cs).
theorem3        sufficient_condition(C, δ, β2) (closed form, β1 = 0), sufficient_C(δ, β2);
                expected_drift(C, δ, β1, β2) (numerical: no closed form); conditions(...).
minus_one_two   drift_condition(β2, C) (exact: β2^{C−2} < 1/16), paper_condition(β2, C)
                (5β2^{C−2} ≤ (1−β2)/(4−β2)), steady_v, drift, derivation().
bounds          adabound_theorem4(β1t), savarese_corrected(β1t), amsgrad(β1t), ogd(general) -> Bound
                (expr of T, order, is_sqrt_T); order(expr).  Their value on a finished run:
                regret.studies.run_bounds.
schedule_check  decide(lower, upper, params) -> Report (each Theorem 4 assumption, the hidden
                requirement, Savarese's M with best_M, orders); parse(text, name, params) (safe);
                paper_schedule(α*, γ); best_M(lower, upper); PAPER (the paper's schedule strings).
savarese        bound_expressions(), bound_functions(α, C, β2, K) (callables for AdaBound's lower=/upper=),
                corrected_M(α, C, β2, K).
callables       of_t(expr, params) -> vectorised numpy function of t (int64 (n,) → (n,) floats).
periodic        steady_ema, steady_moments, drift: periodic steady state of Adam's moments.
exact           rational(name, value), sign(expr) (interval arithmetic), certify(expr, t0, params),
                nonneg_for_all_t(...), show_number(x).
verdicts        Verdict (clause, status proved/fails/numerical evidence/undecided, reason, witness),
                overall, explain, exit_status, EXIT_STATUS.

What was derived here (the REFERENCE marks these facts unverified)
------------------------------------------------------------------
* Theorem 1: steady-state v̄ in closed form; S < 0 for every C > 0 (w_1, w_2 < 3 < ... ); R_T/T →
  (2C−4)/3 with an explicit c/√T correction (matches runs to ~1e−6 at T = 3·10⁴).
* Theorem 2: exact asymptotic condition S(C) < 0; the literature's β1 = 0 condition
  β2 ≤ min{C^{−4/(C−2)}, 1 − (9/(2C))²} implies it on every grid tried and is much weaker
  (β2 = 0.9: C ≥ 204 vs the derived C ≥ 7).
* Theorem 3: no closed form for the drift; a closed-form sufficient condition for β1 = 0 (Jensen);
  numerical drift otherwise.
* −1/2 example: exact condition β2^{C−2} < 1/16; the paper's condition implies β2^{C−2} ≤ 1/20.
* Corollary 4.1: Σ λ^{t−1}√t converges (sympy), so Theorem 4's middle term is O(1); constant
  β1t = β1 > 0 makes it Θ(T^{3/2}).
* The paper's schedule: the hidden requirement fails for every γ ∈ (0, 4) — hence for every
  γ = 1 − β2 the paper uses — and holds for γ ≥ 4 (REFERENCE recalled "every γ > 0");
  best M = (1 + 2/γ)/α*, i.e. ≤ 3 + 2/γ for α* = 1 as Savarese states.
"""
from . import (betas, bounds, callables, conditions, exact, minus_one_two, periodic, savarese, schedule_check,  # noqa: F401
               theorem1, theorem2, theorem3, verdicts)
from .verdicts import Verdict  # noqa: F401
