"""The compiled loop for x-dependent problems: gradient, loss, kernel rule and projection in one
numba function, specialised by closures (no source text is generated).

For every step t of a chunk and every live configuration b:

    f, g = problem rule(x_b, t)                       (the problem's jitable ``point``)
    loss_b += f                                       (Kahan-compensated, as the numpy engine)
    (x̂, η, s') = kernel.rule(x_i, g_i, *s_i, *coeff_i(t), *param_i)   for each coordinate i
    x_b = Π_{F, diag(1/η)}(x̂)                         (box clip, weighted ball or simplex)

A configuration whose x̂, η or state is not finite is frozen at its last finite values with
the step and the first such quantity recorded (the order and codes of the numpy engine's commit, ``engine.tracker``), so
faults, batch independence and resume behave exactly as on the numpy engine, which stays the
reference: both agree to rounding (the loss of a point is summed in a different order, and the
ball's Newton iteration stops per row instead of for the whole batch).

The contract a problem meets to run here (``applies``):

    problem.jit_rule() -> (point, data)
        point(X, b, t, k, p, data, idx, G, r) -> f_t(X[b])   a ``register_jitable`` function:
            X the (B, d) iterates and b the configuration's row, t the step, k its index in the
            chunk, p the problem instance, data a tuple of arrays, idx the chunk's time-only
            data; writes ∇f_t(X[b]) into the row G[r] (see ``problems.jit_rules``)
    problem.jit_chunk(ts) -> idx                   the chunk's time-only data (e.g. the sample
            indices, (n, B_p) int64), computed outside the loop by the problem's own sampler
    problem.jit_block() -> block                   optional: the point for a block of configurations,
        block(X, w, alive, t, k, b0, bp, data, idx, G, F)   X, G transposed (d, nb); writes
            f_t(X[:, r]) into F[r] and the gradient into G[:, r] for r < w (configuration r is
            instance b0 + r when bp > 1), with the point's numbers bit for bit; the
            configuration-inner path calls it once per step instead of the point w times, so that
            its loops over r vectorise (the learning losses: 1.4x for Adam, d = 20)

The loop (``_build``) is compiled once per (kernel rule, problem point, projection, arity, path):
a thread's slice of ≥ 32 configurations runs configuration-inner (blocks transposed to (d, nb),
the rule, and the problem's block rule where it has one, vectorised across configurations; the same numbers as the configuration-outer
path, which every other case takes), called on the whole batch or, for a large one, on slices
of it from a thread pool (it releases the GIL).  It is cached on disk, so a second process loads it instead of compiling,
when the rule and the point are importable by name (every registered kernel and family but a
user's expression): see ``_stem``.
"""
from __future__ import annotations

import hashlib
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np
from numba.extending import register_jitable
from numba.np.unsafe.ndarray import to_fixed_tuple

from ..diskcache import cache_on_disk, source_digest
from .steps import kahan_add

_LOOPS: dict = {}
#: config-step-coordinates in a chunk from which the batch is split across threads
PARALLEL_WORK = 1 << 18
#: configurations stepped together (``_loop``): at most BLOCK_MAX, and BLOCK_MAX·d ≤ BLOCK_COORDS
BLOCK_MAX, BLOCK_COORDS = 16, 4096
#: the configuration-inner path (``_build``): each thread's equal share of the batch in equal blocks
#: of at least INNER_MIN configurations (LLVM enters its vector body from 32) and at most
#: max(INNER_MIN, INNER_COORDS // d)
INNER_MIN, INNER_COORDS = 32, 8192


POINT_PARAMS = ("X", "b", "t", "k", "p", "data", "idx", "G", "r")
POINT_SIGNATURE = f"point({', '.join(POINT_PARAMS)}) -> f_t(X[b]), writing the gradient into G[r]"
BLOCK_PARAMS = ("X", "w", "alive", "t", "k", "b0", "bp", "data", "idx", "G", "F")
BLOCK_SIGNATURE = (f"block({', '.join(BLOCK_PARAMS)}), writing f_t(X[:, r]) into F[r] and the gradient into "
                   "G[:, r] for r < w")


class CompiledUnavailable(TypeError):
    """The compiled loop cannot run this problem's ``jit_rule`` (the message says why)."""


def applies(problem) -> str | None:
    """None when the compiled loop can run ``problem``, else the reason it cannot."""
    return _unsupported(problem) or contract_violation(problem)


def _unsupported(problem) -> str | None:
    if getattr(problem, "linear", True):
        return "the problem is linear (the fused engine runs those)"
    if not hasattr(problem, "jit_rule"):
        return f"problem {problem.name!r} supplies no jitable rule (jit_rule)"
    if problem.feasible.kind not in ("box", "ball", "simplex"):
        return f"no compiled projection onto a {problem.feasible.kind}"
    return None


