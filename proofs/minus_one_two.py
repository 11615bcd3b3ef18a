"""Luo, Xiong, Liu & Sun (ICLR 2019), Section 3: the "−1/2" example.

Gradients −1 at t mod C = 1, +2 at t mod C = 2, 0 otherwise, on F = [−1, 1] (a period sums to
+1, so x* = −1); Adam with β1 = 0 (theory convention, α_t = α/√t, or constant α).

Exact periodic-steady-state condition (derived, ``derivation()``): with s = (1−β2)/(1−β2^C),
the steady second moments at the −1 step and at the +2 step are

    v̄_− = s·(1 + 4β2^{C−1}),      v̄_+ = s·(4 + β2)

(the +2 step lies C−1 steps before the next −1 step, the −1 step one step before the +2 step).
The drift per period is S = −1/√v̄_− + 2/√v̄_+, and Adam moves the wrong way (up, away from
x* = −1) iff S < 0 ⟺ v̄_+ > 4 v̄_− ⟺ 16·β2^{C−1} < β2 ⟺

    β2^{C−2} < 1/16        (β2 > 0; at β2 = 0, S = 0 exactly).

Paper's sufficient condition (recalled, unverified in REFERENCE): 5β2^{C−2} ≤ (1−β2)/(4−β2).
Since (1−β2)/(4−β2) ≤ 1/4 on [0, 1), it forces β2^{C−2} ≤ 1/20 < 1/16: it implies the exact
condition and is strictly stronger (sympy checks both steps), e.g. C = 3 needs β2 ≤ 0.0476…
against the exact β2 < 1/16 = 0.0625.

When S < 0, x is held at +1 and each period costs regret ≥ 2, so R_T/T → 2/C; when S > 0, x
reaches −1 after about T_settle ≈ C²/(α S)² steps (from Σ_k α|S|/√(Ck) ≈ 2α|S|√(K/C) = 2) and
R_T/T → 0.  Cells of a finite simulation with T_settle ≳ T are near the boundary and are the
only ones where a run may disagree with the condition; ``regret.studies.minus_one_two.grid``
reports them.
"""
from __future__ import annotations

import sympy as sp

from . import exact, periodic
from .verdicts import Verdict

beta2_sym = sp.Symbol("beta2", positive=True)
C_sym = sp.Symbol("C", integer=True, positive=True)

EXACT_CONDITION = sp.Lt(beta2_sym ** (C_sym - 2), sp.Rational(1, 16))
PAPER_CONDITION = sp.Le(5 * beta2_sym ** (C_sym - 2), (1 - beta2_sym) / (4 - beta2_sym))


def steady_v(beta2=beta2_sym, C=C_sym):
    """(v̄_−, v̄_+) in closed form (symbolic C allowed)."""
    s = (1 - beta2) / (1 - beta2 ** C)
    return s * (1 + 4 * beta2 ** (C - 1)), s * (4 + beta2)


def drift(beta2, C):
    """S = −1/√v̄_− + 2/√v̄_+ (exact for rational β2 and integer C)."""
    vm, vp = steady_v(beta2, C)
    return -1 / sp.sqrt(vm) + 2 / sp.sqrt(vp)


def drift_condition(beta2, C) -> Verdict:
    """The exact condition β2^{C−2} < 1/16 for the wrong-way drift, decided exactly."""
    b2 = exact.rational("beta2", beta2)
    C = _int_C(C)
    if not 0 <= b2 < 1:
        raise ValueError(f"beta2={b2} is outside the allowed range [0, 1)")
    val = b2 ** (C - 2)
    if b2 == 0:
        return Verdict("beta2^(C-2) < 1/16", "fails", "β2 = 0: v̄_+ = 4v̄_− exactly, S = 0 (no drift)", {"S": "0"})
    ok = val < sp.Rational(1, 16)
    return Verdict("beta2^(C-2) < 1/16", "proved" if ok else "fails",
                   f"β2^(C−2) = {b2}^{C - 2} = {sp.N(val, 6)} {'<' if ok else '≥'} 1/16"
                   + ("; Adam drifts away from x* = −1" if ok else "; Adam's drift points towards x* = −1"),
                   {"beta2": str(b2), "C": C})


def paper_condition(beta2, C) -> Verdict:
    """Luo et al.'s sufficient condition 5β2^{C−2} ≤ (1−β2)/(4−β2), decided exactly."""
    b2 = exact.rational("beta2", beta2)
    C = _int_C(C)
    lhs, rhs = 5 * b2 ** (C - 2), (1 - b2) / (4 - b2)
    ok = lhs <= rhs
    return Verdict("5 beta2^(C-2) <= (1-beta2)/(4-beta2)", "proved" if ok else "fails",
                   f"{sp.N(lhs, 6)} {'≤' if ok else '>'} {sp.N(rhs, 6)}")


def conditions(beta2, C, beta1=0) -> list[Verdict]:
    b1 = exact.rational("beta1", beta1)
    return [Verdict("beta1 = 0", "proved" if b1 == 0 else "fails", f"beta1 = {b1}"),
            drift_condition(beta2, C), paper_condition(beta2, C)]


def derivation() -> list[Verdict]:
    """The derivation's steps, each checked by sympy."""
    b, C = beta2_sym, C_sym
    vm, vp = steady_v()
    # closed form against the generic periodic steady state, for C = 3..8
    generic = all(
        sp.simplify(periodic.steady_ema([1, 4] + [0] * (c - 2), b)[0] - vm.subs(C, c)) == 0
        and sp.simplify(periodic.steady_ema([1, 4] + [0] * (c - 2), b)[1] - vp.subs(C, c)) == 0
        for c in range(3, 9))
    # v̄_+ − 4 v̄_− = s·β2·(1 − 16 β2^{C−2})
    s = (1 - b) / (1 - b ** C)
    diff = sp.simplify(sp.expand_power_base(sp.powsimp(sp.expand((vp - 4 * vm) / s))))
    factored = sp.simplify(diff - b * (1 - 16 * b ** (C - 2))) == 0
    # paper's condition ⇒ β2^{C−2} ≤ 1/20: (1−β2)/(4−β2) ≤ 1/4 for β2 ∈ [0, 1)
    # β2 = u/(1+u) maps u ∈ [0, ∞) onto [0, 1), so the certificate covers the whole range.
    u = exact.t
    quarter = exact.certify(sp.together((sp.Rational(1, 4) - (1 - b) / (4 - b)).subs(b, u / (1 + u))), 0) == 1
    return [
        Verdict("v̄_− = s(1+4β2^{C−1}), v̄_+ = s(4+β2) (checked against the generic steady state, C = 3..8)",
                "proved" if generic else "undecided", "sympy simplify"),
        Verdict("v̄_+ − 4v̄_− = s·β2·(1 − 16β2^{C−2}), so S < 0 ⟺ β2^{C−2} < 1/16",
                "proved" if factored else "undecided", f"sympy: (v̄_+ − 4v̄_−)/s = {diff}"),
        Verdict("(1−β2)/(4−β2) ≤ 1/4 on [0, 1), so the paper's condition gives β2^{C−2} ≤ 1/20 < 1/16",
                "proved" if quarter else "undecided", "coefficient certificate"),
    ]


def _int_C(C) -> int:
    r = exact.rational("C", C)
    if r.q != 1 or r < 3:
        raise ValueError(f"C={C} must be an integer >= 3 (the period of the −1/2 example)")
    return int(r)
