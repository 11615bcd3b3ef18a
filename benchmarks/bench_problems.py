"""x-dependent problems: coordinate-steps per second of ``regret.run`` on the compiled loop
(``regret.engine.compiled``) against the numpy reference engine, in one process.

    .venv/bin/python benchmarks/bench_problems.py           # the table (a minute or two)
    .venv/bin/python benchmarks/bench_problems.py --quick   # smaller sizes, a smoke test

Rate = B·d·T / seconds of the whole ``regret.run`` call (gradient, loss, kernel rule, projection,
regret tracking; the comparator solved once, at T), best of ``--repeat`` after a warm-up run
that compiles the loop.  Adam, practical convention (bias corrections, ε = 1e-8, lr 0.01).

Cases (the targets of issue 13):
* quadratic d = 10, B = 1;  least squares d = 10, B = 1 (i.i.d. from n = 1000 generated points);
* logistic d = 20, B = 100 configurations (an lr sweep), i.i.d. from n = 10^4 points;
* least squares d = 10, B = 1 on a box, a ball and a simplex (the projections' cost);
* ``jax lax.scan``: when jax is installed (``pip install -e .[bench]``, the CPU wheel), the
  logistic case as one jitted scan (i.i.d. indices precomputed, Adam in float64, vectorised over
  the 100 configurations), for comparison; it does no regret bookkeeping or fault checks;
* cold and warm process: the logistic case run in a fresh process twice on one empty
  ``REGRET_CACHE_DIR``: the first compiles the loop, the second loads it from numba's disk cache;
* comparator solves (``Learning.minimize``, n = 10^4, d = 20, random counts) with BLAS limited to
  one thread (``problems.blas``, what the package does) against the library's default threads,
  timed in alternation.
The machine is shared and noisy: ratios within one run are the meaningful numbers.
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np

import regret


def rate(prob_fn, kernel, T, B, d, repeat, engine="auto"):
    regret.run(prob_fn(), kernel, min(T, 50), checkpoints=[min(T, 50)], engine=engine)  # compile
    best = np.inf
    for _ in range(repeat):
        p = prob_fn()
        t0 = time.perf_counter()
        res = regret.run(p, kernel, T, checkpoints=[T], engine=engine)
        best = min(best, time.perf_counter() - t0)
    return B * d * T / best, res.engine


def jax_logistic(A, y, lrs, T, repeat):
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    idx = jnp.asarray(np.random.default_rng(0).integers(0, len(y), T))
    A, y, lr = jnp.asarray(A), jnp.asarray(y), jnp.asarray(lrs)[:, None]
    B, d = len(lrs), A.shape[1]

    def step(carry, tj):
        x, m, v, loss = carry
        t, j = tj
        a, yj = A[j], y[j]
        z = x @ a
        loss = loss + jnp.logaddexp(0.0, -yj * z)
        g = (-yj * jax.nn.sigmoid(-yj * z))[:, None] * a[None, :]
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        mh, vh = m / (1 - 0.9 ** t), v / (1 - 0.999 ** t)
        x = jnp.clip(x - lr * mh / (jnp.sqrt(vh) + 1e-8), -1.0, 1.0)
        return (x, m, v, loss), None

    @jax.jit
    def run(x0):
        z = jnp.zeros((B, d))
        ts = jnp.arange(1, T + 1, dtype=jnp.float64)
        return jax.lax.scan(step, (x0, z, z, jnp.zeros(B)), (ts, idx))[0]

    run(jnp.ones((B, d))).__getitem__(0).block_until_ready()
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        run(jnp.ones((B, d)))[0].block_until_ready()
        best = min(best, time.perf_counter() - t0)
    return B * d * T / best


def comparator_threads(repeat):
    """(label, ms default threads, ms one thread) per comparator case, best of ``repeat``, alternated."""
    import contextlib

    from regret.problems import learning

    cases = [("least squares, ball (SLSQP)", dict(loss="squares", feasible="ball")),
             ("least squares, box (BVLS)", dict(loss="squares")),
             ("logistic, box (L-BFGS-B)", dict(loss="logistic")),
             ("logistic, simplex (SLSQP)", dict(loss="logistic", feasible="simplex"))]
    limit = learning.one_blas_thread
    out = []
    for label, kw in cases:
        p = learning.Learning(n=10_000, d=20, seed=0, **kw)
        w = np.random.default_rng(0).integers(0, 5, 10_000).astype(np.float64)
        best = {"default": np.inf, "one": np.inf}
        try:
            for _ in range(max(repeat, 3)):
                for mode in best:
                    learning.one_blas_thread = limit if mode == "one" else contextlib.nullcontext
                    t0 = time.perf_counter()
                    p.minimize(w)
                    best[mode] = min(best[mode], time.perf_counter() - t0)
        finally:
            learning.one_blas_thread = limit
        out.append((label, 1e3 * best["default"], 1e3 * best["one"]))
    return out


def cold_warm(T):
    """(seconds, seconds): a fresh process running the logistic case, on an empty cache and again."""
    import subprocess
    import sys
    import tempfile

    script = ("import numpy as np, regret; k = regret.optimizer('adam', lr=np.geomspace(1e-3, 1e-1, 100)); "
              f"regret.run(regret.problem('logistic', n=10_000, d=20, order='iid'), k, {T}, checkpoints=[{T}])")
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, REGRET_CACHE_DIR=tmp)
        for _ in range(2):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", script], env=env, check=True)
            out.append(time.perf_counter() - t0)
    return tuple(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    q = args.quick
    T1 = 20_000 if q else 400_000
    T_np = 1000 if q else 4000
    T_log = 2000 if q else 20_000
    adam = regret.optimizer("adam", lr=0.01)
    rows = []

    def add(label, fn, T, B, d, engine="auto"):
        r, eng = rate(fn, adam if B == 1 else sweep, T, B, d, args.repeat, engine)
        rows.append((label, eng, B, d, T, r))
        print(f"{label:<34} {eng:<9} B={B:<4} d={d:<3} T={T:<8} {r:10.3g} coord-steps/s", flush=True)

    sweep = regret.optimizer("adam", lr=np.geomspace(1e-3, 1e-1, 100))
    quad = lambda: regret.problem("quadratic", a=np.linspace(1, 10, 10), c=0.3, d=10)  # noqa: E731
    ls = lambda F="box": (lambda: regret.problem("least-squares", n=1000, d=10, order="iid", feasible=F,  # noqa: E731
                                                 radius=0.5))
    add("quadratic", quad, T1, 1, 10)
    add("quadratic (numpy engine)", quad, T_np, 1, 10, "numpy")
    add("least squares, box", ls("box"), T1, 1, 10)
    add("least squares, ball", ls("ball"), T1, 1, 10)
    add("least squares, simplex", ls("simplex"), T1, 1, 10)
    add("least squares (numpy engine)", ls("box"), T_np, 1, 10, "numpy")
    logi = lambda: regret.problem("logistic", n=10_000, d=20, order="iid")  # noqa: E731
    add("logistic, 100-config sweep", logi, T_log, 100, 20)
    add("logistic (numpy engine)", logi, max(T_log // 20, 200), 100, 20, "numpy")
    p = logi()
    jr = jax_logistic(p.A, p.y, np.geomspace(1e-3, 1e-1, 100), T_log, args.repeat)
    if jr is not None:
        print(f"{'logistic, jax lax.scan':<34} {'jax':<9} B=100  d=20  T={T_log:<8} {jr:10.3g} coord-steps/s")
    else:
        print("jax not installed: no lax.scan row")
    r = {lab: v for lab, _, _, _, _, v in rows}
    print(f"\nratios: quadratic compiled/numpy {r['quadratic'] / r['quadratic (numpy engine)']:.0f}x, "
          f"least squares {r['least squares, box'] / r['least squares (numpy engine)']:.0f}x, "
          f"logistic {r['logistic, 100-config sweep'] / r['logistic (numpy engine)']:.0f}x; "
          f"box/ball {r['least squares, box'] / r['least squares, ball']:.2f}, "
          f"box/simplex {r['least squares, box'] / r['least squares, simplex']:.2f}")
    cold, warm = cold_warm(T_log)
    print(f"\nfresh process, logistic T={T_log}: {cold:.2f} s on an empty cache, {warm:.2f} s on the cache it left")
    print("\ncomparator solves (n = 10^4, d = 20): default BLAS threads vs one thread")
    for label, a, b in comparator_threads(args.repeat):
        print(f"  {label:<30} {a:8.1f} ms  {b:8.1f} ms  {a / b:5.1f}x")
    print(f"cpu: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
