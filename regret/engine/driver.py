"""The driver: ``run`` checks its arguments and runs one kernel after another; ``drive`` is the
chunk loop of one kernel (time-only inputs → advance, numpy or fused → record at checkpoints)."""
from __future__ import annotations

import contextlib
import platform
import signal
import threading
import time
from typing import Callable, Sequence

import numpy as np

from .. import validate, limits
from ..kernels.base import Kernel
from ..problems.base import LinearProblem, Problem
from ..result import Result
from .inputs import checkpoint_times, chunk_plan, chunk_steps, time_inputs
from .numpy_loop import advance_numpy
from .provenance import configs, engine_provenance
from .resume import check_resumable, not_started, restore, resume_list, snapshot
from .tracker import Tracker, fault_names

ENGINES = ("auto", "numpy", "fused", "compiled")
#: steps per chunk by default for one configuration: long enough that the per-chunk Python work
#: is a few percent of the compiled loop, short enough for a prompt Ctrl-C and small arrays
DEFAULT_CHUNK = 1 << 16


def run(problem: Problem, optimizers: Kernel | Sequence[Kernel], T: int, *, x0=None, checkpoints=60,
        engine: str = "auto", chunk: int | None = None, progress: bool | None = None,
        resume=None, on_chunk: Callable[[int, int], bool | None] | None = None, record_into: dict | None = None):
    """Run each kernel on ``problem`` for T steps.

    Returns a ``Result`` for a single kernel, a list of them for a sequence.  ``checkpoints`` is
    a count of log-spaced points or an explicit array of steps (T is always added).  ``x0`` is a
    scalar, a (d,) point or a (B, d) array of start points inside F (default: the problem's).
    ``progress``: a progress bar that leaves one summary line, time and rate (None: when stderr is
    a terminal or in Jupyter, where it is tqdm.auto's widget; ``regret.progress``).  ``engine``: "fused"
    (compiled, ``regret.fused``; linear problems on a box), "compiled" (``engine.compiled``; x-dependent
    problems with a jitable rule on a box, ball or simplex), "numpy" (the reference) or "auto" (fused or
    compiled whenever it applies, else numpy); ``Result.engine`` says which ran.  ``chunk`` is
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

    ``record_into`` (one kernel only): the arrays the checkpoint record is written into, a dict
    with one writable float64 array per field of ``record_fields(problem)``, each of shape
    (checkpoints, B) + the field's tail (views are fine); the Result's arrays are then views of
    them.  A sharded sweep passes the shard's columns of the merged result, so that no shard
    record is allocated and copied (``regret.shards``).  The numbers are the same either way.
    """
    kernels, single = kernel_list(optimizers)
    T = limits.horizon("T", T)
    chunk = DEFAULT_CHUNK if chunk is None else validate.positive_int("chunk", chunk)
    validate.choice("engine", engine, ENGINES)
    ckpts = checkpoint_steps(T, checkpoints, lambda K: _check_memory(problem, kernels, K))
    if record_into is not None and not single:
        raise ValueError("record_into= applies to a single kernel, got a list of them")
    if progress is None:
        from ..progress import enabled_by_default

        progress = enabled_by_default()
    if engine == "fused" and not problem.linear:
        raise ValueError(f"engine='fused' cannot run problem {problem.name!r}: it is not linear (its gradient "
                         "depends on x); use engine='compiled' (the compiled loop of x-dependent problems) or 'auto'")
    if engine == "compiled" and problem.linear:
        raise ValueError(f"engine='compiled' cannot run problem {problem.name!r}: it is linear (the compiled "
                         "loop is for x-dependent problems); use engine='fused' or 'auto'")
    if engine in ("fused", "compiled"):
        from .. import fused
        from . import compiled

        why = (fused if engine == "fused" else compiled).applies(problem)
        if why is not None:
            raise ValueError(f"engine={engine!r} cannot run this problem: {why}; use engine='numpy' or 'auto'")
    previous = resume_list(resume, len(kernels))
    stop = StopFlag()
    results = []
    with _sigint_requests(stop):
        for i, k in enumerate(kernels):
            prev = previous[i]
            if prev is not None:
                check_resumable(prev, problem, k, T, i)
                if not prev.interrupted:  # this kernel had finished: nothing to redo
                    results.append(prev)
                    continue
                if prev.resume_state is None:  # never reached: start it afresh
                    prev = None
            if stop.requested:
                results.append(not_started(problem, k, T, engine, chunk))
                continue
            hook = (lambda t, i=i: on_chunk(i, t)) if on_chunk is not None else None
            results.append(_drive(problem, k, T, x0, ckpts, chunk, progress, engine, stop=stop, on_chunk=hook,
                                  resume=prev, record_into=record_into))
    return results[0] if single else results


