"""Labelled grids: the product of named axes, flattened into the batch axis of one run.

``regret.grid(beta1=[0, 0.5, 0.9], beta2=[0.1, 0.9], C=[2, 3])`` is the 3 × 2 × 2 product:
configuration b is position b of the product in C order (row-major, the last axis fastest),
so that b = ((i_beta1 · 2) + i_beta2) · 2 + i_C and ``Result.to_xarray()`` reshapes the batch
back to dims (beta1, beta2, C).  Today's element-wise sweeps (``beta2=[0.1, 0.5]`` on a kernel,
broadcast against the problem's batch) are untouched: a grid only builds those 1-d columns for
you (``grid.columns("beta1", "beta2")`` for the optimizer, ``grid.columns("C")`` for the
problem) and, passed to ``regret.run(..., grid=g)``, keeps the axes as labels on the Result.

    g = regret.grid(beta1=np.linspace(0, 0.95, 20), beta2=np.linspace(0.05, 0.95, 19))
    kernel = regret.optimizer("adam", lr=0.1, convention="theory", **g.columns("beta1", "beta2"))
    res = regret.run(regret.problem("reddi-online", C=3), kernel, T=1000, grid=g)
    res.to_xarray().average_regret.isel(t=-1).plot()     # the phase diagram
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np


class Grid(Mapping):
    """Named 1-d axes and their product.  As a mapping: axis name → its flattened column
    (length ``size``), so ``**grid`` passes every axis as a sweep."""

    def __init__(self, axes: dict[str, np.ndarray]):
        self.axes = {k: np.asarray(v) for k, v in axes.items()}
        self.shape = tuple(len(v) for v in self.axes.values())
        self.size = int(np.prod(self.shape)) if self.shape else 0

    def columns(self, *names: str) -> dict[str, np.ndarray]:
        """The flattened columns of the axes ``names`` (all axes when none is named)."""
        for n in names:
            if n not in self.axes:
                raise ValueError(f"grid has no axis {n!r}; its axes are {', '.join(self.axes)}")
        return {n: self[n] for n in (names or self.axes)}

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self.axes:
            raise KeyError(name)
        i = list(self.axes).index(name)
        # C order: axis i repeats each value prod(shape[i+1:]) times, tiled prod(shape[:i]) times
        inner = int(np.prod(self.shape[i + 1:]))
        outer = int(np.prod(self.shape[:i]))
        return np.tile(np.repeat(self.axes[name], inner), outer)

    def __iter__(self):
        return iter(self.axes)

    def __len__(self) -> int:
        return len(self.axes)

    def labels(self) -> dict[str, list]:
        """The axes as plain lists (what a Result stores as ``grid``)."""
        return {k: v.tolist() for k, v in self.axes.items()}

    def __repr__(self) -> str:
        dims = ", ".join(f"{k}: {len(v)}" for k, v in self.axes.items())
        return f"Grid({dims}; {self.size} configurations)"


def grid(**axes) -> Grid:
    """The labelled product of ``axes`` (each a non-empty 1-d sequence of numbers, distinct
    values), in the order given; see the module docstring for the flattening (C order)."""
    if not axes:
        raise ValueError("grid needs at least one axis, e.g. grid(beta1=[0, 0.9])")
    out = {}
    for name, values in axes.items():
        arr = np.asarray(values)
        if arr.ndim != 1:
            raise ValueError(f"grid axis {name}: must be 1-d, got shape {arr.shape}")
        if len(arr) == 0:
            raise ValueError(f"grid axis {name}: is empty; give at least one value")
        if arr.dtype.kind not in "biuf":
            raise ValueError(f"grid axis {name}: values must be numbers, got {values!r}")
        if len(np.unique(arr)) != len(arr):
            raise ValueError(f"grid axis {name}: values must be distinct (they label the axis), got {values!r}")
        if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
            raise ValueError(f"grid axis {name}: values must be finite, got {values!r}")
        out[name] = arr.astype(np.int64) if arr.dtype.kind in "biu" else arr.astype(np.float64)
    return Grid(out)


def parse_axis(text: str) -> tuple[str, np.ndarray]:
    """A CLI ``--grid`` item: ``NAME=a,b,c`` (values) or ``NAME=start:stop:n`` (n points from
    start to stop inclusive, ``numpy.linspace``)."""
    name, eq, spec = text.partition("=")
    name = name.strip()
    if not eq or not name.isidentifier():
        raise ValueError(f"--grid {text!r}: expected NAME=a,b,c or NAME=start:stop:n")
    spec = spec.strip()
    try:
        if ":" in spec:
            parts = spec.split(":")
            if len(parts) != 3:
                raise ValueError
            start, stop, n = float(parts[0]), float(parts[1]), int(parts[2])
            if n < 1:
                raise ValueError(f"--grid {text!r}: n={n} must be at least 1")
            return name, np.linspace(start, stop, n)
        vals = [v.strip() for v in spec.split(",") if v.strip()]
        nums = [int(v) if v.lstrip("-").isdigit() else float(v) for v in vals]
    except ValueError as exc:
        if str(exc).startswith("--grid"):
            raise
        raise ValueError(f"--grid {text!r}: expected NAME=a,b,c or NAME=start:stop:n (numbers)") from None
    return name, np.asarray(nums)
