"""`regret list`: every registered name with options that the factory really accepts."""
import inspect

import pytest

from regret.cli import main
from regret.kernels import OPTIMIZERS
from regret.problems import PROBLEMS
from regret.spec import parse_spec


def test_list_names_every_registered_optimizer_and_problem(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in [*OPTIMIZERS, *PROBLEMS]:
        assert f"  {name} " in out, name


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_listed_defaults_are_accepted_back_as_options(name, capsys):
    # the listing is the factory's signature: every k=v it shows must parse and build a kernel
    assert main(["list", "optimizers", name]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    shown = first.split(": ", 1)[1]
    params = inspect.signature(OPTIMIZERS[name]).parameters
    pairs = [p for p in shown.split(", ") if "=" in p and "None" not in p]
    assert {p.split("=")[0] for p in pairs} <= set(params)
    spec = name + ":" + ",".join(p.replace("'", "") for p in pairs)
    n, opts = parse_spec(spec, "optimizer")
    OPTIMIZERS[n](**opts)


def test_one_optimizer_shows_the_update_rule_of_its_module(capsys):
    assert main(["list", "optimizer", "adabound"]) == 0
    out = capsys.readouterr().out
    assert "Luo" in out and "η_l(t)" in out
