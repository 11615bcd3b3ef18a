"""Sweeps split into shards of configurations, run in process or on Dask, merged bit for bit.

``regret.run`` is the engine's ``run`` plus three things a large sweep needs:

* ``grid=`` (a ``regret.grid``): the Result keeps the grid's axes as labels (``Result.grid``),
  checked against the configurations actually run;
* ``shard=N``, ``client=`` (a ``distributed.Client`` or a scheduler address) or ``workers=N`` (a
  local cluster started and closed by the call): the configuration axis of each kernel is cut
  into shards of N consecutive configurations, each shard is an ordinary in-process
  ``engine.run`` on ``kernel.take(idx)`` and ``problem.take(idx)``, and the shards are merged;
* ``store=DIR``: each finished shard is written there (a zarr store, atomically), and a sweep
  started again with the same ``store`` loads those and runs only the others.

Why the merge is bit for bit the single-process run: a configuration's numbers depend only on
its own hyperparameters and problem instance (the engine's sums run in t order whatever the
chunking, coefficients and random streams are per configuration; see ``Kernel.take``), so
slicing the batch changes which configurations share a loop, never a configuration's
arithmetic.  The merged arrays are allocated once for the whole batch before any shard runs; a
shard run in this process (in process, or on a LocalCluster whose workers are threads) records
straight into its columns of them (``engine.run(record_into=...)``), one run elsewhere is copied
into them as it arrives (``Merger``).  The tests compare every array of the merged Result with
``engine.run`` on the whole batch, bit for bit.

On Dask: one task per shard, given the kernel's and problem's recipes (plain data), never
closures; Dask retries a task whose worker died (``distributed.scheduler.allowed-failures``,
default 3), and the retry computes the same numbers because a shard is a pure function of its
inputs.  One progress bar counts config-steps over the whole sweep, advanced as shards finish.
Ctrl-C (or ``on_shard`` returning True) cancels what is running and raises ``SweepInterrupted``;
with a ``store`` the shards already finished stay there, so calling again resumes.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import time

import numpy as np

from . import limits, validate
from . import engine as _engine
from .engine.driver import checkpoint_steps, kernel_list, record_fields
from .result import Configs, Result

#: configurations per shard by default: about 100 MB of record per shard at 60 checkpoints, d = 1
DEFAULT_SHARD = 1 << 16
MANIFEST = "sweep.json"
#: token → the merged arrays (one dict per kernel) of each sweep running in this process: a shard
#: that runs in the same process (in process, or on a LocalCluster whose workers are threads)
#: finds them here and records straight into its columns; one in another process does not, and
#: its Result is copied in by the Merger as it arrives
_TARGETS: dict[str, list] = {}


class SweepInterrupted(KeyboardInterrupt):
    """A sharded sweep stopped by Ctrl-C: ``done`` of ``total`` shards finished, those persisted
    in ``store`` (None: nothing kept).  Run the same call again with the same store to resume."""

    def __init__(self, done: int, total: int, store: str | None):
        self.done, self.total, self.store = done, total, store
        where = (f"finished shards are in {store!r}; run again with the same store to resume" if store
                 else "nothing kept (pass store=DIR to make a sweep resumable)")
        super().__init__(f"sweep interrupted after {done} of {total} shards; {where}")


def run(problem, optimizers, T, *, grid=None, client=None, workers=None, shard=None, store=None,
        on_shard=None, **kwargs):
    """``regret.run``: run each kernel on ``problem`` for T steps (``regret.engine.run``; every
    keyword of it is accepted), optionally labelled by a grid and split into shards.

    ``grid``: the ``regret.grid`` the kernel's and problem's sweeps were built from; each axis
    must be a configuration parameter whose column equals the grid's (C order), and the Result's
    ``grid`` holds the axes.  ``shard`` (configurations per shard, ≥ 1), ``client`` (a
    ``distributed.Client`` or a scheduler address such as ``"tcp://host:8786"``), ``workers``
    (a ``LocalCluster`` of that many workers, one thread each, for the call) or ``store`` (a
    directory for finished shards) turn sharding on; see the module docstring.  The result is
    the same, bit for bit, as without them.  ``on_shard(done, total)`` is called as shards
    finish; returning True stops the sweep like Ctrl-C.
    """
    sharded = any(v is not None for v in (client, workers, shard, store))
    if grid is not None:
        from .grid import Grid

        if not isinstance(grid, Grid):
            raise TypeError(f"grid must be a regret.grid(...), got {type(grid).__name__}")
    if not sharded:
        out = _engine.run(problem, optimizers, T, **kwargs)
    else:
        out = run_sharded(problem, optimizers, T, client=client, workers=workers, shard=shard, store=store,
                          on_shard=on_shard, **kwargs)
    if grid is not None:
        for r in ([out] if isinstance(out, Result) else out):
            attach_grid(r, grid)
    return out


def attach_grid(result: Result, grid) -> Result:
    """Check that ``result``'s configurations are the grid's product and set ``result.grid``."""
    if result.batch != grid.size:
        raise ValueError(f"grid has {grid.size} points ({' × '.join(map(str, grid.shape))}) but "
                         f"{result.optimizer} ran {result.batch} configurations; build the sweep from grid.columns()")
    for name in grid:
        for cfg in (result.configs, result.problem_configs):
            cfg = cfg if isinstance(cfg, Configs) else Configs.from_dicts(list(cfg))
            if name in cfg.keys():
                col = cfg.column(name)
                values = np.full(grid.size, col.value) if hasattr(col, "value") else np.asarray(col, dtype=float)
                if not np.array_equal(values.astype(float), grid[name].astype(float)):
                    raise ValueError(f"grid axis {name}: the run's {name} is not the grid's column "
                                     f"(pass grid.columns({name!r}) to the optimizer or problem)")
                break
        else:
            raise ValueError(f"grid axis {name}: no optimizer option or problem parameter of {result.optimizer} "
                             f"on {result.problem.get('name')} is called {name!r}")
    result.grid = grid.labels()
    return result


def shard_ranges(B: int, shard: int) -> list[tuple[int, int]]:
    """[start, stop) of each shard of ``shard`` consecutive configurations out of B."""
    return [(a, min(a + shard, B)) for a in range(0, B, shard)]


def run_sharded(problem, optimizers, T, *, client=None, workers=None, shard=None, store=None, on_shard=None,
                progress=None, resume=None, _die_once=None, **kwargs):
    """The sharded sweep behind ``run`` (same arguments).  ``_die_once``: fault injection for
    the tests, a marker path: the first shard to reach half its horizon while the marker does
    not exist creates it and kills its own worker process (``os._exit``)."""
    if resume is not None:
        raise ValueError("resume= does not apply to a sharded sweep; pass the same store= to continue one")
    if kwargs.get("on_chunk") is not None:
        raise ValueError("on_chunk= does not apply to a sharded sweep; use on_shard=")
    if kwargs.get("record_into") is not None:
        raise ValueError("record_into= does not apply to a sharded sweep (its shards record into the merged result)")
    kernels, single = kernel_list(optimizers)
    T = limits.horizon("T", T)
    if shard is not None:
        shard = validate.positive_int("shard", shard)
    if workers is not None:
        workers = validate.positive_int("workers", workers)
        if client is not None:
            raise ValueError("give client= or workers=, not both")
    x0 = kwargs.pop("x0", None)
    batches = [validate.batch_size({"optimizer batch": k.batch, "problem batch": problem.batch}) for k in kernels]
    x0_rows = x0 is not None and np.ndim(x0) == 2 and max(batches) > 1 and np.shape(x0)[0] > 1
    tasks = []
    for ki, (k, B) in enumerate(zip(kernels, batches)):
        size = shard or min(B, DEFAULT_SHARD)
        for a, b in shard_ranges(B, size):
            idx = np.arange(a, b)
            tasks.append({"kernel": _portable(k, idx), "problem": _portable(problem, idx), "T": T,
                          "x0": np.asarray(x0)[a:b] if x0_rows else x0, "kwargs": kwargs, "ki": ki,
                          "range": (a, b), "die_once": _die_once})
    if progress is None:
        progress = sys.stderr.isatty()
    if store is not None:
        store = _open_store(store, problem, kernels, T, shard, x0, kwargs)
        for task in tasks:
            task["path"] = os.path.join(store, _shard_name(task))
    ckpts = checkpoint_steps(T, kwargs.get("checkpoints", 60))
    mergers = [Merger(problem, B, len(ckpts)) for B in batches]
    token = os.urandom(8).hex()
    for task in tasks:
        task["target"] = token
    done = set()

    def take(i, res):
        mergers[tasks[i]["ki"]].add(tasks[i]["range"][0], res)
        done.add(i)

    for i, task in enumerate(tasks):
        if store is not None and _is_done(task["path"]):
            take(i, _load_shard(task["path"]))
    todo = [i for i in range(len(tasks)) if i not in done]
    total = len(tasks)
    steps = [(t["range"][1] - t["range"][0]) * T for t in tasks]
    bar = _bar(sum(steps), sum(steps[i] for i in done), progress)
    started = time.perf_counter()
    _TARGETS[token] = [m.arrays for m in mergers]
    try:
        if todo:
            runner = _run_dask if (client is not None or workers is not None) else _run_here
            for i, res in runner(tasks, todo, client, workers):
                take(i, res)  # copied into the merged arrays now, while the other shards run
                del res
                if bar is not None:
                    bar.update(steps[i])
                if on_shard is not None and on_shard(len(done), total):
                    if len(done) < total:
                        raise KeyboardInterrupt
    except KeyboardInterrupt:
        raise SweepInterrupted(len(done), total, store) from None
    finally:
        _TARGETS.pop(token, None)
        if bar is not None:
            bar.close()
    wall = time.perf_counter() - started
    results = [m.result(scheduler=_scheduler_name(client, workers), wall=wall) for m in mergers]
    return results[0] if single else results


def _portable(obj, idx: np.ndarray):
    """What a shard task gets for a kernel or problem: its recipe sliced to ``idx`` (plain data
    a worker rebuilds from), or the object itself when it has no batch to slice."""
    if obj.batch == 1:
        return ("recipe", obj.recipe) if obj.recipe is not None else ("object", obj)
    part = obj.take(idx)  # validates here, on the driver: a worker never sees a bad slice
    return ("recipe", part.recipe) if part.recipe is not None else ("object", part)


def _build(what: str, item):
    kind, value = item
    if kind == "object":
        return value
    name, kwargs = value
    if what == "kernel":
        from .kernels import optimizer

        return optimizer(name, **kwargs)
    from .problems import problem

    return problem(name, **kwargs)


def run_shard(task: dict) -> Result:
    """One shard: the ordinary in-process ``engine.run`` on the shard's slice of the kernel and
    problem, written to ``task["path"]`` (if any) before it is returned.  When the sweep's merged
    arrays are in this process (``_TARGETS``), the shard records into its columns of them and
    the Result's arrays are views of those columns."""
    kernel = _build("kernel", task["kernel"])
    problem = _build("problem", task["problem"])
    kwargs = dict(task["kwargs"])
    targets = _TARGETS.get(task.get("target"))
    if targets is not None:
        a, b = task["range"]
        kwargs["record_into"] = {name: out[:, a:b] for name, out in targets[task["ki"]].items() if out is not None}
    if task.get("die_once"):
        marker, T = task["die_once"], task["T"]

        def die(i, t):
            if t >= T // 2 and not os.path.exists(marker):
                open(marker, "w").close()
                os._exit(1)  # a worker killed mid-shard (tests only)

        kwargs["on_chunk"] = die
    res = _engine.run(problem, kernel, task["T"], x0=task["x0"], progress=False, **kwargs)
    if res.interrupted:
        raise KeyboardInterrupt
    if task.get("path"):
        _save_shard(task["path"], res)
    return res


