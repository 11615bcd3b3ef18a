"""regret: a convergence-theory and counterexample explorer for optimizers.

Problems (``regret.problem``) → vectorised kernels (``regret.optimizer``) → exact regret
(``regret.run``) → results, plots and the CLI.  Sweeps: ``regret.grid`` labels a product of
axes, ``regret.run(..., client=/workers=/shard=/store=)`` shards it (``regret.shards``), and
``Result.to_xarray()`` / zarr storage (``regret.labelled``) hold the labelled numbers.
The symbolic side lives in the ``proofs`` package.
"""
__version__ = "0.1.0"

from .engine import checkpoint_times  # noqa: E402
from .grid import Grid, grid  # noqa: E402
from .shards import run  # noqa: E402  (the engine's run, plus grid= and sharding: regret.shards)
from .feasible import Ball, Box, Simplex, interval  # noqa: E402
from .kernels import OPTIMIZERS, Kernel, optimizer  # noqa: E402
from .problems import PROBLEMS, problem  # noqa: E402
from .replay import replay  # noqa: E402
from .result import Result  # noqa: E402

__all__ = ["__version__", "run", "checkpoint_times", "optimizer", "problem", "OPTIMIZERS", "PROBLEMS",
           "Kernel", "Result", "Box", "Ball", "Simplex",
           "interval", "replay", "grid", "Grid"]
