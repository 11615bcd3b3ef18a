"""The CLI with your own optimizer and problem: ``regret --plugin FILE_OR_MODULE ...``.

``--plugin`` (repeatable, anywhere on the command line) imports a module before any spec is
parsed; the module registers its names (examples/own_optimizer.py, examples/own_problem.py).
This script runs, through ``regret.cli.main``, exactly

    regret --plugin examples/own_optimizer.py --plugin examples/own_problem.py \
        run --problem alternating-quadratic:a=1,b=0.5 --optimizer signsgd:lr=[0.05,0.2] --T 5000

    python examples/cli_plugin.py
"""
import sys
from pathlib import Path

from regret.cli import main

HERE = Path(__file__).resolve().parent
argv = ["--plugin", str(HERE / "own_optimizer.py"), "--plugin", str(HERE / "own_problem.py"),
        "run", "--problem", "alternating-quadratic:a=1,b=0.5", "--optimizer", "signsgd:lr=[0.05,0.2]", "--T", "5000"]
print("regret " + " ".join(argv))
code = main(argv)
print(f"exit status {code}")
sys.exit(code)
