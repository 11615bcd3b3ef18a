"""Reddi et al. (ICLR 2018), Theorem 2: for any β1 < √β2, proofs finds a period C on which Adam fails.

    python examples/theorem2.py [BETA1 BETA2]      # default 0.5 0.9

proofs.theorem2.find_C returns the smallest C whose steady-state drift S(C) is negative (decided
with interval arithmetic); one batched run over C = 2…3C* shows the failure switching on there.
"""
import sys

import numpy as np

import regret
from proofs import conditions, theorem2

beta1, beta2 = (float(a) for a in sys.argv[1:3]) if len(sys.argv) >= 3 else (0.5, 0.9)
lr, T = 0.5, 50_000
print(conditions.beta_condition(beta1, beta2).line())
C_star = theorem2.find_C(beta1, beta2, lr=lr).C
print(f"smallest failing period: C* = {C_star}")

Cs = np.arange(2, 3 * C_star + 1)
problem = regret.problem("reddi-online", C=Cs.astype(float), P=Cs, b=1.0)     # one instance per C
res = regret.run(problem, regret.optimizer("adam", beta1=beta1, beta2=beta2, lr=lr, convention="theory"), T)
print("   C   S(C) < 0   (R_T/T)/(2/C)")
for C, ratio in zip(Cs, res.average_regret[-1] * Cs / 2):
    print(f"{C:4d}   {str(theorem2.predict(int(C), beta1, beta2, lr).fails_to_converge):8s}   {ratio:.3f}")
