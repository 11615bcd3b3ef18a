"""Registration (regret.register_optimizer / register_problem) and the CLI's --plugin."""
import textwrap

import numpy as np
import pytest

import regret
from regret import plugins
from regret.cli import main

PLUGIN = '''
import numpy as np
from numba.extending import register_jitable
import regret

@register_jitable
def halfstep_rule(x, g, lr_t):
    return x - 0.5 * lr_t * g, 0.5 * lr_t

def halfstep(lr=0.1):
    lr_a = np.atleast_1d(np.asarray(lr, dtype=np.float64))
    return regret.Kernel(name="halfstep", rule=halfstep_rule, state_names=(), coeff_names=("lr_t",),
                         coeff_fn=lambda t: (np.broadcast_to(lr_a[None, :], (len(t), len(lr_a))),),
                         param_names=(), params=(), hparams={"lr": lr_a}, convention="practical",
                         batch=len(lr_a))

regret.register_optimizer("halfstep-{tag}", halfstep)
regret.register_problem("constant-{tag}", lambda g=1.0: regret.problem("periodic", pattern=[g]))
'''


@pytest.fixture
def registries():
    """Leave the registries as they were (the generic tests run every entry)."""
    before = dict(regret.OPTIMIZERS), dict(regret.PROBLEMS)
    yield
    for reg, old in zip((regret.OPTIMIZERS, regret.PROBLEMS), before):
        reg.clear()
        reg.update(old)
    plugins._LOADED.clear()


def _write(tmp_path, tag):
    path = tmp_path / f"plugin_{tag}.py"
    path.write_text(textwrap.dedent(PLUGIN.replace("{tag}", tag)))
    return path


def test_register_through_the_api(registries):
    from regret.kernels import sgd

    regret.register_optimizer("my-sgd", sgd)
    k = regret.optimizer("my-sgd", lr=0.2)
    assert k.name == "sgd" and "my-sgd" in regret.OPTIMIZERS
    regret.register_optimizer("my-sgd", sgd)                      # re-running a cell replaces it
    with pytest.raises(ValueError, match="built-in"):
        regret.register_optimizer("adam", sgd)
    with pytest.raises(ValueError, match="name="):
        regret.register_problem("a:b", regret.problems.Quadratic)
    with pytest.raises(TypeError, match="callable"):
        regret.register_problem("nothing", 3)


def test_plugin_file_through_the_cli(tmp_path, registries, capsys):
    path = _write(tmp_path, "file")
    # x_{t+1} = x_t − 0.05·g on the constant gradient g = 1 from x0 = 1 (the box's top): after
    # 10 steps x = 0.5, computed here by hand
    code = main(["run", "--plugin", str(path), "--problem", "constant-file:g=1", "--optimizer", "halfstep-file:lr=0.1",
                 "--T", "10", "--json"])
    assert code == 0
    import json

    out = json.loads(capsys.readouterr().out)
    assert out["runs"][0]["x_final"] == pytest.approx([0.5])
    assert main(["--plugin", str(path), "list", "optimizers"]) == 0
    assert "halfstep-file" in capsys.readouterr().out


def test_plugin_module_name_through_the_cli(tmp_path, registries, monkeypatch, capsys):
    _write(tmp_path, "mod")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert main(["--plugin=plugin_mod", "run", "--problem", "constant-mod", "--optimizer", "halfstep-mod",
                 "--T", "5"]) == 0
    row = capsys.readouterr().out.splitlines()[1].split()
    assert row[0] == "halfstep" and float(row[1]) == pytest.approx(1 - 5 * 0.05)   # 5 steps of 0.05


@pytest.mark.parametrize("spec, needle", [
    ("no_such_module_xyz", "No module named"),
    ("missing/file.py", "no such file"),
])
def test_bad_plugin_is_one_line_and_status_2(spec, needle, registries, capsys):
    assert main(["--plugin", spec, "list"]) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err


def test_plugin_that_raises_is_one_line(tmp_path, registries, capsys):
    bad = tmp_path / "broken.py"
    bad.write_text("raise RuntimeError('boom')\n")
    assert main(["--plugin", str(bad), "list"]) == 2
    err = capsys.readouterr().err
    assert "RuntimeError: boom" in err and err.count("\n") == 1


def test_unregistered_name_without_plugin_is_a_usage_error(capsys):
    assert main(["run", "--problem", "constant-nope", "--optimizer", "sgd", "--T", "3"]) == 2
    assert "problem='constant-nope'" in capsys.readouterr().err


def test_storage_save_is_top_level(tmp_path):
    [res] = regret.run(regret.problem("reddi-online", C=3), [regret.optimizer("sgd")], T=50)
    path = regret.save(tmp_path / "r.json", [res])
    assert np.array_equal(regret.load(path).results[0].regret, res.regret)
