"""Tutorial: a figure from a batched sweep.

Adam's phase diagram over (β1, β2): one batched run, the curve β1 = √β2 from proofs.

    python examples/phase.py            # writes phase-example.png

The whole grid is ONE kernel: β1 and β2 are equal-length 1-d arrays (B = 30·30 configurations).
"""
import numpy as np

import regret
from proofs import conditions
from regret import figures, plotting

b1_axis, b2_axis = np.linspace(0, 0.95, 30), np.linspace(0.01, 0.99, 30)
B1, B2 = np.meshgrid(b1_axis, b2_axis, indexing="ij")
adam = regret.optimizer("adam", beta1=B1.ravel(), beta2=B2.ravel(), lr=0.5, convention="theory")
res = regret.run(regret.problem("reddi-online", C=3), adam, 20_000)
avg = res.average_regret[-1].reshape(B1.shape)
print(f"{adam.batch} configurations in {res.seconds:.1f} s; failing (R_T/T > 1/3): {(avg > 1 / 3).sum()}")
fig = figures.phase_diagram(b1_axis, b2_axis, avg, curve=conditions.region_curve(),
                            title="Adam on the period-3 problem, T = 20 000")
plotting.save(fig, "phase-example.png")
print("wrote phase-example.png")
