"""Tutorial: a stochastic problem — independent seeds as one batch, the expected gap.

Reddi et al. (ICLR 2018), Theorem 3: Adam fails on a stochastic problem (expected gap ≥ δ).

    python examples/theorem3.py

f_t = C·x with probability p = (1+δ)/(C+1), else −x; proofs gives a closed-form sufficient
condition on C (β1 = 0) and the sampled stationary drift D = E[m/√v].  Eight independent sample
paths run as one batch (the problem's seed is an array).
"""
import numpy as np

import regret
from proofs import theorem3
from proofs.verdicts import explain

delta, beta2, lr, T = 1.0, 0.5, 0.5, 30_000
C = theorem3.sufficient_C(delta, beta2)
print(f"C = {C}:", explain(theorem3.conditions(0.0, beta2, C, delta)))
problem = regret.problem("reddi-stochastic", C=C, delta=delta, seed=np.arange(8))
for name in ("adam", "amsgrad"):
    res = regret.run(problem, regret.optimizer(name, beta1=0.0, beta2=beta2, lr=lr, convention="theory"), T)
    gap = res.expected_gap[-1]
    print(f"{name:8s} E f(x_T) − f(x*): mean {gap.mean():.4f}, min {gap.min():.4f}, max {gap.max():.4f} (δ = {delta})")
