"""Tutorial: one batched run over a grid — the kernel's β2 and the problem's C as arrays.

Luo et al. (ICLR 2019), §3, the −1/2 example: the exact drift condition against one batched run.

    python examples/minus_one_two.py

proofs.minus_one_two derives the periodic steady state: Adam (β1 = 0) drifts away from x* = −1
iff β2^(C−2) < 1/16.  The grid (β2, C) runs as ONE batch: the kernel's β2 and the problem's C are
arrays of the same length B.
"""
import numpy as np

import regret
from proofs import minus_one_two

b2, C = (a.ravel() for a in np.meshgrid(np.linspace(0.05, 0.95, 19), np.arange(3, 21)))
problem = regret.problem("minus-one-two", C=C, lo=-1e3, hi=1e3)     # wide box: the projection never acts
adam = regret.optimizer("adam", beta1=0.0, beta2=b2, lr=0.5, convention="theory")
res = regret.run(problem, adam, 20_011, x0=0.0, checkpoints=[10_009])   # t − 1 prime: no period is mid-way
moved_up = res.x[-1, :, 0] > res.x[0, :, 0]
predicted = np.array([bool(minus_one_two.drift_condition(float(b), int(c))) for b, c in zip(b2, C)])
print(f"{len(b2)} cells, {predicted.sum()} predicted wrong-way, {int((predicted == moved_up).sum())} agree")
print("paper's sufficient condition holds in",
      sum(bool(minus_one_two.paper_condition(float(b), int(c))) for b, c in zip(b2, C)), "cells")
