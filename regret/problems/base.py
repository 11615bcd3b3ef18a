"""The problem contract shared by every family.

A problem is a sequence of convex losses f_1, f_2, … on a feasible set F, batched over B_p
instances (e.g. a sweep over C).  Two kinds exist:

* ``LinearProblem``: f_t(x) = <g_t, x> with g_t independent of x (every counterexample of
  Reddi et al. and Luo et al. is of this kind).  Gradients are time-only data: the engine asks
  a ``GradientStream`` for a whole chunk of them at once, shape (n, B_p, d).  The comparator is
  exact: min_{x∈F} <Σ g_t, x>.  Stochastic problems also expose the expected gradient μ, so
  the engine reports the expected gap E f(x_t) − f(x*) = <μ, x_t> − min_F <μ, x>.
* ``GeneralProblem``: x-dependent gradients, evaluated per step; the problem supplies the
  comparator from its own sufficient statistics.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Callable, NamedTuple

import numpy as np

from .. import validate
from ..feasible import Box


class JitGradient(NamedTuple):
    """g_t of a one-dimensional linear problem as a function compiled code calls, so that the
    fused engine's loops compute each gradient where they use it instead of reading an (n, B_p)
    array per chunk (``GradientStream.jitable``).

    ``fn(t, ints, floats) -> float``: g_t of one instance, where t is the step (int64, from 1)
    and ``ints``, ``floats`` are tuples of that instance's values, its column i of the arrays
    ``ints`` (uint64, shape (m_i, B_p)) and ``floats`` (float64, shape (m_f, B_p)), m ≥ 1,
    C-contiguous.  The loops load the columns and call ``fn`` on scalars, as they call a
    kernel's rule: an array handed to a compiled call keeps LLVM from vectorising the loop.
    ``fn`` is a ``numba.extending.register_jitable`` function defined at module level: it is
    inlined into the loops, and the loops' disk cache pickles it by reference (a numba
    dispatcher would pickle with a new id in every process and never be found in the cache).
    It must be a pure function of its arguments and give exactly ``take(t)[k, i, 0]``, bit for
    bit: the numpy engine and the loops that still read arrays use ``take``.
    """

    fn: Callable
    ints: np.ndarray
    floats: np.ndarray


def check_jitable(gen: JitGradient, batch: int) -> None:
    """Refuse a ``JitGradient`` whose arrays do not have the documented types and shapes."""
    if not isinstance(gen, JitGradient) or not callable(gen.fn):
        raise ValueError(f"GradientStream.jitable() must return None or a JitGradient(fn, ints, floats), got {gen!r}")
    for name, a, dtype in (("ints", gen.ints, np.uint64), ("floats", gen.floats, np.float64)):
        if (not isinstance(a, np.ndarray) or a.dtype != dtype or a.ndim != 2 or a.shape[0] < 1
                or a.shape[1] != batch or not a.flags.c_contiguous):
            got = f"{a.dtype} array of shape {a.shape}" if isinstance(a, np.ndarray) else type(a).__name__
            raise ValueError(f"JitGradient.{name} must be a C-contiguous {np.dtype(dtype).name} array of shape "
                             f"(m >= 1, {batch}) (one column per instance), got {got}")


class GradientStream(ABC):
    """Hands out the gradients of a linear problem chunk by chunk, in order of t.

    ``state()``/``restore()`` let a run be saved and resumed to the same numbers.  A stateless
    stream of a one-dimensional problem may also offer ``jitable()`` (see ``JitGradient``).
    """

    @abstractmethod
    def take(self, t: np.ndarray) -> np.ndarray:
        """Gradients g_t for the consecutive steps ``t`` (int64, shape (n,)): shape (n, B_p, d).

        The array may be a read-only view (periodic streams slice one stored period): copy it
        to write into it."""

    def jitable(self) -> JitGradient | None:
        """g_t as a compiled function (``JitGradient``), or None (the default): only ``take``."""
        return None

    def state(self) -> Any:
        return None

    def restore(self, state: Any) -> None:  # noqa: B027 - stateless streams need nothing
        pass


class Problem(ABC):
    """Common attributes: ``name``, ``params`` (JSON-able provenance), ``feasible``, ``batch``.

    Every problem also states the two constants of the regret bounds (Reddi et al. 2018, Luo et
    al. 2019, Zinkevich 2003), so a bound is evaluated from what the problem says rather than
    guessed from its name:

    * ``D_inf``: D∞ = max_{x,y ∈ F} ‖x − y‖∞ (a float; from the feasible set);
    * ``G_inf``: G∞ = sup_{t ≥ 1, x ∈ F} ‖∇f_t(x)‖∞ per instance, shape (B_p,), or None when the
      problem has no finite bound or does not state one (the bound evaluators then refuse).
      A subclass with bounded gradients overrides it.
    """

    name: str = ""
    linear: bool = True
    stochastic: bool = False
    #: (registry name, keyword arguments) set by ``regret.problem``; what ``take`` rebuilds from
    recipe: tuple[str, dict] | None = None

    def __init__(self, feasible: Box, batch: int, params: dict, x0=None):
        self.feasible = feasible
        self.batch = int(batch)
        self.params = params
        # The default start point of the counterexamples is the upper end (Reddi: x_1 = 1).
        start = feasible.hi if x0 is None else validate.finite("x0", x0)
        self.x0 = np.broadcast_to(start, (feasible.dim,)).astype(np.float64)

    @property
    def dim(self) -> int:
        return self.feasible.dim

    @property
    def D_inf(self) -> float:
        """D∞ = max_{x,y ∈ F} ‖x − y‖∞ (see the class docstring)."""
        return self.feasible.diameter_inf

    @property
    def G_inf(self) -> np.ndarray | None:
        """G∞ per instance, shape (B_p,), or None (see the class docstring)."""
        return None

    def describe(self) -> dict:
        return {"name": self.name, "params": self.params, "feasible": self.feasible.describe()}

    def take(self, indices) -> "Problem":
        """The problem of instances ``indices`` (1-d integers in [0, B_p)) of this batch.

        Rule: every keyword the problem was built with (``recipe``, recorded by
        ``regret.problem``) that is a 1-d sweep of length B_p is replaced by its entries at
        ``indices``, and the problem is built anew.  Instances are independent (each stochastic
        instance draws from its own ``SeedSequence(seed_i)``), so an instance's gradients are
        the same in the slice as in the whole batch.  A problem of one instance broadcasts and
        comes back as itself.  Sharded sweeps (``regret.shards``) run on these slices.
        """
        idx = validate.take_indices(indices, self.batch)
        if self.batch == 1:
            return self
        if self.recipe is None:
            raise ValueError(f"problem {self.name!r} was not built by regret.problem(...), so a slice of its "
                             f"{self.batch} instances cannot be rebuilt; build it with regret.problem")
        name, kwargs = self.recipe
        from . import problem

        part = problem(name, **validate.slice_kwargs(kwargs, self.batch, idx))
        for k, v in self.params.items():
            if isinstance(v, list) and len(v) == self.batch:
                got = part.params.get(k)
                want = [v[i] for i in idx.tolist()]
                if (got if isinstance(got, list) else [got] * len(idx)) != want:
                    raise ValueError(f"problem {self.name!r}: rebuilding instances {idx[:3].tolist()}... did "
                                     f"not give their {k}; it cannot be sliced")
        return part

    def __repr__(self) -> str:
        from ..reprs import problem_text

        return problem_text(self)

    def _repr_html_(self) -> str:
        from ..reprs import problem_html

        return problem_html(self)


class LinearProblem(Problem):
    linear = True

    @abstractmethod
    def stream(self) -> GradientStream:
        """A fresh gradient stream starting at t = 1."""

    @property
    def mean_gradient(self) -> np.ndarray | None:
        """E[g_t] of shape (B_p, d) for stochastic problems with a time-invariant mean, else None."""
        return None


class GeneralProblem(Problem):
    linear = False

    @abstractmethod
    def grad(self, x: np.ndarray, t: int) -> np.ndarray:
        """∇f_t(x) for x of shape (B, d)."""

    @abstractmethod
    def loss(self, x: np.ndarray, t: int) -> np.ndarray:
        """f_t(x), shape (B,)."""

    @abstractmethod
    def comparator(self, T: int) -> np.ndarray:
        """min_{x∈F} Σ_{t≤T} f_t(x), shape (B_p,)."""


def batch_param(name: str, value, lo=None, hi=None, **kw) -> np.ndarray:
    """A problem parameter as a 1-d float array (length 1 or B_p), range-checked."""
    arr = validate.in_range(name, value, lo, hi, **kw)
    if arr.ndim > 1:
        raise ValueError(f"{name} must be a scalar or a 1-d array of instances, got shape {arr.shape}")
    return np.atleast_1d(arr)


def param_value(arr: np.ndarray):
    """Provenance form of a batched parameter: a float, or a list when it sweeps."""
    return float(arr[0]) if arr.shape[0] == 1 else arr.tolist()
