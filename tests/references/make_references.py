"""Reference trajectories from code no one here wrote: torch.optim and the authors' AdaBound.

Run (needs torch and the authors' adabound; neither is a dependency of regret):

    pip install torch==2.13.0 && pip install --no-deps adabound==0.0.5
    git clone https://github.com/Luolc/AdaBound   # AdaBoundW is in the repository, not in the PyPI release
    python tests/references/make_references.py --adaboundw AdaBound/adabound/adabound.py

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
    if "decoupled" in kw:
        kw["decoupled_weight_decay"] = kw.pop("decoupled")
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
    args = parser.parse_args(argv)
    import torch

    grads, x0 = gradients()
    arrays = {"grads": grads, "x0": x0}
    done = []
    for name, case in CASES.items():
        xs = [reference_trajectory(case, cfg, grads, x0, args.adaboundw) for cfg in case.configs]
        if any(x is None for x in xs):
            print(f"skip {name}: {case.ref} not available", file=sys.stderr)
            continue
        arrays[f"x:{name}"] = np.stack(xs)
        done.append(name)
    import adabound

    meta = {"T": T, "d": D, "seed": SEED, "torch": torch.__version__,
            "adabound": getattr(adabound, "__version__", "0.0.5 (PyPI)"),
            "adaboundw": "github.com/Luolc/AdaBound adabound/adabound.py" if args.adaboundw else None,
            "cases": {n: {"kernel": CASES[n].kernel, "ref": CASES[n].ref, "configs": CASES[n].configs,
                          "common": CASES[n].common, "lookahead": CASES[n].lookahead} for n in done}}
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez_compressed(args.out, **arrays)
    print(f"wrote {args.out}: {len(done)} cases")


if __name__ == "__main__":
    main()
