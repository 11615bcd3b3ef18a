"""The numpy reference engine: one vectorised numpy step per t over the whole batch."""
from __future__ import annotations

import numpy as np

from ..kernels.base import Kernel
from ..problems.base import GeneralProblem
from .tracker import Tracker, commit, kahan


def advance_numpy(tr: Tracker, kernel: Kernel, ts: np.ndarray, coeffs: list, params: tuple,
                  grads: np.ndarray, feasible) -> None:
    """The reference engine: one numpy step per t in ``ts`` for a linear problem.

    A configuration whose new iterate, η or state is not finite is frozen at its last finite
    values (it stops accumulating loss) and its fault recorded; the rest go on untouched.
    """
    x, s, alive = tr.x, tr.s, tr.alive
    eta = tr.eta
    B, d = x.shape
    all_alive = bool(alive.all())
    for k in range(len(ts)):
        g = grads[k]
        kahan(tr.G, tr.G_c, g)
        f = np.sum(g * x, axis=-1)
        if all_alive:
            kahan(tr.loss, tr.loss_c, f)
            if tr.x_sum is not None:
                kahan(tr.x_sum, tr.x_sum_c, x)
        else:
            kahan(tr.loss, tr.loss_c, f, alive)
            if tr.x_sum is not None:
                kahan(tr.x_sum, tr.x_sum_c, x, alive[:, None])
        quantities = kernel.rule(x, g, *s, *(c[k] for c in coeffs), *params)
        x, eta, s, all_alive = commit(tr, x, eta, s, quantities, feasible, ts[k], all_alive)
    tr.x, tr.s, tr.eta = x, s, eta
    tr.t = int(ts[-1])


def run_general(tr: Tracker, kernel: Kernel, problem: GeneralProblem, ts, coeffs, params) -> None:
    """Per-step engine for problems whose gradient depends on x (numpy only), with the same
    freeze-and-report of numerical faults as ``advance_numpy``."""
    x, s, eta = tr.x, tr.s, tr.eta
    all_alive = bool(tr.alive.all())
    for k in range(len(ts)):
        t = int(ts[k])
        g = problem.grad(x, t)
        kahan(tr.loss, tr.loss_c, problem.loss(x, t), None if all_alive else tr.alive)
        quantities = kernel.rule(x, g, *s, *(c[k] for c in coeffs), *params)
        x, eta, s, all_alive = commit(tr, x, eta, s, quantities, problem.feasible, t, all_alive)
    tr.x, tr.s, tr.eta, tr.t = x, s, eta, int(ts[-1])
