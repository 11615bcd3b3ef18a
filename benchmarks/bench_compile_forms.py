"""Cold compile time per fused loop variant: the current closures against the generated source of
a0e1e53 (``generate_source``, read from git history) for the same variant, in one process, CPU
seconds (numba's timers beside: compiler_lock, llvm_lock), nothing on disk (a fresh cache folder).
The first kernel is a warm-up (numba's one-time typing), not printed (issue 12).

    python benchmarks/bench_compile_forms.py adam-theory adam-practical adabound-theory
"""
import os, sys, tempfile, time
os.environ["REGRET_CACHE_DIR"] = tempfile.mkdtemp(prefix="regret-compile-")  # every build compiles
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import numpy as np
import bench_engine as be
from regret import fused
from regret.codegen import exec_generated

from generated_fused import load

oldgen = load()


def timers(fn):
    md = fn.get_metadata(fn.signatures[0])
    return md["timers"]["compiler_lock"], md["timers"]["llvm_lock"]

cases = sys.argv[1:] or ["adam-theory", "adam-practical", "adabound-theory"]
for ci, case in enumerate(["adabound-practical"] + cases):  # the first: warm-up (numba's one-time typing), not printed
    algo, conv = case.split("-")
    k = be.kernel(algo, np.linspace(.5, .9, 4), np.linspace(.9, .999, 4), convention=conv)
    ns, nc, npar = len(k.state_names), len(k.coeff_names), len(k.param_names)
    tp = tuple(int(w > 0) for w in k.time_widths(10))
    cpat = tuple((t, 1 if name == "beta1_t" else 0) for t, name in zip(tp, k.coeff_names))
    ppat = (1,) * npar
    for new_v, old_v in ((("row_G", False, tp, None), "row_G_t" + "".join(map(str, tp))),
                         (("jam", False), "jam"),
                         (("simd", False, cpat, ppat, 0, None),
                          "simd_c" + "".join(f"{a}{b}" for a, b in cpat) + "_p" + "".join(map(str, ppat)) + "_g0")):
        t = time.process_time()
        fn = fused._build(k.rule, ns, nc, npar, k.name, new_v)
        wn = time.process_time() - t
        t = time.process_time()
        fo = exec_generated(oldgen.generate_source(ns, nc, npar, None, old_v), {"rule": k.rule}, "old", "advance")
        wo = time.process_time() - t
        (cn, ln), (co, lo) = timers(fn), timers(fo)
        if ci: print(f"{case:16s} {new_v[0]:6s} new {wn:5.2f} s (llvm {ln:5.2f})  old {wo:5.2f} s (llvm {lo:5.2f})  new/old {wn/wo:4.2f}",
              flush=True)
