"""Schedules written as text (``regret.schedules.as_schedule``) and the spec parser's quoting rule.

The references are plain Python callables written here; a text schedule must give the same
numbers bit for bit, from the library and from the shell.
"""
import json

import numpy as np
import pytest

import regret
from regret import schedules
from regret.cli import main
from regret.spec import parse_spec, parse_value

ISSUE_SPEC = "adabound:lower=0.1-0.1/(t+1),upper=0.1+0.1/t,convention=theory"


def test_spec_splits_on_top_level_commas_only():
    name, opts = parse_spec(ISSUE_SPEC, "optimizer")
    assert name == "adabound"
    assert opts == {"lower": "0.1-0.1/(t+1)", "upper": "0.1+0.1/t", "convention": "theory"}
    _, opts = parse_spec("adabound:lower=Max(0.05,0.1-0.1/t),upper=Piecewise((1,t<=10),(0.1,True)),lr=0.1",
                         "optimizer")
    assert opts == {"lower": "Max(0.05,0.1-0.1/t)", "upper": "Piecewise((1,t<=10),(0.1,True))", "lr": 0.1}


def test_spec_values_nested_lists_and_literals():
    _, opts = parse_spec("periodic:pattern=[[3,0.5],[-1,0.2],[-1,-0.9]]", "problem")
    assert opts["pattern"] == [[3, 0.5], [-1, 0.2], [-1, -0.9]]
    assert parse_value("[0.9,0.99]", "x") == [0.9, 0.99]
    assert parse_value("[1/10,1/100]", "x") == [0.1, 0.01]
    assert parse_value("[inv_sqrt,constant]", "x") == ["inv_sqrt", "constant"]
    assert parse_value("TRUE", "x") is True and parse_value("3", "x") == 3 and parse_value("1e-3", "x") == 1e-3
    assert parse_value("'1/10'", "x") == "1/10"          # quoted: verbatim text
    assert parse_value('"a,b"', "x") == "a,b"
    _, opts = parse_spec("adam:schedule='Max(1/t,0.1)',beta1=0", "optimizer")
    assert opts == {"schedule": "Max(1/t,0.1)", "beta1": 0}


@pytest.mark.parametrize("bad", ["adam:lr=(0.1", "adam:lr=0.1)", "adam:x=[1,2", "adam:s='abc",
                                 "adam:lower=Max(1,2]"])
def test_spec_unbalanced_is_one_error(bad):
    with pytest.raises(ValueError, match="unbalanced|unclosed|list must"):
        parse_spec(bad, "optimizer")


