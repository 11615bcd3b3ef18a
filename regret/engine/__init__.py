"""Run optimizer kernels on a problem over a batch and track regret exactly.

``run(problem, optimizers, T)`` drives every configuration of every kernel through T steps:

    for t = 1..T:   g_t = ∇f_t(x_t);  loss += f_t(x_t);  x_{t+1} = Π_F(x_t − η_t ⊙ d_t)

Time-only inputs (the kernel's coefficients, the gradients of a linear problem, the draws of a
stochastic one) are produced per chunk of steps, outside the step loop.  Regret is tracked, not
stored: running sums per configuration (loss, Σ g_t for the exact linear comparator), recorded
at log-spaced checkpoints and at T, so memory is O(B·d + checkpoints) whatever T is.

The batch of one kernel is B = broadcast(B_k, B_p): B_k hyperparameter configurations against
B_p problem instances (each 1 or B).  Summation order is sequential in t and independent of the
chunking, so a configuration's numbers do not depend on the chunk size or on the rest of the
batch.

Where each concern lives (one module each):

    driver.py      ``run`` (validation, SIGINT, one kernel after another) and ``drive`` (the chunk
                   loop: inputs → advance → record at checkpoints → Result)
    inputs.py      time-only inputs: checkpoint times, chunk length and plan, the prefetch thread
    tracker.py     ``Tracker`` (what a run carries between steps) and the numpy forms of the
                   shared step operations (Kahan-compensated sum, commit with fault freezing)
    steps.py       the same step operations as jitable scalar/array functions, called by both
                   engines (numpy on (B, d) arrays, the fused loops on scalars)
    numpy_loop.py  the numpy reference engine (``advance_numpy``) and the per-step loop of
                   problems whose gradient depends on x
    resume.py      interrupted runs: the snapshot, the check that a saved run is this run, restore
    provenance.py  per-configuration provenance columns and the engine's provenance record

The fused engine (compiled loops) is ``regret.fused``; both advance functions have the same
signature and the driver picks one (``select_advance``).
"""
from .driver import DEFAULT_CHUNK, ENGINES, StopFlag, run, select_advance, start_point
from .inputs import CHUNK_ELEMENTS, CHUNK_WORK, checkpoint_times, chunk_plan, chunk_steps, time_inputs
from .numpy_loop import advance_numpy, run_general
from .provenance import configs
from .tracker import Tracker, commit, fault_names, kahan

__all__ = ["run", "DEFAULT_CHUNK", "ENGINES", "CHUNK_ELEMENTS", "CHUNK_WORK", "checkpoint_times", "chunk_plan",
           "chunk_steps", "time_inputs", "Tracker", "fault_names", "advance_numpy", "run_general",
           "select_advance", "start_point", "StopFlag", "commit", "kahan", "configs"]
