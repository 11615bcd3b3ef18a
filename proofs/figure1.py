"""Reddi, Kale & Kumar (ICLR 2018), Figure 1: the predictions for its two synthetic problems.

Online:      f_t(x) = 1010·x if t mod 101 = 1, else −10·x,            F = [−1, 1]
Stochastic:  f_t(x) = 1010·x with probability 0.01, else −10·x (i.i.d.), F = [−1, 1]
Optimizers:  Adam and AMSGrad, β1 = 0.9, β2 = 0.99.

Both have x* = −1 (a period sums to 1010 − 100·10 = 10 > 0; E g = 10.1 − 9.9 = 0.2 > 0).

Adam, online: the periodic steady state of ``proofs.periodic`` (pattern C = 1010 once, then
b = 10 for P − 1 = 100 steps) gives the drift S = Σ_j m̄_j/√v̄_j; S < 0 means each period moves
x up by −α S/√t, so x is held at +1 and R_T/T → ḡ·(1 − (−1)) = 2·10/101 = 20/101
(``reproduce_support.held_limit``).  The sign is decided in interval arithmetic.

Adam, stochastic: with ε = 0 Adam is invariant to scaling all gradients by one constant, so the
problem is Theorem 3's construction with C = 101, b = 1, p = 0.01, i.e. δ = p(C+1) − 1 = 1/50;
``theorem3.expected_drift`` samples the stationary E[m/√v] (D < 0: E x_t moves up).  Held at +1
the expected gap is E g·2 = 0.4 and R_T/T → 0.4.

AMSGrad: its regret guarantee (Reddi et al. Theorem 4) needs γ = β1/√β2 < 1, decided exactly.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from . import betas as cond
from . import periodic, reproduce_support, theorem3
from .verdicts import Verdict

C_ONLINE, B_ONLINE, PERIOD = 1010, 10, 101
P_STOCH = sp.Rational(1, 100)
BETA1, BETA2 = sp.Rational(9, 10), sp.Rational(99, 100)


def online_pattern() -> list[int]:
    """One period of the online problem's gradients: 1010, then −10 for 100 steps."""
    return [C_ONLINE] + [-B_ONLINE] * (PERIOD - 1)


def stochastic_mean_gradient() -> sp.Rational:
    """E g = 0.01·1010 − 0.99·10 = 1/5."""
    return P_STOCH * C_ONLINE - (1 - P_STOCH) * B_ONLINE


def scaled_delta() -> sp.Rational:
    """δ of Theorem 3's form after dividing the gradients by b = 10: p(C/b + 1) − 1 = 1/50."""
    return P_STOCH * (sp.Rational(C_ONLINE, B_ONLINE) + 1) - 1


@dataclass
class Prediction:
    online_drift: tuple          # rigorous enclosure of S
    online_fails: Verdict        # S < 0
    online_limit: sp.Rational    # lim R_T/T for Adam held at +1: 20/101
    stochastic_drift: theorem3.Drift
    stochastic_fails: Verdict    # D < 0 (numerical)
    stochastic_gap_held: sp.Rational   # E f(+1) − f(−1) = 2/5
    amsgrad_condition: Verdict   # β1 < √β2


def predict(beta1=BETA1, beta2=BETA2) -> Prediction:
    """Every prediction Figure 1's study sets beside its runs."""
    S = periodic.reddi_drift_interval(C_ONLINE, PERIOD, B_ONLINE, beta1, beta2)
    s = periodic.interval_sign(S)
    online = Verdict("steady-state drift S < 0 (Adam held at +1)", {-1: "proved", 1: "fails"}.get(s, "undecided"),
                     f"S ∈ [{float(S.a):.6g}, {float(S.b):.6g}] (interval arithmetic)")
    delta = scaled_delta()
    D = theorem3.expected_drift(C_ONLINE / B_ONLINE, float(delta), float(sp.Rational(beta1)),
                                float(sp.Rational(beta2)))
    stoch = Verdict("stationary E[m/√v] < 0 (numerical)", "numerical evidence" if D.sign == -1 else "undecided",
                    f"D = {D.mean:.4g} ± {D.stderr:.2g} (sampled, n = {D.n}; the problem scaled by 1/10: "
                    f"C = 101, δ = {delta})")
    return Prediction((float(S.a), float(S.b)), online, reproduce_support.held_limit(online_pattern()), D, stoch,
                      reproduce_support.held_limit(stochastic_mean_gradient()),
                      cond.beta_condition(beta1, beta2))
