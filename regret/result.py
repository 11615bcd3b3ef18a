"""What a run returns: checkpointed regret and iterates of every configuration, with provenance.

Arrays are indexed (checkpoint k, configuration b[, coordinate i]).  At checkpoint t:

    regret[k, b]        R_t = Σ_{s≤t} f_s(x_s) − min_{x∈F} Σ_{s≤t} f_s(x)
    loss[k, b]          Σ_{s≤t} f_s(x_s);   comparator[k, b] = min_{x∈F} Σ_{s≤t} f_s(x)
    x[k, b, i]          the iterate after t updates, x_{t+1}
    eta[k, b, i]        the effective learning rate η_t used at step t
    expected_gap[k, b]  E f(x_{t+1}) − min_F E f      (stochastic problems only)
    expected_regret     Σ_{s≤t} (E f(x_s) − min_F E f)  (stochastic linear problems only; None for
                        x-dependent ones, where it would take E f(x_s) at every step)

Provenance: ``problem`` (name, parameters — including a stochastic problem's seed — and F),
``configs`` (every kernel option of every configuration), ``problem_configs``, ``engine``, and
``provenance`` = {regret_version, engine, chunk, numpy, python, ...} filled in by the engine;
``regret.storage`` writes all of it.  A run stopped by Ctrl-C returns ``interrupted=True`` with
the checkpoints it completed and ``resume_state``, from which ``regret.run(..., resume=...)``
continues to the same numbers as an uninterrupted run.
"""
from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np


