"""What a run returns: checkpointed regret and iterates of every configuration, with provenance.

Arrays are indexed (checkpoint k, configuration b[, coordinate i]).  At checkpoint t:

    regret[k, b]        R_t = Σ_{s≤t} f_s(x_s) − min_{x∈F} Σ_{s≤t} f_s(x)
    loss[k, b]          Σ_{s≤t} f_s(x_s);   comparator[k, b] = min_{x∈F} Σ_{s≤t} f_s(x)
    x[k, b, i]          the iterate after t updates, x_{t+1}
    eta[k, b, i]        the effective learning rate η_t used at step t
    expected_gap[k, b]  E f(x_{t+1}) − min_F E f      (stochastic problems only)
    expected_regret     Σ_{s≤t} (E f(x_s) − min_F E f)  (stochastic problems only)

Provenance: ``problem`` (name, parameters — including a stochastic problem's seed — and F),
``configs`` (every kernel option of every configuration), ``problem_configs``, ``engine``, and
``provenance`` = {regret_version, engine, chunk, numpy, python, ...} filled in by the engine;
``regret.storage`` writes all of it.  A run stopped by Ctrl-C returns ``interrupted=True`` with
the checkpoints it completed and ``resume_state``, from which ``regret.run(..., resume=...)``
continues to the same numbers as an uninterrupted run.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Result:
    problem: dict[str, Any]
    optimizer: str
    convention: str
    configs: list[dict[str, Any]]
    problem_configs: list[dict[str, Any]]
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

    def label(self, b: int) -> str:
        """A legend label: the optimizer and the hyperparameters that differ across the batch."""
        varying = [k for k in self.configs[0]
                   if any(c.get(k) != self.configs[0].get(k) for c in self.configs)]
        pvarying = [k for k in self.problem_configs[0]
                    if any(c.get(k) != self.problem_configs[0].get(k) for c in self.problem_configs)]
        parts = [f"{k}={_fmt(self.configs[b][k])}" for k in varying]
        parts += [f"{k}={_fmt(self.problem_configs[b][k])}" for k in pvarying]
        return self.optimizer + (f" ({', '.join(parts)})" if parts else "")

    def runs(self) -> list[dict[str, Any]]:
        """One JSON-able record per configuration (the CLI's ``runs`` entries)."""
        out = []
        done = len(self.t) > 0  # an interrupted multi-kernel run may not have reached a kernel
        for b in range(self.batch):
            rec = {
                "optimizer": self.optimizer,
                "convention": self.convention,
                "params": self.configs[b],
                "problem_params": self.problem_configs[b],
                "x_final": self.x_final[b].tolist() if done else None,
                "regret": float(self.regret_final[b]) if done else None,
                "average_regret": float(self.regret_final[b] / self.steps_done) if done else None,
                "checkpoints": {
                    "t": self.t.tolist(),
                    "regret": self.regret[:, b].tolist(),
                    "average_regret": self.average_regret[:, b].tolist(),
                    "x": self.x[:, b, :].tolist(),
                    "eta": self.eta[:, b, :].tolist(),
                },
            }
            if self.expected_gap is not None:
                rec["expected_gap"] = float(self.expected_gap[-1, b]) if done else None
                rec["checkpoints"]["expected_gap"] = self.expected_gap[:, b].tolist()
                rec["checkpoints"]["expected_regret"] = self.expected_regret[:, b].tolist()
            if self.interrupted:
                rec["interrupted"] = True
                rec["steps_done"] = self.steps_done
            faults = [f for f in self.faults if f["config"] == b]
            if faults:
                rec["faults"] = faults
            out.append(rec)
        return out


def _fmt(v) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)
