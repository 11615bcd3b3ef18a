"""The fused engine: the whole chunk of steps compiled into one loop, the kernel's rule inside.

Same numbers as the numpy reference engine (``engine.advance_numpy`` (regret/engine/numpy_loop.py)), to rounding, for every
kernel that follows the contract of ``kernels/base.py``; it applies to linear problems on a box:

    for t in chunk:  G += g_t;  loss += <g_t, x_t>;  x_sum += x_t;
                     (x̂, η, s) = rule(x_t, g_t, s, coeffs_t, params);  x_{t+1} = clip(x̂, lo, hi)

(the weighted projection Π_{F,diag(1/η)} onto a box is the clip whatever η).  Time-only inputs
(coefficients, gradients) arrive precomputed per chunk; the compiled loop does only arithmetic.
One exception: a gradient stream that offers g_t as a compiled function (``JitGradient``, see
``problems/base.py``) has it called inside the vectorised and one-configuration loops, with
Σ g_t, instead of handing them an (n, B_p) array per chunk (``generator_for`` says when).
Running sums (loss, x_sum, G) are Kahan-compensated exactly as in the numpy engine.

How the rule gets inside.  The rule is a ``register_jitable`` function called on scalars.  Every
loop is an ordinary ``@njit`` function built by ``_row_loop``, ``_jam_loop``, ``_simd_loop`` or
``_general_loop``: a closure over the rule, its arity and, where a loop is specialised, strides
and scratch offsets (tuples of ints), which numba freezes as constants, so that the loops over
state fields, coefficients and parameters unroll, the stride tests fold, and the values stay in
registers as tuples; the rule is called as ``rule(x, g, *s, *c, *p)``.  A loop is named by a
variant key, a tuple such as ``("simd", with_xs, coefficient strides, parameter strides, gradient
stride)`` (``_BUILDERS``), which ``advance_fused`` picks per slice of configurations.  Their
numba disk cache lives under ``cache_dir()`` in a folder that hashes what they depend on
(``regret.diskcache``).  The step operations the loops share with the numpy engine, the
Kahan-compensated sum, the finiteness test and the fault code, are ``regret.steps``, which every
loop calls.  A rule that cannot be imported by name (defined inside a function) is compiled the
same way without the disk cache.

Loops.  d = 1 (every counterexample) has three orders, picked by the number of configurations
in a slice: fewer than ``ROW_BELOW``, one configuration at a time with its state in registers
(latency-bound); up to ``SIMD_FROM``, four configurations at a time in registers, with a branch
per configuration (unroll-and-jam: independent chains overlap); from ``SIMD_FROM`` on, the
vectorised loop: for each block of ``SIMD_BLOCK`` configurations, for each step, over the
block's configurations, contiguous and without control flow, which LLVM turns into SIMD code
across configurations (faults become selects; see ``_simd_loop``).  That loop is specialised
to the stride pattern of the coefficients, parameters and gradients, so that every load is
either hoisted or contiguous.  d > 1 steps one configuration at a time through its coordinates.
Large batches are split over threads, each slice of configurations on its own core; the
compiled loop releases the GIL.  The thread count is ``$REGRET_THREADS`` if set, else numba's
``NUMBA_NUM_THREADS`` (the number of cores).

Faults, as in the numpy engine: a configuration whose x̂, η or any state value is not finite is
frozen at its last finite values from that step on (it stops accumulating loss and x_sum);
``fault_t`` is the step, ``fault_what`` the index of the first non-finite quantity in
(x̂, η, *state) order.
"""
from __future__ import annotations

import hashlib
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np
from numba import njit
from numba.extending import register_jitable

from numba.cpython.unsafe.tuple import tuple_setitem
from numba.np.unsafe.ndarray import to_fixed_tuple

from .diskcache import cache_dir, cache_on_disk, source_digest  # noqa: F401 - cache_dir is this module's face too
from .steps import fault_code, is_finite, kahan_add
from .feasible import Box

#: configurations stepped together, each in its own registers (unroll-and-jam over the batch)
JAM = 4
#: below this many configurations a slice runs in the row order (state in registers)
ROW_BELOW = 4
#: configurations per block of the vectorised loop: their fields (~10 × 2 KiB) stay in L1 over a chunk
SIMD_BLOCK = 256
#: slices of at least this many configurations (one AVX-512 vector of doubles) run in the
#: vectorised loop; below it the scalar remainder would be all there is
SIMD_FROM = 8
#: split over threads only when a chunk has at least this many config-steps
THREAD_MIN_WORK = 200_000


class FusedUnavailable(RuntimeError):
    """The fused engine cannot run this kernel/problem (the message says why)."""


def applies(problem) -> str | None:
    """None when the fused engine can run ``problem``, else the reason it cannot."""
    from .problems.base import LinearProblem

    if not isinstance(problem, LinearProblem):
        return f"problem {problem.name!r} is not linear (its gradient depends on x)"
    if not isinstance(problem.feasible, Box):
        return f"the feasible set of {problem.name!r} is not a box"
    return None


# gradients are typed read-only: the periodic streams hand out slices of a read-only array
@njit(numba.types.void(numba.types.Array(numba.types.float64, 3, "C", readonly=True),
                       numba.float64[:, ::1], numba.float64[:, ::1]), cache=True, nogil=True)
