"""The unroll-and-jam loop (and for B = 2, 3 the row loop), the generated form (``generate_source`` of a0e1e53, read from git
history) against the current plain closure, in one process, alternating old, new per round
(issue 12).  ``REGRET_THREADS=1``, so that a batch of 4-7 configurations is one slice (the jam
loop); B >= 100 runs the 100 x 100 (beta1, beta2) grid with the vectorised loop switched off
(``SIMD_FROM`` past B), every slice in the jam loop.  Reddi-online C = P = 3.  Prints, per case,
whether both forms give the same numbers (bit for bit), the whole run's time new/old and the
loops' own time new/old (best of the rounds).

    BS=4,5,6,7 python benchmarks/bench_jam_forms.py 1e7 5 adam-theory adam-practical adabound-theory
    BS=10000 python benchmarks/bench_jam_forms.py 2e3 5 adam-theory adabound-theory
"""
import json, os, sys, time
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
os.environ["REGRET_THREADS"] = "1"
import numpy as np
import bench_engine as be
import regret
from regret import fused
from regret.codegen import exec_generated

from generated_fused import load

oldgen = load()

MODE = {"m": "new"}
LOOP_T = {"old": 0.0, "new": 0.0}  # the time inside the jam (and B = 2, 3: row) loops
_orig = fused.compiled
_old_cache = {}


def old_loop(kernel, with_xs, kind="jam"):
    ns, nc, npar = len(kernel.state_names), len(kernel.coeff_names), len(kernel.param_names)
    key = (kernel.rule, with_xs, kind)
    if key not in _old_cache:
        src = oldgen.generate_source(ns, nc, npar, None, kind + ("_xs" if with_xs else ""))
        fn = exec_generated(src, {"rule": kernel.rule}, "old jam", "advance")

        def call(b0, b1, t0, n, X, E, S, C, CT, CC, P, PC, grads, gps, lo, hi, loss, loss_c, has_xs, xs, xs_c,
                 alive, fault_t, fault_what, G, G_c, gi, gf):
            args = [b0, b1, t0, X, E, *S[:ns]]
            for j in range(nc):
                args += [C[j], CT[j], CC[j]]
            for j in range(npar):
                args += [P[j], PC[j]]
            fn(*args, grads, gps, lo, hi, loss, loss_c, has_xs, xs, xs_c, alive, fault_t, fault_what, G, G_c)
        _old_cache[key] = call
    return _old_cache[key]


def patched(kernel, variant=("row", False)):
    if variant[0] in ("jam", "row"):
        fn = old_loop(kernel, variant[1], variant[0]) if MODE["m"] == "old" else _orig(kernel, variant)
        mode = MODE["m"]

        def timed(*a):
            t = time.perf_counter()
            fn(*a)
            LOOP_T[mode] += time.perf_counter() - t
        return timed
    return _orig(kernel, variant)


fused.compiled = patched

T = int(float(sys.argv[1])) if len(sys.argv) > 1 else 10**6
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
cases = sys.argv[3:] or ["adam-theory", "adam-practical", "adabound-theory", "adabound-practical"]
prob = regret.problem("reddi-online", C=be.C, P=be.P)
rows = {}
for case in cases:
    algo, conv = case.split("-")
    for B in [int(float(b)) for b in os.environ.get("BS", "4,5,7").split(",")]:
        if B >= 100:  # the 100 x 100 grid of bench_fused_forms, the vectorised loop off
            g1, g2 = np.meshgrid(np.linspace(0.0, 0.95, 100), np.linspace(0.01, 0.999, 100))
            b1, b2 = g1.ravel()[:B], g2.ravel()[:B]
            fused.SIMD_FROM = B + 1
        else:
            b1 = np.linspace(0.5, 0.95, B)
            b2 = np.linspace(0.9, 0.999, B)
        k = be.kernel(algo, b1, b2, convention=conv)
        res = {}
        for m in ("old", "new"):  # warm-up (compile) and bit-for-bit check
            MODE["m"] = m
            r = regret.run(prob, k, 2000, progress=False)
            res[m] = (np.asarray(r.regret), np.asarray(r.x))
        same = all(np.array_equal(a, b) for a, b in zip(res["old"], res["new"]))
        best = {"old": (9e9, 9e9), "new": (9e9, 9e9)}
        for _ in range(rounds):
            for m in ("old", "new"):
                MODE["m"] = m
                LOOP_T[m] = 0.0
                t = time.perf_counter()
                regret.run(prob, k, T, progress=False)
                tot = time.perf_counter() - t
                best[m] = (min(best[m][0], tot), min(best[m][1], LOOP_T[m]))
        row = {"B": B, "same": same, "run new/old": best["new"][0] / best["old"][0],
               "loop new/old": best["new"][1] / best["old"][1],
               "old loop Msteps/s": B * T / best["old"][1] / 1e6, "new loop Msteps/s": B * T / best["new"][1] / 1e6}
        row["old run Msteps/s"] = B * T / best["old"][0] / 1e6
        rows[f"{case} B={B}"] = row
        print(f"{case:20s} B={B} same={same} run new/old {row['run new/old']:.3f} loop new/old "
              f"{row['loop new/old']:.3f} (old {row['old loop Msteps/s']:.1f}, new {row['new loop Msteps/s']:.1f} "
              f"Mcfg-steps/s; run old {row['old run Msteps/s']:.1f})", flush=True)
print(json.dumps(rows))
