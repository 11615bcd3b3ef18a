"""Optimizer kernels (one module per family) and the registry that builds them by name.

``optimizer(name, **hparams)`` is the single entry point used by the CLI, the studies and the
registry-driven generic tests.
"""
from __future__ import annotations

from typing import Callable

from .. import checks
from .adabound import adabound, amsbound
from .adam import adam, amsgrad
from .base import CONVENTIONS, Kernel
from .sgd import sgd

OPTIMIZERS: dict[str, Callable[..., Kernel]] = {
    "sgd": sgd,
    "adam": adam,
    "amsgrad": amsgrad,
    "adabound": adabound,
    "amsbound": amsbound,
}


def optimizer(name: str, **hparams) -> Kernel:
    """Build a registered kernel, e.g. ``optimizer("adam", beta1=0, convention="theory")``."""
    checks.choice("optimizer", name, OPTIMIZERS)
    factory = OPTIMIZERS[name]
    checks.keywords("optimizer", name, factory, hparams)
    return factory(**hparams)


__all__ = ["OPTIMIZERS", "optimizer", "Kernel", "CONVENTIONS", "sgd", "adam", "amsgrad", "adabound",
           "amsbound"]
