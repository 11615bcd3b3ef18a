"""Sweeps: a 10^6-configuration grid in process against a 2-worker Dask LocalCluster, peak
memory of one shard against its size, and saving/reloading a 10^6-configuration result.

    .venv/bin/python benchmarks/bench_sweeps.py            # the figures (~6 minutes loaded, ~6 GB peak)
    .venv/bin/python benchmarks/bench_sweeps.py --quick    # B = 10^4, a smoke test
    .venv/bin/python benchmarks/bench_sweeps.py --copy-row # + the cluster with the old merge copy

Workload: a (β1, β2) grid of the theory Adam (α_t = 0.5/√t, no bias correction, ε = 0) on
reddi-online with C = 3 (Reddi et al. Theorem 1), T = 10^3, 60 log-spaced checkpoints (46
distinct at T = 10^3), d = 1: ``regret.grid(beta1=linspace(0, 0.95, n), beta2=linspace(0.01,
0.999, n))`` with n² = B.  Every timed run has its compile done by an untimed warm-up.

* ``in-process``: ``regret.run(problem, kernel, T, grid=g)``, the fused engine over the whole
  batch on its thread pool (``$REGRET_THREADS``, default every core).
* ``LocalCluster 2 workers``: ``regret.run(..., client=client, shard=S)`` on a
  ``LocalCluster(n_workers=2, threads_per_worker=1, processes=False)`` started before the
  timer (its workers are threads of this process, so the shards share the fused engine's one
  thread pool: the two cores, as in the row above).  Since 2026-12-03 the shards record
  straight into their columns of the merged arrays (``engine.run(record_into=...)``, workers in
  this process), so there is no merge copy; whatever merging is left is inside the timer.  The ratio to the in-process row is the
  target (≤ 1.2).  The two rows alternate, ``--repeat`` pairs; best and median are printed.
* ``shard peak RSS``: one shard of S configurations run by ``regret.shards.run_shard`` in a
  fresh process (VmHWM), for several S: what a worker in its own process holds while it runs a
  shard (its record, O(S·K·d), plus the interpreter and numba).  A worker thread of the
  driver's process holds only the shard's O(S·d) state; its record is the merged arrays'.
* ``save``/``load``: ``regret.storage.save``/``load`` of the B-configuration result as zarr
  (``.zarr``) and as JSON; JSON at 10^6 configurations would hold ~2·10^8 numbers as Python
  floats (several GB), so it is measured at 10^4 and 10^5 and its size per configuration
  stated.

The machine is shared (several sessions on 2 cores): figures are from one run, and the ratios within
that run are what count.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

import regret
from regret import storage

T = 1000


def workload(B: int):
    n = int(round(np.sqrt(B)))
    g = regret.grid(beta1=np.linspace(0.0, 0.95, n), beta2=np.linspace(0.01, 0.999, n))
    kern = regret.optimizer("adam", lr=0.5, convention="theory", **g.columns("beta1", "beta2"))
    return g, regret.problem("reddi-online", C=3), kern


class _NoTargets(dict):
    """``shards._TARGETS`` that keeps nothing: every shard records into its own arrays and is
    copied into the merged ones as it arrives (the merge before 2026-12-03), for ``--copy-row``."""

    def __setitem__(self, key, value):
        pass


def timed_pairs(B: int, shard: int, repeat: int, copy_row: bool = False):
    """Alternating (in-process, cluster) timings of the same sweep, ``repeat`` pairs, each run's
    compile and the cluster's start outside the timers.  Returns (in-process seconds, cluster
    seconds, the last cluster Result, whether it equals the in-process one bit for bit, and the
    cluster seconds with the merge copy when ``copy_row``)."""
    from regret import shards

    from distributed import Client, LocalCluster

    g, prob, kern = workload(B)
    regret.run(prob, kern, 10, progress=False)  # compile (and first-touch) outside the timers
    t_in, t_dk, t_cp, same = [], [], [], True
    res = None
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        regret.run(prob, kern, 10, client=client, shard=shard, progress=False)  # warm the workers
        for _ in range(repeat):
            # each timed run starts with no earlier result alive (both rows alike): the bit-for-bit
            # check compares digests of the bytes, not a 1.8 GB copy held through the next run
            res = None
            t0 = time.perf_counter()
            ref = regret.run(prob, kern, T, grid=g, progress=False)
            t_in.append(time.perf_counter() - t0)
            keep = _digests(ref)
            del ref
            t0 = time.perf_counter()
            res = regret.run(prob, kern, T, grid=g, client=client, shard=shard, progress=False)
            t_dk.append(time.perf_counter() - t0)
            same &= _digests(res) == keep
            if copy_row:
                res, real = None, shards._TARGETS
                shards._TARGETS = _NoTargets()
                try:
                    t0 = time.perf_counter()
                    res = regret.run(prob, kern, T, grid=g, client=client, shard=shard, progress=False)
                    t_cp.append(time.perf_counter() - t0)
                finally:
                    shards._TARGETS = real
                same &= _digests(res) == keep
    return t_in, t_dk, res, same, t_cp


def _digests(res) -> dict:
    """SHA-256 of every record array's bytes, with its shape and dtype: equal iff bit for bit."""
    import hashlib

    return {f: (a.shape, a.dtype.str, hashlib.sha256(np.ascontiguousarray(a).data).hexdigest())
            for f in ("regret", "loss", "comparator", "x", "eta") for a in [getattr(res, f)]}


