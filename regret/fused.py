"""The fused engine: the whole chunk of steps compiled into one loop, the kernel's rule inside.

Same numbers as the numpy reference engine (``engine.advance_numpy`` (regret/engine/numpy_loop.py)), to rounding, for every
kernel that follows the contract of ``kernels/base.py``; it applies to linear problems on a box:

    for t in chunk:  G += g_t;  loss += <g_t, x_t>;  x_sum += x_t;
                     (x̂, η, s) = rule(x_t, g_t, s, coeffs_t, params);  x_{t+1} = clip(x̂, lo, hi)

(the weighted projection Π_{F,diag(1/η)} onto a box is the clip whatever η).  Time-only inputs
(coefficients, gradients) arrive precomputed per chunk; the compiled loop does only arithmetic.
Running sums (loss, x_sum, G) are Kahan-compensated exactly as in the numpy engine.

How the rule gets inside.  The rule is a ``register_jitable`` function called on scalars.  The
one-configuration, unroll-and-jam and d > 1 loops are ordinary ``@njit`` functions built by
``_row_loop``, ``_jam_loop`` and ``_general_loop``: closures over the rule, its arity and (for
``row_G_t…``) the coefficients' time strides, which numba freezes as constants, so that the
loops over state fields, coefficients and parameters unroll and the values stay in registers as
tuples; the rule is called as ``rule(x, g, *s, *c, *p)``.  Their numba disk cache lives under
``cache_dir()`` in a folder that hashes what they depend on (``_Locator``).  The vectorised
loops (``simd_*``) are still generated as source for each (rule, arity, stride pattern)
(``generate_source``) and loaded through ``regret.codegen`` (written under a name keyed by a
hash of the rule's module source, ``kernels/base.py``, ``steps.py``, this template and
the numba version, then imported, so numba's own on-disk cache serves a second process).  The
step operations the loops share with the numpy engine, the Kahan-compensated sum, the
finiteness test and the fault code, are ``regret.steps``, which every loop calls.  A
rule that cannot be imported by name (defined inside a function) is compiled the same way
without the disk cache.

Loops.  d = 1 (every counterexample) has three orders, picked by the number of configurations
in a slice: fewer than ``ROW_BELOW``, one configuration at a time with its state in registers
(latency-bound); up to ``SIMD_FROM``, four configurations at a time in registers, with a branch
per configuration (unroll-and-jam: independent chains overlap); from ``SIMD_FROM`` on, the
vectorised loop: for each block of ``SIMD_BLOCK`` configurations, for each step, over the
block's configurations, contiguous and without control flow, which LLVM turns into SIMD code
across configurations (faults become selects; see ``simd_d1`` in ``generate_source``).  That
loop is generated per stride pattern of the coefficients, parameters and gradients (encoded in
the variant's name, e.g. ``simd_c101100_p1_g0``), so that every load is either hoisted or
contiguous.  d > 1 steps one configuration at a time through its coordinates.  Large batches
are split over threads, each slice of configurations on its own core; the compiled loop
releases the GIL.  The thread count is ``$REGRET_THREADS`` if set, else numba's
``NUMBA_NUM_THREADS`` (the number of cores).

Faults, as in the numpy engine: a configuration whose x̂, η or any state value is not finite is
frozen at its last finite values from that step on (it stops accumulating loss and x_sum);
``fault_t`` is the step, ``fault_what`` the index of the first non-finite quantity in
(x̂, η, *state) order.
"""
from __future__ import annotations

import hashlib
import inspect
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numba
import numpy as np
from numba import njit

from numba.core.caching import CompileResultCacheImpl, FunctionCache, UserProvidedCacheLocator
from numba.cpython.unsafe.tuple import tuple_setitem
from numba.np.unsafe.ndarray import to_fixed_tuple

from .codegen import cache_dir, exec_generated, load_generated
from .steps import fault_code, kahan_add
from .feasible import Box

TEMPLATE_VERSION = "7"
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


# --------------------------------------------------------------------------------------------
# source generation


