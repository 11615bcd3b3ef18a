"""Every script in examples/ runs as the README says (`python examples/NAME.py`) and says something.

Each takes a few seconds; what it prints is checked by the study tests (test_reproduce.py) and
the proofs tests, so here only that it runs to the end, in a scratch directory (some write PNGs).
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.py"))


def test_there_is_one_example_per_study_and_one_for_a_new_schedule():
    names = {p.stem for p in EXAMPLES}
    assert {"theorem1", "theorem2", "theorem3", "theorem4", "minus_one_two", "savarese", "phase",
            "new_bound_schedule", "figure1", "shi", "zhang", "schedule_polynomial", "schedule_exponential",
            "schedule_piecewise", "schedule_wrong"} <= names


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs(script, tmp_path):
    env = {**os.environ, "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and done.stdout.strip()