def _sum_gradients(grads, G, G_c):
    """G += Σ_k grads[k] per instance, Kahan-compensated, sequential in t (as the numpy engine)."""
    n, bp, d = grads.shape
    for k in range(n):
        for p in range(bp):
            for i in range(d):
                y = grads[k, p, i] - G_c[p, i]
                tt = G[p, i] + y
                G_c[p, i] = (tt - G[p, i]) - y
                G[p, i] = tt


# --------------------------------------------------------------------------------------------
# the loops: ordinary code specialised by closures over the rule and its arity
#
# Each builder below returns an ``njit`` function whose closure holds only the kernel's rule
# (a ``register_jitable`` function), integers and tuples of integers: numba freezes those as
# constants, so the arity loops (``for j in range(ns)``) and the stride tests are folded and
# unrolled by LLVM, and the values live in registers as tuples (``tuple_setitem`` on a tuple,
# not a buffer).  The rule is called as ``rule(x, g, *s, *c, *p)`` with s, c, p those tuples.
# A closure over such values can be cached on disk by numba (the cache key pickles the closure
# cells: a rule importable by name pickles by reference); ``regret.diskcache`` keeps that cache under
# ``cache_dir()``.

def _signature(ns: int, nc: int, npar: int):
    """The loops' signature: (b0, b1, t0, n, X, E, S, C, CT, CC, P, PC, grads, …, G, G_c, gi, gf)
    with S, C, P tuples of arrays and CT, CC, PC their strides, each tuple padded with one unused
    entry (numba cannot index an empty tuple); n the chunk's steps; gi, gf the data of a
    gradient generator (``JitGradient``; a one-element pad when the gradients are an array);
    inputs typed read-only (a writable array converts)."""
    t = numba.types
    i8, F1, F2 = t.int64, t.float64[::1], t.float64[:, ::1]
    R1, R2, R3 = (t.Array(t.float64, n, "C", readonly=True) for n in (1, 2, 3))
    U2 = t.Array(t.uint64, 2, "C", readonly=True)
    return t.void(i8, i8, i8, i8, F2, F2, t.UniTuple(F2, ns + 1), t.UniTuple(R2, nc + 1), t.UniTuple(i8, nc + 1),
                  t.UniTuple(i8, nc + 1), t.UniTuple(R1, npar + 1), t.UniTuple(i8, npar + 1),
                  R3, i8, R1, R1, F1, F1, t.boolean, F2, F2, t.boolean[::1], t.int64[::1], t.int64[::1],
                  F2, F2, U2, R2)


@register_jitable
def _no_generator(t, ints, floats):
    """Stands in for a gradient generator in a loop that reads an array (never called)."""
    return 0.0


#: what a loop that reads an array has for a generator: (function, rows of ints, of floats)
_NO_GENERATOR = (_no_generator, 1, 1)


def _row_loop(rule, ns, nc, npar, with_xs, with_G, tpat, gen=None):
    """d = 1, one configuration at a time, its state in registers: a latency-bound chain.  With
    ``with_G`` (a single configuration on a single instance) Σ g_t rides along in the same loop,
    an independent chain that costs nothing next to the configuration's own; after a fault it
    goes on alone to the end of the chunk.  ``tpat`` (the time stride of each coefficient, 0 or 1)
    makes the loads constants: a time-constant coefficient is loaded once (hoisted), the others at
    row k; without it the strides are read at run time.  ``gen`` (with ``with_G`` only): the
    (function of a ``JitGradient``, its rows of ints, of floats), which gives g_t inside the loop
    instead of ``grads``."""
    spec = tpat is not None
    TP = tuple(tpat or ()) + (0,)  # padded: a tuple constant is never empty
    GEN = gen is not None
    grad, MI, MF = gen if GEN else _NO_GENERATOR

    def advance(b0, b1, t0, n, X, E, S, C, CT, CC, P, PC, grads, gps, lo, hi, loss, loss_c, has_xs, xs, xs_c,
                alive, fault_t, fault_what, G, G_c, gi, gf):
        lo0 = lo[0]
        hi0 = hi[0]
        buf = np.empty(max(ns, nc, npar, 1))
        c0 = to_fixed_tuple(buf, nc)
        ui = to_fixed_tuple(np.zeros(MI, dtype=np.uint64), MI)
        uf = to_fixed_tuple(np.zeros(MF), MF)

        def generated(t, u):
            # the generator's data of instance u as scalars (see _simd_loop)
            a = ui
            for j in range(MI):
                a = tuple_setitem(a, j, gi[j, u])
            f = uf
            for j in range(MF):
                f = tuple_setitem(f, j, gf[j, u])
            return grad(t, a, f)

        for b in range(b0, b1):
            if not alive[b]:
                continue
            bg = b * gps
            x = X[b, 0]
            e = E[b, 0]
            for j in range(ns):
                buf[j] = S[j][b, 0]
            s = to_fixed_tuple(buf, ns)
            for j in range(npar):
                buf[j] = P[j][b * PC[j]]
            p = to_fixed_tuple(buf, npar)
            ls = loss[b]
            lc = loss_c[b]
            qs = xs[b, 0] if with_xs else 0.0
            qc = xs_c[b, 0] if with_xs else 0.0
            gs = G[0, 0] if with_G else 0.0
            gc = G_c[0, 0] if with_G else 0.0
            kend = n  # the step of a fault, if any
            for k in range(n):
                g = generated(t0 + k, bg) if GEN else grads[k, bg, 0]
                if with_G:
                    gs, gc = kahan_add(gs, gc, g)
                ls, lc = kahan_add(ls, lc, g * x)
                if with_xs:
                    qs, qc = kahan_add(qs, qc, x)
                c = c0
                for j in range(nc):
                    # an unsigned row: no test for a negative (wraparound) index at run-time strides
                    c = tuple_setitem(c, j, C[j][np.uint64(k * (TP[j] if spec else CT[j])), b * CC[j]])
                out = rule(x, g, *s, *c, *p)
                code = fault_code(out)
                if code >= 0:
                    fault_t[b] = t0 + k
                    fault_what[b] = code
                    alive[b] = False
                    kend = k
                    break
                x = min(max(out[0], lo0), hi0)
                e = out[1]
                for j in range(ns):
                    s = tuple_setitem(s, j, out[2 + j])
            if with_G:  # Σ g_t counts every step, also those after a fault (as the numpy engine)
                for k in range(kend + 1, n):
                    gs, gc = kahan_add(gs, gc, generated(t0 + k, bg) if GEN else grads[k, bg, 0])
            X[b, 0] = x
            E[b, 0] = e
            for j in range(ns):
                S[j][b, 0] = s[j]
            loss[b] = ls
            loss_c[b] = lc
            if with_xs:
                xs[b, 0] = qs
                xs_c[b, 0] = qc
            if with_G:
                G[0, 0] = gs
                G_c[0, 0] = gc

    return advance