def kernel_list(optimizers) -> tuple[list[Kernel], bool]:
    """(the kernels, whether one was given alone) of ``run``'s ``optimizers`` argument: a Kernel or
    a sequence of them (a name is refused: build it with ``regret.optimizer``)."""
    if isinstance(optimizers, (str, bytes)):
        raise TypeError(f"optimizers must be Kernel objects (see regret.optimizer), got {optimizers!r}")
    single = isinstance(optimizers, Kernel)
    kernels = [optimizers] if single else list(optimizers)
    for k in kernels:
        if not isinstance(k, Kernel):
            raise TypeError(f"optimizers must be Kernel objects (see regret.optimizer), got {k!r}")
    return kernels, single


def checkpoint_steps(T: int, checkpoints, before_alloc: Callable[[int], None] | None = None) -> np.ndarray:
    """The steps ``run`` records at for its ``checkpoints`` argument (a count of log-spaced points
    or an explicit array of steps; T is always added).  ``before_alloc(K)`` is called with the
    number of checkpoints before the steps themselves are allocated (``run``'s memory check)."""
    if np.ndim(checkpoints) == 0:
        n = validate.positive_int("checkpoints", checkpoints, minimum=2)
        if before_alloc is not None:
            before_alloc(min(n, T))
        return checkpoint_times(T, n)
    ckpts = np.asarray(checkpoints, dtype=np.int64)
    if ckpts.ndim != 1 or np.any(ckpts < 1) or np.any(ckpts > T):
        raise ValueError(f"checkpoints must be steps in [1, T={T}], got {checkpoints!r}")
    ckpts = np.union1d(ckpts, [T])
    if before_alloc is not None:
        before_alloc(len(ckpts))
    return ckpts


def record_fields(problem: Problem) -> dict[str, tuple[int, ...]]:
    """Name → per-configuration shape of each array a run records at every checkpoint: the
    record of K checkpoints over B configurations holds one (K, B) + shape array per name."""
    d = problem.dim
    fields = {"regret": (), "loss": (), "comparator": (), "x": (d,), "eta": (d,)}
    if isinstance(problem, LinearProblem):
        if problem.mean_gradient is not None:
            fields["expected_gap"], fields["expected_regret"] = (), ()
    elif problem.stochastic and hasattr(problem, "expected_gap"):  # x-dependent: the gap only
        fields["expected_gap"] = ()
    return fields


def _record_arrays(problem: Problem, K: int, B: int, into: dict | None) -> dict[str, np.ndarray]:
    """The record's arrays: fresh, with one spare row (an interrupted run records where it
    stopped as well), or the caller's ``into``, checked; K rows are enough there, since a run
    that stops early has not reached its last checkpoint, T."""
    fields = record_fields(problem)
    if into is None:
        return {name: np.empty((K + 1, B) + tail) for name, tail in fields.items()}
    if not isinstance(into, dict) or set(into) != set(fields):
        got = sorted(into) if isinstance(into, dict) else type(into).__name__
        raise ValueError(f"record_into must be a dict of arrays named {sorted(fields)}, got {got}")
    for name, tail in fields.items():
        a = into[name]
        if (not isinstance(a, np.ndarray) or a.dtype != np.float64 or a.shape != (K, B) + tail
                or not a.flags.writeable):
            what = (f"{a.dtype} array of shape {a.shape}" if isinstance(a, np.ndarray) else type(a).__name__)
            raise ValueError(f"record_into[{name!r}] must be a writable float64 array of shape "
                             f"{(K, B) + tail}, got {what}")
    return dict(into)


