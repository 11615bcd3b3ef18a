"""A table of bad inputs: each names the parameter, its value and what is allowed.

Library: a ValueError/TypeError whose message contains every needle.  CLI: exit status 2, one
line on stderr, no traceback, and the same kind of needles.
"""
import json

import numpy as np
import pytest

import regret
from regret import storage
from regret.cli import main

ADAM_T = dict(beta1=0.0, beta2=0.1, lr=0.1, convention="theory")


def _lower_const(t):
    return np.full(np.shape(t), 0.5)


def _upper_drops(t):
    # Crosses below the lower bound from t = 10 on: η_l(t) > η_u(t) must be caught at t = 10.
    return np.where(np.asarray(t) >= 10, 0.1, 1.0)


def _run(prob=None, k=None, T=50, **kw):
    prob = prob if prob is not None else regret.problem("reddi-online", C=3)
    k = k if k is not None else regret.optimizer("adam", **ADAM_T)
    return regret.run(prob, k, T, **kw)


LIBRARY = [
    # (id, callable, exception, needles)
    ("beta1=1", lambda: regret.optimizer("adam", beta1=1.0), ValueError, ["beta1=1", "[0, 1)"]),
    ("beta2<0", lambda: regret.optimizer("amsgrad", beta2=-0.1), ValueError, ["beta2=-0.1", "[0, 1)"]),
    ("beta1 in sweep", lambda: regret.optimizer("adam", beta1=[0.5, 1.2]), ValueError, ["beta1=1.2"]),
    ("beta1 adabound", lambda: regret.optimizer("adabound", beta1=1.5), ValueError, ["beta1=1.5", "[0, 1)"]),
    ("lr=0", lambda: regret.optimizer("adam", lr=0), ValueError, ["lr=0", "(0, inf]"]),
    ("lr<0 sgd", lambda: regret.optimizer("sgd", lr=-1), ValueError, ["lr=-1"]),
    ("lr nan", lambda: regret.optimizer("adam", lr=float("nan")), ValueError, ["lr=nan", "finite"]),
    ("lr string", lambda: regret.optimizer("adam", lr="fast"), TypeError, ["lr='fast'", "number"]),
    ("eps<0", lambda: regret.optimizer("adam", eps=-1e-8), ValueError, ["eps=-1e-08", "[0, inf]"]),
    ("final_lr=0", lambda: regret.optimizer("adabound", final_lr=0), ValueError, ["final_lr=0"]),
    ("gamma<0", lambda: regret.optimizer("amsbound", gamma=-1), ValueError, ["gamma=-1"]),
    ("beta2 2-d", lambda: regret.optimizer("adam", beta2=[[0.9]]), ValueError, ["beta2", "shape (1, 1)"]),
    ("T=0", lambda: _run(T=0), ValueError, ["T=0", ">= 1"]),
    ("T=2.5", lambda: _run(T=2.5), ValueError, ["T=2.5", "integer"]),
    ("T<0", lambda: _run(T=-5), ValueError, ["T=-5", ">= 1"]),
    ("T bool", lambda: _run(T=True), TypeError, ["T=True", "integer"]),
    ("chunk=0", lambda: _run(chunk=0), ValueError, ["chunk=0", ">= 1"]),
    ("x0 outside F", lambda: _run(x0=2.0), ValueError, ["x0=2", "outside the feasible set", "[-1.0]"]),
    ("x0 shape", lambda: _run(x0=[0.1, 0.2]), ValueError, ["x0 has shape (2,)", "(1,)"]),
    ("x0 rows vs batch", lambda: _run(k=regret.optimizer("adam", lr=[0.1, 0.2]), x0=[[0.0], [0.1], [0.2]]),
     ValueError, ["x0 has shape (3, 1)", "(2, 1)"]),
    ("lower > upper at t", lambda: _run(k=regret.optimizer("adabound", lower=_lower_const, upper=_upper_drops)),
     ValueError, ["lower(t)=0.5", "upper(t)=0.1", "t=10"]),
    ("lower without upper", lambda: regret.optimizer("adabound", lower=_lower_const), ValueError,
     ["lower and upper"]),
    ("lower wrong shape", lambda: _run(k=regret.optimizer("adabound", lower=lambda t: np.zeros((len(t), 7)),
                                                          upper=_upper_drops)),
     ValueError, ["lower returned shape (1, 7)", "(1, 1)"]),
    ("lower not finite", lambda: _run(k=regret.optimizer("amsbound", lower=lambda t: np.log(np.asarray(t) - 3.0),
                                                         upper=lambda t: np.full(np.shape(t), 1e9))),
     ValueError, ["lower", "not finite", "t=1"]),
    ("unknown optimizer", lambda: regret.optimizer("adm"), ValueError, ["optimizer='adm'", "did you mean 'adam'"]),
    ("unknown problem", lambda: regret.problem("redi-online"), ValueError,
     ["problem='redi-online'", "did you mean 'reddi-online'"]),
    ("unknown option", lambda: regret.optimizer("adam", betta1=0.0), ValueError,
     ["'betta1'", "did you mean 'beta1'"]),
    ("unknown problem option", lambda: regret.problem("reddi-online", CC=3), ValueError, ["'CC'", "'C'"]),
    ("convention typo", lambda: regret.optimizer("adam", convention="thoery"), ValueError,
     ["convention='thoery'", "did you mean 'theory'"]),
    ("schedule unknown", lambda: regret.optimizer("adam", schedule="cosine"), ValueError,
     ["schedule='cosine'", "'inv_sqrt'"]),
    ("bias_correction kind", lambda: regret.optimizer("adam", bias_correction="yes"), TypeError,
     ["bias_correction='yes'", "true or false"]),
    ("hyper batch mismatch", lambda: regret.optimizer("adam", lr=[0.1, 0.2], beta2=[0.9, 0.99, 0.999]),
     ValueError, ["lr has 2", "beta2 has 3"]),
    ("kernel vs problem batch", lambda: _run(regret.problem("reddi-online", C=[3.0, 5.0]),
                                             regret.optimizer("adam", lr=[0.1, 0.2, 0.3])),
     ValueError, ["optimizer batch has 3", "problem batch has 2"]),
    ("problem param batch", lambda: regret.problem("reddi-online", C=[3.0, 4.0], b=[1.0, 2.0, 3.0]), ValueError,
     ["C has 2", "b has 3"]),
    ("engine unknown", lambda: _run(engine="gpu"), ValueError, ["engine='gpu'"]),
    ("checkpoints beyond T", lambda: _run(T=50, checkpoints=[0, 10]), ValueError, ["checkpoints", "T=50"]),
    ("not a kernel", lambda: regret.run(regret.problem("reddi-online"), "adam", 10), TypeError, ["optimizers", "'adam'"]),
    ("delta too large", lambda: regret.problem("reddi-stochastic", C=3, delta=5), ValueError, ["delta=5", "delta < C"]),
    ("p outside (0,1)", lambda: regret.problem("reddi-stochastic", p=1.0), ValueError, ["p=1", "(0, 1)"]),
    ("seed<0", lambda: regret.problem("reddi-stochastic", seed=-1), ValueError, ["seed=-1", "non-negative"]),
    ("C<3 minus-one-two", lambda: regret.problem("minus-one-two", C=2), ValueError, ["C=2", "[3, inf]"]),
    ("P non-integer", lambda: regret.problem("reddi-online", P=2.5), ValueError, ["P=2.5", "integer"]),
    ("box lo>hi", lambda: regret.problem("periodic", pattern=[1.0, -1.0], lo=1.0, hi=-1.0), ValueError,
     ["lo=1", "hi=-1"]),
    ("pattern nan", lambda: regret.problem("periodic", pattern=[1.0, float("nan")]), ValueError,
     ["pattern=", "finite"]),
    ("quadratic a=0", lambda: regret.problem("quadratic", a=0.0), ValueError, ["a=0", "(0, inf]"]),
    ("quadratic shapes", lambda: regret.problem("quadratic", a=[1.0, 2.0], c=[0.1, 0.2, 0.3]), ValueError,
     ["a has 2", "c has 3"]),
    ("resume mismatch", lambda: _run(resume=[]), ValueError, ["resume", "1 optimizer"]),
]


