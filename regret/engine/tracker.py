"""What a run carries from one step to the next, and the numpy form of the step's bookkeeping:
the Kahan-compensated running sums and the commit of a step with fault freezing."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..kernels.base import Kernel
from .steps import kahan_add


@dataclass
class Tracker:
    """Everything a run carries from one step to the next, updated in place by an engine.

    x, s: the iterate x_t and the kernel state, each (B, d); eta: the last η, (B, d).
    loss: Σ f_s(x_s) (B,); G: Σ g_s per problem instance (B_p, d) (linear problems); x_sum:
    Σ x_s (B, d) when the problem has a mean gradient.  The three running sums are Kahan-
    compensated (``*_c`` holds each one's compensation; ``total_*`` folds it in): with T up to
    10^9 and |f_t| up to ~10^3 a plain sum can lose ~T·ulp(Σ) ≈ 10^2 in absolute terms, comparable
    with the O(√T) regret it is meant to resolve; compensated, the error is O(ε·Σ|f_t|) ≲ 10^-6.
    alive: configurations still running;
    fault_t / fault_what: for a frozen configuration, the step at which a quantity first became
    NaN/Inf and which one (see ``FAULT_NAMES``).  t: steps done.
    """

    x: np.ndarray
    s: list
    eta: np.ndarray
    loss: np.ndarray
    G: np.ndarray
    x_sum: np.ndarray | None
    alive: np.ndarray
    fault_t: np.ndarray
    fault_what: np.ndarray
    t: int = 0
    loss_c: np.ndarray | None = None
    G_c: np.ndarray | None = None
    x_sum_c: np.ndarray | None = None

    def __post_init__(self):
        if self.loss_c is None:
            self.loss_c = np.zeros_like(self.loss)
        if self.G_c is None:
            self.G_c = np.zeros_like(self.G)
        if self.x_sum is not None and self.x_sum_c is None:
            self.x_sum_c = np.zeros_like(self.x_sum)

    def total_loss(self) -> np.ndarray:
        """Σ f_s(x_s) with its Kahan compensation folded in."""
        return self.loss - self.loss_c

    def total_G(self) -> np.ndarray:
        return self.G - self.G_c

    def total_x_sum(self) -> np.ndarray | None:
        return None if self.x_sum is None else self.x_sum - self.x_sum_c


def fault_names(kernel: Kernel) -> tuple[str, ...]:
    """Index → name of the quantity a fault code refers to: x, eta, then the state fields."""
    return ("x", "eta") + tuple(kernel.state_names)


def kahan(total: np.ndarray, comp: np.ndarray, term, where=None) -> None:
    """total += term in place, Kahan-compensated (``steps.kahan_add``, the operation the fused
    loops call on scalars).  ``where``: only those entries change (frozen configurations keep
    their sums bit for bit)."""
    new, new_c = kahan_add(total, comp, term)
    if where is None:
        comp[...] = new_c
        total[...] = new
    else:
        comp[...] = np.where(where, new_c, comp)
        total[...] = np.where(where, new, total)


def commit(tr: Tracker, x, eta, s, quantities, feasible, t, all_alive: bool):
    """Project x̂ and take the new (x, η, state) of the live configurations; freeze those whose
    x̂, η or state is not finite, recording the step and the first such quantity in (x̂, η,
    *state) order.  Returns (x, η, s, all_alive)."""
    x_hat, eta_new, *s_new = quantities
    B, d = x.shape
    if not all(np.isfinite(q).all() for q in quantities):
        bad = np.zeros(B, dtype=bool)
        for code, q in enumerate(quantities):
            qbad = ~np.isfinite(np.broadcast_to(q, (B, d))).all(axis=-1)
            new = qbad & tr.alive & ~bad
            tr.fault_t[new] = t
            tr.fault_what[new] = code
            bad |= qbad
        tr.alive &= ~bad
        all_alive = False
    eta_new = np.broadcast_to(eta_new, (B, d))
    x_new = feasible.project(x_hat, 1.0 / eta_new)
    if all_alive:
        return x_new, eta_new, s_new, True
    keep = tr.alive[:, None]
    return (np.where(keep, x_new, x), np.where(keep, eta_new, eta),
            [np.where(keep, new, old) for new, old in zip(s_new, s)], False)