def _check_memory(problem: Problem, kernels: list[Kernel], K: int) -> None:
    """Refuse, before any work, a kernel whose state and record would not fit in memory."""
    for k in kernels:
        B = validate.batch_size({"optimizer batch": k.batch, "problem batch": problem.batch})
        stochastic = getattr(problem, "mean_gradient", None) is not None
        limits.check_run(B, problem.dim, K, len(k.state_names), stochastic, f"{k.name} on {problem.name}")


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


def start_point(problem: Problem, x0, B: int) -> np.ndarray:
    """x0 broadcast to (B, d), checked to lie in F."""
    d = problem.dim
    raw = problem.x0 if x0 is None else validate.finite("x0", x0)
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


def select_advance(problem: Problem, kernel: Kernel, engine: str):
    """(name, advance function) of the engine that runs ``kernel`` on ``problem``.

    Both advance functions have the signature of ``advance_numpy``.  "auto" takes the fused
    engine when the problem is linear on a box; a rule that does not compile (a violation of
    the kernel contract) makes it fall back to numpy with a warning naming the kernel.
    """
    if engine == "numpy" or not isinstance(problem, LinearProblem):
        return "numpy", advance_numpy
    from .. import fused

    if fused.applies(problem) is not None:
        return "numpy", advance_numpy
    return "fused", fused.advance_fused


