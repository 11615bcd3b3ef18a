"""Tutorial: sympy expressions as an optimizer's inputs (AdaBound's lower=/upper=).

Savarese (2019): bound functions meeting Theorem 4's assumptions for which AdaBound is Adam.

    python examples/savarese.py

η_l = α/C, η_u = α/√(1−β2) for t ≤ K, α/C after (sympy Piecewise in proofs.savarese, turned into
callables for the kernel).  For t ≤ K AdaBound's iterates equal Adam's, and its regret at K
exceeds the Theorem 4 bound evaluated on the run.
"""
import numpy as np

import regret
from proofs import savarese
from regret.studies import run_bounds

C, delta, beta2, lr, K = 3.0, 0.5, 0.1, 0.1, 20_000
lower, upper = savarese.bound_functions(lr, C, beta2, K)
print("η_l(t), η_u(t) =", *savarese.bound_expressions())
problem = regret.problem("reddi-stochastic", C=C, delta=delta, seed=np.arange(4))
ada, adam = regret.run(problem, [
    regret.optimizer("adabound", beta1=0.0, beta2=beta2, lr=lr, lower=lower, upper=upper, convention="theory"),
    regret.optimizer("adam", beta1=0.0, beta2=beta2, lr=lr, convention="theory")], K)
print("max |x_AdaBound − x_Adam| up to K:", np.max(np.abs(ada.x - adam.x)))
print("R_K per seed:          ", np.round(ada.regret[-1], 1))
print("Theorem 4 bound at K:  ", np.round(run_bounds.adabound_theorem4(ada, problem, lower=lower, upper=upper)[-1], 1))
M = float(savarese.corrected_M(lr, C, beta2, K))
print("corrected bound at K:  ", np.round(run_bounds.savarese(ada, problem, M=M, lower=lower, upper=upper)[-1], 1))
