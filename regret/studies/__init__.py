"""The studies of ``regret reproduce``: one module per theorem, each ``run`` → ``StudyResult``.

=================  ===========================================================================
key                what it reproduces
=================  ===========================================================================
theorem1           Reddi et al. (2018) Thm 1: Adam's R_T/T → (2C − 4)/3 on the period-3 problem
theorem2           Reddi et al. (2018) Thm 2: any β1 < √β2 fails on a period-C problem (C from proofs)
theorem3           Reddi et al. (2018) Thm 3: Adam's expected gap stays ≥ δ on the stochastic problem
theorem4           Luo et al. (2019) Thm 4 and Savarese's corrected bound, held against AdaBound's R_T
minus-one-two      Luo et al. (2019) §3: the (β2, C) map of Adam's drift against the exact condition
savarese           Savarese (2019) Thm 2: admissible bound functions for which AdaBound = Adam
phase              Adam's long-run R_T/T over a (β1, β2) grid, with the curve β1 = √β2
figure1            Reddi et al. (2018) Fig. 1: 1010/−10 online and stochastic, β1 = 0.9, β2 = 0.99
shi                Shi et al. (2021) Fig. 1: RMSProp's (β2, C) map on Reddi's problem against the drift sign
zhang              Zhang et al. (2022): Adam's (β1, β2) maps on (2.5), n = 10/20/50, and the threshold β2*(n)
=================  ===========================================================================

A study module has ``KEY``, ``TITLE``, ``T_DEFAULT``, ``T_QUICK``,
``run(*, T=None, quick=False, engine="auto", progress=None) -> StudyResult`` and
``plot(study, outdir) -> list[FigureFile]``, and optionally ``min_T(quick) -> int`` (the shortest
horizon it accepts; the CLI checks it before running anything).  Every verdict is computed from
the run.  A module may offer parametrised entry points returning the same ``StudyResult``
(``theorem1.sweep``, ``theorem2.sweep``, ``theorem3.sweep``, ``minus_one_two.grid``,
``savarese.counterexample``); ``run_bounds`` evaluates ``proofs.bounds`` on a finished run.
This package is the one place where a prediction of ``proofs`` meets a run
(docs/ARCHITECTURE.md).

``schedule_lab`` (``regret schedule``) is a study too, but of a schedule the user gives, so it is
not in ``STUDIES``: ``schedule_lab.run(lower, upper, params, ...)`` and ``schedule_lab.plot``.
"""
from __future__ import annotations

from . import figure1, minus_one_two, phase, savarese, shi, theorem1, theorem2, theorem3, theorem4, zhang
from .outcome import NOT_REPRODUCED, REPRODUCED, Claim, FigureFile, StudyResult

STUDIES = {m.KEY: m for m in (theorem1, theorem2, theorem3, theorem4, minus_one_two, savarese, phase,
                                figure1, shi, zhang)}


def run(key: str, **kw) -> StudyResult:
    """Run the study ``key`` (see the table above); keywords go to its ``run``."""
    from .. import validate

    validate.choice("study", key, STUDIES)
    return STUDIES[key].run(**kw)


__all__ = ["STUDIES", "run", "Claim", "FigureFile", "StudyResult", "REPRODUCED", "NOT_REPRODUCED"]
