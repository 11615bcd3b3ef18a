"""The bound-schedule checker: does a pair η_l(t), η_u(t) meet AdaBound's Theorem 4, the
requirement its proof hides, and Savarese's corrected condition?  ("test a new bound schedule")

For bound functions given as expressions of t (strings are parsed safely, below), ``decide``
reports, each as proved / fails (with a witness) / numerical evidence / undecided, with the reason:

  Theorem 4's stated assumptions (Luo et al. 2019)
    lower positive           η_l(t) > 0                         for all integers t ≥ 1
    lower nondecreasing      η_l(t+1) − η_l(t) ≥ 0
    upper nonincreasing      η_u(t) − η_u(t+1) ≥ 0
    lower <= upper           η_u(t) − η_l(t) ≥ 0
    common limit             lim η_l = lim η_u = α* ∈ (0, ∞)
    R_inf finite             R∞ = η_u(1) < ∞ (L∞ = η_l(1) is reported)
  the hidden requirement (Savarese 2019): η_{t,i}^{−1} ≥ η_{t−1,i}^{−1} for every clip outcome,
    i.e. η_l(t−1)/η_u(t) ≥ √(1 − 1/t) for all t ≥ 2 — decided as η_l(t−1)²/η_u(t)² − (1 − 1/t) ≥ 0
  Savarese's condition: t/η_l(t) − (t−1)/η_u(t−1) ≤ M for all t ≥ 1, with the best (smallest)
    M = sup_t of the left side (the t = 1 term is 1/η_l(1)); then the corrected bound is O(√T).

Decisions use ``proofs.exact.nonneg_for_all_t``: a polynomial certificate in (t − t0, params),
a one-parameter region analysis (the sign for large t from the leading coefficient, solved
exactly in the parameter), else a scan with exact confirmation of any violation.  Parameters
without a value are positive real symbols.

Derived for the paper's schedule η_l = α*(1 − 1/(γt+1)), η_u = α*(1 + 1/(γt)) (``PAPER``):
  * every stated assumption holds for all γ, α* > 0, with α* the common limit;
  * the hidden requirement: η_l(t−1)²/η_u(t)² − (1 − 1/t) has numerator (t−1)·P(t) with
    leading coefficient γ³(γ − 4) in t, so it **fails for every γ ∈ (0, 4)** — in particular
    for every γ = 1 − β2 ∈ (0, 1), the paper's choice — and, by the coefficient certificate at
    γ = 4 + u, **holds for γ ≥ 4**.  (REFERENCE recalls Savarese as "fails for every γ > 0";
    what we derive is "every γ < 4", which covers every γ the paper uses.)
  * t/η_l(t) − (t−1)/η_u(t−1) = (1 + 1/γ + s/(γs+1))/α* with s = t − 1, increasing in s, so
    the best M = (1 + 2/γ)/α* (a supremum, not attained); with α* = 1 this is ≤ 3 + 2/γ, the
    value Savarese states.

Schedules that switch regime (Savarese's counterexample: η_u = α/√(1−β2) up to t = K, α/C
after) are written ``Piecewise((value, condition), ..., (value, True))`` or with Min/Max; with
numeric parameters each clause is then decided piece by piece over the integer ranges of t the
conditions give (``exact.pieces_in_t``), and every scan includes the switch points.

Parsing: the text is first checked against a whitelist of Python syntax (numbers, names, + − *
/ ** ^, calls of sqrt exp log Min Max Abs floor ceiling Piecewise, comparisons and True only as
Piecewise's (value, condition) pairs; no attributes, subscripts, keywords, strings, lambdas,
comprehensions), constant exponents are limited to |e| ≤ 1000, and every name
must be t, a declared parameter, a whitelisted function or pi/E; only then is it handed to
``sympy.parsing.sympy_parser.parse_expr`` with that local dict and an empty global dict.
Decimals are exact rationals ("0.1" = 1/10).  Anything else is a ValueError naming the problem.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field

import sympy as sp
from sympy.parsing.sympy_parser import parse_expr, standard_transformations

from . import exact
from .betas import beta_condition
from .exact import nonneg_for_all_t, t
from .verdicts import Verdict, overall

FUNCTIONS = {"sqrt": sp.sqrt, "exp": sp.exp, "log": sp.log, "Min": sp.Min, "Max": sp.Max, "Abs": sp.Abs,
             "floor": sp.floor, "ceiling": sp.ceiling, "Piecewise": sp.Piecewise}
CONSTANTS = {"pi": sp.pi, "E": sp.E}
MAX_LENGTH = 500
PAPER = ("alpha*(1 - 1/(gamma*t + 1))", "alpha*(1 + 1/(gamma*t))")

_OPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd, ast.BitXor)
_CMPS = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)


def _symbols(params) -> dict:
    return {k: sp.Symbol(k, positive=True) for k in params}


def parse(text, name: str = "expression", params=None, real=()) -> sp.Expr:
    """Parse ``text`` (a string or a sympy expression) into an expression of t and ``params``.

    ``params``: names (values are substituted by ``decide``; here only the names matter).
    ``real``: names of real variables of any sign (a loss's x1..xd), not positive symbols, so
    that Abs(x) or sqrt(x**2) keep their meaning.
    Raises ValueError naming ``name`` and the offending part.
    """
    params = dict(params or {})
    params.update({k: None for k in real})
    allowed = {"t": t, **_symbols(params), **{k: sp.Symbol(k, real=True) for k in real}, **FUNCTIONS, **CONSTANTS}
    if isinstance(text, sp.Basic):
        expr = text
    else:
        if not isinstance(text, str):
            raise TypeError(f"{name}={text!r} must be a string or a sympy expression")
        src = text.strip().replace("^", "**")
        if not src:
            raise ValueError(f"{name} is empty")
        if len(src) > MAX_LENGTH:
            raise ValueError(f"{name} is longer than {MAX_LENGTH} characters")
        try:
            tree = ast.parse(src, mode="eval")
        except SyntaxError as exc:
            raise ValueError(f"{name}={text!r} is not a valid expression ({exc.msg} at column {exc.offset})") from None
        unknown = sorted(_validate(tree, name, text, set(allowed)))
        if unknown:
            raise ValueError(f"{name}={text!r} uses unknown symbol(s) {', '.join(unknown)}; allowed: t"
                             + (", " + ", ".join(params) if params else "") + " (declare parameters with --param k=v or k),"
                             f" functions {', '.join(FUNCTIONS)}, constants pi, E")
        try:
            expr = parse_expr(src, local_dict=dict(allowed), global_dict={"__builtins__": {}, **_SYMPY_CTORS},
                              transformations=standard_transformations, evaluate=True)
        except Exception as exc:  # noqa: BLE001 - any failure of a validated string is a user error
            raise ValueError(f"{name}={text!r} could not be parsed: {exc}") from None
    expr = sp.nsimplify(expr, rational=True) if expr.has(sp.Float) else expr
    extra = sorted(str(s) for s in expr.free_symbols if s.name not in {"t", *params})
    if extra:
        raise ValueError(f"{name} uses unknown symbol(s) {', '.join(extra)}")
    # re-home symbols by name so that t and parameters carry the positivity assumptions
    expr = expr.subs({s: allowed[s.name] for s in expr.free_symbols if s.name in allowed})
    if expr.has(sp.zoo, sp.oo, -sp.oo, sp.nan):  # 1/0, Max() (= -oo), log(0), ...
        raise ValueError(f"{name}={text!r} is not finite (it evaluates to {expr}); give a finite expression of t")
    return expr


_SYMPY_CTORS = {"Integer": sp.Integer, "Float": lambda *a, **k: sp.Rational(str(a[0])) if a and isinstance(a[0], str) else sp.Float(*a, **k),
                "Rational": sp.Rational, "Symbol": sp.Symbol}


def _validate(tree, name, text, allowed: set) -> set:
    unknown = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Expression, ast.Load) + _OPS):
            continue
        if isinstance(node, (ast.BinOp, ast.UnaryOp)):
            if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Pow, ast.BitXor)):
                val = _const(node.right)
                if val is not None and not abs(val) <= 1000:
                    raise ValueError(f"{name}={text!r}: exponent {val:g} is too large (limit 1000)")
            continue
        if isinstance(node, (ast.Tuple, ast.Compare) + _CMPS):
            continue  # only inside Piecewise((value, condition), ...), checked below
        if isinstance(node, ast.Constant) and node.value is True:
            continue  # Piecewise's "otherwise"
        if isinstance(node, ast.Constant):
            if not isinstance(node.value, (int, float)) or isinstance(node.value, bool):
                raise ValueError(f"{name}={text!r}: only numbers are allowed as literals, got {node.value!r}")
            continue
        if isinstance(node, ast.Name):
            if node.id not in allowed:
                unknown.add(node.id)
            continue
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords:
                fn = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
                raise ValueError(f"{name}={text!r}: {fn}(...) is not an allowed function "
                                 f"(allowed: {', '.join(FUNCTIONS)})")
            continue
        raise ValueError(f"{name}={text!r}: {type(node).__name__.lower()} syntax is not allowed in an expression")
    _check_piecewise(tree, name, text)
    return unknown


def _check_piecewise(tree, name, text) -> None:
    """Tuples, comparisons and True only as Piecewise((value, condition), ..., (value, True))."""
    allowed = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Piecewise":
            if not node.args or not all(isinstance(a, ast.Tuple) and len(a.elts) == 2 for a in node.args):
                raise ValueError(f"{name}={text!r}: Piecewise takes (value, condition) pairs, e.g. "
                                 "Piecewise((1, t <= 10), (1/t, True))")
            for pair in node.args:
                allowed.update({id(pair), id(pair.elts[1])})
                allowed.update(id(n) for n in ast.walk(pair.elts[1]) if isinstance(n, _CMPS))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Tuple, ast.Compare) + _CMPS) or (isinstance(node, ast.Constant) and node.value is True):
            if id(node) not in allowed:
                raise ValueError(f"{name}={text!r}: comparisons, tuples and True are only allowed as the "
                                 "(value, condition) pairs of Piecewise")


def _const(node):
    """The value of a name-free numeric subtree (floats, overflow → inf), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return float(node.value)
    if isinstance(node, ast.UnaryOp):
        v = _const(node.operand)
        return None if v is None else (-v if isinstance(node.op, ast.USub) else v)
    if isinstance(node, ast.BinOp):
        a, b = _const(node.left), _const(node.right)
        if a is None or b is None:
            return None
        try:
            if isinstance(node.op, ast.Add):
                return a + b
            if isinstance(node.op, ast.Sub):
                return a - b
            if isinstance(node.op, ast.Mult):
                return a * b
            if isinstance(node.op, ast.Div):
                return a / b if b else float("inf")
            if isinstance(node.op, (ast.Pow, ast.BitXor)):
                return float("inf") if abs(b) > 1000 else float(abs(a) ** b)
        except (OverflowError, ZeroDivisionError, ValueError):
            return float("inf")
    return None


def paper_schedule(alpha_star=None, gamma=None):
    """The paper's (η_l, η_u) as sympy expressions of t; numbers substituted when given."""
    params = {"alpha": alpha_star, "gamma": gamma}
    lo, up = (parse(s, n, params) for s, n in zip(PAPER, ("lower", "upper")))
    vals = {sp.Symbol(k, positive=True): exact.rational(k, v) for k, v in params.items() if v is not None}
    return lo.subs(vals), up.subs(vals)


def hidden_requirement(lower, upper, squared: bool = False):
    """η_l(t−1)/η_u(t) − √(1 − 1/t) (≥ 0 for all t ≥ 2 is what Theorem 4's proof needs); with
    ``squared``, the equivalent η_l(t−1)²/η_u(t)² − (1 − 1/t), a rational function sympy decides."""
    if squared:
        return lower.subs(t, t - 1) ** 2 / upper ** 2 - (1 - 1 / t)
    return lower.subs(t, t - 1) / upper - sp.sqrt(1 - 1 / t)


def savarese_term(lower, upper):
    """t/η_l(t) − (t−1)/η_u(t−1): Savarese's condition bounds it by M for all t ≥ 2."""
    return t / lower - (t - 1) / upper.subs(t, t - 1)


_L, _U = sp.Function("eta_l"), sp.Function("eta_u")


def on_band(quantity, lower_fn, upper_fn):
    """``quantity`` (``hidden_requirement`` or ``savarese_term``) as a numpy function of t for a
    band given as vectorised callables t → values (n,): the expression decided symbolically
    above, evaluated on the numbers a kernel used, with nothing re-typed."""
    return sp.lambdify(t, quantity(_L(t), _U(t)), [{"eta_l": lower_fn, "eta_u": upper_fn}, "numpy"])


def best_M(lower, upper, params=()):
    """(M, Verdict): M = sup_{t≥1} [t/η_l(t) − (t−1)/η_u(t−1)] (t = 1 term: 1/η_l(1))."""
    params = tuple(params) or tuple(s for s in (lower.free_symbols | upper.free_symbols) if s != t)
    S = sp.simplify(savarese_term(lower, upper))
    S1 = sp.simplify(1 / lower.subs(t, 1))
    # a derivative says nothing across a jump (and sympy differentiates Min/Max into slow
    # Heaviside terms): schedules that switch go by the scan below
    jumps = S.has(sp.Piecewise, sp.floor, sp.ceiling, sp.Min, sp.Max)
    inc = dec = "undecided"
    if not jumps:
        dS = sp.simplify(sp.diff(S, t))
        inc, _, _ = nonneg_for_all_t(dS, 2, params, what="d/dt[t/η_l(t) − (t−1)/η_u(t−1)]")
        dec, _, _ = nonneg_for_all_t(-dS, 2, params, what="−d/dt[…]")
    lim = exact.limit_at_infinity(S)
    if lim is None and params:
        return sp.nan, Verdict("Savarese M", "undecided", f"sympy cannot take the limit of t/η_l(t) − (t−1)/η_u(t−1) = {S}")
    lim = sp.simplify(lim) if lim is not None else None
    if lim is None:
        inc = dec = "undecided"  # the monotone cases need the limit; the scan below does not
    status = "proved"
    if inc == "proved":
        sup, how = lim, "increasing in t ≥ 2 (proved), so sup = lim_{t→∞}"
    elif dec == "proved":
        sup, how = S.subs(t, 2), "decreasing in t ≥ 2 (proved), so sup = value at t = 2"
    elif not params:
        import numpy as np
        f = sp.lambdify(t, S, "numpy")
        ts = exact._scan_points(2, exact.breakpoints(S))
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            # a pole on the scan is a value (±inf), which the comparison below reads
            vals = np.asarray(f(ts), float) * np.ones_like(ts)
        k = int(np.nanargmax(vals))
        top = sp.simplify(S.subs(t, int(ts[k])))  # the largest scanned value, exactly
        sup = top if lim is None or exact.sign(top - lim) in (0, 1) else lim
        status = "numerical evidence"
        how = (f"largest value on a floating-point scan of t ∈ [2, 1e12] (every switch point included) at "
               f"t = {int(ts[k])}, compared with " + (f"the limit {exact.show_number(lim)}" if lim is not None else
                                                       "no limit (sympy's is missing or fails a numerical cross-check)")
               + ": a numerical supremum, not proved")
    else:
        return sp.nan, Verdict("Savarese M", "undecided", "could not locate the supremum symbolically; give the parameters values")
    M = sp.simplify(sp.Max(S1, sup))
    if M.has(sp.Max) and not params and exact.sign(S1 - sup) is not None:
        M = S1 if exact.sign(S1 - sup) >= 0 else sup
    if M == sp.Max(S1, sup) and params:
        diff = sp.simplify(sup - S1)
        M = sup if exact.certify(diff, 1, params) == 1 or diff.is_nonnegative else S1 if (-diff).is_nonnegative else M
    if not M.is_finite and M.is_finite is not None:
        return M, Verdict("Savarese M", "fails", f"t/η_l(t) − (t−1)/η_u(t−1) is unbounded ({how})")
    if M.is_finite is None:
        status = "undecided"
    return M, Verdict("Savarese M", status,
                      f"t/η_l(t) − (t−1)/η_u(t−1) = {S}; {how}; best M = {exact.show_number(M)}", {"M": str(M)})


@dataclass
class Report:
    lower: sp.Expr
    upper: sp.Expr
    params: dict
    clauses: list = field(default_factory=list)
    alpha_star: sp.Expr | None = None
    best_M: sp.Expr | None = None
    order_stated: str = ""
    order_corrected: str = ""

    def verdict(self, clause: str) -> Verdict:
        for v in self.clauses:
            if v.clause == clause:
                return v
        raise KeyError(clause)

    @property
    def overall(self) -> str:
        return overall(self.clauses)

    def as_dict(self) -> dict:
        return {"lower": str(self.lower), "upper": str(self.upper), "params": {k: str(v) for k, v in self.params.items()},
                "clauses": [v.as_dict() for v in self.clauses], "alpha_star": str(self.alpha_star),
                "best_M": str(self.best_M), "order_stated": self.order_stated,
                "order_corrected": self.order_corrected, "overall": self.overall}

    def text(self) -> str:
        lines = [f"η_l(t) = {self.lower}", f"η_u(t) = {self.upper}"]
        lines += [v.line() for v in self.clauses]
        lines += [f"Theorem 4 bound as stated: {self.order_stated}",
                  f"Savarese's corrected bound: {self.order_corrected}"]
        return "\n".join(lines)


def _params(params) -> tuple[dict, dict]:
    """(values by Symbol, declared names) from {'name': value or None}."""
    params = dict(params or {})
    for k in params:
        if not k.isidentifier() or k == "t" or k in FUNCTIONS or k in CONSTANTS:
            raise ValueError(f"parameter name {k!r} is not allowed (must be an identifier other than t, "
                             f"{', '.join(FUNCTIONS)}, pi, E)")
    vals = {sp.Symbol(k, positive=True): exact.rational(k, v) for k, v in params.items() if v is not None}
    for s, v in vals.items():
        if v <= 0:
            raise ValueError(f"parameter {s}={v} must be > 0 (parameters are positive reals)")
    return vals, params


def decide(lower, upper, params=None) -> Report:
    """Every clause for the schedule (η_l, η_u); see the module docstring."""
    vals, declared = _params(params)
    lo = parse(lower, "lower", declared).subs(vals)
    up = parse(upper, "upper", declared).subs(vals)
    free = tuple(s for s in (lo.free_symbols | up.free_symbols) if s != t)
    rep = Report(lo, up, dict(declared))
    C = rep.clauses

    def clause(name, expr, t0=1, strict=False, what=None):
        try:
            st, reason, wit = nonneg_for_all_t(sp.simplify(expr), t0, free, strict, what or name)
        except (NotImplementedError, TypeError, ValueError, AttributeError, RecursionError) as exc:
            # sympy gives up on some valid inputs (series of Max, say): say so, do not crash
            st, reason, wit = "undecided", f"sympy could not decide {what or name}: {' '.join(str(exc).split())[:200]}", None
        C.append(Verdict(name, st, reason, wit))

    clause("lower positive", lo, strict=True, what="η_l(t)")
    clause("lower nondecreasing", lo.subs(t, t + 1) - lo, what="η_l(t+1) − η_l(t)")
    clause("upper nonincreasing", up - up.subs(t, t + 1), what="η_u(t) − η_u(t+1)")
    clause("lower <= upper", up - lo, what="η_u(t) − η_l(t)")
    lim_l, lim_u = exact.limit_at_infinity(lo), exact.limit_at_infinity(up)
    if lim_l is None or lim_u is None:
        rep.alpha_star = None
        C.append(Verdict("common limit", "undecided", f"sympy cannot take lim η_l = {lim_l} or lim η_u = {lim_u} as t → ∞"))
    else:
        lim_l, lim_u = sp.simplify(lim_l), sp.simplify(lim_u)
        same = sp.simplify(lim_l - lim_u) == 0
        good = same and lim_l.is_finite and lim_l.is_positive
        rep.alpha_star = lim_l if good else None
        decided = lim_l.is_finite is not None and lim_u.is_finite is not None and (
            good or not same or lim_l.is_finite is False or lim_l.is_nonpositive)
        C.append(Verdict("common limit", "proved" if good else "fails" if decided else "undecided",
                         f"η_l → {lim_l}, η_u → {lim_u}" + (f"; α* = {lim_l}" if good else "")))
    R_inf, L_inf = sp.simplify(up.subs(t, 1)), sp.simplify(lo.subs(t, 1))
    C.append(Verdict("R_inf finite", "proved" if R_inf.is_finite else "fails" if R_inf.is_finite is False else "undecided",
                     f"R∞ = η_u(1) = {exact.show_number(R_inf)}, L∞ = η_l(1) = {exact.show_number(L_inf)}"))
    hidden = sp.simplify(hidden_requirement(lo, up, squared=True))
    clause("hidden requirement", hidden, 2, what="η_l(t−1)²/η_u(t)² − (1 − 1/t)")
    C[-1] = Verdict("hidden requirement", C[-1].status, "η_l(t−1)/η_u(t) ≥ √(1−1/t) for all t ≥ 2: " + C[-1].reason,
                    C[-1].witness)
    try:
        M, vM = best_M(lo, up, free)
    except (NotImplementedError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        M, vM = sp.nan, Verdict("Savarese M", "undecided", f"sympy could not locate the supremum: {' '.join(str(exc).split())[:200]}")
    rep.best_M = M
    C.append(vM)
    stated = [v for v in C if v.clause in STATED]
    hidden_v = C[-2]
    rep.order_stated = summary(stated, "claimed O(√T) (β1t = β1λ^{t−1}); its proof " +
                               ("is valid: the hidden requirement is proved" if hidden_v.status == "proved" else
                                f"needs the hidden requirement, which {_status_words(hidden_v.status)}"),
                               "Theorem 4")
    # Savarese's Theorem 3 needs a well-defined clip (0 < η_l ≤ η_u), η_u ≤ R∞ and the M condition
    needed = [v for v in C if v.clause in ("lower positive", "lower <= upper", "R_inf finite", "Savarese M")]
    with_M = f"M = {exact.show_number(M)}" if M.is_finite else "the best M"
    rep.order_corrected = summary(needed, f"O(√T) (β1t = β1λ^{{t−1}}; Savarese's Theorem 3 with {with_M})",
                                  "Savarese's Theorem 3")
    return rep


STATED = ("lower positive", "lower nondecreasing", "upper nonincreasing", "lower <= upper", "common limit",
          "R_inf finite")


def _status_words(status: str) -> str:
    return {"proved": "is proved", "fails": "fails", "numerical evidence": "has numerical evidence only",
            "undecided": "is undecided"}[status]


def summary(hypotheses, conclusion: str, theorem: str) -> str:
    """What a theorem gives, claiming no more than its hypotheses' verdicts: ``conclusion`` when
    every hypothesis is proved; "does not apply" only when one fails (a mathematical verdict,
    with its witness in that clause); otherwise "applies only if …", naming the clauses that are
    numerical evidence or undecided."""
    failed = [v for v in hypotheses if v.status == "fails"]
    if failed:
        return f"{theorem} does not apply: " + "; ".join(f"{v.clause} fails" for v in failed)
    open_ = [v for v in hypotheses if v.status != "proved"]
    if open_:
        return (f"{conclusion}, if the hypotheses not proved hold: "
                + "; ".join(f"{v.clause} {_status_words(v.status)}" for v in open_))
    return conclusion


def theorem4_conditions(beta1, beta2, lower=PAPER[0], upper=PAPER[1], params=None) -> list[Verdict]:
    """AdaBound Theorem 4's hypotheses: β1 < √β2 and the schedule's clauses."""
    if params is None and lower == PAPER[0]:
        params = {"alpha": "0.1", "gamma": str(1 - exact.rational("beta2", beta2))}
    return [beta_condition(beta1, beta2), *decide(lower, upper, params).clauses]
