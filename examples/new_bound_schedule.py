"""Tutorial: test a new AdaBound bound schedule: define it in sympy, check it symbolically, run it against the paper's.

    python examples/new_bound_schedule.py

The new band closes like 1/t² instead of 1/t:  η_l(t) = α*·(1 − 1/(4t²+1)),  η_u(t) = α*·(1 + 1/(4t²)).
proofs.schedule_check decides Theorem 4's stated assumptions, the hidden requirement of its
proof (η_l(t−1)/η_u(t) ≥ √(1−1/t), which the paper's band violates for every γ < 4) and
Savarese's M; proofs.callables turns the expressions into the callables AdaBound takes.  Both
schedules then run on Reddi's period-3 problem and on the stochastic one (a batch of seeds),
each beside its corrected bound evaluated on the run.  The trade-off shows: the new band
satisfies the original proof and has a small M, but it is SGD after a handful of steps.
"""
import numpy as np

import regret
from proofs import callables, schedule_check
from regret.studies import run_bounds

alpha_star = "0.1"
new = ("alpha*(1 - 1/(4*t**2 + 1))", "alpha*(1 + 1/(4*t**2))")
paper = schedule_check.PAPER
params = {"alpha": alpha_star, "gamma": "0.01"}

reports = {}
for name, (lo, up) in {"new": new, "paper": paper}.items():
    rep = schedule_check.decide(lo, up, params if name == "paper" else {"alpha": alpha_star})
    reports[name] = rep
    print(f"--- {name} schedule\n{rep.text()}\n")

kernels = []
for name, rep in reports.items():
    lower = callables.of_t(rep.lower, name=f"{name}_lower")
    upper = callables.of_t(rep.upper, name=f"{name}_upper")
    kernels.append((name, lower, upper, regret.optimizer("adabound", beta1=0.0, beta2=0.99, lr=0.1,
                                                          lower=lower, upper=upper, convention="theory")))

T = 50_000
for problem in (regret.problem("reddi-online", C=3), regret.problem("reddi-stochastic", C=3, delta=0.5,
                                                                     seed=np.arange(4))):
    print(f"on {problem.name}:")
    for (name, lower, upper, k), res in zip(kernels, regret.run(problem, [k for *_, k in kernels], T)):
        M = float(reports[name].best_M)
        line = (f"  {name:6s} R_T/T = {np.mean(res.average_regret[-1]):.5f}   "
                f"R_T/√T = {np.mean(res.regret[-1]) / np.sqrt(T):.3f}   ")
        if np.isfinite(M):
            corrected = run_bounds.savarese(res, problem, M=M, lower=lower, upper=upper)
            line += f"within the corrected bound (M = {M:.4g}) at every checkpoint: {bool(np.all(res.regret <= corrected))}"
        else:
            line += "no finite M: the corrected bound does not apply"
        print(line)