def contract_violation(problem) -> str | None:
    """Why ``problem.jit_rule()`` / ``jit_chunk`` break the contract (module docstring), or None.

    Checked on the Python function before anything is compiled, so that a point written for
    another contract (before 2026-12-03 it was ``point(x, t, k, p, data, idx, g)``) is named
    here instead of failing deep inside numba's typing of the loop.
    """
    import inspect

    name = getattr(problem, "name", type(problem).__name__)
    if not callable(getattr(problem, "jit_chunk", None)):
        return f"problem {name!r} has jit_rule() but no jit_chunk(ts) (the chunk's time-only data, e.g. sample indices)"
    try:
        rule = problem.jit_rule()
        point, data = rule
    except (TypeError, ValueError):
        return f"problem {name!r}: jit_rule() must return (point, data), got {type(rule).__name__}"
    if not isinstance(data, tuple):
        return f"problem {name!r}: jit_rule()'s data must be a tuple of arrays, got {type(data).__name__}"
    fn = getattr(point, "py_func", point)  # a numba dispatcher wraps the Python function
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return f"problem {name!r}: jit_rule()'s point {point!r} is not a function; the compiled loop calls {POINT_SIGNATURE}"
    try:
        sig.bind(*POINT_PARAMS)
    except TypeError:
        return (f"problem {name!r}: jit_rule()'s point {getattr(fn, '__name__', fn)}{sig} does not take the "
                f"compiled loop's 9 arguments: {POINT_SIGNATURE} (docs/EXTENDING.md)")
    if callable(getattr(problem, "jit_block", None)):
        block = problem.jit_block()
        fn = getattr(block, "py_func", block)
        try:
            inspect.signature(fn).bind(*BLOCK_PARAMS)
        except (TypeError, ValueError):
            return (f"problem {name!r}: jit_block() must return a register_jitable {BLOCK_SIGNATURE} "
                    f"(docs/EXTENDING.md), got {getattr(fn, '__name__', fn)!r}")
    return None


def select(problem, kernel, engine: str):
    """(name, advance) for a general problem: "compiled" under "auto" when it applies, else numpy.

    A ``jit_rule`` that breaks the contract (``contract_violation``) is a bug in the problem:
    "auto" runs it on the numpy engine with a RuntimeWarning saying so (as the fused engine does
    for a kernel rule that does not compile); ``engine="compiled"`` was refused before (driver).
    """
    from .numpy_loop import run_general

    if engine == "numpy" or _unsupported(problem) is not None:
        return "numpy", run_general
    why = contract_violation(problem)
    if why is not None:
        import warnings

        warnings.warn(f"{why}; running it on the numpy engine", RuntimeWarning, stacklevel=4)
        return "numpy", run_general
    return "compiled", advance_compiled


# ---- projections (the algorithms of regret.feasible, one row at a time) -------------------------


@register_jitable
def box_projection(xh, eta, lo, hi, center, radius, scale, out, o):
    for i in range(xh.shape[0]):
        out[o, i] = min(max(xh[i], lo[i]), hi[i])


@register_jitable
def ball_projection(xh, eta, lo, hi, center, radius, scale, out, o):
    """Π_{ball, diag(1/η)}: the root μ* of the secular equation ψ(μ) = 1/‖x(μ)‖ − 1/r by Newton's
    method from below, as ``Ball._weighted``, with b_i = η_i (= 1/(1/η_i) to rounding).

    Newton starts at μ₀ = (‖z‖/r − 1)/b̄, b̄ = Σ z_i² b_i/‖z‖² the z²-weighted mean of b: by
    Jensen (u ↦ u⁻² is convex) ‖x(μ)‖² = ‖z‖² Σ w_i (1 + μb_i)⁻² ≥ ‖z‖²/(1 + μb̄)², so
    ‖x(μ₀)‖ ≥ r and μ₀ ≤ μ*: the iteration stays monotone (exact, no safeguard needed), and it
    starts closer than the reference's (‖z‖/r − 1)/max b (μ₀ = μ* for equal weights).  A start
    from the previous step's μ would be closer still, but where the loop's chunks begin would
    then change the last bits of x (chunk-size and resume determinism), so the start depends on
    this step alone.
    """
    d = xh.shape[0]
    nrm2 = 0.0
    zb = 0.0
    fixed2 = 0.0
    for i in range(d):
        z = xh[i] - center[i]
        z2 = z * z
        nrm2 += z2
        zb += z2 * eta[i]
        fixed2 += z2 if eta[i] == 0.0 else 0.0
    if not np.sqrt(nrm2) > radius:  # inside: its own projection (no solve)
        for i in range(d):
            out[o, i] = xh[i]
        return
    if not (fixed2 < radius * radius and nrm2 < np.inf):
        # the coordinates that must not move (η = 0) alone outside the ball (ψ < 0 for every μ),
        # or a finite z whose ‖z‖² overflows: the limit μ → ∞ (the others at the center),
        # pulled inside, as ``Ball._weighted``
        m = 0.0
        for i in range(d):
            out[o, i] = xh[i] - center[i] if eta[i] == 0.0 else 0.0
            m = max(m, abs(out[o, i]))
        n2 = 0.0
        for i in range(d):  # ‖x‖ = m·‖x/m‖ does not overflow
            q = out[o, i] / m if m > 0 else 0.0
            n2 += q * q
        f = min(1.0, radius / (m * np.sqrt(n2))) if m > 0 else 1.0
        for i in range(d):
            out[o, i] = center[i] + out[o, i] * f
        return
    rn = np.sqrt(nrm2)
    mu = (rn / radius - 1.0) * (nrm2 / zb) if zb > 0 else 0.0
    if not mu < np.inf:  # z²η under- or overflowing: 0 is a lower bound too
        mu = 0.0
    rs = rn
    inv_r = 1.0 / radius
    for _ in range(100):
        s = 0.0
        ds = 0.0
        for i in range(d):
            b = eta[i]
            q = 1.0 / (1.0 + mu * b)
            zq = (xh[i] - center[i]) * q
            out[o, i] = zq  # x(μ) − c: the answer once this pass finds μ at the root
            t = zq * zq
            s += t
            ds += b * t * q
        rs = np.sqrt(s)
        # the Newton step −ψ/ψ' with ψ = 1/rs − 1/r, ψ' = ds/(s·rs), in one division: the
        # divisions of the tail are the step's latency, which the next pass waits for
        step = s * (rs * inv_r - 1.0) / ds if ds > 0 else 0.0
        # not a positive step: at the root (Ball._weighted).  Its x(μ) is kept, not recomputed
        # at μ + step: the two differ by |step|·b/(1 + μb) ≤ 1e-15 relative, i.e. by rounding
        if step <= 1e-15 * max(mu, 1e-300):
            break
        mu = mu + step
    # monotone Newton approaches the root from inside-out; pull the last ulp inside
    f = min(1.0, radius / rs) if rs > 0 else 1.0
    for i in range(d):
        out[o, i] = center[i] + out[o, i] * f


