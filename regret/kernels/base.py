"""The kernel contract: one elementwise rule, time-only coefficients, per-config parameters.

A kernel is the optax pair ``init(x0) -> state`` / ``update(state, g, t) -> state`` over a
NamedTuple state whose first field is the iterate x; the step index t is an explicit argument
and nothing is counted inside.  Underneath, every kernel is *data* in the same shape:

    rule(x, g, *state, *coeffs, *params) -> (x̂, η, *state')

* ``rule`` is elementwise: it uses only arithmetic and numpy ufuncs (sqrt, maximum, minimum),
  so the same source runs on (B, d) arrays (the numpy reference engine) and on scalars inside a
  compiled loop (the fused engine).  It is decorated with ``numba.extending.register_jitable``,
  which leaves it a plain Python function while letting compiled code call it.
* ``coeffs`` are the time-only quantities of step t (α_t, β1t, bias corrections, η_l(t),
  η_u(t), …): ``coeff_fn(t)`` evaluates them for a whole chunk of steps t (shape (n,)) at once,
  each as an (n, B_k) or (n, 1) array.
* ``params`` are per-configuration constants (β2, ε, …), each a (B_k,) array.
* η is the effective per-coordinate learning rate of the step (x̂ = x − η ⊙ direction; it may
  come back with a broadcastable shape, e.g. SGD's α_t of shape (B_k, 1)): it is
  what AdaBound clips, what users plot, and its reciprocal is the weight of the projection
  Π_{F, diag(1/η)} (Reddi et al. 2018, Alg. 1; Luo et al. 2019, Alg. 1).

Per-chunk cost: an (n, B_k) coefficient (time-varying *and* per configuration) is built by numpy
every chunk and streamed from memory every step, which is most of a step's time in a sweep; so
kernels keep coefficients (n, 1) or broadcast views.  A swept lr is a parameter and the coefficient
is the schedule's multiplier (``schedules.multiplier``; the rule forms lr·s_t, the same rounding as
numpy's lr·s); per-configuration running quantities of t (bias corrections 1 − β^t) are state the
rule updates (``correction_step``, ``power_step``).

B_k is the number of hyperparameter configurations: every hyperparameter may be a 1-d array and
they are broadcast together, so a sweep is one kernel, not a loop over kernels.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, NamedTuple

import numpy as np
from numba.extending import register_jitable

from .. import validate

jitable = register_jitable

CONVENTIONS = {
    # Reddi et al. (2018) / Luo et al. (2019) analysis: α_t = α/√t, no bias correction, no ε.
    "theory": {"schedule": "inv_sqrt", "bias_correction": False, "eps": 0.0},
    # Kingma & Ba (2015), torch.optim: constant α, bias corrections, ε after the square root.
    "practical": {"schedule": "constant", "bias_correction": True, "eps": 1e-8},
}


def resolve_convention(convention: str, **given) -> dict:
    """Defaults of ``convention`` overridden by every option not given as None."""
    base = dict(CONVENTIONS[validate.choice("convention", convention, CONVENTIONS)])
    base.update({k: v for k, v in given.items() if v is not None})
    if not isinstance(base.get("bias_correction"), (bool, np.bool_)):
        raise TypeError(f"bias_correction={base['bias_correction']!r} must be true or false")
    return base


@jitable
def nonzero(d):
    """d where d ≠ 0, else 1: makes 0/0 (nothing seen yet, no step) evaluate to 0, not NaN."""
    return d + (d == 0.0)


@jitable
def ema(avg, new, beta):
    """Exponential moving average β·avg + (1 − β)·new."""
    return beta * avg + (1.0 - beta) * new


@jitable
def clip(a, lo, hi):
    return np.minimum(np.maximum(a, lo), hi)


_STATE_TYPES: dict[tuple, type] = {}


def state_type(kernel_name: str, fields: tuple[str, ...]) -> type:
    """The NamedTuple class of a kernel's state: (x, *fields)."""
    key = (kernel_name, fields)
    if key not in _STATE_TYPES:
        cls_name = "".join(p.capitalize() for p in kernel_name.replace("-", "_").split("_")) + "State"
        _STATE_TYPES[key] = NamedTuple(cls_name, [("x", np.ndarray)] + [(f, np.ndarray) for f in fields])
    return _STATE_TYPES[key]