@pytest.mark.parametrize("call, exc, needles", [c[1:] for c in LIBRARY], ids=[c[0] for c in LIBRARY])
def test_library_rejects_bad_input(call, exc, needles):
    with pytest.raises(exc) as info:
        call()
    msg = str(info.value)
    for needle in needles:
        assert needle in msg, f"{needle!r} not in {msg!r}"


RUN = ["run", "--problem", "reddi-online:C=3", "--T", "20"]
ADAM = ["--optimizer", "adam:beta1=0,beta2=0.1,lr=0.1,convention=theory"]


def _results_file(tmp_path):
    path = tmp_path / "r.json"
    assert main(RUN + ADAM + ["--save", str(path)]) == 0
    return str(path)


CLI = [
    ("--T 0", RUN[:-1] + ["0"] + ADAM, ["--T=0", ">= 1"]),
    ("--T 2.5", RUN[:-1] + ["2.5"] + ADAM, ["--T=2.5", "integer"]),
    ("--T abc", RUN[:-1] + ["abc"] + ADAM, ["--T='abc'", "integer"]),
    ("--T -3", RUN[:-1] + ["-3"] + ADAM, ["--T=-3", ">= 1"]),
    ("missing --T", RUN[:-2] + ADAM, ["required", "--T"]),
    ("missing --optimizer", RUN, ["required", "--optimizer"]),
    ("beta1=1.5", RUN + ["--optimizer", "adam:beta1=1.5"], ["beta1=1.5", "[0, 1)"]),
    ("beta2=1", RUN + ["--optimizer", "amsgrad:beta2=1"], ["beta2=1", "[0, 1)"]),
    ("lr=-1", RUN + ["--optimizer", "sgd:lr=-1"], ["lr=-1", "(0, inf]"]),
    ("eps=-1", RUN + ["--optimizer", "adam:eps=-1"], ["eps=-1", "[0, inf]"]),
    ("final_lr=0", RUN + ["--optimizer", "adabound:final_lr=0"], ["final_lr=0"]),
    ("sweep entry out of range", RUN + ["--optimizer", "adam:beta1=[0.5,1.1]"], ["beta1=1.1"]),
    ("unknown optimizer", RUN + ["--optimizer", "adm"], ["optimizer='adm'", "did you mean 'adam'"]),
    ("unknown problem", ["run", "--problem", "redi-online", "--T", "5"] + ADAM,
     ["problem='redi-online'", "did you mean 'reddi-online'"]),
    ("unknown option", RUN + ["--optimizer", "adam:betta1=0"], ["'betta1'", "did you mean 'beta1'"]),
    ("unknown problem option", ["run", "--problem", "reddi-online:CC=3", "--T", "5"] + ADAM, ["'CC'"]),
    ("option without =", RUN + ["--optimizer", "adam:beta1"], ["'beta1'", "key=value"]),
    ("option twice", RUN + ["--optimizer", "adam:lr=0.1,lr=0.2"], ["'lr'", "twice"]),
    ("unbalanced list", RUN + ["--optimizer", "adam:lr=[0.1,0.2"], ["unbalanced"]),
    ("empty value", RUN + ["--optimizer", "adam:lr="], ["lr", "empty value"]),
    ("bad name", RUN + ["--optimizer", "9adam"], ["'9adam'", "NAME"]),
    ("schedule unknown", RUN + ["--optimizer", "adam:schedule=cosine"], ["schedule='cosine'"]),
    ("convention typo", RUN + ["--optimizer", "adam:convention=thoery"], ["did you mean 'theory'"]),
    ("bias_correction kind", RUN + ["--optimizer", "adam:bias_correction=maybe"], ["bias_correction='maybe'"]),
    ("sweep batch mismatch", RUN + ["--optimizer", "adam:lr=[0.1,0.2],beta2=[0.9,0.99,0.999]"],
     ["lr has 2", "beta2 has 3"]),
    ("problem vs optimizer batch", ["run", "--problem", "reddi-online:C=[3,5]", "--T", "5",
                                    "--optimizer", "adam:lr=[0.1,0.2,0.3]"],
     ["optimizer batch has 3", "problem batch has 2"]),
    ("x0 outside F", RUN + ADAM + ["--x0", "2"], ["x0=2", "outside the feasible set"]),
    ("x0 shape", RUN + ADAM + ["--x0", "0.1,0.2"], ["x0 has shape (2,)"]),
    ("x0 not a number", RUN + ADAM + ["--x0", "left"], ["--x0='left'", "number"]),
    ("seed on deterministic", RUN + ADAM + ["--seed", "1"], ["--seed=1", "deterministic"]),
    ("seed negative", ["run", "--problem", "reddi-stochastic", "--T", "5", "--seed", "-1"] + ADAM,
     ["--seed=-1", ">= 0"]),
    ("delta too large", ["run", "--problem", "reddi-stochastic:C=3,delta=5", "--T", "5"] + ADAM,
     ["delta=5", "delta < C"]),
    ("checkpoints=1", RUN + ADAM + ["--checkpoints", "1"], ["--checkpoints=1", ">= 2"]),
    ("chunk=0", RUN + ADAM + ["--chunk", "0"], ["--chunk=0", ">= 1"]),
    ("engine unknown", RUN + ADAM + ["--engine", "gpu"], ["'gpu'", "engine"]),
    ("save into missing dir", RUN + ADAM + ["--save", "/nonexistent-dir/r.json"], ["--save=", "does not exist"]),
    ("sympy does not parse", ["check", "bounds", "--lower", "1/(t", "--upper", "t"],
     ["lower='1/(t'", "not a valid expression"]),
    ("sympy unknown symbol", ["check", "bounds", "--lower", "zeta*t", "--upper", "t"],
     ["lower='zeta*t'", "unknown symbol", "zeta"]),
    ("sympy malformed param", ["check", "bounds", "--lower", "t", "--upper", "t", "--param", "a=b=c"],
     ["a='b=c'", "not a number"]),
    ("exact beta1 out of range", ["check", "condition", "--beta1", "1.5", "--beta2", "0.5"],
     ["beta1=3/2", "[0, 1)"]),
    ("comparison outside Piecewise", ["check", "bounds", "--lower", "t < 3", "--upper", "t"],
     ["lower='t < 3'", "only allowed as the (value, condition) pairs of Piecewise"]),
    ("Piecewise without pairs", ["check", "bounds", "--lower", "1", "--upper", "Piecewise(1, 2)"],
     ["upper='Piecewise(1, 2)'", "(value, condition) pairs"]),
    ("list unknown kind", ["list", "kernels"], ["kind='kernels'", "optimizers"]),
    ("list unknown optimizer", ["list", "optimizers", "adambound"], ["optimizer='adambound'", "did you mean"]),
]