def _jam_loop(rule, ns, nc, npar, with_xs):
    """d = 1, JAM configurations at a time, each with its state in registers (a tuple per lane):
    JAM independent chains per step overlap in the core (unroll-and-jam over the batch).  In the
    last group the lanes past ``b1`` are dead from the start and never loaded or stored.

    Each lane is loaded, stepped and stored by an inner function called with a constant lane
    number, never through a tuple indexed by a run-time lane: a tuple indexed (or set) at a
    run-time position goes through the stack, which cost every group ~15 % of its time when
    chunks are short (a 10^4-configuration batch in tens-of-steps chunks, against the generated
    loop of a0e1e53), and a loop over the lanes ran 8x slower (LLVM did not unroll it)."""
    assert JAM == 4, "the four lanes below are written out for JAM = 4"

    def advance(b0, b1, t0, n, X, E, S, C, CT, CC, P, PC, grads, gps, lo, hi, loss, loss_c, has_xs, xs, xs_c,
                alive, fault_t, fault_what, G, G_c, gi, gf):
        lo0 = lo[0]
        hi0 = hi[0]
        buf = np.zeros(max(ns, nc, npar, 1))
        c0 = to_fixed_tuple(buf, nc)
        s0 = to_fixed_tuple(buf, ns)
        p0 = to_fixed_tuple(buf, npar)
        # a lane: (alive, x, η, loss, its comp, Σx, its comp, state), and its parameters
        dead = ((False, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, s0), p0)

        def load(b):
            if b >= b1:
                return dead
            s = s0
            for i in range(ns):
                s = tuple_setitem(s, i, S[i][b, 0])
            p = p0
            for i in range(npar):
                p = tuple_setitem(p, i, P[i][b * PC[i]])
            qs = xs[b, 0] if with_xs else 0.0
            qc = xs_c[b, 0] if with_xs else 0.0
            return (alive[b], X[b, 0], E[b, 0], loss[b], loss_c[b], qs, qc, s), p

        def store(b, L):
            if b >= b1:
                return
            a, x, e, ls, lc, qs, qc, s = L
            alive[b] = a
            X[b, 0] = x
            E[b, 0] = e
            loss[b] = ls
            loss_c[b] = lc
            for i in range(ns):
                S[i][b, 0] = s[i]
            if with_xs:
                xs[b, 0] = qs
                xs_c[b, 0] = qc

        def lane(k, b, L, p):
            # one step of configuration b
            a, x, e, ls, lc, qs, qc, s = L
            if not a:
                return L
            # unsigned indices: numba tests a signed one for a negative (wraparound) value, three
            # instructions per load in the step
            u = np.uint64(b)
            g = grads[k, u * np.uint64(gps), 0]
            ls, lc = kahan_add(ls, lc, g * x)
            if with_xs:
                qs, qc = kahan_add(qs, qc, x)
            c = c0
            for i in range(nc):
                c = tuple_setitem(c, i, C[i][np.uint64(k * CT[i]), u * np.uint64(CC[i])])
            out = rule(x, g, *s, *c, *p)
            code = fault_code(out)
            if code >= 0:
                fault_t[b] = t0 + k
                fault_what[b] = code
                return (False, x, e, ls, lc, qs, qc, s)
            for i in range(ns):
                s = tuple_setitem(s, i, out[2 + i])
            return (True, min(max(out[0], lo0), hi0), out[1], ls, lc, qs, qc, s)

        for bj in range(b0, b1, JAM):
            L0, p_0 = load(bj)
            L1, p_1 = load(bj + 1)
            L2, p_2 = load(bj + 2)
            L3, p_3 = load(bj + 3)
            for k in range(n):
                L0 = lane(k, bj, L0, p_0)
                L1 = lane(k, bj + 1, L1, p_1)
                L2 = lane(k, bj + 2, L2, p_2)
                L3 = lane(k, bj + 3, L3, p_3)
            store(bj, L0)
            store(bj + 1, L1)
            store(bj + 2, L2)
            store(bj + 3, L3)

    return advance