@register_jitable
def simplex_projection(xh, eta, lo, hi, center, radius, scale, out, o):
    """Π_{simplex, diag(1/η)}: x_i = max(0, y_i − λ b_i) (b_i = η_i) with λ the root of
    Σ_i max(0, y_i − λ b_i) = scale, by Michelot's (1986) active-set iteration, weighted.

    λ_A = (Σ_A y − scale)/Σ_A b over an active set A ⊇ A* is ≤ λ* (the left side at λ* is
    scale plus the non-positive terms of A ∖ A*), so every i with y_i − λ_A b_i ≤ 0 is outside
    A* and leaves for good: A shrinks, λ_A rises, and the set {i : y_i − λ_A b_i > 0} of each
    pass is the next A (no set to store, no sort, no allocation; at most d passes, a few in
    practice).  Coordinates with b = 0 stay in A, and λ = 0 where only they remain, as the
    sorted-breakpoint algorithm of ``Simplex._project`` (the reference) does.
    """
    d = xh.shape[0]
    total = 0.0
    sb = 0.0
    inside = True
    for i in range(d):
        total += xh[i]
        sb += eta[i]
        if xh[i] < 0.0:
            inside = False
    if inside and abs(total - scale) <= 1e-12 * scale * d:
        for i in range(d):
            out[o, i] = xh[i]
        return
    lam = (total - scale) / sb if sb > 0 else 0.0
    count = d
    for _ in range(d):
        if not sb > 0:
            lam = 0.0
            break
        sy = 0.0
        sb = 0.0
        c = 0
        for i in range(d):
            b = eta[i]
            if xh[i] - lam * b > 0 or b == 0.0:
                sy += xh[i]
                sb += b
                c += 1
        if c >= count:  # the same set (a larger one only by rounding at a breakpoint): λ is its root
            break
        count = c
        lam = (sy - scale) / sb if sb > 0 else 0.0
    for i in range(d):
        out[o, i] = max(0.0, xh[i] - lam * eta[i])


_KINDS = {"box": 0, "ball": 1, "simplex": 2}
# Compiled apart and called (not inlined: inlined, the projection's loops made the rule's loop
# slower, up to 1.9x for SGD at B = 100, d = 20, measured in alternation).  The loop names them as
# globals, chosen by its constant ``kind``, so its disk-cache key does not pickle them.
_box_row, _ball_row, _simplex_row = (numba.njit(error_model="numpy", nogil=True)(f) for f in (
    box_projection, ball_projection, simplex_projection))


def _standalone(project):
    """``project`` into a (d,) ``out``, for callers outside the loop (tests)."""
    def one(xh, eta, lo, hi, center, radius, scale, out):
        project(xh, eta, lo, hi, center, radius, scale, out.reshape((1, out.shape[0])), 0)

    return numba.njit(error_model="numpy")(one)


_box, _ball, _simplex = (_standalone(f) for f in (_box_row, _ball_row, _simplex_row))


# ---- the same projections for a block's columns at once (the configuration-inner path) ----------
# X̂ and η of a block are (d, nb) there, a column per configuration.  Each column's iteration is
# ``ball_projection``'s or ``simplex_projection``'s, operation for operation (the same numbers), but
# the passes over i run across the columns, which vectorises: a column whose iteration has stopped
# keeps its multiplier, so the later passes recompute its values unchanged, and no select is needed.
# A column inside the set is left as it is; one in the ball's degenerate limit (μ → ∞) takes the
# one-row function.


