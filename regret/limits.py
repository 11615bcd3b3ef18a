"""The sizes a run can have, and the memory they imply: refused up front, never after the work.

A run holds, whatever T is (the engine streams time in chunks):

    state     B·d·(n_state + 4) float64     the iterate, η, Σx_t, the kernel's state, and G
    record    (K + 1)·B·(3 + 2d [+ 2]) float64
              regret, loss, comparator, x and η at each of K checkpoints (plus the
              expected gap and expected regret of a stochastic problem)
    chunk     at most CHUNK_ELEMENTS per time-only array (``regret.engine``)

so memory is O(B·d·K) and never O(T).  ``check_run`` adds these up before anything is
allocated and refuses a run that cannot fit in the memory this machine has available, in one
line that says how much it would need.  T itself is bounded by MAX_T: steps enter the
coefficients (α/√t, β^t) as float64, which counts integers exactly only up to 2^53.
"""
from __future__ import annotations

import os

from . import validate

#: the largest horizon: t must be exact as a float64 (α/√t, β^t, the 1/t of R_t/t)
MAX_T = 2 ** 53
_FLOAT = 8


def horizon(name: str, T) -> int:
    """T as an int in [1, MAX_T]."""
    T = validate.positive_int(name, T)
    if T > MAX_T:
        raise ValueError(f"{name}={T} is too large: steps are counted exactly in float64 only up to "
                         f"2^53 = {MAX_T}")
    return T


def available_bytes() -> int:
    """Memory available to a new allocation: MemAvailable where Linux reports it, else the
    physical memory; ``$REGRET_MEMORY`` (bytes) overrides both."""
    env = os.environ.get("REGRET_MEMORY")
    if env:
        return validate.positive_int("REGRET_MEMORY", env)
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 1 << 62  # unknown: do not refuse


def run_bytes(B: int, d: int, K: int, n_state: int, stochastic: bool) -> tuple[int, int]:
    """(state, record) bytes of one kernel's run; see the module docstring."""
    state = B * d * (n_state + 4) * _FLOAT + B * 4 * _FLOAT
    record = (K + 1) * B * (3 + 2 * d + (2 if stochastic else 0)) * _FLOAT
    return state, record


def check_run(B: int, d: int, K: int, n_state: int, stochastic: bool, what: str) -> None:
    """Refuse a run whose state and record would not fit in the available memory."""
    state, record = run_bytes(B, d, K, n_state, stochastic)
    need, have = state + record, available_bytes()
    if need > have:
        raise ValueError(
            f"{what} would need about {size(need)} of memory ({K} checkpoints x {B} configurations x "
            f"d={d}: record {size(record)}, state {size(state)}), and {size(have)} is available; pass fewer "
            "checkpoints, fewer configurations, or split the sweep")


def check_dimension(name: str, d: int, arrays: int = 16) -> int:
    """Refuse a dimension whose ``arrays`` vectors of d float64 alone would not fit."""
    need, have = d * arrays * _FLOAT, available_bytes()
    if need > have:
        raise ValueError(f"{name}={d} would need about {size(need)} of memory for one configuration's "
                         f"vectors alone, and {size(have)} is available")
    return d


def size(n: float) -> str:
    """A byte count for people: 3.7 GiB."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} PiB"