def _general_loop(rule, ns, nc, npar):
    """d > 1: a step is committed only if every coordinate's new values are finite, so all
    coordinates of a configuration freeze together (as in the numpy engine)."""

    def advance(b0, b1, t0, n, X, E, S, C, CT, CC, P, PC, grads, gps, lo, hi, loss, loss_c, has_xs, xs, xs_c,
                alive, fault_t, fault_what, G, G_c, gi, gf):
        d = X.shape[1]
        tmp = np.empty((2 + ns, d))
        buf = np.empty(max(ns, nc, npar, 1))
        c0 = to_fixed_tuple(buf, nc)
        s0 = to_fixed_tuple(buf, ns)
        for b in range(b0, b1):
            if not alive[b]:
                continue
            bg = b * gps
            for j in range(npar):
                buf[j] = P[j][b * PC[j]]
            p = to_fixed_tuple(buf, npar)
            for k in range(n):
                f = 0.0
                for i in range(d):
                    f += grads[k, bg, i] * X[b, i]
                loss[b], loss_c[b] = kahan_add(loss[b], loss_c[b], f)
                if has_xs:
                    for i in range(d):
                        xs[b, i], xs_c[b, i] = kahan_add(xs[b, i], xs_c[b, i], X[b, i])
                c = c0
                for j in range(nc):
                    c = tuple_setitem(c, j, C[j][k * CT[j], b * CC[j]])
                worst = 2 + ns
                for i in range(d):
                    s = s0
                    for j in range(ns):
                        s = tuple_setitem(s, j, S[j][b, i])
                    out = rule(X[b, i], grads[k, bg, i], *s, *c, *p)
                    code = fault_code(out)
                    if code >= 0 and code < worst:
                        worst = code
                    tmp[0, i] = out[0]
                    tmp[1, i] = out[1]
                    for j in range(ns):
                        tmp[2 + j, i] = out[2 + j]
                if worst < 2 + ns:
                    fault_t[b] = t0 + k
                    fault_what[b] = worst
                    alive[b] = False
                    break
                for i in range(d):
                    X[b, i] = min(max(tmp[0, i], lo[i]), hi[i])
                    E[b, i] = tmp[1, i]
                    for j in range(ns):
                        S[j][b, i] = tmp[2 + j, i]

    return advance


