"""Provenance: each configuration's hyperparameters and problem parameters (stored by column), and
what the engine records about itself."""
from __future__ import annotations

import numpy as np

from .. import __version__
from ..kernels.base import Kernel
from ..problems.base import Problem
from ..result import Configs, Same


def configs(problem: Problem, kernel: Kernel, B: int) -> tuple[Configs, Configs]:
    """Per-configuration hyperparameters and problem parameters as plain values (provenance),
    stored by column (``result.Configs``): a sweep of 10^6 configurations holds no 10^6 dicts."""
    kcols = {}
    for key, val in kernel.hparams.items():
        if isinstance(val, np.ndarray):
            col = val.astype(float)  # a copy: later changes to the kernel do not reach the record
            kcols[key] = col if len(col) > 1 else Same(float(col[0]))
        else:
            kcols[key] = Same(val)
    pcols = {}
    for key, val in problem.params.items():
        pcols[key] = val if isinstance(val, list) and problem.batch > 1 and key != "pattern" else Same(val)
    return Configs(B, kcols), Configs(B, pcols)


def engine_provenance(engine_name: str, chunk: int, step_chunk: int) -> dict:
    out = {"regret_version": __version__, "engine": engine_name, "chunk": chunk, "numpy": np.__version__}
    if step_chunk != chunk:
        out["chunk_used"] = step_chunk
    if engine_name == "fused":
        import numba

        out["numba"] = numba.__version__
        from ..fused import threads_available

        out["threads"] = threads_available()
    return out
