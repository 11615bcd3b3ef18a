"""Exact inputs and exact decisions.

* ``rational(name, value)``: user numbers as exact rationals.  A decimal string is read as the
  decimal it spells ("0.81" → 81/100), a float as its shortest repr (0.9 → 9/10, which is what
  the user typed), so boundaries such as β1 = 0.9, β2 = 0.81 (β1 = √β2) are decided exactly.
* ``nonneg_for_all_t(expr, t, t0)``: decides E(t) ≥ 0 for every integer t ≥ t0 (parameters
  positive reals).  Procedure, in order:
    1. certificate: write E = N/D as a rational function, substitute t = t0 + s and every
       symbolic parameter p = u (u > 0); if all coefficients of the expanded N and D (as
       polynomials in s, u) are ≥ 0 (or N's ≥ 0 and D's ≤ 0 …), the sign is proved for all real
       s ≥ 0, hence all integers t ≥ t0;
    2. with one symbolic parameter p: the leading coefficient of N in t decides the sign for
       large t; the region where it has the wrong sign is where the clause fails (solved
       exactly), and the complement is re-certified at its boundary p = p* + u;
    3. otherwise (numbers only): scan t = t0..t0+2000 and log-spaced t up to 10¹², confirm any
       violation exactly at that integer t (the witness), and take the limit t → ∞;
    4. else ``undecided`` with the reason.
"""
from __future__ import annotations

import math
import re
from fractions import Fraction

import numpy as np
import sympy as sp

t = sp.Symbol("t", positive=True)
#: the largest decimal exponent ``rational`` reads exactly (1e-300 is fine, 1e-999999999 is not)
MAX_EXPONENT = 1000


def rational(name: str, value) -> sp.Rational:
    """``value`` as an exact sympy Rational; ValueError/TypeError naming ``name`` otherwise."""
    if isinstance(value, bool):
        raise TypeError(f"{name}={value!r} is not a number")
    if isinstance(value, sp.Basic):
        if value.is_Rational:
            return value
        if value.is_number and value.is_finite:
            return sp.nsimplify(value, rational=True)
        raise ValueError(f"{name}={value} is not a finite number")
    if isinstance(value, str):
        text = value.strip()
        exponent = re.search(r"[eE]([+-]?\d+)\s*$", text.split("/")[-1])
        if exponent and abs(int(exponent.group(1))) > MAX_EXPONENT:
            # an exact 10^-999999999 would take sympy hours to build
            raise ValueError(f"{name}={value!r}: decimal exponent beyond ±{MAX_EXPONENT}")
        try:
            r = sp.Rational(text) if "/" not in text else sp.Rational(Fraction(text))
        except ZeroDivisionError:
            raise ValueError(f"{name}={value!r} divides by zero") from None
        except (TypeError, ValueError, SyntaxError):
            raise ValueError(f"{name}={value!r} is not a number (write a decimal such as 0.81 or a fraction 81/100)") from None
        return r
    if isinstance(value, (int, np.integer)):
        return sp.Integer(int(value))
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            raise ValueError(f"{name}={value!r} must be finite")
        return sp.Rational(repr(float(value)))  # shortest repr: the decimal the user wrote
    raise TypeError(f"{name}={value!r} is not a number")


def sign(expr) -> int | None:
    """The sign (−1, 0, 1) of a closed numeric expression, exactly; None if sympy cannot tell."""
    expr = sp.sympify(expr)
    if expr.is_zero:
        return 0
    if expr.is_positive:
        return 1
    if expr.is_negative:
        return -1
    simp = sp.nsimplify(sp.simplify(expr)) if expr.free_symbols == set() else expr
    if simp.is_zero:
        return 0
    # evalf works at increasing precision until the sign is certain (or gives up).
    val = sp.N(expr, 50)
    if val.is_Number and abs(val) > sp.Float(10) ** -40:
        return 1 if val > 0 else -1
    return None


def _poly_sign(expr, gens) -> int | None:
    """+1 if every coefficient of the polynomial ``expr`` in ``gens`` is ≥ 0 (and one > 0), −1
    if every one is ≤ 0 (one < 0), 0 if it is the zero polynomial, None otherwise."""
    expr = sp.expand(expr)
    if expr == 0:
        return 0
    try:
        poly = sp.Poly(expr, *gens)
    except sp.PolynomialError:
        return None
    coeffs = poly.coeffs()
    signs = set()
    for c in coeffs:
        s = sign(c) if not c.free_symbols else (1 if c.is_positive else -1 if c.is_negative else None)
        if s is None:
            return None
        signs.add(s)
    signs.discard(0)
    if signs == {1}:
        return 1
    if signs == {-1}:
        return -1
    return None


