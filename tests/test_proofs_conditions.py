"""proofs.conditions / theorem1 / minus_one_two: exact decisions against Fraction arithmetic,
scalar loops and closed forms typed here."""
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from proofs import conditions, exact, minus_one_two, theorem1


@pytest.mark.parametrize("b1, b2", [("0.9", "0.81"), ("0.9", "0.82"), ("0.89", "0.81"), (0.1, 0.01), ("0", "0.5"),
                                    ("0.95", "0.9"), ("1/3", "1/9")])
def test_beta_condition_is_exact(b1, b2):
    want = Fraction(str(b1)) ** 2 < Fraction(str(b2))          # β1 < √β2 ⟺ β1² < β2 for β1 ≥ 0
    v = conditions.beta_condition(b1, b2)
    assert (v.status == "proved") == want
    if Fraction(str(b1)) ** 2 == Fraction(str(b2)):
        assert "boundary" in v.reason


def test_region_curve_is_sqrt():
    b2, b1 = conditions.region_curve(11)
    np.testing.assert_allclose(b1, np.sqrt(b2))


def test_bad_beta_names_parameter():
    with pytest.raises(ValueError, match="beta2=1"):
        conditions.beta_condition(0.5, 1)
    with pytest.raises(ValueError, match="beta1='x'"):
        conditions.beta_condition("x", 0.5)
    with pytest.raises(ValueError, match="theorem='nope'"):
        conditions.decide("nope")


def test_rational_reads_decimals_exactly():
    assert exact.rational("b", "0.81") == sp.Rational(81, 100)
    assert exact.rational("b", 0.9) == sp.Rational(9, 10)


def test_theorem1_derivation_and_conditions():
    assert all(v.status == "proved" for v in theorem1.derivation())
    cs = {v.clause: v for v in theorem1.conditions(3, lr="0.95")}
    assert cs["C > 2"] and cs["beta2 = 1/(1+C^2)"]
    assert cs["lr < sqrt(1 - beta2)"].status == "fails"          # √(1 − 1/10) = 0.9487 < 0.95


def _steady_v_loop(pattern, beta2, periods=4000):
    v = 0.0
    out = []
    for k in range(periods * len(pattern)):
        v = beta2 * v + (1 - beta2) * pattern[k % len(pattern)] ** 2
        if k >= (periods - 1) * len(pattern):
            out.append(v)
    return out


def test_theorem1_drift_matches_scalar_loop():
    C, b2 = 3.0, 0.1
    v = _steady_v_loop([C, -1.0, -1.0], b2)
    S_loop = C / np.sqrt(v[0]) - 1 / np.sqrt(v[1]) - 1 / np.sqrt(v[2])
    p = theorem1.predict(3, lr=0.1)
    assert float(p.drift) == pytest.approx(S_loop, rel=1e-12)
    assert p.average_regret_limit == sp.Rational(2 * 3 - 4, 3)


@pytest.mark.parametrize("b2", ["0.05", "0.0625", "0.2", "0.5", "0.6", "0.9"])
@pytest.mark.parametrize("C", [3, 4, 6, 8])
def test_minus_one_two_exact_condition(b2, C):
    want = Fraction(b2) ** (C - 2) < Fraction(1, 16)
    assert bool(minus_one_two.drift_condition(b2, C)) == want
    v = _steady_v_loop([-1.0, 2.0] + [0.0] * (C - 2), float(b2), periods=3000)
    S_loop = -1 / np.sqrt(v[0]) + 2 / np.sqrt(v[1])
    if abs(S_loop) > 1e-9:
        assert (S_loop < 0) == want
    # the paper's condition is sufficient: it never holds where the exact one fails
    if minus_one_two.paper_condition(b2, C):
        assert want


def test_minus_one_two_derivation():
    assert all(v.status == "proved" for v in minus_one_two.derivation())