@register_jitable
def ball_columns(X, E, w, todo, center, radius, scale, lo, hi, OUT, V, FL, xh, et, row):
    """Π_{ball, diag(1/η)} of the columns r < w with todo[r], in place in X (``ball_projection``).
    Scratch: OUT (d, nb); V rows μ, Σ, Σ', ‖·‖ and then the factor; FL rows active, stopped."""
    d = X.shape[0]
    MU, S, DS, RS = V[0], V[1], V[2], V[3]
    ACT, DONE = FL[0], FL[1]
    for r in range(w):
        S[r] = 0.0
        DS[r] = 0.0
        RS[r] = 0.0
    for i in range(d):  # ‖z‖², Σ z²η and the η = 0 part, in ``ball_projection``'s order
        c = center[i]
        for r in range(w):
            z = X[i, r] - c
            z2 = z * z
            S[r] += z2
            DS[r] += z2 * E[i, r]
            RS[r] += z2 if E[i, r] == 0.0 else 0.0
    active = 0
    for r in range(w):
        nrm2 = S[r]
        zb = DS[r]
        ACT[r] = False
        DONE[r] = False
        MU[r] = 0.0
        if not todo[r] or not np.sqrt(nrm2) > radius:  # inside: its own projection (X unchanged)
            continue
        if not (RS[r] < radius * radius and nrm2 < np.inf):  # the limit μ → ∞: this column alone
            for i in range(d):
                xh[i] = X[i, r]
                et[i] = E[i, r]
            _ball_row(xh, et, lo, hi, center, radius, scale, row, 0)
            for i in range(d):
                X[i, r] = row[0, i]
            continue
        rn = np.sqrt(nrm2)
        mu = (rn / radius - 1.0) * (nrm2 / zb) if zb > 0 else 0.0
        MU[r] = mu if mu < np.inf else 0.0
        ACT[r] = True
        active += 1
    if active == 0:
        return
    inv_r = 1.0 / radius
    for _ in range(100):
        for r in range(w):
            S[r] = 0.0
            DS[r] = 0.0
        for i in range(d):
            c = center[i]
            for r in range(w):
                b = E[i, r]
                q = 1.0 / (1.0 + MU[r] * b)
                zq = (X[i, r] - c) * q
                OUT[i, r] = zq
                t = zq * zq
                S[r] += t
                DS[r] += b * t * q
        left = 0
        for r in range(w):
            if not ACT[r] or DONE[r]:
                continue
            rs = np.sqrt(S[r])
            RS[r] = rs
            ds = DS[r]
            step = S[r] * (rs * inv_r - 1.0) / ds if ds > 0 else 0.0
            mu = MU[r]
            if step <= 1e-15 * max(mu, 1e-300):
                DONE[r] = True
                continue
            left += 1
            MU[r] = mu + step
        if left == 0:
            break
    # OUT and RS are the last pass's for every column: a stopped one's recomputed unchanged (its μ
    # kept), one still moving after 100 passes ends there, as ``ball_projection``'s loop does
    for r in range(w):
        if ACT[r]:
            rs = RS[r]
            RS[r] = min(1.0, radius / rs) if rs > 0 else 1.0  # pull the last ulp inside
    for i in range(d):
        c = center[i]
        for r in range(w):
            if ACT[r]:
                X[i, r] = c + OUT[i, r] * RS[r]


@register_jitable
def simplex_columns(X, E, w, todo, scale, V, FL):
    """Π_{simplex, diag(1/η)} of the columns r < w with todo[r], in place in X
    (``simplex_projection``: Michelot's iteration, each column's own).  Scratch: V rows Σy, Σb,
    the pass's Σb, its count, the last count, λ; FL rows projected, still iterating."""
    d = X.shape[0]
    SY, SB, SB2, C, CNT, LAM = V[0], V[1], V[2], V[3], V[4], V[5]
    ACT, RUN = FL[0], FL[1]
    for r in range(w):
        SY[r] = 0.0
        SB[r] = 0.0
        C[r] = 0.0
    for i in range(d):
        for r in range(w):
            x = X[i, r]
            SY[r] += x
            SB[r] += E[i, r]
            C[r] += 1.0 if x < 0.0 else 0.0  # a negative coordinate: not inside
    running = 0
    for r in range(w):
        total = SY[r]
        sb = SB[r]
        ACT[r] = todo[r] and not (C[r] == 0.0 and abs(total - scale) <= 1e-12 * scale * d)
        RUN[r] = ACT[r]
        LAM[r] = (total - scale) / sb if sb > 0 else 0.0
        CNT[r] = d
        running += ACT[r]
    if running == 0:
        return
    for _ in range(d):
        running = 0
        for r in range(w):
            if RUN[r] and not SB[r] > 0:
                LAM[r] = 0.0
                RUN[r] = False
            running += RUN[r]
        if running == 0:
            break
        for r in range(w):
            SY[r] = 0.0
            SB2[r] = 0.0
            C[r] = 0.0
        for i in range(d):  # Σ over the active set {i : y_i − λb_i > 0 or b_i = 0}, in order
            for r in range(w):
                b = E[i, r]
                x = X[i, r]
                on = (x - LAM[r] * b > 0) | (b == 0.0)
                SY[r] += x if on else 0.0  # + 0.0 leaves a sum as it is (but for −0, whose sign is unused)
                SB2[r] += b if on else 0.0
                C[r] += 1.0 if on else 0.0
        for r in range(w):
            if not RUN[r]:
                continue
            if C[r] >= CNT[r]:  # the same set: λ is its root
                RUN[r] = False
                continue
            CNT[r] = C[r]
            sb = SB2[r]
            SB[r] = sb
            LAM[r] = (SY[r] - scale) / sb if sb > 0 else 0.0
    for i in range(d):
        for r in range(w):
            if ACT[r]:
                X[i, r] = max(0.0, X[i, r] - LAM[r] * E[i, r])


