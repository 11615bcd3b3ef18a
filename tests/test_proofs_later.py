"""proofs.figure1 and proofs.shi against closed forms and an independent steady state."""
import math

import numpy as np
import pytest
from fractions import Fraction

from proofs import figure1, shi


def test_figure1_constants_by_hand():
    # period: 1010 once, −10 a hundred times → mean 10/101; held at +1 against x* = −1 → 20/101
    assert figure1.online_pattern() == [1010] + [-10] * 100
    p = figure1.predict()
    assert Fraction(str(p.online_limit)) == Fraction(20, 101)
    # E g = 0.01·1010 − 0.99·10 = 0.2; divided by 10 it is Theorem 3's C = 101 with p = (1+δ)/(C+1)
    assert Fraction(str(figure1.stochastic_mean_gradient())) == Fraction(1, 5)
    assert Fraction(str(figure1.scaled_delta())) == Fraction(1, 50)
    assert Fraction(str(p.stochastic_gap_held)) == Fraction(2, 5)
    assert p.online_fails.status == "holds" and p.amsgrad_condition.status == "holds"


def _drift_closed_form(C, b2):
    """S written from Reddi's pattern directly: v at lag j after the C-step, summed over one period."""
    v = [1 + (1 - b2) * (C * C - 1) * b2 ** j / (1 - b2 ** C) for j in range(C)]
    return C / math.sqrt(v[0]) - sum(1 / math.sqrt(vj) for vj in v[1:])


def _drift_iterated(C, b2, periods=3000):
    g = [float(C)] + [-1.0] * (C - 1)
    v = 0.0
    for _ in range(periods):
        for gj in g:
            v = b2 * v + (1 - b2) * gj * gj
    S = 0.0
    for gj in g:
        v = b2 * v + (1 - b2) * gj * gj
        S += gj / math.sqrt(v)
    return S


@pytest.mark.parametrize("C, i", [(3, 1), (3, 10), (7, 5), (7, 15), (20, 15), (20, 25)])
def test_shi_sign_against_the_iterated_steady_state(C, i):
    b2 = float(shi.beta2_of(i))
    S = _drift_iterated(C, b2)
    assert S == pytest.approx(_drift_closed_form(C, b2), rel=1e-9, abs=1e-12)
    assert shi.drift_sign(C, b2) == np.sign(S)


def test_shi_boundary_is_a_root_and_the_exponent_fit():
    u = shi.boundary([2, 3, 10, 30])
    assert math.isnan(u[0])                                   # C = 2 converges for every β2
    for C, uc in zip([3, 10, 30], u[1:]):
        lo, hi = 1 - 10 ** -(uc - 1e-6), 1 - 10 ** -(uc + 1e-6)
        assert _drift_closed_form(C, lo) < 0 < _drift_closed_form(C, hi)
    Cs = np.array([3.0, 5, 10, 20])
    assert shi.boundary_exponent(Cs, 0.4 + 2.5 * np.log10(Cs)) == pytest.approx(2.5, abs=1e-12)
