"""Zhang et al. (NeurIPS 2022): Adam on their n-component counterexample (2.5), one batched run per n.

    python examples/zhang.py

At β1 = 0, β2 = 1 − 10^(−u) for u = 0.1…2.5, n = 10, 20, 50 components (a = 1/(n−1)², sampled
i.i.d. as in their Algorithm 1.1), α_t = 0.1/√t, x_1 = 0, v_0 = E g², T = 20000: where Adam is
driven away from x* = −2 (+) or reaches it (o), beside the threshold where the stationary drift
E[m/√v] of proofs.theorem3 changes sign.  ``regret reproduce zhang`` runs the (β1, β2) maps and the
bisected β2*(n).
"""
import numpy as np

from regret.studies import zhang

u = np.round(np.arange(0.1, 2.51, 0.1), 2)
for n in (10, 20, 50):
    x, _ = zhang.final_iterates(n, 0.0, 1 - 10.0 ** -u, np.arange(u.size), 20_000)
    print(f"n = {n:2d}  " + "".join("+" if v > zhang.X1 else "o" for v in x)
          + f"   drift changes sign at u = {zhang.predicted_threshold(n):.2f}")
print(f"columns: u = −log10(1 − β2) = {u[0]}, {u[1]}, …, {u[-1]}")