def certify(expr, t0, params=()) -> int | None:
    """+1 (≥ 0 proved, > 0 where the numerator certificate is strict), −1 (≤ 0 proved) or None,
    for all real t ≥ t0 and positive ``params``, by the shifted-coefficient certificate."""
    s = sp.Dummy("s", nonnegative=True)
    us = {p: sp.Dummy(f"u_{p}", positive=True) for p in params}
    e = sp.together(sp.sympify(expr).subs(t, t0 + s).subs(us))
    num, den = sp.fraction(e)
    gens = [s, *us.values()]
    sn, sd = _poly_sign(num, gens), _poly_sign(den, gens)
    if sn is None or sd is None or sd == 0:
        return None
    return sn * sd


def first_integer(pred, start: int, limit: int, failure: str) -> int:
    """The smallest integer n ≥ ``start`` with ``pred(n)``, for a predicate that is False up to a
    threshold and True from it on: bracketed by doubling from ``start``, then bisected, so
    O(log n) calls.  Raises ValueError(``failure``) when the bracket passes ``limit``."""
    lo = hi = int(start)
    while not pred(hi):
        lo, hi = hi, 2 * hi
        if hi > limit:
            raise ValueError(failure)
    while hi - lo > 1:  # pred(lo) is False (or lo = hi = start), pred(hi) is True
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if pred(mid) else (mid, hi)
    return hi


def limit_at_infinity(expr):
    """lim_{t→∞} expr, or None where sympy cannot compute it (e.g. series of Max): the callers
    then report "undecided" rather than fail.  A Piecewise goes by its last piece, the one in
    force for all large t (sympy's own limit of a Piecewise at ∞ raises)."""
    expr = _as_piecewise(sp.sympify(expr))
    if expr.has(sp.Piecewise):
        pieces = pieces_in_t(expr, 1)
        tail = [p for p, _, b in pieces or () if b is None]
        if len(tail) != 1:
            return None
        expr = tail[0]
    if expr.has(sp.floor, sp.ceiling):
        return None  # sympy's gruntz can run for minutes on these (ceiling(a/t) − ceiling(a/(t+1)))
    try:
        return sp.limit(expr, t, sp.oo)
    except (NotImplementedError, ValueError, TypeError, AttributeError, RecursionError):
        return None


def _as_piecewise(expr):
    """Min/Max as Piecewise (sympy can split those by their conditions, not differentiate or
    expand them at ∞); anything else unchanged."""
    return expr.rewrite(sp.Piecewise) if expr.has(sp.Min, sp.Max) else expr


def pieces_in_t(expr, t0: int):
    """A Piecewise expression of t as [(piece, a, b)]: ``piece`` (free of Piecewise) in force for
    the integers a ≤ t ≤ b (b None: every t ≥ a), covering t ≥ t0; None when the expression is
    not of that form (conditions on anything but t, or that sympy cannot turn into intervals)."""
    e = sp.piecewise_fold(sp.sympify(expr))
    if not isinstance(e, sp.Piecewise):
        return None
    dom, covered, out = sp.Interval(t0, sp.oo), sp.S.EmptySet, []
    for piece, cond in e.args:
        if piece.has(sp.Piecewise) or (cond is not sp.true and cond.free_symbols - {t}):
            return None
        try:
            region = (dom if cond is sp.true else sp.Intersection(cond.as_set(), dom)) - covered
        except (NotImplementedError, TypeError, ValueError):
            return None
        covered = covered | region
        for iv in region.args if isinstance(region, sp.Union) else (region,):
            if iv is sp.S.EmptySet:
                continue
            if isinstance(iv, sp.FiniteSet):
                out += [(piece, int(v), int(v)) for v in iv if v.is_integer]
                continue
            if not isinstance(iv, sp.Interval):
                return None
            a = int(sp.ceiling(iv.left)) + (1 if iv.left_open and iv.left.is_integer else 0)
            b = None
            if iv.right.is_finite:
                b = int(sp.floor(iv.right)) - (1 if iv.right_open and iv.right.is_integer else 0)
                if b < a:
                    continue
            out.append((piece, a, b))
    return sorted(out, key=lambda pab: pab[1])


