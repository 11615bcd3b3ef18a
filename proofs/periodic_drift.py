"""Certificates of non-convergence for any periodic linear pattern: the sign of the steady-state
drift of an Adam-type method with constant β1, β2 and α_t = α/√t, in exact rational arithmetic
and rigorous interval arithmetic (mpmath.iv).

Setting: F = [lo, hi] per coordinate, f_t(x) = <g_t, x> with g_t = pattern[(t−1) mod P]; the
method is diagonal, so each coordinate moves on its own.  For one coordinate, as in
``proofs.periodic`` (Reddi, Kale & Kumar, ICLR 2018, proofs of Theorems 1–2), the moments reach
the periodic steady state

    m̄_j = (1−β1)/(1−β1^P) · Σ_{i<P} β1^i g_{(j−i) mod P},   v̄_j = (1−β2)/(1−β2^P) · Σ_{i<P} β2^i g²_{(j−i) mod P}

(exact rationals from rational inputs), and away from the boundary one period moves x by
−(1/√t)·S + O(t^{−3/2}) with the *drift*

    Adam / RMSProp (α_t = α/√t, ε after the root):       S = α·Σ_j m̄_j / (√v̄_j + ε)
    AdaBound, constant band [l, u] (1/√t after the clip): S = Σ_j m̄_j · clip(α/(√v̄_j + ε), l, u)

(bias corrections tend to 1 and change neither limit).  The minimiser of Σ_t f_t on F is the end
opposite to the sign of Σg = Σ_j g_j.  Since the steps vanish and Σ 1/√t diverges:

* S and Σg of opposite signs (both non-zero): x is driven to the *wrong* end and held within
  O(1/√t) of it, so R_T/T → |Σg|·(hi − lo)/P > 0 for that coordinate: **non-convergence**;
* S and Σg of the same sign: x → x*, the coordinate's R_T/T → 0; Σg = 0: every point is optimal
  in the limit, R_T/T → 0;
* S = 0 (or an interval that cannot exclude 0): undecided.

The certificate of a d-dimensional pattern is certified when every coordinate is decided and one
fails; lim R_T/T is then the sum of the failing coordinates' |Σg_i|(hi_i − lo_i)/P.
Imports nothing from ``regret``.
"""
from __future__ import annotations

from fractions import Fraction

import mpmath


def as_fraction(value) -> Fraction:
    """A number as an exact Fraction; a float is read by its shortest decimal repr ("0.1" → 1/10),
    the convention of ``proofs.exact.rational`` (decimals the user wrote are exact)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"{value!r} is not a finite number")
        return Fraction(repr(value))
    return Fraction(str(value))


def steady_state(column, beta1, beta2) -> tuple[list[Fraction], list[Fraction]]:
    """(m̄_j, v̄_j), j = 0..P−1, of one coordinate's periodic gradients, exactly (module docstring)."""
    g = [as_fraction(x) for x in column]
    b1, b2 = as_fraction(beta1), as_fraction(beta2)
    P = len(g)

    def ema(values, beta):
        if beta == 0:
            return list(values)
        scale = (1 - beta) / (1 - beta ** P)
        return [scale * sum(beta ** i * values[(j - i) % P] for i in range(P)) for j in range(P)]

    return ema(g, b1), ema([x * x for x in g], b2)


def _iv(x: Fraction):
    return mpmath.iv.mpf(x.numerator) / mpmath.iv.mpf(x.denominator)


def _clip(x, lo, hi):
    """clip of an interval to [lo, hi] (intervals of exact bounds): monotone, so endpoint-wise."""
    a = min(max(x.a, lo.a), hi.b)
    b = min(max(x.b, lo.a), hi.b)
    return mpmath.iv.mpf([a, b])


def drift(column, beta1, beta2, eps=0, lr=1, band=None, prec: int = 120):
    """S of one coordinate as an mpmath interval (see the module docstring), or None when a phase
    has v̄_j = 0 (with ε = 0) but m̄_j ≠ 0 (the step there is undefined).

    ``band``: (l, u) for AdaBound with a constant band; None for Adam/RMSProp."""
    m, v = steady_state(column, beta1, beta2)
    e, a = as_fraction(eps), as_fraction(lr)
    iv = mpmath.iv
    old = iv.prec
    iv.prec = prec
    try:
        S = iv.mpf(0)
        for mj, vj in zip(m, v):
            if mj == 0:
                continue
            if vj == 0 and e == 0:
                return None
            rate = _iv(a) / (iv.sqrt(_iv(vj)) + _iv(e))
            if band is not None:
                rate = _clip(rate, _iv(as_fraction(band[0])), _iv(as_fraction(band[1])))
            S = S + _iv(mj) * rate
        return S
    finally:
        iv.prec = old