def zeros_like_state(n: int) -> Callable[[np.ndarray], tuple]:
    return lambda x0: tuple(np.zeros_like(x0) for _ in range(n))


#: below this a running power is set to 0: 1 − p is then 1 exactly either way (p < 2^−54 is lost
#: against 1, and RAdam's 2t·p/(1 − p) against ρ∞ for any t < 2^140), but the product never goes
#: subnormal, where each multiply takes a microcode assist (~100 cycles, for every lane of a
#: vector): without it a β2 = 0.999 run spent its steps t ≈ 7·10^5 … 7.5·10^5 that way, and a
#: swept grid had some lane in that range most of the time
POWER_FLOOR = 2.0 ** -200


@jitable
def power_step(p, beta):
    """The running power β^t from β^(t−1), flushed to 0 below ``POWER_FLOOR`` (see there)."""
    q = p * beta
    return q * (q >= POWER_FLOOR)


def with_powers(n: int, n_powers: int, corrected: bool) -> Callable[[np.ndarray], tuple]:
    """Initial state of n moments (zeros) followed by n_powers running powers β^t.

    Bias corrections 1 − β^t are computed inside the rule from a running product kept in the
    state, p_t = p_{t−1}·β (p_0 = 1; ``power_step``), not from β^t evaluated per chunk: a power is then one
    multiply per step in the compiled loop instead of an (n, B) array built by numpy per chunk
    (what made the practical convention 10–30× slower than the theory one), and still a function
    of t alone, whatever the chunking (the product is sequential in t, like the running sums).
    ``corrected=False`` starts the powers at 0, so 1 − p = 1 exactly and the same rule computes
    the uncorrected step bit for bit.  The product differs from a correctly rounded β^t by at
    most ~t/2 ulp relative, which for any t where β^t is not negligible against 1 is far below
    the 1e-10 agreement with torch.optim (tests/test_kernels_reference.py).
    """
    start = 1.0 if corrected else 0.0
    return lambda x0: tuple(np.zeros_like(x0) for _ in range(n)) + tuple(
        np.full_like(x0, start) for _ in range(n_powers))


@jitable
def correction_step(c, beta):
    """The bias-correction factor 1 − β^t from 1 − β^(t−1): c ← 1 − β·(1 − c) (c_0 = 0).

    What the Adam and AdaBound families keep in their state instead of the power β^t
    (``with_corrections``): the rule uses 1 − β^t, so keeping it saves the subtraction, and the
    recurrence needs no flush to zero: 1 − c is 0 or at least 2^−54 (1 − c is exact for c ≥ ½),
    so β·(1 − c) never goes subnormal for any β ≥ 2^−968 — no compare and no select per step,
    which made the powers' ``power_step`` cost about a quarter of the practical Adam step in the
    vectorised loop.  c = 1 stays 1 exactly (1 − β·0 = 1): the uncorrected step.  Accuracy: each
    step rounds by ≤ 1.5 ulp(1) absolute and the error decays by β, so c_t is within
    1.5·2^−53/(1 − β) of 1 − β^t (2·10^−13 for β = 0.999, relative to c_t ≥ 1 − β: the same
    order as 1 − p_t from a running product p_t, whose subtraction cancels).
    """
    return 1.0 - beta * (1.0 - c)


