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

import contextlib
import dataclasses
import json
import platform
import signal
import sys
import threading
import time
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from . import __version__, checks
from .kernels.base import Kernel
from .problems.base import GeneralProblem, GradientStream, LinearProblem, Problem
from .result import Configs, Result, Same

ENGINES = ("auto", "numpy", "fused")
#: steps per chunk by default for one configuration: long enough that the per-chunk Python work
#: is a few percent of the compiled loop, short enough for a prompt Ctrl-C and small arrays
DEFAULT_CHUNK = 1 << 16
#: a chunk's time-only arrays (gradients, coefficients that vary in time: (n, width) each) stay
#: under this many elements, so memory does not grow with the batch; numbers never depend on
#: the chunk
CHUNK_ELEMENTS = 1 << 21
#: config-step-coordinates per chunk at most (~0.1 s of the compiled loop): a large batch still
#: sees its progress bar move and Ctrl-C answered promptly
CHUNK_WORK = 1 << 26


def checkpoint_times(T: int, n: int = 60) -> np.ndarray:
    """About n log-spaced step indices in [1, T], always including 1 and T."""
    T = checks.positive_int("T", T)
    n = checks.positive_int("checkpoints", n, minimum=2)
    pts = np.unique(np.round(np.geomspace(1, T, n)).astype(np.int64))
    return np.union1d(pts, [1, T])


def run(problem: Problem, optimizers: Kernel | Sequence[Kernel], T: int, *, x0=None, checkpoints=60,
        engine: str = "auto", chunk: int | None = None, progress: bool | None = None,
        resume=None, on_chunk: Callable[[int, int], bool | None] | None = None):
    """Run each kernel on ``problem`` for T steps.

    Returns a ``Result`` for a single kernel, a list of them for a sequence.  ``checkpoints`` is
    a count of log-spaced points or an explicit array of steps (T is always added).  ``x0`` is a
    scalar, a (d,) point or a (B, d) array of start points inside F (default: the problem's).
    ``progress``: a progress bar (None: only when stderr is a terminal).  ``engine``: "fused"
    (compiled, ``regret.fused``; linear problems on a box), "numpy" (the reference) or "auto"
    (fused whenever it applies, else numpy); ``Result.engine`` says which ran.  ``chunk`` is
    the most steps evaluated per chunk of time-only inputs (lowered so that a chunk's arrays
    stay under ``CHUNK_ELEMENTS`` and its work under ``CHUNK_WORK``; see ``chunk_steps``).

    Interrupt and resume: while ``run`` works, Ctrl-C (SIGINT) only sets a flag, read between
    chunks; the run then stops at the end of the current chunk and returns what it has: for the
    kernel it was in, a Result with ``interrupted=True``, the checkpoints done plus one at the
    stop, and a ``resume_state`` (the Tracker arrays, the gradient stream's state, t, the
    checkpoints recorded); finished kernels come back whole, kernels not reached come back empty
    (``interrupted=True``, no checkpoints).  A second Ctrl-C stops at once (KeyboardInterrupt).
    The previous SIGINT handler is restored on return.  ``resume``: the Result (or list, one per
    kernel) of an interrupted run of the same problem, kernels and T, possibly reloaded with
    ``regret.storage.load``; the run continues from there to the same numbers, bit for bit, as
    an uninterrupted run (the summation order does not depend on the chunking).  ``on_chunk(i,
    t)`` is called after every chunk of kernel i ending at step t; returning True requests a
    stop exactly as Ctrl-C does (tests use it to interrupt deterministically).
    """
    if isinstance(optimizers, (str, bytes)):
        raise TypeError(f"optimizers must be Kernel objects (see regret.optimizer), got {optimizers!r}")
    single = isinstance(optimizers, Kernel)
    kernels = [optimizers] if single else list(optimizers)
    for k in kernels:
        if not isinstance(k, Kernel):
            raise TypeError(f"optimizers must be Kernel objects (see regret.optimizer), got {k!r}")
    T = checks.positive_int("T", T)
    chunk = DEFAULT_CHUNK if chunk is None else checks.positive_int("chunk", chunk)
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
    if engine == "fused":
        from . import fused

        why = fused.applies(problem)
        if why is not None:
            raise ValueError(f"engine='fused' cannot run this problem: {why}; use engine='numpy' or 'auto'")
    previous = _resume_list(resume, len(kernels))
    stop = StopFlag()
    results = []
    with _sigint_requests(stop):
        for i, k in enumerate(kernels):
            prev = previous[i]
            if prev is not None:
                _check_resumable(prev, problem, k, T, i)
                if not prev.interrupted:  # this kernel had finished: nothing to redo
                    results.append(prev)
                    continue
                if prev.resume_state is None:  # never reached: start it afresh
                    prev = None
            if stop.requested:
                results.append(_not_started(problem, k, T, engine, chunk))
                continue
            hook = (lambda t, i=i: on_chunk(i, t)) if on_chunk is not None else None
            results.append(_drive(problem, k, T, x0, ckpts, chunk, progress, engine, stop=stop, on_chunk=hook,
                                  resume=prev))
    return results[0] if single else results


