"""The optimizers every study compares, built in the theory convention of the papers.

    Adam, AMSGrad      α_t = α/√t, β1t = β1, no bias correction, ε = 0  (Reddi et al. 2018, Alg. 1–2)
    SGD                α_t = α/√t                                       (projected online GD)
    AdaBound, AMSBound η_t = Clip(α/√v_t, η_l(t), η_u(t))/√t with the paper's bound functions
                       η_l(t) = α*(1 − 1/(γt+1)), η_u(t) = α*(1 + 1/(γt)), γ = 1 − β2
                                                                        (Luo et al. 2019, Alg. 2)
"""
from __future__ import annotations

from ..kernels import optimizer

NAMES = ("adam", "amsgrad", "sgd", "adabound", "amsbound")
LABELS = {"adam": "Adam", "amsgrad": "AMSGrad", "sgd": "SGD", "adabound": "AdaBound", "amsbound": "AMSBound"}


def kernels(beta1: float, beta2: float, lr: float, final_lr: float | None = None, names=NAMES, **bound_kw):
    """{name: Kernel} for ``names``, all in the theory convention with the same (β1, β2, α).

    final_lr (α*) defaults to α, so AdaBound starts like Adam and ends like SGD with the same α.
    ``bound_kw`` (gamma, lower, upper) go to AdaBound/AMSBound only.
    """
    out = {}
    for name in names:
        if name == "sgd":
            out[name] = optimizer("sgd", lr=lr, convention="theory")
        elif name in ("adabound", "amsbound"):
            out[name] = optimizer(name, beta1=beta1, beta2=beta2, lr=lr,
                                  final_lr=lr if final_lr is None else final_lr, convention="theory",
                                  **bound_kw)
        else:
            out[name] = optimizer(name, beta1=beta1, beta2=beta2, lr=lr, convention="theory")
    return out


def settings(beta1, beta2, lr, final_lr=None, gamma=None) -> dict:
    """The shared hyperparameters as a provenance dict; ``gamma``: the bound functions' γ when a
    study sets it (one entry either way, never a rule beside a number)."""
    return {"convention": "theory (α_t = α/√t, no bias correction, ε = 0)", "beta1": beta1, "beta2": beta2,
            "lr": lr, "final_lr": lr if final_lr is None else final_lr,
            "gamma (bounds)": "1 − β2" if gamma is None else gamma}