def test_nested_pattern_runs_from_the_shell(capsys):
    assert main(["run", "--problem", "periodic:pattern=[[3,0.5],[-1,0.2],[-1,-0.9]]", "--optimizer", "sgd",
                 "--T", "30", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["problem"]["params"]["pattern"] == [[3, 0.5], [-1, 0.2], [-1, -0.9]]


def _run_json(capsys, argv):
    assert main(argv) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def test_the_issues_command_equals_the_library_with_a_callable_bit_for_bit(capsys):
    out = _run_json(capsys, ["run", "--problem", "reddi-online:C=3", "--optimizer", ISSUE_SPEC, "--T", "1000",
                             "--json"])
    kern = regret.optimizer("adabound", lower=lambda t: 0.1 - 0.1 / (t + 1), upper=lambda t: 0.1 + 0.1 / t,
                            convention="theory")
    res, = regret.run(regret.problem("reddi-online", C=3), [kern], 1000)
    run = out["runs"][0]
    assert run["regret"] == float(res.regret_final[0])             # JSON floats round-trip exactly
    assert run["x_final"] == res.x_final[0].tolist()
    assert run["checkpoints"]["regret"] == res.regret[:, 0].tolist()
    assert run["checkpoints"]["eta"] == res.eta[:, 0, :].tolist()
    assert run["params"]["bounds"] == "0.1-0.1/(t+1)/0.1+0.1/t"
    # the whole trajectory, through the library with the text itself
    text, = regret.run(regret.problem("reddi-online", C=3),
                       [regret.optimizer("adabound", lower="0.1-0.1/(t+1)", upper="0.1+0.1/t",
                                         convention="theory")], 1000)
    assert np.array_equal(text.regret, res.regret) and np.array_equal(text.x, res.x)
    assert np.array_equal(text.eta, res.eta)


@pytest.mark.parametrize("text, fn", [
    ("0.1-0.1/(t+1)", lambda t: 0.1 - 0.1 / (t + 1)),
    ("0.1 - 0.1/(2*t + 1)", lambda t: 0.1 - 0.1 / (2 * t + 1)),
    ("1/sqrt(t)", lambda t: 1 / np.sqrt(t)),
    ("Piecewise((0.5, t <= 10), (0.1, True))", lambda t: np.where(t <= 10, 0.5, 0.1)),
])
def test_text_schedule_values_bit_for_bit(text, fn):
    t = np.arange(1, 5001, dtype=np.int64)
    assert np.array_equal(schedules.as_schedule(text, "s")(t), fn(t.astype(np.float64)))


@pytest.mark.parametrize("text, written, canonical", [
    # 1/(0.01·t) is read as the exact 100/t; a number times a sum is distributed
    ("0.1*(1+1/(0.01*t))", lambda t: 0.1 * (1 + 1 / (0.01 * t)), lambda t: 0.1 + 10 / t),
    ("0.1*(1 - 1/(2*t + 1))", lambda t: 0.1 * (1 - 1 / (2 * t + 1)), lambda t: 0.1 - 0.1 / (2 * t + 1)),
    ("exp(-t/100)", lambda t: np.exp(-t / 100), lambda t: np.exp(-1 / 100 * t)),
])
def test_sympy_rewrites_decimals_exactly_so_other_forms_agree_to_rounding(text, written, canonical):
    t = np.arange(1, 5001, dtype=np.int64)
    fn = schedules.as_schedule(text, "s")
    tf = t.astype(np.float64)
    # the argument of exp (up to 50 here) carries its rounding into the result: |x|·2^-52 relative
    np.testing.assert_allclose(fn(t), written(tf), rtol=1e-13, atol=0)
    assert np.array_equal(fn(t), canonical(tf))          # bit for bit: the form sympy prints


def test_every_schedule_option_takes_text_equal_to_a_callable():
    prob = regret.problem("reddi-stochastic", C=3, delta=0.5, seed=np.arange(3))
    pairs = [
        (dict(schedule="1/t**0.75"), dict(schedule=lambda t: 1 / t ** 0.75)),
        (dict(beta1_schedule="0.9**(t-1)", beta1=0.5), dict(beta1_schedule=lambda t: 0.9 ** (t - 1.0), beta1=0.5)),
    ]
    for name in ("adam", "amsgrad", "adabound"):
        for text_kw, fn_kw in pairs:
            a, b = regret.run(prob, [regret.optimizer(name, convention="theory", **text_kw),
                                     regret.optimizer(name, convention="theory", **fn_kw)], 400)
            assert np.array_equal(a.regret, b.regret), (name, text_kw)
            assert np.array_equal(a.x, b.x)


def test_bounds_use_the_kernels_hyperparameters_and_sweep_in_one_run():
    gam = np.array([0.01, 0.1, 1.0, 10.0])
    prob = regret.problem("reddi-online", C=3)
    text = regret.optimizer("adabound", lower="final_lr*(1 - 1/(gamma*t + 1))", upper="final_lr*(1 + 1/(gamma*t))",
                            gamma=gam, final_lr=0.1, convention="theory", beta2=0.99)
    assert text.batch == 4
    paper = regret.optimizer("adabound", gamma=gam, final_lr=0.1, convention="theory", beta2=0.99)
    a, b = regret.run(prob, [text, paper], 2000, engine="numpy")
    np.testing.assert_allclose(a.regret, b.regret, rtol=1e-12, atol=1e-12)   # paper_band is compiled code
    # a swept parameter of the expression itself (not a kernel hyperparameter)
    s = schedules.as_schedule("a*(1 - 1/(g*t + 1))", "lower", {"a": 0.1, "g": gam})
    assert s.width == 4 and s(np.arange(1, 4)).shape == (3, 4)
    for j, g in enumerate(gam):
        assert np.array_equal(s(np.arange(1, 50))[:, j], 0.1 * (1 - 1 / (g * np.arange(1, 50.0) + 1)))


@pytest.mark.parametrize("spec, fragment", [
    ("adabound:lower=0.1-,upper=0.1,convention=theory", "lower='0.1-' is not a valid expression"),
    ("adabound:lower=foo*t,upper=0.1,convention=theory", "lower='foo*t' uses unknown symbol"),
    ("adabound:lower=__import__('os'),upper=0.1,convention=theory", "not an allowed function"),
    ("adabound:lower=0.1+0.2/t,upper=0.1+0.1/t,convention=theory", "lower(t)=0.3 > upper(t)=0.2 at t=1"),
    ("adabound:lower=0.1-0.1/(t-1),upper=0.2,convention=theory", "lower is not finite at t=1"),
    ("adabound:lower=0.1-0.2/t,upper=0.2,convention=theory", "lower(t)=-0.1 < 0 at t=1"),
    ("adam:schedule=1/sqrt(t) + foo", "schedule='1/sqrt(t) + foo' uses unknown symbol"),
    ("adam:schedule=inv_sqr", "schedule"),
    ("adam:beta1_schedule=2-1/t,beta1=0.9", "beta1_schedule gives beta1_t"),
])
def test_bad_schedules_are_one_line_exit_2(capsys, spec, fragment):
    assert main(["run", "--problem", "reddi-online:C=3", "--optimizer", spec, "--T", "20"]) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1 and "Traceback" not in err


def test_sympy_expressions_are_accepted_like_their_text():
    import sympy as sp

    from proofs.schedule_check import parse

    lo, up = parse("0.1-0.1/(t+1)"), parse("0.1+0.1/t")
    assert isinstance(lo, sp.Expr)
    prob = regret.problem("reddi-online", C=3)
    a, b = regret.run(prob, [regret.optimizer("adabound", lower=lo, upper=up, convention="theory"),
                             regret.optimizer("adabound", lower="0.1-0.1/(t+1)", upper="0.1+0.1/t",
                                              convention="theory")], 300)
    assert np.array_equal(a.regret, b.regret) and np.array_equal(a.eta, b.eta)
    with pytest.raises(TypeError, match="lower"):
        regret.optimizer("adabound", lower=[0.1], upper="0.2", convention="theory")