# The state of coordinate i of configuration b as a tuple, one function per state size: built
# straight from S, so the values stay in registers (a buffer and ``to_fixed_tuple`` cost a store
# and a load per field per coordinate, ~30% of an Adam step in a hand-written comparison).
# Module-level names: the loop closes over one, and its disk-cache key pickles it by name.
@register_jitable
def _gather0(S, b, i):
    return ()


@register_jitable
def _gather1(S, b, i):
    return (S[0, b, i],)


@register_jitable
def _gather2(S, b, i):
    return (S[0, b, i], S[1, b, i])


@register_jitable
def _gather3(S, b, i):
    return (S[0, b, i], S[1, b, i], S[2, b, i])


@register_jitable
def _gather4(S, b, i):
    return (S[0, b, i], S[1, b, i], S[2, b, i], S[3, b, i])


@register_jitable
def _gather5(S, b, i):
    return (S[0, b, i], S[1, b, i], S[2, b, i], S[3, b, i], S[4, b, i])


@register_jitable
def _gather6(S, b, i):
    return (S[0, b, i], S[1, b, i], S[2, b, i], S[3, b, i], S[4, b, i], S[5, b, i])


_GATHER = {0: _gather0, 1: _gather1, 2: _gather2, 3: _gather3, 4: _gather4, 5: _gather5, 6: _gather6}


@register_jitable
def _first_nonfinite(xh, et, sn, ns):
    """The fault code of a step with a non-finite quantity: x̂ (0), η (1), else 2 + the first
    state field (the order of ``engine.tracker.commit``)."""
    for i in range(xh.shape[0]):
        if not np.isfinite(xh[i]):
            return 0
    for i in range(et.shape[0]):
        if not np.isfinite(et[i]):
            return 1
    for j in range(ns):
        for i in range(sn.shape[1]):
            if not np.isfinite(sn[j, i]):
                return 2 + j
    return -1


# ---- the loop -----------------------------------------------------------------------------------


