"""Tutorial: a schedule decided clause by clause, and a bound evaluated on a run.

Luo et al. (ICLR 2019), Theorem 4, held against a run: AdaBound's regret beside both bounds.

    python examples/theorem4.py

proofs.schedule_check decides the paper's band clause by clause (the hidden requirement fails,
Savarese's M = (1 + 2/γ)/α*); regret.studies.run_bounds evaluates Theorem 4 as stated and
Savarese's corrected bound at every checkpoint of the run (D∞, G∞ as the problem states them).
"""
import regret
from proofs import bounds, schedule_check
from regret.studies import run_bounds

lr, beta2, gamma, T = 0.1, 0.99, 0.01, 100_000          # γ = 1 − β2, the paper's example
report = schedule_check.decide(schedule_check.PAPER[0], schedule_check.PAPER[1], {"alpha": str(lr), "gamma": str(gamma)})
print(report.text())
bound = bounds.savarese_corrected("zero")          # β1 = 0: a sympy expression of T, and its order
print(f"\nSavarese's bound R_T <= {bound.expr}\n  order {bound.order} (O(√T): {bound.is_sqrt_T})\n")

problem = regret.problem("reddi-online", C=3)
res = regret.run(problem,
                 regret.optimizer("adabound", beta1=0.0, beta2=beta2, lr=lr, final_lr=lr, gamma=gamma,
                                  convention="theory"), T, checkpoints=12)
stated = run_bounds.adabound_theorem4(res, problem)[:, 0]
corrected = run_bounds.savarese(res, problem, M=float(report.best_M))[:, 0]
print(f"{'t':>8} {'R_t':>10} {'R_t/√t':>8} {'Thm 4':>10} {'corrected':>11}")
for t, r, a, b in zip(res.t, res.regret[:, 0], stated, corrected):
    print(f"{t:8d} {r:10.3f} {r / t ** 0.5:8.3f} {a:10.1f} {b:11.1f}")
print(run_bounds.compare(res, run_bounds.savarese(res, problem, M=float(report.best_M)), "Savarese's bound").criterion)
