"""Run optimizer kernels on a problem over a batch and track regret exactly.

``run(problem, optimizers, T)`` drives every configuration of every kernel through T steps:

    for t = 1..T:   g_t = ∇f_t(x_t);  loss += f_t(x_t);  x_{t+1} = Π_F(x_t − η_t ⊙ d_t)

Time-only inputs (the kernel's coefficients, the gradients of a linear problem, the draws of a
stochastic one) are produced per chunk of steps, outside the step loop.  Regret is tracked, not
stored: running sums per configuration (loss, Σ g_t for the exact linear comparator), recorded
at log-spaced checkpoints and at T, so memory is O(B·d + checkpoints) whatever T is.

The batch of one kernel is B = broadcast(B_k, B_p): B_k hyperparameter configurations against
B_p problem instances (each 1 or B).  Summation order is sequential in t and independent of the
chunking, so a configuration's numbers do not depend on the chunk size or on the rest of the
batch.
"""
from __future__ import annotations

import sys
import time
from typing import Sequence

import numpy as np

from . import __version__, checks
from .kernels.base import Kernel
from .problems.base import LinearProblem, Problem
from .result import Result

ENGINES = ("auto", "numpy")
DEFAULT_CHUNK = 4096


def checkpoint_times(T: int, n: int = 60) -> np.ndarray:
    """About n log-spaced step indices in [1, T], always including 1 and T."""
    T = checks.positive_int("T", T)
    n = checks.positive_int("checkpoints", n, minimum=2)
    pts = np.unique(np.round(np.geomspace(1, T, n)).astype(np.int64))
    return np.union1d(pts, [1, T])


def run(problem: Problem, optimizers: Kernel | Sequence[Kernel], T: int, *, x0=None, checkpoints=60,
        engine: str = "auto", chunk: int = DEFAULT_CHUNK, progress: bool | None = None):
    """Run each kernel on ``problem`` for T steps.

    Returns a ``Result`` for a single kernel, a list of them for a sequence.  ``checkpoints`` is
    a count of log-spaced points or an explicit array of steps (T is always added).  ``x0`` is a
    scalar, a (d,) point or a (B, d) array of start points inside F (default: the problem's).
    ``progress``: a progress bar (None: only when stderr is a terminal).
    """
    single = isinstance(optimizers, Kernel)
    kernels = [optimizers] if single else list(optimizers)
    for k in kernels:
        if not isinstance(k, Kernel):
            raise TypeError(f"optimizers must be Kernel objects (see regret.optimizer), got {k!r}")
    T = checks.positive_int("T", T)
    chunk = checks.positive_int("chunk", chunk)
    checks.choice("engine", engine, ENGINES)
    if np.ndim(checkpoints) == 0:
        ckpts = checkpoint_times(T, checkpoints)
    else:
        ckpts = np.asarray(checkpoints, dtype=np.int64)
        if ckpts.ndim != 1 or np.any(ckpts < 1) or np.any(ckpts > T):
            raise ValueError(f"checkpoints must be steps in [1, T={T}], got {checkpoints!r}")
        ckpts = np.union1d(ckpts, [T])
    if progress is None:
        progress = sys.stderr.isatty()
    results = [_run_numpy(problem, k, T, x0, ckpts, chunk, progress) for k in kernels]
    return results[0] if single else results


def start_point(problem: Problem, x0, B: int) -> np.ndarray:
    """x0 broadcast to (B, d), checked to lie in F."""
    d = problem.dim
    raw = problem.x0 if x0 is None else checks.finite("x0", x0)
    try:
        x = np.array(np.broadcast_to(raw, (B, d)), dtype=np.float64)
    except ValueError:
        raise ValueError(f"x0 has shape {np.shape(raw)}; expected a scalar, ({d},) or ({B}, {d})") from None
    inside = problem.feasible.contains(x)
    if not np.all(inside):
        bad = x[int(np.argmin(inside))]
        raise ValueError(f"x0={bad.tolist() if d > 1 else float(bad[0])} is outside the feasible set "
                         f"{problem.feasible.describe()}")
    return x


