"""The command line: JSON shape, plots, and one-line errors with exit status 2."""
import json
import subprocess
import sys

import pytest

from regret.cli import main

ADAM = "adam:beta1=0,beta2=0.1,lr=0.1,convention=theory"


def test_json_output_shape(capsys):
    rc = main(["run", "--problem", "reddi-online:C=3", "--optimizer", ADAM, "--optimizer",
               "amsgrad:beta1=0,beta2=[0.1,0.5],lr=0.1,convention=theory", "--T", "300", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["T"] == 300 and out["problem"]["name"] == "reddi-online"
    assert [r["optimizer"] for r in out["runs"]] == ["adam", "amsgrad", "amsgrad"]
    assert [r["params"]["beta2"] for r in out["runs"][1:]] == [0.1, 0.5]
    r = out["runs"][0]
    assert r["average_regret"] == pytest.approx(r["regret"] / 300)
    assert r["checkpoints"]["t"][-1] == 300 and r["checkpoints"]["regret"][-1] == r["regret"]
    assert r["x_final"] == [1.0]


def test_plot_is_written(tmp_path):
    out = tmp_path / "avg.png"
    rc = main(["run", "--problem", "reddi-online:C=3", "--optimizer", ADAM, "--optimizer", "sgd:lr=0.1",
               "--T", "200", "--plot", str(out)])
    assert rc == 0
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


@pytest.mark.parametrize("argv, needle", [
    (["run", "--problem", "reddi-online", "--optimizer", "adm", "--T", "10"], "did you mean 'adam'"),
    (["run", "--problem", "redi-online", "--optimizer", "adam", "--T", "10"], "did you mean 'reddi-online'"),
    (["run", "--problem", "reddi-online", "--optimizer", "adam:beta1=1.5", "--T", "10"], "beta1=1.5"),
    (["run", "--problem", "reddi-online", "--optimizer", "adam:lr=-1", "--T", "10"], "lr=-1"),
    (["run", "--problem", "reddi-online", "--optimizer", "adam", "--T", "0"], "--T=0"),
    (["run", "--problem", "reddi-online", "--optimizer", "adam", "--T", "2.5"], "--T"),
    (["run", "--problem", "reddi-online", "--optimizer", "adam:betta1=0", "--T", "5"], "did you mean 'beta1'"),
    (["run", "--problem", "reddi-online", "--optimizer", "adam:beta1", "--T", "5"], "key=value"),
    (["run", "--problem", "reddi-online", "--optimizer", "adam", "--T", "5", "--x0", "2"], "outside the feasible set"),
    (["run", "--problem", "reddi-online", "--optimizer", "adam", "--T", "5", "--seed", "1"], "deterministic"),
    (["run", "--problem", "reddi-online", "--optimizer", "adam:convention=thoery", "--T", "5"], "did you mean 'theory'"),
    (["run", "--problem", "reddi-online", "--T", "5"], "--optimizer"),
])
def test_bad_input_is_one_line_and_status_2(argv, needle, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and needle in err and "Traceback" not in err


def test_console_script_runs_as_module():
    proc = subprocess.run([sys.executable, "-m", "regret", "run", "--problem", "reddi-online:C=3",
                           "--optimizer", "adam:lr=0", "--T", "5"], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.startswith("regret: error: lr=0")
