"""Convex minimisation over a ball or a simplex for the comparators, with optimality certificates.

The comparators min_{x∈F} Σ_j w_j ℓ_j(x) have few unknowns (d ≲ 100) and many terms (n up to
~10^5), so every solver here works in the d unknowns and touches the data only through
d×d Hessians and length-n vectors:

* ``ball_qp``: min ½xᵀHx − bᵀx over ‖x − c‖ ≤ r, H ⪰ 0 (the trust-region subproblem, convex
  case): an eigendecomposition of H and the root ν ≥ 0 of the secular equation
  ‖(H + νI)⁻¹(b − Hc)‖ = r (Brent's method on 1/‖u(ν)‖ − 1/r, bracketed).  Exact up to rounding.
* ``simplex_qp``: the same over {x ≥ 0, Σx = s}: a primal active-set method (Nocedal & Wright,
  Numerical Optimization, Algorithm 16.3) from the best vertex, each equality-constrained step a
  (|P| + 1)-square KKT solve.  Finite; exact up to rounding.
* ``newton``: a smooth convex f over a ball or simplex by Newton's method with the exact
  constrained model step (the two QPs above) and an Armijo search on the feasible segment,
  stopped by the Frank–Wolfe gap max_{v∈F} ∇f(x)ᵀ(x − v) ≥ f(x) − min_F f, a certified bound for
  any convex differentiable f.
* ``box_qp``: the same over a box by BVLS (scipy ``lsq_linear``) on a factor of H.
* ``piecewise_linear``: Σ_j w_j max_{α∈[lo,1]} α·m_j(x), m_j = M_j·x + τ_j (hinge: lo = 0,
  absolute: lo = −1), by ``newton`` on the smoothing (≤ μ·log 2 above the loss per term), μ
  decreased until the duality gap f(x) − D(α) closes to the tolerance; D(α) =
  Σ_j w_j α_j τ_j + min_{x∈F} (Σ_j w_j α_j M_j)ᵀx (the Lagrange dual, a lower bound on the
  minimum for every α ∈ [lo, 1]^n, evaluated exactly since the linear minimum over F is closed
  form).  On a ball, once near, the pieces at the optimum are guessed and solved in closed form
  (``_polish_ball``), and an interior optimum is reached by the simplex method's vertex walk
  (``_vertex_walk``): the gap then closes to rounding.
* ``reduced_lp`` (box, simplex) and ``reduced_ball``: the same sum with only the terms near
  their kink kept and every other replaced by its piece at a start point, a relaxation (each
  piece is ≤ its term everywhere): the reduced problem's bound is a bound on the whole, and its
  point's value meets it when no replaced term changed piece there; else those terms are kept
  too and it is solved again.

Every solver returns the point and a certified gap ≥ value − minimum (up to the rounding of the
sums that evaluate it).
"""
from __future__ import annotations

import numpy as np

GAP_RTOL = 1e-12  # the certified gap asked of the iterative solvers, relative to max(1, |min|)
POLISH_AT = 1e-4  # the relative gap at which the pieces at the optimum are guessed (``_polish_ball``)
MU_FACTOR = 0.2  # the smoothing parameter's decrease per stage


def ball_qp(H: np.ndarray, b: np.ndarray, center: np.ndarray, radius: float) -> np.ndarray:
    """argmin_{‖x − c‖ ≤ r} ½xᵀHx − bᵀx for H symmetric positive semidefinite."""
    from scipy.optimize import brentq

    g = b - H @ center  # in u = x − c the objective is ½uᵀHu − gᵀu + const
    lam, V = np.linalg.eigh(H)
    lam = np.maximum(lam, 0.0)  # ⪰ 0 up to rounding
    gt = V.T @ g
    top = float(lam[-1]) if lam.size else 0.0
    pos = lam > top * 1e-13 if top > 0 else np.zeros(lam.shape, bool)
    gn = float(np.linalg.norm(gt))
    if gn == 0.0:
        return center.copy()
    # interior when the (minimum-norm) unconstrained minimiser lies in the ball and g has no
    # part along zero curvature beyond rounding (for least squares b − Hc lies in range(H))
    null = float(np.linalg.norm(gt[~pos]))
    if null <= 1e-12 * gn:
        with np.errstate(over="ignore", invalid="ignore"):  # curvature underflown to ~0: outside
            u = V[:, pos] @ (gt[pos] / lam[pos])
        if np.all(np.isfinite(u)) and u @ u <= radius * radius:
            return center + u

    def psi(nu):  # 1/‖u(ν)‖ − 1/r: increasing and concave in ν ≥ 0 (Moré & Sorensen 1983)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            q = gt / (lam + nu)
        s = float(q @ q)
        return (1.0 / np.sqrt(s) if np.isfinite(s) and s > 0 else 0.0) - 1.0 / radius

    hi = gn / radius          # ‖u(ν)‖ ≤ ‖g‖/ν: inside at ν = ‖g‖/r
    lo = max(0.0, hi - top)  # ‖u(ν)‖ ≥ ‖g‖/(λ_max + ν): outside below ‖g‖/r − λ_max
    if psi(lo) >= 0.0:
        nu = lo
    elif psi(hi) <= 0.0:  # the root at hi up to rounding
        nu = hi
    else:
        nu = brentq(psi, lo, hi, xtol=1e-300, rtol=8.9e-16, maxiter=500)
    u = V @ (gt / (lam + nu))
    nrm = float(np.linalg.norm(u))
    return center + (u * (radius / nrm) if nrm > radius else u)