class StopFlag:
    """A request to stop between chunks, set by SIGINT or by an ``on_chunk`` hook."""

    def __init__(self):
        self.requested = False


@contextlib.contextmanager
def _sigint_requests(stop: StopFlag):
    """While inside, the first SIGINT sets ``stop.requested``; a second one raises at once.

    Signal handlers can only be installed from the main thread; elsewhere Ctrl-C keeps its
    usual meaning.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum, frame):
        if stop.requested:
            raise KeyboardInterrupt
        stop.requested = True

    signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)


def _resume_list(resume, n: int) -> list:
    if resume is None:
        return [None] * n
    items = [resume] if isinstance(resume, Result) else list(resume)
    if len(items) != n:
        raise ValueError(f"resume holds {len(items)} result(s) for {n} optimizer(s); pass the full list "
                         "returned by the interrupted run")
    for r in items:
        if not isinstance(r, Result):
            raise TypeError(f"resume must hold Result objects, got {type(r).__name__}")
    return items


def _plain(obj):
    """JSON-normal form, so a reloaded file compares equal to freshly built provenance."""
    return json.loads(json.dumps(obj, default=lambda o: (list(o) if isinstance(o, Configs) else
                                                         o.tolist() if hasattr(o, "tolist") else str(o))))


def _check_resumable(prev: Result, problem: Problem, kernel: Kernel, T: int, i: int) -> None:
    """The saved run must be this very run: same T, kernel, hyperparameters and problem."""
    if prev.T != T:
        raise ValueError(f"resume: result {i} is of a run with T={prev.T}, this run has T={T}")
    if prev.optimizer != kernel.name:
        raise ValueError(f"resume: result {i} is of optimizer {prev.optimizer!r}, this run's is {kernel.name!r}")
    B = checks.batch_size({"optimizer batch": kernel.batch, "problem batch": problem.batch})
    kcfg, _ = _configs(problem, kernel, B)
    if _plain(kcfg) != _plain(prev.configs):
        if len(kcfg) != len(prev.configs):
            raise ValueError(f"resume: {kernel.name} has {len(kcfg)} configurations here, "
                             f"{len(prev.configs)} in the saved run")
        for b, (new, old) in enumerate(zip(_plain(kcfg), _plain(prev.configs))):
            for key in sorted(set(new) | set(old)):
                if new.get(key) != old.get(key):
                    raise ValueError(f"resume: {kernel.name} configuration {b} has {key}={new.get(key)!r} here, "
                                     f"{key}={old.get(key)!r} in the saved run")
    new_p, old_p = _plain(problem.describe()), _plain(prev.problem)
    if new_p != old_p:
        keys = sorted(set(new_p.get("params", {})) | set(old_p.get("params", {})))
        diff = [k for k in keys if new_p["params"].get(k) != old_p.get("params", {}).get(k)]
        what = ", ".join(f"{k}={new_p['params'].get(k)!r} here, {old_p.get('params', {}).get(k)!r} saved"
                         for k in diff) or f"{new_p.get('name')!r} here, {old_p.get('name')!r} saved"
        raise ValueError(f"resume: the problem differs from the saved run's ({what})")


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


def chunk_steps(problem: Problem, kernel: Kernel, B: int, chunk: int, t_next: int) -> int:
    """Steps per chunk: at most ``chunk``, with the time-only arrays under ``CHUNK_ELEMENTS``
    and the work under ``CHUNK_WORK``.

    The arrays' width is measured, not assumed to be B·d: a sweep's coefficients are usually
    (n, 1) or broadcast views of per-configuration constants, and its gradients (n, B_p, d) for
    B_p problem instances; only what varies in time per configuration takes memory per step.
    (A width of B·d, assumed before, gave a 10^6-configuration sweep two-step chunks, whose
    fixed per-chunk cost, O(B), then dominated.)
    """
    d = problem.dim
    try:
        width = max([problem.batch * d] + kernel.time_widths(t_next))
    except Exception:  # noqa: BLE001 - a bad schedule: the first chunk reports it, in its own terms
        width = B * d
    return max(1, min(chunk, CHUNK_ELEMENTS // width, CHUNK_WORK // (B * d)))


def chunk_plan(T: int, ckpts: np.ndarray, chunk: int, start: int = 1):
    """Consecutive (t_first, t_last, record) ranges covering start..T, breaking at checkpoints."""
    ends = np.union1d(ckpts, np.arange(start - 1 + chunk, T + 1, chunk))
    ends = ends[ends >= start]
    marks = set(ckpts.tolist())
    for end in ends.tolist():
        yield start, end, end in marks
        start = end + 1


def _configs(problem: Problem, kernel: Kernel, B: int) -> tuple[Configs, Configs]:
    """Per-configuration hyperparameters and problem parameters as plain values (provenance),
    stored by column (``result.Configs``): a sweep of 10^6 configurations holds no 10^6 dicts."""
    kcols = {}
    for key, val in kernel.hparams.items():
        if isinstance(val, np.ndarray):
            col = val.astype(float)  # a copy: later changes to the kernel do not reach the record
            kcols[key] = col if len(col) > 1 else Same(float(col[0]))
        else:
            kcols[key] = Same(val)
    pcols = {}
    for key, val in problem.params.items():
        pcols[key] = val if isinstance(val, list) and problem.batch > 1 and key != "pattern" else Same(val)
    return Configs(B, kcols), Configs(B, pcols)


@dataclass
class Tracker:
    """Everything a run carries from one step to the next, updated in place by an engine.

    x, s: the iterate x_t and the kernel state, each (B, d); eta: the last η, (B, d).
    loss: Σ f_s(x_s) (B,); G: Σ g_s per problem instance (B_p, d) (linear problems); x_sum:
    Σ x_s (B, d) when the problem has a mean gradient.  The three running sums are Kahan-
    compensated (``*_c`` holds each one's compensation; ``total_*`` folds it in): with T up to
    10^9 and |f_t| up to ~10^3 a plain sum can lose ~T·ulp(Σ) ≈ 10^2 in absolute terms, comparable
    with the O(√T) regret it is meant to resolve; compensated, the error is O(ε·Σ|f_t|) ≲ 10^-6.
    alive: configurations still running;
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
    loss_c: np.ndarray | None = None
    G_c: np.ndarray | None = None
    x_sum_c: np.ndarray | None = None

    def __post_init__(self):
        if self.loss_c is None:
            self.loss_c = np.zeros_like(self.loss)
        if self.G_c is None:
            self.G_c = np.zeros_like(self.G)
        if self.x_sum is not None and self.x_sum_c is None:
            self.x_sum_c = np.zeros_like(self.x_sum)

    def total_loss(self) -> np.ndarray:
        """Σ f_s(x_s) with its Kahan compensation folded in."""
        return self.loss - self.loss_c

    def total_G(self) -> np.ndarray:
        return self.G - self.G_c

    def total_x_sum(self) -> np.ndarray | None:
        return None if self.x_sum is None else self.x_sum - self.x_sum_c


def fault_names(kernel: Kernel) -> tuple[str, ...]:
    """Index → name of the quantity a fault code refers to: x, eta, then the state fields."""
    return ("x", "eta") + tuple(kernel.state_names)


def advance_numpy(tr: Tracker, kernel: Kernel, ts: np.ndarray, coeffs: list, params: tuple,
                  grads: np.ndarray, feasible) -> None:
    """The reference engine: one numpy step per t in ``ts`` for a linear problem.

    A configuration whose new iterate, η or state is not finite is frozen at its last finite
    values (it stops accumulating loss) and its fault recorded; the rest go on untouched.
    """
    x, s, alive = tr.x, tr.s, tr.alive
    eta = tr.eta
    B, d = x.shape
    all_alive = bool(alive.all())
    for k in range(len(ts)):
        g = grads[k]
        _kahan(tr.G, tr.G_c, g)
        f = np.sum(g * x, axis=-1)
        if all_alive:
            _kahan(tr.loss, tr.loss_c, f)
            if tr.x_sum is not None:
                _kahan(tr.x_sum, tr.x_sum_c, x)
        else:
            _kahan(tr.loss, tr.loss_c, f, alive)
            if tr.x_sum is not None:
                _kahan(tr.x_sum, tr.x_sum_c, x, alive[:, None])
        quantities = kernel.rule(x, g, *s, *(c[k] for c in coeffs), *params)
        x, eta, s, all_alive = _commit(tr, x, eta, s, quantities, feasible, ts[k], all_alive)
    tr.x, tr.s, tr.eta = x, s, eta
    tr.t = int(ts[-1])


def _kahan(total: np.ndarray, comp: np.ndarray, term, where=None) -> None:
    """total += term in place, Kahan-compensated (comp carries the lost low-order part).

    ``where``: only those entries change (frozen configurations keep their sums bit for bit).
    The fused engine does exactly these operations in the same order.
    """
    y = term - comp
    new = total + y
    new_c = (new - total) - y
    if where is None:
        comp[...] = new_c
        total[...] = new
    else:
        comp[...] = np.where(where, new_c, comp)
        total[...] = np.where(where, new, total)


def _commit(tr: Tracker, x, eta, s, quantities, feasible, t, all_alive: bool):
    """Project x̂ and take the new (x, η, state) of the live configurations; freeze those whose
    x̂, η or state is not finite, recording the step and the first such quantity in (x̂, η,
    *state) order.  Returns (x, η, s, all_alive)."""
    x_hat, eta_new, *s_new = quantities
    B, d = x.shape
    if not all(np.isfinite(q).all() for q in quantities):
        bad = np.zeros(B, dtype=bool)
        for code, q in enumerate(quantities):
            qbad = ~np.isfinite(np.broadcast_to(q, (B, d))).all(axis=-1)
            new = qbad & tr.alive & ~bad
            tr.fault_t[new] = t
            tr.fault_what[new] = code
            bad |= qbad
        tr.alive &= ~bad
        all_alive = False
    eta_new = np.broadcast_to(eta_new, (B, d))
    x_new = feasible.project(x_hat, 1.0 / eta_new)
    if all_alive:
        return x_new, eta_new, s_new, True
    keep = tr.alive[:, None]
    return (np.where(keep, x_new, x), np.where(keep, eta_new, eta),
            [np.where(keep, new, old) for new, old in zip(s_new, s)], False)


def _run_general(tr: Tracker, kernel: Kernel, problem: GeneralProblem, ts, coeffs, params) -> None:
    """Per-step engine for problems whose gradient depends on x (numpy only), with the same
    freeze-and-report of numerical faults as ``advance_numpy``."""
    x, s, eta = tr.x, tr.s, tr.eta
    all_alive = bool(tr.alive.all())
    for k in range(len(ts)):
        t = int(ts[k])
        g = problem.grad(x, t)
        _kahan(tr.loss, tr.loss_c, problem.loss(x, t), None if all_alive else tr.alive)
        quantities = kernel.rule(x, g, *s, *(c[k] for c in coeffs), *params)
        x, eta, s, all_alive = _commit(tr, x, eta, s, quantities, problem.feasible, t, all_alive)
    tr.x, tr.s, tr.eta, tr.t = x, s, eta, int(ts[-1])


def select_advance(problem: Problem, kernel: Kernel, engine: str):
    """(name, advance function) of the engine that runs ``kernel`` on ``problem``.

    Both advance functions have the signature of ``advance_numpy``.  "auto" takes the fused
    engine when the problem is linear on a box; a rule that does not compile (a violation of
    the kernel contract) makes it fall back to numpy with a warning naming the kernel.
    """
    if engine == "numpy" or not isinstance(problem, LinearProblem):
        return "numpy", advance_numpy
    from . import fused

    if fused.applies(problem) is not None:
        return "numpy", advance_numpy
    return "fused", fused.advance_fused


def _drive(problem: Problem, kernel: Kernel, T: int, x0, ckpts: np.ndarray, chunk: int,
           progress: bool, engine: str = "auto", stop: StopFlag | None = None, on_chunk=None,
           resume: Result | None = None) -> Result:
    """The one driver: chunk loop → advance (numpy or fused) → record at checkpoints."""
    B = checks.batch_size({"optimizer batch": kernel.batch, "problem batch": problem.batch})
    d = problem.dim
    feasible = problem.feasible
    state = kernel.init(start_point(problem, x0, B)) if resume is None else None
    params = kernel.column_params()
    linear = isinstance(problem, LinearProblem)
    stream = problem.stream() if linear else None
    mu = problem.mean_gradient if linear else None
    mu_min = feasible.min_linear(mu) if mu is not None else None
    if resume is None:
        tr = Tracker(x=state[0], s=list(state[1:]), eta=np.zeros((B, d)), loss=np.zeros(B),
                     G=np.zeros((problem.batch, d)), x_sum=np.zeros((B, d)) if mu is not None else None,
                     alive=np.ones(B, dtype=bool), fault_t=np.zeros(B, dtype=np.int64),
                     fault_what=np.full(B, -1, dtype=np.int64))

    engine_name, advance = select_advance(problem, kernel, engine)
    if not linear:  # x-dependent: the compiled loop of regret.compiled when the problem has a jitable rule
        from .compiled import select as select_general

        engine_name, advance_general = select_general(problem, kernel, engine)
    # One spare row: an interrupted run records where it stopped as well.
    K = len(ckpts)
    rec = {name: np.empty((K + 1, B)) for name in ("regret", "loss", "comparator")}
    rec_x, rec_eta = np.empty((K + 1, B, d)), np.empty((K + 1, B, d))
    if mu is not None:
        rec["expected_gap"], rec["expected_regret"] = np.empty((K + 1, B)), np.empty((K + 1, B))
    k_rec, seconds_before = 0, 0.0
    if resume is not None:
        if resume.engine != engine_name:  # the engines agree to rounding, not bit for bit
            raise ValueError(f"resume: {kernel.name} ran on engine {resume.engine!r}, this run would use "
                             f"{engine_name!r}; pass engine={resume.engine!r}")
        tr, k_rec, seconds_before = _restore(resume, rec, rec_x, rec_eta, ckpts, stream)
    step_chunk = chunk_steps(problem, kernel, B, chunk, tr.t + 1)

    def record(k: int, t1: int) -> None:
        comp = feasible.min_linear(tr.total_G()) if linear else problem.comparator(t1)
        dead = np.where(tr.alive, 0.0, np.nan)
        loss = tr.total_loss()
        rec["loss"][k] = loss + dead
        rec["comparator"][k] = comp
        rec["regret"][k] = loss - comp + dead
        rec_x[k] = tr.x
        rec_eta[k] = tr.eta
        if mu is not None:
            rec["expected_gap"][k] = np.sum(mu * tr.x, axis=-1) - mu_min + dead
            rec["expected_regret"][k] = np.sum(mu * tr.total_x_sum(), axis=-1) - t1 * mu_min + dead

    bar = _progress_bar(T, progress, f"{kernel.name} on {problem.name}", initial=tr.t)
    started = time.perf_counter()
    interrupted = False
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        plan = chunk_plan(T, ckpts, step_chunk, start=tr.t + 1)
        for (t0, t1, is_ckpt), (ts, coeffs, grads) in _inputs(plan, kernel, stream, engine_name == "fused"):
            if linear:
                grads = stream.take(ts) if grads is None else grads
                try:
                    advance(tr, kernel, ts, coeffs, params, grads, feasible)
                except _fused_unavailable() as exc:
                    if engine == "fused":
                        raise
                    # the fused loop compiles before it changes anything: numpy takes over here
                    import warnings

                    warnings.warn(f"{exc}; running {kernel.name!r} on the numpy engine", RuntimeWarning,
                                  stacklevel=3)
                    engine_name, advance = "numpy", advance_numpy
                    advance(tr, kernel, ts, coeffs, params, grads, feasible)
            else:
                advance_general(tr, kernel, problem, ts, coeffs, params)
            if is_ckpt:
                record(k_rec, t1)
                k_rec += 1
            if bar is not None:
                bar.update(len(ts))
            if on_chunk is not None and on_chunk(t1) and stop is not None:
                stop.requested = True
            if stop is not None and stop.requested and t1 < T:
                interrupted = True
                break
        t_rows, n_rows = ckpts[:k_rec], k_rec
        if interrupted and (k_rec == 0 or ckpts[k_rec - 1] != tr.t):
            record(k_rec, tr.t)  # the stop itself, so the partial result ends where the run did
            t_rows, n_rows = np.append(t_rows, tr.t), k_rec + 1
    if bar is not None:
        bar.close()
    kcfg, pcfg = _configs(problem, kernel, B)
    names = fault_names(kernel)
    faults = [{"config": int(b), "t": int(tr.fault_t[b]), "quantity": names[int(tr.fault_what[b])]}
              for b in np.flatnonzero(~tr.alive)]
    # views, not copies: the record arrays hold one spare row, and copying them costs more than
    # the run itself for a 10^6-configuration sweep (fresh pages, several 100 MB each)
    rows = {name: a[:n_rows] for name, a in rec.items()}
    provenance = _provenance(engine_name, chunk, step_chunk)
    provenance["python"] = platform.python_version()
    if resume is not None:
        provenance["resumed_at"] = list(resume.provenance.get("resumed_at", [])) + [
            int(resume.resume_state["tracker"]["t"])]
    return Result(
        problem=problem.describe(), optimizer=kernel.name, convention=kernel.convention,
        configs=kcfg, problem_configs=pcfg, T=T, engine=engine_name, t=np.array(t_rows, dtype=np.int64),
        regret=rows["regret"], loss=rows["loss"], comparator=rows["comparator"], x=rec_x[:n_rows],
        eta=rec_eta[:n_rows], expected_gap=rows.get("expected_gap"),
        expected_regret=rows.get("expected_regret"), faults=faults,
        seconds=seconds_before + time.perf_counter() - started, provenance=provenance,
        interrupted=interrupted,
        resume_state=_snapshot(tr, stream, ckpts, k_rec) if interrupted else None)


def _snapshot(tr: Tracker, stream, ckpts: np.ndarray, k_rec: int) -> dict:
    """What an interrupted run needs to continue: every Tracker field, the stream's state, the
    planned checkpoints and how many of them are recorded."""
    tracker = {}
    for f in dataclasses.fields(Tracker):
        v = getattr(tr, f.name)
        tracker[f.name] = [np.array(a) for a in v] if isinstance(v, list) else (
            None if v is None else int(v) if f.name == "t" else np.array(v))
    return {"tracker": tracker, "stream": stream.state() if stream is not None else None,
            "checkpoints": ckpts.copy(), "recorded": int(k_rec)}


def _restore(prev: Result, rec: dict, rec_x, rec_eta, ckpts: np.ndarray, stream):
    """Tracker, checkpoint rows and stream of an interrupted run, ready to continue."""
    st = prev.resume_state
    saved_ckpts = np.asarray(st["checkpoints"], dtype=np.int64)
    if not np.array_equal(saved_ckpts, ckpts):
        raise ValueError(f"resume: the saved run has {len(saved_ckpts)} checkpoints, this run {len(ckpts)}; "
                         "pass the same checkpoints")
    k = int(st["recorded"])
    fields = {}
    for f in dataclasses.fields(Tracker):  # fresh, writable copies with the saved dtypes
        v = st["tracker"].get(f.name)
        fields[f.name] = [np.array(a) for a in v] if isinstance(v, list) else (
            None if v is None else int(v) if f.name == "t" else np.array(v))
    tr = Tracker(**fields)
    for name in rec:
        rec[name][:k] = getattr(prev, name)[:k]
    rec_x[:k] = prev.x[:k]
    rec_eta[:k] = prev.eta[:k]
    if stream is not None:
        stream.restore(st["stream"])
    return tr, k, float(prev.seconds)


def _not_started(problem: Problem, kernel: Kernel, T: int, engine: str, chunk: int) -> Result:
    """The place-holder of a kernel an interrupted run did not reach: no checkpoints."""
    B = checks.batch_size({"optimizer batch": kernel.batch, "problem batch": problem.batch})
    d = problem.dim
    kcfg, pcfg = _configs(problem, kernel, B)
    stochastic = isinstance(problem, LinearProblem) and problem.mean_gradient is not None
    empty = np.empty((0, B))
    return Result(
        problem=problem.describe(), optimizer=kernel.name, convention=kernel.convention, configs=kcfg,
        problem_configs=pcfg, T=T, engine=engine, t=np.empty(0, dtype=np.int64), regret=empty,
        loss=empty.copy(), comparator=empty.copy(), x=np.empty((0, B, d)), eta=np.empty((0, B, d)),
        expected_gap=empty.copy() if stochastic else None, expected_regret=empty.copy() if stochastic else None,
        provenance={"regret_version": __version__, "engine": engine, "chunk": chunk},
        interrupted=True, resume_state=None)


def _provenance(engine_name: str, chunk: int, step_chunk: int) -> dict:
    out = {"regret_version": __version__, "engine": engine_name, "chunk": chunk, "numpy": np.__version__}
    if step_chunk != chunk:
        out["chunk_used"] = step_chunk
    if engine_name == "fused":
        import numba

        out["numba"] = numba.__version__
        from .fused import threads_available

        out["threads"] = threads_available()
    return out


def _fused_unavailable():
    from .fused import FusedUnavailable

    return FusedUnavailable


def _inputs(plan, kernel: Kernel, stream, prefetch: bool):
    """Yield (chunk, (ts, coeffs, grads or None)) for each chunk of ``plan``.

    With ``prefetch`` the next chunk's time-only inputs are computed on another thread while
    the compiled loop (which releases the GIL) runs the current one.  Gradients come along only
    from a stateless stream (a function of t): a stateful one (random draws) is read on the
    driver's thread, so its state always matches the steps done.
    """
    stateless = stream is not None and type(stream).state is GradientStream.state

    def make(t0, t1):
        ts = np.arange(t0, t1 + 1, dtype=np.int64)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            coeffs = [c[:, :, None] for c in kernel.coeffs(ts)]
            grads = stream.take(ts) if (prefetch and stateless) else None
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


def _progress_bar(T: int, enabled: bool, desc: str, initial: int = 0):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=T, initial=initial, desc=desc, unit="step", unit_scale=True, leave=False, file=sys.stderr)
