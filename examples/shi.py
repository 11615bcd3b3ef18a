"""Shi et al. (ICLR 2021): RMSProp over (β2, C) on Reddi's period-C problem, one batched run.

    python examples/shi.py

A small corner of their grid (β2 = 1 − 10^(−i/10), i = 1…30; C = 2…16), α_t = 1/√t, x_1 = +1,
T = 10^5, against the sign of the periodic steady-state drift S(C, β2) from proofs.shi
(S > 0: x drifts to x* = −1).  ``regret reproduce shi`` runs their whole grid with their start,
horizon and criterion.
"""
import numpy as np

import regret
from proofs import shi

i_axis, C_axis = np.arange(1, 31), np.arange(2, 17)
I, C = np.meshgrid(i_axis, C_axis)
b2 = shi.beta2_of(I.ravel())
problem = regret.problem("reddi-online", C=C.ravel().astype(float), P=C.ravel(), b=1.0)
res = regret.run(problem, regret.optimizer("rmsprop", beta2=b2, lr=1.0, convention="theory"), 100_000)
converged = (res.x_final[:, 0] < -0.9).reshape(C.shape)
predicted = shi.sign_map(C_axis, shi.beta2_of(i_axis)) > 0
print(f"cells where x_T < −0.9 agrees with S > 0: {np.mean(converged == predicted):.1%} of {converged.size}")
print("derived boundary −log10(1 − β2*) for C = 3, 8, 16:", np.round(shi.boundary([3, 8, 16]), 3))
for row, c in zip(converged, C_axis):
    print(f"C = {c:2d}  " + "".join("o" if v else "+" for v in row))
