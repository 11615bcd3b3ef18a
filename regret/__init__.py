"""regret: a convergence-theory and counterexample explorer for optimizers.

Problems (``regret.problem``) → vectorised kernels (``regret.optimizer``) → exact regret
(``regret.run``) → results (``regret.save`` / ``regret.load``), plots and the CLI.  A user's own
optimizer or problem joins the registries with ``regret.register_optimizer`` /
``regret.register_problem`` (docs/EXTENDING.md).  Sweeps: ``regret.grid`` labels a product of axes,
``regret.run(..., client=/workers=/shard=/store=)`` shards it (``regret.shards``), and
``Result.to_xarray()`` / zarr storage (``regret.labelled``) hold the labelled numbers.
The symbolic side lives in the ``proofs`` package.
"""
__version__ = "0.1.0"

import os as _os  # noqa: E402
import signal as _signal  # noqa: E402
import sys as _sys  # noqa: E402

# The command line (``regret ...``, ``python -m regret``) spends its first ~0.3 s importing
# numpy, numba and sympy.  A Ctrl-C there would print a KeyboardInterrupt traceback; until
# ``cli.main`` installs its own handling, SIGINT keeps the operating system's meaning instead
# (the process ends quietly with status 130).  A library import is left alone.
if _os.path.basename(_sys.argv[0] if _sys.argv else "") in ("regret", "__main__.py") and \
        _signal.getsignal(_signal.SIGINT) is _signal.default_int_handler:
    _signal.signal(_signal.SIGINT, _signal.SIG_DFL)

from .engine import checkpoint_times  # noqa: E402
from .grid import Grid, grid  # noqa: E402
from .shards import run  # noqa: E402  (the engine's run, plus grid= and sharding: regret.shards)
from .feasible import Ball, Box, Simplex, interval  # noqa: E402
from .kernels import OPTIMIZERS, Kernel, optimizer, register_optimizer  # noqa: E402
from .problems import PROBLEMS, GeneralProblem, LinearProblem, Problem, problem, register_problem  # noqa: E402
from .storage import load, save  # noqa: E402
from .replay import replay  # noqa: E402
from .result import Result  # noqa: E402
from . import labelled as _labelled  # noqa: E402,F401  (registers Result.to_xarray and .zarr storage)

__all__ = ["__version__", "run", "checkpoint_times", "optimizer", "problem", "OPTIMIZERS", "PROBLEMS",
           "register_optimizer", "register_problem", "Kernel", "Problem", "LinearProblem", "GeneralProblem",
           "Result", "Box", "Ball", "Simplex", "interval", "replay", "save", "load", "grid", "Grid"]
