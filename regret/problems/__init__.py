"""Problem families, one module each, and the registry the CLI and the engine use.

=================  ==========================================================================
name               construction
=================  ==========================================================================
reddi-online       C·x at t mod P = 1 else −b·x on [−1, 1] (Reddi et al. Thms 1–2, Fig. 1)
reddi-stochastic   C·x w.p. p = (1+δ)/(C+1) else −b·x (Reddi et al. Thm 3, Fig. 1)
periodic           any repeating gradient pattern on a box
minus-one-two      −1, +2, 0, …, 0 with period C (Luo et al. 2019, Section 3)
quadratic          ½Σ a_i (x_i − c_i)² on a box (an easy, stationary problem)
linear             <g_t, x> in d dimensions: Gaussian, Rademacher, sparse or given g_t; box/ball/simplex
least-squares      ½(<a_j,x> − y_j)² over a data set (generated, arrays, files, scikit-learn's)
logistic           log(1 + exp(−y_j<a_j,x>)) over a data set
hinge              max(0, 1 − y_j<a_j,x>) over a data set
absolute           |<a_j,x> − y_j| over a data set
zhang              Zhang et al. (NeurIPS 2022) n-component construction (2.5)
shi                Shi et al. (ICLR 2021) 10-component quadratic, dev = 0 / 100
expression         a user's smooth convex loss in x (x1..xd) and t, safely parsed, differentiated
=================  ==========================================================================

Orders of presentation of the data/finite-sum families (cyclic, reshuffle, iid) and their seeding:
``regret.problems.sampling``.
"""
from __future__ import annotations

from typing import Callable

from .. import validate
from .base import GeneralProblem, GradientStream, JitGradient, LinearProblem, Problem
from .periodic import MinusOneTwo, Periodic, PeriodicBatch, minus_one_two
from .expression import Expression
from .finite_sum import Shi, Zhang
from .learning import Learning, absolute, hinge, least_squares, logistic
from .linear import OnlineLinear
from .quadratic import Quadratic
from .reddi import ReddiOnline, ReddiStochastic

PROBLEMS: dict[str, Callable[..., Problem]] = {
    "reddi-online": ReddiOnline,
    "reddi-stochastic": ReddiStochastic,
    "periodic": Periodic,
    "minus-one-two": minus_one_two,
    "quadratic": Quadratic,
    "linear": OnlineLinear,
    "least-squares": least_squares,
    "logistic": logistic,
    "hinge": hinge,
    "absolute": absolute,
    "zhang": Zhang,
    "shi": Shi,
    "expression": Expression,
}


#: the names shipped with regret: a user cannot replace them (``validate.register``)
_BUILTIN = frozenset(PROBLEMS)


def register_problem(name: str, factory: Callable[..., Problem]) -> None:
    """Add a problem family to ``PROBLEMS``: ``factory(**params)`` returns a ``Problem``.

    After this, ``problem(name, ...)`` and the CLI's problem specs in the same process see it like
    a built-in one.
    A built-in name is refused (ValueError); a name the user
    registered before is replaced (re-running a cell works).  See docs/ARCHITECTURE.md for the contract.
    """
    validate.register("problem", name, factory, PROBLEMS, _BUILTIN)


def problem(name: str, **params) -> Problem:
    """Build a registered problem by name, e.g. ``problem("reddi-online", C=3)``."""
    built = validate.build("problem", name, PROBLEMS, params)
    built.recipe = (name, dict(params))  # lets Problem.take rebuild a slice of the batch
    return built


__all__ = ["PROBLEMS", "problem", "register_problem", "Problem", "LinearProblem", "GeneralProblem", "GradientStream",
           "JitGradient", "ReddiOnline", "ReddiStochastic", "Periodic", "PeriodicBatch", "MinusOneTwo", "minus_one_two",
           "Quadratic", "OnlineLinear", "Learning", "Zhang", "Shi", "Expression"]
