"""What a study returns — the one result type of every study: the measured numbers beside the
predicted ones, and a verdict (PEPit's shape).

A study is one claim of the literature reproduced numerically (e.g. "Adam's average regret on
Reddi et al.'s period-3 problem tends to (2C − 4)/3").  It is made of ``Claim`` s, each a
prediction (taken from ``proofs``), the number measured in the run, and whether they agree by a
criterion stated in words.  The verdict of a study is computed from its checks only:

    verdict = "reproduced"      if every check passed
              "not reproduced"  otherwise (also when there is no check)

``regret reproduce`` runs each study module's ``run``; the parametrised entry points
(``theorem1.sweep``, ``minus_one_two.grid``, …) and ``run_bounds.compare`` return the same types.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..jsonable import jsonable

REPRODUCED = "reproduced"
NOT_REPRODUCED = "not reproduced"


@dataclass
class Claim:
    """One prediction held against one measurement.

    claim: what is checked, in words; predicted / measured: numbers (or short text); criterion:
    the rule that decided ``passed``; source: the ``proofs`` function the prediction came from.
    """

    claim: str
    predicted: Any
    measured: Any
    passed: bool
    criterion: str = ""
    source: str = ""

    def to_json(self) -> dict:
        return {"claim": self.claim, "predicted": jsonable(self.predicted), "measured": jsonable(self.measured),
                "passed": bool(self.passed), "criterion": self.criterion, "source": self.source}


@dataclass
class FigureFile:
    """A PNG written by a study's ``plot``: file name (relative to the report folder) and caption."""

    path: str
    caption: str


@dataclass
class StudyResult:
    """The outcome of one study.

    key: the CLI name (``theorem1``); title; reference: the paper; statement: a paragraph saying
    what the theorem claims and how the study tests it; settings: problem, optimizers, T, …;
    claims: the prediction-vs-measurement table; numbers: further measured values for scripts;
    results: the ``Result`` s of the runs (not serialised); data: arrays the figures need.
    """

    key: str
    title: str
    reference: str
    statement: str
    settings: dict[str, Any]
    claims: list[Claim]
    numbers: dict[str, Any] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict, repr=False)
    data: dict[str, Any] = field(default_factory=dict, repr=False)
    figures: list[FigureFile] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def verdict(self) -> str:
        return REPRODUCED if self.claims and all(c.passed for c in self.claims) else NOT_REPRODUCED

    @property
    def passed(self) -> bool:
        return self.verdict == REPRODUCED

    def to_json(self) -> dict:
        return {"key": self.key, "title": self.title, "reference": self.reference,
                "statement": self.statement, "verdict": self.verdict,
                "settings": jsonable(self.settings), "claims": [c.to_json() for c in self.claims],
                "numbers": jsonable(self.numbers), "figures": [f.__dict__ for f in self.figures],
                "seconds": round(self.seconds, 3)}


def show(value, digits: int = 4) -> str:
    """A number (or list of numbers) as short text for tables."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return "[" + ", ".join(show(v, digits) for v in value) + "]"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if v == 0 or not math.isfinite(v):
            return str(v)
        if 1e-3 <= abs(v) < 1e5:
            return f"{v:.{digits}g}"
        return f"{v:.{max(digits - 1, 1)}e}"
    return str(value)
