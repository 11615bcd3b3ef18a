"""Issue 2 acceptance: Reddi et al. Theorem 1's problem, C = 3, theory conventions."""
import numpy as np
import pytest

import regret
from scalar_reference import reddi_gradient, run_scalar

C = 3.0
BETA2 = 1.0 / (1.0 + C**2)
THEORY = dict(beta1=0.0, beta2=BETA2, lr=0.1, convention="theory")


def kernels():
    return {
        "adam": regret.optimizer("adam", **THEORY),
        "amsgrad": regret.optimizer("amsgrad", **THEORY),
        "sgd": regret.optimizer("sgd", lr=0.1, convention="theory"),
        "adabound": regret.optimizer("adabound", final_lr=0.1, **THEORY),
        "amsbound": regret.optimizer("amsbound", final_lr=0.1, **THEORY),
    }


@pytest.mark.parametrize("name", ["adam", "amsgrad", "sgd", "adabound", "amsbound"])
def test_matches_independent_scalar_loop(name):
    T = 3000
    res = regret.run(regret.problem("reddi-online", C=C), kernels()[name], T, x0=1.0)
    x_ref, r_ref = run_scalar(name, lambda t: reddi_gradient(t, C), T, beta2=BETA2)
    assert res.regret_final[0] == pytest.approx(r_ref, rel=1e-12)
    assert res.x_final[0, 0] == pytest.approx(x_ref, rel=1e-12, abs=1e-12)


def test_adam_stays_at_plus_one_and_average_regret_approaches_2c_minus_4_over_3():
    T = 60_000
    ckpts = np.array([3 * k for k in (10, 100, 1000, 10_000, 20_000)])
    res = regret.run(regret.problem("reddi-online", C=C), kernels()["adam"], T, checkpoints=ckpts)
    at_period_end = res.x[np.isin(res.t, ckpts), 0, 0]
    assert np.all(at_period_end == 1.0), "Adam must be back at +1 after every period"
    predicted = (2 * C - 4) / 3
    avg = res.average_regret[:, 0]
    assert abs(avg[-1] - predicted) < 2e-3
    late = avg[res.t >= 1000]
    assert np.all(late >= predicted - 1e-9), "the per-period regret is at least 2C − 4"


@pytest.mark.parametrize("name", ["amsgrad", "sgd", "adabound", "amsbound"])
def test_convergent_methods_reach_minus_one_with_vanishing_average_regret(name):
    T = 60_000
    res = regret.run(regret.problem("reddi-online", C=C), kernels()[name], T)
    assert res.x_final[0, 0] < -0.99
    avg = res.average_regret[:, 0]
    assert avg[-1] < 0.06
    # R_t/t keeps falling: the last decade is below the one before it.
    assert avg[-1] < 0.5 * avg[np.searchsorted(res.t, T // 10)]