def _block_size(d: int) -> int:
    """Configurations stepped together (see ``_loop``): as many as keep the block's rows in L1."""
    return max(1, min(BLOCK_MAX, BLOCK_COORDS // max(d, 1)))


# ---- the disk cache ----------------------------------------------------------------------------
# numba keys a closure's cache entry by a hash of its pickled cell contents.  The loop closes over
# plain (register_jitable) functions only: the kernel's rule, the problem's point, the projection
# and the state gather, which pickle by reference (module and name) when they are importable by
# name, so the key is the same in every process.  It does not cover what those functions do, so
# the entries live in a folder named by a hash of every source file they reach (``_stem``).


def _importable(fn) -> bool:
    mod = sys.modules.get(getattr(fn, "__module__", None) or "")
    name = getattr(fn, "__qualname__", "")
    return mod is not None and "<locals>" not in name and getattr(mod, name, None) is fn


@register_jitable
def no_block(X, w, alive, t, k, b0, bp, data, idx, G, F):
    """The block rule of a problem that has none (``jit_block``): never called."""
    return


def _stem(rule, point, kind, ns, nc, npar, inner=False, block=no_block) -> str | None:
    """The cache folder's name for this loop, or None when a rule is not importable by name or
    reaches code with no source file (``diskcache.source_digest``)."""
    if not (_importable(rule) and _importable(point) and _importable(block)):
        return None
    # _build's code holds the loop's: the walk from it finds this file, the step helpers and the
    # projections; from the rules, their modules and every helper module they call
    digest = source_digest(rule, point, block, _build)
    if digest is None:
        return None
    material = "\0".join([digest, rule.__module__, rule.__qualname__, point.__module__, point.__qualname__,
                          block.__module__, block.__qualname__, f"{kind} {ns} {nc} {npar} {bool(inner)}"])
    label = f"{rule.__name__}_{point.__name__}"[:60]
    return f"x_{label}_{hashlib.sha256(material.encode()).hexdigest()[:20]}"


_LOCK = threading.Lock()


def _loop(rule, point, kind: int, ns: int, nc: int, npar: int, inner: bool = False, block=no_block):
    key = (rule, point, block, kind, ns, nc, npar, inner)
    fn = _LOOPS.get(key)
    if fn is None:
        with _LOCK:
            fn = _LOOPS.get(key)
            if fn is None:
                fn = _LOOPS[key] = _build(rule, point, kind, ns, nc, npar, inner, block)
    return fn


def _build(rule, point, kind: int, ns: int, nc: int, npar: int, inner: bool = False, block=no_block):
    gather = _GATHER.get(ns)
    if gather is None:  # a larger state (no registered kernel has one): through a buffer
        @register_jitable
        def gather(S, b, i):
            return to_fixed_tuple(S[:, b, i].copy(), ns)
    # the configuration-inner variant (``advance_compiled`` picks it): tuples the gathers build; a
    # variant of its own, so that a run compiles only the path it takes (both: +1.7 s cold)
    inner = inner and ns in _GATHER and nc in _GATHER and npar in _GATHER
    gather_c = _GATHER.get(nc, _gather0)
    gather_p = _GATHER.get(npar, _gather0)
    own_block = block is not no_block


    def loop(b_lo, b_hi, nb, X, S, ETA, loss, loss_c, alive, fault_t, fault_what, ts, C, P, pw, bp, data, idx,
             lo, hi, center, radius, scale):
        """Configurations b_lo..b_hi − 1 through the chunk, ``nb`` at a time, step by step.

        One configuration's step is a chain (x → gradient → rule → projection → x) whose
        latency, not its arithmetic, bounds a configuration stepped alone through the chunk;
        stepping a block of configurations together gives the CPU independent chains to
        overlap: first every gradient of the step, then every update.  Each configuration
        does the same operations in the same order whatever its block, so its numbers do not
        depend on the batch, the block size or the thread split.  Rows are indexed, never
        sliced into views (a view's reference count is two atomic operations).
        """
        d = X.shape[1]
        if inner:
            # The loop with the configurations innermost: a block's rows transposed to (d, nb) for the
            # chunk, so that each rule loop runs contiguously over the block's configurations (SIMD); a
            # box's clip is in that loop, a ball's or simplex's projection across the columns after it.
            #
            # Faults without a commit buffer: x, η and the state are double-buffered, a step reading
            # one copy and writing the other, so a configuration whose step is not finite still has
            # the values it read: they are frozen into X, ETA and S at once (rare), and its fault
            # code is found by recomputing that step.  Every value is computed by the same
            # operations as in the configuration-outer loop: the same numbers.

            XA = np.empty((d, nb))
            XB = np.empty((d, nb))
            EA = np.empty((d, nb))
            EB = np.empty((d, nb))
            SA = np.empty((max(ns, 1), d, nb))
            SB = np.empty((max(ns, 1), d, nb))
            GT = np.empty((d, nb))
            CT = np.empty((max(nc, 1), 1, nb))
            PT = np.empty((max(npar, 1), 1, nb))
            F = np.empty(nb)
            NF = np.empty(nb)
            AL = np.empty(nb, dtype=np.bool_)
            XVA = XA.T  # (nb, d) views for the point, X[r, i] = XA[i, r]
            XVB = XB.T
            GV = GT.T
            xh = np.empty(d)
            et = np.empty(d)
            sn = np.empty((max(ns, 1), d))
            row = np.empty((1, d))
            OUT = np.empty((d if kind == 1 else 1, nb))  # the projections' scratch (``ball_columns``)
            PV = np.empty((6, nb))
            PF = np.empty((2, nb), dtype=np.bool_)
            TODO = np.empty(nb, dtype=np.bool_)
            n = ts.shape[0]
            for b0 in range(b_lo, b_hi, nb):
                w = min(nb, b_hi - b0)
                for r in range(w):
                    b = b0 + r
                    AL[r] = alive[b]
                    for i in range(d):
                        XA[i, r] = X[b, i]
                        EA[i, r] = ETA[b, i]
                        for j in range(ns):
                            SA[j, i, r] = S[j, b, i]
                    for j in range(npar):
                        PT[j, 0, r] = P[j, b if pw[j] > 1 else 0]
                for k in range(n):
                    t = ts[k]
                    if k % 2 == 0:
                        Xc, Xn, Ec, En, Sc, Sn, XV = XA, XB, EA, EB, SA, SB, XVA
                    else:
                        Xc, Xn, Ec, En, Sc, Sn, XV = XB, XA, EB, EA, SB, SA, XVB
                    if own_block:  # the problem's rule for a block of configurations at once
                        block(Xc, w, AL, t, k, b0, bp, data, idx, GT, F)
                    else:
                        for r in range(w):
                            if AL[r]:
                                F[r] = point(XV, r, t, k, b0 + r if bp > 1 else 0, data, idx, GV, r)
                    for j in range(nc):
                        wide = C[j].shape[1] > 1
                        for r in range(w):
                            CT[j, 0, r] = C[j][k, b0 + r if wide else 0]
                    for r in range(w):
                        NF[r] = 0.0
                    for i in range(d):
                        lo_i = lo[i]
                        hi_i = hi[i]
                        for r in range(w):
                            out = rule(Xc[i, r], GT[i, r], *(gather(Sc, i, r) + gather_c(CT, 0, r) + gather_p(PT, 0, r)))
                            # written whether or not the configuration is alive (a select per value keeps LLVM
                            # from vectorising the loop): a frozen one's values are in X, ETA and S already,
                            # which the block's copy-out skips
                            q = (out[0] - out[0]) + (out[1] - out[1])
                            for j in range(ns):
                                v = out[2 + j]
                                q += v - v
                                Sn[j, i, r] = v
                            NF[r] += q
                            # a box's projection here; a ball's or simplex's x̂ is projected below
                            Xn[i, r] = min(max(out[0], lo_i), hi_i) if kind == 0 else out[0]
                            En[i, r] = out[1]
                    if kind != 0:  # the ball's or simplex's projection of the columns with a finite step
                        for r in range(w):
                            TODO[r] = AL[r] and NF[r] == 0.0
                        if kind == 1:
                            ball_columns(Xn, En, w, TODO, center, radius, scale, lo, hi, OUT, PV, PF, xh, et, row)
                        else:
                            simplex_columns(Xn, En, w, TODO, scale, PV, PF)
                    for r in range(w):
                        if not AL[r]:
                            continue
                        b = b0 + r
                        loss[b], loss_c[b] = kahan_add(loss[b], loss_c[b], F[r])  # the numpy engine's sum
                        if NF[r] == 0.0:
                            continue
                        # a fault: the last finite values (the copy this step read) frozen in X, ETA and
                        # S, and the step again, into buffers, for its code
                        for i in range(d):
                            out = rule(Xc[i, r], GT[i, r], *(gather(Sc, i, r) + gather_c(CT, 0, r) + gather_p(PT, 0, r)))
                            xh[i] = out[0]
                            et[i] = out[1]
                            for j in range(ns):
                                sn[j, i] = out[2 + j]
                            X[b, i] = Xc[i, r]
                            ETA[b, i] = Ec[i, r]
                            for j in range(ns):
                                S[j, b, i] = Sc[j, i, r]
                        AL[r] = False
                        alive[b] = False
                        fault_t[b] = t
                        fault_what[b] = _first_nonfinite(xh, et, sn, ns)
                last = n % 2  # the copy the last step wrote
                for r in range(w):
                    b = b0 + r
                    if not AL[r]:  # frozen: its values are in X, ETA and S
                        continue
                    for i in range(d):
                        X[b, i] = XB[i, r] if last else XA[i, r]
                        ETA[b, i] = EB[i, r] if last else EA[i, r]
                        for j in range(ns):
                            S[j, b, i] = SB[j, i, r] if last else SA[j, i, r]
            return
        G = np.empty((nb, d))
        F = np.empty(nb)
        xh = np.empty(d)
        et = np.empty(d)
        sn = np.empty((max(ns, 1), d))
        cb = np.empty(max(nc, 1))
        pb = np.empty(max(npar, 1))
        for b0 in range(b_lo, b_hi, nb):
            b1 = min(b0 + nb, b_hi)
            for k in range(ts.shape[0]):
                t = ts[k]
                for b in range(b0, b1):  # every gradient of the step: independent chains
                    if alive[b]:
                        F[b - b0] = point(X, b, t, k, b if bp > 1 else 0, data, idx, G, b - b0)
                for b in range(b0, b1):
                    if not alive[b]:
                        continue
                    r = b - b0
                    loss[b], loss_c[b] = kahan_add(loss[b], loss_c[b], F[r])  # the numpy engine's sum
                    for j in range(nc):
                        cb[j] = C[j][k, b if C[j].shape[1] > 1 else 0]
                    co = to_fixed_tuple(cb, nc)
                    for j in range(npar):
                        pb[j] = P[j, b if pw[j] > 1 else 0]
                    pa = to_fixed_tuple(pb, npar)
                    # q − q is 0 for a finite q and NaN otherwise, so the step is flagged without
                    # a branch per value; which quantity failed is looked up only then.  A block
                    # of one configuration sums them (a latency-bound chain: 1.6x faster than
                    # and-ing compares at B = 1, least squares d = 10); a wider one ands a flag
                    # (1.2x faster there: the sum's order would keep LLVM from vectorising)
                    if b1 - b0 == 1:
                        nf = 0.0
                        for i in range(d):
                            out = rule(X[b, i], G[r, i], *(gather(S, b, i) + co + pa))
                            xh[i] = out[0]
                            et[i] = out[1]
                            nf += (out[0] - out[0]) + (out[1] - out[1])
                            for j in range(ns):
                                v = out[2 + j]
                                sn[j, i] = v
                                nf += v - v
                        fine = nf == 0.0
                    else:
                        fine = True
                        for i in range(d):
                            out = rule(X[b, i], G[r, i], *(gather(S, b, i) + co + pa))
                            xh[i] = out[0]
                            et[i] = out[1]
                            fine &= ((out[0] - out[0]) == 0.0) & ((out[1] - out[1]) == 0.0)
                            for j in range(ns):
                                v = out[2 + j]
                                sn[j, i] = v
                                fine &= (v - v) == 0.0
                    if not fine:
                        alive[b] = False
                        fault_t[b] = t
                        fault_what[b] = _first_nonfinite(xh, et, sn, ns)
                        continue
                    if kind == 0:  # into X[b] (x̂ is in xh)
                        _box_row(xh, et, lo, hi, center, radius, scale, X, b)
                    elif kind == 1:
                        _ball_row(xh, et, lo, hi, center, radius, scale, X, b)
                    else:
                        _simplex_row(xh, et, lo, hi, center, radius, scale, X, b)
                    for i in range(d):
                        ETA[b, i] = et[i]
                        for j in range(ns):
                            S[j, b, i] = sn[j, i]

    fn = numba.njit(error_model="numpy", nogil=True)(loop)
    stem = _stem(rule, point, kind, ns, nc, npar, inner, block) if ns in _GATHER else None
    if stem is not None:
        cache_on_disk(fn, loop, stem)
    return fn


_POOL: ThreadPoolExecutor | None = None


def _pool(workers: int) -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None or _POOL._max_workers < workers:
        _POOL = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="regret-compiled")
    return _POOL


def _pack(arrays, B: int, lead: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Stack arrays of width 1 or B along a new first axis: (values (m, *lead, W), widths (m,))."""
    W = max([a.shape[-1] for a in arrays] + [1])
    out = np.zeros((len(arrays),) + lead + (W,))
    widths = np.ones(max(len(arrays), 1), dtype=np.int64)
    for j, a in enumerate(arrays):
        w = a.shape[-1]
        out[j, ..., :w] = a
        widths[j] = w
    return out, widths


def advance_compiled(tr, kernel, problem, ts: np.ndarray, coeffs, params) -> None:
    """Drop-in for ``engine.numpy_loop.run_general``: advance ``tr`` through the steps ``ts`` in place."""
    B, d = tr.x.shape
    n = len(ts)
    point, data = problem.jit_rule()
    F = problem.feasible
    kind = F.kind
    lo = np.ascontiguousarray(F.lo if kind == "box" else np.zeros(d), dtype=np.float64)
    hi = np.ascontiguousarray(F.hi if kind == "box" else np.zeros(d), dtype=np.float64)
    center = np.ascontiguousarray(F.center if kind == "ball" else np.zeros(d), dtype=np.float64)
    radius = float(F.radius) if kind == "ball" else 0.0
    scale = float(F.scale) if kind == "simplex" else 0.0
    # a tuple of (n, 1 or B) arrays, one type for numba whatever their widths (a dummy when empty)
    C = tuple(np.require(np.asarray(c, dtype=np.float64).reshape(n, -1), requirements=("C", "W")) for c in coeffs) or (
        np.zeros((1, 1)),)
    ps = [np.asarray(p, dtype=np.float64).reshape(-1) for p in params]
    P, pw = _pack(ps, B, ())
    X = np.ascontiguousarray(tr.x, dtype=np.float64).copy()
    S = np.ascontiguousarray(np.stack(tr.s) if tr.s else np.zeros((1, B, d)))
    ETA = np.ascontiguousarray(np.broadcast_to(tr.eta, (B, d)), dtype=np.float64).copy()
    idx = problem.jit_chunk(ts)
    ts = np.ascontiguousarray(ts, dtype=np.int64)
    from ..fused import threads_available

    # configurations are independent: a large batch is split across threads (the loop releases
    # the GIL), in slices of whole blocks; one compiled loop serves both
    threads = threads_available() if B * n * d >= PARALLEL_WORK else 1
    nb, inner = _block_size(d), False
    if (tr.s or kind != "box") and max(len(tr.s), len(coeffs), len(params)) in _GATHER:
        # the configuration-inner path on a thread's slice (measured 2026-12-03 with blocks of a multiple
        # of 16, in alternation with the outer path): Adam logistic d = 20, B = 100: 1.65x at blocks of 96,
        # 1.46x at 32, but 0.88x at 16 and 0.90x at 25 (the vector body's 16 not filled).  Not, on a box, for
        # a stateless rule, too cheap to pay for the transposed rows (plain SGD, least squares d = 20,
        # B = 100: 0.89x; SGD with momentum 1.09x, AdaGrad 1.20x, RMSprop 1.63x, Adam 1.79x).  On a
        # ball or simplex the projections run across the columns (``ball_columns``), for a stateless
        # rule too: least squares d = 20, B = 100, in alternation with the outer path, SGD 2.0-2.2x,
        # AdaGrad 1.5-1.7x, Adam 1.7-2.6x (2026-12-04)
        #
        # Each thread takes an equal share, in equal blocks of at most INNER_COORDS coordinates: at
        # B = 100 on two threads, shares of 50 in one block each instead of blocks of 48, 48 and 4,
        # whose 4 ran the rule's scalar loop (LLVM's vector body wants 32 or more), 1.05-1.2x
        per = -(-B // threads)
        wide = -(-per // -(-per // max(INNER_MIN, INNER_COORDS // max(d, 1))))
        if wide >= INNER_MIN:
            nb, inner = wide, True
    block = problem.jit_block() if inner and callable(getattr(problem, "jit_block", None)) else no_block
    loop = _loop(kernel.rule, point, _KINDS[kind], len(tr.s), len(coeffs), len(params), inner, block)
    args = (nb, X, S, ETA, tr.loss, tr.loss_c, tr.alive, tr.fault_t, tr.fault_what, ts, C, P, pw, problem.batch,
            data, idx, lo, hi, center, radius, scale)
    workers = min(threads, -(-B // (per if inner else nb)))  # per·workers ≥ B: the shares cover the batch
    if not loop.signatures:  # its first call compiles it, before it changes anything
        try:
            loop.compile(tuple(numba.typeof(a) for a in (0, B) + args))
        except numba.core.errors.NumbaError as exc:
            why = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CompiledUnavailable(
                f"problem {getattr(problem, 'name', type(problem).__name__)!r}: the compiled loop does not compile "
                f"with its jit_rule() (the contract: a register_jitable {POINT_SIGNATURE}, data a tuple of "
                f"arrays; docs/EXTENDING.md): {why}") from exc
    if workers <= 1:
        loop(0, B, *args)
    else:
        blocks = -(-B // nb)
        cuts = ([min(B, per * w) for w in range(workers + 1)] if inner else
                [min(B, nb * (blocks * w // workers)) for w in range(workers + 1)])
        futures = [_pool(workers).submit(loop, cuts[w], cuts[w + 1], *args) for w in range(workers)]
        for f in futures:
            f.result()
    tr.x, tr.eta = X, ETA
    tr.s = [S[j].copy() for j in range(len(tr.s))]
    tr.t = int(ts[-1])