class Same:
    """A column of ``Configs`` whose every configuration has the one value ``value``."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


class Configs(Sequence):
    """Per-configuration parameters stored by column: ``configs[b]`` is configuration b's dict,
    built when asked for, and a ``Configs`` equals the list of those dicts.

    Why: a 10^6-configuration sweep held 10^6 dicts per Result (about 1 GB, a second to build,
    and a ``label`` that compared them all).  ``columns`` maps each key to a sequence of ``n``
    values (a list, or a 1-d float array whose entries come back as Python floats) or to
    ``Same(value)``.
    """

    __slots__ = ("_n", "_cols")

    def __init__(self, n: int, columns: dict[str, Any]):
        self._n = int(n)
        self._cols = dict(columns)

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, b):
        if isinstance(b, slice):
            return [self[i] for i in range(*b.indices(self._n))]
        b = operator.index(b)
        if b < 0:
            b += self._n
        if not 0 <= b < self._n:
            raise IndexError(f"configuration {b} of {self._n}")
        return {k: _entry(col, b) for k, col in self._cols.items()}

    def __eq__(self, other):
        if not isinstance(other, (Configs, list, tuple)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    def varying(self) -> list[str]:
        """The keys whose value is not the same in every configuration."""
        out = []
        for k, col in self._cols.items():
            if isinstance(col, Same) or self._n == 0:
                continue
            if isinstance(col, np.ndarray):
                differ = bool(np.any(col != col[0]))
            else:
                differ = any(v != col[0] for v in col)
            if differ:
                out.append(k)
        return out

    def __repr__(self) -> str:
        return f"Configs({self._n} configurations of {sorted(self._cols)})"

    def keys(self) -> list[str]:
        """The parameter names, in the order the run recorded them."""
        return list(self._cols)

    def column(self, key: str):
        """Column ``key``: ``Same(value)``, or a length-n 1-d float array or list of values."""
        return self._cols[key]

    @classmethod
    def concat(cls, parts: Sequence["Configs"]) -> "Configs":
        """The configurations of ``parts`` one after the other (merging shards of a sweep).

        A key whose every part is ``Same`` of one value stays ``Same``; otherwise its column is
        the concatenation (a float array when every part's entries are floats, else a list)."""
        parts = [p if isinstance(p, Configs) else Configs.from_dicts(p) for p in parts]
        n = sum(len(p) for p in parts)
        keys = list(dict.fromkeys(k for p in parts for k in p._cols))
        cols = {}
        for k in keys:
            got = [p._cols.get(k, Same(None)) for p in parts]
            if all(isinstance(c, Same) for c in got) and all(c.value == got[0].value for c in got):
                cols[k] = Same(got[0].value)
            elif all(isinstance(c, np.ndarray) or (isinstance(c, Same) and isinstance(c.value, float))
                     for c in got):
                cols[k] = np.concatenate([np.full(len(p), c.value) if isinstance(c, Same) else c
                                          for p, c in zip(parts, got)])
            else:
                cols[k] = [v for p, c in zip(parts, got) for v in
                           ([c.value] * len(p) if isinstance(c, Same) else
                            (c.tolist() if isinstance(c, np.ndarray) else list(c)))]
        return cls(n, cols)

    @classmethod
    def from_dicts(cls, dicts: Sequence[dict]) -> "Configs":
        """Column form of a list of per-configuration dicts (a reloaded JSON file's)."""
        keys = list(dict.fromkeys(k for d in dicts for k in d))
        cols = {}
        for k in keys:
            vals = [d.get(k) for d in dicts]
            cols[k] = Same(vals[0]) if all(v == vals[0] for v in vals) else vals
        return cls(len(dicts), cols)


def _entry(col, b):
    if isinstance(col, Same):
        return col.value
    if isinstance(col, np.ndarray):
        return float(col[b])
    return col[b]


def _varying(configs) -> list[str]:
    if isinstance(configs, Configs):
        return configs.varying()
    if not configs:
        return []
    first = configs[0]
    return [k for k in first if any(c.get(k) != first.get(k) for c in configs)]


@dataclass
class Result:
    problem: dict[str, Any]
    optimizer: str
    convention: str
    configs: Sequence[dict[str, Any]]          # a Configs from a run, a list from a file
    problem_configs: Sequence[dict[str, Any]]
    T: int
    engine: str
    t: np.ndarray
    regret: np.ndarray
    loss: np.ndarray
    comparator: np.ndarray
    x: np.ndarray
    eta: np.ndarray
    expected_gap: np.ndarray | None = None
    expected_regret: np.ndarray | None = None
    faults: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    provenance: dict[str, Any] = field(default_factory=dict)
    interrupted: bool = False
    # Everything the engine needs to continue an interrupted run (see ``regret.engine``);
    # None for a finished run.
    resume_state: dict[str, Any] | None = field(default=None, repr=False, compare=False)
    # The labelled grid the configurations were built from (``regret.grid``): axis name → its
    # values, in order; configuration b is the C-order (row-major) position b of the product.
    grid: dict[str, list] | None = None

    def to_xarray(self):
        """An ``xarray.Dataset`` of this result: dims (t, the grid's axes or ``config``,
        ``coord``), the numbers as data variables, provenance in attributes.  Provided by
        ``regret.labelled`` (the sweeps layer, which registers it; ``import regret`` loads it;
        xarray comes with the ``sweeps`` extra)."""
        return _export("xarray")(self)

    def to_dataframe(self):
        """A ``pandas.DataFrame``, one row per (t, configuration) (``regret.labelled``)."""
        return _export("dataframe")(self)

    @property
    def batch(self) -> int:
        return self.regret.shape[1]

    @property
    def steps_done(self) -> int:
        """Steps completed and recorded: T for a finished run, the last checkpoint if interrupted."""
        return int(self.t[-1]) if len(self.t) else 0

    @property
    def seed(self):
        """The seed of a stochastic problem (an int or a list per instance), else None."""
        return self.problem.get("params", {}).get("seed")

    @property
    def average_regret(self) -> np.ndarray:
        """R_t/t at every checkpoint, shape (K, B)."""
        return self.regret / self.t[:, None]

    @property
    def x_final(self) -> np.ndarray:
        return self.x[-1]

    @property
    def regret_final(self) -> np.ndarray:
        return self.regret[-1]

    def __repr__(self) -> str:
        """One line: optimizer, problem, T, batch, engine and the range of R_T/T (not the arrays)."""
        from .reprs import result_text

        return result_text(self)

    def _repr_html_(self) -> str:
        """Jupyter: the line above and a table of (at most 12) configurations."""
        from .reprs import result_html

        return result_html(self)

    def label(self, b: int) -> str:
        """A legend label: the optimizer and the hyperparameters that differ across the batch."""
        cfg, pcfg = self.configs[b], self.problem_configs[b]
        keys, pkeys = self._varying_keys()
        parts = [f"{k}={_fmt(cfg[k])}" for k in keys]
        parts += [f"{k}={_fmt(pcfg[k])}" for k in pkeys]
        return self.optimizer + (f" ({', '.join(parts)})" if parts else "")

    def _varying_keys(self) -> tuple[list[str], list[str]]:
        # Cached: labelling every configuration of a loaded file (plain lists of dicts) would
        # otherwise compare all B dicts once per label, quadratic in B.
        key = (id(self.configs), len(self.configs), id(self.problem_configs), len(self.problem_configs))
        cached = self.__dict__.get("_varying_cache")
        if cached is None or cached[0] != key:
            cached = (key, (_varying(self.configs), _varying(self.problem_configs)))
            self.__dict__["_varying_cache"] = cached
        return cached[1]

    def runs(self) -> list[dict[str, Any]]:
        """One JSON-able record per configuration (the CLI's ``runs`` entries)."""
        out = []
        done = len(self.t) > 0  # an interrupted multi-kernel run may not have reached a kernel
        avg = self.average_regret  # once: a property that builds (K, B), not once per configuration
        for b, (cfg, pcfg) in enumerate(zip(self.configs, self.problem_configs)):
            rec = {
                "optimizer": self.optimizer,
                "convention": self.convention,
                "params": cfg,
                "problem_params": pcfg,
                "x_final": self.x_final[b].tolist() if done else None,
                "regret": float(self.regret_final[b]) if done else None,
                "average_regret": float(self.regret_final[b] / self.steps_done) if done else None,
                "checkpoints": {
                    "t": self.t.tolist(),
                    "regret": self.regret[:, b].tolist(),
                    "average_regret": avg[:, b].tolist(),
                    "x": self.x[:, b, :].tolist(),
                    "eta": self.eta[:, b, :].tolist(),
                },
            }
            if self.expected_gap is not None:
                rec["expected_gap"] = float(self.expected_gap[-1, b]) if done else None
                rec["checkpoints"]["expected_gap"] = self.expected_gap[:, b].tolist()
                if self.expected_regret is not None:  # None for x-dependent problems
                    rec["checkpoints"]["expected_regret"] = self.expected_regret[:, b].tolist()
            if self.interrupted:
                rec["interrupted"] = True
                rec["steps_done"] = self.steps_done
            faults = [f for f in self.faults if f["config"] == b]
            if faults:
                rec["faults"] = faults
            out.append(rec)
        return out


#: conversions registered by the layers above the core (``regret.labelled``): name → function
EXPORTS: dict[str, Any] = {}


def register_export(name: str, fn) -> None:
    """Make ``Result.to_<name>()`` call ``fn(result)`` (the core does not import its users)."""
    EXPORTS[name] = fn


def _export(name: str):
    if name not in EXPORTS:
        raise ValueError(f"Result.to_{name} needs regret.labelled (import regret; the 'sweeps' extra)")
    return EXPORTS[name]


def _fmt(v) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)
