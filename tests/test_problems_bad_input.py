"""Bad input to the d-dimensional families: one line naming the parameter, exit status 2."""
import numpy as np
import pytest

from regret.cli import main

ADAM = ["--optimizer", "adam:lr=0.1", "--T", "5"]


def _files(tmp):
    (tmp / "ok.csv").write_text("1,2,3\n4,5,6\n")
    (tmp / "text.csv").write_text("1,2,3\n4,five,6\n")
    (tmp / "ragged.csv").write_text("1,2,3\n4,5\n")
    (tmp / "empty.csv").write_text("")
    (tmp / "junk.npy").write_bytes(b"not an npy file")
    np.save(tmp / "nan.npy", np.array([[1.0, 2.0], [np.nan, 1.0]]))
    np.save(tmp / "flat.npy", np.arange(4.0))
    np.savez(tmp / "noy.npz", A=np.ones((3, 2)))
    np.save(tmp / "labels.npy", np.array([[1.0, 0.5], [2.0, 2.0]]))


CASES = [
    ("missing file", "least-squares:data={d}/missing.csv", ["data=", "missing.csv", "no such file"]),
    ("non-numeric csv", "least-squares:data={d}/text.csv", ["data=", "line 2", "'five' is not a number"]),
    ("ragged csv", "least-squares:data={d}/ragged.csv", ["data=", "line 2", "columns"]),
    ("empty csv", "least-squares:data={d}/empty.csv", ["data=", "no numbers"]),
    ("malformed npy", "least-squares:data={d}/junk.npy", ["data=", "could not be read"]),
    ("NaN in data", "least-squares:data={d}/nan.npy", ["data", "non-finite", "[1, 0]"]),
    ("wrong shape", "least-squares:data={d}/flat.npy", ["data", "shape (4,)"]),
    ("npz without y", "least-squares:data={d}/noy.npz", ["data=", "'y'"]),
    ("labels not +-1", "logistic:data={d}/labels.npy", ["y holds", "-1 or +1"]),
    ("wrong extension", "least-squares:data={d}/ok.txt", ["data=", "no such file"]),
    ("unknown order", "least-squares:order=random", ["order='random'"]),
    ("unknown feasible", "linear:feasible=cube", ["feasible='cube'"]),
    ("bad radius", "linear:feasible=ball,radius=-1", ["radius=-1"]),
    ("freq out of range", "linear:kind=sparse,freq=2", ["freq=2", "[0, 1]"]),
    ("mean wrong length", "linear:d=3,mean=[1,2]", ["mean", "d=3"]),
    ("sequence without grads", "linear:kind=sequence", ["grads="]),
    ("sequence file missing", "linear:kind=sequence,grads={d}/none.npy", ["grads=", "no such file"]),
    ("zhang n", "zhang:n=1", ["n=1", ">= 2"]),
    ("zhang a", "zhang:a=0", ["a=0", "allowed range"]),
    ("shi dev", "shi:dev=abc", ["dev='abc'"]),
    ("unsafe loss", "expression:loss=__import__('os')", ["loss=", "not an allowed function"]),
    ("non-convex loss", "expression:loss=x^3", ["loss=", "not convex"]),
    ("non-differentiable loss", "expression:loss=Abs(x)", ["loss=", "not differentiable"]),
]


@pytest.mark.parametrize("spec, needles", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cli_rejects_bad_problem_input(tmp_path, capsys, spec, needles):
    _files(tmp_path)
    assert main(["run", "--problem", spec.format(d=tmp_path)] + ADAM) == 2
    out, err = capsys.readouterr()
    assert err.startswith("regret: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and out == ""
    for needle in needles:
        assert needle in err, f"{needle!r} not in {err!r}"


def test_api_rejects_mismatched_arrays():
    from regret.problems.learning import Learning

    with pytest.raises(ValueError, match=r"shapes \(5, 2\) and \(4,\)"):
        Learning("squares", A=np.ones((5, 2)), y=np.ones(4))
    with pytest.raises(ValueError, match="A= and y= go together"):
        Learning("squares", A=np.ones((5, 2)))