@pytest.mark.parametrize("argv, needles", [c[1:] for c in CLI], ids=[c[0] for c in CLI])
def test_cli_rejects_bad_input(argv, needles, capsys):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert err.startswith("regret: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and out == ""
    for needle in needles:
        assert needle in err, f"{needle!r} not in {err!r}"


def test_cli_show_and_resume_reject_bad_files(tmp_path, capsys):
    not_json = tmp_path / "notes.txt"
    not_json.write_text("hello")
    other_json = tmp_path / "other.json"
    other_json.write_text(json.dumps({"format": "something-else"}))
    good = _results_file(tmp_path)
    capsys.readouterr()
    cases = [
        (["show", str(tmp_path / "missing.json")], ["missing.json", "does not exist"]),
        (["show", str(not_json)], ["notes.txt", "not valid JSON"]),
        (["show", str(other_json)], ["other.json", "not a regret results file"]),
        (["run", "--resume", str(other_json)], ["other.json", "not a regret results file"]),
        (["run", "--resume", good, "--T", "10"], ["--resume", "--T"]),
    ]
    for argv, needles in cases:
        assert main(argv) == 2, argv
        out, err = capsys.readouterr()
        assert err.count("\n") == 1 and "Traceback" not in err, err
        for needle in needles:
            assert needle in err, f"{needle!r} not in {err!r}"


def test_storage_rejects_wrong_objects(tmp_path):
    with pytest.raises(TypeError, match="results must be Result objects"):
        storage.save(tmp_path / "x.json", ["not a result"])
    with pytest.raises(ValueError, match="format version 99"):
        (tmp_path / "v.json").write_text(json.dumps({"format": "regret-results", "version": 99}))
        storage.load(tmp_path / "v.json")
