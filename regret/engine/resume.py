"""Interrupted runs: what a run saves to continue, the check that a saved run is this very run,
and the place-holder of a kernel an interrupted run never reached."""
from __future__ import annotations

import dataclasses

import numpy as np

from .. import __version__, validate
from ..kernels.base import Kernel
from ..problems.base import LinearProblem, Problem
from ..jsonable import jsonable
from ..result import Result
from .provenance import configs
from .tracker import Tracker


def resume_list(resume, n: int) -> list:
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


def check_resumable(prev: Result, problem: Problem, kernel: Kernel, T: int, i: int) -> None:
    """The saved run must be this very run: same T, kernel, hyperparameters and problem (compared
    in their JSON form, ``regret.jsonable``, so NaN equals NaN and a reloaded file equals a fresh
    description), and its resumable state as it was saved (``regret.storage`` marks an altered one)."""
    if prev.resume_state is not None and prev.resume_state.get("altered"):
        raise ValueError(f"resume: result {i} was altered after it was saved (its digest does not match); "
                         "refusing to continue from it")
    if prev.T != T:
        raise ValueError(f"resume: result {i} is of a run with T={prev.T}, this run has T={T}")
    if prev.resume_state is not None:
        saved = prev.resume_state.get("state_names")
        names = list(kernel.state_names)
        # the state is saved as bare arrays, so what they mean comes from their names; a run saved
        # before the names were kept (2026-12-03) is of an earlier version whose Adam and AdaBound
        # states held β^t where they now hold 1 − β^t (README changelog)
        if saved is None:
            raise ValueError(f"resume: result {i} was saved by an earlier version, which did not record what "
                             f"the arrays of the {kernel.name} state mean; rerun it instead of resuming")
        if list(saved) != names:
            raise ValueError(f"resume: result {i} holds the {kernel.name} state ({', '.join(saved)}), this version "
                             f"keeps ({', '.join(names)}); rerun it instead of resuming")
    if prev.optimizer != kernel.name:
        raise ValueError(f"resume: result {i} is of optimizer {prev.optimizer!r}, this run's is {kernel.name!r}")
    B = validate.batch_size({"optimizer batch": kernel.batch, "problem batch": problem.batch})
    kcfg, _ = configs(problem, kernel, B)
    if jsonable(kcfg) != jsonable(prev.configs):
        if len(kcfg) != len(prev.configs):
            raise ValueError(f"resume: {kernel.name} has {len(kcfg)} configurations here, "
                             f"{len(prev.configs)} in the saved run")
        for b, (new, old) in enumerate(zip(jsonable(kcfg), jsonable(prev.configs))):
            for key in sorted(set(new) | set(old)):
                if new.get(key) != old.get(key):
                    raise ValueError(f"resume: {kernel.name} configuration {b} has {key}={new.get(key)!r} here, "
                                     f"{key}={old.get(key)!r} in the saved run")
    new_p, old_p = jsonable(problem.describe()), jsonable(prev.problem)
    if new_p != old_p:
        keys = sorted(set(new_p.get("params", {})) | set(old_p.get("params", {})))
        diff = [k for k in keys if new_p["params"].get(k) != old_p.get("params", {}).get(k)]
        what = ", ".join(f"{k}={new_p['params'].get(k)!r} here, {old_p.get('params', {}).get(k)!r} saved"
                         for k in diff) or f"{new_p.get('name')!r} here, {old_p.get('name')!r} saved"
        raise ValueError(f"resume: the problem differs from the saved run's ({what})")


def snapshot(tr: Tracker, stream, ckpts: np.ndarray, k_rec: int, state_names=()) -> dict:
    """What an interrupted run needs to continue: every Tracker field, the stream's state, the
    planned checkpoints, how many of them are recorded, and the names of the kernel's state
    fields (what the arrays of ``tracker["s"]`` mean)."""
    tracker = {}
    for f in dataclasses.fields(Tracker):
        v = getattr(tr, f.name)
        tracker[f.name] = [np.array(a) for a in v] if isinstance(v, list) else (
            None if v is None else int(v) if f.name == "t" else np.array(v))
    return {"tracker": tracker, "stream": stream.state() if stream is not None else None,
            "checkpoints": ckpts.copy(), "recorded": int(k_rec), "state_names": list(state_names)}


def restore(prev: Result, rec: dict, rec_x, rec_eta, ckpts: np.ndarray, stream):
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


def not_started(problem: Problem, kernel: Kernel, T: int, engine: str, chunk: int) -> Result:
    """The place-holder of a kernel an interrupted run did not reach: no checkpoints."""
    B = validate.batch_size({"optimizer batch": kernel.batch, "problem batch": problem.batch})
    d = problem.dim
    kcfg, pcfg = configs(problem, kernel, B)
    stochastic = isinstance(problem, LinearProblem) and problem.mean_gradient is not None
    gap = stochastic or (not problem.linear and problem.stochastic and hasattr(problem, "expected_gap"))
    empty = np.empty((0, B))
    return Result(
        problem=problem.describe(), optimizer=kernel.name, convention=kernel.convention, configs=kcfg,
        problem_configs=pcfg, T=T, engine=engine, t=np.empty(0, dtype=np.int64), regret=empty,
        loss=empty.copy(), comparator=empty.copy(), x=np.empty((0, B, d)), eta=np.empty((0, B, d)),
        expected_gap=empty.copy() if gap else None, expected_regret=empty.copy() if stochastic else None,
        provenance={"regret_version": __version__, "engine": engine, "chunk": chunk},
        interrupted=True, resume_state=None)