def _simd_loop(rule, ns, nc, npar, with_xs, cpat, ppat, gps, gen=None):
    """d = 1, vectorised across configurations: for each block of ``SIMD_BLOCK`` configurations,
    for each step, over the block's configurations, contiguous and without control flow, so that
    LLVM turns the innermost loop into SIMD code (what XLA does).

    Specialised to a stride pattern, so that every load is either hoisted or contiguous: ``cpat``
    is (time stride, configuration stride) of each coefficient, ``ppat`` the configuration stride
    of each parameter, ``gps`` the gradients' (0: one instance for all, 1: one per configuration),
    each 0 or 1; the stride arguments of the signature are ignored.  A coefficient constant in
    both is loaded once, one varying only in time once per step, one varying only across
    configurations (and every per-configuration parameter) joins the block's scratch, one
    varying in both is read from its row at each step.

    The block lives in one scratch array, one field after another at constant offsets (computed
    here, closed over): numba cannot tell LLVM that distinct arrays do not alias, and with a
    dozen arrays stored to, the vectoriser gives up on runtime alias checks; fields of one array
    at constant distances need none.  The fields are a cache line more than the block apart: at a
    multiple of 4 KiB, loads would wait on unrelated stores (4K aliasing in the load/store
    queues).  The block stays in L1/L2 while the chunk's steps run over it.

    Faults are selects: a field keeps its old value unless the configuration is alive and its
    step finite.  The vector pass only counts the configurations that fault; when some did, a
    scalar pass over the block finds them (dead in the block, alive outside it) and records the
    step and the quantity by running the rule again on their frozen state, which gives the same
    numbers.  Each lane does the row loop's operations in the same order, so the results are the
    same bit for bit.

    ``gen``: (function of a ``JitGradient``, its rows of ints, of floats), one instance per
    configuration (``gps`` = 1): each configuration's g_t is computed inside the loop instead of
    read from ``grads``, an (n, B) array through memory; Σ g_t then rides along as two more
    fields, for every configuration, dead or alive (G sums the problem's gradients, whatever the
    optimizer did).  The generator is called on the instance's data as scalars, loaded here,
    as the rule is: an array handed to a compiled call keeps LLVM from vectorising the loop.
    """
    W = SIMD_BLOCK
    GEN = gen is not None
    grad, MI, MF = gen if GEN else _NO_GENERATOR
    CT = tuple(t for t, _ in cpat) + (0,)  # padded: a tuple constant is never empty
    CC = tuple(c for _, c in cpat) + (0,)
    PC = tuple(ppat) + (0,)
    nq = 2 + ns  # the rule's outputs: (x̂, η, *state)
    # the scratch layout: field j of configuration i of the block is st[j * (W + 8) + i]
    fields = ["x", "e"] + [f"s{j}" for j in range(ns)] + ["ls", "lc"] + (["qs", "qc"] if with_xs else []) + ["al"]
    fields += ["gs", "gc"] if GEN else []
    fields += [f"p{j}" for j in range(npar) if PC[j]]
    fields += [f"c{j}" for j in range(nc) if CC[j] and not CT[j]]
    at = {name: j * (W + 8) for j, name in enumerate(fields)}
    OX, OE, OLS, OLC, OQS, OQC, OAL, OGS, OGC = (at.get(f, 0) for f in ("x", "e", "ls", "lc", "qs", "qc", "al",
                                                                        "gs", "gc"))
    OS = tuple(at[f"s{j}"] for j in range(ns)) + (0,)
    OP = tuple(at.get(f"p{j}", 0) for j in range(npar)) + (0,)
    OC = tuple(at.get(f"c{j}", 0) for j in range(nc)) + (0,)
    SIZE = len(fields) * (W + 8)

    def advance(b0, b1, t0, n, X, E, S, C, _ct, _cc, P, _pc, grads, _gps, lo, hi, loss, loss_c, _has_xs, xs, xs_c,
                alive, fault_t, fault_what, G, G_c, gi, gf):
        lo0 = lo[0]
        hi0 = hi[0]
        st = np.empty(SIZE)
        buf = np.zeros(max(ns, nc, npar, 1))
        s0 = to_fixed_tuple(buf, ns)
        ch = to_fixed_tuple(buf, nc)  # the coefficients constant in time and across configurations
        for j in range(nc):
            if not CT[j] and not CC[j]:
                ch = tuple_setitem(ch, j, C[j][0, 0])
        ph = to_fixed_tuple(buf, npar)  # the parameters shared by all configurations
        for j in range(npar):
            if not PC[j]:
                ph = tuple_setitem(ph, j, P[j][0])
        ui = to_fixed_tuple(np.zeros(MI, dtype=np.uint64), MI)
        uf = to_fixed_tuple(np.zeros(MF), MF)

        def inputs(k, blk, i, ck, gk):
            # (g, x, s, c, p) of configuration blk + i at step k; its row loads take an unsigned
            # index, which numba does not test for a negative (wraparound) value: the test would
            # make them gathers instead of contiguous loads
            u = np.uint64(blk + i)
            if GEN:
                a = ui
                for j in range(MI):
                    a = tuple_setitem(a, j, gi[j, u])
                f = uf
                for j in range(MF):
                    f = tuple_setitem(f, j, gf[j, u])
                g = grad(t0 + k, a, f)
            else:
                g = grads[k, u, 0] if gps else gk
            s = s0
            for j in range(ns):
                s = tuple_setitem(s, j, st[OS[j] + i])
            c = ck
            for j in range(nc):
                if CC[j]:
                    c = tuple_setitem(c, j, C[j][k, u] if CT[j] else st[OC[j] + i])
            p = ph
            for j in range(npar):
                if PC[j]:
                    p = tuple_setitem(p, j, st[OP[j] + i])
            return g, st[OX + i], s, c, p

        for blk in range(b0, b1, W):
            m = min(W, b1 - blk)
            for i in range(m):
                b = blk + i
                st[OX + i] = X[b, 0]
                st[OE + i] = E[b, 0]
                for j in range(ns):
                    st[OS[j] + i] = S[j][b, 0]
                st[OLS + i] = loss[b]
                st[OLC + i] = loss_c[b]
                if with_xs:
                    st[OQS + i] = xs[b, 0]
                    st[OQC + i] = xs_c[b, 0]
                if GEN:
                    st[OGS + i] = G[b, 0]
                    st[OGC + i] = G_c[b, 0]
                st[OAL + i] = 1.0 if alive[b] else 0.0
                for j in range(npar):
                    if PC[j]:
                        st[OP[j] + i] = P[j][b]
                for j in range(nc):
                    if CC[j] and not CT[j]:
                        st[OC[j] + i] = C[j][0, b]
            for k in range(n):
                ck = ch  # and those varying only in time, at this step
                for j in range(nc):
                    if CT[j] and not CC[j]:
                        ck = tuple_setitem(ck, j, C[j][k, 0])
                gk = 0.0 if GEN else grads[k, 0, 0]
                nbad = 0
                for i in range(m):
                    g, x, s, c, p = inputs(k, blk, i, ck, gk)
                    if GEN:
                        st[OGS + i], st[OGC + i] = kahan_add(st[OGS + i], st[OGC + i], g)
                    ls = st[OLS + i]
                    lc = st[OLC + i]
                    a = st[OAL + i] != 0.0
                    tt, tc = kahan_add(ls, lc, g * x)
                    st[OLC + i] = tc if a else lc
                    st[OLS + i] = tt if a else ls
                    if with_xs:
                        qs = st[OQS + i]
                        qc = st[OQC + i]
                        tt, tc = kahan_add(qs, qc, x)
                        st[OQC + i] = tc if a else qc
                        st[OQS + i] = tt if a else qs
                    out = rule(x, g, *s, *c, *p)
                    ok = True
                    for j in range(nq):
                        ok = ok & is_finite(out[j])  # a compare that vectorises (q − q == 0)
                    go = a & ok
                    nbad += a & (not ok)
                    st[OAL + i] = 1.0 if go else 0.0
                    st[OX + i] = min(max(out[0], lo0), hi0) if go else x
                    if go:  # η is not an input of the rule: a masked store, no load to select against
                        st[OE + i] = out[1]
                    for j in range(ns):
                        st[OS[j] + i] = out[2 + j] if go else s[j]
                if nbad > 0:
                    for i in range(m):
                        b = blk + i
                        if alive[b] and st[OAL + i] == 0.0:
                            g, x, s, c, p = inputs(k, blk, i, ck, gk)
                            fault_t[b] = t0 + k
                            fault_what[b] = fault_code(rule(x, g, *s, *c, *p))
                            alive[b] = False
            for i in range(m):
                b = blk + i
                X[b, 0] = st[OX + i]
                E[b, 0] = st[OE + i]
                for j in range(ns):
                    S[j][b, 0] = st[OS[j] + i]
                loss[b] = st[OLS + i]
                loss_c[b] = st[OLC + i]
                if with_xs:
                    xs[b, 0] = st[OQS + i]
                    xs_c[b, 0] = st[OQC + i]
                if GEN:
                    G[b, 0] = st[OGS + i]
                    G_c[b, 0] = st[OGC + i]

    return advance


