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
EXACT_PIECE = 200  # a finite piece of at most this many integers is decided at each of them


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
    """The sign (−1, 0, 1) of a closed numeric expression, rigorously; None if it cannot be told.

    Zero only when sympy proves the expression zero (``is_zero`` or after ``simplify``); a
    nonzero sign only from an enclosure that excludes 0: the expression is evaluated in interval
    arithmetic (``mpmath.iv``: every operation rounds outward, so the true value lies inside the
    interval) at 64, 256 and 1024 bits.  An expression equal to 0 that sympy cannot simplify to
    0, or one with a function the enclosure does not cover, gives None ("undecided"), never a
    guess.
    """
    expr = sp.sympify(expr)
    if expr.is_zero:
        return 0
    if expr.free_symbols or expr.is_Rational:
        # a rational decides exactly; an expression in symbols only by sympy's assumptions
        return 1 if expr.is_positive else -1 if expr.is_negative else None
    for prec in (64, 256, 1024):
        box = enclosure(expr, prec)
        if box is None:
            break
        lo, hi = box
        if lo > 0:
            return 1
        if hi < 0:
            return -1
    if sp.simplify(expr).is_zero:
        return 0
    return None


def enclosure(expr, prec: int = 64):
    """(lo, hi) with lo ≤ expr ≤ hi guaranteed, as mpmath floats, from interval arithmetic
    (``mpmath.iv``) at ``prec`` bits; None for a construct it does not cover (or a domain error:
    a log or sqrt of an interval reaching below 0)."""
    from mpmath import iv

    old = iv.prec
    iv.prec = prec
    try:
        val = _iv(sp.sympify(expr), iv)
    except (_NoEnclosure, ZeroDivisionError, ValueError, TypeError, OverflowError):
        return None
    finally:
        iv.prec = old
    if val is None:
        return None
    import mpmath

    lo, hi = val._mpi_  # the endpoints, exact binary floats (kept at their own precision)
    with mpmath.workprec(max(prec, lo[3], hi[3]) + 8):
        return mpmath.mpf(lo), mpmath.mpf(hi)


class _NoEnclosure(Exception):
    pass


def _iv(e, iv):
    if e.is_Integer:
        return iv.mpf(int(e))
    if e.is_Rational:
        return iv.mpf(int(e.p)) / iv.mpf(int(e.q))
    if e.is_Float:
        return iv.mpf(sp.Rational(e).p) / iv.mpf(sp.Rational(e).q)
    if e is sp.pi:
        return iv.pi
    if e is sp.E:
        return iv.e
    if e.is_Add:
        out = iv.mpf(0)
        for a in e.args:
            out = out + _iv(a, iv)
        return out
    if e.is_Mul:
        out = iv.mpf(1)
        for a in e.args:
            out = out * _iv(a, iv)
        return out
    if e.is_Pow:
        base, ex = e.args
        b = _iv(base, iv)
        if ex.is_Integer:
            n = int(ex)
            if n >= 0:
                return b ** n
            if b.a <= 0 <= b.b:
                raise _NoEnclosure
            return iv.mpf(1) / (b ** (-n))
        if not b.a > 0:
            raise _NoEnclosure  # real powers of an interval touching 0 or below
        return iv.exp(_iv(ex, iv) * iv.log(b))
    if isinstance(e, sp.exp):
        return iv.exp(_iv(e.args[0], iv))
    if isinstance(e, sp.log) and len(e.args) == 1:
        a = _iv(e.args[0], iv)
        if not a.a > 0:
            raise _NoEnclosure
        return iv.log(a)
    if isinstance(e, sp.Abs):
        a = _iv(e.args[0], iv)
        lo = 0 if a.a <= 0 <= a.b else min(abs(a.a), abs(a.b))
        return iv.mpf([lo, max(abs(a.a), abs(a.b))])
    if isinstance(e, (sp.Min, sp.Max)):
        vals = [_iv(a, iv) for a in e.args]
        pick = min if isinstance(e, sp.Min) else max
        return iv.mpf([pick(v.a for v in vals), pick(v.b for v in vals)])
    raise _NoEnclosure


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


