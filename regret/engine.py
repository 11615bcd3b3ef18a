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
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from . import __version__, checks
from .kernels.base import Kernel
from .problems.base import GeneralProblem, LinearProblem, Problem
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


@dataclass
class Tracker:
    """Everything a run carries from one step to the next, updated in place by an engine.

    x, s: the iterate x_t and the kernel state, each (B, d); eta: the last η, (B, d).
    loss: Σ f_s(x_s) (B,); G: Σ g_s per problem instance (B_p, d) (linear problems); x_sum:
    Σ x_s (B, d) when the problem has a mean gradient.  alive: configurations still running;
    fault_t / fault_what: for a frozen configuration, the step at which a quantity first became
    NaN/Inf and which one (see ``FAULT_NAMES``).  t: steps done.
    """

    x: np.ndarray
    s: list
    eta: np.ndarray
    loss: np.ndarray
    G: np.ndarray
    x_sum: np.ndarray | None
    alive: np.ndarray
    fault_t: np.ndarray
    fault_what: np.ndarray
    t: int = 0


def fault_names(kernel: Kernel) -> tuple[str, ...]:
    """Index → name of the quantity a fault code refers to: x, eta, then the state fields."""
    return ("x", "eta") + tuple(kernel.state_names)


def advance_numpy(tr: Tracker, kernel: Kernel, ts: np.ndarray, coeffs: list, params: tuple,
                  grads: np.ndarray, feasible) -> None:
    """The reference engine: one numpy step per t in ``ts`` for a linear problem.

    A configuration whose new iterate, η or state is not finite is frozen at its last finite
    values (it stops accumulating loss) and its fault recorded; the rest go on untouched.
    """
    x, s, loss, G, x_sum, alive = tr.x, tr.s, tr.loss, tr.G, tr.x_sum, tr.alive
    eta = tr.eta
    B, d = x.shape
    all_alive = bool(alive.all())
    for k in range(len(ts)):
        g = grads[k]
        G += g
        f = np.sum(g * x, axis=-1)
        if all_alive:
            loss += f
            if x_sum is not None:
                x_sum += x
        else:
            loss += np.where(alive, f, 0.0)
            if x_sum is not None:
                x_sum += np.where(alive[:, None], x, 0.0)
        x_hat, eta_new, *s_new = kernel.rule(x, g, *s, *(c[k] for c in coeffs), *params)
        quantities = (x_hat, eta_new, *s_new)
        if not all(np.isfinite(q).all() for q in quantities):
            bad = np.zeros(B, dtype=bool)
            for code, q in enumerate(quantities):
                qbad = ~np.isfinite(np.broadcast_to(q, (B, d))).all(axis=-1)
                new = qbad & alive & ~bad
                tr.fault_t[new] = ts[k]
                tr.fault_what[new] = code
                bad |= qbad
            alive &= ~bad
            all_alive = False
        eta_new = np.broadcast_to(eta_new, (B, d))
        x_new = feasible.project(x_hat, 1.0 / eta_new)
        if all_alive:
            x, eta, s = x_new, eta_new, s_new
        else:
            keep = alive[:, None]
            x = np.where(keep, x_new, x)
            eta = np.where(keep, eta_new, eta)
            s = [np.where(keep, new, old) for new, old in zip(s_new, s)]
    tr.x, tr.s, tr.eta = x, s, eta
    tr.t = int(ts[-1])


def _run_general(tr: Tracker, kernel: Kernel, problem: GeneralProblem, ts, coeffs, params) -> None:
    """Per-step engine for problems whose gradient depends on x (numpy only, no fault freeze)."""
    x, s = tr.x, tr.s
    for k in range(len(ts)):
        t = int(ts[k])
        g = problem.grad(x, t)
        tr.loss += problem.loss(x, t)
        x_hat, eta, *s = kernel.rule(x, g, *s, *(c[k] for c in coeffs), *params)
        eta = np.broadcast_to(eta, x.shape)
        x = problem.feasible.project(x_hat, 1.0 / eta)
    tr.x, tr.s, tr.eta, tr.t = x, s, eta, int(ts[-1])