def simplex_qp(H: np.ndarray, b: np.ndarray, scale: float, active: list[int] | None = None,
               maxiter: int | None = None) -> tuple[np.ndarray, list[int]]:
    """(argmin, free set) of ½xᵀHx − bᵀx over {x ≥ 0, Σx = scale}, H ⪰ 0, by a primal active set.

    ``active``: a free set to start from (a previous solution's; its EQP point is used when
    feasible), else the best vertex.  The free set P holds the coordinates not fixed at 0.
    """
    d = H.shape[0]
    maxiter = maxiter or 50 * d + 100
    x = np.zeros(d)
    P: list[int] = []
    if active:
        P = sorted(active)
        xp = _eqp(H, b, scale, P)
        if np.all(xp >= 0.0):
            x[P] = xp
        else:
            P = []
    if not P:
        k = int(np.argmin(0.5 * scale * scale * np.diag(H) - scale * b))
        P, x[k] = [k], scale
    hscale = float(np.max(np.abs(H))) * scale + float(np.max(np.abs(b))) + 1e-300
    for _ in range(maxiter):
        xp = _eqp(H, b, scale, P)
        xP = x[P]
        p = xp - xP
        neg = p < 0.0
        if np.all(xp >= 0.0):
            x[P] = xp
            g = H @ x - b
            mu = float(np.mean(g[P]))
            z = g - mu
            z[P] = np.inf
            j = int(np.argmin(z))
            if z[j] >= -1e-13 * hscale:
                return x, P
            P = sorted(P + [j])
            continue
        # step to the first bound met on the way to the EQP point; that coordinate leaves P
        ratio = np.where(neg, xP / np.where(neg, -p, 1.0), np.inf)
        k = int(np.argmin(ratio))
        step = float(min(1.0, ratio[k]))
        xn = xP + step * p
        xn[k] = 0.0
        xn = np.maximum(xn, 0.0)
        x[P] = xn
        P = [i for i, v in zip(P, xn) if v > 0.0]
        if not P:  # rounding: fall back to the vertex the sum now sits on
            k2 = int(np.argmax(x))
            P = [k2]
        x[[i for i in range(d) if i not in P]] = 0.0
        x *= scale / np.sum(x)
    return x, P


def _eqp(H, b, scale, P):
    """argmin of ½xᵀHx − bᵀx on {x_i = 0 off P, Σ_P x = scale} (a minimum-norm KKT solve)."""
    m = len(P)
    K = np.zeros((m + 1, m + 1))
    K[:m, :m] = H[np.ix_(P, P)]
    K[:m, m] = K[m, :m] = 1.0
    rhs = np.concatenate([b[P], [scale]])
    try:
        sol = np.linalg.solve(K, rhs)
        if not np.all(np.isfinite(sol)):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:  # H singular on the face: any minimiser does
        sol = np.linalg.lstsq(K, rhs, rcond=None)[0]
    xp = sol[:m]
    return xp + (scale - np.sum(xp)) / m  # the equality to rounding


def certified(value: float, gap: float, rtol: float = GAP_RTOL) -> bool:
    """Whether ``gap`` (≥ value − minimum) meets the comparators' tolerance rtol·max(1, |value|)."""
    return bool(gap <= rtol * max(1.0, abs(value)))


