"""Reference trajectories from code no one here wrote: torch.optim, the authors' AdaBound, and
pytorch_optimizer (Ranger with decoupled decay, RAdam skipping steps and their decay).

Run (needs torch, the authors' adabound and pytorch_optimizer; none is a dependency of regret):

    pip install torch==2.13.0 && pip install --no-deps adabound==0.0.5 pytorch_optimizer==4.1.0
    git clone https://github.com/Luolc/AdaBound   # AdaBoundW is in the repository, not in the PyPI release
    python tests/references/make_references.py --adaboundw AdaBound/adabound/adabound.py

``--cases a,b`` recomputes only those cases and merges them into the existing file (the other
cases and their provenance are kept), for a case added without every library at hand.

It writes ``tests/references/trajectories.npz``: one random gradient sequence ``grads`` (T, d), the
start point ``x0`` (d,), and for every case below the reference iterates ``x:<case>`` of shape
(3, T+1, d), one row per configuration, plus ``meta`` (JSON: versions, the case table).
``tests/test_kernels_reference.py`` replays the same gradients through ``regret.replay`` and
compares, from the .npz in CI and against the live libraries when they are installed.

Lookahead has no implementation in torch.optim: its reference is torch's inner optimizer plus
the paper's outer loop (Zhang et al. 2019, Alg. 1) written out below, not regret's kernel.
"""
from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
OUT = HERE / "trajectories.npz"
T, D, SEED = 200, 5, 20240229


@dataclass
class Case:
    """Our kernel ``kernel`` with ``common`` options and per-configuration ``configs`` (our names),
    against ``ref``: which library class and how our options translate into its constructor."""

    kernel: str
    ref: str                      # "torch.<Class>" or "adabound.<Class>"
    configs: list[dict]
    common: dict = field(default_factory=dict)
    lookahead: tuple | None = None  # (k, alpha) applied around the reference optimizer
    ref_only: dict = field(default_factory=dict)  # options of the reference constructor alone


def _torch_kwargs(name: str, cfg: dict) -> dict:
    """Our option names → the reference constructor's (only renames; values are identical)."""
    cfg = dict(cfg)
    out = {}
    if "beta1" in cfg or "beta2" in cfg:
        if name in ("torch.RMSprop",):
            out["alpha"] = cfg.pop("beta2")
        else:
            out["betas"] = (cfg.pop("beta1"), cfg.pop("beta2"))
    if name == "torch.AdamW" or name == "torch.Adam":
        cfg.pop("max_of", None)
    out.update(cfg)
    return out


