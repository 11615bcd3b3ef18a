"""One BLAS thread for the comparators' scipy solves.

The solves are small (d ≲ 100 unknowns, n ≲ 10^5 data rows) and many (one per problem instance
per checkpoint).  OpenBLAS starts one thread per core for each matrix product, which costs more
than it gives at these sizes, and on a machine with more busy threads than cores (a numba-parallel
run, other processes) its threads spin waiting for each other: measured on a loaded 2-core machine,
an SLSQP least-squares solve on a ball (n = 10^4, d = 20) took 82 ms with the default threads and
12 ms with one (BENCHMARKS.md).  So every solve runs under a one-thread BLAS limit (threadpoolctl),
lifted on exit: the caller's own numpy work keeps its threads.
"""
from __future__ import annotations

import contextlib

_CONTROLLER = None


def one_blas_thread():
    """A context in which BLAS (OpenBLAS, MKL, BLIS) runs on one thread.

    The controller (a scan of the loaded libraries, ~4 ms) is made once, at the first solve, when
    scipy's BLAS is loaded; each limit then costs ~10 µs.  Without threadpoolctl: no limit.
    """
    global _CONTROLLER
    if _CONTROLLER is None:
        try:
            import scipy.linalg  # noqa: F401 - load scipy's own BLAS before the scan
            from threadpoolctl import ThreadpoolController
        except ImportError:  # pragma: no cover - threadpoolctl is a core dependency
            return contextlib.nullcontext()
        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=1, user_api="blas")