def _run_here(tasks, todo, client, workers):
    for i in todo:
        yield i, run_shard(tasks[i])


def _run_dask(tasks, todo, client, workers):
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:  # pragma: no cover - in the sweeps and test extras
        raise ValueError("Dask is not installed; install regret with the 'sweeps' extra: "
                         "pip install 'regret[sweeps]'") from None
    own = None
    if workers is not None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=False, dashboard_address=None)
        own = (cluster, Client(cluster))
        client = own[1]
    elif isinstance(client, str):
        own = (None, connect(client))
        client = own[1]
    futures = {}
    try:
        for i in todo:
            futures[client.submit(run_shard, tasks[i], pure=False, key=f"regret-shard-{i}-{os.urandom(4).hex()}")] = i
        for fut in as_completed(list(futures)):
            i, res = futures.pop(fut), fut.result()
            fut.release()  # the worker lets go of the shard once the driver holds it
            yield i, res
    finally:
        for fut in futures:
            fut.cancel()
        if own is not None:
            own[1].close()
            if own[0] is not None:
                own[0].close()


def connect(address: str, timeout: float = 5.0):
    """A ``distributed.Client`` of the scheduler at ``address``; ValueError if it cannot be
    reached within ``timeout`` seconds."""
    from distributed import Client

    try:
        return Client(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ValueError(f"dask scheduler {address!r}: cannot connect ({type(exc).__name__}: "
                         f"{' '.join(str(exc).split())[:160]})") from None


def _scheduler_name(client, workers) -> str:
    if workers is not None:
        return f"LocalCluster({workers} workers)"
    if client is None:
        return "in-process"
    return client if isinstance(client, str) else getattr(client.scheduler, "address", "dask")


class Merger:
    """The Result of one kernel assembled from its shards as they arrive, in any order: each
    shard's arrays go into their columns [a, b) of arrays allocated once for the whole batch,
    and the shard is let go.

    A shard run in this process has recorded into those columns already (``run_shard``,
    ``engine.run(record_into=...)``), so there is nothing to copy: at 10^6 configurations a
    copy is ~1.8 GB written to fresh pages, which cost more than the shards' compute on this
    machine.  Shards from other processes or from the store are copied in as they arrive, not
    concatenated at the end: the copy overlaps the shards still running, and at most the merged
    arrays plus the shards in flight are held.  ``K``: the number of checkpoints, to allocate
    the merged arrays before any shard runs (None: from the first shard to arrive).
    Configurations and faults are renumbered by each shard's start; ``seconds`` is the shards'
    compute time summed; ``provenance["sharding"]`` says how the sweep ran.
    """

    FIELDS = ("regret", "loss", "comparator", "x", "eta", "expected_gap", "expected_regret")

    def __init__(self, problem, batch: int, K: int | None = None):
        self.problem, self.batch = problem, batch
        self.arrays: dict | None = None
        if K is not None:
            fields = record_fields(problem)
            self.arrays = {name: np.empty((K, batch) + fields[name]) if name in fields else None
                           for name in self.FIELDS}
        self.first: Result | None = None
        self.configs, self.problem_configs, self.faults = {}, {}, []
        self.seconds, self.sizes = 0.0, set()

    def add(self, start: int, part: Result) -> None:
        if self.first is None and self.arrays is None:
            self.arrays = {name: None if getattr(part, name) is None else
                           np.empty(getattr(part, name).shape[:1] + (self.batch,) + getattr(part, name).shape[2:],
                                    dtype=getattr(part, name).dtype)
                           for name in self.FIELDS}
        if self.first is None:
            self.first = part
        elif not np.array_equal(part.t, self.first.t) or part.engine != self.first.engine:
            raise ValueError("shards of one sweep ran different checkpoints or engines; they cannot be merged")
        stop = start + part.batch
        for name, out in self.arrays.items():
            if out is None:
                continue
            src, dst = getattr(part, name), out[:, start:stop]
            if src.shape != dst.shape:
                raise ValueError(f"shard [{start}, {stop}) has {name} of shape {src.shape}, expected {dst.shape}")
            if not _same_memory(src, dst):  # recorded elsewhere (another process, the store): copy
                dst[...] = src
        self.configs[start] = part.configs
        self.problem_configs[start] = part.problem_configs
        self.faults += [{**f, "config": f["config"] + start} for f in part.faults]
        self.seconds += float(part.seconds)
        self.sizes.add(part.batch)

    def result(self, scheduler: str = "in-process", wall: float | None = None) -> Result:
        first, a = self.first, self.arrays
        provenance = dict(first.provenance)
        provenance["sharding"] = {"shards": len(self.configs), "shard_sizes": sorted(self.sizes),
                                  "scheduler": scheduler, **({"wall_seconds": wall} if wall is not None else {})}
        order = sorted(self.configs)
        return Result(
            problem=self.problem.describe(), optimizer=first.optimizer, convention=first.convention,
            configs=Configs.concat([self.configs[s] for s in order]),
            problem_configs=Configs.concat([self.problem_configs[s] for s in order]), T=first.T,
            engine=first.engine, t=first.t.copy(), regret=a["regret"], loss=a["loss"], comparator=a["comparator"],
            x=a["x"], eta=a["eta"], expected_gap=a["expected_gap"], expected_regret=a["expected_regret"],
            faults=sorted(self.faults, key=lambda f: f["config"]), seconds=self.seconds, provenance=provenance)


def _same_memory(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether a and b are the very same view (a shard that recorded in place)."""
    return (a.shape == b.shape and a.strides == b.strides and a.dtype == b.dtype
            and a.__array_interface__["data"][0] == b.__array_interface__["data"][0])


def merge(parts: list[Result], problem, scheduler: str = "in-process") -> Result:
    """One Result from consecutive shards ``parts`` of one kernel (see ``Merger``)."""
    m = Merger(problem, sum(p.batch for p in parts))
    start = 0
    for p in parts:
        m.add(start, p)
        start += p.batch
    return m.result(scheduler)


# ---- the store of finished shards -------------------------------------------------------

def _fingerprint(problem, kernels, T, shard, x0, kwargs) -> dict:
    """What identifies a sweep: a restart with a store must be the very same sweep."""
    def digest(obj) -> str:
        h = hashlib.sha256()
        h.update(json.dumps(obj, sort_keys=True, default=_plain).encode())
        return h.hexdigest()

    kdesc = []
    for k in kernels:
        hp = {key: (v.tolist() if isinstance(v, np.ndarray) else v) for key, v in k.hparams.items()}
        kdesc.append({"name": k.name, "hparams": digest(hp), "batch": k.batch})
    return {"problem": digest(problem.describe()), "problem_name": problem.name, "kernels": kdesc, "T": T,
            "shard": shard, "x0": digest(None if x0 is None else np.asarray(x0).tolist()),
            "settings": digest({k: v for k, v in kwargs.items() if k != "progress"})}


def _plain(o):
    """JSON form of what ``json`` does not know (arrays, numpy scalars, Configs)."""
    if isinstance(o, Configs):
        return list(o)
    return o.tolist() if hasattr(o, "tolist") else str(o)


def _open_store(store, problem, kernels, T, shard, x0, kwargs) -> str:
    store = os.fspath(store)
    parent = os.path.dirname(os.path.abspath(store))
    if not os.path.isdir(parent):
        raise ValueError(f"store={store!r}: directory {parent!r} does not exist")
    fp = _fingerprint(problem, kernels, T, shard, x0, kwargs)
    manifest = os.path.join(store, MANIFEST)
    if os.path.exists(store):
        if not os.path.isdir(store):
            raise ValueError(f"store={store!r} is a file; give a directory for the shards")
        if os.path.exists(manifest):
            try:
                with open(manifest, encoding="utf-8") as fh:
                    old = json.load(fh)
            except (OSError, json.JSONDecodeError):
                raise ValueError(f"store={store!r}: {MANIFEST} is not a regret sweep manifest") from None
            if old.get("format") != "regret-sweep" or old.get("fingerprint") != fp:
                raise ValueError(f"store={store!r} holds shards of a different sweep; give a new directory")
            return store
        if os.listdir(store):
            raise ValueError(f"store={store!r} is a non-empty directory that is not a regret sweep store")
    else:
        os.makedirs(store)
    tmp = manifest + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump({"format": "regret-sweep", "version": 1, "fingerprint": fp}, fh)
    os.replace(tmp, manifest)
    return store


def _shard_name(task) -> str:
    a, b = task["range"]
    return f"k{task['ki']}-{a:010d}-{b:010d}.zarr"


def _is_done(path: str) -> bool:
    from .labelled import is_zarr

    return is_zarr(path)


def _save_shard(path: str, res: Result) -> None:
    from .labelled import save_zarr

    save_zarr(path, res)


def _load_shard(path: str) -> Result:
    from .labelled import load_zarr

    return load_zarr(path)[0][0]


def _bar(total: int, initial: int, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, desc="sweep", unit="config-step", unit_scale=True, leave=False,
                file=sys.stderr)