def with_corrections(n: int, n_corr: int, corrected: bool) -> Callable[[np.ndarray], tuple]:
    """Initial state of n moments (zeros) followed by n_corr bias-correction factors 1 − β^t
    (``correction_step``): 0 at t = 0 with correction, else 1 (kept 1 exactly, the uncorrected
    step bit for bit)."""
    start = 0.0 if corrected else 1.0
    return lambda x0: tuple(np.zeros_like(x0) for _ in range(n)) + tuple(
        np.full_like(x0, start) for _ in range(n_corr))


@dataclass(frozen=True, eq=False)
class Kernel:
    """An optimizer with all hyperparameters bound; see the module docstring for the contract."""

    name: str
    rule: Callable
    state_names: tuple[str, ...]
    coeff_names: tuple[str, ...]
    coeff_fn: Callable[[np.ndarray], tuple]
    param_names: tuple[str, ...]
    params: tuple[np.ndarray, ...]
    hparams: dict[str, Any]
    convention: str
    batch: int = 1
    init_state: Callable[[np.ndarray], tuple] | None = None
    doc: str = field(default="", repr=False)
    #: (registry name, keyword arguments) this kernel was built from by ``regret.optimizer``;
    #: what ``take`` rebuilds a slice of the batch from (None: built directly)
    recipe: tuple[str, dict] | None = field(default=None, repr=False)

    @property
    def State(self) -> type:
        return state_type(self.name, self.state_names)

    def init(self, x0) -> tuple:
        """State at t = 1: the iterate x0 (shape (B, d)) and the kernel's initial moments."""
        x0 = np.array(x0, dtype=np.float64, ndmin=2)
        make = self.init_state or zeros_like_state(len(self.state_names))
        return self.State(x0, *make(x0))

    def coeffs(self, t: np.ndarray) -> tuple[np.ndarray, ...]:
        """Time-only coefficients for the steps ``t`` (shape (n,)): each (n, B_k) or (n, 1)."""
        return self.coeff_fn(np.asarray(t, dtype=np.int64))

    def time_widths(self, t: int) -> list[int]:
        """Per coefficient, its number of columns if it varies in time, else 0.

        A coefficient constant in time comes back from ``coeffs`` as a broadcast view (time
        stride 0, see ``rows``).  Probed with the step t twice: a length-1 time axis would not
        tell, and t + 1 may lie past the run.
        """
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            coeffs = self.coeffs(np.array([t, t], dtype=np.int64))
        widths = []
        for c in coeffs:
            c = np.asarray(c)
            widths.append(0 if c.strides[0] == 0 else (c.shape[1] if c.ndim > 1 else 1))
        return widths

    def column_params(self) -> tuple[np.ndarray, ...]:
        """Parameters shaped (B_k, 1), ready to broadcast against (B, d) arrays."""
        return tuple(p[:, None] for p in self.params)

    def step(self, state: tuple, g: np.ndarray, t: int, feasible=None) -> tuple[tuple, np.ndarray]:
        """One step at index t: returns (new state, η).  Projects onto ``feasible`` if given."""
        coeffs = tuple(c[0][:, None] for c in self.coeffs(np.array([t])))
        x, *s = state
        x_hat, eta, *s = self.rule(x, np.asarray(g, dtype=np.float64), *s, *coeffs, *self.column_params())
        if feasible is not None:
            with np.errstate(divide="ignore"):  # η = 0 (no step) is weight +inf: the set handles it
                x_hat = feasible.project(x_hat, 1.0 / eta)
        return self.State(x_hat, *s), eta

    def update(self, state: tuple, g: np.ndarray, t: int, feasible=None) -> tuple:
        """optax-style ``update``: the new state after the gradient g at step t."""
        return self.step(state, g, t, feasible)[0]

    def config(self, b: int) -> dict[str, Any]:
        """Hyperparameters of configuration b as plain Python values (provenance)."""
        out = {}
        for k, v in self.hparams.items():
            if isinstance(v, np.ndarray):
                out[k] = float(v[b] if v.shape[0] > 1 else v[0])
            else:
                out[k] = v
        return out

    def take(self, indices) -> "Kernel":
        """The kernel of configurations ``indices`` (1-d integers in [0, B_k)) of this batch.

        Rule: every keyword the kernel was built with (``recipe``, recorded by
        ``regret.optimizer``) that is a 1-d sweep of length B_k is replaced by its entries at
        ``indices``; scalars and length-1 values stay; the kernel is built anew from those.
        Coefficients are closures over the whole batch, so slicing them would evaluate (n, B_k)
        arrays per chunk for a shard of B_k/S configurations; rebuilding evaluates only the
        shard's.  Every coefficient and parameter is computed per configuration
        (``schedules.column_powers`` is bit for bit each configuration's own power), so a
        configuration's numbers are the same in the slice as in the whole batch.  A kernel of
        one configuration broadcasts and comes back as itself.  Sharded sweeps
        (``regret.shards``) run on these slices.
        """
        idx = validate.take_indices(indices, self.batch)
        if self.batch == 1:
            return self
        if self.recipe is None:
            raise ValueError(f"kernel {self.name!r} was not built by regret.optimizer(...), so a slice of its "
                             f"{self.batch} configurations cannot be rebuilt; build it with regret.optimizer")
        name, kwargs = self.recipe
        from . import optimizer

        part = optimizer(name, **validate.slice_kwargs(kwargs, self.batch, idx))
        for k, v in self.hparams.items():  # the rebuilt kernel must be the slice, entry for entry
            if isinstance(v, np.ndarray) and len(v) == self.batch:
                got = part.hparams.get(k)
                if not (isinstance(got, np.ndarray) and np.array_equal(np.broadcast_to(got, idx.shape), v[idx])):
                    raise ValueError(f"kernel {self.name!r}: rebuilding configurations {idx[:3].tolist()}... "
                                     f"did not give their {k}; it cannot be sliced")
        return part

    def __repr__(self) -> str:
        from ..reprs import kernel_text

        return kernel_text(self)

    def _repr_html_(self) -> str:
        from ..reprs import kernel_html

        return kernel_html(self)