def fw_gap(F, x: np.ndarray, g: np.ndarray) -> float:
    """max_{v∈F} gᵀ(x − v) ≥ f(x) − min_F f for convex f with gradient g at x ∈ F."""
    return max(0.0, float(g @ x) - float(F.min_linear(g)))


def box_qp(H: np.ndarray, b: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """argmin_{lo ≤ x ≤ hi} ½xᵀHx − bᵀx, H ⪰ 0: bounded-variable least squares (scipy BVLS, an
    active-set method) on the factor H = RᵀR of the eigendecomposition (curvature below 1e-13 of
    the largest dropped: flat directions then rest where BVLS leaves them)."""
    from scipy.optimize import lsq_linear

    lam, V = np.linalg.eigh(H)
    pos = lam > lam.max() * 1e-13 if lam.max() > 0 else lam > 0
    R = np.sqrt(lam[pos])[:, None] * V[:, pos].T
    r = (V[:, pos].T @ b) / np.sqrt(lam[pos])
    res = lsq_linear(R, r, bounds=(lo, hi), method="bvls", tol=1e-14)
    return np.clip(res.x, lo, hi)


def qp_step(H, b, F, state):
    """argmin over F of ½xᵀHx − bᵀx; ``state`` carries the simplex free set."""
    if F.kind == "ball":
        return ball_qp(H, b, F.center, F.radius)
    if F.kind == "box":
        return box_qp(H, b, F.lo, F.hi)
    x, state["P"] = simplex_qp(H, b, F.scale, state.get("P"))
    return x


def newton(fgh, F, x: np.ndarray, tol: float = 0.0, maxiter: int = 200, rtol: float = 0.0):
    """(x, f(x), certified gap, iterations) for min_F f, f convex and smooth, F a box, ball or simplex.

    ``fgh(x, order)`` returns f (order 0), (f, ∇f) (1) or (f, ∇f, ∇²f) (2).  Stops when the
    Frank–Wolfe gap is ≤ max(``tol``, ``rtol``·max(1, |f|)) or the line search can make no
    progress (rounding).
    """
    state: dict = {}
    f, g, H = fgh(x, 2)
    gap = fw_gap(F, x, g)
    it = 0
    for it in range(1, maxiter + 1):
        if gap <= max(tol, rtol * max(1.0, abs(f))):
            break
        d = x.shape[0]
        ridge = 1e-14 * (float(np.trace(H)) / d + 1e-300)  # only so that a flat model is bounded
        with np.errstate(over="ignore", invalid="ignore"):  # a step through overflow is refused below
            xq = qp_step(H + ridge * np.eye(d), H @ x - g, F, state)
        if not np.all(np.isfinite(xq)):
            break
        p = xq - x
        # on the simplex Σp = 0 but for rounding, which gᵀp would magnify by ‖g‖: shift g
        slope = float((g - np.min(g)) @ p) if F.kind == "simplex" else float(g @ p)
        if not slope < 0.0:
            break
        if -slope <= 1e-10 * (1.0 + abs(f)):
            # the decrease is at the rounding of f: a full step is judged by its gap instead
            fn, gn, Hn = fgh(xq, 2)
            gapn = fw_gap(F, xq, gn)
            if gapn >= gap:
                break
            x, f, g, H, gap = xq, fn, gn, Hn, gapn
            continue
        t = 1.0
        while True:
            xn = x + t * p
            fn = fgh(xn, 0)
            if fn <= f + 1e-4 * t * slope:
                break
            t *= 0.5
            if t < 1e-12:
                return x, f, gap, it
        x = xn
        f, g, H = fgh(x, 2)
        gap = fw_gap(F, x, g)
    return x, f, gap, it


def piecewise_linear(M: np.ndarray, tau: np.ndarray, w: np.ndarray, lo: float, F, x0: np.ndarray,
                     rtol: float = GAP_RTOL, stages: int = 40, g0: np.ndarray | None = None):
    """(x, f(x), certified gap) for min_F g0ᵀx + Σ_j w_j max_{α∈[lo,1]} α·(M_j·x + τ_j).

    ``lo`` = 0: hinge-type max(0, m); ``lo`` = −1: absolute |m|.  Smoothing with parameter μ
    (hinge μ·log(1 + e^{m/μ}), absolute μ·log(2cosh(m/μ))), each solved by ``newton`` from the
    last; the dual point α_j = ∂/∂m of the smoothed term gives the lower bound D(α).
    """
    W = float(np.sum(w))
    g0 = np.zeros(M.shape[1]) if g0 is None else g0

    def true_f(x):
        m = M @ x + tau
        return float(g0 @ x) + float(w @ (np.maximum(m, 0.0) if lo == 0.0 else np.abs(m)))

    def alpha(m, mu):
        return 0.5 * (1.0 + np.tanh(0.5 * m / mu)) if lo == 0.0 else np.tanh(m / mu)

    def dual(a):
        v = M.T @ (w * a) + g0
        return float(w @ (a * tau)) + float(F.min_linear(v))

    def make(mu):
        def fgh(x, order):
            m = M @ x + tau
            s = m / mu
            if lo == 0.0:  # μ·softplus(m/μ)
                val = np.maximum(m, 0.0) + mu * np.log1p(np.exp(-np.abs(s)))
            else:          # μ·log(2cosh(m/μ)) = |m| + μ·log(1 + e^{−2|m|/μ})
                val = np.abs(m) + mu * np.log1p(np.exp(-2.0 * np.abs(s)))
            f = float(w @ val) + float(g0 @ x)
            if order == 0:
                return f
            a = alpha(m, mu)
            g = M.T @ (w * a) + g0
            if order == 1:
                return f, g
            curv = (a * (1.0 - a) if lo == 0.0 else (1.0 - a * a)) / mu
            return f, g, M.T @ ((w * curv)[:, None] * M)
        return fgh

    x = x0.copy()
    mu = float(np.median(np.abs(M @ x + tau))) + float(np.mean(np.abs(M))) + 1e-12
    best_f, best_x, best_lower = np.inf, x, -np.inf
    gap = np.inf
    for _ in range(stages):
        x, _fmu, _g, _it = newton(make(mu), F, x, tol=0.1 * mu * W, maxiter=50)
        fx = true_f(x)
        if fx < best_f:
            best_f, best_x = fx, x.copy()
        best_lower = max(best_lower, dual(alpha(M @ x + tau, mu)))
        gap = max(0.0, best_f - best_lower)
        if gap <= rtol * max(1.0, abs(best_f)):
            break
        if F.kind == "ball" and gap <= POLISH_AT * max(1.0, abs(best_f)):
            # near enough to guess the pieces at the optimum: solve for the point they give
            for xp, a in _polish_ball(M, tau, w, lo, F, x, g0):
                fp = true_f(xp)
                if fp < best_f:
                    best_f, best_x = fp, xp
                best_lower = max(best_lower, dual(a))
            u = best_x - F.center
            if float(u @ u) < F.radius ** 2 * (1 - 1e-9) and best_f - best_lower > rtol * max(1.0, abs(best_f)):
                # an interior point: the minimum may be a vertex of the pieces inside the ball,
                # which the smoothing approaches slowly; walk the vertices (the simplex method)
                xv, a = _vertex_walk(M, tau, w, lo, F, best_x, g0)
                fv = true_f(xv)
                if fv < best_f:
                    best_f, best_x = fv, xv
                if a is not None:
                    best_lower = max(best_lower, dual(a))
            gap = max(0.0, best_f - best_lower)
            if gap <= rtol * max(1.0, abs(best_f)):
                break
        mu = max(MU_FACTOR * mu, 1e-300)
    return best_x, best_f, gap


def _polish_ball(M, tau, w, lo, F, x, g0):
    """Candidate (point, dual α) pairs from the pieces at ``x``: for k = 0..d, the k terms nearest
    their kink held at it (M_K x = −τ_K) and the others' slopes s_j fixed, the minimum of the
    resulting linear function over that affine set ∩ the ball in closed form, and α from the
    stationarity g + M_Kᵀ(w_K α_K) + ν(x − c) = 0 (least squares, clipped to [lo, 1]).  Wrong
    guesses only give worse bounds: every point is feasible and every α is dual feasible.
    """
    c, r = F.center, F.radius
    m = M @ x + tau
    d = M.shape[1]
    order = np.argsort(np.abs(m) / (np.linalg.norm(M, axis=1) + 1e-300), kind="stable")
    slope = np.where(m > 0, 1.0, lo)
    out = []
    for k in range(0, min(d, len(m)) + 1):
        K = order[:k]
        s = slope.copy()
        s[K] = 0.0
        g = M.T @ (w * s) + g0
        if k:
            MK = M[K]
            U, sv, Vt = np.linalg.svd(MK, full_matrices=True)
            rank = int(np.sum(sv > sv[0] * 1e-12)) if sv.size and sv[0] > 0 else 0
            if rank < k:  # dependent kinks: a smaller k covers it
                continue
            xp = c - np.linalg.pinv(MK) @ (MK @ c + tau[K])
            N = Vt[rank:].T
        else:
            xp, N = c.copy(), np.eye(d)
        rho2 = r * r - float((xp - c) @ (xp - c))
        if rho2 < 0:
            break  # the affine set misses the ball; more kinks only shrink it
        gN = N.T @ g
        ng = float(np.linalg.norm(gN))
        xk = xp - (np.sqrt(rho2) / ng) * (N @ gN) if ng > 0 else xp
        xk = F.project(xk)
        u = xk - c
        on = float(u @ u) >= r * r * (1 - 1e-9)
        B = np.column_stack([M[K].T] + ([u] if on else [])) if (k or on) else np.zeros((d, 0))
        a = s.copy()
        if B.shape[1]:
            coef = np.linalg.lstsq(B, -g, rcond=None)[0]
            a[K] = np.clip(coef[:k] / w[K], lo, 1.0)
        out.append((xk, a))
    return out


def _vertex_walk(M, tau, w, lo, F, x, g0, maxiter=None):
    """(point, dual α or None): the simplex method on Σ w max_{α∈[lo,1]} α·m(x) inside the ball.

    From the vertex of the d pieces nearest their kink at ``x``: the multipliers β = w_K α_K of
    the kinks K solve M_Kᵀβ = −g (g the other terms' gradient); all α_K ∈ [lo, 1] is optimality
    (without the ball) and α is then an exact dual point.  Otherwise the edge that frees the most
    violating kink descends, and an exact line search on that edge (the breakpoints of a convex
    piecewise-linear function of the step) finds the next vertex.  An edge that reaches the
    sphere first ends the walk there (the minimum is then on the sphere: the smoothing's case).
    """
    c, r = F.center, F.radius
    n, d = M.shape
    if n < d:
        return x, None
    maxiter = maxiter or 20 * d + 50
    scale = np.linalg.norm(M, axis=1) + 1e-300
    K = list(np.argsort(np.abs(M @ x + tau) / scale, kind="stable")[:d])
    MK = M[K]
    try:
        x = np.linalg.solve(MK, -tau[K])
    except np.linalg.LinAlgError:
        return x, None
    if float((x - c) @ (x - c)) > r * r:
        return F.project(x), None
    for _ in range(maxiter):
        m = M @ x + tau
        m[K] = 0.0
        s = np.where(m > 0, 1.0, lo)
        s[K] = 0.0
        g = M.T @ (w * s) + g0
        try:
            beta = np.linalg.solve(M[K].T, -g)
        except np.linalg.LinAlgError:
            return x, None
        alpha_K = beta / w[K]
        viol = np.maximum(alpha_K - 1.0, lo - alpha_K)
        a = s.copy()
        a[K] = np.clip(alpha_K, lo, 1.0)
        j = int(np.argmax(viol))
        if viol[j] <= 1e-12 * (1.0 + np.max(np.abs(alpha_K))):
            return x, a
        # the edge: m_K stays 0 but for kink j, which moves up (α_j > 1) or down (α_j < lo)
        sign = 1.0 if alpha_K[j] > 1.0 else -1.0
        e = np.linalg.solve(M[K], sign * np.eye(d)[j])
        me = M @ e
        slope0 = w[K[j]] * ((1.0 - alpha_K[j]) if sign > 0 else (alpha_K[j] - lo))  # < 0
        # ball: the largest step with ‖x + te − c‖ ≤ r
        u = x - c
        ee, ue = float(e @ e), float(u @ e)
        tmax = (-ue + np.sqrt(max(ue * ue - ee * (float(u @ u) - r * r), 0.0))) / ee
        others = np.ones(n, bool)
        others[K] = False
        with np.errstate(divide="ignore", invalid="ignore"):
            tb = -m / me
        cand = np.flatnonzero(others & (tb > 0) & np.isfinite(tb) & (tb < tmax))
        cand = cand[np.argsort(tb[cand], kind="stable")]
        slope, nxt = slope0, None
        for i in cand:
            slope += w[i] * (1.0 - lo) * abs(me[i])
            if slope >= 0.0:
                nxt = int(i)
                break
        if nxt is None:  # the sphere comes first
            return F.project(x + tmax * e), None
        x = x + tb[nxt] * e
        K[j] = nxt
    return x, None


def _near_kink(M, m, size):
    """The ``size`` terms whose kink is nearest x (|m_j| / ‖a_j‖, the distance to m_j = 0): the
    kept set of the reduced problems, where the optimum's pieces are uncertain."""
    keep = np.zeros(M.shape[0], bool)
    keep[np.argsort(np.abs(m) / (np.linalg.norm(M, axis=1) + 1e-300), kind="stable")[:size]] = True
    return keep


def _changed_piece(s, m, lo):
    """Whether the piece s_j·m_j frozen for a replaced term is now below the term (beyond rounding)."""
    return s * m < np.maximum(lo * m, m) - 1e-12 * (1.0 + np.abs(m))


def reduced_lp(M, tau, w, lo, F, x, size=None, rounds=30):
    """(x, f(x), lower bound) for min_F Σ w max(lo·m, m), m = Mx + τ, F a box or simplex, by LPs
    on the terms near their kink at ``x`` only.

    Every other term is replaced by its piece at x, s_j·m_j ≤ max(lo·m_j, m_j) everywhere, so
    the reduced LP is a relaxation: its minimum is a lower bound, its point an upper bound, and
    they meet when no replaced term changed piece at the LP's point.  Terms that did join the
    kept ones and the LP is solved again (finitely many rounds: the kept set only grows).
    Exact to HiGHS's tolerances.
    """
    from scipy.optimize import linprog

    n, d = M.shape
    m = M @ x + tau
    size = size or min(n, max(4 * d, 64))
    keep = _near_kink(M, m, size)
    s = np.where(m > 0, 1.0, lo)
    box = list(zip(F.lo, F.hi)) if F.kind == "box" else [(0.0, None)] * d
    lower = -np.inf
    for _ in range(rounds):
        K = np.flatnonzero(keep)
        k = len(K)
        out = ~keep
        cost = np.concatenate([M[out].T @ (w[out] * s[out]), w[K]])
        const = float(np.sum(w[out] * s[out] * tau[out]))
        MK = M[K]
        G = np.block([[MK, -np.eye(k)], [lo * MK, -np.eye(k)]])
        h = np.concatenate([-tau[K], -lo * tau[K]])
        eq = {} if F.kind == "box" else {"A_eq": np.concatenate([np.ones(d), np.zeros(k)])[None, :],
                                         "b_eq": [F.scale]}
        res = linprog(cost, A_ub=G, b_ub=h, bounds=box + [(None, None)] * k, method="highs", **eq)
        if res.status != 0:
            break
        lower = max(lower, float(res.fun) + const)
        x = F.project(res.x[:d])
        m = M @ x + tau
        flipped = out & _changed_piece(s, m, lo)
        if not np.any(flipped):
            break
        keep |= flipped
    m = M @ x + tau
    return x, float(w @ np.maximum(lo * m, m)), lower


def reduced_ball(M, tau, w, lo, F, x, size=None, rounds=30):
    """(x, f(x), lower bound) for min over a ball of Σ w max(lo·m, m) by ``piecewise_linear`` on the
    terms near their kink at ``x`` only, the others replaced by their piece at x: the argument of
    ``reduced_lp`` (a relaxation whose bound meets its point's value when no replaced term changed
    piece there), with the ball's solver inside; each round costs the kept terms only."""
    n, d = M.shape
    m = M @ x + tau
    size = size or min(n, max(8 * d, 128))
    keep = _near_kink(M, m, size)
    s = np.where(m > 0, 1.0, lo)
    lower = -np.inf
    for _ in range(rounds):
        out = ~keep
        g0 = M[out].T @ (w[out] * s[out])
        const = float(np.sum(w[out] * s[out] * tau[out]))
        xr, fr, gap = piecewise_linear(M[keep], tau[keep], w[keep], lo, F, x, g0=g0)
        lower = max(lower, fr - gap + const)
        x = xr
        m = M @ x + tau
        flipped = out & _changed_piece(s, m, lo)
        if not np.any(flipped):
            break
        keep |= flipped
    m = M @ x + tau
    return x, float(w @ np.maximum(lo * m, m)), lower
