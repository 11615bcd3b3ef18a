"""Adding an optimizer is one small file plus one registry line: a toy kernel defined here, registered
with ``regret.register_optimizer``, runs through both engines (against a plain loop typed here) and
through the registry-driven generic suite (tests/test_registry.py) like a built-in one.  The same for
a problem with ``regret.register_problem``.

The toy is gradient-clipped projected SGD:  x_{t+1} = Π_F(x_t − α_t·clip(g_t, −c, c)),  η_t = α_t,
α_t = lr (practical) or lr/√t (theory).
"""
import numpy as np
import pytest

import regret
import test_registry as generic
from regret.kernels.base import Kernel, batch_of, hyper, jitable, resolve_convention

NAME = "toy-clipped-sgd"


@jitable
def clipped_rule(x, g, lr_t, c):
    return x - lr_t * np.minimum(np.maximum(g, -c), c), lr_t


def clipped_sgd(lr=0.01, clip=1.0, convention="practical") -> Kernel:
    """Gradient-clipped SGD (the module docstring has the rule)."""
    theory = resolve_convention(convention)["schedule"] == "inv_sqrt"
    lr_a, c = hyper("lr", lr, 0, lo_open=True), hyper("clip", clip, 0, lo_open=True)

    def coeff_fn(t):
        scale = 1.0 / np.sqrt(t) if theory else np.ones(len(t))
        return (scale[:, None] * lr_a[None, :],)

    return Kernel(name=NAME, rule=clipped_rule, state_names=(), coeff_names=("lr_t",), coeff_fn=coeff_fn,
                  param_names=("clip",), params=(c,), hparams={"lr": lr_a, "clip": c}, convention=convention,
                  batch=batch_of(lr=lr_a, clip=c))


@pytest.fixture
def registered():
    regret.register_optimizer(NAME, clipped_sgd)        # the one registry line
    yield NAME
    regret.OPTIMIZERS.pop(NAME)                          # leave the registry as the other tests expect it


def _plain_loop(C, lr, clip, T, theory):
    """Reddi's period-3 problem (C·x at t mod 3 = 1, else −x, on [−1, 1], x_1 = 1), by hand."""
    x, loss, G = 1.0, 0.0, 0.0
    for t in range(1, T + 1):
        g = C if t % 3 == 1 else -1.0
        loss += g * x
        G += g
        a = lr / np.sqrt(t) if theory else lr
        x = min(max(x - a * min(max(g, -clip), clip), -1.0), 1.0)
    return x, loss - min(-G, G)


@pytest.mark.parametrize("convention", ["practical", "theory"])
@pytest.mark.parametrize("engine", ["numpy", "fused"])
def test_toy_kernel_runs_through_both_engines(registered, engine, convention):
    lrs, clip, T = [0.01, 0.1, 0.5], 2.0, 3001
    k = regret.optimizer(registered, lr=lrs, clip=clip, convention=convention)
    res = regret.run(regret.problem("reddi-online", C=3.0), k, T, engine=engine)
    assert res.engine == engine and res.optimizer == NAME
    for b, lr in enumerate(lrs):
        x, R = _plain_loop(3.0, lr, clip, T, convention == "theory")
        assert res.x_final[b, 0] == pytest.approx(x, rel=1e-12, abs=1e-12)
        assert res.regret_final[b] == pytest.approx(R, rel=1e-12, abs=1e-9)
    # clipping binds (C = 3 > clip = 2): the toy is not plain SGD, so the loop above can tell them apart
    sgd = regret.run(regret.problem("reddi-online", C=3.0), regret.optimizer("sgd", lr=lrs, convention=convention), T,
                     engine=engine)
    assert not np.allclose(sgd.regret_final, res.regret_final)


@pytest.mark.parametrize("convention", ["practical", "theory"])
def test_toy_kernel_passes_the_generic_registry_suite(registered, convention):
    assert registered in regret.OPTIMIZERS
    generic.test_state_shapes_are_stable(registered, convention)
    if convention == "practical":
        generic.test_batch_equals_separate_runs(registered)
        generic.test_same_seed_same_result(registered)
        generic.test_converges_on_the_quadratic(registered)


def test_registration_refuses_bad_entries(registered):
    with pytest.raises(ValueError, match="name='adam' is a built-in optimizer"):
        regret.register_optimizer("adam", clipped_sgd)
    with pytest.raises(ValueError, match="name='a b' must be a non-empty string without spaces"):
        regret.register_optimizer("a b", clipped_sgd)
    with pytest.raises(TypeError, match="factory=3 must be callable"):
        regret.register_problem("toy-problem", 3)
    assert "toy-problem" not in regret.PROBLEMS


def test_a_registered_problem_is_built_by_name():
    def sawtooth(lo=-1.0, hi=1.0):
        """g_t = 2, −1, −1, … (period 3) on [lo, hi]: Reddi's construction with C = 2 as a pattern."""
        return regret.problems.Periodic([2.0, -1.0, -1.0], lo=lo, hi=hi, name="toy-sawtooth")

    regret.register_problem("toy-sawtooth", sawtooth)
    try:
        p = regret.problem("toy-sawtooth", hi=0.5)
        assert p.name == "toy-sawtooth" and p.G_inf.tolist() == [2.0] and p.D_inf == 1.5
        res = regret.run(p, regret.optimizer("sgd", lr=0.1), 30)
        with pytest.raises(ValueError, match="has no parameter 'C'; allowed: lo, hi"):
            regret.problem("toy-sawtooth", C=3)
        ref = regret.run(regret.problems.Periodic([2.0, -1.0, -1.0], hi=0.5), regret.optimizer("sgd", lr=0.1), 30)
        np.testing.assert_array_equal(res.regret, ref.regret)
    finally:
        regret.PROBLEMS.pop("toy-sawtooth")


def test_the_kernel_in_docs_architecture_is_this_one():
    # the optimizer docs/ARCHITECTURE.md shows, executed as written (its relative import made
    # absolute), gives the toy's numbers: the page cannot drift from working code
    from pathlib import Path

    doc = (Path(__file__).parent.parent / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    block = doc.split("# regret/kernels/clipped_sgd.py\n", 1)[1].split("```", 1)[0]
    namespace = {"__name__": "architecture_doc"}
    exec(block.replace("from .base import", "from regret.kernels.base import"), namespace)  # noqa: S102
    problem = regret.problem("reddi-online", C=3.0)
    for convention in ("practical", "theory"):
        doc_k = namespace["clipped_sgd"](lr=[0.01, 0.5], clip=2.0, convention=convention)
        ours = clipped_sgd(lr=[0.01, 0.5], clip=2.0, convention=convention)
        a = regret.run(problem, doc_k, 600, engine="numpy")
        b = regret.run(problem, ours, 600, engine="numpy")
        np.testing.assert_array_equal(a.regret, b.regret)
        np.testing.assert_array_equal(a.x, b.x)
