"""x-dependent problems: coordinate-steps per second of ``regret.run`` on the compiled loop
(``regret.engine.compiled``) against the numpy reference engine, in one process.

    .venv/bin/python benchmarks/bench_problems.py           # the table (a minute or two)
    .venv/bin/python benchmarks/bench_problems.py --quick   # smaller sizes, a smoke test
    .venv/bin/python benchmarks/bench_problems.py --comparators   # the comparator solvers only

Rate = B·d·T / seconds of the whole ``regret.run`` call (gradient, loss, kernel rule, projection,
regret tracking; the comparator solved once, at T), best of ``--repeat`` after a warm-up run
that compiles the loop.  Adam, practical convention (bias corrections, ε = 1e-8, lr 0.01).

Cases (the targets of issue 13):
* quadratic d = 10, B = 1;  least squares d = 10, B = 1 (i.i.d. from n = 1000 generated points);
  the quadratic's optimum c = 0.3 is inside the box: Adam reaches it exactly (g = 0) by t ≈ 5000,
  m then decays into the subnormals and stays at 5·2⁻¹⁰⁷⁴ (0.9·m rounds back to m), and every
  later step does subnormal arithmetic (~27x slower per operation on the Intel CPUs measured,
  microcode assists), the same in both engines; the row "quadratic, optimum outside the box"
  (c = 2: x on the bound, g constant) is the loop's speed on normal numbers;
* logistic d = 20, B = 100 configurations (an lr sweep), i.i.d. from n = 10^4 points; and the same
  with ``run``'s default 60 checkpoints (54 distinct steps), each solving the comparator and
  evaluating the expected gap over the 10^4 points (what a default run costs beyond the loop);
* least squares d = 10, B = 1 on a box, a ball and a simplex (the projections' cost), and d = 20,
  B = 100 (an lr sweep, the configuration-inner path: projections across a block's columns);
* ``jax lax.scan``: when jax is installed (``pip install -e .[bench]``, the CPU wheel), the
  logistic case as one jitted scan (i.i.d. indices precomputed, Adam in float64, vectorised over
  the 100 configurations), for comparison; it does no regret bookkeeping or fault checks;
* cold and warm process: the logistic case run in a fresh process twice on one empty
  ``REGRET_CACHE_DIR``: the first compiles the loop, the second loads it from numba's disk cache;
* comparator solves (``Learning.minimize``, n = 10^4, d = 20, random counts) with BLAS limited to
  one thread (``problems.blas``, what the package does) against the library's default threads,
  timed in alternation;
* comparator solvers (issue 13; alone with ``--comparators``): every loss × box/ball/simplex at
  n = 10^4, d = 20, against the solvers of main e9a411b (kept below as ``old_minimize``) at
  10^4 or, where those do not run there, a smaller n, with the new minimum minus the old and
  the new solver's certified gap.
The machine is shared and noisy: ratios within one run are the meaningful numbers.
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np

import regret
from regret.problems import learning


def rate(prob_fn, kernel, T, B, d, repeat, engine="auto", checkpoints=None):
    regret.run(prob_fn(), kernel, min(T, 50), checkpoints=[min(T, 50)], engine=engine)  # compile
    best = np.inf
    for _ in range(repeat):
        p = prob_fn()
        t0 = time.perf_counter()
        res = regret.run(p, kernel, T, checkpoints=[T] if checkpoints is None else checkpoints, engine=engine)
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

    cases = [("least squares, ball (trust region)", dict(loss="squares", feasible="ball")),
             ("least squares, box (BVLS)", dict(loss="squares")),
             ("logistic, box (L-BFGS-B + Newton)", dict(loss="logistic")),
             ("logistic, simplex (Newton)", dict(loss="logistic", feasible="simplex"))]
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


# -- comparator solvers before issue 13's exact ones (main e9a411b), kept here to time them --
# SLSQP on a ball or simplex, dense epigraph LPs, SLSQP on the epigraph for hinge/absolute on a ball.
TOL = 1e-12

def _constraints(F, nvar: int):
    """SLSQP constraints of a ball or simplex on the first d of ``nvar`` variables, and bounds."""
    d = F.dim
    if F.kind == "ball":
        def fun(v):
            z = v[:d] - F.center
            return np.array([F.radius ** 2 - z @ z])

        def jac(v):
            out = np.zeros((1, nvar))
            out[0, :d] = -2.0 * (v[:d] - F.center)
            return out
        return [{"type": "ineq", "fun": fun, "jac": jac}], None
    if F.kind == "simplex":
        jac = np.zeros((1, nvar))
        jac[0, :d] = 1.0
        return ([{"type": "eq", "fun": lambda v: np.array([np.sum(v[:d]) - F.scale]), "jac": lambda v: jac}],
                [(0.0, None)] * d + [(None, None)] * (nvar - d))
    return [], list(zip(F.lo, F.hi)) + [(None, None)] * (nvar - d)


def _start(F) -> np.ndarray:
    if F.kind == "box":
        return np.clip(0.0, F.lo, F.hi) + 0.0 * F.lo
    if F.kind == "ball":
        return F.center.copy()
    return np.full(F.dim, F.scale / F.dim)


def _epigraph_rows(A, y, name):
    """Rows (G, h) of G·[x; ξ] ≤ h for ξ_j ≥ ℓ_j(x): hinge ξ ≥ 1 − y<a,x>, ξ ≥ 0; absolute ξ ≥ ±(<a,x> − y)."""
    n, d = A.shape
    eye = np.eye(n)
    if name == "hinge":
        G = np.hstack([-(y[:, None] * A), -eye])
        return G, -np.ones(n)
    G = np.vstack([np.hstack([A, -eye]), np.hstack([-A, -eye])])
    return G, np.concatenate([y, -y])


def _min_piecewise_lp(A, y, w, F, name):
    from scipy.optimize import linprog

    n, d = A.shape
    G, h = _epigraph_rows(A, y, name)
    cost = np.concatenate([np.zeros(d), w])
    if F.kind == "box":
        bounds = list(zip(F.lo, F.hi)) + [(0.0 if name == "hinge" else None, None)] * n
        A_eq = b_eq = None
    else:
        bounds = [(0.0, None)] * d + [(0.0 if name == "hinge" else None, None)] * n
        A_eq, b_eq = np.concatenate([np.ones(d), np.zeros(n)])[None, :], [F.scale]
    res = linprog(cost, A_ub=G, b_ub=h, A_eq=A_eq, b_eq=b_eq, bounds=bounds, method="highs")
    x = F.project(res.x[:d])
    loss = learning.LOSS_FUNCTIONS[name][0]
    return float(np.sum(w * loss(A @ x, y))), x


def _min_epigraph_ball(A, y, w, F, name):
    from scipy.optimize import minimize

    n, d = A.shape
    G, h = _epigraph_rows(A, y, name)
    cons, _ = _constraints(F, d + n)
    cons = cons + [{"type": "ineq", "fun": lambda v: h - G @ v, "jac": lambda v: -G}]
    bounds = [(None, None)] * d + [(0.0 if name == "hinge" else None, None)] * n
    x0 = F.center.copy()
    loss = learning.LOSS_FUNCTIONS[name][0]
    v0 = np.concatenate([x0, loss(A @ x0, y)])
    res = minimize(lambda v: float(w @ v[d:]), v0, jac=lambda v: np.concatenate([np.zeros(d), w]),
                   method="SLSQP", constraints=cons, bounds=bounds, options={"ftol": TOL, "maxiter": 2000})
    x = F.project(res.x[:d])
    return float(np.sum(w * loss(A @ x, y))), x



def old_minimize(prob, w):
    """``Learning.minimize`` as on main e9a411b (the box least squares is unchanged)."""
    from regret.problems import learning

    keep = w > 0
    A, y, w = prob.A[keep], prob.y[keep], w[keep]
    F = prob.feasible
    with learning.one_blas_thread():
        if prob.loss_name == "squares":
            if F.kind == "box":
                return learning._min_squares(A, y, w, F)[:2]
            from scipy.optimize import minimize
            H, b, s = A.T @ (w[:, None] * A), A.T @ (w * y), float(np.sum(w * y * y))
            cons, bounds = _constraints(F, F.dim)
            res = minimize(lambda x: 0.5 * x @ H @ x - b @ x + 0.5 * s, _start(F), jac=lambda x: H @ x - b,
                           method="SLSQP", constraints=cons, bounds=bounds, options={"ftol": TOL, "maxiter": 1000})
            x = F.project(res.x)
            return 0.5 * x @ H @ x - b @ x + 0.5 * s, x
        if prob.loss_name in ("hinge", "absolute"):
            return (_min_piecewise_lp if F.kind != "ball" else _min_epigraph_ball)(A, y, w, F, prob.loss_name)
        from scipy.optimize import minimize
        f = lambda x: float(np.sum(w * prob._loss(A @ x, y)))  # noqa: E731
        g = lambda x: A.T @ (w * prob._dloss(A @ x, y))  # noqa: E731
        if F.kind == "box":
            res = minimize(f, _start(F), jac=g, method="L-BFGS-B", bounds=list(zip(F.lo, F.hi)),
                           options={"ftol": 1e-15, "gtol": TOL, "maxiter": 10000})
        else:
            cons, bounds = _constraints(F, F.dim)
            res = minimize(f, _start(F), jac=g, method="SLSQP", constraints=cons, bounds=bounds,
                           options={"ftol": TOL, "maxiter": 1000})
        x = F.project(res.x)
        return f(x), x


def comparator_methods(repeat, quick=False):
    """Rows (loss, set, n_old, ms old, ms new at n_old, ms new at 10^4, new − old value, gap).

    d = 20, random counts 0..4; the old solver at n = 10^4 where it is usable, else at a size it
    runs (dense LPs at 2000: at 10^4 their n² identity is 0.8–1.6 GB; SLSQP on the epigraph at
    500: ~90 s at 2000).  "new − old": the new minimum minus the old one at n_old (≤ 0: the new
    one is lower or equal)."""
    from regret.problems import learning

    n_big = 2000 if quick else 10_000
    old_n = {("hinge", "ball"): 200 if quick else 500, ("absolute", "ball"): 200 if quick else 500}
    rows = []
    for loss in learning.LOSSES:  # warm-up: imports, scipy's first calls
        for kind in ("box", "ball", "simplex"):
            p = learning.Learning(loss, n=50, d=20, seed=0, feasible=kind)
            old_minimize(p, np.ones(50))
            p.minimize(np.ones(50))
    for loss in learning.LOSSES:
        for kind in ("box", "ball", "simplex"):
            n0 = old_n.get((loss, kind), 2000 if loss in ("hinge", "absolute") or quick else 10_000)

            def best(fn, n):
                p = learning.Learning(loss, n=n, d=20, seed=0, feasible=kind)
                w = np.random.default_rng(0).integers(0, 5, n).astype(np.float64)
                t_best, out = np.inf, None
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    out = fn(p, w)
                    t_best = min(t_best, time.perf_counter() - t0)
                return 1e3 * t_best, out

            ms_old, (v_old, _x) = best(old_minimize, n0)
            ms_new0, (v_new0, _x, _g) = best(lambda p, w: p.minimize(w, with_gap=True), n0)
            ms_new, (v_new, _x, gap) = best(lambda p, w: p.minimize(w, with_gap=True), n_big)
            rows.append((loss, kind, n0, ms_old, ms_new0, ms_new, v_new0 - v_old, gap, v_new))
            print(f"  {loss:<9} {kind:<8} old n={n0:<6} {ms_old:9.1f} ms  new {ms_new0:8.1f} ms "
                  f"({ms_old / ms_new0:6.1f}x)  new n={n_big} {ms_new:8.1f} ms  new-old {v_new0 - v_old:+.2e}  "
                  f"gap {'-' if gap is None else f'{gap / max(1.0, abs(v_new)):.1e}'}", flush=True)
    return rows


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
    ap.add_argument("--comparators", action="store_true", help="only the comparator solvers' table")
    args = ap.parse_args()
    q = args.quick
    if args.comparators:
        print("comparator solvers, d = 20, random counts (best of --repeat; gap relative to max(1, |min|)):")
        comparator_methods(args.repeat, q)
        return
    T1 = 20_000 if q else 400_000
    T_np = 1000 if q else 4000
    T_log = 2000 if q else 20_000
    adam = regret.optimizer("adam", lr=0.01)
    rows = []

    def add(label, fn, T, B, d, engine="auto", checkpoints=None):
        r, eng = rate(fn, adam if B == 1 else sweep, T, B, d, args.repeat, engine, checkpoints)
        rows.append((label, eng, B, d, T, r))
        print(f"{label:<34} {eng:<9} B={B:<4} d={d:<3} T={T:<8} {r:10.3g} coord-steps/s", flush=True)

    sweep = regret.optimizer("adam", lr=np.geomspace(1e-3, 1e-1, 100))
    quad = lambda: regret.problem("quadratic", a=np.linspace(1, 10, 10), c=0.3, d=10)  # noqa: E731
    ls = lambda F="box": (lambda: regret.problem("least-squares", n=1000, d=10, order="iid", feasible=F,  # noqa: E731
                                                 radius=0.5))
    add("quadratic", quad, T1, 1, 10)
    quad_out = lambda: regret.problem("quadratic", a=np.linspace(1, 10, 10), c=2.0, d=10)  # noqa: E731
    add("quadratic, optimum outside the box", quad_out, T1, 1, 10)
    add("quadratic (numpy engine)", quad, T_np, 1, 10, "numpy")
    add("least squares, box", ls("box"), T1, 1, 10)
    add("least squares, ball", ls("ball"), T1, 1, 10)
    add("least squares, simplex", ls("simplex"), T1, 1, 10)
    ls20 = lambda F: (lambda: regret.problem("least-squares", n=10_000, d=20, order="iid", feasible=F,  # noqa: E731
                                             radius=0.5))
    for F in ("box", "ball", "simplex"):  # the configuration-inner path, projections across columns
        add(f"least squares, {F}, 100-config sweep", ls20(F), T_log, 100, 20)
    add("least squares (numpy engine)", ls("box"), T_np, 1, 10, "numpy")
    logi = lambda: regret.problem("logistic", n=10_000, d=20, order="iid")  # noqa: E731
    add("logistic, 100-config sweep", logi, T_log, 100, 20)
    # run's default: 60 log-spaced checkpoints, each with the comparator and the expected gap
    add("logistic, sweep, 60 checkpoints", logi, T_log, 100, 20, checkpoints=60)
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
          f"box/simplex {r['least squares, box'] / r['least squares, simplex']:.2f}; at B = 100, d = 20: box/ball "
          f"{r['least squares, box, 100-config sweep'] / r['least squares, ball, 100-config sweep']:.2f}, box/simplex "
          f"{r['least squares, box, 100-config sweep'] / r['least squares, simplex, 100-config sweep']:.2f}")
    cold, warm = cold_warm(T_log)
    print(f"\nfresh process, logistic T={T_log}: {cold:.2f} s on an empty cache, {warm:.2f} s on the cache it left")
    print("\ncomparator solves (n = 10^4, d = 20): default BLAS threads vs one thread")
    for label, a, b in comparator_threads(args.repeat):
        print(f"  {label:<30} {a:8.1f} ms  {b:8.1f} ms  {a / b:5.1f}x")
    print("\ncomparator solvers, d = 20, random counts (best of --repeat; gap relative to max(1, |min|)):")
    comparator_methods(args.repeat, q)
    print(f"cpu: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
