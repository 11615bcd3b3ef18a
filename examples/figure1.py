"""Reddi et al. (2018), Figure 1: Adam and AMSGrad at β1 = 0.9, β2 = 0.99 on 1010x / −10x.

    python examples/figure1.py

Online: 1010x at t mod 101 = 1, else −10x; stochastic: 1010x with probability 0.01, else −10x;
both on [−1, 1] with x* = −1.  proofs.figure1 predicts Adam's failure from the sign of the
periodic steady-state drift (online, limit R_T/T → 20/101) and from the sampled stationary drift
(stochastic); α_t = 1/√t is our choice (the paper's text we could read gives no step size).
"""
import numpy as np

import regret
from proofs import figure1

pred = figure1.predict()
print("online drift S:", pred.online_drift[0], "->", pred.online_fails.status, "; limit of R_T/T:", pred.online_limit)
print("stochastic drift E[m/sqrt(v)]:", round(pred.stochastic_drift.mean, 4), "->", pred.stochastic_fails.status)
kernels = [regret.optimizer(n, beta1=0.9, beta2=0.99, lr=1.0, convention="theory") for n in ("adam", "amsgrad")]
T = 1_000_000
for name, problem in (("online", regret.problem("reddi-online", C=1010, P=101, b=10)),
                      ("stochastic", regret.problem("reddi-stochastic", C=1010, p=0.01, b=10, seed=np.arange(4)))):
    for res in regret.run(problem, kernels, T):
        print(f"{name:10s} {res.optimizer:8s} x_T = {np.round(res.x_final[:, 0], 3)}  "
              f"R_T/T = {np.round(res.average_regret[-1], 4)}")
