"""proofs.theorem2 / theorem3: derived conditions against scalar loops (no simulation: the runs
that hold them are studies, tests/test_studies.py)."""
import math

import numpy as np
import pytest

from proofs import theorem2, theorem3


def _reddi_drift_loop(C, b1, b2, periods=3000):
    m = v = 0.0
    S = 0.0
    for k in range(periods * C):
        g = float(C) if k % C == 0 else -1.0
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        if k >= (periods - 1) * C:
            S += m / math.sqrt(v)
    return S


@pytest.mark.parametrize("C, b1, b2", [(6, 0, 0.9), (7, 0, 0.9), (7, 0.5, 0.9), (8, 0.5, 0.9), (12, 0.3, 0.95)])
def test_theorem2_drift_matches_scalar_loop(C, b1, b2):
    S = theorem2.drift(C, b1, b2)
    assert float(S.a) == pytest.approx(_reddi_drift_loop(C, b1, b2), rel=1e-9, abs=1e-12)


def test_theorem2_find_C_is_the_threshold():
    p = theorem2.find_C(0, 0.9)
    assert p.C == 7 and p.fails_to_converge and p.average_regret_limit == pytest.approx(2 / 7)
    assert _reddi_drift_loop(6, 0, 0.9) > 0 > _reddi_drift_loop(7, 0, 0.9)
    with pytest.raises(ValueError, match="beta1 < sqrt"):
        theorem2.find_C(0.9, 0.81)


def test_theorem2_derived_condition_is_sharper_than_literature():
    cmp = theorem2.compare_literature(["0.1", "0.5", "0.9"], range(3, 60))
    assert cmp["literature_not_derived"] == []
    assert cmp["sharper"] == "derived"
    # an independent check of one literature cell: β2 = 0.5, C = 19 holds, C = 18 does not
    lit = lambda C, b2: b2 <= min(C ** (-4 / (C - 2)), 1 - (9 / (2 * C)) ** 2)  # noqa: E731
    assert lit(19, 0.5) and not lit(18, 0.5)
    assert theorem2.literature_condition(19, "0.5") and not theorem2.literature_condition(18, "0.5")


@pytest.mark.parametrize("C, b2", [(2, 0.9), (12, 0.9), (50, 0.99), (3, 0.5)])
def test_theorem3_sufficient_condition_formula(C, b2):
    d = 0.1
    p = (1 + d) / (C + 1)
    want = p * C / math.sqrt(1 + (C * C - 1) * (1 - b2)) < (1 - p) / math.sqrt(1 + (C * C - 1) * b2 * p)
    assert bool(theorem3.sufficient_condition(C, d, b2)) == want
    if want:   # sufficient: the numerical drift must then be negative
        assert theorem3.expected_drift(C, d, 0, b2).mean < 0