def _sign(x) -> int | None:
    if x is None:
        return None
    if x.b < 0:
        return -1
    if x.a > 0:
        return 1
    if x.a == 0 and x.b == 0:
        return 0
    return None


def certify(pattern, beta1, beta2, eps=0, lr=1, band=None, lo=-1, hi=1, prec: int = 120) -> dict:
    """Decide non-convergence of the periodic ``pattern`` (P values, or P rows of d values) for the
    method described by (β1, β2, ε, α, band); see the module docstring for the argument.

    Returns a dict: ``status`` "certified" | "converges" | "undecided"; per coordinate its Σg
    (exact, as a string), the drift enclosure [a, b] (floats, outward-rounded), and its outcome
    ("fails" | "converges" | "undecided"); ``limit`` lim R_T/T (exact string and float) when
    certified.  The precision doubles (up to 8×) while an interval cannot exclude 0.
    """
    rows = [list(r) if isinstance(r, (list, tuple)) else [r] for r in pattern]
    P = len(rows)
    if P < 1:
        raise ValueError("pattern must hold at least one step")
    d = len(rows[0])
    if any(len(r) != d for r in rows):
        raise ValueError("every step of pattern must have the same dimension")
    los = lo if isinstance(lo, (list, tuple)) else [lo] * d
    his = hi if isinstance(hi, (list, tuple)) else [hi] * d
    coords, limit = [], Fraction(0)
    for i in range(d):
        col = [as_fraction(r[i]) for r in rows]
        total = sum(col, Fraction(0))
        width = as_fraction(his[i]) - as_fraction(los[i])
        S, s, p = None, None, prec
        for _ in range(4):
            S = drift(col, beta1, beta2, eps, lr, band, p)
            s = _sign(S)
            if s not in (None,) or S is None:
                break
            p *= 2
        if total == 0:
            outcome = "converges"  # every point is optimal in the limit: no regret per step
        elif s is None or s == 0:
            outcome = "undecided"
        elif (s > 0) == (total > 0):
            outcome = "converges"
        else:
            outcome = "fails"
            limit += abs(total) * width / P
        coords.append({"sum": str(total), "drift": None if S is None else [float(S.a), float(S.b)],
                       "drift_sign": s, "outcome": outcome})
    outcomes = {c["outcome"] for c in coords}
    status = "undecided" if "undecided" in outcomes else "certified" if "fails" in outcomes else "converges"
    out = {"status": status, "coordinates": coords, "period": P}
    if status == "certified":
        out["limit"] = str(limit)
        out["limit_float"] = float(limit)
    return out


def drift_float(patterns, beta1, beta2, eps=0.0, lr=1.0, band=None, absolute: bool = False):
    """The same drift S in float64 for a batch: ``patterns`` of shape (N, P, d) → S of shape (N, d).

    Vectorised numpy, for screening thousands of candidates (which to certify, or a steady-state
    objective); never a certificate by itself (``certify`` decides with exact inputs).  A phase
    with m̄ = 0 contributes 0; v̄ = 0 with m̄ ≠ 0 and ε = 0 gives NaN.  ``absolute``: also return
    A = Σ_j |m̄_j|·rate_j, the step mass of a period, so |S|/A ∈ [0, 1] is the fraction of it
    that does not cancel."""
    import numpy as np

    g = np.asarray(patterns, dtype=np.float64)
    P = g.shape[1]
    j = np.arange(P)
    lag = (j[:, None] - j[None, :]) % P  # lag[j, k]: how many steps ago phase k was, seen from phase j

    def ema(x, beta):
        if beta == 0:
            return x
        w = (1 - beta) / (1 - beta ** P) * float(beta) ** lag  # (P, P)
        return np.einsum("jk,nkd->njd", w, x)

    m, v = ema(g, float(beta1)), ema(g * g, float(beta2))
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = float(lr) / (np.sqrt(v) + float(eps))
        if band is not None:
            rate = np.clip(rate, float(band[0]), float(band[1]))
        terms = np.where(m == 0, 0.0, m * rate)
    if absolute:
        return terms.sum(axis=1), np.abs(terms).sum(axis=1)
    return terms.sum(axis=1)
