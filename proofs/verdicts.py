"""What the symbolic side hands back: a verdict per clause.

Every decision of ``proofs`` is a ``Verdict``: the clause in words, ``holds`` / ``fails`` /
``undecided``, the reason (the derivation or the failed step), and, where it fails, a witness
(the step t or the parameter region that refutes it).  A prediction held against a run is not a
``Verdict`` but a claim of a study: ``regret.studies.outcome``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
        """The verdict as a dict of plain Python (the witness as given, sympy values included):
        JSON output goes through ``regret.jsonable``, the one normaliser."""
        return {"clause": self.clause, "status": self.status, "reason": self.reason, "witness": self.witness}


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
