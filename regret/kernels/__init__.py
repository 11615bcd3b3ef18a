"""Optimizer kernels (one module per family) and the registry that builds them by name.

``optimizer(name, **hparams)`` is the single entry point used by the CLI, the studies and the
registry-driven generic tests (tests/test_registry.py runs every entry of ``OPTIMIZERS``).

    sgd (plain / momentum / Nesterov)   sgd.py        adagrad        adagrad.py
    rmsprop                             rmsprop.py    adadelta       adadelta.py
    adam, amsgrad, adamw                adam.py       radam          radam.py
    adabound, amsbound, adaboundw, amsboundw          adabound.py
    lookahead (over any kernel), ranger (lookahead over radam)       lookahead.py
"""
from __future__ import annotations

from typing import Callable

from .. import checks
from .adabound import adabound, adaboundw, amsbound, amsboundw
from .adadelta import adadelta
from .adagrad import adagrad
from .adam import adam, adamw, amsgrad
from .base import CONVENTIONS, Kernel
from .lookahead import lookahead, ranger
from .radam import radam
from .rmsprop import rmsprop
from .sgd import sgd

OPTIMIZERS: dict[str, Callable[..., Kernel]] = {
    "sgd": sgd,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adadelta": adadelta,
    "adam": adam,
    "adamw": adamw,
    "amsgrad": amsgrad,
    "adabound": adabound,
    "amsbound": amsbound,
    "adaboundw": adaboundw,
    "amsboundw": amsboundw,
    "radam": radam,
    "lookahead": lookahead,
    "ranger": ranger,
}


def optimizer(name: str, **hparams) -> Kernel:
    """Build a registered kernel, e.g. ``optimizer("adam", beta1=0, convention="theory")``."""
    return checks.build("optimizer", name, OPTIMIZERS, hparams)


_BUILTIN_OPTIMIZERS = frozenset(OPTIMIZERS)


def register_optimizer(name: str, factory: Callable[..., Kernel]) -> None:
    """Add ``factory`` to ``OPTIMIZERS`` under ``name``: from then on ``regret.optimizer(name, **options)``,
    ``--optimizer name:k=v`` (with ``--plugin``), ``regret list`` and the registry-driven tests
    know it.  ``factory(**options)`` must return a ``Kernel`` (the contract: docs/EXTENDING.md).

    A built-in name cannot be replaced (ValueError); registering a user's name again replaces it,
    so a notebook cell or a plugin can be re-run.
    """
    if not isinstance(name, str) or not name or any(c in name for c in ":,=[] "):
        raise ValueError(f"name={name!r} must be a non-empty string without spaces or any of : , = [ ]")
    if not callable(factory):
        raise TypeError(f"factory={factory!r} must be callable (options -> Kernel)")
    if name in _BUILTIN_OPTIMIZERS:
        raise ValueError(f"name={name!r} is a built-in optimizer; choose another name")
    OPTIMIZERS[name] = factory


__all__ = ["OPTIMIZERS", "optimizer", "register_optimizer", "Kernel", "CONVENTIONS", "sgd", "adagrad", "rmsprop", "adadelta", "adam",
           "adamw", "amsgrad", "adabound", "amsbound", "adaboundw", "amsboundw", "radam", "lookahead", "ranger"]
