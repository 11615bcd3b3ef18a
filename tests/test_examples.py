"""Every script in examples/ runs to the end and says something.

What the examples print is checked by the study tests (test_reproduce.py) and the proofs tests,
so here only that each runs to the end, in a scratch directory (some write PNGs).  They run in
this process, as ``__main__``, so the ones that share compiled loops (the four schedule-lab
tutorials) compile them once; one runs as the README says, ``python examples/NAME.py``, in a
fresh interpreter.
"""
import os
import runpy
import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.py"))


def test_there_is_one_example_per_study_and_one_for_a_new_schedule():
    names = {p.stem for p in EXAMPLES}
    assert {"theorem1", "theorem2", "theorem3", "theorem4", "minus_one_two", "savarese", "phase",
            "new_bound_schedule", "figure1", "shi", "zhang", "schedule_polynomial", "schedule_exponential",
            "schedule_piecewise", "schedule_wrong"} <= names


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs(script, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(script)])
    try:
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as stop:                   # cli_plugin.py ends with sys.exit(main(...))
        assert stop.code in (0, None), stop.code
    finally:
        plt.close("all")
    assert capsys.readouterr().out.strip()


def test_an_example_runs_as_a_script(tmp_path):
    env = {**os.environ, "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, str(EXAMPLES[0].parent / "cli_plugin.py")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "exit status 0" in done.stdout