def hyper(name: str, value, lo=None, hi=None, **kw) -> np.ndarray:
    """A hyperparameter as a range-checked 1-d float array (length 1 or B_k)."""
    arr = validate.in_range(name, value, lo, hi, **kw)
    if arr.ndim > 1:
        raise ValueError(f"{name} must be a scalar or a 1-d array of configurations, got shape {arr.shape}")
    return np.atleast_1d(arr).astype(np.float64)


def batch_of(**arrays: np.ndarray) -> int:
    return validate.batch_size({k: len(v) for k, v in arrays.items()})


def swept(**optional: np.ndarray | None) -> dict:
    """The optional hyperparameters that were given, for ``batch_of`` (a None takes no part)."""
    return {k: v for k, v in optional.items() if v is not None}


def coupled_decay(weight_decay: np.ndarray, decoupled: bool = False) -> bool:
    """Whether the rule must add λ·x to the gradient (coupled decay with some λ ≠ 0).

    Kernels with a coupled ``weight_decay`` have two rules, one with g' = g + λ·x and one without
    (the ``*_nodecay``/``*_uncoupled`` rules), and take the first only when this is true.  With
    g' = g + λ·x the moments, the square root and the division of every step depend on x_t, so a
    one-configuration loop waits on their latency each step (~3× slower at B = 1 than with the
    moments independent of x), even for λ = 0, which the compiler cannot fold (0·x is not 0 for
    x = ±inf).  With λ = 0 the two rules give the same numbers (g + 0·x = g for finite x up to
    the sign of a zero g, which no later operation sees)."""
    return not decoupled and bool(np.any(np.asarray(weight_decay) != 0))


def rows(a: np.ndarray, n: int) -> np.ndarray:
    """A (B_k,) parameter as an (n, B_k) time-constant coefficient (a broadcast view, no copy)."""
    return np.broadcast_to(a[None, :], (n, a.shape[0]))
