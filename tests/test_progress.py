"""The progress bar leaves one summary line; in Jupyter it is on by default (tqdm.auto)."""
import re
import sys
import types

import regret
from regret import progress


def test_a_finished_run_leaves_one_summary_line(capsys):
    regret.run(regret.problem("reddi-online", C=3), [regret.optimizer("sgd", lr=[0.1, 0.2])], T=5000,
               progress=True, chunk=1000)
    err = capsys.readouterr().err
    lines = [ln for ln in re.split(r"[\r\n]", err) if "steps in" in ln]
    assert len(lines) == 1, err
    assert re.search(r"sgd on reddi-online: 5,000 steps in [0-9.e+-]+ s \([0-9.]+[kMG]? steps/s, "
                     r"[0-9.]+[kMG]? config-steps/s for B = 2\)", lines[0]), lines[0]


def test_no_bar_and_no_line_when_off(capsys):
    regret.run(regret.problem("reddi-online", C=3), regret.optimizer("sgd"), T=100, progress=False)
    assert capsys.readouterr().err == ""


def test_on_by_default_in_a_jupyter_kernel(monkeypatch):
    class ZMQInteractiveShell:  # what IPython's get_ipython() returns inside a notebook kernel
        pass

    fake = types.SimpleNamespace(get_ipython=lambda: ZMQInteractiveShell())
    monkeypatch.setitem(sys.modules, "IPython", fake)
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    assert progress.in_notebook() and progress.enabled_by_default()
    fake.get_ipython = lambda: None                      # plain python with IPython imported
    assert not progress.in_notebook()


def test_the_bar_is_tqdm_auto():
    import tqdm.auto

    bar = progress.Bar(10, "x")
    try:
        assert isinstance(bar._tqdm, tqdm.auto.tqdm)
    finally:
        bar.close()