def _run_numpy(problem: Problem, kernel: Kernel, T: int, x0, ckpts: np.ndarray, chunk: int,
               progress: bool) -> Result:
    B = checks.batch_size({"optimizer batch": kernel.batch, "problem batch": problem.batch})
    d = problem.dim
    feasible = problem.feasible
    state = kernel.init(start_point(problem, x0, B))
    params = kernel.column_params()
    linear = isinstance(problem, LinearProblem)
    stream = problem.stream() if linear else None
    mu = problem.mean_gradient if linear else None
    mu_min = feasible.min_linear(mu) if mu is not None else None
    tr = Tracker(x=state[0], s=list(state[1:]), eta=np.zeros((B, d)), loss=np.zeros(B),
                 G=np.zeros((problem.batch, d)), x_sum=np.zeros((B, d)) if mu is not None else None,
                 alive=np.ones(B, dtype=bool), fault_t=np.zeros(B, dtype=np.int64),
                 fault_what=np.full(B, -1, dtype=np.int64))

    K = len(ckpts)
    rec = {name: np.empty((K, B)) for name in ("regret", "loss", "comparator")}
    rec_x, rec_eta = np.empty((K, B, d)), np.empty((K, B, d))
    if mu is not None:
        rec["expected_gap"], rec["expected_regret"] = np.empty((K, B)), np.empty((K, B))

    bar = _progress_bar(T, progress, f"{kernel.name} on {problem.name}")
    started = time.perf_counter()
    k_rec = 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for t0, t1, record in chunk_plan(T, ckpts, chunk):
            ts = np.arange(t0, t1 + 1, dtype=np.int64)
            coeffs = [c[:, :, None] for c in kernel.coeffs(ts)]
            if linear:
                advance_numpy(tr, kernel, ts, coeffs, params, stream.take(ts), feasible)
            else:
                _run_general(tr, kernel, problem, ts, coeffs, params)
            if record:
                comp = feasible.min_linear(tr.G) if linear else problem.comparator(t1)
                dead = np.where(tr.alive, 0.0, np.nan)
                rec["loss"][k_rec] = tr.loss + dead
                rec["comparator"][k_rec] = comp
                rec["regret"][k_rec] = tr.loss - comp + dead
                rec_x[k_rec] = tr.x
                rec_eta[k_rec] = tr.eta
                if mu is not None:
                    rec["expected_gap"][k_rec] = np.sum(mu * tr.x, axis=-1) - mu_min + dead
                    rec["expected_regret"][k_rec] = np.sum(mu * tr.x_sum, axis=-1) - t1 * mu_min + dead
                k_rec += 1
            if bar is not None:
                bar.update(len(ts))
    if bar is not None:
        bar.close()
    kcfg, pcfg = _configs(problem, kernel, B)
    names = fault_names(kernel)
    faults = [{"config": int(b), "t": int(tr.fault_t[b]), "quantity": names[int(tr.fault_what[b])]}
              for b in np.flatnonzero(~tr.alive)]
    return Result(
        problem=problem.describe(), optimizer=kernel.name, convention=kernel.convention,
        configs=kcfg, problem_configs=pcfg, T=T, engine="numpy", t=ckpts.copy(),
        regret=rec["regret"], loss=rec["loss"], comparator=rec["comparator"], x=rec_x, eta=rec_eta,
        expected_gap=rec.get("expected_gap"), expected_regret=rec.get("expected_regret"),
        faults=faults, seconds=time.perf_counter() - started,
        provenance={"regret_version": __version__, "engine": "numpy", "chunk": chunk,
                    "numpy": np.__version__})


def _progress_bar(T: int, enabled: bool, desc: str):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=T, desc=desc, unit="step", unit_scale=True, leave=False, file=sys.stderr)