def _drive(problem: Problem, kernel: Kernel, T: int, x0, ckpts: np.ndarray, chunk: int,
           progress: bool, engine: str = "auto", stop: StopFlag | None = None, on_chunk=None,
           resume: Result | None = None, record_into: dict | None = None) -> Result:
    """The one driver: chunk loop → advance (numpy or fused) → record at checkpoints."""
    B = validate.batch_size({"optimizer batch": kernel.batch, "problem batch": problem.batch})
    d = problem.dim
    feasible = problem.feasible
    state = kernel.init(start_point(problem, x0, B)) if resume is None else None
    params = kernel.column_params()
    linear = isinstance(problem, LinearProblem)
    stream = problem.stream() if linear else None
    mu = problem.mean_gradient if linear else None
    mu_min = feasible.min_linear(mu) if mu is not None else None
    # x-dependent stochastic problems give their own E f(x) − min_F E f (no expected regret: that
    # would need E f(x_s) at every step, a pass over the whole data set per step)
    gap = problem.expected_gap if not linear and problem.stochastic and hasattr(problem, "expected_gap") else None
    if resume is None:
        tr = Tracker(x=state[0], s=list(state[1:]), eta=np.zeros((B, d)), loss=np.zeros(B),
                     G=np.zeros((problem.batch, d)), x_sum=np.zeros((B, d)) if mu is not None else None,
                     alive=np.ones(B, dtype=bool), fault_t=np.zeros(B, dtype=np.int64),
                     fault_what=np.full(B, -1, dtype=np.int64))

    engine_name, advance = select_advance(problem, kernel, engine)
    if not linear:  # x-dependent: the compiled loop of regret.compiled when the problem has a jitable rule
        from .compiled import select as select_general

        engine_name, advance_general = select_general(problem, kernel, engine)
    K = len(ckpts)
    rec = _record_arrays(problem, K, B, record_into)
    rec_x, rec_eta = rec.pop("x"), rec.pop("eta")
    k_rec, seconds_before = 0, 0.0
    if resume is not None:
        if resume.engine != engine_name:  # the engines agree to rounding, not bit for bit
            raise ValueError(f"resume: {kernel.name} ran on engine {resume.engine!r}, this run would use "
                             f"{engine_name!r}; pass engine={resume.engine!r}")
        tr, k_rec, seconds_before = restore(resume, rec, rec_x, rec_eta, ckpts, stream)
    # a stream that offers its gradients as a compiled function, to loops that call it, hands
    # them no arrays (``JitGradient``): none is made, and a chunk is not capped by its size
    gen = None
    if engine_name == "fused":
        from .. import fused

        gen = fused.generator_for(stream, B, problem.batch, d)
    step_chunk = chunk_steps(problem, kernel, B, chunk, tr.t + 1, gradient_array=gen is None)

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
        elif gap is not None:
            rec["expected_gap"][k] = gap(tr.x) + dead

    bar = _progress_bar(T, progress, f"{kernel.name} on {problem.name}", initial=tr.t, batch=B)
    started = time.perf_counter()
    interrupted = False
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        plan = chunk_plan(T, ckpts, step_chunk, start=tr.t + 1)
        inputs = time_inputs(plan, kernel, stream, engine_name == "fused", gradients=gen is None)
        in_pieces = False  # numpy on chunks sized for loops that draw their own gradients
        for (t0, t1, is_ckpt), (ts, coeffs, grads) in inputs:
            if in_pieces:
                _numpy_in_pieces(tr, kernel, ts, coeffs, params, stream, feasible, problem)
            elif linear:
                grads = gen if gen is not None else stream.take(ts) if grads is None else grads
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
                    if gen is not None:
                        in_pieces, gen = True, None
                        _numpy_in_pieces(tr, kernel, ts, coeffs, params, stream, feasible, problem)
                    else:
                        advance(tr, kernel, ts, coeffs, params, grads, feasible)
            else:
                try:
                    advance_general(tr, kernel, problem, ts, coeffs, params)
                except _compiled_unavailable() as exc:
                    if engine == "compiled":
                        raise
                    # the compiled loop compiles before it changes anything: numpy takes over here
                    import warnings

                    from .numpy_loop import run_general

                    warnings.warn(f"{exc}; running it on the numpy engine", RuntimeWarning, stacklevel=3)
                    engine_name, advance_general = "numpy", run_general
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
        bar.close(stopped=interrupted)
    kcfg, pcfg = configs(problem, kernel, B)
    names = fault_names(kernel)
    faults = [{"config": int(b), "t": int(tr.fault_t[b]), "quantity": names[int(tr.fault_what[b])]}
              for b in np.flatnonzero(~tr.alive)]
    # views, not copies: the record arrays hold one spare row, and copying them costs more than
    # the run itself for a 10^6-configuration sweep (fresh pages, several 100 MB each)
    rows = {name: a[:n_rows] for name, a in rec.items()}
    provenance = engine_provenance(engine_name, chunk, step_chunk)
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
        resume_state=snapshot(tr, stream, ckpts, k_rec, kernel.state_names) if interrupted else None)


def _numpy_in_pieces(tr, kernel, ts, coeffs, params, stream, feasible, problem) -> None:
    """``advance_numpy`` over the chunk ``ts`` in pieces whose gradient arrays stay under
    ``CHUNK_ELEMENTS`` (the chunk was sized for loops that draw their own gradients; the numpy
    engine steps one t at a time, so the pieces give the same numbers)."""
    from .inputs import CHUNK_ELEMENTS

    piece = max(1, CHUNK_ELEMENTS // (problem.batch * problem.dim))
    for j in range(0, len(ts), piece):
        part = slice(j, j + piece)  # coefficients have a row per step (numpy_loop reads c[k])
        advance_numpy(tr, kernel, ts[part], [c[part] for c in coeffs], params, stream.take(ts[part]), feasible)


def _fused_unavailable():
    from ..fused import FusedUnavailable

    return FusedUnavailable


def _compiled_unavailable():
    from .compiled import CompiledUnavailable

    return CompiledUnavailable


def _progress_bar(T: int, enabled: bool, desc: str, initial: int = 0, batch: int = 1):
    """``regret.progress.Bar`` (tqdm.auto: a notebook widget in Jupyter), which leaves one summary
    line (steps, time, rate) when closed; None when disabled."""
    if not enabled:
        return None
    from ..progress import Bar

    return Bar(T, desc, initial=initial, batch=batch)
