"""Reddi, Kale & Kumar (ICLR 2018), Theorem 1, by hand: theory from `proofs`, numbers from `regret`.

    python examples/theorem1.py            # T = 100 000, writes theorem1-example.png

The construction: f_t(x) = C·x at t mod 3 = 1, −x otherwise on [−1, 1]; Adam with β1 = 0,
β2 = 1/(1+C²), α_t = α/√t.  proofs predicts R_T/T → (2C − 4)/3; AMSGrad's R_T/T → 0.
(`regret reproduce theorem1` runs the full study with its checks and report.)
"""
import regret
from proofs import theorem1
from proofs.verdicts import explain

C, lr, T = 3, 0.1, 100_000
pred = theorem1.predict(C, lr=lr)
print("hypotheses:", explain(pred.conditions))
print(f"predicted: lim R_T/T = {pred.average_regret_limit} ≈ {float(pred.average_regret_limit):.6f}; "
      f"at T = {T}: {pred.average_regret(T):.6f}")

beta2 = float(pred.beta2)
problem = regret.problem("reddi-online", C=C)
kernels = [regret.optimizer(name, beta1=0.0, beta2=beta2, lr=lr, convention="theory") for name in ("adam", "amsgrad")]
results = regret.run(problem, kernels, T)
for res in results:
    print(f"{res.optimizer:8s} x_T = {res.x_final[0, 0]:+.5f}   R_T/T = {res.average_regret[-1, 0]:.6f}")

from regret import plotting  # noqa: E402

ax = plotting.average_regret(results, asymptote=(float(pred.average_regret_limit), "(2C − 4)/3 (proofs)"))
plotting.save(ax, "theorem1-example.png")
print("wrote theorem1-example.png")