#: the loop builders by the first entry of a variant key (``advance_fused`` picks the key):
#: ("row", with_xs), ("row_G", with_xs, time strides or None, generator or None), ("jam", with_xs),
#: ("general",), ("simd", with_xs, coefficient strides, parameter strides, gradient stride,
#: generator or None); a generator is (function, rows of ints, rows of floats) of a ``JitGradient``
_BUILDERS = {
    "row": lambda rule, ns, nc, npar, with_xs: _row_loop(rule, ns, nc, npar, with_xs, False, None),
    "row_G": lambda rule, ns, nc, npar, with_xs, tpat, gen: _row_loop(rule, ns, nc, npar, with_xs, True, tpat, gen),
    "jam": _jam_loop,
    "general": _general_loop,
    "simd": _simd_loop,
}


def _variant_name(variant: tuple) -> str:
    """A file-name form of a variant key, e.g. ``simd_xs_c001100_p1_g0`` (for the cache folder;
    never parsed back)."""
    kind, *opts = variant
    name = kind + ("_xs" if opts and opts[0] else "")
    if kind == "row_G" and opts[1] is not None:
        name += "_t" + "".join(map(str, opts[1]))
    if kind == "simd":
        cpat, ppat, gps = opts[1:4]
        name += "_c" + "".join(f"{t}{c}" for t, c in cpat) + "_p" + "".join(map(str, ppat)) + f"_g{gps}"
    gen = _generator_of(variant)
    return name + (f"_gen_{gen[0].__name__}_{gen[1]}_{gen[2]}" if gen is not None else "")


def _generator_of(variant: tuple):
    """The gradient generator (function, rows of ints, of floats) a variant key names, or None."""
    return variant[-1] if variant[0] in ("row_G", "simd") else None


def _generator_spec(gen) -> tuple:
    """A ``JitGradient`` as loops specialise to it: (function, rows of ints, rows of floats)."""
    return gen.fn, gen.ints.shape[0], gen.floats.shape[0]


# --------------------------------------------------------------------------------------------
# compiling and caching

_COMPILED: dict = {}
_LOCK = threading.Lock()


def _importable(rule) -> bool:
    """Whether the rule (or a gradient generator) is importable by name, so that the loop's closure
    pickles it by reference and numba's disk cache key is the same in every process."""
    mod = sys.modules.get(getattr(rule, "__module__", None) or "")
    qual = getattr(rule, "__qualname__", "")
    name = getattr(rule, "__name__", "")
    return bool(mod is not None and "<locals>" not in qual and qual == name
                and getattr(mod, name, None) is rule and getattr(mod, "__file__", None))


def compiled(kernel, variant: tuple = ("row", False)):
    """The compiled ``variant`` loop (a key of ``_BUILDERS``'s form) for ``kernel``'s rule and
    arity: built, compiled, and cached in memory and on disk."""
    ns, nc, npar = len(kernel.state_names), len(kernel.coeff_names), len(kernel.param_names)
    key = (kernel.rule, ns, nc, npar, variant)
    fn = _COMPILED.get(key)
    if fn is not None:
        return fn
    with _LOCK:
        fn = _COMPILED.get(key)
        if fn is None:
            fn = _build(kernel.rule, ns, nc, npar, kernel.name, variant)
            _COMPILED[key] = fn
    return fn


def _stem(rules: tuple, label: str, variant: tuple) -> str | None:
    """The cache folder's name for the ``variant`` loop over ``rules`` (the kernel's rule, and a
    gradient generator's), or None when one is not importable by name or reaches code with no
    source file (``diskcache.source_digest``)."""
    if not all(map(_importable, rules)):
        return None
    # the builder's code holds the loop's: the walk from it finds this file and the step helpers;
    # from the rules, their modules and every helper module they call
    digest = source_digest(*rules, _BUILDERS[variant[0]])
    if digest is None:
        return None
    name = _variant_name(variant)
    return f"k_{_safe(label)}_{name}_{hashlib.sha256(f'{digest}{name}'.encode()).hexdigest()[:20]}"