def certify(expr, t0, params=(), strict: bool = False) -> int | None:
    """+1 (≥ 0 proved; > 0 with ``strict``), −1 (≤ 0 proved; < 0 with ``strict``) or None, for
    all real t ≥ t0 and positive ``params``, by the shifted-coefficient certificate.

    Exponentials in t (``exp(c·t + b)``, rates rational multiples of one another, as in
    α(1 − e^{−γt})) are first replaced by a variable u = e^{c't} (``_exp_as_variables``):
    u ∈ (0, e^(c't0)] for c' < 0, u ≥ e^(c't0) for c' > 0, taken independent of t — a superset of the
    curve (t, e^{c't}), so a sign proved over it holds on the curve.
    """
    s = sp.Dummy("s", nonnegative=True)
    us = {p: sp.Dummy(f"u_{p}", positive=True) for p in params}
    e = sp.sympify(expr).subs(us)
    sub = _exp_as_variables(e, t0)
    if sub is None:
        return None
    e, extra = sub
    e = sp.together(e.subs(t, t0 + s))
    num, den = sp.fraction(e)
    gens = [s, *us.values(), *extra]
    sn, sd = _poly_sign(num, gens), _poly_sign(den, gens)
    if sn is None or sd is None or sd == 0:
        return None
    if sp.expand(den.subs(s, 0)) == 0:
        return None  # undefined at t = t0
    # every variable but s is > 0, so a nonzero polynomial with same-sign coefficients is
    # strictly signed unless it vanishes identically at s = 0
    if strict and sn != 0 and sp.expand(num.subs(s, 0)) == 0:
        return None
    return sn * sd


def _exp_as_variables(e, t0):
    """(e', new variables): every exp(c·t + b) in ``e`` as e^b·u^n with one variable u for the
    common rate c' (u = e^(c't0)/(1+v), v > 0, when c' < 0, u = e^(c't0)(1 + v) when c' > 0), and
    every remaining exp(b) of a signed symbolic b likewise ((0, 1) or [1, ∞)); (e, []) when
    there is none, None when an exponential is not of that form."""
    rates = {}
    for a in e.atoms(sp.exp):
        arg = sp.expand(a.args[0])
        if t not in arg.free_symbols:
            continue
        try:
            poly = sp.Poly(arg, t)
        except sp.PolynomialError:
            return None
        if poly.degree() != 1 or poly.LC().free_symbols & {t}:
            return None
        rates[a] = (poly.LC(), arg - poly.LC() * t)
    extra = []
    if rates:
        r0 = next(iter(rates.values()))[0]
        ratios = {a: sp.nsimplify(sp.simplify(r / r0)) for a, (r, _) in rates.items()}
        if not all(q.is_Rational for q in ratios.values()):
            return None
        den = int(sp.ilcm(*[int(q.q) for q in ratios.values()])) if len(ratios) > 1 else int(next(iter(ratios.values())).q)
        base = r0 / den
        sb = 1 if base.is_positive else -1 if base.is_negative else sign(base)
        if sb not in (1, -1):
            return None
        v = sp.Dummy("v", positive=True)
        u0 = sp.exp(base * t0)  # u = e^(base·t) runs over (0, u0] (base < 0) or [u0, ∞) (base > 0)
        u = u0 / (1 + v) if sb == -1 else u0 * (1 + v)
        e = e.xreplace({a: sp.exp(off) * u ** int(ratios[a] * den) for a, (_, off) in rates.items()})
        extra.append(v)
    consts = {}
    for a in e.atoms(sp.exp):
        if not a.free_symbols:
            continue
        if t in a.free_symbols:
            return None
        arg = a.args[0]
        sa = 1 if arg.is_positive else -1 if arg.is_negative else None
        if sa is None:
            return None
        w = sp.Dummy("w", positive=True)
        consts[a] = 1 / (1 + w) if sa == -1 else 1 + w
        extra.append(w)
    return (e.xreplace(consts) if consts else e), extra


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
        lim = sp.limit(expr, t, sp.oo)
    except (NotImplementedError, ValueError, TypeError, AttributeError, RecursionError):
        return None
    return lim if _limit_plausible(expr, lim) else None