def chunk_plan(T: int, ckpts: np.ndarray, chunk: int):
    """Consecutive (t_first, t_last, record) ranges covering 1..T, breaking at checkpoints."""
    ends = np.union1d(ckpts, np.arange(chunk, T + 1, chunk))
    marks = set(ckpts.tolist())
    start = 1
    for end in ends.tolist():
        yield start, end, end in marks
        start = end + 1


def _configs(problem: Problem, kernel: Kernel, B: int):
    kcfg = [kernel.config(b if kernel.batch > 1 else 0) for b in range(B)]
    pcfg = []
    for b in range(B):
        entry = {}
        for key, val in problem.params.items():
            entry[key] = val[b] if isinstance(val, list) and problem.batch > 1 and key != "pattern" else val
        pcfg.append(entry)
    return kcfg, pcfg


def _run_numpy(problem: Problem, kernel: Kernel, T: int, x0, ckpts: np.ndarray, chunk: int,
               progress: bool) -> Result:
    B = checks.batch_size({"optimizer batch": kernel.batch, "problem batch": problem.batch})
    d = problem.dim
    feasible = problem.feasible
    state = kernel.init(start_point(problem, x0, B))
    x, s = state[0], list(state[1:])
    params = kernel.column_params()
    linear = isinstance(problem, LinearProblem)
    stream = problem.stream() if linear else None
    mu = problem.mean_gradient if linear else None
    mu_min = feasible.min_linear(mu) if mu is not None else None

    K = len(ckpts)
    rec = {name: np.empty((K, B)) for name in ("regret", "loss", "comparator")}
    rec_x, rec_eta = np.empty((K, B, d)), np.empty((K, B, d))
    if mu is not None:
        rec["expected_gap"], rec["expected_regret"] = np.empty((K, B)), np.empty((K, B))
        x_sum = np.zeros((B, d))
    loss = np.zeros(B)
    G = np.zeros((problem.batch, d))
    eta = np.zeros((B, d))

    bar = _progress_bar(T, progress, f"{kernel.name} on {problem.name}")
    started = time.perf_counter()
    k_rec = 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for t0, t1, record in chunk_plan(T, ckpts, chunk):
            ts = np.arange(t0, t1 + 1, dtype=np.int64)
            coeffs = [c[:, :, None] for c in kernel.coeffs(ts)]
            grads = stream.take(ts) if linear else None
            for k in range(len(ts)):
                if linear:
                    g = grads[k]
                    G += g
                else:
                    g = problem.grad(x, int(ts[k]))
                    loss += problem.loss(x, int(ts[k]))
                if linear:
                    loss += np.sum(g * x, axis=-1)
                if mu is not None:
                    x_sum += x
                x_hat, eta, *s = kernel.rule(x, g, *s, *(c[k] for c in coeffs), *params)
                x = feasible.project(x_hat, 1.0 / eta)
            if record:
                comp = feasible.min_linear(G) if linear else problem.comparator(t1)
                rec["loss"][k_rec] = loss
                rec["comparator"][k_rec] = comp
                rec["regret"][k_rec] = loss - comp
                rec_x[k_rec] = x
                rec_eta[k_rec] = np.broadcast_to(eta, (B, d))
                if mu is not None:
                    rec["expected_gap"][k_rec] = np.sum(mu * x, axis=-1) - mu_min
                    rec["expected_regret"][k_rec] = np.sum(mu * x_sum, axis=-1) - t1 * mu_min
                k_rec += 1
            if bar is not None:
                bar.update(len(ts))
    if bar is not None:
        bar.close()
    kcfg, pcfg = _configs(problem, kernel, B)
    return Result(
        problem=problem.describe(), optimizer=kernel.name, convention=kernel.convention,
        configs=kcfg, problem_configs=pcfg, T=T, engine="numpy", t=ckpts.copy(),
        regret=rec["regret"], loss=rec["loss"], comparator=rec["comparator"], x=rec_x, eta=rec_eta,
        expected_gap=rec.get("expected_gap"), expected_regret=rec.get("expected_regret"),
        seconds=time.perf_counter() - started,
        provenance={"regret_version": __version__, "engine": "numpy", "chunk": chunk,
                    "numpy": np.__version__})


def _progress_bar(T: int, enabled: bool, desc: str):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=T, desc=desc, unit="step", unit_scale=True, leave=False, file=sys.stderr)