def _build(rule, ns, nc, npar, label, variant):
    gen = _generator_of(variant)
    stem = _stem((rule,) if gen is None else (rule, gen[0]), label, variant)
    loop = _BUILDERS[variant[0]](rule, ns, nc, npar, *variant[1:])
    fn = njit(nogil=True, error_model="numpy")(loop)
    if stem is not None:  # its closure pickles by reference (the rule's, and the generator's)
        cache_on_disk(fn, loop, stem)
    try:
        fn.compile(_signature(ns, nc, npar))
    except Exception as exc:
        raise FusedUnavailable(f"the rule of kernel {label!r} does not compile in nopython mode "
                               f"(see the kernel contract in regret/kernels/base.py): {exc}") from exc
    # arguments convert to the signature (a writable array to a read-only one) instead of
    # compiling the loop a second time for their exact types
    fn.disable_compile()
    return fn


def _safe(label: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in label)[:40]


# --------------------------------------------------------------------------------------------
# the engine step

_POOL: ThreadPoolExecutor | None = None


def _pool(workers: int) -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None or _POOL._max_workers < workers:
        _POOL = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="regret-fused")
    return _POOL


def _owned(a, shape) -> np.ndarray:
    """``a`` as a writable C-contiguous float64 array of ``shape`` (copied only if it is not one)."""
    if (isinstance(a, np.ndarray) and a.shape == shape and a.dtype == np.float64
            and a.flags.c_contiguous and a.flags.writeable and a.base is None):
        return a
    return np.array(np.broadcast_to(a, shape), dtype=np.float64, order="C")


def _strided(c: np.ndarray) -> tuple[np.ndarray, int, int]:
    """A time-only coefficient (n, B_k|1[, 1]) as (base, time stride, config stride), no copies."""
    c = c.reshape(c.shape[0], c.shape[1]) if c.ndim == 3 else c
    n, m = c.shape
    t_stride = 0 if (n == 1 or c.strides[0] == 0) else 1
    c_stride = 0 if (m == 1 or c.strides[1] == 0) else 1
    base = c[: (n if t_stride else 1), : (m if c_stride else 1)]
    return np.ascontiguousarray(base, dtype=np.float64), t_stride, c_stride


def _time_strides(kernel, ts: np.ndarray, coeffs) -> list[int]:
    """Per coefficient, 0 if it is constant in time (a broadcast view), else 1.

    A one-step chunk does not tell (numpy gives a length-1 axis any stride): the kernel is
    probed (``Kernel.time_widths``), so that a run compiles one pattern whatever its chunks.
    """
    if len(ts) == 1:
        return [int(w > 0) for w in kernel.time_widths(int(ts[0]))]
    return [0 if np.asarray(c).strides[0] == 0 else 1 for c in coeffs]


def _readonly(a: np.ndarray) -> np.ndarray:
    """A read-only view of ``a`` (the loops' tuples are typed read-only; the array itself
    is left as it is)."""
    v = a.view()
    v.flags.writeable = False
    return v


#: the unused last entry of the loops' tuples (see _signature)
_PAD1, _PAD2, _PAD_S = _readonly(np.zeros(1)), _readonly(np.zeros((1, 1))), np.zeros((1, 1))
#: what the loops get for the arrays they do not read: the gradients when a generator gives
#: them, the generator's data when an array does
_PAD3, _PAD_U2 = _readonly(np.zeros((1, 1, 1))), _readonly(np.zeros((1, 1), dtype=np.uint64))


