"""Tutorial: a prediction from proofs, then a parametrised study over it.

    python examples/theorem2.py [BETA1 BETA2]      # default 0.5 0.9

Reddi et al. (ICLR 2018), Theorem 2: for any β1 < √β2 some period C makes Adam fail.
`proofs.theorem2.find_C` decides the smallest such C (the steady-state drift S(C) < 0, with interval
arithmetic); `regret.studies.theorem2.sweep` runs Adam on every C in one batched run and sets the
measured R_T/T beside the predicted limit (2/C where S(C) < 0, else 0).
"""
import sys

import numpy as np

from proofs import conditions, theorem2
from regret.studies import theorem2 as study_theorem2

beta1, beta2 = (float(a) for a in sys.argv[1:3]) if len(sys.argv) >= 3 else (0.5, 0.9)
print(conditions.beta_condition(beta1, beta2).line())
C_star = theorem2.find_C(beta1, beta2).C
print(f"smallest failing period: C* = {C_star}")

study = study_theorem2.sweep(beta1, beta2, np.arange(2, 3 * C_star + 1), lr=0.5, T=30_000)
n = study.numbers
print(f"{study.claims[0].claim}: {study.verdict}")
print("   C   S(C) < 0   predicted R_T/T   measured")
for C, fails, p, m in zip(n["C"], n["fails_to_converge"], n["predicted"], n["measured"]):
    print(f"{C:4d}   {str(bool(fails)):8s}   {p:15.4f}   {m:.4f}")
