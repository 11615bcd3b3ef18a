"""Running a study's line-up: one ``regret.run`` call per problem, Results keyed by optimizer."""
from __future__ import annotations

import numpy as np

from ..engine import checkpoint_times, run

__all__ = ["lineup", "period_checkpoints", "checkpoint_times"]


def lineup(problem, kernels: dict, T: int, *, engine: str = "auto", progress=None, checkpoints=60,
           x0=None) -> dict:
    """{name: Result} for the kernels {name: Kernel} on ``problem`` for T steps."""
    results = run(problem, list(kernels.values()), T, x0=x0, checkpoints=checkpoints, engine=engine,
                  progress=progress)
    return dict(zip(kernels, results))


def period_checkpoints(T: int, period: int, n: int = 60) -> np.ndarray:
    """About 2n steps in [1, T]: n log-spaced ones and n log-spaced ends of periods (t ≡ 0 mod period),
    so the iterate can be read right after whole periods."""
    base = checkpoint_times(T, n)
    ends = period * np.unique(np.round(np.geomspace(1, max(T // period, 1), n)).astype(np.int64))
    return np.union1d(base, ends[ends <= T])
