"""Time-only inputs: which steps are recorded, how long a chunk is, and the chunk's coefficients
and gradients, computed on a second thread while the compiled loop runs the previous chunk."""
from __future__ import annotations

import numpy as np

from .. import validate, limits
from ..kernels.base import Kernel
from ..problems.base import GradientStream, Problem

#: a chunk's time-only arrays (gradients, coefficients that vary in time: (n, width) each) stay
#: under this many elements, so memory does not grow with the batch; numbers never depend on
#: the chunk
CHUNK_ELEMENTS = 1 << 21
#: config-step-coordinates per chunk at most (~0.1 s of the compiled loop): a large batch still
#: sees its progress bar move and Ctrl-C answered promptly
CHUNK_WORK = 1 << 26


def checkpoint_times(T: int, n: int = 60) -> np.ndarray:
    """About n log-spaced step indices in [1, T], always including 1 and T."""
    T = limits.horizon("T", T)
    n = validate.positive_int("checkpoints", n, minimum=2)
    if n >= T:  # as many as steps (or more, which cannot be distinct): every step
        return np.arange(1, T + 1, dtype=np.int64)
    pts = np.unique(np.round(np.geomspace(1, T, n)).astype(np.int64))
    return np.union1d(pts, [1, T])


def chunk_steps(problem: Problem, kernel: Kernel, B: int, chunk: int, t_next: int,
                gradient_array: bool = True) -> int:
    """Steps per chunk: at most ``chunk``, with the time-only arrays under ``CHUNK_ELEMENTS``
    and the work under ``CHUNK_WORK``.  ``gradient_array=False``: the loop computes the
    gradients itself (``JitGradient``), so they take no memory per step.

    The arrays' width is measured, not assumed to be B·d: a sweep's coefficients are usually
    (n, 1) or broadcast views of per-configuration constants, and its gradients (n, B_p, d) for
    B_p problem instances; only what varies in time per configuration takes memory per step.
    (A width of B·d, assumed before, gave a 10^6-configuration sweep two-step chunks, whose
    fixed per-chunk cost, O(B), then dominated.)
    """
    d = problem.dim
    try:
        width = max([problem.batch * d if gradient_array else 1] + kernel.time_widths(t_next))
    except Exception:  # noqa: BLE001 - a bad schedule: the first chunk reports it, in its own terms
        width = B * d
    return max(1, min(chunk, CHUNK_ELEMENTS // width, CHUNK_WORK // (B * d)))


def chunk_plan(T: int, ckpts: np.ndarray, chunk: int, start: int = 1):
    """Consecutive (t_first, t_last, record) ranges covering start..T, breaking at checkpoints
    and every ``chunk`` steps from ``start``; made as it is consumed, so memory and start-up do
    not grow with T (``ckpts`` is sorted and holds T)."""
    marks = ckpts[ckpts >= start].tolist()
    grid = start - 1 + chunk
    k = 0
    while start <= T:
        mark = marks[k] if k < len(marks) else T
        end = min(mark, grid, T)
        if end == mark:
            k += 1
        if end == grid:
            grid += chunk
        yield start, end, end == mark
        start = end + 1


def time_inputs(plan, kernel: Kernel, stream, prefetch: bool, gradients: bool = True):
    """Yield (chunk, (ts, coeffs, grads or None)) for each chunk of ``plan``.

    With ``prefetch`` the next chunk's time-only inputs are computed on another thread while
    the compiled loop (which releases the GIL) runs the current one.  Gradients come along only
    from a stateless stream (a function of t): a stateful one (random draws) is read on the
    driver's thread, so its state always matches the steps done.  ``gradients=False``: never
    (the loop computes them, ``JitGradient``).
    """
    stateless = stream is not None and type(stream).state is GradientStream.state

    def make(t0, t1):
        ts = np.arange(t0, t1 + 1, dtype=np.int64)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            coeffs = [c[:, :, None] for c in kernel.coeffs(ts)]
            grads = stream.take(ts) if (gradients and prefetch and stateless) else None
        return ts, coeffs, grads

    if not prefetch:
        for item in plan:
            yield item, make(item[0], item[1])
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="regret-inputs") as pool:
        pending = None
        for item in plan:
            nxt = (item, pool.submit(make, item[0], item[1]))
            if pending is not None:
                yield pending[0], pending[1].result()
            pending = nxt
        if pending is not None:
            yield pending[0], pending[1].result()


