"""What the symbolic side hands back: a verdict per clause.

Every decision of ``proofs`` is a ``Verdict``: the clause in words, its status, the reason (the
derivation or the failed step), and, where it fails, a witness (the step t or the parameter
region that refutes it).  The four statuses, the one vocabulary of the CLI, the studies and the
report (a status never claims more than was shown):

    proved               shown for every t (every parameter value) symbolically, or exactly at
                         every integer of a finite range
    fails                refuted, with a witness (a t or a parameter region) whose sign is proved
    numerical evidence   no violation found in floating point (a scan, a numerical supremum):
                         suggestive, not a proof
    undecided            neither shown nor refuted

A prediction held against a run is not a ``Verdict`` but a claim of a study:
``regret.studies.outcome``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STATUSES = ("proved", "fails", "numerical evidence", "undecided")


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
        return self.status == "proved"

    def line(self) -> str:
        """``clause: status (reason)``: the CLI's one line per clause."""
        return f"{self.clause}: {self.status} ({self.reason})"

    def as_dict(self) -> dict[str, Any]:
        """The verdict as a dict of plain Python (the witness as given, sympy values included):
        JSON output goes through ``regret.jsonable``, the one normaliser."""
        return {"clause": self.clause, "status": self.status, "reason": self.reason, "witness": self.witness}


def overall(verdicts) -> str:
    """The weakest status of the clauses: ``fails`` if any clause fails, else ``undecided`` if
    any is undecided, else ``numerical evidence`` if any rests on it, else ``proved``."""
    st = {v.status for v in verdicts}
    return next(s for s in ("fails", "undecided", "numerical evidence", "proved") if s in st or s == "proved")


# ``regret check`` exit statuses (one convention for every check command): the overall status
# of the clauses it decided.  2 stays "bad input", as for every regret command.
EXIT_STATUS = {"proved": 0, "fails": 1, "numerical evidence": 3, "undecided": 3}


def exit_status(verdicts) -> int:
    """0 every clause proved, 1 some clause fails (with a witness), 3 none fails but some is
    only numerical evidence or undecided (``EXIT_STATUS``)."""
    return EXIT_STATUS[overall(verdicts)]


def explain(verdicts) -> str:
    """Human-readable: every clause not proved, with its status and reason, or 'all clauses
    proved'."""
    bad = [v for v in verdicts if v.status != "proved"]
    if not bad:
        return "all clauses proved"
    return "; ".join(v.line() for v in bad)
