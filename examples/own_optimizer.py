"""Your own optimizer in ~15 lines: sign-SGD, x_{t+1} = Π_F(x_t − (α/√t)·sign(g_t)).

The contract (docs/EXTENDING.md): an elementwise ``rule(x, g, *state, *coeffs, *params) ->
(x̂, η, *state')`` marked jitable (numba compiles it into the fused loop; numpy runs the same
source), the time-only coefficients as a function of a chunk of steps t, and a ``regret.Kernel``
that binds them.  Registered, it works like a built-in: ``regret.optimizer("signsgd", lr=...)``,
sweeps over lr, and — with ``regret --plugin examples/own_optimizer.py`` — the CLI.

    python examples/own_optimizer.py
"""
import numpy as np
from numba.extending import register_jitable

import regret


@register_jitable
def signsgd_rule(x, g, lr_t):
    return x - lr_t * np.sign(g), lr_t


def signsgd(lr=0.1) -> regret.Kernel:
    """sign-SGD (Bernstein et al. 2018) with α_t = lr/√t (theory convention)."""
    lr_a = np.atleast_1d(np.asarray(lr, dtype=np.float64))
    if lr_a.ndim != 1 or not np.all(lr_a > 0):
        raise ValueError(f"lr={lr!r} must be > 0 (a number or a 1-d array of configurations)")
    return regret.Kernel(name="signsgd", rule=signsgd_rule, state_names=(), coeff_names=("lr_t",),
                         coeff_fn=lambda t: (lr_a[None, :] / np.sqrt(t.astype(np.float64))[:, None],),
                         param_names=(), params=(), hparams={"lr": lr_a}, convention="theory",
                         batch=len(lr_a), doc=signsgd.__doc__)


regret.register_optimizer("signsgd", signsgd)

if __name__ == "__main__":
    C = 3
    problem = regret.problem("reddi-online", C=C)
    [res] = regret.run(problem, [regret.optimizer("signsgd", lr=[0.1, 0.5])], T=30_000)
    [ref] = regret.run(problem, [regret.optimizer("signsgd", lr=[0.1, 0.5])], T=30_000, engine="numpy")
    print(f"signsgd on reddi-online (C = {C}), engine {res.engine}: x_T = {res.x_final[:, 0]}, "
          f"R_T/T = {res.regret_final / res.T}")
    # the same rule through the per-step numpy engine gives the same numbers
    print("numpy engine agrees:", bool(np.allclose(ref.regret_final, res.regret_final, rtol=1e-9)))
    # sign-SGD drops the gradients' sizes: per period it sees +1 once and −1 twice, so it drifts to
    # x = +1 like Adam, and its average regret tends to Adam's (2C − 4)/3
    print(f"(2C − 4)/3 = {(2 * C - 4) / 3:.4f}: sign-SGD fails on Reddi's problem as Adam does")