def _by_pieces(pieces, params, strict, what):
    """nonneg_for_all_t over the pieces of a Piecewise: an unbounded piece by the full prover
    from its first step, a bounded one by the certificate (which proves it on a superset) or,
    failing that, by checking every integer of it (exactly where floats see a violation)."""
    rel = ">" if strict else "≥"
    verdicts = []
    for piece, a, b in pieces:
        where = f"t ∈ [{a}, {'∞' if b is None else b}]"
        if b is None:
            st, reason, wit = nonneg_for_all_t(piece, a, params, strict, what)
        elif certify(piece, a, tuple(p for p in params if p in piece.free_symbols)) == 1:
            st, reason, wit = "holds", "proved by the coefficient certificate", None
        elif piece.free_symbols - {t} or b - a > 10 ** 6:
            st, reason, wit = "undecided", f"could not decide {what} {rel} 0 on this piece", None
        else:
            ts = np.arange(a, b + 1, dtype=np.float64)
            with np.errstate(all="ignore"):
                vals = np.asarray(sp.lambdify(t, piece, "numpy")(ts), dtype=float) * np.ones_like(ts)
            bad = [int(v) for v in ts[(vals <= 1e-12 * np.abs(vals).max(initial=1)) if strict else (vals < 1e-12)]]
            st, reason, wit = "holds", f"checked at every integer ({b - a + 1} of them)", None
            undefined = ts[~np.isfinite(vals)]
            if undefined.size:
                st, reason, wit = "undecided", f"{what} is not finite at t = {int(undefined[0])}", None
            for tk in bad[:50]:
                sk = sign(piece.subs(t, tk))
                if sk == -1 or (strict and sk == 0):
                    st, reason, wit = "fails", f"{what} = {sp.N(piece.subs(t, tk), 6)} at t = {tk} (checked exactly)", {"t": tk}
                    break
                if sk is None:
                    st, reason, wit = "undecided", f"could not decide the sign at t = {tk}", None
        verdicts.append((st, f"{where}: {reason}", wit))
    for st, reason, wit in verdicts:
        if st == "fails":
            return "fails", f"{what} {rel} 0 fails on the piece {reason}", wit
    if all(st == "holds" for st, _, _ in verdicts):
        return "holds", f"{what} {rel} 0 for all t ≥ {pieces[0][1]}: proved piece by piece (" + "; ".join(r for _, r, _ in verdicts) + ")", None
    return "undecided", "piece by piece: " + "; ".join(f"{r} [{st}]" for st, r, _ in verdicts), None


def breakpoints(expr) -> list[int]:
    """Integer steps around every switch of a piecewise expression of t (Piecewise conditions,
    the crossings of Min/Max arguments, floor/ceiling arguments), where a scan must look: a
    schedule that changes regime at t = K can violate a clause only around K."""
    cuts = set()
    cands = [r.lhs - r.rhs for r in expr.atoms(sp.Rel)]
    for f in expr.atoms(sp.Min, sp.Max):
        args = list(f.args)
        cands += [a - b for i, a in enumerate(args) for b in args[i + 1:]]
    cands += [f.args[0] for f in expr.atoms(sp.floor, sp.ceiling)]
    for c in cands[:200]:
        if t not in c.free_symbols or c.free_symbols - {t}:
            continue
        try:
            poly = sp.Poly(sp.expand(c), t)
        except sp.PolynomialError:
            continue
        if poly.degree() == 1:
            root = float(-poly.all_coeffs()[1] / poly.all_coeffs()[0])
            if np.isfinite(root) and 0 < root < 1e15:
                cuts.update(int(np.floor(root)) + k for k in (-1, 0, 1, 2))
    return sorted(cuts)


def _scan_points(t0: int, extra=()) -> np.ndarray:
    dense = np.arange(t0, t0 + 2001, dtype=np.float64)
    sparse = np.unique(np.round(np.geomspace(max(t0, 1), 1e12, 400)))
    pts = np.union1d(dense, sparse[sparse >= t0])
    extra = np.asarray([e for e in extra if e >= t0], dtype=np.float64)
    return np.union1d(pts, extra) if extra.size else pts


