"""Every practical kernel against code no one here wrote: torch.optim, the authors' AdaBound and
pytorch_optimizer (Ranger's decoupled decay; RAdam's skipped steps, which skip the decay too).

The committed ``references/trajectories.npz`` holds the iterates that torch.optim 2.13 (SGD,
momentum, Nesterov, Adagrad, RMSprop, Adadelta, Adam, AdamW, Adam(amsgrad=True), RAdam), the
authors' AdaBound release (AdaBound, AMSBound) and their repository's AdaBoundW produced on one
random gradient sequence (``references/make_references.py``), so the comparison runs in CI
without those packages; when they are installed, the live tests recompute the references and
compare both.  Tolerance: 1e-10 relative, float64, on every iterate of 200 steps.
"""
import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest

import regret

sys.path.insert(0, str(Path(__file__).resolve().parent / "references"))
import make_references as refs  # noqa: E402

DATA = np.load(Path(refs.OUT), allow_pickle=False)
META = json.loads(str(DATA["meta"]))
RTOL = 1e-10


def _ours(name: str) -> np.ndarray:
    """Our iterates, (3, T+1, d): the three configurations of the case as one batched kernel."""
    case = refs.CASES[name]
    kernel = regret.optimizer(case.kernel, **refs.our_options(case))
    assert kernel.batch == len(case.configs)
    xs = regret.replay(kernel, DATA["grads"], DATA["x0"])
    return np.transpose(xs, (1, 0, 2))


def _close(ours, ref, what):
    scale = np.max(np.abs(ref), axis=1, keepdims=True)  # per configuration and coordinate
    np.testing.assert_allclose(ours, ref, rtol=RTOL, atol=RTOL * 1e-3 * scale.max(), err_msg=what)
    rel = np.max(np.abs(ours - ref) / np.maximum(np.abs(ref), 1e-3 * scale))
    assert rel < RTOL, (what, rel)


def test_the_committed_references_cover_every_practical_kernel():
    covered = {META["cases"][n]["kernel"] for n in META["cases"]}
    assert covered >= {"sgd", "adagrad", "rmsprop", "adadelta", "adam", "adamw", "amsgrad", "radam", "adabound",
                       "amsbound", "adaboundw", "amsboundw", "lookahead", "ranger"}
    assert set(META["cases"]) == set(refs.CASES)
    refs_used = {c["ref"] for c in META["cases"].values()}
    assert {"torch.SGD", "torch.Adagrad", "torch.RMSprop", "torch.Adadelta", "torch.Adam", "torch.AdamW",
            "torch.RAdam", "adabound.AdaBound", "adabound.AdaBoundW", "pytorch_optimizer.Ranger",
            "pytorch_optimizer.RAdam"} <= refs_used
    assert DATA["grads"].shape == (refs.T, refs.D)


@pytest.mark.parametrize("name", sorted(refs.CASES))
def test_kernel_matches_committed_reference(name):
    assert META["cases"][name]["configs"] == refs.CASES[name].configs, "case table changed: regenerate"
    ref = DATA[f"x:{name}"]
    ours = _ours(name)
    assert ours.shape == ref.shape
    # the references really move: a kernel that did nothing would not pass by accident
    assert np.all(np.max(np.abs(ref[:, -1] - ref[:, 0]), axis=-1) > 1e-3)
    _close(ours, ref, name)


@pytest.mark.parametrize("name", sorted(refs.CASES))
def test_kernel_matches_live_library(name):
    pytest.importorskip("torch")
    case = refs.CASES[name]
    path = None
    if case.ref.startswith("pytorch_optimizer."):
        pytest.importorskip("pytorch_optimizer")
    if case.ref.startswith("adabound."):
        pytest.importorskip("adabound")
        if case.ref.endswith("AdaBoundW"):
            path = os.environ.get("REGRET_ADABOUNDW_SOURCE")
            if not path:
                pytest.skip("AdaBoundW is not in the PyPI release; set REGRET_ADABOUNDW_SOURCE to the "
                            "authors' adabound/adabound.py")
    grads, x0 = refs.gradients()
    np.testing.assert_array_equal(grads, DATA["grads"])
    live = np.stack([refs.reference_trajectory(case, cfg, grads, x0, path) for cfg in case.configs])
    _close(_ours(name), live, name + " (live)")
    _close(DATA[f"x:{name}"], live, name + " (committed file vs live library)")


def test_a_wrong_option_is_caught():
    # the comparison is sharp enough to see the by-design differences it must not hide:
    # torch.optim.Adam puts ε after the corrected root; RAdam's ε on the raw root would differ
    case = refs.CASES["adam"]
    opts = refs.our_options(case)
    k = regret.optimizer("adam", eps_inside=True, **opts)
    ours = np.transpose(regret.replay(k, DATA["grads"], DATA["x0"]), (1, 0, 2))
    with pytest.raises(AssertionError):
        _close(ours, DATA["x:adam"], "adam with eps inside the root")
    # and AMSGrad's max of corrected v is not torch's max of raw v
    k = regret.optimizer("amsgrad", max_of="corrected", **refs.our_options(refs.CASES["amsgrad"]))
    ours = np.transpose(regret.replay(k, DATA["grads"], DATA["x0"]), (1, 0, 2))
    with pytest.raises(AssertionError):
        _close(ours, DATA["x:amsgrad"], "amsgrad max of corrected v")


def test_ranger_decay_is_decoupled_not_in_the_gradient():
    # the same Ranger with λx in the gradient (radam's coupled default) misses pytorch_optimizer's
    # trajectory by far more than the tolerance: the comparison sees the coupling
    case = refs.CASES["ranger_weight_decay"]
    opts = refs.our_options(case)
    inner = {k: v for k, v in opts.items() if k not in ("k", "alpha")}
    coupled = regret.optimizer("lookahead", inner="radam", k=6, alpha=0.5, eps=opts["eps"], threshold=5.0,
                               **{k: v for k, v in inner.items() if k != "eps"})
    ours = np.transpose(regret.replay(coupled, DATA["grads"], DATA["x0"]), (1, 0, 2))
    ref = DATA["x:ranger_weight_decay"]
    with pytest.raises(AssertionError):
        _close(ours, ref, "ranger with coupled decay")
    # at λ = 0.1 (configuration 0) the two differ by a sizeable fraction of the distance travelled
    moved = np.abs(ref[0, -1] - ref[0, 0])
    assert np.max(np.abs(ours[0, -1] - ref[0, -1]) / np.maximum(moved, 1e-12)) > 0.05


def test_radam_skip_moves_nothing_while_rho_is_below_the_threshold():
    # a plain reading of the rule: with fallback="skip", x stays at x0 (no step, no decay) for every
    # t with ρ_t ≤ 5, ρ_t = ρ∞ − 2tβ2^t/(1 − β2^t) computed here in a loop
    beta2, wd = 0.999, 0.5
    k = regret.optimizer("radam", lr=0.01, beta1=0.9, beta2=beta2, weight_decay=wd, decoupled=True, fallback="skip")
    xs = regret.replay(k, DATA["grads"][:20], DATA["x0"])            # (21, d)
    rho_inf = 2 / (1 - beta2) - 1
    skipped = [t for t in range(1, 21) if rho_inf - 2 * t * beta2 ** t / (1 - beta2 ** t) <= 5]
    assert skipped == list(range(1, skipped[-1] + 1)) and len(skipped) >= 4
    for t in skipped:
        np.testing.assert_array_equal(xs[t], DATA["x0"])          # x_{t+1} after t skipped steps
    assert np.all(xs[skipped[-1] + 1] != DATA["x0"])