def _limit_plausible(expr, lim) -> bool:
    """False when the values at t = 10⁶, 10⁹, 10¹² (30 digits) stay far from a finite ``lim``:
    sympy's limit is not infallible (it gives 0 for t/(1 − e^{−t/100}) − (t−1)/(1 + e^{(1−t)/100}),
    whose limit is 1), and a wrong limit must become "undecided", not a verdict.  Expressions
    with free parameters are not checked."""
    if expr.free_symbols - {t} or not (lim.is_finite and lim.is_number):
        return True
    try:
        gaps = [abs(complex(sp.N(expr.subs(t, 10 ** k) - lim, 30))) for k in (6, 9, 12)]
    except (TypeError, ValueError):
        return True
    scale = 1e-3 * max(1.0, abs(complex(sp.N(lim))))
    return not all(g > scale for g in gaps)


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
    failing that, integer by integer: exactly (interval arithmetic) at each of at most
    ``EXACT_PIECE`` integers, else in floating point ("numerical evidence") with every violation
    the floats suggest decided exactly."""
    rel = ">" if strict else "≥"
    verdicts = []
    for piece, a, b in pieces:
        where = f"t ∈ [{a}, {'∞' if b is None else b}]"
        if b is None:
            st, reason, wit = nonneg_for_all_t(piece, a, params, strict, what)
        elif certify(piece, a, tuple(p for p in params if p in piece.free_symbols), strict) in ((1,) if strict else (0, 1)):
            st, reason, wit = "proved", "proved by the coefficient certificate", None
        elif piece.free_symbols - {t} or b - a > 10 ** 6:
            st, reason, wit = "undecided", f"could not decide {what} {rel} 0 on this piece", None
        else:
            ts = np.arange(a, b + 1, dtype=np.float64)
            with np.errstate(all="ignore"):
                vals = np.asarray(sp.lambdify(t, piece, "numpy")(ts), dtype=float) * np.ones_like(ts)
            bad = [int(v) for v in ts[(vals <= 1e-12 * np.abs(vals).max(initial=1)) if strict else (vals < 1e-12)]]
            # floats only suggest the sign; a short piece is then decided integer by integer
            exact_all = b - a + 1 <= EXACT_PIECE
            st, reason, wit = ("proved", f"decided exactly at every integer ({b - a + 1} of them)", None) if exact_all else \
                ("numerical evidence", f"no violation in floating point at any of its {b - a + 1} integers (not decided exactly)", None)
            undefined = ts[~np.isfinite(vals)]
            if undefined.size:
                st, reason, wit = "undecided", f"{what} is not finite at t = {int(undefined[0])}", None
            for tk in ([] if undefined.size else bad[:50] if not exact_all else [int(v) for v in ts]):
                sk = sign(piece.subs(t, tk))
                if sk == -1 or (strict and sk == 0):
                    st, reason, wit = "fails", f"{what} = {sp.N(piece.subs(t, tk), 6)} at t = {tk} (sign proved by interval arithmetic)", {"t": tk}
                    break
                if sk is None:
                    st, reason, wit = "undecided", f"could not decide the sign at t = {tk}", None
                    break
        verdicts.append((st, f"{where}: {reason}", wit))
    for st, reason, wit in verdicts:
        if st == "fails":
            return "fails", f"{what} {rel} 0 fails on the piece {reason}", wit
    if all(st == "proved" for st, _, _ in verdicts):
        return "proved", f"{what} {rel} 0 for all t ≥ {pieces[0][1]}: proved piece by piece (" + "; ".join(r for _, r, _ in verdicts) + ")", None
    if all(st in ("proved", "numerical evidence") for st, _, _ in verdicts):
        return "numerical evidence", "piece by piece: " + "; ".join(f"{r} [{st}]" for st, r, _ in verdicts), None
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

    Returns ``(status, reason, witness)`` with status ``proved`` / ``fails`` (with the witness t
    or parameter region) / ``numerical evidence`` (a floating-point scan found no violation: not a
    proof) / ``undecided``.
    """
    expr = sp.sympify(expr)
    params = tuple(p for p in params if p in expr.free_symbols)
    rel = ">" if strict else "≥"
    if expr.has(sp.Piecewise, sp.Min, sp.Max):
        pieces = pieces_in_t(_as_piecewise(expr), t0)
        if pieces:
            return _by_pieces(pieces, params, strict, what)
    cert = certify(expr, t0, params, strict)
    how = ("all coefficients of the rational function in t − {t0}" +
           (", with u = e^(ct) for the exponentials in t," if expr.has(sp.exp) and t in expr.free_symbols else "") +
           " are non-negative").format(t0=t0)
    if cert == 1 or (cert == 0 and not strict):
        return "proved", f"{what} {rel} 0 for all t ≥ {t0}: proved ({how})", None
    if cert == -1 or (cert == 0 and strict):
        e0 = expr.subs(t, t0)
        if sign(e0.subs({p: 1 for p in params})) in (-1, 0) if strict else sign(e0.subs({p: 1 for p in params})) == -1:
            return "fails", f"{what} ≤ 0 for all t ≥ {t0} (proved) and at t = {t0} it is {show_number(sp.simplify(e0))}", {"t": t0}
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


def show_number(x, digits: int = 12) -> str:
    """An exact number as text; a rational of large height (more than ``digits`` digits in
    numerator or denominator) also as a decimal: ``-251503252999/503006506002 (≈ -0.5000049702)``."""
    x = sp.sympify(x)
    if x.is_Rational and not x.is_Integer and max(len(str(abs(x.p))), len(str(x.q))) > 6:
        return f"{x} (≈ {sp.N(x, 15)})"
    if x.is_number and not x.is_Rational and x.is_finite and len(str(x)) > 20:
        return f"{x} (≈ {sp.N(x, 10)})"
    return str(x)


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
            return "fails", f"{what} = {sp.N(expr.subs(t, tk), 6)} {'≤' if strict else '<'} 0 at t = {tk} (sign proved by interval arithmetic)", {"t": tk}
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
        return "numerical evidence", (f"no violation in floating point at {len(ts)} steps t ∈ [{t0}, 1e12] (every "
                                      f"switch point included) and {tail}; not proved"), None
    return "undecided", f"could not decide {what} symbolically; numeric scan inconclusive", None