def nonneg_for_all_t(expr, t0: int = 1, params=(), strict: bool = False, what: str = "E(t)"):
    """Decide ``expr ≥ 0`` (``> 0`` if strict) for every integer t ≥ t0 and positive ``params``.

    Returns ``(status, reason, witness)`` with status ``holds`` / ``fails`` / ``undecided``.
    """
    expr = sp.sympify(expr)
    params = tuple(p for p in params if p in expr.free_symbols)
    rel = ">" if strict else "≥"
    if expr.has(sp.Piecewise, sp.Min, sp.Max):
        pieces = pieces_in_t(_as_piecewise(expr), t0)
        if pieces:
            return _by_pieces(pieces, params, strict, what)
    cert = certify(expr, t0, params)
    if cert == 1 or (cert == 0 and not strict):
        return "holds", f"{what} {rel} 0 for all t ≥ {t0}: proved (all coefficients of the rational function in t − {t0} are non-negative)", None
    if cert == -1 or (cert == 0 and strict):
        e0 = expr.subs(t, t0)
        if sign(e0.subs({p: 1 for p in params})) in (-1, 0) if strict else sign(e0.subs({p: 1 for p in params})) == -1:
            return "fails", f"{what} ≤ 0 for all t ≥ {t0} (proved) and at t = {t0} it is {sp.simplify(e0)}", {"t": t0}
    if len(params) == 1:
        out = _one_parameter(expr, t0, params[0], strict, what)
        if out is not None:
            return out
    if params:
        return "undecided", f"could not decide {what} {rel} 0 symbolically in {', '.join(map(str, params))}; give them values with --param", None
    return _numeric(expr, t0, strict, what)


def _one_parameter(expr, t0, p, strict, what):
    """Region analysis in one positive parameter p (rational functions of t and p only)."""
    num, den = sp.fraction(sp.together(expr))
    try:
        pn, pd = sp.Poly(sp.expand(num), t), sp.Poly(sp.expand(den), t)
    except sp.PolynomialError:
        return None
    lead = sp.factor(pn.LC() * pd.LC())  # sign of E for large t
    if lead.free_symbols - {p}:
        return None
    bad = sp.solveset(lead < 0 if not strict else lead <= 0, p, sp.Interval.open(0, sp.oo))
    if bad is sp.S.EmptySet or not isinstance(bad, (sp.Interval, sp.Union, sp.FiniteSet)):
        return None
    good = sp.Interval.open(0, sp.oo) - bad
    proved_good = None
    if isinstance(good, sp.Interval) and good.left.is_finite and good.right is sp.oo:
        u = sp.Dummy("u", nonnegative=True)
        if certify(sp.together(expr.subs(p, good.left + u)), t0, (u,)) == 1:
            proved_good = good
    reason = (f"{what} < 0 for large t for every {p} in {show_set(bad)} (the leading coefficient {lead} of the "
              f"numerator·denominator in t is negative there)")
    if proved_good is not None:
        reason += f"; for {p} in {show_set(proved_good)} it holds for all t ≥ {t0} (proved by the coefficient certificate)"
    return "fails", reason, {str(p): show_set(bad), "holds_for": show_set(proved_good) if proved_good is not None else None}


def show_set(s) -> str:
    """An interval as (a, b] text; other sets as sympy prints them."""
    if isinstance(s, sp.Interval):
        right = "∞)" if s.right is sp.oo else f"{s.right}{')' if s.right_open else ']'}"
        return f"{'(' if s.left_open else '['}{s.left}, {right}"
    if isinstance(s, sp.Union):
        return " ∪ ".join(show_set(a) for a in s.args)
    return str(s)


def _numeric(expr, t0, strict, what):
    f = sp.lambdify(t, expr, "numpy")
    ts = _scan_points(t0, breakpoints(expr))
    with np.errstate(all="ignore"):
        vals = np.asarray(f(ts), dtype=float) * np.ones_like(ts)
    bad = np.flatnonzero((vals <= 0) if strict else (vals < 0))
    for k in bad[:20]:
        tk = int(ts[k])
        s = sign(expr.subs(t, tk))
        if s == -1 or (strict and s == 0):
            return "fails", f"{what} = {sp.N(expr.subs(t, tk), 6)} {'≤' if strict else '<'} 0 at t = {tk} (checked exactly)", {"t": tk}
    lim = limit_at_infinity(expr)
    if lim is None:
        ls = None
    else:
        ls = sign(lim) if lim.is_finite else (1 if lim == sp.oo else -1 if lim == -sp.oo else None)
    if ls == -1:
        return "fails", f"{what} → {lim} < 0 as t → ∞", {"t": "large"}
    if len(bad) == 0:
        tail = (f"{what} → {lim} as t → ∞" if ls in (0, 1) else
                "its limit as t → ∞ is beyond sympy" if lim is None else f"{what} → {lim} as t → ∞")
        return "undecided", (f"no violation at {len(ts)} steps t ∈ [{t0}, 1e12] (every switch point "
                             f"included) and {tail}, but no symbolic proof"), None
    return "undecided", f"could not decide {what} symbolically; numeric scan inconclusive", None
