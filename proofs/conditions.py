"""Hypotheses of the theorems as exact, named predicates.

Each theorem module has ``conditions(...) -> list[Verdict]``; ``decide(theorem, **params)``
dispatches by name and ``explain`` says in words which clause fails.  The β condition itself
(β1 < √β2, decided exactly) lives in ``proofs.betas`` and is re-exported here, so this module
is the top of ``proofs``' import order: it imports the theorem modules, none of them imports it.
"""
from __future__ import annotations

from . import minus_one_two, schedule_check, theorem1, theorem2, theorem3
from .betas import (BOUNDARY, GAMMA, REGION, amsgrad_conditions, beta1_sym, beta2_sym,  # noqa: F401
                    beta_condition, gamma, in_region, region_curve)
from .verdicts import Verdict, explain, overall  # noqa: F401  (re-exported)


def decide(theorem: str, **params) -> list[Verdict]:
    """The named hypotheses of ``theorem`` (theorem1, theorem2, theorem3, minus_one_two, amsgrad,
    adabound) for the given parameters."""
    table = {
        "theorem1": theorem1.conditions, "theorem2": theorem2.conditions, "theorem3": theorem3.conditions,
        "minus_one_two": minus_one_two.conditions, "amsgrad": amsgrad_conditions,
        "adabound": schedule_check.theorem4_conditions,
    }
    if theorem not in table:
        raise ValueError(f"theorem={theorem!r} is not one of {', '.join(map(repr, table))}")
    return table[theorem](**params)