def _names(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{j}" for j in range(n)]


class _Src:
    """A list of source lines with an indentation level."""

    def __init__(self):
        self.lines: list[str] = []
        self.level = 0

    def __call__(self, *lines: str) -> "_Src":
        self.lines.extend("    " * self.level + ln for ln in lines)
        return self

    def indent(self, by: int = 1) -> "_Src":
        self.level += by
        return self

    def dedent(self, by: int = 1) -> "_Src":
        self.level -= by
        return self


def generate_source(ns: int, nc: int, npar: int, rule_import: str | None, variant: str) -> str:
    """Source of a module defining ``advance``, the ``variant`` loop (see ``VARIANTS``) for a
    rule with ns states, nc coefficients and npar parameters.  Options (Σ x_t, Σ g_t in the
    loop) are separate variants, so that no hot loop carries a flag test."""
    S = _names("S", ns)            # state arrays (B, d)
    C = _names("C", nc)            # coefficient arrays (n|1, B_k|1)
    P = _names("P", npar)          # parameter arrays (B_k|1,)
    ct = [f"{c}t" for c in C]      # time stride of each coefficient (0 or 1)
    cc = [f"{c}c" for c in C]      # configuration stride (0 or 1)
    pc = [f"{p}c" for p in P]
    args = (["b0", "b1", "t0", "X", "E"] + S + [a for trio in zip(C, ct, cc) for a in trio]
            + [a for pair in zip(P, pc) for a in pair]
            + ["grads", "gps", "lo", "hi", "loss", "loss_c", "has_xs", "xs", "xs_c", "alive",
               "fault_t", "fault_what", "G", "G_c"])
    # inputs are typed read-only (broadcast views are): a writable array converts to them
    sig_types = (["i8", "i8", "i8", "F2", "F2"] + ["F2"] * ns + ["R2", "i8", "i8"] * nc
                 + ["R1", "i8"] * npar
                 + ["R3", "i8", "R1", "R1", "F1", "F1", "types.boolean", "F2", "F2", "B1",
                    "I1", "I1", "F2", "F2"])
    sig = "types.void(" + ", ".join(sig_types) + ")"
    s_loc, s_new, p_loc = _names("s", ns), _names("sn", ns), _names("p", npar)
    outs = ", ".join(["xh", "en"] + s_new)

    def call_with(x, g, states, coeffs):
        return f"{outs} = rule(" + ", ".join([x, g] + states + coeffs + p_loc) + ")"

    def fault_lines(w):
        # the numpy engine's fault code: ``regret.steps.fault_code``, which the plain loops call too
        w(f"code = fault_code(({outs},))")

    def simd_d1(w, with_xs, pattern):
        # Configurations innermost and contiguous, no control flow in the step, so that LLVM
        # vectorises the loop across configurations (what XLA does).  A block of SIMD_BLOCK
        # configurations is copied into one scratch array, one field after another: numba cannot
        # tell LLVM that distinct arrays do not alias, and with a dozen arrays stored to, the
        # vectoriser gives up on runtime alias checks; fields of one array at constant distances
        # need none.  The block then stays in L1/L2 while the chunk's steps run over it.
        # Faults are selects: a field keeps its old value unless the configuration is alive and
        # its step finite.  The loop only counts the configurations that fault; when some did,
        # a scalar pass over the block finds them (dead in the block, alive outside it) and
        # records the step and the quantity by running the rule again on their frozen state,
        # which gives the same numbers.  Each lane does the scalar loop's operations in the
        # same order, so the results are the same bit for bit.
        c_str, p_str, g_str = pattern
        cts = [int(c_str[2 * j]) for j in range(nc)]
        ccs = [int(c_str[2 * j + 1]) for j in range(nc)]
        pcs = [int(ch) for ch in p_str]
        W = SIMD_BLOCK
        c_val = [f"c{j}" for j in range(nc)]
        fields = ["x", "e"] + s_loc + ["ls", "lc"] + (["qs", "qc"] if with_xs else []) + ["al"]
        homes = (["X[b, 0]", "E[b, 0]"] + [f"{Sa}[b, 0]" for Sa in S] + ["loss[b]", "loss_c[b]"]
                 + (["xs[b, 0]", "xs_c[b, 0]"] if with_xs else []))
        # per-configuration constants (parameters, time-constant coefficients) join the block
        consts = [(p, f"{Pa}[b]") for p, Pa, c in zip(p_loc, P, pcs) if c]
        consts += [(cv, f"{Ca}[0, b]") for cv, Ca, t, c in zip(c_val, C, cts, ccs) if c and not t]
        # fields a cache line more than the block apart: at a multiple of 4 KiB, loads would
        # wait on unrelated stores (4K aliasing in the load/store queues)
        at = {name: j * (W + 8) for j, name in enumerate(fields + [c for c, _ in consts])}

        def at_i(name):
            return f"st[{at[name]} + i]"

        def step_inputs(w):
            if g_str == "1":
                w("g = g_row[i]")
            w(*[f"{cv} = {cv}_row[i]" for cv, t, c in zip(c_val, cts, ccs) if c and t])
            w(*[f"{name} = {at_i(name)}" for name in fields + [c for c, _ in consts] if name != "e"])

        w("g2 = grads.reshape(grads.shape[0], grads.shape[1])", f"st = np.empty({len(at) * (W + 8)})")
        w(*[f"{p} = {Pa}[0]" for p, Pa, c in zip(p_loc, P, pcs) if not c])
        w(*[f"{cv} = {Ca}[0, 0]" for cv, Ca, t, c in zip(c_val, C, cts, ccs) if not c and not t])
        w(f"for blk in range(b0, b1, {W}):").indent()
        w(f"m = min({W}, b1 - blk)", "for i in range(m):").indent()
        w("b = blk + i")
        w(*[f"{at_i(f)} = {src}" for f, src in zip(fields, homes)], f"{at_i('al')} = 1.0 if alive[b] else 0.0")
        w(*[f"{at_i(cv)} = {src}" for cv, src in consts])
        w.dedent()
        w("for k in range(n):").indent()
        w(*[f"{cv} = {Ca}[k, 0]" for cv, Ca, t, c in zip(c_val, C, cts, ccs) if not c and t])
        # this step's rows of the block as views: indexed by i ≥ 0, their loads need no
        # wraparound test for negative indices (which would make them gathers)
        w("g = g2[k, 0]" if g_str == "0" else "g_row = g2[k, blk:]")
        w(*[f"{cv}_row = {Ca}[k, blk:]" for cv, Ca, t, c in zip(c_val, C, cts, ccs) if c and t])
        w("nbad = 0", "for i in range(m):").indent()
        step_inputs(w)
        w("a = al != 0.0")
        w("tt, tc = kahan_add(ls, lc, g * x)", f"{at_i('lc')} = tc if a else lc", f"{at_i('ls')} = tt if a else ls")
        if with_xs:
            w("tt, tc = kahan_add(qs, qc, x)", f"{at_i('qc')} = tc if a else qc", f"{at_i('qs')} = tt if a else qs")
        w(f"{outs} = rule(" + ", ".join(["x", "g"] + s_loc + c_val + p_loc) + ")")
        # is_finite is a compare that vectorises (q − q == 0)
        w("ok = " + " & ".join(f"is_finite({q})" for q in ["xh", "en"] + s_new), "go = a & ok",
          "nbad += a & (not ok)")
        w(f"{at_i('al')} = 1.0 if go else 0.0", f"{at_i('x')} = min(max(xh, lo0), hi0) if go else x",
          # η is not an input of the rule: a masked store, no load to select against
          "if go:", f"    {at_i('e')} = en")
        w(*[f"{at_i(sl)} = {sn} if go else {sl}" for sl, sn in zip(s_loc, s_new)])
        w.dedent()
        w("if nbad > 0:").indent()
        w("for i in range(m):").indent()
        w("b = blk + i", f"if alive[b] and {at_i('al')} == 0.0:").indent()
        step_inputs(w)
        w(call_with("x", "g", s_loc, c_val))
        fault_lines(w)
        w("fault_t[b] = t0 + k", "fault_what[b] = code", "alive[b] = False")
        w.dedent(4)
        w("for i in range(m):").indent()
        w("b = blk + i")
        w(*[f"{dst} = {at_i(f)}" for f, dst in zip(fields, homes)])
        w.dedent(2)

    bodies = {}
    if variant.startswith("simd"):
        # simd[_xs]_c<time,config stride per coefficient>_p<stride per parameter>_g<gps>
        parts = variant.split("_")
        with_xs = parts[1] == "xs"
        pattern = tuple(part[1:] for part in parts[1 + with_xs:])
        bodies[variant] = lambda w: simd_d1(w, with_xs, pattern)
    w = _Src()
    w("# generated by regret.fused; do not edit", "import numpy as np", "from numba import njit, types",
      "i8 = types.int64", "F1, F2 = types.float64[::1], types.float64[:, ::1]",
      "R1, R2, R3 = (types.Array(types.float64, n, 'C', readonly=True) for n in (1, 2, 3))",
      "B1, I1 = types.boolean[::1], types.int64[::1]", "from regret.steps import fault_code, is_finite, kahan_add")
    if rule_import:
        w(rule_import)
    w("", "", f"@njit({sig}, cache={bool(rule_import)}, nogil=True, error_model='numpy')",
      f"def advance({', '.join(args)}):")
    w.indent()
    w("n = grads.shape[0]", "d = X.shape[1]")
    if variant != "general":
        w("lo0 = lo[0]", "hi0 = hi[0]")
    bodies[variant](w)
    return "\n".join(w.lines) + "\n"


#: the loop variants: d = 1 one configuration at a time (row), with Σx_t (xs), with Σg_t in
#: the loop (G; ``advance_fused`` names it ``row_G[_xs]_t<time stride of each coefficient>``, the
#: loads specialised); d = 1 unroll-and-jam (jam); any d (general); and d = 1 vectorised across
#: configurations, one per stride pattern, named by ``advance_fused`` as
#: ``simd[_xs]_c<time and config stride of each coefficient>_p<stride of each parameter>_g<gradient
#: stride>``.  Each is its own compiled function, so a run compiles only what it uses.
VARIANTS = ("row", "row_xs", "row_G", "row_G_xs", "jam", "jam_xs", "general")


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
# the plain-njit loops: ordinary code specialised by closures over the rule and its arity
#
# Each builder below returns an ``njit`` function whose closure holds only the kernel's rule
# (a ``register_jitable`` function), integers and tuples of integers: numba freezes those as
# constants, so the arity loops (``for j in range(ns)``) and the stride tests are folded and
# unrolled by LLVM, and the values live in registers as tuples (``tuple_setitem`` on a tuple,
# not a buffer).  The rule is called as ``rule(x, g, *s, *c, *p)`` with s, c, p those tuples.
# A closure over such values can be cached on disk by numba (the cache key pickles the closure
# cells: a rule importable by name pickles by reference); ``_cached`` keeps that cache under
# ``cache_dir()`` as the generated modules' is.

_TAIL = ("grads, gps, lo, hi, loss, loss_c, has_xs, xs, xs_c, alive, fault_t, fault_what, G, G_c")


def _signature(ns: int, nc: int, npar: int):
    """The plain loops' signature: (b0, b1, t0, X, E, S, C, CT, CC, P, PC, *tail) with S, C, P
    tuples of arrays and CT, CC, PC their strides, each tuple padded with one unused entry
    (numba cannot index an empty tuple); inputs typed read-only (a writable array converts)."""
    t = numba.types
    i8, F1, F2 = t.int64, t.float64[::1], t.float64[:, ::1]
    R1, R2, R3 = (t.Array(t.float64, n, "C", readonly=True) for n in (1, 2, 3))
    return t.void(i8, i8, i8, F2, F2, t.UniTuple(F2, ns + 1), t.UniTuple(R2, nc + 1), t.UniTuple(i8, nc + 1),
                  t.UniTuple(i8, nc + 1), t.UniTuple(R1, npar + 1), t.UniTuple(i8, npar + 1),
                  R3, i8, R1, R1, F1, F1, t.boolean, F2, F2, t.boolean[::1], t.int64[::1], t.int64[::1],
                  F2, F2)


def _row_loop(rule, ns, nc, npar, with_xs, with_G, tpat):
    """d = 1, one configuration at a time, its state in registers: a latency-bound chain.  With
    ``with_G`` (a single configuration on a single instance) Σ g_t rides along in the same loop,
    an independent chain that costs nothing next to the configuration's own.  ``tpat`` (the time
    stride of each coefficient, 0 or 1) makes the loads constants: a time-constant coefficient is
    loaded once (hoisted), the others at row k; without it the strides are read at run time."""
    spec = tpat is not None
    TP = tuple(tpat or ()) + (0,)  # padded: a tuple constant is never empty

    def advance(b0, b1, t0, X, E, S, C, CT, CC, P, PC, grads, gps, lo, hi, loss, loss_c, has_xs, xs, xs_c,
                alive, fault_t, fault_what, G, G_c):
        n = grads.shape[0]
        lo0 = lo[0]
        hi0 = hi[0]
        buf = np.empty(max(ns, nc, npar, 1))
        c0 = to_fixed_tuple(buf, nc)
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
            for k in range(n):
                g = grads[k, bg, 0]
                if with_G:
                    gs, gc = kahan_add(gs, gc, g)
                ls, lc = kahan_add(ls, lc, g * x)
                if with_xs:
                    qs, qc = kahan_add(qs, qc, x)
                c = c0
                for j in range(nc):
                    c = tuple_setitem(c, j, C[j][k * (TP[j] if spec else CT[j]), b * CC[j]])
                out = rule(x, g, *s, *c, *p)
                code = fault_code(out)
                if code >= 0:
                    fault_t[b] = t0 + k
                    fault_what[b] = code
                    alive[b] = False
                    break
                x = min(max(out[0], lo0), hi0)
                e = out[1]
                for j in range(ns):
                    s = tuple_setitem(s, j, out[2 + j])
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
    """d = 1, JAM configurations at a time, each with its state in registers (tuples of JAM
    lanes): JAM independent chains per step overlap in the core (unroll-and-jam over the batch).
    In the last group the lanes past ``b1`` are dead from the start and never stored."""
    J = JAM
    assert J == 4, "the lanes' tuples below are written out for JAM = 4"
    f0 = (0.0, 0.0, 0.0, 0.0)

    def advance(b0, b1, t0, X, E, S, C, CT, CC, P, PC, grads, gps, lo, hi, loss, loss_c, has_xs, xs, xs_c,
                alive, fault_t, fault_what, G, G_c):
        n = grads.shape[0]
        lo0 = lo[0]
        hi0 = hi[0]
        buf = np.empty(max(ns, nc, npar, 1))
        c0 = to_fixed_tuple(buf, nc)
        s0 = to_fixed_tuple(buf, ns)
        p0 = to_fixed_tuple(buf, npar)
        def lane(k, b, L, p):
            # one step of configuration b; L = (alive, x, η, loss, its comp, Σx, its comp, state)
            a, x, e, ls, lc, qs, qc, s = L
            if not a:
                return L
            g = grads[k, b * gps, 0]
            ls, lc = kahan_add(ls, lc, g * x)
            if with_xs:
                qs, qc = kahan_add(qs, qc, x)
            c = c0
            for i in range(nc):
                c = tuple_setitem(c, i, C[i][k * CT[i], b * CC[i]])
            out = rule(x, g, *s, *c, *p)
            code = fault_code(out)
            if code >= 0:
                fault_t[b] = t0 + k
                fault_what[b] = code
                return (False, x, e, ls, lc, qs, qc, s)
            for i in range(ns):
                s = tuple_setitem(s, i, out[2 + i])
            return (True, min(max(out[0], lo0), hi0), out[1], ls, lc, qs, qc, s)

        for bj in range(b0, b1, J):
            a4 = (False, False, False, False)
            x4 = e4 = ls4 = lc4 = qs4 = qc4 = f0
            s4 = (s0, s0, s0, s0)
            p4 = (p0, p0, p0, p0)
            for j in range(min(J, b1 - bj)):
                b = bj + j
                a4 = tuple_setitem(a4, j, alive[b])
                x4 = tuple_setitem(x4, j, X[b, 0])
                e4 = tuple_setitem(e4, j, E[b, 0])
                ls4 = tuple_setitem(ls4, j, loss[b])
                lc4 = tuple_setitem(lc4, j, loss_c[b])
                if with_xs:
                    qs4 = tuple_setitem(qs4, j, xs[b, 0])
                    qc4 = tuple_setitem(qc4, j, xs_c[b, 0])
                s = s0
                for i in range(ns):
                    s = tuple_setitem(s, i, S[i][b, 0])
                s4 = tuple_setitem(s4, j, s)
                p = p0
                for i in range(npar):
                    p = tuple_setitem(p, i, P[i][b * PC[i]])
                p4 = tuple_setitem(p4, j, p)
            # the four lanes, each a chain of its own in registers, stepped by ``lane`` in turn
            L0 = (a4[0], x4[0], e4[0], ls4[0], lc4[0], qs4[0], qc4[0], s4[0])
            L1 = (a4[1], x4[1], e4[1], ls4[1], lc4[1], qs4[1], qc4[1], s4[1])
            L2 = (a4[2], x4[2], e4[2], ls4[2], lc4[2], qs4[2], qc4[2], s4[2])
            L3 = (a4[3], x4[3], e4[3], ls4[3], lc4[3], qs4[3], qc4[3], s4[3])
            for k in range(n):
                L0 = lane(k, bj, L0, p4[0])
                L1 = lane(k, bj + 1, L1, p4[1])
                L2 = lane(k, bj + 2, L2, p4[2])
                L3 = lane(k, bj + 3, L3, p4[3])
            a4 = (L0[0], L1[0], L2[0], L3[0])
            x4 = (L0[1], L1[1], L2[1], L3[1])
            e4 = (L0[2], L1[2], L2[2], L3[2])
            ls4 = (L0[3], L1[3], L2[3], L3[3])
            lc4 = (L0[4], L1[4], L2[4], L3[4])
            qs4 = (L0[5], L1[5], L2[5], L3[5])
            qc4 = (L0[6], L1[6], L2[6], L3[6])
            s4 = (L0[7], L1[7], L2[7], L3[7])
            for j in range(min(J, b1 - bj)):
                b = bj + j
                alive[b] = a4[j]
                X[b, 0] = x4[j]
                E[b, 0] = e4[j]
                loss[b] = ls4[j]
                loss_c[b] = lc4[j]
                for i in range(ns):
                    S[i][b, 0] = s4[j][i]
                if with_xs:
                    xs[b, 0] = qs4[j]
                    xs_c[b, 0] = qc4[j]

    return advance


def _general_loop(rule, ns, nc, npar):
    """d > 1: a step is committed only if every coordinate's new values are finite, so all
    coordinates of a configuration freeze together (as in the numpy engine)."""

    def advance(b0, b1, t0, X, E, S, C, CT, CC, P, PC, grads, gps, lo, hi, loss, loss_c, has_xs, xs, xs_c,
                alive, fault_t, fault_what, G, G_c):
        n = grads.shape[0]
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


def _plain(rule, ns, nc, npar, variant):
    """The python function of a plain loop variant, or None for a generated one (simd)."""
    if variant == "general":
        return _general_loop(rule, ns, nc, npar)
    if variant.startswith("jam"):
        return _jam_loop(rule, ns, nc, npar, variant.endswith("_xs"))
    if variant.startswith("row"):
        tpat = tuple(int(ch) for ch in variant.rsplit("_t", 1)[1]) if "_t" in variant else None
        return _row_loop(rule, ns, nc, npar, "_xs" in variant, variant.startswith("row_G"), tpat)
    return None


# --------------------------------------------------------------------------------------------
# compiling and caching

_COMPILED: dict = {}
_LOCK = threading.Lock()


def _file_text(path) -> str:
    try:
        return Path(path).read_text()
    except (OSError, TypeError):
        return ""


def _rule_key(rule) -> tuple[str | None, str]:
    """(import line or None, hash material) for a rule function."""
    mod = sys.modules.get(getattr(rule, "__module__", None) or "")
    qual = getattr(rule, "__qualname__", "")
    name = getattr(rule, "__name__", "")
    importable = (mod is not None and "<locals>" not in qual and qual == name
                  and getattr(mod, name, None) is rule and getattr(mod, "__file__", None))
    try:
        src = inspect.getsource(rule)
    except (OSError, TypeError):
        src = repr(rule)
    material = "\n".join([src, _file_text(getattr(mod, "__file__", None)),
                          _file_text(Path(__file__).parent / "kernels" / "base.py"),
                          _file_text(Path(__file__).parent / "steps.py")])
    line = f"from {mod.__name__} import {name} as rule" if importable else None
    return line, material


def compiled(kernel, variant: str = "row"):
    """The compiled ``variant`` loop for ``kernel``'s rule and arity (generated, cached, imported)."""
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


class _Locator(UserProvidedCacheLocator):
    """numba's on-disk cache of a plain loop, in ``cache_dir()/<stem>`` where the stem names the
    kernel and variant and hashes what the loop depends on (``_build``): numba keys a closure's
    cache by its source file, qualified name and closure values, not by the rule's source, so a
    changed rule or step helper must land in a new folder."""

    def __init__(self, py_func, py_file):
        super().__init__(py_func, py_file)
        self._cache_path = str(cache_dir() / py_func._regret_cache_stem)

    @classmethod
    def from_function(cls, py_func, py_file):
        return cls(py_func, py_file) if getattr(py_func, "_regret_cache_stem", None) else None


class _LoopCacheImpl(CompileResultCacheImpl):
    _locator_classes = [_Locator]


class _LoopCache(FunctionCache):
    _impl_class = _LoopCacheImpl


def _build(rule, ns, nc, npar, label, variant):
    line, material = _rule_key(rule)
    plain = _plain(rule, ns, nc, npar, variant)
    if plain is not None:
        digest = hashlib.sha256("\0".join([TEMPLATE_VERSION, numba.__version__, np.__version__, material,
                                           _file_text(__file__), variant]).encode()).hexdigest()[:20]
        fn = njit(nogil=True, error_model="numpy")(plain)
        if line is not None:  # a rule importable by name: its closure pickles by reference
            plain._regret_cache_stem = f"k_{_safe(label)}_{variant}_{digest}"
            try:
                fn._cache = _LoopCache(plain)
            except Exception:  # noqa: BLE001 - an unusable disk cache only costs a compile
                pass
        try:
            fn.compile(_signature(ns, nc, npar))
        except Exception as exc:
            raise FusedUnavailable(f"the rule of kernel {label!r} does not compile in nopython mode "
                                   f"(see the kernel contract in regret/kernels/base.py): {exc}") from exc
        return fn
    src = generate_source(ns, nc, npar, line, variant)
    digest = hashlib.sha256("\0".join([TEMPLATE_VERSION, numba.__version__, np.__version__, material,
                                       src]).encode()).hexdigest()[:20]
    if line is not None:
        try:
            return load_generated(src, f"k_{_safe(label)}_{variant}_{digest}")
        except Exception:  # noqa: BLE001 - an unusable disk cache only costs a compile
            pass
    code = (src if line is None else src.replace(line, "")).replace("cache=True", "cache=False")
    try:
        return exec_generated(code, {"rule": rule}, f"regret.fused {label} {variant}")
    except Exception as exc:
        raise FusedUnavailable(f"the rule of kernel {label!r} does not compile in nopython mode "
                               f"(see the kernel contract in regret/kernels/base.py): {exc}") from exc


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
    """A read-only view of ``a`` (the plain loops' tuples are typed read-only; the array itself
    is left as it is)."""
    v = a.view()
    v.flags.writeable = False
    return v


#: the unused last entry of the plain loops' tuples (see _signature)
_PAD1, _PAD2, _PAD_S = _readonly(np.zeros(1)), _readonly(np.zeros((1, 1))), np.zeros((1, 1))


def threads_available() -> int:
    """Threads the fused engine uses: $REGRET_THREADS, else numba's NUMBA_NUM_THREADS (the cores)."""
    env = os.environ.get("REGRET_THREADS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, int(numba.config.NUMBA_NUM_THREADS))


def advance_fused(tr, kernel, ts: np.ndarray, coeffs, params, grads: np.ndarray, feasible) -> None:
    """Drop-in for ``engine.advance_numpy`` (regret/engine/numpy_loop.py): advance ``tr`` through the steps ``ts`` in place."""
    B, d = tr.x.shape
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
    g = np.ascontiguousarray(grads, dtype=np.float64)
    tr.G, tr.G_c = _owned(tr.G, tr.G.shape), _owned(tr.G_c, tr.G.shape)
    gps = 1 if g.shape[1] > 1 else 0
    cargs = []
    for c in coeffs:
        cargs.extend(_strided(np.asarray(c)))
    pargs = []
    for p in params:
        p = np.ascontiguousarray(np.asarray(p, dtype=np.float64).reshape(-1))
        pargs.extend((p, 1 if p.shape[0] > 1 else 0))
    # the plain loops take the same arrays as tuples (a view each, typed read-only)
    # (each tuple padded with one unused entry: see _signature)
    plain = (tuple(_readonly(a) for a in cargs[0::3]) + (_PAD2,), tuple(cargs[1::3]) + (0,),
             tuple(cargs[2::3]) + (0,), tuple(_readonly(a) for a in pargs[0::2]) + (_PAD1,),
             tuple(pargs[1::2]) + (0,))
    lo = np.ascontiguousarray(feasible.lo, dtype=np.float64)
    hi = np.ascontiguousarray(feasible.hi, dtype=np.float64)
    t0 = int(ts[0])
    tail = (g, gps, lo, hi, tr.loss, tr.loss_c, has_xs, xs, xs_c, tr.alive, tr.fault_t, tr.fault_what)

    xs_tag = "_xs" if has_xs else ""
    time_strides: list[int] = []

    def call(variant, a, b):
        fn = compiled(kernel, variant)
        head = (a, b, t0, tr.x, tr.eta)
        if variant.startswith("simd"):
            return lambda: fn(*head, *tr.s, *cargs, *pargs, *tail, tr.G, tr.G_c)
        return lambda: fn(*head, (*tr.s, _PAD_S), *plain, *tail, tr.G, tr.G_c)

    def variant_for(nb):
        if d > 1:
            return "general"
        if nb >= SIMD_FROM:
            # specialised to the stride pattern, so that each load is either hoisted (stride 0)
            # or contiguous across configurations (stride 1)
            if not time_strides:
                time_strides.extend(_time_strides(kernel, ts, coeffs))
            ct = time_strides
            return (f"simd{xs_tag}_c" + "".join(f"{t}{cargs[3 * j + 2]}" for j, t in enumerate(ct))
                    + "_p" + "".join(str(pargs[i + 1]) for i in range(0, len(pargs), 2)) + f"_g{gps}")
        return ("row" if nb < ROW_BELOW else "jam") + xs_tag

    threads = threads_available()
    workers = min(threads, B)
    # the loops are compiled (or loaded) before anything changes, so a rule that does not
    # compile leaves the tracker as it was
    if B == 1 and d == 1 and g.shape[1] == 1 and tr.alive[0]:
        # Σ g_t inside the configuration's loop; if it faults mid-chunk, the rest of the
        # chunk's gradients are summed after it
        call("row_G" + xs_tag + "_t" + "".join(map(str, _time_strides(kernel, ts, coeffs))), 0, 1)()
        if not tr.alive[0]:
            _sum_gradients(g[int(tr.fault_t[0]) - t0 + 1:], tr.G, tr.G_c)
    elif workers > 1 and B * len(ts) * d >= THREAD_MIN_WORK:
        edges = np.linspace(0, B, workers + 1).round().astype(int)
        slices = [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:])]
        fns = [call(variant_for(b - a), a, b) for a, b in slices]
        # Σ g_t touches only G: it runs beside the slices (on one more thread), not before them
        # (with per-instance gradients it is a pass over the whole chunk, ~10% of a stochastic sweep)
        pool = _pool(workers + 1)
        futures = [pool.submit(fn) for fn in fns]
        futures.append(pool.submit(_sum_gradients, g, tr.G, tr.G_c))
        for f in futures:
            f.result()
    else:
        fn = call(variant_for(B), 0, B)
        _sum_gradients(g, tr.G, tr.G_c)
        fn()
    tr.t = int(ts[-1])