CASES: dict[str, Case] = {
    "sgd": Case("sgd", "torch.SGD", [{"lr": 0.1}, {"lr": 0.03}, {"lr": 0.3}]),
    "sgd_momentum": Case("sgd", "torch.SGD", [
        {"lr": 0.05, "momentum": 0.9, "dampening": 0.0, "weight_decay": 0.0},
        {"lr": 0.1, "momentum": 0.5, "dampening": 0.3, "weight_decay": 0.01},
        {"lr": 0.02, "momentum": 0.99, "dampening": 0.1, "weight_decay": 0.1}]),
    "sgd_nesterov": Case("sgd", "torch.SGD", [
        {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.0},
        {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.01},
        {"lr": 0.01, "momentum": 0.99, "weight_decay": 0.1}], common={"nesterov": True}),
    "adagrad": Case("adagrad", "torch.Adagrad", [
        {"lr": 0.1, "lr_decay": 0.0, "initial_accumulator_value": 0.0, "eps": 1e-10, "weight_decay": 0.0},
        {"lr": 0.5, "lr_decay": 0.01, "initial_accumulator_value": 0.1, "eps": 1e-6, "weight_decay": 0.01},
        {"lr": 1.0, "lr_decay": 0.1, "initial_accumulator_value": 1.0, "eps": 1e-3, "weight_decay": 0.1}]),
    "rmsprop": Case("rmsprop", "torch.RMSprop", [
        {"lr": 0.01, "beta2": 0.99, "eps": 1e-8, "weight_decay": 0.0},
        {"lr": 0.05, "beta2": 0.9, "eps": 1e-6, "weight_decay": 0.01},
        {"lr": 0.001, "beta2": 0.5, "eps": 1e-3, "weight_decay": 0.1}]),
    "rmsprop_centered_momentum": Case("rmsprop", "torch.RMSprop", [
        {"lr": 0.01, "beta2": 0.99, "eps": 1e-8, "momentum": 0.9},
        {"lr": 0.05, "beta2": 0.9, "eps": 1e-6, "momentum": 0.5},
        {"lr": 0.001, "beta2": 0.5, "eps": 1e-3, "momentum": 0.0}], common={"centered": True}),
    "adadelta": Case("adadelta", "torch.Adadelta", [
        {"lr": 1.0, "rho": 0.9, "eps": 1e-6, "weight_decay": 0.0},
        {"lr": 0.5, "rho": 0.99, "eps": 1e-4, "weight_decay": 0.01},
        {"lr": 2.0, "rho": 0.5, "eps": 1e-8, "weight_decay": 0.1}]),
    "adam": Case("adam", "torch.Adam", [
        {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
        {"lr": 1e-2, "beta1": 0.0, "beta2": 0.9, "eps": 1e-6},
        {"lr": 5e-2, "beta1": 0.99, "beta2": 0.5, "eps": 1e-3}]),
    "adam_l2": Case("adam", "torch.Adam", [
        {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01},
        {"lr": 1e-2, "beta1": 0.5, "beta2": 0.9, "eps": 1e-6, "weight_decay": 0.1},
        {"lr": 5e-2, "beta1": 0.99, "beta2": 0.5, "eps": 1e-3, "weight_decay": 1.0}]),
    "adamw": Case("adamw", "torch.AdamW", [
        {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01},
        {"lr": 1e-2, "beta1": 0.5, "beta2": 0.9, "eps": 1e-6, "weight_decay": 0.1},
        {"lr": 5e-2, "beta1": 0.99, "beta2": 0.5, "eps": 1e-3, "weight_decay": 1.0}]),
    "adamw_amsgrad": Case("adamw", "torch.AdamW", [
        {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01},
        {"lr": 1e-2, "beta1": 0.5, "beta2": 0.9, "eps": 1e-6, "weight_decay": 0.1},
        {"lr": 5e-2, "beta1": 0.99, "beta2": 0.5, "eps": 1e-3, "weight_decay": 1.0}], common={"amsgrad": True}),
    "amsgrad": Case("amsgrad", "torch.Adam", [
        {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
        {"lr": 1e-2, "beta1": 0.0, "beta2": 0.9, "eps": 1e-6},
        {"lr": 5e-2, "beta1": 0.99, "beta2": 0.5, "eps": 1e-3}], common={"amsgrad": True}),
    "radam": Case("radam", "torch.RAdam", [
        {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0},
        {"lr": 1e-2, "beta1": 0.5, "beta2": 0.9, "eps": 1e-6, "weight_decay": 0.01},
        # ρ∞ = 5.67: ρ_t crosses the threshold 5 late; the fallback runs for many steps
        {"lr": 5e-2, "beta1": 0.99, "beta2": 0.7, "eps": 1e-3, "weight_decay": 0.1}]),
    "radam_decoupled": Case("radam", "torch.RAdam", [
        {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01},
        {"lr": 1e-2, "beta1": 0.5, "beta2": 0.9, "eps": 1e-6, "weight_decay": 0.1},
        {"lr": 5e-2, "beta1": 0.99, "beta2": 0.7, "eps": 1e-3, "weight_decay": 1.0}],
        common={"decoupled": True}),
    "adabound": Case("adabound", "adabound.AdaBound", [
        {"lr": 1e-3, "final_lr": 0.1, "gamma": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0},
        {"lr": 1e-2, "final_lr": 0.05, "gamma": 0.1, "beta1": 0.5, "beta2": 0.9, "eps": 1e-6, "weight_decay": 0.01},
        {"lr": 0.5, "final_lr": 0.01, "gamma": 0.5, "beta1": 0.99, "beta2": 0.5, "eps": 1e-3, "weight_decay": 0.1}]),
    "amsbound": Case("amsbound", "adabound.AdaBound", [
        {"lr": 1e-3, "final_lr": 0.1, "gamma": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0},
        {"lr": 1e-2, "final_lr": 0.05, "gamma": 0.1, "beta1": 0.5, "beta2": 0.9, "eps": 1e-6, "weight_decay": 0.01},
        {"lr": 0.5, "final_lr": 0.01, "gamma": 0.5, "beta1": 0.99, "beta2": 0.5, "eps": 1e-3, "weight_decay": 0.1}],
        common={"amsbound": True}),
    "adaboundw": Case("adaboundw", "adabound.AdaBoundW", [
        {"lr": 1e-3, "final_lr": 0.1, "gamma": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0},
        {"lr": 1e-2, "final_lr": 0.05, "gamma": 0.1, "beta1": 0.5, "beta2": 0.9, "eps": 1e-6, "weight_decay": 0.01},
        {"lr": 0.5, "final_lr": 0.01, "gamma": 0.5, "beta1": 0.99, "beta2": 0.5, "eps": 1e-3, "weight_decay": 0.1}]),
    "amsboundw": Case("amsboundw", "adabound.AdaBoundW", [
        {"lr": 1e-3, "final_lr": 0.1, "gamma": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0},
        {"lr": 1e-2, "final_lr": 0.05, "gamma": 0.1, "beta1": 0.5, "beta2": 0.9, "eps": 1e-6, "weight_decay": 0.01},
        {"lr": 0.5, "final_lr": 0.01, "gamma": 0.5, "beta1": 0.99, "beta2": 0.5, "eps": 1e-3, "weight_decay": 0.1}],
        common={"amsbound": True}),
    "lookahead_adam": Case("lookahead", "torch.Adam", [
        {"lr": 1e-2, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
        {"lr": 5e-2, "beta1": 0.5, "beta2": 0.9, "eps": 1e-6},
        {"lr": 1e-1, "beta1": 0.0, "beta2": 0.5, "eps": 1e-3}], common={"inner": "adam"}, lookahead=(5, 0.5)),
    "lookahead_sgd_momentum": Case("lookahead", "torch.SGD", [
        {"lr": 0.05, "momentum": 0.9}, {"lr": 0.1, "momentum": 0.5}, {"lr": 0.02, "momentum": 0.0}],
        common={"inner": "sgd"}, lookahead=(3, 0.8)),
    "ranger": Case("ranger", "torch.RAdam", [
        {"lr": 1e-3, "beta1": 0.95, "beta2": 0.999, "eps": 1e-5},
        {"lr": 1e-2, "beta1": 0.5, "beta2": 0.9, "eps": 1e-6},
        {"lr": 5e-2, "beta1": 0.9, "beta2": 0.7, "eps": 1e-3}], lookahead=(6, 0.5)),
    # Ranger's decay is decoupled, lr·λ·x on every step (the release; pytorch_optimizer's Ranger,
    # whose Lookahead k = 6, α = 0.5 is built in; gradient centralization is off for 1-d tensors
    # anyway, and its SGD fallback is the release's degenerated_to_sgd=True)
    "ranger_weight_decay": Case("ranger", "pytorch_optimizer.Ranger", [
        {"lr": 1e-3, "beta1": 0.95, "beta2": 0.999, "eps": 1e-5, "weight_decay": 0.1},
        {"lr": 1e-2, "beta1": 0.5, "beta2": 0.9, "eps": 1e-6, "weight_decay": 0.01},
        {"lr": 5e-2, "beta1": 0.9, "beta2": 0.7, "eps": 1e-3, "weight_decay": 1.0}],
        ref_only={"degenerated_to_sgd": True, "use_gc": False, "n_sma_threshold": 5}),
    # RAdam skipping the steps with ρ_t below 5 (degenerated_to_sgd=False): no step and no decay
    "radam_skip_decoupled": Case("radam", "pytorch_optimizer.RAdam", [
        {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.1},
        {"lr": 1e-2, "beta1": 0.5, "beta2": 0.9, "eps": 1e-6, "weight_decay": 0.01},
        {"lr": 5e-2, "beta1": 0.99, "beta2": 0.7, "eps": 1e-3, "weight_decay": 1.0}],
        common={"decoupled": True, "fallback": "skip"}, ref_only={"n_sma_threshold": 5}),
}

# options of ours that the reference constructor does not take
_OURS_ONLY = {"inner"}


def gradients() -> tuple[np.ndarray, np.ndarray]:
    """A random gradient sequence (T, d) with very different coordinate scales, a sparse coordinate
    (zero 70% of the time, so moments start at 0 and adaptive rates meet ε) and bursts; x0 (d,)."""
    rng = np.random.default_rng(SEED)
    scale = np.array([1e-3, 0.1, 1.0, 10.0, 1.0])
    g = rng.standard_normal((T, D)) * scale
    g[:, 4] *= rng.random(T) < 0.3
    burst = rng.random(T) < 0.05
    g[burst] *= 50.0
    x0 = rng.standard_normal(D)
    return g, x0


def our_options(case: Case) -> dict:
    """Options of regret.optimizer(case.kernel, ...): batched over the three configurations.

    ``amsbound``/``amsgrad`` flags of the references are our kernels' names (amsbound, amsgrad)
    except for adamw, which takes ``amsgrad`` as torch.optim.AdamW does."""
    keys = sorted(set().union(*case.configs))
    opts = {k: np.array([c[k] for c in case.configs], dtype=float) for k in keys}
    common = {k: v for k, v in case.common.items()
              if k != "amsbound" and not (k == "amsgrad" and case.kernel != "adamw")}
    if case.lookahead is not None:
        opts["k"], opts["alpha"] = case.lookahead
    opts.update(common)
    return opts


def _reference_class(ref: str, adaboundw_path: str | None):
    lib, cls = ref.split(".")
    if lib == "pytorch_optimizer":
        import pytorch_optimizer

        return getattr(pytorch_optimizer, cls)
    if lib == "torch":
        import torch

        return getattr(torch.optim, cls)
    if cls == "AdaBoundW":
        if adaboundw_path is None:
            return None
        spec = importlib.util.spec_from_file_location("adabound_repository", adaboundw_path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod.AdaBoundW
    import adabound

    return getattr(adabound, cls)


def reference_trajectory(case: Case, cfg: dict, grads: np.ndarray, x0: np.ndarray, adaboundw_path=None):
    """Iterates (T+1, d) of the reference library fed ``grads`` from ``x0``, or None if unavailable."""
    import warnings

    import torch

    cls = _reference_class(case.ref, adaboundw_path)
    if cls is None:
        return None
    kw = {k: v for k, v in case.common.items() if k not in _OURS_ONLY}
    kw.update(_torch_kwargs(case.ref, cfg))
    if case.ref.startswith("pytorch_optimizer."):
        if "decoupled" in kw:
            kw["weight_decouple"] = kw.pop("decoupled")
        if "fallback" in kw:
            kw["degenerated_to_sgd"] = kw.pop("fallback") == "sgd"
    elif "decoupled" in kw:
        kw["decoupled_weight_decay"] = kw.pop("decoupled")
    kw.update(case.ref_only)
    p = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = cls([p], **kw)
    slow = p.detach().clone()
    xs = [p.detach().numpy().copy()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the release's deprecated torch signatures
        for t in range(1, len(grads) + 1):
            p.grad = torch.tensor(grads[t - 1], dtype=torch.float64)
            opt.step()
            if case.lookahead is not None and t % case.lookahead[0] == 0:
                with torch.no_grad():  # Zhang et al. 2019, Alg. 1: φ ← φ + α(θ − φ); θ ← φ
                    slow += case.lookahead[1] * (p.detach() - slow)
                    p.copy_(slow)
            xs.append(p.detach().numpy().copy())
    return np.array(xs)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adaboundw", metavar="PATH", help="adabound/adabound.py of github.com/Luolc/AdaBound")
    parser.add_argument("--out", default=str(OUT))
    parser.add_argument("--cases", help="comma-separated case names: recompute only these, merge into --out")
    args = parser.parse_args(argv)
    import torch

    grads, x0 = gradients()
    arrays = {"grads": grads, "x0": x0}
    done = []
    only = None
    if args.cases:
        only = [c.strip() for c in args.cases.split(",") if c.strip()]
        unknown = sorted(set(only) - set(CASES))
        if unknown:
            parser.error(f"--cases: unknown case(s) {', '.join(unknown)}")
        old = np.load(args.out, allow_pickle=False)
        np.testing.assert_array_equal(old["grads"], grads)
        arrays.update({k: old[k] for k in old.files if k.startswith("x:") and k[2:] not in only})
        old_meta = json.loads(str(old["meta"]))
    for name, case in CASES.items():
        if only is not None and name not in only:
            continue
        xs = [reference_trajectory(case, cfg, grads, x0, args.adaboundw) for cfg in case.configs]
        if any(x is None for x in xs):
            print(f"skip {name}: {case.ref} not available", file=sys.stderr)
            continue
        arrays[f"x:{name}"] = np.stack(xs)
        done.append(name)
    try:
        import adabound
    except ImportError:
        adabound = None

    meta = {"T": T, "d": D, "seed": SEED, "torch": torch.__version__,
            "adabound": getattr(adabound, "__version__", "0.0.5 (PyPI)"),
            "adaboundw": "github.com/Luolc/AdaBound adabound/adabound.py" if args.adaboundw else None,
            "cases": {n: {"kernel": CASES[n].kernel, "ref": CASES[n].ref, "configs": CASES[n].configs,
                          "common": CASES[n].common, "lookahead": CASES[n].lookahead} for n in done}}
    try:
        meta["pytorch_optimizer"] = importlib.metadata.version("pytorch_optimizer")
    except importlib.metadata.PackageNotFoundError:
        pass
    if only is not None:  # keep the provenance of the cases not recomputed
        meta = {**old_meta, **{k: v for k, v in meta.items() if k not in ("cases", "adabound", "adaboundw")},
                "cases": {**old_meta["cases"], **meta["cases"]}}
        done = list(meta["cases"])
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez_compressed(args.out, **arrays)
    print(f"wrote {args.out}: {len(done)} cases")


if __name__ == "__main__":
    main()
