"""regret: a convergence-theory and counterexample explorer for optimizers.

Problems (``regret.problem``) → vectorised kernels (``regret.optimizer``) → exact regret
(``regret.run``) → results, plots and the CLI.  The symbolic side lives in the ``proofs`` package.
"""
__version__ = "0.1.0"

from .engine import checkpoint_times, run  # noqa: E402
from .feasible import Ball, Box, Simplex, interval  # noqa: E402
from .kernels import OPTIMIZERS, Kernel, optimizer, register_optimizer  # noqa: E402
from .problems import PROBLEMS, problem, register_problem  # noqa: E402
from .replay import replay  # noqa: E402
from .result import Result  # noqa: E402

__all__ = ["__version__", "run", "checkpoint_times", "optimizer", "problem", "OPTIMIZERS", "PROBLEMS",
           "register_optimizer", "register_problem",
           "Kernel", "Result", "Box", "Ball", "Simplex",
           "interval", "replay"]
