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

from .. import validate
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


#: the names shipped with regret: a user cannot replace them (``validate.register``)
_BUILTIN = frozenset(OPTIMIZERS)


def register_optimizer(name: str, factory: Callable[..., Kernel]) -> None:
    """Add an optimizer to ``OPTIMIZERS``: ``factory(**hparams)`` returns a ``Kernel``.

    After this, ``optimizer(name, ...)``, the CLI in the same process and the registry-driven
    tests (tests/test_registry.py) see it like a built-in one.  A built-in name is refused
    (ValueError); a name the user registered before is replaced (re-running a cell works).  docs/ARCHITECTURE.md shows a whole optimizer: one rule, one Kernel, this line.
    """
    validate.register("optimizer", name, factory, OPTIMIZERS, _BUILTIN)


def optimizer(name: str, **hparams) -> Kernel:
    """Build a registered kernel, e.g. ``optimizer("adam", beta1=0, convention="theory")``."""
    import dataclasses

    kernel = validate.build("optimizer", name, OPTIMIZERS, hparams)
    # the recipe lets Kernel.take rebuild a slice of the batch (sharded sweeps)
    return dataclasses.replace(kernel, recipe=(name, dict(hparams)))


__all__ = ["OPTIMIZERS", "optimizer", "register_optimizer", "Kernel", "CONVENTIONS", "sgd", "adagrad", "rmsprop",
           "adadelta", "adam", "adamw", "amsgrad", "adabound", "amsbound", "adaboundw", "amsboundw", "radam",
           "lookahead", "ranger"]