def shard_rss(S: int) -> float:
    """Peak RSS (MB) of a fresh process that runs one S-configuration shard of the workload."""
    code = ("import numpy as np, regret\n"
            "from regret import shards\n"
            f"b1 = np.linspace(0.0, 0.95, {S}); b2 = np.linspace(0.01, 0.999, {S})\n"
            "k = regret.optimizer('adam', lr=0.5, beta1=b1, beta2=b2, convention='theory')\n"
            "p = regret.problem('reddi-online', C=3)\n"
            "task = {'kernel': ('recipe', k.recipe), 'problem': ('recipe', p.recipe), "
            f"'T': {T}, 'x0': None, 'kwargs': {{}}, 'ki': 0, 'range': (0, {S})}}\n"
            "shards.run_shard(task)\n"
            "hwm = [ln for ln in open('/proc/self/status') if ln.startswith('VmHWM')][0].split()[1]\n"
            "print(int(hwm) / 1024)\n")
    env = dict(os.environ, REGRET_THREADS="1")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    return float(out.stdout.split()[-1])


def save_load(res, path: str):
    t0 = time.perf_counter()
    storage.save(path, res)
    t_save = time.perf_counter() - t0
    t0 = time.perf_counter()
    back = storage.load(path).results[0]
    t_load = time.perf_counter() - t0
    same = all(np.array_equal(getattr(back, f), getattr(res, f)) for f in ("regret", "x", "eta", "loss"))
    return t_save, t_load, _size(path), same


def _size(path: str) -> int:
    if os.path.isfile(path):
        return os.path.getsize(path)
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="B = 10^4 instead of 10^6")
    ap.add_argument("--shard", type=int, default=1 << 16, help="configurations per shard (default 65536)")
    ap.add_argument("--repeat", type=int, default=3, help="alternating pairs of timed runs (default 3)")
    ap.add_argument("--copy-row", action="store_true",
                    help="a third row in the alternation: the cluster with every shard copied into the merged arrays")
    args = ap.parse_args()
    B = 10**4 if args.quick else 10**6
    print(f"regret {regret.__version__}, numpy {np.__version__}, {os.cpu_count()} cores (shared); "
          f"B = {B}, T = {T}, d = 1, shard = {args.shard}")
    t_in, t_dk, res, same, t_cp = timed_pairs(B, args.shard, args.repeat, args.copy_row)
    rows = [("in-process", t_in), ("LocalCluster 2 workers", t_dk)] + ([("  ... merge copy", t_cp)] if t_cp else [])
    for name, ts in rows:
        print(f"{name:24s} best {min(ts):6.2f} s ({B * T / min(ts):.3e} config-steps/s), median "
              f"{np.median(ts):6.2f} s, runs {', '.join(f'{v:.2f}' for v in ts)}")
    ratios = [d / i for i, d in zip(t_in, t_dk)]
    print(f"cluster / in-process: best-to-best {min(t_dk) / min(t_in):.2f}, pairwise "
          f"{', '.join(f'{r:.2f}' for r in ratios)} (target <= 1.2)")
    if t_cp:
        print(f"cluster with the merge copy / in-process: best-to-best {min(t_cp) / min(t_in):.2f}, pairwise "
              f"{', '.join(f'{c / i:.2f}' for i, c in zip(t_in, t_cp))}")
    print(f"sharded == in-process, bit for bit, every pair: {same}")
    for S in ((1 << 12, 1 << 14, 1 << 16) if args.quick else (1 << 14, 1 << 16, 1 << 18)):
        print(f"shard of {S:7d} configurations: peak RSS {shard_rss(S):7.1f} MB")
    folder = tempfile.mkdtemp(prefix="bench-sweeps-")
    try:
        save_load(_first(res, 10), os.path.join(folder, "warm.zarr"))  # imports outside the timers
        ts, tl, size, ok = save_load(res, os.path.join(folder, "big.zarr"))
        print(f"zarr, B = {B}: save {ts:.2f} s, load {tl:.2f} s, {size / 1e6:.1f} MB "
              f"({size / B:.0f} B/config), round trip exact: {ok}")
        for b in (10**4, 10**5) if not args.quick else (10**3, 10**4):
            small = _first(res, b)
            zs, zl, zsize, _ = save_load(small, os.path.join(folder, f"s{b}.zarr"))
            js, jl, jsize, jok = save_load(small, os.path.join(folder, f"s{b}.json"))
            print(f"B = {b}: zarr save {zs:.2f} s, load {zl:.2f} s, {zsize / 1e6:.2f} MB; JSON save {js:.2f} s, "
                  f"load {jl:.2f} s, {jsize / 1e6:.1f} MB ({jsize / b:.0f} B/config); zarr/JSON size "
                  f"{zsize / jsize:.3f}; JSON exact: {jok}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _first(res, b: int):
    """The first b configurations of ``res`` (element-wise, no grid), for the JSON comparison."""
    from regret.result import Configs, Result

    cfg = Configs(b, {k: (c[:b] if isinstance(c, np.ndarray) else c) for k, c in
                      ((k, res.configs.column(k)) for k in res.configs.keys())})
    pcfg = Configs(b, {k: res.problem_configs.column(k) for k in res.problem_configs.keys()})
    return Result(problem=res.problem, optimizer=res.optimizer, convention=res.convention, configs=cfg,
                  problem_configs=pcfg, T=res.T, engine=res.engine, t=res.t, regret=res.regret[:, :b].copy(),
                  loss=res.loss[:, :b].copy(), comparator=res.comparator[:, :b].copy(), x=res.x[:, :b].copy(),
                  eta=res.eta[:, :b].copy(), faults=[], seconds=res.seconds, provenance=res.provenance)


if __name__ == "__main__":
    main()