def threads_available() -> int:
    """Threads the fused engine uses: $REGRET_THREADS, else numba's NUMBA_NUM_THREADS (the cores)."""
    env = os.environ.get("REGRET_THREADS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, int(numba.config.NUMBA_NUM_THREADS))


def generator_for(stream, B: int, B_p: int, d: int):
    """The stream's ``JitGradient`` (``GradientStream.jitable``), checked, when the loops of this
    run would call it inside the time loop, else None (the driver then hands them arrays).

    They do for d = 1 in two shapes: one configuration on one instance (the ``row_G`` loop, Σ g_t
    in the loop already), and one instance per configuration with every slice of configurations
    in the vectorised loop (B ≥ ``SIMD_FROM`` per thread).  Elsewhere an array is no cost worth
    removing (a handful of configurations, or one instance shared by all).
    """
    from .problems.base import check_jitable

    gen = stream.jitable() if stream is not None else None
    if gen is None or d != 1:
        return None
    check_jitable(gen, B_p)
    if B == B_p == 1 or (B == B_p and B >= SIMD_FROM * min(threads_available(), B)):
        return gen
    return None


def _fill_loop(gen):
    """out[k, i, 0] = g_{t0+k} of instance i from a generator (function, rows of ints, of floats):
    its chunk as an array, for a chunk whose loop reads one (the single configuration faulted
    before it)."""
    grad, MI, MF = gen

    def fill(t0, gi, gf, out):
        ui = to_fixed_tuple(np.zeros(MI, dtype=np.uint64), MI)
        uf = to_fixed_tuple(np.zeros(MF), MF)
        for k in range(out.shape[0]):
            for i in range(out.shape[1]):
                a = ui
                for j in range(MI):
                    a = tuple_setitem(a, j, gi[j, i])
                f = uf
                for j in range(MF):
                    f = tuple_setitem(f, j, gf[j, i])
                out[k, i, 0] = grad(t0 + k, a, f)

    return fill


def _generated_array(gen, spec, t0: int, n: int) -> np.ndarray:
    key = ("fill", spec)
    fn = _COMPILED.get(key)
    if fn is None:
        with _LOCK:
            fn = _COMPILED.setdefault(key, njit(nogil=True)(_fill_loop(spec)))
    out = np.empty((n, gen.floats.shape[1], 1))
    fn(t0, gen.ints, gen.floats, out)
    return out


def advance_fused(tr, kernel, ts: np.ndarray, coeffs, params, grads, feasible) -> None:
    """Drop-in for ``engine.advance_numpy`` (regret/engine/numpy_loop.py): advance ``tr`` through
    the steps ``ts`` in place.  ``grads`` is the chunk's (n, B_p, d) array, or the stream's
    ``JitGradient`` where ``generator_for`` gave one: the loops then compute g_t and Σ g_t in the
    time loop, and no gradient array is made."""
    from .problems.base import JitGradient

    B, d = tr.x.shape
    n, t0 = len(ts), int(ts[0])
    tr.x = _owned(tr.x, (B, d))
    tr.eta = _owned(tr.eta, (B, d))
    tr.s = [_owned(s, (B, d)) for s in tr.s]
    if tr.x_sum is not None:
        tr.x_sum = _owned(tr.x_sum, (B, d))
        tr.x_sum_c = _owned(tr.x_sum_c, (B, d))
        xs, xs_c, has_xs = tr.x_sum, tr.x_sum_c, True
    else:
        xs = xs_c = np.zeros((1, 1))
        has_xs = False
    tr.G, tr.G_c = _owned(tr.G, tr.G.shape), _owned(tr.G_c, tr.G.shape)
    B_p = tr.G.shape[0]
    threads = threads_available()
    workers = min(threads, B)
    gen = grads if isinstance(grads, JitGradient) else None
    one = B == 1 and d == 1 and B_p == 1 and bool(tr.alive[0])  # the row_G loop
    if gen is not None and not (one or (d == 1 and B == B_p and B >= SIMD_FROM * workers)):
        grads, gen = _generated_array(gen, _generator_spec(gen), t0, n), None  # (generator_for's cases, but faulted)
    if gen is None:
        g = np.ascontiguousarray(grads, dtype=np.float64)
        gps = 1 if g.shape[1] > 1 else 0
        fn_gen, gi, gf = None, _PAD_U2, _PAD2
    else:
        g, gps, fn_gen, gi, gf = _PAD3, 1, _generator_spec(gen), _readonly(gen.ints), _readonly(gen.floats)
    cs = [_strided(np.asarray(c)) for c in coeffs]  # (base, time stride, configuration stride)
    ps = [np.ascontiguousarray(np.asarray(p, dtype=np.float64).reshape(-1)) for p in params]
    pc = tuple(1 if p.shape[0] > 1 else 0 for p in ps)
    # the loops take them as tuples (a view each, typed read-only), each padded with one unused
    # entry (see _signature)
    inputs = (tuple(_readonly(c) for c, _, _ in cs) + (_PAD2,), tuple(t for _, t, _ in cs) + (0,),
              tuple(c for _, _, c in cs) + (0,), tuple(_readonly(p) for p in ps) + (_PAD1,), pc + (0,))
    lo = np.ascontiguousarray(feasible.lo, dtype=np.float64)
    hi = np.ascontiguousarray(feasible.hi, dtype=np.float64)
    tail = (g, gps, lo, hi, tr.loss, tr.loss_c, has_xs, xs, xs_c, tr.alive, tr.fault_t, tr.fault_what,
            tr.G, tr.G_c, gi, gf)

    time_strides: list[int] = []

    def call(variant, a, b):
        fn = compiled(kernel, variant)
        return lambda: fn(a, b, t0, n, tr.x, tr.eta, (*tr.s, _PAD_S), *inputs, *tail)

    def variant_for(nb):
        if d > 1:
            return ("general",)
        if nb >= SIMD_FROM:
            # specialised to the stride pattern, so that each load is either hoisted (stride 0)
            # or contiguous across configurations (stride 1)
            if not time_strides:
                time_strides.extend(_time_strides(kernel, ts, coeffs))
            cpat = tuple((t, c) for t, (_, _, c) in zip(time_strides, cs))
            return ("simd", has_xs, cpat, pc, gps, fn_gen)
        return ("row" if nb < ROW_BELOW else "jam", has_xs)

    # the loops are compiled (or loaded) before anything changes, so a rule that does not
    # compile leaves the tracker as it was
    if one:
        # Σ g_t inside the configuration's loop, to the end of the chunk even if it faults
        call(("row_G", has_xs, tuple(_time_strides(kernel, ts, coeffs)), fn_gen), 0, 1)()
    elif workers > 1 and B * n * d >= THREAD_MIN_WORK:
        edges = np.linspace(0, B, workers + 1).round().astype(int)
        slices = [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:])]
        fns = [call(variant_for(b - a), a, b) for a, b in slices]
        pool = _pool(workers + 1)
        futures = [pool.submit(fn) for fn in fns]
        if gen is None:
            # Σ g_t touches only G: it runs beside the slices (on one more thread), not before them
            # (with per-instance gradients it is a pass over the whole chunk, ~10% of a stochastic sweep)
            futures.append(pool.submit(_sum_gradients, g, tr.G, tr.G_c))
        for f in futures:
            f.result()
    else:
        fn = call(variant_for(B), 0, B)
        if gen is None:
            _sum_gradients(g, tr.G, tr.G_c)
        fn()
    tr.t = int(ts[-1])
