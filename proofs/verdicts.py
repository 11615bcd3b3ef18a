"""What the symbolic side hands back: a verdict per clause, and a study's predicted-vs-measured.

Every decision of ``proofs`` is a ``Verdict``: the clause in words, ``holds`` / ``fails`` /
``undecided``, the reason (the derivation or the failed step), and, where it fails, a witness
(the step t or the parameter region that refutes it).  Every study (in PEPit's style) returns a
``Study``: the theory's value beside the measured one and the verdict of the comparison, so a
test asserts ``measured ≤ predicted`` or ``measured ≈ predicted`` with an explicit tolerance.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

STATUSES = ("holds", "fails", "undecided")


@dataclass(frozen=True)
class Verdict:
    """One clause of a theorem's hypotheses, decided."""

    clause: str
    status: str
    reason: str
    witness: dict[str, Any] | None = None

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status={self.status!r} is not one of {STATUSES}")

    def __bool__(self) -> bool:
        return self.status == "holds"

    def line(self) -> str:
        """``clause: status (reason)``: the CLI's one line per clause."""
        return f"{self.clause}: {self.status} ({self.reason})"

    def as_dict(self) -> dict[str, Any]:
        return {"clause": self.clause, "status": self.status, "reason": self.reason,
                "witness": _jsonable(self.witness)}


def overall(verdicts) -> str:
    """``fails`` if any clause fails, else ``undecided`` if any is undecided, else ``holds``."""
    st = [v.status for v in verdicts]
    return "fails" if "fails" in st else "undecided" if "undecided" in st else "holds"


def explain(verdicts) -> str:
    """Human-readable: every failing or undecided clause with its reason, or 'all clauses hold'."""
    bad = [v for v in verdicts if v.status != "holds"]
    if not bad:
        return "all clauses hold"
    return "; ".join(v.line() for v in bad)


@dataclass
class Study:
    """A named comparison of theory with a run: ``predicted`` beside ``measured``.

    ``relation`` says how they are compared: ``"<="`` (measured ≤ predicted, a bound), ``"≈"``
    (|measured − predicted| ≤ tolerance), ``">"`` (measured exceeds the prediction: a
    contradiction was the point, as in Savarese's counterexample).
    """

    name: str
    predicted: Any
    measured: Any
    relation: str
    verdict: str
    tolerance: float | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.verdict == "confirmed"

    def as_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (np.floating, np.integer, np.bool_)):
        return obj.item()
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    return str(obj)  # sympy expressions: their printed form
