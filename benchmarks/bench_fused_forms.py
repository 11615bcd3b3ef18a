"""Old against new fused loops, one side of an alternation: run it as separate processes, e.g.

    for r in 1 2; do for root in /work/main $PWD; do
      PYTHONPATH=$root REGRET_CACHE_DIR=/tmp/c-$(basename $root) REGRET_THREADS=2 python benchmarks/bench_fused_forms.py
    done; done

and compare the rates (config-steps/s, printed as JSON) within the run.  Adam and AdaBound in the
theory convention on reddi-online (``bench_engine``'s kernels), B = 1 and the B = 10^4 grid with
the vectorised loop and with the unroll-and-jam loop (``SIMD_FROM`` raised past B).
"""
import json, math, os, sys, time
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_engine as be
import regret
from regret import fused

out = {}
t_compile = time.perf_counter()
for algo in ("adam", "adabound"):
    for B, T, label in ((1, 2_000_000, "B=1"), (10_000, 5_000, "B=1e4 simd"), (10_000, 2_000, "B=1e4 jam")):
        if B == 1:
            b1, b2 = np.array([0.9]), np.array([0.999])
        else:
            g1, g2 = np.meshgrid(np.linspace(0.0, 0.95, 100), np.linspace(0.01, 0.999, 100))
            b1, b2 = g1.ravel(), g2.ravel()
        prob = regret.problem("reddi-online", C=be.C, P=be.P)
        k = be.kernel(algo, b1, b2)
        saved = fused.SIMD_FROM
        if "jam" in label:
            fused.SIMD_FROM = B + 1
        try:
            sec = be.best_time(lambda: regret.run(prob, k, T, progress=False), 3)
        finally:
            fused.SIMD_FROM = saved
        out[f"{algo} {label}"] = B * T / sec
out["_total_s"] = time.perf_counter() - t_compile
print(json.dumps(out))
